//! stern, the multi-pod log tailer the guide reaches for beside kubectl (`stern web`,
//! `stern -l app=web`, `stern deploy/web`): every container of every pod whose name matches
//! the query, one line per log line as `POD CONTAINER MESSAGE`, each pod in its own colour;
//! `+ POD › CONTAINER` on standard error when a container starts being followed and
//! `- POD › CONTAINER` when its pod goes. It talks to the cluster as kubectl does (the same
//! kubeconfig and API door) and follows on until stopped, or exits with `--no-follow`.

use crate::sort::Order;
use std::collections::BTreeMap;

use serde_json::Value;

use super::args::{self, flag, Flag, Parsed, Takes};
use super::running::Running;
use super::{Failure, Kubectl, Output, Transport};
use crate::api::regex::Regex;
use crate::apiserver::Request;
use crate::sim::clock::Duration;

/// The version `stern --version` reports.
const VERSION: &str = "version: 1.33.0\ncommit: hakoniwa\nbuilt at: simulated\n";

pub(super) const FLAGS: &[Flag] = &[
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("color", None, Takes::Value),
    flag("container", Some('c'), Takes::Value),
    flag("container-state", None, Takes::Values),
    flag("exclude", Some('e'), Takes::Values),
    flag("exclude-container", Some('E'), Takes::Values),
    flag("exclude-pod", None, Takes::Values),
    flag("no-follow", None, Takes::Bool),
    flag("include", Some('i'), Takes::Values),
    flag("init-containers", None, Takes::Bool),
    flag("ephemeral-containers", None, Takes::Bool),
    flag("namespace", Some('n'), Takes::Values),
    flag("node", None, Takes::Value),
    flag("output", Some('o'), Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("field-selector", None, Takes::Value),
    flag("since", Some('s'), Takes::Value),
    flag("tail", None, Takes::Value),
    flag("timestamps", Some('t'), Takes::Value),
    flag("only-log-lines", None, Takes::Bool),
    flag("version", Some('v'), Takes::Bool),
    flag("diff-container", Some('d'), Takes::Bool),
    flag("max-log-requests", None, Takes::Value),
    flag("timezone", None, Takes::Value),
];

/// How each line is written (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Default,
    Raw,
    Json,
}

#[derive(Debug)]
struct Options {
    /// `None`: every namespace (`-A`).
    namespaces: Option<Vec<String>>,
    pods: Regex,
    exclude_pods: Vec<Regex>,
    containers: Regex,
    exclude_containers: Vec<Regex>,
    exclude: Vec<Regex>,
    include: Vec<Regex>,
    selector: Option<String>,
    field_selector: Option<String>,
    /// Lines of each container's log shown when it is first followed (`-1`: all).
    tail: i64,
    since_seconds: i64,
    /// `default` or `short`, when lines carry their time.
    timestamps: Option<String>,
    format: Format,
    follow: bool,
    color: bool,
    only_log_lines: bool,
    init_containers: bool,
    ephemeral_containers: bool,
    /// `running`, `waiting`, `terminated` or `all`.
    states: Vec<String>,
    diff_container: bool,
    /// Lines name their namespace too (several namespaces, or all).
    show_namespace: bool,
}

/// Cobra's way of failing: `Error: ...` on standard error, exit code 1.
fn error(msg: impl std::fmt::Display) -> Failure {
    Failure::Raw(format!("Error: {msg}\n"))
}

fn regexes(p: &Parsed, name: &str) -> Result<Vec<Regex>, Failure> {
    p.values(name).iter().map(|r| Regex::re2(r).map_err(|e| error(format!("failed to compile regular expression from query: {e}")))).collect()
}

