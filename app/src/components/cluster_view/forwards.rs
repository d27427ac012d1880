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

/// What the last visit showed: the URL asked for, then the status line or the browser's error,
/// and the page's text.
fn shown(port: u16, path: &str, got: Result<Page, String>) -> (String, String, bool) {
    let url = format!("http://localhost:{port}{}{path}", if path.starts_with('/') { "" } else { "/" });
    match got {
        Ok(p) => (format!("{url} — {} {}", p.status, p.reason), p.body, false),
        Err(e) => (format!("{url} — {e}"), String::new(), true),
    }
}

#[component]
pub fn ForwardedPorts(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let target = RwSignal::new("/".to_string());
    let page = RwSignal::new(None::<(String, String, bool)>);
    // One view, drawn again when the ports or the page change (a few rows: no keyed list).
    move || {
        let list = ports(handle);
        let last = page.get();
        if list.is_empty() && last.is_none() {
            return None;
        }
        let rows = list
            .into_iter()
            .map(|(port, command)| {
                let open = move |_| {
                    let path = target.get_untracked();
                    page.set(Some(shown(port, &path, handle.visit(port, &path))));
                };
                view! {
                    <li class="forward" data-port=port.to_string()>
                        <span class="forward-addr">{format!("localhost:{port}")}</span>
                        <span class="forward-cmd">{command}</span>
                        <input class="forward-path" aria-label=i18n.t(Key::ForwardPath) value=target.get_untracked() on:input=move |ev| target.set(event_target_value(&ev)) />
                        <button class="forward-open" on:click=open>{i18n.t(Key::Open)}</button>
                    </li>
                }
            })
            .collect_view();
        let result = last.map(|(status, body, error)| {
            let empty = body.is_empty();
            view! {
                <div class="forward-page" role="status">
                    <p class="forward-status" class:forward-error=error>{status}</p>
                    <pre class="forward-body" hidden=empty>{body}</pre>
                </div>
            }
        });
        Some(view! {
            <section class="forwards" aria-label=i18n.t(Key::Forwarded)>
                <h3>{i18n.t(Key::Forwarded)}</h3>
                <ul class="forward-list">{rows}</ul>
                {result}
            </section>
        })
    }
}
