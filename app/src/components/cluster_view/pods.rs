//! Nodes as boxes with their pods inside, and the pods no node has taken yet: the picture a
//! learner watches while a rollout, a drain or a reschedule happens.

use std::collections::BTreeMap;
use std::sync::Arc;

use hakoniwa_core::cluster::view::PodRowsKept;
use hakoniwa_core::PodRow;
use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

use super::inspector::{Inspector, Selected};
use super::forwards::ForwardedPorts;
use super::services::ServicesList;

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

/// Past this many pods a box counts its pods by state instead of drawing each one: 10,000
/// chips (kind-large's 100 nodes with 100 pods each) made every redraw of the page a long
/// layout. The node's own pods are one click away, in its `describe`.
const CHIPS_PER_BOX: usize = 50;

/// Past this many pods in the whole view every box counts its pods: while 10,000 pods start,
/// every chip whose pod changed is drawn again, up to 5,000 of them (100 boxes of 50) at each
/// redraw, which took redraws past 50 ms. (At 1,000, a Deployment of 1,000 on kind-large still
/// made tasks of 74 ms in Chromium; at 500, none over 50 ms.)
const CHIPS_IN_VIEW: usize = 500;

/// The states in the order a tally lists them.
const STATES: [&str; 6] = ["ready", "unready", "starting", "failing", "stopping", "done"];

/// How many of these pods are in each state, in the order of `STATES`, leaving out none.
fn tally(pods: &[PodRow]) -> Vec<(&'static str, usize)> {
    let mut counts = [0usize; STATES.len()];
    for p in pods {
        let st = state(p);
        if let Some(i) = STATES.iter().position(|s| *s == st) {
            counts[i] += 1;
        }
    }
    STATES.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(s, n)| (*s, n)).collect()
}

/// The pods of one box: a chip each, or past `CHIPS_PER_BOX` (or with `crowded`, when the view
/// holds more than `CHIPS_IN_VIEW`) a count per state.
fn pod_list(pods: Memo<Arc<Vec<PodRow>>>, crowded: Memo<bool>, selected: RwSignal<Option<Selected>>) -> impl IntoView {
    let i18n = use_i18n();
    let counted = Memo::new(move |_| {
        let crowded = crowded.get();
        pods.with(|ps| (crowded || ps.len() > CHIPS_PER_BOX).then(|| tally(ps)))
    });
    view! {
        <Show
            when=move || counted.with(Option::is_none)
            fallback=move || {
                view! {
                    <ul class="pods tally">
                        {move || {
                            counted
                                .get()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(st, n)| {
                                    view! {
                                        <li class="pod tally" data-state=st>
                                            <span class="pod-name">{i18n.pod_state(st)}</span>
                                            <span class="pod-status">{n}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                }
            }
        >
            <ul class="pods">
                <For each=move || pods.get().to_vec() key=|p| p.clone() let:p>{pod_chip(p, selected)}</For>
            </ul>
        </Show>
    }
}

fn pod_chip(p: PodRow, selected: RwSignal<Option<Selected>>) -> impl IntoView {
    let st = state(&p);
    let title = format!("{}/{} — {} {}, restarts {}", p.namespace, p.name, p.ready, p.status, p.restarts);
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
    // Pods without their ages (which change every second): a chip is drawn again only when
    // its pod changes, so keyboard focus stays where it is. Rows of pods unchanged since the
    // last redraw are kept, not made again.
    let kept = StoredValue::new(PodRowsKept::default());
    let nodes = Memo::new(move |_| handle.read(|c| c.node_rows()).into_iter().map(|n| (n.name, n.status)).collect::<Vec<_>>());
    // Pods by node, grouped once per change (moved, not copied): each node's box compares its
    // own list with the one it drew, so this map is not compared as a whole. (At 10,000 pods on
    // kind-large, copying and comparing every row three times a redraw took tens of ms.)
    let by_node = Memo::new_with_compare(
        move |_| {
            let all = handle.read(|c| kept.try_update_value(|k| c.pod_rows_kept(k))).unwrap_or_default();
            let shown = show_system.get();
            let mut m: BTreeMap<String, Vec<PodRow>> = BTreeMap::new();
            for p in all.into_iter().filter(|p| shown || (p.namespace != "kube-system" && p.namespace != "local-path-storage")) {
                match m.get_mut(&p.node) {
                    Some(v) => v.push(p),
                    None => {
                        m.insert(p.node.clone(), vec![p]);
                    }
                }
            }
            m.into_iter().map(|(node, pods)| (node, Arc::new(pods))).collect::<BTreeMap<_, _>>()
        },
        |_, _| true,
    );
    let crowded = Memo::new(move |_| by_node.with(|m| m.values().map(|v| v.len()).sum::<usize>() > CHIPS_IN_VIEW));
    let pending = Memo::new(move |_| by_node.with(|m| m.get("").cloned().unwrap_or_default()));
    let any_pending = Memo::new(move |_| pending.with(|p| !p.is_empty()));
    view! {
        <label class="system-toggle">
            <input type="checkbox" prop:checked=move || show_system.get() on:change=move |_| show_system.update(|v| *v = !*v) />
            {move || i18n.t(Key::ShowSystemPods)}
        </label>
        <div class="nodes-grid">
            <For each=move || nodes.get() key=|n| n.clone() let:node>
                {
                    let (name, status) = node;
                    let on = name.clone();
                    let mine = Memo::new(move |_| by_node.with(|m| m.get(&on).cloned().unwrap_or_default()));
                    let shown_status = status.clone();
                    let me = Selected { kind: "node", namespace: String::new(), name: name.clone() };
                    view! {
                        <section class="node-box" data-name=name.clone() data-status=status.clone() aria-label=format!("node {name}")>
                            <h3>
                                <button class="node-name" on:click=move |_| selected.set(Some(me.clone()))>{name.clone()}</button>
                                <span class="node-status">{shown_status}</span>
                                <span class="node-count">{move || i18n.pods(mine.with(|p| p.len()))}</span>
                            </h3>
                            {pod_list(mine, crowded, selected)}
                        </section>
                    }
                }
            </For>
            {move || {
                any_pending.get().then(|| {
                    view! {
                        <section class="node-box unscheduled" aria-label="pods not scheduled">
                            <h3>
                                <span class="node-name">{move || i18n.t(Key::NotScheduled)}</span>
                                <span class="node-count">{move || i18n.pods(pending.with(|p| p.len()))}</span>
                            </h3>
                            {pod_list(pending, crowded, selected)}
                        </section>
                    }
                })
            }}
        </div>
        <ServicesList handle show_system selected />
        <ForwardedPorts handle />
        <Inspector handle selected />
    }
}
