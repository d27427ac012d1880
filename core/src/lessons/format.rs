//! A lesson's steps as data (`lessons/NN-slug/lesson.yaml`): where the learner starts, and for
//! each step what the cluster (or the terminal) must show and a solution that gets there.
//! Versioned: `format` names the shape of the file, and a file of another shape is refused.
//!
//! ```yaml
//! format: 1
//! chapter: 5
//! start:                       # a preset, then files and commands the learner finds done
//!   preset: kind
//!   files: { web.yaml: "..." }
//!   run: [kubectl create deployment web --image=nginx:1.27]
//!   settle: 30                 # seconds the clock runs before the learner arrives
//! steps:
//!   - id: scale
//!     checks:
//!       - field: deployment/web
//!         path: "{.spec.replicas}"
//!         equals: "3"
//!       - count: pods
//!         selector: app=web
//!         ready: true
//!         equals: 3
//!     solution:
//!       run: [kubectl scale deployment web --replicas=3]
//!       wait: 60               # seconds the cluster may take to get there
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

/// The shape of `lesson.yaml` this build reads.
pub const LESSON_FORMAT: u64 = 1;

/// Why a lesson's data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lesson {lesson}: {message}")]
pub struct LessonError {
    pub lesson: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub preset: String,
    pub seed: u64,
    pub files: BTreeMap<String, String>,
    pub run: Vec<String>,
    pub settle: u64,
}

/// What a step's solution does: files written (as from the editor), commands typed, and how
/// long the cluster may take afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solution {
    pub files: BTreeMap<String, String>,
    pub run: Vec<String>,
    pub wait: u64,
}

/// An object a check looks at: `kind/name` as kubectl takes it (`deployment/web`, `po/web-0`),
/// in a namespace (the check's, or `default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub object: String,
    pub namespace: String,
}

/// What a value must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    Equals(String),
    Contains(String),
    Differs(String),
}

/// How many there must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Exactly(u64),
    AtLeast(u64),
    AtMost(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The object exists.
    Exists(Target),
    /// The object does not exist (any more).
    Absent(Target),
    /// A JSONPath template (kubectl's syntax) over the object prints a wanted value.
    Field { target: Target, path: String, want: Want },
    /// So many objects of a resource (matching a label selector; only ready pods; only those
    /// whose `path` prints a wanted value).
    Count { resource: String, namespace: Option<String>, selector: Option<String>, ready: bool, filter: Option<(String, Want)>, amount: Amount },
    /// A condition of the object has a status.
    Condition { target: Target, kind: String, status: String },
    /// An event with this reason (about this object) was recorded.
    Event { reason: String, about: Option<Target>, namespace: String },
    /// The learner ran a command with these words, in this order.
    Ran(Vec<String>),
    /// A command the learner ran (with these words) printed this.
    Output { words: Vec<String>, contains: String },
    /// A file in the workspace (that holds this text).
    File { path: String, contains: Option<String> },
    /// The learner's kubectl uses this context.
    Context(String),
    /// The learner's kubectl uses this namespace by default.
    Namespace(String),
}

