//! The lessons panel: the chapters and their lessons with the steps done, and the lesson being
//! taken — its text (core's Markdown reader: no HTML ever passes through), its steps with the
//! current one's checks live, hints one at a time, the solution, and buttons that run a code
//! block in the terminal or open a manifest in the editor.

use std::sync::Arc;

use hakoniwa_core::lessons::markdown::{self, Block, CodeAction};
use wasm_bindgen::JsCast;
use hakoniwa_core::lessons::{Catalog, Lang, Lesson};
use leptos::prelude::*;

use crate::components::terminal;
use crate::embed;
use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

/// A piece of lesson text: core's Markdown reader writes it as HTML with every text escaped
/// (no HTML of the source ever passes through), and its code blocks' buttons act here.
fn text_view(handle: SimHandle, items: Vec<Block>) -> impl IntoView {
    let i18n = use_i18n();
    let blocks = StoredValue::new(items);
    let html = move || blocks.with_value(|b| markdown::html(b, i18n.t(Key::RunInTerminal), i18n.t(Key::OpenInEditor)));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let Some(button) = el.closest("button[data-code]").ok().flatten() else { return };
        let Some(i) = button.get_attribute("data-code").and_then(|n| n.parse::<usize>().ok()) else { return };
        let Some(block) = blocks.with_value(|b| b.get(i).cloned()) else { return };
        match (block.code_action(), block) {
            (Some(CodeAction::Run), Block::Code { text, .. }) => run_block(handle, &text),
            (Some(CodeAction::Open), Block::Code { file: Some(name), text, .. }) => {
                // A file the learner already has is opened as it is, not overwritten.
                if handle.file_text(&name).is_none() {
                    handle.write_file(&name, &text);
                }
                handle.open_file.set(Some(name));
            }
            _ => {}
        }
    };
    view! { <div class="lesson-text" inner_html=html on:click=on_click></div> }
}

/// Runs a shell block's commands in the terminal, one line each (comments and blank lines
/// skipped).
fn run_block(handle: SimHandle, text: &str) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        terminal::show(&handle.run_command(line));
    }
}

