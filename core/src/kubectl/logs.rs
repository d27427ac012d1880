//! `kubectl logs`: a pod's container log, or the best pod of a controller (`deployment/web`,
//! `job/hello`) chosen as kubectl chooses it, through the `log` subresource.

use crate::sort::Order;
use serde_json::Value;

use super::args::{flag, Flag, Parsed, Takes};
use super::{get, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

pub const FLAGS: &[Flag] = &[
    flag("container", Some('c'), Takes::Value),
    flag("previous", Some('p'), Takes::Bool),
    flag("tail", None, Takes::Value),
    flag("timestamps", None, Takes::Bool),
    flag("follow", Some('f'), Takes::Bool),
    flag("since", None, Takes::Value),
    flag("since-time", None, Takes::Value),
    flag("limit-bytes", None, Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("all-containers", None, Takes::Bool),
    flag("all-pods", None, Takes::Bool),
    flag("prefix", None, Takes::Bool),
    flag("max-log-requests", None, Takes::Value),
    flag("ignore-errors", None, Takes::Bool),
    flag("insecure-skip-tls-verify-backend", None, Takes::Bool),
    flag("pod-running-timeout", None, Takes::Value),
];

pub(super) fn ready_since(p: &Value) -> Option<String> {
    p["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == "Ready" && c["status"] == "True").and_then(|c| c["lastTransitionTime"].as_str().map(str::to_string))
}

pub(super) fn max_restarts(p: &Value) -> i64 {
    p["status"]["containerStatuses"].as_array().into_iter().flatten().map(|c| c["restartCount"].as_i64().unwrap_or(0)).max().unwrap_or(0)
}

/// kubectl's ByLogging order: scheduled, running, ready (longest first), most restarts, oldest.
fn logging_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let node = |p: &Value| p["spec"]["nodeName"].as_str().unwrap_or_default().to_string();
    let (na, nb) = (node(a), node(b));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if !na.is_empty() { Ordering::Less } else { Ordering::Greater };
    }
    // Go's map lookup: a phase it does not list (Succeeded, Failed) counts as Running.
    let phase = |p: &Value| match p["status"]["phase"].as_str() {
        Some("Unknown") => 1,
        Some("Pending") => 2,
        _ => 0,
    };
    if phase(a) != phase(b) {
        return phase(a).cmp(&phase(b));
    }
    let (ra, rb) = (ready_since(a), ready_since(b));
    if ra.is_some() != rb.is_some() {
        return if ra.is_some() { Ordering::Less } else { Ordering::Greater };
    }
    if let (Some(x), Some(y)) = (&ra, &rb) {
        if x != y {
            return x.cmp(y);
        }
    }
    if max_restarts(a) != max_restarts(b) {
        return max_restarts(b).cmp(&max_restarts(a));
    }
    let created = |p: &Value| p["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string();
    created(a).cmp(&created(b))
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let args = &p.args[1..p.before_dash.max(1)];
    let pods: Vec<Value> = if let Some(sel) = p.value("selector") {
        let list = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods?labelSelector={}", get::encode(sel), ns = super::paths::segment(&ns)))).into_value().unwrap_or(Value::Null);
        let pods: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
        if pods.is_empty() {
            out.err(format!("No resources found in {ns} namespace.\n"));
            return Ok(());
        }
        pods
    } else {
        let Some(target) = args.first() else {
            return Err(Failure::Raw("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n".into()));
        };
        let (kind, name) = match target.split_once('/') {
            Some((t, n)) => (t.to_string(), n.to_string()),
            None => ("pods".to_string(), target.clone()),
        };
        let r = k.resolve(api, &kind).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {kind:?}")))?;
        let obj_resp = api.send(&Request::get(&r.object_path(Some(&ns), &name)));
        let status = obj_resp.status;
        let obj = obj_resp.into_value().unwrap_or(Value::Null);
        if status >= 400 {
            if r.kind == "Pod" && status == 404 {
                return Err(Failure::client(format!("error from server (NotFound): pods {name:?} not found in namespace {ns:?}")));
            }
            return Err(Failure::Server(obj));
        }
        if r.kind == "Pod" {
            vec![obj]
        } else {
            let selector = match r.kind.as_str() {
                "ReplicationController" => obj["spec"]["selector"].clone(),
                _ => obj["spec"]["selector"]["matchLabels"].clone(),
            };
            let sel = selector.as_object().map(|m| m.iter().map(|(k2, v)| format!("{k2}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(",")).unwrap_or_default();
            let list = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods?labelSelector={}", get::encode(&sel), ns = super::paths::segment(&ns)))).into_value().unwrap_or(Value::Null);
            let mut pods: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
            if pods.is_empty() {
                return Err(Failure::client("timed out waiting for the condition".to_string()));
            }
            pods.order_by(logging_order);
            if pods.len() > 1 {
                out.err(format!("Found {} pods, using pod/{}\n", pods.len(), pods[0]["metadata"]["name"].as_str().unwrap_or_default()));
            }
            vec![pods.swap_remove(0)]
        }
    };
    let multi = pods.len() > 1;
    let n_pods = pods.len();
    for (pi, pod) in pods.into_iter().enumerate() {
        let pname = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let containers: Vec<String> = pod["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
        let inits: Vec<String> = pod["spec"]["initContainers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
        let chosen: Vec<String> = if p.bool("all-containers") {
            inits.iter().chain(containers.iter()).cloned().collect()
        } else if let Some(c) = p.value("container") {
            vec![c.to_string()]
        } else {
            let default = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str().map(str::to_string).filter(|d| containers.contains(d));
            let first = default.or_else(|| containers.first().cloned()).unwrap_or_default();
            if containers.len() + inits.len() > 1 && !multi {
                let mut all: Vec<String> = containers.clone();
                all.extend(inits.iter().map(|i| format!("{i} (init)")));
                out.err(format!("Defaulted container {first:?} out of: {}\n", all.join(", ")));
            }
            vec![first]
        };
        let n_containers = chosen.len();
        for (ci, c) in chosen.into_iter().enumerate() {
            let last = pi + 1 == n_pods && ci + 1 == n_containers;
            let mut q = vec![format!("container={c}")];
            if p.bool("previous") {
                q.push("previous=true".into());
            }
            if let Some(t) = p.value("tail").filter(|t| *t != "-1") {
                q.push(format!("tailLines={t}"));
            } else if p.has("selector") {
                q.push("tailLines=10".into());
            }
            if p.bool("timestamps") {
                q.push("timestamps=true".into());
            }
            if let Some(d) = p.value("since").and_then(super::rollout::go_duration) {
                q.push(format!("sinceSeconds={}", (d.as_millis() + 999) / 1000));
            }
            if let Some(t) = p.value("since-time") {
                q.push(format!("sinceTime={}", get::encode(t)));
            }
            if let Some(b) = p.value("limit-bytes") {
                q.push(format!("limitBytes={b}"));
            }
            let resp = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods/{pname}/log?{}", q.join("&"), ns = super::paths::segment(&ns), pname = super::paths::segment(&pname))));
            let status = resp.status;
            let body = resp.into_value().unwrap_or(Value::Null);
            if status >= 400 {
                return Err(Failure::Server(body));
            }
            let text = body.as_str().unwrap_or_default().to_string();
            print_lines(out, p.bool("prefix"), &pname, &c, &text);
            if p.bool("follow") {
                let mut job = FollowLogs::new(api, p.bool("prefix"), &ns, &pname, &c);
                if let Some(r) = super::running::Running::poll(&mut job, api, out) {
                    r?;
                } else if last {
                    // The last (usually the only) container follows on; the terminal polls it.
                    k.launched = Some(Box::new(job));
                    return Ok(());
                } else {
                    super::running::drive(api, &mut job, out);
                }
            }
        }
    }
    Ok(())
}

fn print_lines(out: &mut Output, prefix: bool, pod: &str, container: &str, text: &str) {
    if prefix {
        for line in text.lines() {
            out.out(format!("[pod/{pod}/{container}] {line}\n"));
        }
    } else {
        out.out(text.to_string());
    }
}

/// `logs -f`: new lines as simulated time passes, until the container has terminated.
#[derive(Debug)]
pub struct FollowLogs {
    prefix: bool,
    ns: String,
    pod: String,
    container: String,
    /// How much of the log has been printed.
    seen: usize,
}

impl FollowLogs {
    fn new(api: &mut dyn Transport, prefix: bool, ns: &str, pod: &str, container: &str) -> FollowLogs {
        let resp = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods/{pod}/log?container={container}", ns = super::paths::segment(ns), pod = super::paths::segment(pod))));
        let seen = resp.into_value().and_then(|v| v.as_str().map(str::len)).unwrap_or(0);
        FollowLogs { prefix, ns: ns.to_string(), pod: pod.to_string(), container: container.to_string(), seen }
    }
}

impl super::running::Running for FollowLogs {
    fn poll(&mut self, api: &mut dyn Transport, out: &mut Output) -> Option<Result<(), Failure>> {
        let (ns, pod, container) = (&self.ns, &self.pod, &self.container);
        let obj = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods/{pod}", ns = super::paths::segment(ns), pod = super::paths::segment(pod)))).into_value().unwrap_or(Value::Null);
        let terminated = obj.is_null()
            || ["containerStatuses", "initContainerStatuses"]
                .iter()
                .flat_map(|k| obj["status"][*k].as_array().cloned().unwrap_or_default())
                .any(|st| st["name"] == container.as_str() && st["state"]["terminated"].is_object());
        let resp = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods/{pod}/log?container={container}", ns = super::paths::segment(ns), pod = super::paths::segment(pod))));
        let all = resp.into_value().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        if all.len() > self.seen && all.is_char_boundary(self.seen) {
            print_lines(out, self.prefix, pod, container, &all[self.seen..]);
        }
        self.seen = all.len();
        terminated.then_some(Ok(()))
    }
}