/// A check and what it says it checks, in English and Japanese (made from the check when the
/// lesson does not say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub check: Check,
    pub say: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDef {
    pub id: String,
    pub checks: Vec<Checked>,
    pub solution: Solution,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonDef {
    pub id: String,
    pub chapter: u32,
    pub start: Start,
    pub steps: Vec<StepDef>,
}

/// The longest a solution or a start may let the clock run, in seconds.
const MAX_WAIT: u64 = 3600;

impl LessonDef {
    /// Reads `lesson.yaml` (untrusted text) for the lesson called `id`.
    pub fn parse(id: &str, text: &str) -> Result<LessonDef, LessonError> {
        let fail = |m: String| LessonError { lesson: id.to_string(), message: m };
        let v: Value = serde_yaml::from_str(text).map_err(|e| fail(e.to_string()))?;
        let format = v["format"].as_u64().ok_or_else(|| fail("no format".into()))?;
        if format != LESSON_FORMAT {
            return Err(fail(format!("format {format}; this Hakoniwa reads format {LESSON_FORMAT}")));
        }
        let chapter = v["chapter"].as_u64().ok_or_else(|| fail("no chapter".into()))? as u32;
        let s = &v["start"];
        let start = Start {
            preset: s["preset"].as_str().unwrap_or("kind").to_string(),
            seed: s["seed"].as_u64().unwrap_or(1),
            files: files(&s["files"]).map_err(&fail)?,
            run: strings(&s["run"]).map_err(&fail)?,
            settle: seconds(&s["settle"], "start.settle").map_err(&fail)?,
        };
        let mut steps = Vec::new();
        for (i, st) in v["steps"].as_array().ok_or_else(|| fail("no steps".into()))?.iter().enumerate() {
            let sid = st["id"].as_str().ok_or_else(|| fail(format!("step {} has no id", i + 1)))?.to_string();
            let at = |m: String| fail(format!("step {sid}: {m}"));
            let mut checks = Vec::new();
            for c in st["checks"].as_array().ok_or_else(|| at("no checks".into()))? {
                checks.push(checked(c).map_err(&at)?);
            }
            if checks.is_empty() {
                return Err(at("no checks".into()));
            }
            let sol = &st["solution"];
            let solution = Solution { files: files(&sol["files"]).map_err(&at)?, run: strings(&sol["run"]).map_err(&at)?, wait: seconds(&sol["wait"], "solution.wait").map_err(&at)? };
            if steps.iter().any(|s: &StepDef| s.id == sid) {
                return Err(fail(format!("two steps are called {sid}")));
            }
            steps.push(StepDef { id: sid, checks, solution });
        }
        if steps.is_empty() {
            return Err(fail("no steps".into()));
        }
        Ok(LessonDef { id: id.to_string(), chapter, start, steps })
    }
}

fn files(v: &Value) -> Result<BTreeMap<String, String>, String> {
    match v {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(o) => o.iter().map(|(k, t)| t.as_str().map(|t| (k.clone(), t.to_string())).ok_or_else(|| format!("file {k} is not text"))).collect(),
        _ => Err("files must map names to texts".into()),
    }
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a.iter().map(|s| s.as_str().map(str::to_string).ok_or_else(|| "commands must be text".to_string())).collect(),
        _ => Err("commands must be a list".into()),
    }
}

