//! The Hakoniwa playground: a thin Leptos view over `hakoniwa-core`.

pub mod components;
pub mod crash;
pub mod state;
pub mod storage;

use leptos::prelude::*;

use components::clock::ClockControls;
use components::editor::EditorPanel;
use components::cluster_view::{NodeList, NodesWithPods};
use components::terminal::TerminalPanel;
use state::SimHandle;

/// The whole page. It restores the playground saved in this browser (or boots a fresh
/// cluster at the browser's current time) and lets the simulation clock follow wall time.
#[component]
pub fn App() -> impl IntoView {
    let handle = match SimHandle::restore_or_boot() {
        Ok(h) => h,
        Err(e) => return view! { <p class="boot-error" role="alert">{format!("The cluster could not start: {e}")}</p> }.into_any(),
    };
    handle.follow_wall_clock();
    provide_context(handle);
    // Leaving the page saves what the last periodic save missed.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| handle.save());
    let context = handle.with(|c| c.preset().context.clone());
    view! {
        <header class="top">
            <h1>"Hakoniwa" <span class="subtitle">" 箱庭 — a Kubernetes cluster in your browser tab"</span></h1>
            <ClockControls handle />
            <div class="session">
                <span class="context">"context: " <code>{context}</code></span>
                <button class="export" title="Download this playground as a file" on:click=move |_| components::download("hakoniwa-playground.json", &handle.export())>
                    "Export"
                </button>
                <button class="reset" title="Forget this playground and start a fresh cluster" on:click=move |_| handle.reset()>
                    "Reset"
                </button>
            </div>
        </header>
        {move || handle.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <main class="playground">
            <section class="panel terminal-panel" aria-labelledby="terminal-heading">
                <EditorPanel handle />
                <h2 id="terminal-heading">"Terminal"</h2>
                <TerminalPanel handle />
            </section>
            <section class="panel cluster-panel" aria-labelledby="cluster-heading">
                <h2 id="cluster-heading">"Cluster"</h2>
                <NodesWithPods handle />
                <details class="node-table">
                    <summary>"kubectl get nodes"</summary>
                    <NodeList handle />
                </details>
            </section>
        </main>
    }
    .into_any()
}
