//! Checking a step: each check looks at the cluster through the API (a read-only kubectl of
//! the engine's own, so it sees what `kubectl get` would), or at what the learner typed, and
//! says — in the learner's language — what it wants and, when it is not there yet, what is
//! missing ("3 ready pods wanted, 2 found").

use serde_json::Value;

use super::format::{Amount, Check, Checked, Target, Want};
use super::Lang;
use crate::kubectl::printers::jsonpath::Template;
use crate::kubectl::{Kubectl, Transport};
use crate::terminal::Ran;

/// What a check looks at.
pub struct Seen<'a> {
    pub api: &'a mut dyn Transport,
    /// The engine's read-only kubectl.
    pub reader: &'a mut Kubectl,
    /// The learner's kubectl (its kubeconfig and workspace files).
    pub learner: &'a Kubectl,
    /// The commands the learner ran since the step began.
    pub ran: &'a [Ran],
    /// Events older than this are from before the step.
    pub since: crate::Timestamp,
}

/// What is not there yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    NotThere(String),
    StillThere(String),
    Value { object: String, path: String, found: String, want: Want },
    Count { what: String, found: u64, amount: Amount },
    Condition { object: String, kind: String, found: Option<String>, want: String },
    NoEvent { reason: String, about: Option<String> },
    NotRan(String),
    NoOutput { command: String, contains: String },
    NoFile(String),
    FileLacks { path: String, text: String },
    Context { found: String, want: String },
    Namespace { found: String, want: String },
    /// kubectl could not read what the check looks at (its own error).
    Unreadable(String),
}

fn object(t: &Target) -> String {
    if t.namespace == "default" { t.object.clone() } else { format!("{} -n {}", t.object, t.namespace) }
}

/// A JSONPath template of one action shown without its braces (`.spec.replicas`).
fn bare(path: &str) -> &str {
    path.strip_prefix('{').and_then(|p| p.strip_suffix('}')).filter(|p| !p.contains('{')).unwrap_or(path)
}

fn quoted(w: &Want) -> (&'static str, &'static str, &str) {
    match w {
        Want::Equals(v) => ("is", "", v),
        Want::Contains(v) => ("contains", "を含む", v),
        Want::Differs(v) => ("is not", "ではない", v),
    }
}

fn amount(a: Amount, lang: Lang) -> String {
    match (a, lang) {
        (Amount::Exactly(n), _) => n.to_string(),
        (Amount::AtLeast(n), Lang::En) => format!("at least {n}"),
        (Amount::AtMost(n), Lang::En) => format!("at most {n}"),
        (Amount::AtLeast(n), Lang::Ja) => format!("{n} 個以上"),
        (Amount::AtMost(n), Lang::Ja) => format!("{n} 個以下"),
    }
}

fn count_what(resource: &str, selector: &Option<String>, ready: bool, filter: &Option<(String, Want)>, namespace: &Option<String>) -> String {
    let mut s = if ready { format!("ready {resource}") } else { resource.to_string() };
    if let Some(sel) = selector {
        s.push_str(&format!(" -l {sel}"));
    }
    if let Some((path, w)) = filter {
        let (op, _, v) = quoted(w);
        s.push_str(&format!(" where {} {op} \"{v}\"", bare(path)));
    }
    match namespace.as_deref() {
        None => s.push_str(" -A"),
        Some("default") => {}
        Some(ns) => s.push_str(&format!(" -n {ns}")),
    }
    s
}

