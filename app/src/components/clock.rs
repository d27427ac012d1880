//! The simulation clock: the cluster's time, and pause / 1× / 10× / 100× / a one-minute step.

use hakoniwa_core::Duration;
use leptos::prelude::*;

use crate::state::{SimHandle, SPEEDS};

fn label(x: f64) -> String {
    if x == 0.0 { "Pause".to_string() } else { format!("{x}×") }
}

#[component]
pub fn ClockControls(handle: SimHandle) -> impl IntoView {
    let time = move || handle.read(|c| c.now().rfc3339()).replace('T', " ").replace('Z', " UTC");
    view! {
        <div class="clock" role="group" aria-label="Simulation clock">
            <output class="now" aria-live="off" title="The cluster's time">{time}</output>
            {SPEEDS
                .iter()
                .map(|&x| {
                    view! {
                        <button
                            class="speed"
                            data-speed=x.to_string()
                            aria-pressed=move || (handle.speed() == x).to_string()
                            on:click=move |_| handle.set_speed(x)
                        >
                            {label(x)}
                        </button>
                    }
                })
                .collect_view()}
            <button class="step" title="Let one minute of cluster time pass now" on:click=move |_| handle.advance(Duration::from_secs(60))>
                "+1 min"
            </button>
        </div>
    }
}