fn options(k: &Kubectl, api: &mut dyn Transport, p: &Parsed, tty: bool) -> Result<Options, Failure> {
    let query = p.args.first().cloned();
    let resource = query.as_deref().filter(|q| q.contains('/'));
    let pod_query = query.as_deref().filter(|q| !q.contains('/'));
    if query.is_none() && p.value("selector").is_none() && p.value("field-selector").is_none() {
        return Err(error("One of pod-query, --selector, --field-selector, --prompt or --stdin is required"));
    }
    if resource.is_some() && p.value("selector").is_some() {
        return Err(error("--selector and the <resource>/<name> query cannot be set at the same time"));
    }
    let tail: i64 = match p.value("tail") {
        Some(t) => t.parse().map_err(|_| error(format!("invalid argument {t:?} for \"--tail\" flag: strconv.ParseInt: parsing {t:?}: invalid syntax")))?,
        None => -1,
    };
    let follow = !p.bool("no-follow");
    if !follow && tail == 0 {
        return Err(error("--no-follow cannot be used with --tail=0"));
    }
    let color = match p.value("color").unwrap_or("auto") {
        "always" => true,
        "never" => false,
        "auto" => tty,
        _ => return Err(error("color should be one of 'always', 'never', or 'auto'")),
    };
    let format = match p.value("output").unwrap_or("default") {
        "default" => Format::Default,
        "raw" => Format::Raw,
        "json" => Format::Json,
        _ => return Err(error("output should be one of 'default', 'raw', 'json', 'extjson', and 'ppextjson'")),
    };
    let timestamps = match p.value("timestamps") {
        None => None,
        Some(t @ ("default" | "short")) => Some(t.to_string()),
        Some(_) => return Err(error("timestamps should be one of 'default', or 'short'")),
    };
    let since_seconds = match p.value("since") {
        Some(s) => {
            let d = crate::api::duration::parse_go(s).ok_or_else(|| error(format!("invalid argument {s:?} for \"-s, --since\" flag: time: invalid duration {}", crate::api::field::go_quote(s))))?;
            (d.as_millis() / 1000).max(1)
        }
        None => 48 * 3600,
    };
    let mut states: Vec<String> = p.values("container-state").iter().flat_map(|v| v.split(',')).map(str::to_string).collect();
    if states.is_empty() {
        states.push("all".into());
    }
    if let Some(bad) = states.iter().find(|s| !matches!(s.as_str(), "running" | "waiting" | "terminated" | "all")) {
        return Err(error(format!("containerState should be one of 'running', 'waiting', 'terminated', or 'all': {bad}")));
    }
    let namespaces = if p.bool("all-namespaces") {
        None
    } else {
        let mut given: Vec<String> = Vec::new();
        for n in p.values("namespace").iter().flat_map(|v| v.split(',')) {
            if !given.iter().any(|g| g == n) {
                given.push(n.to_string());
            }
        }
        if given.is_empty() {
            given.push(k.config.namespace().to_string());
        }
        Some(given)
    };
    let show_namespace = namespaces.as_ref().is_none_or(|n| n.len() > 1);
    // `KIND/NAME`: the pods its template's labels select (a pod: exactly that name).
    let (pods, mut selector) = match resource {
        Some(r) => resource_pods(api, namespaces.as_ref().and_then(|n| n.first()).map_or("default", String::as_str), r)?,
        None => (Regex::re2(pod_query.unwrap_or(".*")).map_err(|e| error(format!("failed to compile regular expression from query: {e}")))?, None),
    };
    if selector.is_none() {
        selector = p.value("selector").map(str::to_string);
    }
    let mut field_selector = p.value("field-selector").map(str::to_string);
    if let Some(node) = p.value("node") {
        let by_node = format!("spec.nodeName={node}");
        field_selector = Some(match field_selector {
            Some(f) => format!("{f},{by_node}"),
            None => by_node,
        });
    }
    Ok(Options {
        namespaces,
        pods,
        exclude_pods: regexes(p, "exclude-pod")?,
        containers: Regex::re2(p.value("container").unwrap_or(".*")).map_err(|e| error(format!("failed to compile regular expression for container query: {e}")))?,
        exclude_containers: regexes(p, "exclude-container")?,
        exclude: regexes(p, "exclude")?,
        include: regexes(p, "include")?,
        selector,
        field_selector,
        tail,
        since_seconds,
        timestamps,
        format,
        follow,
        color,
        only_log_lines: p.bool("only-log-lines"),
        init_containers: p.value("init-containers") != Some("false"),
        ephemeral_containers: p.value("ephemeral-containers") != Some("false"),
        states,
        diff_container: p.bool("diff-container"),
        show_namespace,
    })
}

