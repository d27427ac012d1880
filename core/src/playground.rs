//! A playground: one cluster, the learner's terminal session, and the journal of everything that
//! happened to them. Core is deterministic, so the journal *is* the saved state: booting the same
//! preset with the same seed at the same time and replaying the journal — keystrokes, files
//! the editor wrote, terminal widths, and every step of the clock — gives back the same
//! cluster, the same files and the same history. Saves are small, versioned JSON, and a save
//! never holds an event that did not finish (a panic mid-event leaves the last good save).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::cluster::Preset;
use crate::sim::clock::{Duration, Timestamp};
use crate::terminal::Terminal;
use crate::Cluster;

/// The version of the saved form this build writes and reads.
pub const SAVE_VERSION: u64 = 1;
/// The longest clock step a journal records (longer ones are split).
const MAX_STEP_MS: i64 = 3_600_000;

/// The most events a save holds; a playground that reaches it stops journaling (and says so).
pub const MAX_EVENTS: usize = 200_000;

/// One thing that happened, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The clock moved this many milliseconds.
    Advance(i64),
    /// Keystrokes for the terminal.
    Keys(String),
    /// The terminal became this many columns wide.
    Resize(usize),
    /// The editor wrote a file into the workspace.
    File { path: String, text: String },
    /// A command run without being typed (a lesson's start state).
    Run(String),
    /// The app's browser asked for a page at `localhost:port` (a forwarded port).
    Visit { port: u16, target: String },
    /// From here on the control loops' reaction to a request is bounded to this much work
    /// ([`Cluster::set_budget`]).
    Budget(u64),
    /// The clock moved this many milliseconds (perhaps none) and the control loops caught up
    /// with it doing at most `units` of work ([`Cluster::step`]).
    Step { ms: i64, units: u64 },
}

/// The most work one budgeted step or reaction may be given (a save holding more is corrupt).
pub const MAX_UNITS: u64 = 1 << 20;

/// Why a save could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error("the saved playground is not readable: {0}")]
    Corrupt(String),
    #[error("the saved playground is of version {0}; this Hakoniwa reads version {SAVE_VERSION}")]
    Version(u64),
    #[error("the saved playground names a cluster preset this Hakoniwa does not have: {0}")]
    Preset(String),
}

pub struct Playground {
    pub cluster: Cluster,
    pub terminal: Terminal,
    preset: String,
    seed: u64,
    start: Timestamp,
    journal: Vec<Event>,
    /// The lesson being taken, if any, and where the learner is in it.
    pub lesson: Option<crate::lessons::Progress>,
    /// Steps done in each lesson taken (kept when another lesson starts).
    pub lessons_done: BTreeMap<String, usize>,
}

impl Playground {
    /// A fresh playground: `preset` booted with `seed` so that the learner arrives at `start`.
    pub fn boot(preset: &str, seed: u64, start: Timestamp) -> Result<Playground, SaveError> {
        let p = Preset::builtin(preset).map_err(|_| SaveError::Preset(preset.to_string()))?;
        let context = p.context.clone();
        let cluster = Cluster::boot(p, seed, start).map_err(|e| SaveError::Corrupt(e.to_string()))?;
        Ok(Playground { cluster, terminal: Terminal::new(&context, 80), preset: preset.to_string(), seed, start, journal: Vec::new(), lesson: None, lessons_done: BTreeMap::new() })
    }

    /// A playground in a lesson's start state: its preset, its files written and its commands
    /// run (journaled, not typed), and the clock run for its `settle` seconds.
    pub fn start_lesson(def: &crate::lessons::LessonDef, start: Timestamp) -> Result<Playground, SaveError> {
        let mut pg = Playground::boot(&def.start.preset, def.start.seed, start)?;
        for (path, text) in &def.start.files {
            pg.write_file(path, text);
        }
        for line in &def.start.run {
            pg.run_command(line);
        }
        pg.advance(Duration::from_secs(def.start.settle as i64));
        pg.lesson = Some(crate::lessons::Progress { lesson: def.id.clone(), step: 0, hints: 0, solution: false, since: pg.cluster.now(), since_ran: pg.terminal.ran_total() });
        Ok(pg)
    }

