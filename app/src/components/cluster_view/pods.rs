//! Nodes as boxes with their pods inside, and the pods no node has taken yet: the picture a
//! learner watches while a rollout, a drain or a reschedule happens.

use hakoniwa_core::PodRow;
use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

use super::inspector::{Inspector, Selected};

/// A pod's state as one word the style sheet colours (with a symbol, never colour alone).
fn state(p: &PodRow) -> &'static str {
    let (ready, total) = p.ready.split_once('/').unwrap_or(("0", "0"));
    match p.status.as_str() {
        "Running" if ready == total => "ready",
        "Running" => "unready",
        "Completed" | "Succeeded" => "done",
        "Pending" | "ContainerCreating" | "PodInitializing" => "starting",
        "Terminating" => "stopping",
        s if s.starts_with("Init:") && !s.contains("Error") && !s.contains("CrashLoop") => "starting",
        _ => "failing",
    }
}

fn pod_chip(p: PodRow, selected: RwSignal<Option<Selected>>) -> impl IntoView {
    let st = state(&p);
    let title = format!("{}/{} — {} {} restarts {} age {}", p.namespace, p.name, p.ready, p.status, p.restarts, p.age);
    let (namespace, name) = (p.namespace.clone(), p.name.clone());
    let me = Selected { kind: "pod", namespace: p.namespace.clone(), name: p.name.clone() };
    let me2 = me.clone();
    view! {
        <li class="pod" data-state=st data-namespace=namespace data-name=name title=title>
            <button
                class="pod-open"
                aria-pressed=move || (selected.get().as_ref() == Some(&me2)).to_string()
                on:click=move |_| selected.set(Some(me.clone()))
            >
                <span class="pod-name">{p.name}</span>
                <span class="pod-status">{format!("{} {}", p.ready, p.status)}</span>
            </button>
        </li>
    }
}

#[component]
pub fn NodesWithPods(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let show_system = RwSignal::new(false);
    let selected = RwSignal::new(None::<Selected>);
    let pods = move || {
        let all = handle.read(|c| c.pod_rows());
        if show_system.get() { all } else { all.into_iter().filter(|p| p.namespace != "kube-system" && p.namespace != "local-path-storage").collect::<Vec<_>>() }
    };
    let nodes = move || handle.read(|c| c.node_rows());
    view! {
        <label class="system-toggle">
            <input type="checkbox" prop:checked=move || show_system.get() on:change=move |_| show_system.update(|v| *v = !*v) />
            {move || i18n.t(Key::ShowSystemPods)}
        </label>
        <div class="nodes-grid">
            {move || {
                let pods = pods();
                let pending: Vec<PodRow> = pods.iter().filter(|p| p.node.is_empty()).cloned().collect();
                let mut boxes: Vec<_> = nodes()
                    .into_iter()
                    .map(|n| {
                        let mine: Vec<PodRow> = pods.iter().filter(|p| p.node == n.name).cloned().collect();
                        let count = mine.len();
                        view! {
                            <section class="node-box" data-name=n.name.clone() data-status=n.status.clone() aria-label=format!("node {}", n.name)>
                                <h3>
                                    <button class="node-name" on:click={
                                        let me = Selected { kind: "node", namespace: String::new(), name: n.name.clone() };
                                        move |_| selected.set(Some(me.clone()))
                                    }>{n.name.clone()}</button>
                                    <span class="node-status">{n.status.clone()}</span>
                                    <span class="node-count">{i18n.pods(count)}</span>
                                </h3>
                                <ul class="pods">{mine.into_iter().map(|p| pod_chip(p, selected)).collect_view()}</ul>
                            </section>
                        }
                        .into_any()
                    })
                    .collect();
                if !pending.is_empty() {
                    boxes.push(
                        view! {
                            <section class="node-box unscheduled" aria-label="pods not scheduled">
                                <h3><span class="node-name">{i18n.t(Key::NotScheduled)}</span></h3>
                                <ul class="pods">{pending.into_iter().map(|p| pod_chip(p, selected)).collect_view()}</ul>
                            </section>
                        }
                        .into_any(),
                    );
                }
                boxes
            }}
        </div>
        <Inspector handle selected />
    }
}
