//! Several playgrounds in one browser: keep a named copy of this one, open a kept one (this one
//! is kept aside first, so nothing is lost), forget one.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::{Notice, SimHandle};
use crate::storage::{self, Kept};

#[component]
pub fn KeptPlaygrounds(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(storage::kept());
    let name = RwSignal::new(String::new());
    let keep = move || {
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            return;
        }
        handle.save();
        match storage::keep_copy(&n, &handle.export()) {
            Ok(()) => {
                name.set(String::new());
                list.set(storage::kept());
            }
            Err(e) => handle.notice.set(Some(Notice::SaveFailed(e))),
        }
    };
    let label = move |k: &Kept| k.name.clone().unwrap_or_else(|| format!("{} {}", i18n.t(Key::KeptAsideLabel), k.key.rsplit('.').next().map(epoch_label).unwrap_or_default()));
    view! {
        <details class="kept" on:toggle=move |_| list.set(storage::kept())>
            <summary>{move || i18n.t(Key::Playgrounds)}</summary>
            <div class="kept-panel">
                <ul>
                    <For each=move || list.get() key=|k| k.key.clone() let:k>
                        {
                            let (open_key, forget_key) = (k.key.clone(), k.key.clone());
                            let shown = k.clone();
                            view! {
                                <li data-key=k.key.clone()>
                                    <span class="kept-name">{move || label(&shown)}</span>
                                    <button class="kept-open" on:click=move |_| {
                                        if let Some(text) = storage::read_kept(&open_key) {
                                            if let Err(why) = handle.import(&text) {
                                                handle.notice.set(Some(Notice::ImportBroken(why)));
                                            }
                                        }
                                    }>{move || i18n.t(Key::Open)}</button>
                                    <button class="kept-forget" on:click=move |_| {
                                        storage::forget_kept(&forget_key);
                                        list.set(storage::kept());
                                    }>{move || i18n.t(Key::Forget)}</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    keep();
                }>
                    <input type="text" aria-label=move || i18n.t(Key::CopyName) placeholder=move || i18n.t(Key::CopyName) prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <button type="submit">{move || i18n.t(Key::KeepCopy)}</button>
                </form>
            </div>
        </details>
    }
}

/// `1764068400000` (milliseconds since 1970) as `2025-11-25 11:00 UTC`.
fn epoch_label(ms: &str) -> String {
    ms.parse::<i64>()
        .ok()
        .map(|m| hakoniwa_core::Timestamp::from_unix_millis(m).rfc3339())
        .map(|t| format!("{} {} UTC", &t[..10], &t[11..16]))
        .unwrap_or_else(|| ms.to_string())
}
