//! The one handle through which the UI reaches the playground: the simulated cluster, the
//! learner's terminal session (its kubectl, files and history) and the journal that saves them.

use std::sync::Arc;

use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::lessons::{CheckState, Catalog, Guide, Progress};
use hakoniwa_core::playground::Playground;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use leptos::prelude::*;

use crate::storage;

/// The seed and preset the playground uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 1;
pub const DEFAULT_PRESET: &str = "kind";

/// Simulated seconds per wall second the clock offers (0 is paused; infinity is "max": from
/// one thing due to the next, as fast as the tab can).
pub const SPEEDS: &[f64] = &[0.0, 1.0, 10.0, 100.0, f64::INFINITY];

/// The most work (writes to the store and rounds of the control loops) the cluster does in
/// reaction to one request before the page gets its turn; the rest is done in slices between
/// frames, so a command that sets much going (a Deployment of 10,000) still returns at once.
pub const REQUEST_UNITS: u64 = 64;

/// The wall time one slice of simulation aims at, in milliseconds: the work a slice is given
/// (in units) doubles while slices that ran out of work take less than 3/4 of it, and halves
/// when one takes more than 1.5 times it. A round of the control loops cut short by the budget
/// is taken up where it stopped (core's `Rounds::resume`), so a slice can be as short as its
/// budget at any cluster size: 16 units stay under 30 ms natively at 10,000 pods
/// (`core/benches/slices.rs`). Slices follow each other with no delay (`next_task`), so short
/// ones cost little: in Chromium at 10,000 pods, aims of 20 ms left slices over 50 ms every
/// few hundred ms, 12 ms almost never. (Before rounds resumed, the aim followed the shortest
/// recent slice up to 200 ms: the page's tasks at 10,000 pods were 600 ms long.)
const SLICE_MS: f64 = 12.0;
const SLICE_UNITS: (u64, u64) = (16, 1 << 14);

/// The views follow the cluster at most this often (ms) while slices run back to back.
const RENDER_EVERY_MS: f64 = 200.0;

/// Something about saving the learner should know.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// The browser refused the save (its reason).
    SaveFailed(String),
    /// The saved playground could not be restored: why, and the key it was kept under.
    KeptAside { reason: String, key: String },
    /// A share link was opened; the learner's own save, if any, was kept under this key.
    SharedOpened { aside: Option<String> },
    /// A share link could not be opened (why); the learner's own playground goes on.
    ShareBroken(String),
    /// A link to this playground, and whether it is on the clipboard.
    Link { url: String, copied: bool },
    /// An imported file could not be used (why); this playground goes on.
    ImportBroken(String),
}

/// A cheap, copyable handle on the playground plus a revision counter that views subscribe to.
/// Components read the cluster with [`SimHandle::read`] and re-render when the revision moves.
#[derive(Clone, Copy)]
pub struct SimHandle {
    playground: StoredValue<Playground>,
    revision: RwSignal<u64>,
    speed: RwSignal<f64>,
    /// What the learner should know about saving (a save kept aside, storage full), if anything.
    pub notice: RwSignal<Option<Notice>>,
    /// The playground came back from a save or a share link (the terminal says so).
    restored: StoredValue<bool>,
    /// The kubectl the cluster view uses to show objects (read-only requests, not journaled).
    inspector: StoredValue<Kubectl>,
    /// The revision last saved; `None` once saving stopped (a reset is under way).
    saved: StoredValue<Option<u64>>,
    /// The lessons, once fetched (`Some(Err)` when they could not be).
    pub catalog: RwSignal<Option<Result<Arc<Catalog>, String>>>,
    /// The lesson engine (its read-only kubectl), and how the current step's checks stand.
    guide: StoredValue<Option<Guide>>,
    pub checks: RwSignal<Vec<CheckState>>,
    /// A file a lesson asks the editor to open.
    pub open_file: RwSignal<Option<String>>,
    /// Slices of simulation are running back to back (see [`SimHandle::pump`]), the work the
    /// next one is given, and when the views were last told.
    pumping: StoredValue<bool>,
    slice_units: StoredValue<u64>,
    rendered_at: StoredValue<f64>,
}