/// What `KIND/NAME` selects: a pod by its exact name, the others by their pod template's labels.
fn resource_pods(api: &mut dyn Transport, ns: &str, resource: &str) -> Result<(Regex, Option<String>), Failure> {
    let parts: Vec<&str> = resource.split('/').collect();
    let [kind, name] = parts[..] else {
        return Err(error("resource must be specified in the form \"<resource>/<name>\""));
    };
    let path = match kind {
        "pod" | "po" | "pods" => {
            let exact = format!("^{name}$");
            return Ok((Regex::re2(&exact).map_err(|e| error(format!("failed to compile regular expression for pod: {e}")))?, None));
        }
        "replicationcontroller" | "rc" | "replicationcontrollers" => "/api/v1/namespaces/{}/replicationcontrollers",
        "service" | "svc" | "services" => "/api/v1/namespaces/{}/services",
        "daemonset" | "ds" | "daemonsets" => "/apis/apps/v1/namespaces/{}/daemonsets",
        "deployment" | "deploy" | "deployments" => "/apis/apps/v1/namespaces/{}/deployments",
        "replicaset" | "rs" | "replicasets" => "/apis/apps/v1/namespaces/{}/replicasets",
        "statefulset" | "sts" | "statefulsets" => "/apis/apps/v1/namespaces/{}/statefulsets",
        "job" | "jobs" => "/apis/batch/v1/namespaces/{}/jobs",
        _ => return Err(error(format!("resource type {kind} is not supported"))),
    };
    let path = format!("{}/{}", path.replace("{}", &super::paths::segment(ns)), super::paths::segment(name));
    let obj = super::send_ok(api, &Request::get(&path)).map_err(|f| match f {
        Failure::Server(s) => error(s["message"].as_str().unwrap_or_default()),
        other => other,
    })?;
    let labels = if obj["kind"] == "Service" { &obj["spec"]["selector"] } else { &obj["spec"]["template"]["metadata"]["labels"] };
    let pairs: Vec<String> = labels.as_object().into_iter().flatten().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect();
    if pairs.is_empty() {
        return Err(error(format!("resource {kind}/{name} has no labels to select")));
    }
    Ok((Regex::re2("").map_err(|e| error(e.to_string()))?, Some(pairs.join(","))))
}

/// One followed container.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    namespace: String,
    pod: String,
    container: String,
}

#[derive(Debug)]
struct Followed {
    pod_uid: String,
    container_id: String,
    /// Lines of the container's log already seen.
    seen: usize,
    pod: Value,
}

/// The tailer: it looks at the pods again each poll.
#[derive(Debug)]
pub struct Stern {
    o: Options,
    followed: BTreeMap<Key, Followed>,
}

/// A container status's state word and the ID stern tells instances apart by.
fn state_of(status: &Value) -> (&'static str, String) {
    let st = &status["state"];
    let id = |v: &Value| v.as_str().unwrap_or_default().to_string();
    if st["running"].is_object() {
        ("running", id(&status["containerID"]))
    } else if st["terminated"].is_object() {
        let own = id(&st["terminated"]["containerID"]);
        ("terminated", if own.is_empty() { id(&status["containerID"]) } else { own })
    } else {
        ("waiting", id(&status["lastState"]["terminated"]["containerID"]))
    }
}

/// FNV-1 (32 bit), as Go's `hash/fnv.New32`.
fn fnv1(s: &str) -> u32 {
    s.bytes().fold(2_166_136_261u32, |h, b| h.wrapping_mul(16_777_619) ^ u32::from(b))
}

/// stern's colour pairs: bright for the pod, plain for the container.
const COLORS: [(u8, u8); 6] = [(96, 36), (92, 32), (95, 35), (93, 33), (94, 34), (91, 31)];

impl Stern {
    fn paint(&self, code: u8, text: &str) -> String {
        if self.o.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn colors(&self, key: &Key) -> (u8, u8) {
        let pair = COLORS[(fnv1(&key.pod) % 6) as usize];
        if self.o.diff_container {
            (pair.0, COLORS[(fnv1(&key.container) % 6) as usize].1)
        } else {
            pair
        }
    }

    /// `+ POD › CONTAINER` / `- POD › CONTAINER` (with the namespace first when lines show it).
    fn announce(&self, sign: char, key: &Key, out: &mut Output) {
        if self.o.only_log_lines {
            return;
        }
        let (pc, cc) = self.colors(key);
        let mark = if self.o.color { format!("\x1b[{};1m{sign}\x1b[0m", if sign == '+' { 92 } else { 91 }) } else { sign.to_string() };
        let ns = if self.o.show_namespace { format!("{} ", self.paint(pc, &key.namespace)) } else { String::new() };
        out.err(format!("{mark} {ns}{} › {}\n", self.paint(pc, &key.pod), self.paint(cc, &key.container)));
    }

    /// The pods the query selects now.
    fn pods(&self, api: &mut dyn Transport) -> Vec<Value> {
        let mut query = Vec::new();
        if let Some(s) = &self.o.selector {
            query.push(format!("labelSelector={}", super::get::encode(s)));
        }
        if let Some(f) = &self.o.field_selector {
            query.push(format!("fieldSelector={}", super::get::encode(f)));
        }
        let q = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        let paths: Vec<String> = match &self.o.namespaces {
            None => vec![format!("/api/v1/pods{q}")],
            Some(ns) => ns.iter().map(|n| format!("/api/v1/namespaces/{}/pods{q}", super::paths::segment(n))).collect(),
        };
        let mut pods = Vec::new();
        for path in paths {
            let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
            pods.extend(list["items"].as_array().cloned().unwrap_or_default());
        }
        pods.retain(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default();
            self.o.pods.is_match(name) && !self.o.exclude_pods.iter().any(|r| r.is_match(name))
        });
        pods
    }