/// What a check checks, in the learner's language: the lesson's own words if it has them.
pub fn label(c: &Checked, lang: Lang) -> String {
    if let Some((en, ja)) = &c.say {
        return if lang == Lang::Ja { ja.clone() } else { en.clone() };
    }
    let ja = lang == Lang::Ja;
    match &c.check {
        Check::Exists(t) if ja => format!("{} がある", object(t)),
        Check::Exists(t) => format!("{} exists", object(t)),
        Check::Absent(t) if ja => format!("{} がない", object(t)),
        Check::Absent(t) => format!("{} is gone", object(t)),
        Check::Field { target, path, want } => {
            let (en, jop, v) = quoted(want);
            let path = bare(path);
            if ja { format!("{} の {path} が \"{v}\"{jop}", object(target)) } else { format!("{path} of {} {en} \"{v}\"", object(target)) }
        }
        Check::Count { resource, namespace, selector, ready, filter, amount: a } => {
            let what = count_what(resource, selector, *ready, filter, namespace);
            if ja { format!("{what} が {}", amount(*a, lang)) } else { format!("{} {what}", amount(*a, lang)) }
        }
        Check::Condition { target, kind, status } if ja => format!("{} の {kind} が {status}", object(target)),
        Check::Condition { target, kind, status } => format!("{} has {kind}={status}", object(target)),
        Check::Event { reason, about, .. } => match (about, ja) {
            (Some(t), true) => format!("{} に {reason} イベントが記録された", object(t)),
            (Some(t), false) => format!("a {reason} event for {}", object(t)),
            (None, true) => format!("{reason} イベントが記録された"),
            (None, false) => format!("a {reason} event"),
        },
        Check::Ran(w) if ja => format!("`{}` を実行した", w.join(" ")),
        Check::Ran(w) => format!("you ran `{}`", w.join(" ")),
        Check::Output { words, contains } if ja => format!("`{}` の出力に \"{contains}\" がある", words.join(" ")),
        Check::Output { words, contains } => format!("`{}` printed \"{contains}\"", words.join(" ")),
        Check::File { path, contains: None } if ja => format!("ファイル {path} がある"),
        Check::File { path, contains: None } => format!("file {path} exists"),
        Check::File { path, contains: Some(t) } if ja => format!("ファイル {path} に \"{t}\" がある"),
        Check::File { path, contains: Some(t) } => format!("file {path} has \"{t}\""),
        Check::Context(x) if ja => format!("コンテキストが {x}"),
        Check::Context(x) => format!("the context is {x}"),
        Check::Namespace(x) if ja => format!("既定の Namespace が {x}"),
        Check::Namespace(x) => format!("the default namespace is {x}"),
    }
}

impl Missing {
    /// What stands instead, in a few words, to follow the check's label ("now 2", "not yet").
    pub fn short(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        match self {
            Missing::Value { found, .. } if found.is_empty() => (if ja { "現在は空です" } else { "empty now" }).to_string(),
            Missing::Value { found, .. } if ja => format!("現在は \"{found}\""),
            Missing::Value { found, .. } => format!("now \"{found}\""),
            Missing::Count { found, .. } if ja => format!("現在 {found} 個"),
            Missing::Count { found, .. } => format!("{found} now"),
            Missing::Condition { found: Some(f), .. } if ja => format!("現在は {f}"),
            Missing::Condition { found: Some(f), .. } => format!("now {f}"),
            Missing::Context { found, .. } | Missing::Namespace { found, .. } if ja => format!("現在は {found}"),
            Missing::Context { found, .. } | Missing::Namespace { found, .. } => format!("now {found}"),
            Missing::NotThere(_) | Missing::Condition { found: None, .. } | Missing::NoFile(_) | Missing::FileLacks { .. } | Missing::StillThere(_) | Missing::NoEvent { .. } | Missing::NotRan(_) | Missing::NoOutput { .. } => {
                (if ja { "まだです" } else { "not yet" }).to_string()
            }
            Missing::Unreadable(e) => e.clone(),
        }
    }