/// A playground whose control loops react to a request with at most [`REQUEST_UNITS`] of work
/// (journaled, so it restores the same).
fn budgeted(mut p: Playground) -> Playground {
    if p.cluster.budget() != Some(REQUEST_UNITS) {
        p.set_budget(REQUEST_UNITS);
    }
    p
}

fn wall_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = HakoniwaTasks, js_name = next, catch)]
    fn next_task_js(f: &wasm_bindgen::JsValue) -> Result<(), wasm_bindgen::JsValue>;
}

/// Runs `f` in a task of its own, at once (app/js/tasks.js; a page without it, as in the wasm
/// tests, uses a timeout).
fn next_task(f: Box<dyn FnOnce()>) {
    let f = wasm_bindgen::closure::Closure::once_into_js(f);
    if next_task_js(&f).is_err() {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(wasm_bindgen::JsCast::unchecked_ref(&f));
        }
    }
}

impl SimHandle {
    pub fn new(playground: Playground) -> Self {
        let context = playground.terminal.kubectl.config.current.clone();
        SimHandle {
            restored: StoredValue::new(false),
            inspector: StoredValue::new(Kubectl::new(&context)),
            playground: StoredValue::new(budgeted(playground)),
            revision: RwSignal::new(0),
            speed: RwSignal::new(1.0),
            notice: RwSignal::new(None),
            saved: StoredValue::new(Some(0)),
            catalog: RwSignal::new(None),
            guide: StoredValue::new(None),
            checks: RwSignal::new(Vec::new()),
            open_file: RwSignal::new(None),
            pumping: StoredValue::new(false),
            slice_units: StoredValue::new(128),
            rendered_at: StoredValue::new(0.0),
        }
    }

    /// A fresh cluster for a test: the default preset at `start`.
    pub fn boot_at(start: Timestamp) -> Self {
        SimHandle::new(Playground::boot(DEFAULT_PRESET, DEFAULT_SEED, start).expect("the built-in preset boots"))
    }

    /// The playground of a share link, else the one saved in this browser, else a fresh one at
    /// the browser's current time. A save that cannot be read is kept aside, never
    /// overwritten, and the learner is told; so is their own save when a share replaces it.
    pub fn restore_or_boot(shared: Option<String>) -> Result<Self, String> {
        let mut notice = None;
        if let Some(text) = shared {
            match Playground::restore(&text) {
                Ok(pg) => {
                    let h = SimHandle::new(pg);
                    h.restored.set_value(true);
                    match storage::replace_playground(&text) {
                        Ok(aside) => h.notice.set(Some(Notice::SharedOpened { aside })),
                        Err(why) => {
                            // The learner's own save stays; this one is not saved over it.
                            h.saved.set_value(None);
                            h.notice.set(Some(Notice::SaveFailed(why)));
                        }
                    }
                    return Ok(h);
                }
                Err(e) => notice = Some(Notice::ShareBroken(if text.is_empty() { "the link is damaged".to_string() } else { e.to_string() })),
            }
        }
        if let Some(text) = storage::load_playground() {
            match Playground::restore(&text) {
                Ok(pg) => {
                    let h = SimHandle::new(pg);
                    h.restored.set_value(true);
                    return Ok(h);
                }
                Err(e) => {
                    let key = storage::keep_aside(&text);
                    notice = Some(Notice::KeptAside { reason: e.to_string(), key });
                }
            }
        }
        let pg = Playground::boot(DEFAULT_PRESET, DEFAULT_SEED, wall_clock_now()).map_err(|e| e.to_string())?;
        let h = SimHandle::new(pg);
        h.notice.set(notice);
        Ok(h)
    }