    /// Runs a command as a script would, without typing it (not in the history); returns
    /// what it printed.
    pub fn run_command(&mut self, line: &str) -> String {
        let out = self.terminal.run(&mut self.cluster, line).0;
        self.record(Event::Run(line.to_string()));
        out
    }

    /// A step's solution, as the learner would do it: its files written, its commands typed.
    /// Returns what the terminal shows.
    pub fn run_solution(&mut self, s: &crate::lessons::format::Solution) -> String {
        for (path, text) in &s.files {
            self.write_file(path, text);
        }
        s.run.iter().map(|line| self.type_command(line)).collect()
    }

    /// The lesson's current step is done: on to the next, which begins now.
    pub fn step_done(&mut self, steps: usize) {
        let (now, ran) = (self.cluster.now(), self.terminal.ran_total());
        if let Some(p) = self.lesson.as_mut() {
            p.step = (p.step + 1).min(steps);
            p.hints = 0;
            p.solution = false;
            p.since = now;
            p.since_ran = ran;
            let done = self.lessons_done.entry(p.lesson.clone()).or_default();
            *done = (*done).max(p.step);
        }
    }

    pub fn journal(&self) -> &[Event] {
        &self.journal
    }

    /// Whether anything happened to it beyond setting its budget.
    pub fn touched(&self) -> bool {
        self.journal.iter().any(|e| !matches!(e, Event::Budget(_)))
    }

    fn record(&mut self, e: Event) {
        if self.journal.len() >= MAX_EVENTS {
            return;
        }
        // Clock steps with nothing between them are kept apart (stepping is not always the same
        // as one long step), but keystrokes typed in a row join.
        match (&e, self.journal.last_mut()) {
            (Event::Keys(k), Some(Event::Keys(last))) => {
                last.push_str(k);
                return;
            }
            // A file saved again before anything else happened: only the last text matters.
            (Event::File { path, text }, Some(Event::File { path: last_path, text: last_text })) if path == last_path => {
                last_text.clone_from(text);
                return;
            }
            _ => {}
        }
        self.journal.push(e);
    }

    /// Keystrokes for the terminal; what it shows back.
    pub fn keys(&mut self, data: &str) -> String {
        let out = self.terminal.input(&mut self.cluster, data);
        self.record(Event::Keys(data.to_string()));
        out
    }

    /// Lets the clock run; returns what a command going on in the terminal printed meanwhile.
    /// A long stretch (a laptop asleep with the tab open) goes in steps of at most an hour, so
    /// every step the journal holds is one a save may hold.
    pub fn advance(&mut self, by: Duration) -> String {
        let mut left = by.as_millis();
        let mut out = String::new();
        while left > 0 {
            let step = left.min(MAX_STEP_MS);
            self.cluster.advance(Duration::from_millis(step));
            out.push_str(&self.terminal.tick(&mut self.cluster));
            self.record(Event::Advance(step));
            left -= step;
        }
        out
    }

    /// Moves the clock and lets the control loops catch up doing at most `units` of work
    /// ([`Cluster::step`]); returns what a command going on in the terminal printed meanwhile.
    /// Whether they caught up is [`Playground::caught_up`]; if not, a step of 0 ms goes on.
    pub fn step(&mut self, by: Duration, units: u64) -> String {
        let units = units.clamp(1, MAX_UNITS);
        let mut left = by.as_millis().max(0);
        let mut out = String::new();
        loop {
            let ms = left.min(MAX_STEP_MS);
            self.cluster.step(Duration::from_millis(ms), units);
            out.push_str(&self.terminal.tick(&mut self.cluster));
            self.record(Event::Step { ms, units });
            left -= ms;
            if left <= 0 {
                return out;
            }
        }
    }

    /// Whether the control loops have done everything due up to the clock's time.
    pub fn caught_up(&self) -> bool {
        self.cluster.caught_up()
    }

