//! Lessons: steps a learner takes on a playground, each checked against what really happened
//! to the cluster (through the API) and in the terminal, with what is still missing said in
//! English or Japanese.
//!
//! A lesson is data (`lessons/NN-slug/`): `lesson.yaml` (the start state, and each step's
//! checks and solution — see [`format`]), and its words in `en.md` and `ja.md` (see [`text`]).
//! The page fetches them bundled as one JSON file ([`Catalog::parse_bundle`]); the engine
//! ([`Guide`]) checks the current step after every command and clock step, and the progress is
//! part of the playground's save.

pub mod check;
pub mod format;
pub mod markdown;
pub mod text;

use std::collections::BTreeMap;

use serde_json::{json, Value};

pub use check::Missing;
pub use format::{LessonDef, LessonError, StepDef};
pub use text::LessonText;

use crate::kubectl::Kubectl;
use crate::playground::Playground;
use crate::sim::clock::{Duration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

/// One lesson: its data and its words in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub def: LessonDef,
    pub en: LessonText,
    pub ja: LessonText,
}

impl Lesson {
    /// Reads a lesson's three files (untrusted text). Both languages must have the steps of
    /// `lesson.yaml`, in its order, and as many hints for each.
    pub fn parse(id: &str, yaml: &str, en: &str, ja: &str) -> Result<Lesson, LessonError> {
        let def = LessonDef::parse(id, yaml)?;
        let fail = |m: String| LessonError { lesson: id.to_string(), message: m };
        let en = LessonText::parse(en);
        let ja = LessonText::parse(ja);
        let ids: Vec<&str> = def.steps.iter().map(|s| s.id.as_str()).collect();
        for (lang, t) in [("en.md", &en), ("ja.md", &ja)] {
            if t.title.is_empty() {
                return Err(fail(format!("{lang} has no # title")));
            }
            let found: Vec<&str> = t.steps.iter().map(|s| s.id.as_str()).collect();
            if found != ids {
                return Err(fail(format!("{lang} has the steps {found:?}; lesson.yaml has {ids:?}")));
            }
        }
        for (a, b) in en.steps.iter().zip(&ja.steps) {
            if a.hints.len() != b.hints.len() {
                return Err(fail(format!("step {}: en.md has {} hints, ja.md {}", a.id, a.hints.len(), b.hints.len())));
            }
        }
        Ok(Lesson { def, en, ja })
    }

    pub fn id(&self) -> &str {
        &self.def.id
    }

    pub fn text(&self, lang: Lang) -> &LessonText {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// A chapter of the guide: its number, its name in English and Japanese, and its lessons'
/// ids in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub number: u32,
    pub en: String,
    pub ja: String,
    pub lessons: Vec<String>,
}

impl Chapter {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// Every lesson, in the order of `lessons/chapters.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    pub chapters: Vec<Chapter>,
    pub lessons: Vec<Lesson>,
}

impl Catalog {
    /// Reads the bundle the page fetches: `{"chapters": "<chapters.yaml>", "lessons": [{"id",
    /// "lesson", "en", "ja"}, ...]}` (texts as the files hold them). Every lesson must be in a
    /// chapter, and every lesson a chapter names must be there.
    pub fn parse_bundle(text: &str) -> Result<Catalog, LessonError> {
        let fail = |m: String| LessonError { lesson: "bundle".into(), message: m };
        let v: Value = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        let chapters = Catalog::parse_chapters(v["chapters"].as_str().unwrap_or("")).map_err(fail)?;
        let mut found = BTreeMap::new();
        for l in v["lessons"].as_array().ok_or_else(|| fail("no lessons".into()))? {
            let s = |k: &str| l[k].as_str().unwrap_or("");
            found.insert(s("id").to_string(), Lesson::parse(s("id"), s("lesson"), s("en"), s("ja"))?);
        }
        let mut lessons = Vec::new();
        for c in &chapters {
            for id in &c.lessons {
                let l = found.remove(id).ok_or_else(|| fail(format!("chapter {} names {id}, which is not there", c.number)))?;
                if l.def.chapter != c.number {
                    return Err(fail(format!("{id} says it is in chapter {}, chapters.yaml puts it in {}", l.def.chapter, c.number)));
                }
                lessons.push(l);
            }
        }
        if let Some(id) = found.keys().next() {
            return Err(fail(format!("{id} is in no chapter of chapters.yaml")));
        }
        Ok(Catalog { chapters, lessons })
    }

    /// `chapters.yaml`: `{format: 1, chapters: [{number, en, ja, lessons: [ids]}]}`.
    pub fn parse_chapters(text: &str) -> Result<Vec<Chapter>, String> {
        let v: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        if v["format"].as_u64() != Some(format::LESSON_FORMAT) {
            return Err(format!("chapters.yaml must be of format {}", format::LESSON_FORMAT));
        }
        let mut out = Vec::new();
        for c in v["chapters"].as_array().ok_or("chapters.yaml has no chapters")? {
            let (Some(number), Some(en), Some(ja)) = (c["number"].as_u64(), c["en"].as_str(), c["ja"].as_str()) else {
                return Err("a chapter needs number, en and ja".into());
            };
            let lessons = c["lessons"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default();
            out.push(Chapter { number: number as u32, en: en.to_string(), ja: ja.to_string(), lessons });
        }
        Ok(out)
    }

    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id() == id)
    }
}