    /// What is missing, in the learner's language.
    pub fn say(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        match self {
            Missing::NotThere(o) if ja => format!("{o} はまだありません"),
            Missing::NotThere(o) => format!("{o} does not exist yet"),
            Missing::StillThere(o) if ja => format!("{o} はまだあります"),
            Missing::StillThere(o) => format!("{o} still exists"),
            Missing::Value { object, path, found, want } => {
                let (en, jop, v) = quoted(want);
                if ja { format!("{object} の {path} は \"{found}\"（\"{v}\"{jop}はず）") } else { format!("{path} of {object} is \"{found}\", wanted: {en} \"{v}\"") }
            }
            Missing::Count { what, found, amount: a } if ja => format!("{what} は {found} 個（{} のはず）", amount(*a, lang)),
            Missing::Count { what, found, amount: a } => format!("{} {what} wanted, {found} found", amount(*a, lang)),
            Missing::Condition { object, kind, found, want } => match (found, ja) {
                (Some(f), true) => format!("{object} の {kind} は {f}（{want} のはず）"),
                (Some(f), false) => format!("{kind} of {object} is {f}, wanted {want}"),
                (None, true) => format!("{object} にはまだ {kind} の状態がありません"),
                (None, false) => format!("{object} has no {kind} condition yet"),
            },
            Missing::NoEvent { reason, about } => match (about, ja) {
                (Some(o), true) => format!("{o} の {reason} イベントはまだありません"),
                (Some(o), false) => format!("no {reason} event for {o} yet"),
                (None, true) => format!("{reason} イベントはまだありません"),
                (None, false) => format!("no {reason} event yet"),
            },
            Missing::NotRan(c) if ja => format!("`{c}` はまだ実行されていません"),
            Missing::NotRan(c) => format!("`{c}` has not been run yet"),
            Missing::NoOutput { command, contains } if ja => format!("`{command}` の出力に \"{contains}\" はまだありません"),
            Missing::NoOutput { command, contains } => format!("no output of `{command}` has shown \"{contains}\" yet"),
            Missing::NoFile(p) if ja => format!("ファイル {p} はまだありません"),
            Missing::NoFile(p) => format!("there is no file {p} yet"),
            Missing::FileLacks { path, text } if ja => format!("ファイル {path} に \"{text}\" がありません"),
            Missing::FileLacks { path, text } => format!("file {path} does not have \"{text}\""),
            Missing::Context { found, want } if ja => format!("コンテキストは {found}（{want} のはず）"),
            Missing::Context { found, want } => format!("the context is {found}, wanted {want}"),
            Missing::Namespace { found, want } if ja => format!("既定の Namespace は {found}（{want} のはず）"),
            Missing::Namespace { found, want } => format!("the default namespace is {found}, wanted {want}"),
            Missing::Unreadable(e) => e.clone(),
        }
    }
}

fn wanted(w: &Want, found: &str) -> bool {
    match w {
        Want::Equals(v) => found == v,
        Want::Contains(v) => found.contains(v.as_str()),
        Want::Differs(v) => found != v,
    }
}

/// `kubectl get ... -o json` by the engine's kubectl: the object, `None` when it is not
/// found, or kubectl's error.
fn get(seen: &mut Seen<'_>, args: &[&str]) -> Result<Option<Value>, String> {
    let mut words: Vec<String> = vec!["get".into()];
    words.extend(args.iter().map(|s| s.to_string()));
    // The whole object, managedFields too (a lesson may look at who owns what).
    words.extend(["-o".to_string(), "json".to_string(), "--show-managed-fields".to_string()]);
    let mut out = seen.reader.run_words(seen.api, &words, None);
    if out.exit != 0 && out.text().contains("the server doesn't have a resource type") {
        // A resource type that came since discovery was read (a CRD).
        seen.reader.invalidate_discovery();
        out = seen.reader.run_words(seen.api, &words, None);
    }
    if out.exit != 0 {
        let text = out.text();
        if text.contains("(NotFound)") {
            return Ok(None);
        }
        return Err(text.trim().to_string());
    }
    serde_json::from_str(&out.stdout()).map(Some).map_err(|e| e.to_string())
}

/// What a template prints over `v` (nothing when it finds nothing; lesson.yaml's paths were
/// parsed when the lesson was read).
fn render(template: Option<&Template>, v: &Value) -> String {
    template.and_then(|t| t.render(v, true).ok()).unwrap_or_default()
}