    /// Bounds the control loops' reaction to each request to `units` of work from now on
    /// ([`Cluster::set_budget`]); journaled, so a restored playground reacts the same way.
    pub fn set_budget(&mut self, units: u64) {
        let units = units.clamp(1, MAX_UNITS);
        self.cluster.set_budget(Some(units));
        self.record(Event::Budget(units));
    }

    /// The app's browser asks for `http://localhost:PORT/TARGET`: what the terminal shows
    /// about it, and the page (or the browser's error).
    pub fn visit(&mut self, port: u16, target: &str) -> (String, Result<crate::terminal::Page, String>) {
        let r = self.terminal.visit(&mut self.cluster, port, target);
        self.record(Event::Visit { port, target: target.to_string() });
        r
    }

    pub fn resize(&mut self, cols: usize) {
        self.terminal.resize(cols);
        self.record(Event::Resize(cols));
    }

    /// The workspace's files, relative to its root.
    pub fn file_names(&self) -> Vec<String> {
        self.terminal.kubectl.files.paths().map(str::to_string).collect()
    }

    /// A workspace file's text (`path` relative to the root).
    pub fn file_text(&self, path: &str) -> Option<String> {
        self.terminal.kubectl.files.read(&format!("/{path}")).map(str::to_string)
    }

    /// Runs a command line in the terminal as if typed (the editor's Apply): a line being typed
    /// is dropped first, as Ctrl+C would. Returns what the terminal shows.
    pub fn type_command(&mut self, line: &str) -> String {
        let mut out = String::new();
        if !self.terminal.is_clean() {
            out.push_str(&self.keys("\x03"));
        }
        out.push_str(&self.keys(&format!("{line}\r")));
        out
    }

    pub fn write_file(&mut self, path: &str, text: &str) {
        self.terminal.kubectl.files.write(path, text);
        self.record(Event::File { path: path.to_string(), text: text.to_string() });
    }

    fn apply(&mut self, e: &Event) {
        match e {
            Event::Advance(ms) => {
                self.cluster.advance(Duration::from_millis(*ms));
                self.terminal.tick(&mut self.cluster);
            }
            Event::Keys(k) => {
                self.terminal.input(&mut self.cluster, k);
            }
            Event::Resize(c) => {
                self.terminal.resize(*c);
            }
            Event::File { path, text } => self.terminal.kubectl.files.write(path, text.as_str()),
            Event::Run(line) => {
                self.terminal.run(&mut self.cluster, line);
            }
            Event::Visit { port, target } => {
                let _ = self.terminal.visit(&mut self.cluster, *port, target);
            }
            Event::Budget(units) => self.cluster.set_budget(Some(*units)),
            Event::Step { ms, units } => {
                self.cluster.step(Duration::from_millis(*ms), *units);
                self.terminal.tick(&mut self.cluster);
            }
        }
    }

    /// The saved form: `{"hakoniwa": 1, "preset", "seed", "start", "journal": [...]}` where a
    /// number is a clock step in milliseconds, a string keystrokes, `{"cols": N}` a resize and
    /// `{"path", "text"}` a file, `{"run"}` a command run without typing, `{"visit": PORT,
    /// "target"}` a page the app's browser asked for, `{"budget": U}` the work a request's
    /// reaction may do, `[MS, U]` a clock step of MS milliseconds caught up with at most U of
    /// work; then the lesson
    /// being taken (`lesson`) and the steps done in each (`lessonsDone`).
    pub fn save(&self) -> String {
        let journal: Vec<Value> = self
            .journal
            .iter()
            .map(|e| match e {
                Event::Advance(ms) => json!(ms),
                Event::Keys(k) => json!(k),
                Event::Resize(c) => json!({ "cols": c }),
                Event::File { path, text } => json!({ "path": path, "text": text }),
                Event::Run(line) => json!({ "run": line }),
                Event::Visit { port, target } => json!({ "visit": port, "target": target }),
                Event::Budget(units) => json!({ "budget": units }),
                Event::Step { ms, units } => json!([ms, units]),
            })
            .collect();
        let mut v = json!({ "hakoniwa": SAVE_VERSION, "preset": self.preset, "seed": self.seed, "start": self.start.rfc3339(), "journal": journal });
        if let Some(p) = &self.lesson {
            v["lesson"] = p.to_json();
        }
        if !self.lessons_done.is_empty() {
            v["lessonsDone"] = json!(self.lessons_done);
        }
        v.to_string()
    }

