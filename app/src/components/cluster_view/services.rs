//! Services with the pods their endpoints reach (ready ones marked, the others struck through:
//! kube-proxy sends them nothing), and Ingresses with where each host and path goes. A click
//! opens the object in the inspector.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

use super::inspector::Selected;

fn is_system(ns: &str) -> bool {
    matches!(ns, "kube-system" | "local-path-storage" | "ingress-nginx")
}

/// One Service or Ingress as drawn: what it is, a summary line, and its chips (endpoint pods
/// or routes) with whether each is live.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Entry {
    kind: &'static str,
    namespace: String,
    name: String,
    summary: String,
    chips: Vec<(String, bool)>,
}

fn entries(handle: SimHandle, all: bool) -> Vec<Entry> {
    handle.read(|c| {
        let services = c.service_rows().into_iter().map(|s| {
            let external = if s.external_ip.is_empty() || s.external_ip == "<none>" { String::new() } else { format!(" → {}", s.external_ip) };
            Entry { kind: "service", summary: format!("{} {}{external} {}", s.kind, s.cluster_ip, s.ports), namespace: s.namespace, name: s.name, chips: s.endpoints }
        });
        let ingresses = c.ingress_rows().into_iter().map(|i| Entry {
            kind: "ingress",
            summary: format!("Ingress {} {}", i.class, i.address),
            chips: i.routes.into_iter().map(|(host, path, backend)| (format!("{host}{path} → {backend}"), true)).collect(),
            namespace: i.namespace,
            name: i.name,
        });
        services.chain(ingresses).filter(|e| all || !is_system(&e.namespace)).collect()
    })
}

/// The Services and Ingresses of the cluster (system namespaces only when `show_system`).
#[component]
pub fn ServicesList(handle: SimHandle, show_system: RwSignal<bool>, selected: RwSignal<Option<Selected>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = Memo::new(move |_| entries(handle, show_system.get()));
    view! {
        <section class="services" aria-label=move || i18n.t(Key::Services)>
            <h3>{move || i18n.t(Key::Services)}</h3>
            <ul class="service-list">
                <For each=move || list.get() key=|e| e.clone() let:e>
                    {
                        let me = Selected { kind: e.kind, namespace: e.namespace.clone(), name: e.name.clone() };
                        let chips = e.chips.iter().map(|(text, live)| view! { <li class="chip" data-ready=live.to_string()>{text.clone()}</li> }).collect_view();
                        view! {
                            <li class=e.kind data-namespace=e.namespace.clone() data-name=e.name.clone()>
                                <button class="svc-open" on:click=move |_| selected.set(Some(me.clone()))>
                                    <span class="svc-name">{e.name.clone()}</span>
                                    <span class="svc-summary">{e.summary.clone()}</span>
                                </button>
                                <ul class="chips">{chips}</ul>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}