/// A word of a command as kubectl understands it: `k` is `kubectl`, and a resource type by its
/// short name, singular or kind (`po`, `pod`, `Pod`, also in `po/web`) is its plural (`pods`).
fn canonical(word: &str) -> String {
    if word == "k" {
        return "kubectl".into();
    }
    let (ty, rest) = match word.split_once('/') {
        Some((t, r)) => (t, Some(r)),
        None => (word, None),
    };
    // Every other name of a built-in resource type → its plural, made once.
    static PLURALS: std::sync::OnceLock<std::collections::HashMap<String, String>> = std::sync::OnceLock::new();
    let plurals = PLURALS.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for r in crate::apiserver::registry::Discovery::v1_33().resources.values().flatten().filter(|r| !r.name.contains('/')) {
            for other in r.short_names.iter().cloned().chain([r.singular_name.clone(), r.kind.to_ascii_lowercase()]) {
                m.entry(other).or_insert_with(|| r.name.clone());
            }
        }
        m
    });
    let ty = plurals.get(&ty.to_ascii_lowercase()).cloned().unwrap_or_else(|| ty.to_string());
    match rest {
        Some(r) => format!("{ty}/{r}"),
        None => ty,
    }
}

/// Whether a command line has these words, in this order (others may come between; resource
/// types in any of their names, see [`canonical`]).
pub fn has_words(line: &str, want: &[String]) -> bool {
    let mut words = line.split_whitespace().map(canonical);
    want.iter().all(|w| {
        let w = canonical(w);
        words.any(|x| x == w)
    })
}

