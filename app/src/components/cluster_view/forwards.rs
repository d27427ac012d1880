//! The ports `kubectl port-forward` listens on in the terminal, each with a small browser: the
//! learner asks for a path at `localhost:PORT` and sees the status line and the page's text,
//! while the terminal shows `Handling connection for PORT` as the real command would.

use hakoniwa_core::terminal::Page;
use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

/// One local port (both loopback addresses are one place to a browser) and its command.
fn ports(handle: SimHandle) -> Vec<(u16, String)> {
    let mut seen: Vec<(u16, String)> = Vec::new();
    for f in handle.forwards() {
        if !seen.iter().any(|(p, _)| *p == f.port) {
            let command = if f.command.is_empty() { "kubectl port-forward".to_string() } else { f.command };
            seen.push((f.port, command));
        }
    }
    seen
}

#[component]
pub fn ForwardedPorts(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let list = Memo::new(move |_| ports(handle));
    let target = RwSignal::new("/".to_string());
    let page = RwSignal::new(None::<(u16, String, Result<Page, String>)>);
    view! {
        <Show when=move || !list.get().is_empty() || page.get().is_some()>
            <section class="forwards" aria-label=move || i18n.t(Key::Forwarded)>
                <h3>{move || i18n.t(Key::Forwarded)}</h3>
                <ul class="forward-list">
                    <For each=move || list.get() key=|f| f.clone() let:f>
                        {
                            let (port, command) = f;
                            let open = move |_| {
                                let path = target.get_untracked();
                                let got = handle.visit(port, &path);
                                page.set(Some((port, path, got)));
                            };
                            view! {
                                <li class="forward" data-port=port.to_string()>
                                    <span class="forward-addr">{format!("localhost:{port}")}</span>
                                    <span class="forward-cmd">{command}</span>
                                    <input class="forward-path" aria-label=move || i18n.t(Key::ForwardPath) prop:value=move || target.get() on:input=move |ev| target.set(event_target_value(&ev)) />
                                    <button class="forward-open" on:click=open>{move || i18n.t(Key::Open)}</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
                {move || {
                    page.get().map(|(port, path, got)| {
                        let url = format!("http://localhost:{port}{}{path}", if path.starts_with('/') { "" } else { "/" });
                        match got {
                            Ok(p) => view! {
                                <div class="forward-page" role="status">
                                    <p class="forward-status">{format!("{url} — {} {}", p.status, p.reason)}</p>
                                    <pre class="forward-body">{p.body}</pre>
                                </div>
                            }
                            .into_any(),
                            Err(e) => view! {
                                <div class="forward-page" role="status">
                                    <p class="forward-status forward-error">{format!("{url} — {e}")}</p>
                                </div>
                            }
                            .into_any(),
                        }
                    })
                }}
            </section>
        </Show>
    }
}