    /// Every container of these pods stern would follow: key, pod UID, container ID, state.
    fn targets(&self, pods: &[Value]) -> Vec<(Key, String, String, &'static str, Value)> {
        let mut out = Vec::new();
        for pod in pods {
            let mut statuses: Vec<&Value> = Vec::new();
            let st = &pod["status"];
            if self.o.init_containers {
                statuses.extend(st["initContainerStatuses"].as_array().into_iter().flatten());
            }
            statuses.extend(st["containerStatuses"].as_array().into_iter().flatten());
            if self.o.ephemeral_containers {
                statuses.extend(st["ephemeralContainerStatuses"].as_array().into_iter().flatten());
            }
            for cs in statuses {
                let name = cs["name"].as_str().unwrap_or_default();
                if !self.o.containers.is_match(name) || self.o.exclude_containers.iter().any(|r| r.is_match(name)) {
                    continue;
                }
                let (state, id) = state_of(cs);
                let key = Key { namespace: pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), pod: pod["metadata"]["name"].as_str().unwrap_or_default().to_string(), container: name.to_string() };
                out.push((key, pod["metadata"]["uid"].as_str().unwrap_or_default().to_string(), id, state, pod.clone()));
            }
        }
        out
    }

    /// A container's log as `(time, message)` lines, within `--since`.
    fn log(&self, api: &mut dyn Transport, key: &Key) -> Vec<(String, String)> {
        let path = format!(
            "/api/v1/namespaces/{}/pods/{}/log?container={}&timestamps=true&sinceSeconds={}",
            super::paths::segment(&key.namespace),
            super::paths::segment(&key.pod),
            super::get::encode(&key.container),
            self.o.since_seconds
        );
        let resp = api.send(&Request::get(&path));
        if resp.status >= 400 {
            return Vec::new();
        }
        let text = resp.into_value().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        text.lines().map(|l| l.split_once(' ').map_or((l.to_string(), String::new()), |(t, m)| (t.to_string(), m.to_string()))).collect()
    }

    fn line(&self, key: &Key, pod: &Value, time: &str, message: &str) -> Option<String> {
        if self.o.exclude.iter().any(|r| r.is_match(message)) || (!self.o.include.is_empty() && !self.o.include.iter().any(|r| r.is_match(message))) {
            return None;
        }
        // `default` is the kubelet's own RFC 3339 time with nine fractional digits, in UTC.
        let stamp = self.o.timestamps.as_deref().map(|f| match f {
            "short" => {
                let r = crate::sim::clock::Timestamp::parse_rfc3339(time).unwrap_or_default().rfc3339();
                format!("{}-{} {}", &r[5..7], &r[8..10], &r[11..19])
            }
            _ => time.to_string(),
        });
        Some(match self.o.format {
            Format::Default => {
                let (pc, cc) = self.colors(key);
                let ns = if self.o.show_namespace { format!("{} ", self.paint(pc, &key.namespace)) } else { String::new() };
                let ts = stamp.map(|s| format!("{s} ")).unwrap_or_default();
                format!("{ns}{} {} {ts}{message}\n", self.paint(pc, &key.pod), self.paint(cc, &key.container))
            }
            Format::Raw => format!("{}{message}\n", stamp.map(|s| format!("{s} ")).unwrap_or_default()),
            Format::Json => {
                // Go marshals stern's Log struct in field order; maps sort their keys.
                let enc = |v: &Value| super::gojson::encode(v);
                let text = |t: &str| enc(&Value::String(t.to_string()));
                let map = |v: &Value| if v.is_object() { enc(v) } else { "null".to_string() };
                let ts = stamp.map(|s| format!(",\"timestamp\":{}", text(&s))).unwrap_or_default();
                format!(
                    "{{\"message\":{}{ts},\"nodeName\":{},\"namespace\":{},\"podName\":{},\"containerName\":{},\"labels\":{},\"annotations\":{}}}\n",
                    text(message),
                    text(pod["spec"]["nodeName"].as_str().unwrap_or_default()),
                    text(&key.namespace),
                    text(&key.pod),
                    text(&key.container),
                    map(&pod["metadata"]["labels"]),
                    map(&pod["metadata"]["annotations"])
                )
            }
        })
    }

    /// One look at the cluster: containers that start or stop being followed, then the new
    /// lines of all of them in time order.
    fn step(&mut self, api: &mut dyn Transport, out: &mut Output) {
        let pods = self.pods(api);
        let targets = self.targets(&pods);
        // Pods that went (or were replaced under the same name) stop being followed.
        let gone: Vec<Key> = self
            .followed
            .iter()
            .filter(|(k, f)| !pods.iter().any(|p| p["metadata"]["name"] == k.pod.as_str() && p["metadata"]["namespace"] == k.namespace.as_str() && p["metadata"]["uid"] == f.pod_uid.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            if self.o.follow {
                self.announce('-', &k, out);
            }
            self.followed.remove(&k);
        }
        let mut lines: Vec<(String, Key, String)> = Vec::new();
        for (key, uid, id, state, pod) in targets {
            if id.is_empty() {
                continue;
            }
            let known = self.followed.get(&key).is_some_and(|f| f.pod_uid == uid && f.container_id == id);
            if !known {
                let first_sight = !self.followed.contains_key(&key);
                if first_sight && !self.o.states.iter().any(|s| s == "all" || s == state) {
                    continue;
                }
                self.announce('+', &key, out);
                let log = self.log(api, &key);
                let shown = if self.o.tail >= 0 { log.len().saturating_sub(self.o.tail as usize) } else { 0 };
                lines.extend(log[shown..].iter().map(|(t, m)| (t.clone(), key.clone(), m.clone())));
                self.followed.insert(key, Followed { pod_uid: uid, container_id: id, seen: log.len(), pod });
                continue;
            }
            if !self.o.follow {
                continue;
            }
            let log = self.log(api, &key);
            if let Some(f) = self.followed.get_mut(&key) {
                if log.len() > f.seen {
                    lines.extend(log[f.seen..].iter().map(|(t, m)| (t.clone(), key.clone(), m.clone())));
                }
                f.seen = log.len();
                f.pod = pod;
            }
        }
        lines.order_by(|a, b| a.0.cmp(&b.0));
        for (time, key, message) in lines {
            let pod = self.followed.get(&key).map(|f| f.pod.clone()).unwrap_or(Value::Null);
            if let Some(l) = self.line(&key, &pod, &time, &message) {
                out.out(l);
            }
        }
    }
}