#[component]
pub fn LessonsPanel(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let progress = Memo::new(move |_| handle.progress());
    let done = Memo::new(move |_| handle.lessons_done());
    // The lesson shown: the one a link names, else the one being taken.
    let shown = RwSignal::new(embed::lesson().or_else(|| untrack(|| progress.get().map(|p| p.lesson))));
    handle.load_lessons();
    // A link in a lesson's text to another lesson shows it (starting it is the learner's choice).
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(id) = embed::lesson() {
            shown.set(Some(id));
        }
    });
    // A link to a lesson not being taken starts it once the lessons are there.
    let linked_id = StoredValue::new(embed::lesson());
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(id)) = (handle.catalog.get(), linked_id.get_value()) {
            linked_id.set_value(None);
            if untrack(|| progress.get()).is_none_or(|p| p.lesson != id) {
                handle.start_lesson(&id, i18n.untracked(Key::Banner));
            }
        }
    });
    let list = move |c: Arc<Catalog>| {
        let lang = i18n.0.get();
        let done = done.get();
        c.chapters
            .iter()
            .map(|ch| {
                let lessons = ch
                    .lessons
                    .iter()
                    .filter_map(|id| c.get(id))
                    .map(|l| {
                        let id = l.id().to_string();
                        let of = l.def.steps.len();
                        let n = done.get(&id).copied().unwrap_or(0).min(of);
                        let mark = if n == of { "✓ " } else { "" };
                        let title = l.text(lang).title.clone();
                        view! {
                            <li>
                                <button class="lesson-link" on:click=move |_| shown.set(Some(id.clone()))>{mark}{title}</button>
                                <span class="lesson-progress">{format!(" {n}/{of}")}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <li class="chapter">
                        <h3>{format!("{} {}", ch.number, ch.name(lang))}</h3>
                        <ul class="lessons">{lessons}</ul>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    let lesson_view = move |c: Arc<Catalog>, id: String| {
        let Some(lesson) = c.get(&id).cloned() else { return view! { <p>{id}</p> }.into_any() };
        let lang = i18n.0.get();
        let text = lesson.text(lang).clone();
        let taking = progress.get().filter(|p| p.lesson == id);
        let at = c.lessons.iter().position(|l| l.id() == id).unwrap_or(0);
        let next = c.lessons.get(at + 1).map(|l| l.id().to_string());
        let previous = at.checked_sub(1).and_then(|i| c.lessons.get(i)).map(|l| l.id().to_string());
        let nav = view! {
            <nav class="lesson-nav">
                {previous.map(|n| view! { <button class="previous-lesson" on:click=move |_| shown.set(Some(n.clone()))>{move || i18n.t(Key::PreviousLesson)}</button> })}
                {next.clone().map(|n| view! { <button class="next-lesson" on:click=move |_| shown.set(Some(n.clone()))>{move || i18n.t(Key::NextLesson)}</button> })}
            </nav>
        };
        let start_id = id.clone();
        let start = move |_| handle.start_lesson(&start_id, i18n.untracked(Key::Banner));
        let restart_id = id.clone();
        // Starting over drops this lesson's cluster and files: asked first.
        let restart = move |_| {
            let sure = web_sys::window().and_then(|w| w.confirm_with_message(i18n.untracked(Key::RestartConfirm)).ok()).unwrap_or(false);
            if sure {
                handle.start_lesson(&restart_id, i18n.untracked(Key::Banner));
            }
        };
        let head = view! {
            <button class="back" on:click=move |_| shown.set(None)>{move || i18n.t(Key::AllLessons)}</button>
            <h3 class="lesson-title">{text.title.clone()}</h3>
            <div class="lesson-intro">{text_view(handle, text.intro.clone())}</div>
        };
        let Some(p) = taking else {
            return view! {
                {head}
                <button class="start-lesson" on:click=start>{move || i18n.t(Key::StartLesson)}</button>
                <p class="note">{move || i18n.t(Key::StartNote)}</p>
                {nav}
            }
            .into_any();
        };
        let steps = text
            .steps
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let (class, mark, state) = if i < p.step {
                    ("step done", "✓", Key::StepDone)
                } else if i == p.step {
                    ("step current", "▶", Key::StepCurrent)
                } else {
                    ("step", "·", Key::NotYet)
                };
                let detail = (i == p.step).then(|| current_step(handle, &lesson, lang, i, p.hints, p.solution));
                view! {
                    <li class=class aria-current=(i == p.step).then_some("step")>
                        <h4><span class="step-mark" aria-label=move || i18n.t(state)>{mark}</span>" "{st.title.clone()}</h4>
                        {detail}
                    </li>
                }
            })
            .collect_view();
        let finished = p.step >= lesson.def.steps.len();
        view! {
            {head}
            <ol class="steps">{steps}</ol>
            {finished.then(|| view! { <p class="lesson-done" role="status">{move || i18n.t(Key::LessonDone)}</p> })}
            <button class="restart" on:click=restart>{move || i18n.t(Key::Restart)}</button>
            {nav}
        }
        .into_any()
    };
    let body = move || match handle.catalog.get() {
        None => view! { <p>{move || i18n.t(Key::Loading)}</p> }.into_any(),
        Some(Err(e)) => view! { <p class="boot-error" role="alert">{format!("{} {e}", i18n.t(Key::LessonsFailed))}</p> }.into_any(),
        Some(Ok(c)) => match shown.get() {
            None => view! { <ul class="chapters">{list(c)}</ul> }.into_any(),
            Some(id) => lesson_view(c, id),
        },
    };
    view! {
        <details class="panel-fold" open>
            <summary><h2 id="lessons-heading">{move || i18n.t(Key::Lessons)}</h2></summary>
            <div class="lessons-body">{body}</div>
        </details>
    }
}

/// The step being worked on: its text, its checks as they stand, hints, the solution.
fn current_step(handle: SimHandle, lesson: &Lesson, lang: Lang, i: usize, hints: usize, solution: bool) -> AnyView {
    let i18n = use_i18n();
    let text = &lesson.text(lang).steps[i];
    let all_hints = text.hints.len();
    let hints_html: String = text.hints.iter().take(hints).map(|h| format!("<li>{}</li>", markdown::inline_html(h))).collect();
    let def = lesson.def.steps[i].clone();
    let checks = move || {
        handle
            .checks
            .get()
            .into_iter()
            .map(|c| {
                let ok = c.missing.is_none();
                let label = c.label(i18n.0.get());
                let missing = c.short(i18n.0.get());
                view! {
                    <li class=if ok { "check holds" } else { "check missing" }>
                        <span class="check-mark">{if ok { "✓ " } else { "✗ " }}</span>
                        <span class="visually-hidden">{move || i18n.t(if ok { Key::Holds } else { Key::NotYet })}": "</span>
                        {label}
                        {missing.map(|m| view! { <span class="missing">" — "{m}</span> })}
                    </li>
                }
            })
            .collect_view()
    };
    let solution_view = solution.then(|| {
        let files = def.solution.files.iter().map(|(name, text)| view! { <p><code>{name.clone()}</code></p><pre><code>{text.clone()}</code></pre> }).collect_view();
        let run = def.solution.run.join("\n");
        view! {
            <div class="solution">
                {files}
                {(!run.is_empty()).then(|| view! { <pre><code>{run}</code></pre> })}
                <button class="do-solution" on:click=move |_| handle.run_solution()>{move || i18n.t(Key::DoSolution)}</button>
            </div>
        }
    });
    view! {
        <div class="step-body">{text_view(handle, text.body.clone())}</div>
        <h5>{move || i18n.t(Key::Checks)}</h5>
        <ul class="checks" aria-live="polite">{checks}</ul>
        <ul class="hints" inner_html=hints_html></ul>
        {(hints < all_hints).then(|| view! { <button class="hint" on:click=move |_| handle.more_hints(all_hints)>{move || format!("{} ({}/{all_hints})", i18n.t(Key::ShowHint), hints + 1)}</button> })}
        {(!solution).then(|| view! { <button class="show-solution" on:click=move |_| handle.show_solution()>{move || i18n.t(Key::ShowSolution)}</button> })}
        {solution_view}
    }
    .into_any()
}