    /// Reads the cluster without subscribing to changes.
    pub fn with<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.playground.with_value(|p| f(&p.cluster))
    }

    /// Reads the cluster and re-runs the calling view whenever the cluster changes.
    pub fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.revision.track();
        self.playground.with_value(|p| f(&p.cluster))
    }

    /// Changes the playground and tells every reader.
    fn update<R>(&self, f: impl FnOnce(&mut Playground) -> R) -> Option<R> {
        let r = self.playground.try_update_value(f);
        self.revision.update(|n| *n += 1);
        r
    }

    /// Moves the simulation clock forward; a command going on in the terminal prints there.
    /// The control loops catch up in slices (one now, the rest between frames).
    pub fn advance(&self, by: Duration) {
        let units = self.slice_units.get_value();
        if let Some(out) = self.update(|p| p.step(by, units)).filter(|o| !o.is_empty()) {
            crate::components::terminal::show(&out);
        }
        self.check_lesson();
        self.pump();
    }

    /// Keystrokes for the terminal; returns what the terminal should show. A command that ran
    /// (a line ended) is checked against the lesson, and what its writes set going is carried
    /// on in slices. Keys that only edit the line being typed change nothing a view shows: the
    /// views are told only when a line ended or the cluster changed (at 10,000 pods every
    /// keystroke redrew them).
    pub fn type_keys(&self, data: &str) -> String {
        let line_ended = data.contains(['\r', '\n']);
        let mark = |p: &Playground| (p.cluster.api_ref().store().resource_version(), p.cluster.now());
        let Some((out, changed)) = self.playground.try_update_value(|p| {
            let before = mark(p);
            let out = p.keys(data);
            (out, mark(p) != before)
        }) else {
            return String::new();
        };
        if line_ended || changed {
            self.revision.update(|n| *n += 1);
        }
        if line_ended {
            self.check_lesson();
            self.pump();
        }
        out
    }

    /// Runs slices of simulation, one per task of the page, while the control loops are behind
    /// the clock, or at "max" while anything is due: each a clock step journaled with the work it
    /// was given, sized from the wall time the last ones took.
    fn pump(&self) {
        if self.pumping.get_value() {
            return;
        }
        let max = self.speed.get_untracked().is_infinite();
        if !max && self.playground.with_value(Playground::caught_up) {
            return;
        }
        self.pumping.set_value(true);
        let h = *self;
        next_task(Box::new(move || h.slice()));
    }

    fn slice(self) {
        let began = wall_ms();
        let mut out = String::new();
        let mut more = false;
        // At "max" several cheap jumps share one slice, while another as long as the last
        // still fits in it.
        let mut last = 0.0;
        while wall_ms() - began + last < SLICE_MS {
            let max = self.speed.get_untracked().is_infinite();
            let by = self.playground.with_value(|p| {
                if !p.caught_up() {
                    return Some(Duration::from_millis(0));
                }
                let now = p.cluster.now();
                // Far-off wakes (a monthly CronJob) come an hour at a time.
                p.cluster.next_wake().filter(|w| max && *w > now).map(|w| w.since(now).min(Duration::from_secs(3600)))
            });
            let Some(by) = by else {
                more = false;
                break;
            };
            let units = self.slice_units.get_value();
            let t = wall_ms();
            let Some((o, bound)) = self.playground.try_update_value(|p| (p.step(by, units), !p.caught_up())) else { break };
            out.push_str(&o);
            let took = wall_ms() - t;
            last = took;
            let (lo, hi) = SLICE_UNITS;
            // More work only for a slice that was fast and stopped for want of it: quiet
            // stretches at "max" must not leave a budget that a busy moment would run long on.
            let next = if took > SLICE_MS * 1.5 { units / 2 } else if bound && took < SLICE_MS * 0.75 { units.saturating_mul(2) } else { units };
            self.slice_units.set_value(next.clamp(lo, hi));
            more = true;
        }
        if !out.is_empty() {
            crate::components::terminal::show(&out);
        }
        let now = wall_ms();
        if more && now - self.rendered_at.get_value() >= RENDER_EVERY_MS {
            // The views follow in a task of their own: a task of the page is a slice or a
            // redraw, never both (their sum made the longest tasks at 10,000 pods).
            self.rendered_at.set_value(now);
            next_task(Box::new(move || {
                self.revision.update(|n| *n += 1);
                next_task(Box::new(move || self.slice()));
            }));
        } else if more {
            next_task(Box::new(move || self.slice()));
        } else {
            self.rendered_at.set_value(now);
            self.revision.update(|n| *n += 1);
            self.pumping.set_value(false);
            self.check_lesson();
        }
    }

    /// The lesson being taken, if any (followed).
    pub fn progress(&self) -> Option<Progress> {
        self.revision.track();
        self.playground.with_value(|p| p.lesson.clone())
    }

    /// Steps done in each lesson (followed).
    pub fn lessons_done(&self) -> std::collections::BTreeMap<String, usize> {
        self.revision.track();
        self.playground.with_value(|p| p.lessons_done.clone())
    }

    /// The lessons, if they are there (shared, not copied).
    fn lessons(&self) -> Option<Arc<Catalog>> {
        self.catalog.get_untracked().and_then(Result::ok)
    }

    /// Checks the current step of the lesson being taken (a step whose checks all hold is
    /// done, and the next is checked).
    pub fn check_lesson(&self) {
        let Some(id) = self.playground.with_value(|p| p.lesson.as_ref().map(|l| l.lesson.clone())) else {
            if !self.checks.get_untracked().is_empty() {
                self.checks.set(Vec::new());
            }
            return;
        };
        let Some(catalog) = self.lessons() else { return };
        let Some(lesson) = catalog.get(&id) else { return };
        let guide = self.guide;
        let before = self.playground.with_value(|p| p.lesson.as_ref().map(|l| l.step));
        let states = self
            .playground
            .try_update_value(|p| guide.try_update_value(|g| g.get_or_insert_with(|| Guide::new(p)).evaluate(p, lesson)).unwrap_or_default())
            .unwrap_or_default();
        if self.playground.with_value(|p| p.lesson.as_ref().map(|l| l.step)) != before {
            self.revision.update(|n| *n += 1);
        }
        if self.checks.get_untracked() != states {
            self.checks.set(states);
        }
    }

    /// Starts a lesson from its start state, in place of this playground (which is kept aside
    /// first unless it is another lesson's); the steps done in every lesson are kept.
    pub fn start_lesson(&self, id: &str, greeting: &str) {
        let Some(catalog) = self.lessons() else { return };
        let Some(lesson) = catalog.get(id) else { return };
        let Ok(fresh) = Playground::start_lesson(&lesson.def, wall_clock_now()) else { return };
        let mut fresh = budgeted(fresh);
        let current = self.playground.with_value(|p| (p.lesson.is_none() && p.touched()).then(|| p.save()));
        if let Some(text) = current {
            storage::keep_aside(&text);
        }
        let cols = self.playground.with_value(|p| {
            fresh.lessons_done = p.lessons_done.clone();
            p.terminal.cols()
        });
        let context = fresh.terminal.kubectl.config.current.clone();
        self.playground.set_value(fresh);
        self.inspector.set_value(Kubectl::new(&context));
        self.guide.set_value(None);
        self.restored.set_value(false);
        self.revision.update(|n| *n += 1);
        self.check_lesson();
        self.saved.set_value(Some(u64::MAX));
        self.save();
        let start = self.start_terminal(cols, greeting, "");
        crate::components::terminal::show(&format!("\x1bc{start}"));
    }

    /// Shows one more hint of the current step.
    pub fn more_hints(&self, of: usize) {
        self.update(|p| {
            if let Some(l) = p.lesson.as_mut() {
                l.hints = (l.hints + 1).min(of);
            }
        });
    }

    /// Shows the current step's solution.
    pub fn show_solution(&self) {
        self.update(|p| {
            if let Some(l) = p.lesson.as_mut() {
                l.solution = true;
            }
        });
    }

    /// Does the current step's solution: its files written, its commands typed.
    pub fn run_solution(&self) {
        let Some(p) = self.playground.with_value(|p| p.lesson.clone()) else { return };
        let Some(step) = self.lessons().and_then(|c| c.get(&p.lesson)?.def.steps.get(p.step).cloned()) else { return };
        let out = self.update(|pg| pg.run_solution(&step.solution)).unwrap_or_default();
        crate::components::terminal::show(&out);
        self.check_lesson();
    }

    /// Fetches the lessons (once).
    pub fn load_lessons(&self) {
        if self.catalog.get_untracked().is_some() {
            return;
        }
        let handle = *self;
        crate::components::fetch_text("lessons.json", move |r| {
            let parsed = r.and_then(|text| Catalog::parse_bundle(&text).map_err(|e| e.to_string()));
            handle.catalog.set(Some(parsed.map(Arc::new)));
            handle.check_lesson();
        });
    }

    /// The workspace's files (re-read when the playground changes).
    pub fn file_names(&self) -> Vec<String> {
        self.revision.track();
        self.playground.with_value(Playground::file_names)
    }

    /// A workspace file's text, now (not followed).
    pub fn file_text(&self, path: &str) -> Option<String> {
        self.playground.with_value(|p| p.file_text(path))
    }

    /// What a read-only kubectl command prints now (the cluster view's inspector); re-runs
    /// when the playground changes. Nothing it does is journaled: it only reads.
    pub fn inspect(&self, line: &str) -> String {
        self.revision.track();
        self.inspect_once(line)
    }

    /// The read-only kubectl of the views, against the cluster. What it sends must not change
    /// the cluster: it is not journaled.
    fn with_inspector<R: Default>(&self, f: impl FnOnce(&mut Kubectl, &mut Cluster) -> R) -> R {
        let inspector = self.inspector;
        self.playground.try_update_value(|p| inspector.try_update_value(|k| f(k, &mut p.cluster)).unwrap_or_default()).unwrap_or_default()
    }

    /// The workspace file `kubectl edit` waits on (relative to the workspace, as [`SimHandle::file_names`]
    /// names files), if an edit goes on.
    pub fn editing(&self) -> Option<String> {
        self.revision.track();
        self.playground.with_value(|p| p.terminal.editing().map(|f| f.trim_start_matches('/').to_string()))
    }

    /// What the editor marks in a manifest (YAML mistakes, then the server's dry-run refusals),
    /// through the read-only kubectl.
    pub fn problems(&self, text: &str) -> Vec<hakoniwa_core::kubectl::manifests::Problem> {
        self.with_inspector(|k, c| k.problems(c, text))
    }

    /// Like [`SimHandle::inspect`], once, without following the playground.
    pub fn inspect_once(&self, line: &str) -> String {
        self.with_inspector(|k, c| k.run(c, line, None).text())
    }

    /// The ports commands in the terminal listen on (followed).
    pub fn forwards(&self) -> Vec<hakoniwa_core::terminal::Forward> {
        self.revision.track();
        self.playground.with_value(|p| p.terminal.forwards())
    }

    /// The app's browser asks for `http://localhost:PORT/TARGET`: the terminal shows what the
    /// listening command printed; the page (or the browser's error) comes back.
    pub fn visit(&self, port: u16, target: &str) -> Result<hakoniwa_core::terminal::Page, String> {
        let (shown, page) = self.update(|p| p.visit(port, target)).unwrap_or_else(|| (String::new(), Err("ERR_FAILED".into())));
        if !shown.is_empty() {
            crate::components::terminal::show(&shown);
        }
        self.check_lesson();
        page
    }

    /// Writes a file into the workspace (the editor saving).
    pub fn write_file(&self, path: &str, text: &str) {
        self.update(|p| p.write_file(path, text));
        self.check_lesson();
    }

    /// Runs a command line in the terminal as if typed; returns what the terminal shows.
    pub fn run_command(&self, line: &str) -> String {
        let out = self.update(|p| p.type_command(line)).unwrap_or_default();
        self.check_lesson();
        out
    }

    /// The terminal is `cols` wide now.
    pub fn resize(&self, cols: usize) {
        self.playground.update_value(|p| p.resize(cols));
    }

    /// The terminal's greeting and first prompt, at its width; `restored` is said (dimmed)
    /// when the playground came back from a save.
    pub fn start_terminal(&self, cols: usize, greeting: &str, restored: &str) -> String {
        let restored_now = self.restored.get_value();
        self.playground
            .try_update_value(|p| {
                p.resize(cols);
                let mut greeting = greeting.to_string();
                if restored_now {
                    greeting = format!("\x1b[2m{restored}\x1b[0m\r\n{greeting}");
                }
                p.terminal.start_with(&greeting)
            })
            .unwrap_or_default()
    }

    /// Simulated seconds per wall second (0 when paused).
    pub fn speed(&self) -> f64 {
        self.speed.get()
    }

    /// At "max" the slices start at once.
    pub fn set_speed(&self, x: f64) {
        self.speed.set(x);
        self.pump();
    }

    /// Saves the playground when it changed since the last save. A refused save (storage
    /// full) keeps the previous one and says so; the next change tries again.
    pub fn save(&self) {
        let rev = self.revision.get_untracked();
        match self.saved.get_value() {
            Some(s) if s != rev => {}
            _ => return,
        }
        let text = self.playground.with_value(Playground::save);
        match storage::save_playground(&text) {
            Ok(()) => {
                self.saved.set_value(Some(rev));
                if matches!(self.notice.get_untracked(), Some(Notice::SaveFailed(_))) {
                    self.notice.set(None);
                }
            }
            Err(e) => self.notice.set(Some(Notice::SaveFailed(e))),
        }
    }

    /// Forgets the saved playground and starts over.
    pub fn reset(&self) {
        self.saved.set_value(None);
        storage::clear_playground();
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }

    /// Starts a fresh cluster of another built-in preset. The current playground is kept
    /// aside first; the page reloads into the new one.
    pub fn start_preset(&self, preset: &str) -> Result<(), String> {
        let fresh = Playground::boot(preset, DEFAULT_SEED, wall_clock_now()).map_err(|e| e.to_string())?;
        self.save();
        storage::replace_playground(&fresh.save())?;
        self.saved.set_value(None);
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
        Ok(())
    }

    /// Replaces this playground by an exported one (untrusted: checked by replaying it). The
    /// current one is kept aside first; the page reloads into the imported one.
    pub fn import(&self, text: &str) -> Result<(), String> {
        Playground::restore(text).map_err(|e| e.to_string())?;
        self.save();
        storage::replace_playground(text)?;
        self.saved.set_value(None);
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
        Ok(())
    }

    /// The saved form, for export.
    pub fn export(&self) -> String {
        self.playground.with_value(Playground::save)
    }

    /// Keeps virtual time in step with wall time, times the speed, while the page is open, and
    /// saves every few seconds.
    pub fn follow_wall_clock(self) {
        let last = StoredValue::new(wall_clock_now());
        let ticks = StoredValue::new(0u32);
        set_interval(
            move || {
                let now = wall_clock_now();
                let elapsed = now.since(last.get_value());
                last.set_value(now);
                let x = self.speed.get_untracked();
                if x.is_infinite() {
                    self.pump();
                } else if x > 0.0 {
                    self.advance(Duration::from_millis((elapsed.as_millis() as f64 * x) as i64));
                }
                ticks.update_value(|t| *t += 1);
                if ticks.get_value().is_multiple_of(5) {
                    self.save();
                }
            },
            std::time::Duration::from_secs(1),
        );
    }
}

fn wall_clock_now() -> Timestamp {
    Timestamp::from_unix_millis(js_sys::Date::now() as i64)
}