    /// Reads a save back (untrusted text) and replays it.
    pub fn restore(text: &str) -> Result<Playground, SaveError> {
        let corrupt = |m: &str| SaveError::Corrupt(m.to_string());
        let v: Value = serde_json::from_str(text).map_err(|e| SaveError::Corrupt(e.to_string()))?;
        let version = v["hakoniwa"].as_u64().ok_or_else(|| corrupt("no version"))?;
        if version != SAVE_VERSION {
            return Err(SaveError::Version(version));
        }
        let preset = v["preset"].as_str().ok_or_else(|| corrupt("no preset"))?;
        let seed = v["seed"].as_u64().ok_or_else(|| corrupt("no seed"))?;
        let start = v["start"].as_str().and_then(Timestamp::parse_rfc3339).ok_or_else(|| corrupt("no start time"))?;
        let items = v["journal"].as_array().ok_or_else(|| corrupt("no journal"))?;
        if items.len() > MAX_EVENTS {
            return Err(corrupt("too many events"));
        }
        let mut events = Vec::with_capacity(items.len());
        for it in items {
            events.push(match it {
                Value::Number(n) => match n.as_i64() {
                    // A step of more than a day is not something the playground ever records.
                    Some(ms) if (1..=86_400_000).contains(&ms) => Event::Advance(ms),
                    _ => return Err(corrupt("a clock step out of range")),
                },
                Value::String(k) => Event::Keys(k.clone()),
                Value::Array(a) => match (a.len(), a.first().and_then(Value::as_i64), a.get(1).and_then(Value::as_u64)) {
                    (2, Some(ms), Some(units)) if (0..=86_400_000).contains(&ms) && (1..=MAX_UNITS).contains(&units) => Event::Step { ms, units },
                    _ => return Err(corrupt("a clock step out of range")),
                },
                Value::Object(o) if o.contains_key("budget") => match o.get("budget").and_then(Value::as_u64) {
                    Some(units) if (1..=MAX_UNITS).contains(&units) && o.len() == 1 => Event::Budget(units),
                    _ => return Err(corrupt("an event of an unknown kind")),
                },
                Value::Object(o) if o.contains_key("visit") => match (o.get("visit").and_then(Value::as_u64).and_then(|p| u16::try_from(p).ok()), o.get("target").and_then(Value::as_str)) {
                    (Some(port), Some(target)) if port > 0 && o.len() == 2 => Event::Visit { port, target: target.to_string() },
                    _ => return Err(corrupt("an event of an unknown kind")),
                },
                Value::Object(o) => match (o.get("cols").and_then(Value::as_u64), o.get("path").and_then(Value::as_str), o.get("text").and_then(Value::as_str), o.get("run").and_then(Value::as_str)) {
                    (Some(c), None, None, None) if (1..=1000).contains(&c) => Event::Resize(c as usize),
                    (None, Some(p), Some(t), None) => Event::File { path: p.to_string(), text: t.to_string() },
                    (None, None, None, Some(line)) => Event::Run(line.to_string()),
                    _ => return Err(corrupt("an event of an unknown kind")),
                },
                _ => return Err(corrupt("an event of an unknown kind")),
            });
        }
        let mut pg = Playground::boot(preset, seed, start)?;
        for e in &events {
            pg.apply(e);
        }
        pg.journal = events;
        // A lesson's progress that does not read is dropped, not the whole playground.
        pg.lesson = crate::lessons::Progress::from_json(&v["lesson"]);
        if let Some(done) = v["lessonsDone"].as_object() {
            pg.lessons_done = done.iter().filter_map(|(k, n)| Some((k.clone(), usize::try_from(n.as_u64()?).ok()?.min(1000)))).take(1000).collect();
        }
        Ok(pg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap_or_default()
    }

    #[test]
    fn a_restored_playground_is_the_same_playground() {
        let mut pg = Playground::boot("kind", 3, start()).expect("boots");
        pg.keys("kubectl create deployment web --image=nginx:1.27 --replicas=2\r");
        for _ in 0..5 {
            pg.advance(Duration::from_millis(1000));
        }
        pg.resize(100);
        pg.write_file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n");
        pg.keys("kubectl apply -f svc.yaml\r");
        pg.keys("kubectl sc");
        pg.keys("ale deploy web --replicas=3\r");
        pg.advance(Duration::from_millis(2500));
        let saved = pg.save();
        let mut back = Playground::restore(&saved).expect("restores");
        assert_eq!(back.journal(), pg.journal());
        assert_eq!(back.save(), saved);
        assert_eq!(back.cluster.now(), pg.cluster.now());
        assert_eq!(back.terminal.history(), pg.terminal.history());
        assert_eq!(back.terminal.kubectl.files, pg.terminal.kubectl.files);
        let a = pg.terminal.run(&mut pg.cluster, "kubectl get pods,svc -o wide").0;
        let b = back.terminal.run(&mut back.cluster, "kubectl get pods,svc -o wide").0;
        assert_eq!(a, b);
        assert!(a.contains("service/web"), "{a}");
        assert_eq!(a.matches("Running").count(), 3, "{a}");
    }

    #[test]
    fn budgeted_steps_are_saved_and_replayed_to_the_same_cluster() {
        let mut pg = Playground::boot("kind", 3, start()).expect("boots");
        pg.set_budget(30);
        pg.keys("kubectl create deployment web --image=nginx:1.27 --replicas=40\r");
        assert!(!pg.caught_up());
        // A command typed while the loops are still at work sees them part way.
        pg.step(Duration::from_millis(0), 25);
        pg.keys("kubectl scale deployment web --replicas=30\r");
        let mut steps = 0;
        while !pg.caught_up() || steps < 40 {
            pg.step(Duration::from_millis(if pg.caught_up() { 1000 } else { 0 }), 25 + steps % 7);
            steps += 1;
        }
        let saved = pg.save();
        assert!(saved.contains(r#"{"budget":30}"#), "{saved}");
        assert!(saved.contains("[0,25]"), "{saved}");
        let mut back = Playground::restore(&saved).expect("restores");
        assert_eq!(back.save(), saved);
        assert_eq!(back.cluster.budget(), Some(30));
        let get = |p: &mut Playground| p.terminal.run(&mut p.cluster, "kubectl get pods -o wide").0;
        let a = get(&mut pg);
        assert_eq!(a.matches("web-").count(), 30, "{a}");
        assert_eq!(get(&mut back), a);
    }

    #[test]
    fn pages_the_apps_browser_asked_for_are_saved_and_replayed() {
        let mut pg = Playground::boot("kind", 3, start()).expect("boots");
        pg.keys("kubectl run web --image=nginx:1.27\r");
        pg.advance(Duration::from_secs(20));
        pg.keys("kubectl port-forward pod/web 8080:80\r");
        assert_eq!(pg.terminal.forwards(), [crate::terminal::Forward { address: "127.0.0.1".into(), port: 8080, command: String::new() }, crate::terminal::Forward { address: "::1".into(), port: 8080, command: String::new() }]);
        let (shown, page) = pg.visit(8080, "/index.html");
        assert_eq!(shown, "Handling connection for 8080\r\n");
        let page = page.expect("nginx answers");
        assert_eq!((page.status, page.reason.as_str()), (200, "OK"));
        assert!(page.body.contains("Welcome to nginx!"), "{}", page.body);
        assert_eq!(pg.visit(9999, "/").1, Err("ERR_CONNECTION_REFUSED".to_string()));
        // Port 81: nothing listens in the pod; the command ends and the prompt comes back.
        pg.keys("\x03kubectl port-forward pod/web 8081:81\r");
        let (shown, page) = pg.visit(8081, "/");
        assert_eq!(page, Err("ERR_EMPTY_RESPONSE".to_string()));
        assert!(shown.contains("error: lost connection to pod\r\n"), "{shown:?}");
        assert!(pg.terminal.forwards().is_empty());
        let saved = pg.save();
        assert!(saved.contains(r#"{"target":"/index.html","visit":8080}"#), "{saved}");
        let mut back = Playground::restore(&saved).expect("restores");
        assert_eq!(back.save(), saved);
        let logs = |p: &mut Playground| p.terminal.run(&mut p.cluster, "kubectl logs web").0;
        let a = logs(&mut pg);
        assert!(a.contains("127.0.0.1 - - ["), "{a}");
        assert!(a.contains("\"GET /index.html HTTP/1.1\" 200 245 \"-\" \"Mozilla/5.0"), "{a}");
        assert_eq!(logs(&mut back), a);
        assert!(Playground::restore(&saved.replace(r#""visit":8080"#, r#""visit":0"#)).is_err());
    }

    #[test]
    fn a_long_sleep_is_saved_in_steps_a_save_accepts() {
        let mut pg = Playground::boot("kind", 1, start()).expect("boots");
        pg.advance(Duration::from_secs(86_400 + 5));
        assert_eq!(pg.journal().len(), 25);
        let back = Playground::restore(&pg.save()).expect("restores");
        assert_eq!(back.cluster.now(), pg.cluster.now());
    }

    #[test]
    fn bad_saves_are_refused_with_a_reason() {
        assert!(matches!(Playground::restore("{"), Err(SaveError::Corrupt(_))));
        assert!(matches!(Playground::restore("[]"), Err(SaveError::Corrupt(_))));
        assert_eq!(Playground::restore(r#"{"hakoniwa": 2}"#).err(), Some(SaveError::Version(2)));
        let base = |journal: &str| format!(r#"{{"hakoniwa":1,"preset":"kind","seed":1,"start":"2026-11-25T11:00:00Z","journal":{journal}}}"#);
        assert!(Playground::restore(&base("[]")).is_ok());
        assert!(matches!(Playground::restore(&base("[-5]")), Err(SaveError::Corrupt(_))));
        assert!(matches!(Playground::restore(&base("[true]")), Err(SaveError::Corrupt(_))));
        assert!(matches!(Playground::restore(&base(r#"[{"cols": 0}]"#)), Err(SaveError::Corrupt(_))));
        assert!(matches!(Playground::restore(&base(r#"[1e300]"#)), Err(SaveError::Corrupt(_))));
        // Lesson progress that does not read is dropped, not the playground.
        let with = |extra: &str| base("[]").replacen('{', &format!("{{{extra},"), 1);
        for bad in [r#""lesson": 5"#, r#""lesson": {"lesson": "x", "step": -1, "since": "2026-11-25T11:00:00Z"}"#, r#""lesson": {"lesson": "x", "step": 1, "since": "yesterday"}"#, r#""lessonsDone": {"x": "all"}"#, r#""lessonsDone": [1]"#] {
            let pg = Playground::restore(&with(bad)).expect(bad);
            assert!(pg.lesson.is_none(), "{bad}");
            assert!(pg.lessons_done.is_empty(), "{bad}");
        }
        let huge = Playground::restore(&with(r#""lesson": {"lesson": "x", "step": 99999999, "hints": 99999999, "since": "2026-11-25T11:00:00Z"}"#)).expect("reads");
        assert_eq!(huge.lesson.map(|p| (p.step, p.hints)), Some((1000, 1000)));
        for bad in ["[[-1, 5]]", "[[10, 0]]", "[[10]]", "[[10, 5, 1]]", "[[10, 2e6]]", r#"[{"budget": 0}]"#, r#"[{"budget": 5, "cols": 80}]"#, r#"[{"budget": "5"}]"#] {
            assert!(matches!(Playground::restore(&base(bad)), Err(SaveError::Corrupt(_))), "{bad}");
        }
        assert!(Playground::restore(&base(r#"[{"budget": 5}, [0, 5], [1000, 64]]"#)).is_ok());
        let other = base("[]").replace("kind", "nope");
        assert_eq!(Playground::restore(&other).err(), Some(SaveError::Preset("nope".into())));
    }
}