/// Where a learner is in a lesson; saved with the playground.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub lesson: String,
    /// The step being worked on (the number of steps once the lesson is done).
    pub step: usize,
    /// How many of this step's hints are shown.
    pub hints: usize,
    /// The solution of this step is shown.
    pub solution: bool,
    /// The current step began at this cluster time, after this many terminal commands: its
    /// checks of events and of commands run look only at what came after.
    pub since: Timestamp,
    pub since_ran: u64,
}

impl Progress {
    pub fn to_json(&self) -> Value {
        json!({ "lesson": self.lesson, "step": self.step, "hints": self.hints, "solution": self.solution, "since": self.since.rfc3339(), "sinceRan": self.since_ran })
    }

    pub fn from_json(v: &Value) -> Option<Progress> {
        Some(Progress {
            lesson: v["lesson"].as_str()?.to_string(),
            step: usize::try_from(v["step"].as_u64()?).ok()?.min(1000),
            hints: usize::try_from(v["hints"].as_u64().unwrap_or(0)).ok()?.min(1000),
            solution: v["solution"].as_bool().unwrap_or(false),
            since: v["since"].as_str().and_then(Timestamp::parse_rfc3339)?,
            since_ran: v["sinceRan"].as_u64().unwrap_or(0),
        })
    }
}

/// One check of the current step and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckState {
    pub checked: format::Checked,
    pub missing: Option<Missing>,
}

impl CheckState {
    /// What it checks, in `lang`.
    pub fn label(&self, lang: Lang) -> String {
        check::label(&self.checked, lang)
    }

    /// What is missing, in `lang` (`None` when it holds).
    pub fn missing(&self, lang: Lang) -> Option<String> {
        self.missing.as_ref().map(|m| m.say(lang))
    }

    /// What stands instead, in a few words after the label (`None` when it holds).
    pub fn short(&self, lang: Lang) -> Option<String> {
        self.missing.as_ref().map(|m| m.short(lang))
    }
}

/// The lesson engine: checks a playground's current step with a read-only kubectl of its own.
pub struct Guide {
    reader: Kubectl,
}

impl Guide {
    pub fn new(pg: &Playground) -> Guide {
        Guide { reader: Kubectl::new(&pg.cluster.preset().context) }
    }

    /// Checks one step of a lesson now.
    pub fn check_step(&mut self, pg: &mut Playground, step: &StepDef) -> Vec<Result<(), Missing>> {
        let (since, since_ran) = pg.lesson.as_ref().map_or((Timestamp::default(), 0), |p| (p.since, p.since_ran));
        let Playground { cluster, terminal, .. } = pg;
        let mut seen = check::Seen { api: cluster, reader: &mut self.reader, learner: &terminal.kubectl, ran: terminal.ran_since(since_ran), since };
        step.checks.iter().map(|c| check::evaluate(&c.check, &mut seen)).collect()
    }

    /// Checks the playground's lesson: a step whose checks all hold is done (for good) and the
    /// next one is checked. Returns how the current step's checks stand (empty when the lesson
    /// is done, or the playground is on another lesson).
    pub fn evaluate(&mut self, pg: &mut Playground, lesson: &Lesson) -> Vec<CheckState> {
        loop {
            let Some(p) = pg.lesson.as_ref().filter(|p| p.lesson == lesson.id()) else { return Vec::new() };
            let Some(step) = lesson.def.steps.get(p.step) else { return Vec::new() };
            let results = self.check_step(pg, step);
            if results.iter().all(Result::is_ok) {
                pg.step_done(lesson.def.steps.len());
                continue;
            }
            return step.checks.iter().zip(results).map(|(c, r)| CheckState { checked: c.clone(), missing: r.err() }).collect();
        }
    }
}

