//! The simulation clock: the cluster's time, and pause / 1× / 10× / 100× / a one-minute step.

use hakoniwa_core::Duration;
use leptos::prelude::*;

use crate::i18n::{use_i18n, I18n, Key};
use crate::state::{SimHandle, SPEEDS};

fn label(i18n: I18n, x: f64) -> String {
    if x == 0.0 {
        i18n.t(Key::Pause).to_string()
    } else if x.is_infinite() {
        i18n.t(Key::Max).to_string()
    } else {
        format!("{x}×")
    }
}

#[component]
pub fn ClockControls(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let time = move || handle.read(|c| c.now().rfc3339()).replace('T', " ").replace('Z', " UTC");
    view! {
        <div class="clock" role="group" aria-label=move || i18n.t(Key::ClockLabel)>
            <output class="now" aria-live="off" title=move || i18n.t(Key::ClockTitle)>{time}</output>
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
                            {move || label(i18n, x)}
                        </button>
                    }
                })
                .collect_view()}
            <button class="step" title=move || i18n.t(Key::StepTitle) on:click=move |_| handle.advance(Duration::from_secs(60))>
                {move || i18n.t(Key::StepMinute)}
            </button>
        </div>
    }
}
