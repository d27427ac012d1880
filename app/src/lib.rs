//! The Hakoniwa playground: a thin Leptos view over `hakoniwa-core`.

pub mod components;
pub mod state;
pub mod storage;

use leptos::prelude::*;

use components::clock::ClockControls;
use components::cluster_view::{NodeList, NodesWithPods};
use components::terminal::TerminalPanel;
use state::SimHandle;

/// The whole page. It boots a cluster at the browser's current time and lets the simulation
/// clock follow wall time.
#[component]
pub fn App() -> impl IntoView {
    let handle = match SimHandle::boot_now() {
        Ok(h) => h,
        Err(e) => return view! { <p class="boot-error" role="alert">{format!("The cluster could not start: {e}")}</p> }.into_any(),
    };
    handle.follow_wall_clock();
    provide_context(handle);
    let context = handle.with(|c| c.preset().context.clone());
    view! {
        <header class="top">
            <h1>"Hakoniwa" <span class="subtitle">" 箱庭 — a Kubernetes cluster in your browser tab"</span></h1>
            <ClockControls handle />
            <p class="context">"context: " <code>{context}</code></p>
        </header>
        <main class="playground">
            <section class="panel terminal-panel" aria-labelledby="terminal-heading">
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