fn seconds(v: &Value, what: &str) -> Result<u64, String> {
    match v {
        Value::Null => Ok(0),
        v => v.as_u64().filter(|s| *s <= MAX_WAIT).ok_or_else(|| format!("{what} must be a number of seconds up to {MAX_WAIT}")),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn want(c: &Value) -> Option<Want> {
    if let Some(t) = text(&c["equals"]) {
        return Some(Want::Equals(t));
    }
    if let Some(t) = text(&c["contains"]) {
        return Some(Want::Contains(t));
    }
    text(&c["not"]).map(Want::Differs)
}

fn checked(c: &Value) -> Result<Checked, String> {
    let ns = c["namespace"].as_str().unwrap_or("default").to_string();
    let target = |key: &str| c[key].as_str().filter(|o| o.contains('/')).map(|o| Target { object: o.to_string(), namespace: ns.clone() });
    let need_target = |key: &str| target(key).ok_or_else(|| format!("{key} must name an object as kind/name"));
    let check = if c.get("exists").is_some() {
        Check::Exists(need_target("exists")?)
    } else if c.get("absent").is_some() {
        Check::Absent(need_target("absent")?)
    } else if c.get("field").is_some() {
        let path = c["path"].as_str().ok_or("a field check needs a path")?.to_string();
        crate::kubectl::printers::jsonpath::Template::parse(&path).map_err(|e| format!("path {path}: {e}"))?;
        Check::Field { target: need_target("field")?, path, want: want(c).ok_or("a field check needs equals, contains or not")? }
    } else if let Some(resource) = c["count"].as_str() {
        let amount = match (c["equals"].as_u64(), c["atLeast"].as_u64(), c["atMost"].as_u64()) {
            (Some(n), None, None) => Amount::Exactly(n),
            (None, Some(n), None) => Amount::AtLeast(n),
            (None, None, Some(n)) => Amount::AtMost(n),
            _ => return Err("a count needs one of equals, atLeast, atMost".into()),
        };
        let filter = match c["where"].as_object() {
            None => None,
            Some(w) => {
                let w = Value::Object(w.clone());
                let path = w["path"].as_str().ok_or("where needs a path")?.to_string();
                crate::kubectl::printers::jsonpath::Template::parse(&path).map_err(|e| format!("path {path}: {e}"))?;
                Some((path, want(&w).ok_or("where needs equals, contains or not")?))
            }
        };
        let namespace = if c["allNamespaces"].as_bool() == Some(true) { None } else { Some(ns.clone()) };
        Check::Count { resource: resource.to_string(), namespace, selector: c["selector"].as_str().map(str::to_string), ready: c["ready"].as_bool() == Some(true), filter, amount }
    } else if c.get("condition").is_some() {
        Check::Condition { target: need_target("condition")?, kind: c["type"].as_str().ok_or("a condition check needs a type")?.to_string(), status: text(&c["status"]).unwrap_or_else(|| "True".into()) }
    } else if let Some(reason) = c["event"].as_str() {
        Check::Event { reason: reason.to_string(), about: target("about"), namespace: ns.clone() }
    } else if let Some(r) = c["ran"].as_str() {
        Check::Ran(words(r))
    } else if let Some(r) = c["output"].as_str() {
        Check::Output { words: words(r), contains: text(&c["contains"]).ok_or("an output check needs contains")? }
    } else if let Some(f) = c["file"].as_str() {
        Check::File { path: f.to_string(), contains: text(&c["contains"]) }
    } else if let Some(x) = c["context"].as_str() {
        Check::Context(x.to_string())
    } else if let Some(x) = c["defaultNamespace"].as_str() {
        Check::Namespace(x.to_string())
    } else {
        return Err(format!("a check of an unknown kind: {}", serde_json::to_string(c).unwrap_or_default()));
    };
    let say = match (c["say"]["en"].as_str(), c["say"]["ja"].as_str()) {
        (Some(en), Some(ja)) => Some((en.to_string(), ja.to_string())),
        (None, None) => None,
        _ => return Err("say needs both en and ja".into()),
    };
    Ok(Checked { check, say })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_reads_and_bad_ones_say_why() {
        let ok = "format: 1\nchapter: 5\nstart: {preset: kind}\nsteps:\n- id: a\n  checks:\n  - exists: deployment/web\n  - count: pods\n    selector: app=web\n    ready: true\n    atLeast: 2\n  - field: deployment/web\n    path: '{.spec.replicas}'\n    equals: 3\n  solution: {run: [kubectl create deployment web --image=nginx], wait: 30}\n";
        let l = LessonDef::parse("x", ok).expect("parses");
        assert_eq!(l.steps[0].checks.len(), 3);
        assert_eq!(l.steps[0].checks[2].check, Check::Field { target: Target { object: "deployment/web".into(), namespace: "default".into() }, path: "{.spec.replicas}".into(), want: Want::Equals("3".into()) });
        for (bad, why) in [
            ("format: 2\n", "format 2"),
            ("format: 1\nchapter: 5\nsteps: []\n", "no steps"),
            ("format: 1\nchapter: 5\nsteps:\n- id: a\n  checks: [{exists: web}]\n", "kind/name"),
            ("format: 1\nchapter: 5\nsteps:\n- id: a\n  checks: [{wat: 1}]\n", "unknown kind"),
            ("format: 1\nchapter: 5\nsteps:\n- id: a\n  checks: [{count: pods}]\n", "one of equals"),
            ("format: 1\nchapter: 5\nsteps:\n- id: a\n  checks: [{field: po/a, path: '{.a', equals: 1}]\n", "path"),
            ("format: 1\nchapter: 5\nstart: {settle: 99999}\nsteps: []\n", "settle"),
            ("[", ""),
        ] {
            let e = LessonDef::parse("x", bad).expect_err(bad);
            assert!(e.message.contains(why), "{bad}: {e}");
        }
    }
}