impl Running for Stern {
    fn poll(&mut self, api: &mut dyn Transport, out: &mut Output) -> Option<Result<(), Failure>> {
        self.step(api, out);
        None
    }

    fn next_poll(&self, _api: &dyn Transport) -> Duration {
        Duration::from_secs(1)
    }
}

/// `stern ARGS`: what it prints at once, and the tailer when it follows on.
pub fn start(k: &mut Kubectl, api: &mut dyn Transport, words: &[String], tty: bool, out: &mut Output) -> Result<Option<Box<dyn Running>>, Failure> {
    // `-t` alone means `--timestamps=default` (pflag's NoOptDefVal).
    let words: Vec<String> = words.iter().map(|w| if w == "-t" || w == "--timestamps" { "--timestamps=default".to_string() } else { w.clone() }).collect();
    let p = args::parse(&words, FLAGS).map_err(|e| error(e.to_string().trim_start_matches("error: ").to_string()))?;
    if p.bool("version") {
        out.out(VERSION);
        return Ok(None);
    }
    if p.args.len() > 1 {
        return Err(error(format!("accepts at most 1 arg(s), received {}", p.args.len())));
    }
    let o = options(k, api, &p, tty)?;
    let mut stern = Stern { o, followed: BTreeMap::new() };
    stern.step(api, out);
    if !stern.o.follow {
        return Ok(None);
    }
    Ok(Some(Box::new(stern)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1_is_gos_new32() {
        // hash/fnv New32 of "" is the offset basis; of "a" a known value.
        assert_eq!(fnv1(""), 0x811c_9dc5);
        assert_eq!(fnv1("a"), 0x050c_5d7e);
    }

    #[test]
    fn states_and_ids_come_from_the_status() {
        let running = serde_json::json!({"state": {"running": {}}, "containerID": "containerd://1"});
        assert_eq!(state_of(&running), ("running", "containerd://1".to_string()));
        let waiting = serde_json::json!({"state": {"waiting": {}}, "lastState": {"terminated": {"containerID": "containerd://0"}}});
        assert_eq!(state_of(&waiting), ("waiting", "containerd://0".to_string()));
    }
}
