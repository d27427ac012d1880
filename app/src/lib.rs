//! The Hakoniwa playground: a thin Leptos view over `hakoniwa-core`.

pub mod components;
pub mod state;

use leptos::prelude::*;

use components::cluster_view::NodeList;
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
            <p class="context">"context: " <code>{context}</code></p>
        </header>
        <main>
            <section class="panel" aria-labelledby="nodes-heading">
                <h2 id="nodes-heading">"Nodes"</h2>
                <NodeList handle />
            </section>
        </main>
    }
    .into_any()
}