/// What is wrong with a lesson when its solutions are run from its start state: a step whose
/// checks already hold before its solution ran, or do not hold after it (with what is
/// missing). Empty when the lesson works.
pub fn verify(lesson: &Lesson, start: Timestamp) -> Vec<String> {
    let mut problems = Vec::new();
    let mut pg = match Playground::start_lesson(&lesson.def, start) {
        Ok(pg) => pg,
        Err(e) => return vec![e.to_string()],
    };
    let mut guide = Guide::new(&pg);
    // On the start state, no step is done already.
    let mut fresh = match Playground::start_lesson(&lesson.def, start) {
        Ok(pg) => pg,
        Err(e) => return vec![e.to_string()],
    };
    for step in &lesson.def.steps {
        if guide.check_step(&mut fresh, step).iter().all(Result::is_ok) {
            problems.push(format!("{}: step {} holds on the start state", lesson.id(), step.id));
        }
    }
    for (i, step) in lesson.def.steps.iter().enumerate() {
        if guide.check_step(&mut pg, step).iter().all(Result::is_ok) {
            problems.push(format!("{}: step {} holds before its solution ran", lesson.id(), step.id));
        }
        pg.run_solution(&step.solution);
        let mut waited = 0;
        let missing = loop {
            let results = guide.check_step(&mut pg, step);
            let missing: Vec<String> = results.into_iter().filter_map(Result::err).map(|m| m.say(Lang::En)).collect();
            if missing.is_empty() || waited > step.solution.wait + 10 {
                break missing;
            }
            pg.advance(Duration::from_secs(1));
            waited += 1;
        };
        if !missing.is_empty() {
            problems.push(format!("{}: step {} does not hold after its solution and {}s: {}", lesson.id(), step.id, waited, missing.join("; ")));
            return problems;
        }
        // The engine sees it too, and moves on.
        guide.evaluate(&mut pg, lesson);
        if pg.lesson.as_ref().map(|p| p.step) != Some(i + 1) {
            problems.push(format!("{}: the engine did not move past step {}", lesson.id(), step.id));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "format: 1\nchapter: 5\nstart:\n  preset: kind\n  run: [kubectl create deployment web --image=nginx:1.27]\n  settle: 30\nsteps:\n- id: scale\n  checks:\n  - count: pods\n    selector: app=web\n    ready: true\n    equals: 3\n  solution: {run: [kubectl scale deployment web --replicas=3], wait: 60}\n- id: look\n  checks:\n  - output: kubectl get pods\n    contains: Running\n  solution: {run: [kubectl get pods]}\n";
    const EN: &str = "# Scale\n\n## Scale it {#scale}\n\nGo.\n\n### Hints {#hints}\n\n- kubectl scale\n\n## Look {#look}\n\nLook.\n";
    const JA: &str = "# スケール\n\n## 増やす {#scale}\n\n増やします。\n\n### ヒント {#hints}\n\n- kubectl scale\n\n## 見る {#look}\n\n見ます。\n";

    fn start() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-25T09:00:00Z").unwrap_or_default()
    }

    #[test]
    fn the_engine_says_what_is_missing_moves_on_and_the_progress_is_saved() {
        let lesson = Lesson::parse("05-scale", YAML, EN, JA).expect("parses");
        let mut pg = Playground::start_lesson(&lesson.def, start()).expect("starts");
        let mut guide = Guide::new(&pg);
        let states = guide.evaluate(&mut pg, &lesson);
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].label(Lang::En), "3 ready pods -l app=web");
        assert_eq!(states[0].missing(Lang::En).as_deref(), Some("3 ready pods -l app=web wanted, 1 found"));
        assert_eq!(states[0].missing(Lang::Ja).as_deref(), Some("ready pods -l app=web は 1 個（3 のはず）"));
        assert_eq!(states[0].short(Lang::En).as_deref(), Some("1 now"));
        // The start state's command is in the journal, not in the learner's history.
        assert!(pg.terminal.history().is_empty());
        pg.type_command("kubectl scale deployment web --replicas=3");
        pg.advance(Duration::from_secs(30));
        let states = guide.evaluate(&mut pg, &lesson);
        assert_eq!(pg.lesson.as_ref().map(|p| p.step), Some(1));
        assert_eq!(states[0].missing(Lang::En).as_deref(), Some("no output of `kubectl get pods` has shown \"Running\" yet"));
        // Done is done: scaling back down does not undo the step.
        pg.type_command("kubectl scale deployment web --replicas=1");
        pg.type_command("k get po");
        assert!(guide.evaluate(&mut pg, &lesson).is_empty());
        assert_eq!(pg.lesson.as_ref().map(|p| p.step), Some(2));
        assert_eq!(pg.lessons_done.get("05-scale"), Some(&2));
        let back = Playground::restore(&pg.save()).expect("restores");
        assert_eq!(back.lesson, pg.lesson);
        assert_eq!(back.lessons_done, pg.lessons_done);
        assert_eq!(back.save(), pg.save());
    }

    #[test]
    fn verify_finds_a_step_that_holds_by_itself_and_one_its_solution_misses() {
        let by_itself = YAML.replace("equals: 3", "equals: 1");
        let lesson = Lesson::parse("x", &by_itself, EN, JA).expect("parses");
        let problems = verify(&lesson, start());
        assert!(problems.iter().any(|p| p.contains("step scale holds on the start state")), "{problems:?}");
        let missed = YAML.replace("--replicas=3]", "--replicas=2]");
        let lesson = Lesson::parse("x", &missed, EN, JA).expect("parses");
        let problems = verify(&lesson, start());
        assert!(problems.iter().any(|p| p.contains("step scale does not hold") && p.contains("2 found")), "{problems:?}");
        assert!(verify(&Lesson::parse("x", YAML, EN, JA).expect("parses"), start()).is_empty());
    }

    #[test]
    fn texts_must_match_the_steps() {
        let e = Lesson::parse("x", YAML, EN, &JA.replace("{#look}", "")).expect_err("refused");
        assert!(e.message.contains("ja.md has the steps [\"scale\"]"), "{e}");
        let e = Lesson::parse("x", YAML, EN, &JA.replace("- kubectl scale\n", "")).expect_err("refused");
        assert!(e.message.contains("1 hints, ja.md 0"), "{e}");
    }
}
