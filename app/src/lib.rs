//! The Hakoniwa playground: a thin Leptos view over `hakoniwa-core`.

pub mod bench;
pub mod components;
pub mod crash;
pub mod display;
pub mod embed;
pub mod i18n;
pub mod share;
pub mod state;
pub mod storage;

use leptos::prelude::*;

use components::clock::ClockControls;
use components::cluster_view::{NodeList, NodesWithPods};
use components::editor::EditorPanel;
use components::kept::KeptPlaygrounds;
use components::lessons::LessonsPanel;
use components::terminal::TerminalPanel;
use i18n::{I18n, Key};
use state::{Notice, SimHandle};

/// The whole page. It restores the playground saved in this browser (or boots a fresh
/// cluster at the browser's current time) and lets the simulation clock follow wall time.
#[component]
pub fn App(
    /// A save from a share link: `Some("")` when the link could not be read.
    #[prop(optional)]
    shared: Option<String>,
) -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    embed::mark_document();
    let handle = match SimHandle::restore_or_boot(shared) {
        Ok(h) => h,
        Err(e) => return view! { <p class="boot-error" role="alert">{format!("{} {e}", i18n.untracked(Key::BootFailed))}</p> }.into_any(),
    };
    handle.follow_wall_clock();
    provide_context(handle);
    // Leaving the page saves what the last periodic save missed.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| handle.save());
    let context = move || handle.read(|c| c.preset().context.clone());
    let large = display::signal();
    let notice = move || {
        handle.notice.get().map(|n| {
            let text = match n {
                Notice::SaveFailed(why) => format!("{} ({why})", i18n.t(Key::SaveFailed)),
                Notice::KeptAside { reason, key } => format!("{} ({reason}; localStorage: {key})", i18n.t(Key::KeptAside)),
                Notice::SharedOpened { aside } => match aside {
                    Some(key) => format!("{} (localStorage: {key})", i18n.t(Key::SharedOpenedAside)),
                    None => i18n.t(Key::SharedOpened).to_string(),
                },
                Notice::ShareBroken(why) => format!("{} ({why})", i18n.t(Key::ShareBroken)),
                Notice::ImportBroken(why) => format!("{} ({why})", i18n.t(Key::ImportBroken)),
                Notice::Link { url, copied } => {
                    let said = if copied { i18n.t(Key::LinkCopied) } else { i18n.t(Key::LinkReady) };
                    return view! {
                        <p class="notice share-link" role="status">
                            {said} " " <input type="text" readonly aria-label=i18n.t(Key::Share) prop:value=url />
                        </p>
                    }
                    .into_any();
                }
            };
            view! { <p class="notice" role="status">{text}</p> }.into_any()
        })
    };
    view! {
        <header class="top">
            <h1>"Hakoniwa" <span class="subtitle">{move || i18n.t(Key::Subtitle)}</span></h1>
            <ClockControls handle />
            <div class="session">
                <label class="preset" title=move || i18n.t(Key::PresetTitle)>
                    {move || i18n.t(Key::Preset)}
                    <select on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if chosen != handle.with(|c| c.preset().name.clone()) {
                            if let Err(why) = handle.start_preset(&chosen) {
                                handle.notice.set(Some(Notice::SaveFailed(why)));
                            }
                        }
                    }>
                        {hakoniwa_core::cluster::Preset::builtin_names()
                            .map(|name| view! { <option value=name selected=move || handle.with(|c| c.preset().name == name)>{name}</option> })
                            .collect_view()}
                    </select>
                </label>
                <span class="context">{move || i18n.t(Key::Context)} <code>{context}</code></span>
                <button class="export" title=move || i18n.t(Key::ExportTitle) on:click=move |_| components::download("hakoniwa-playground.json", &handle.export())>
                    {move || i18n.t(Key::Export)}
                </button>
                <label class="import button" title=move || i18n.t(Key::ImportTitle)>
                    {move || i18n.t(Key::Import)}
                    <input type="file" accept=".json,application/json" class="visually-hidden" on:change=move |ev| {
                        let notice = handle.notice;
                        components::read_chosen_file(&ev, move |text| {
                            if let Err(why) = handle.import(&text) {
                                notice.set(Some(Notice::ImportBroken(why)));
                            }
                        });
                    } />
                </label>
                <button class="share" title=move || i18n.t(Key::ShareTitle) on:click=move |_| {
                    let notice = handle.notice;
                    share::link(&handle.export(), move |url| {
                        if url.is_empty() {
                            notice.set(Some(Notice::ShareBroken("CompressionStream".into())));
                            return;
                        }
                        let u = url.clone();
                        share::copy(&url, move |copied| notice.set(Some(Notice::Link { url: u, copied })));
                    });
                }>
                    {move || i18n.t(Key::Share)}
                </button>
                <KeptPlaygrounds handle />
                <button class="reset" title=move || i18n.t(Key::ResetTitle) on:click=move |_| handle.reset()>
                    {move || i18n.t(Key::Reset)}
                </button>
                <button class="large-print" title=move || i18n.t(Key::LargePrintTitle) aria-pressed=move || large.get().to_string() on:click=move |_| display::set(large, !large.get_untracked())>
                    {move || i18n.t(Key::LargePrint)}
                </button>
                <button class="language" on:click=move |_| i18n.toggle()>
                    {move || i18n.t(Key::Language)}
                </button>
            </div>
        </header>
        {notice}
        <main class="playground">
            <section class="panel lessons-panel" aria-labelledby="lessons-heading">
                <LessonsPanel handle />
            </section>
            <section class="panel terminal-panel" aria-labelledby="terminal-heading">
                <EditorPanel handle />
                <h2 id="terminal-heading">{move || i18n.t(Key::Terminal)}</h2>
                <TerminalPanel handle />
            </section>
            <section class="panel cluster-panel" aria-labelledby="cluster-heading">
                <details class="panel-fold" open>
                    <summary><h2 id="cluster-heading">{move || i18n.t(Key::Cluster)}</h2></summary>
                    <NodesWithPods handle />
                    <details class="node-table">
                        <summary>{move || i18n.t(Key::NodeTable)}</summary>
                        <NodeList handle />
                    </details>
                </details>
            </section>
        </main>
    }
    .into_any()
}