fn pod_ready(p: &Value) -> bool {
    p["status"]["conditions"].as_array().is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// Checks one thing: `Ok` when it holds.
pub fn evaluate(check: &Check, seen: &mut Seen<'_>) -> Result<(), Missing> {
    match check {
        Check::Exists(t) => match get(seen, &[&t.object, "-n", &t.namespace]) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(Missing::NotThere(object(t))),
            Err(e) => Err(Missing::Unreadable(e)),
        },
        Check::Absent(t) => match get(seen, &[&t.object, "-n", &t.namespace]) {
            Ok(None) => Ok(()),
            Ok(Some(_)) => Err(Missing::StillThere(object(t))),
            Err(e) => Err(Missing::Unreadable(e)),
        },
        Check::Field { target, path, want } => match get(seen, &[&target.object, "-n", &target.namespace]) {
            Ok(Some(v)) => {
                let found = render(Template::parse(path).ok().as_ref(), &v);
                if wanted(want, &found) { Ok(()) } else { Err(Missing::Value { object: object(target), path: path.clone(), found, want: want.clone() }) }
            }
            Ok(None) => Err(Missing::NotThere(object(target))),
            Err(e) => Err(Missing::Unreadable(e)),
        },
        Check::Count { resource, namespace, selector, ready, filter, amount } => {
            let mut args: Vec<&str> = vec![resource];
            match namespace {
                Some(ns) => args.extend(["-n", ns]),
                None => args.push("-A"),
            }
            if let Some(sel) = selector {
                args.extend(["-l", sel]);
            }
            let list = match get(seen, &args) {
                Ok(v) => v.unwrap_or(Value::Null),
                Err(e) => return Err(Missing::Unreadable(e)),
            };
            let empty = Vec::new();
            let items = list["items"].as_array().unwrap_or(&empty);
            let parsed = filter.as_ref().map(|(p, w)| (Template::parse(p).ok(), w));
            let found = items
                .iter()
                .filter(|it| !*ready || pod_ready(it))
                .filter(|it| it["metadata"]["deletionTimestamp"].is_null())
                .filter(|it| parsed.as_ref().is_none_or(|(t, w)| wanted(w, &render(t.as_ref(), it))))
                .count() as u64;
            let ok = match amount {
                Amount::Exactly(n) => found == *n,
                Amount::AtLeast(n) => found >= *n,
                Amount::AtMost(n) => found <= *n,
            };
            if ok { Ok(()) } else { Err(Missing::Count { what: count_what(resource, selector, *ready, filter, namespace), found, amount: *amount }) }
        }
        Check::Condition { target, kind, status } => match get(seen, &[&target.object, "-n", &target.namespace]) {
            Ok(Some(v)) => {
                let found = v["status"]["conditions"].as_array().and_then(|cs| cs.iter().find(|c| c["type"] == kind.as_str())).and_then(|c| c["status"].as_str()).map(str::to_string);
                if found.as_deref() == Some(status) { Ok(()) } else { Err(Missing::Condition { object: object(target), kind: kind.clone(), found, want: status.clone() }) }
            }
            Ok(None) => Err(Missing::NotThere(object(target))),
            Err(e) => Err(Missing::Unreadable(e)),
        },
        Check::Event { reason, about, namespace } => {
            let list = match get(seen, &["events", "-n", namespace]) {
                Ok(v) => v.unwrap_or(Value::Null),
                Err(e) => return Err(Missing::Unreadable(e)),
            };
            // Events carry whole seconds: one in the step's first second counts.
            let since = crate::Timestamp::from_unix_millis(seen.since.unix_millis().div_euclid(1000) * 1000);
            let about_kind_name = about.as_ref().map(|t| {
                let (k, n) = t.object.split_once('/').unwrap_or(("", &t.object));
                (k.to_ascii_lowercase(), n.to_string())
            });
            let found = list["items"].as_array().is_some_and(|items| {
                items.iter().any(|e| {
                    let when = ["lastTimestamp", "eventTime", "firstTimestamp"].iter().find_map(|k| e[*k].as_str()).or(e["metadata"]["creationTimestamp"].as_str()).and_then(crate::Timestamp::parse_rfc3339);
                    e["reason"] == reason.as_str()
                        && when.is_none_or(|w| w >= since)
                        && about_kind_name.as_ref().is_none_or(|(k, n)| {
                            let io = &e["involvedObject"];
                            io["name"] == n.as_str() && io["kind"].as_str().is_some_and(|ik| ik.eq_ignore_ascii_case(k))
                        })
                })
            });
            if found { Ok(()) } else { Err(Missing::NoEvent { reason: reason.clone(), about: about.as_ref().map(object) }) }
        }
        Check::Ran(w) => {
            if seen.ran.iter().any(|r| has_words(&r.line, w)) { Ok(()) } else { Err(Missing::NotRan(w.join(" "))) }
        }
        Check::Output { words, contains } => {
            if seen.ran.iter().any(|r| has_words(&r.line, words) && r.output.contains(contains.as_str())) {
                Ok(())
            } else {
                Err(Missing::NoOutput { command: words.join(" "), contains: contains.clone() })
            }
        }
        Check::File { path, contains } => {
            let abs = crate::kubelet::fs::normalize(path, "/");
            match (seen.learner.files.read(&abs), contains) {
                (None, _) => Err(Missing::NoFile(path.clone())),
                (Some(t), Some(c)) if !t.contains(c.as_str()) => Err(Missing::FileLacks { path: path.clone(), text: c.clone() }),
                _ => Ok(()),
            }
        }
        Check::Context(want) => {
            let found = &seen.learner.config.current;
            if found == want { Ok(()) } else { Err(Missing::Context { found: found.clone(), want: want.clone() }) }
        }
        Check::Namespace(want) => {
            let found = seen.learner.config.namespace();
            if found == want { Ok(()) } else { Err(Missing::Namespace { found: found.to_string(), want: want.clone() }) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_order_with_k_for_kubectl() {
        let w = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert!(has_words("kubectl scale deploy web --replicas=3", &w("kubectl scale")));
        assert!(has_words("k -n x get pods -o wide", &w("kubectl get pods")));
        assert!(!has_words("kubectl get deploy", &w("kubectl get pods")));
        assert!(!has_words("kubectl pods get", &w("kubectl get pods")));
        assert!(has_words("k get po", &w("kubectl get pods")));
        assert!(has_words("kubectl rollout undo deploy/web", &w("kubectl rollout undo deployment/web")));
        assert!(has_words("kubectl get Pod", &w("kubectl get pods")));
    }
}
