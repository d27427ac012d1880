//! What a click on a pod or a node opens: `kubectl describe`, `-o yaml`, logs and events for
//! it, printed by the same kubectl emulator the terminal uses (read-only requests, not part
//! of the saved journal), kept current as the cluster moves.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

/// The object the inspector shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    /// `pod` or `node`.
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Describe,
    Yaml,
    Logs,
    Events,
}

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Tab::Describe => "describe",
            Tab::Yaml => "YAML",
            Tab::Logs => "logs",
            Tab::Events => "events",
        }
    }

    /// The kubectl command line that shows this tab for `s`.
    fn command(self, s: &Selected) -> String {
        let ns = if s.namespace.is_empty() { String::new() } else { format!(" -n {}", s.namespace) };
        match self {
            Tab::Describe => format!("kubectl describe {} {}{ns}", s.kind, s.name),
            Tab::Yaml => format!("kubectl get {} {}{ns} -o yaml", s.kind, s.name),
            Tab::Logs => format!("kubectl logs {}{ns} --all-containers --tail=200", s.name),
            Tab::Events => format!("kubectl events --for {}/{}{ns}", s.kind, s.name),
        }
    }
}

#[component]
pub fn Inspector(handle: SimHandle, selected: RwSignal<Option<Selected>>) -> impl IntoView {
    let i18n = use_i18n();
    let tab = RwSignal::new(Tab::Describe);
    let tabs = move || {
        let kind = selected.get().map_or("pod", |s| s.kind);
        let all: &[Tab] = if kind == "pod" { &[Tab::Describe, Tab::Yaml, Tab::Logs, Tab::Events] } else { &[Tab::Describe, Tab::Yaml, Tab::Events] };
        all.iter()
            .map(|&t| {
                view! {
                    <button role="tab" class="tab" aria-selected=move || (tab.get() == t).to_string() on:click=move |_| tab.set(t)>
                        {t.label()}
                    </button>
                }
            })
            .collect_view()
    };
    let body = move || {
        let s = selected.get()?;
        let t = if s.kind != "pod" && tab.get() == Tab::Logs { Tab::Describe } else { tab.get() };
        let cmd = t.command(&s);
        let text = handle.inspect(&cmd);
        Some((cmd, text))
    };
    view! {
        {move || {
            selected
                .get()
                .map(|s| {
                    view! {
                        <section class="inspector" aria-label=format!("{}/{}", s.kind, s.name)>
                            <header>
                                <h3>{format!("{}/{}", s.kind, s.name)}</h3>
                                <button class="close" aria-label=move || i18n.t(Key::Close) on:click=move |_| selected.set(None)>"×"</button>
                            </header>
                            <div role="tablist">{tabs}</div>
                            {move || {
                                body()
                                    .map(|(cmd, text)| {
                                        view! {
                                            <p class="command"><code>{format!("$ {cmd}")}</code></p>
                                            <pre class="output" role="tabpanel">{text}</pre>
                                        }
                                    })
                            }}
                        </section>
                    }
                })
        }}
    }
}
