//! `kubectl drain`: cordon the node, then evict its pods through the eviction API, retrying
//! while a disruption budget says no, and wait for them to go — on the simulated clock.

use serde_json::{json, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::{Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;
use crate::sim::clock::Duration;

pub const FLAGS: &[Flag] = &[
    flag("ignore-daemonsets", None, Takes::Bool),
    flag("delete-emptydir-data", None, Takes::Bool),
    flag("delete-local-data", None, Takes::Bool),
    flag("force", None, Takes::Bool),
    flag("grace-period", None, Takes::Value),
    flag("timeout", None, Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("pod-selector", None, Takes::Value),
    flag("disable-eviction", None, Takes::Bool),
    flag("skip-wait-for-delete-timeout", None, Takes::Value),
    flag("chunk-size", None, Takes::Value),
    flag("dry-run", None, Takes::Value),
];

/// How long drain waits without `--timeout` before giving up here (the real one waits forever).
const MAX_WAIT: Duration = Duration::from_secs(3600);
const RETRY: Duration = Duration::from_secs(5);

fn owner_kind(p: &Value) -> Option<String> {
    p["metadata"]["ownerReferences"].as_array()?.iter().find(|o| o["controller"] == true).and_then(|o| o["kind"].as_str().map(str::to_string))
}

fn id(p: &Value) -> String {
    format!("{}/{}", p["metadata"]["namespace"].as_str().unwrap_or_default(), p["metadata"]["name"].as_str().unwrap_or_default())
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let _ = k;
    let Some(node) = p.args.get(1).cloned() else {
        return Err(Failure::Raw("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples\n".into()));
    };
    let node_path = format!("/api/v1/nodes/{node}", node = super::paths::segment(&node));
    let cur = super::get_object(api, &node_path)?;
    if cur["spec"]["unschedulable"] == true {
        out.out(format!("node/{node} already cordoned\n"));
    } else {
        let req = super::patch_request(&node_path, "application/strategic-merge-patch+json", &json!({"spec": {"unschedulable": true}}));
        super::send_ok(api, &req)?;
        out.out(format!("node/{node} cordoned\n"));
    }
    let list = api.send(&Request::get(&format!("/api/v1/pods?fieldSelector=spec.nodeName%3D{node}"))).into_value().unwrap_or(Value::Null);
    let pods: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
    let (mut daemon, mut unmanaged, mut local, mut local_deleted) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut evict: Vec<Value> = Vec::new();
    for pod in pods {
        if pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() {
            continue;
        }
        let finished = matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
        let kind = owner_kind(&pod);
        if kind.as_deref() == Some("DaemonSet") && !finished {
            daemon.push(id(&pod));
            continue;
        }
        if kind.is_none() && !finished && !p.bool("force") {
            unmanaged.push(id(&pod));
            continue;
        }
        let has_empty_dir = pod["spec"]["volumes"].as_array().into_iter().flatten().any(|v| v["emptyDir"].is_object());
        if has_empty_dir && !finished {
            if !p.bool("delete-emptydir-data") && !p.bool("delete-local-data") {
                local.push(id(&pod));
                continue;
            }
            // The warning survives only when no later filter passes the pod (no controller).
            if kind.is_none() {
                local_deleted.push(id(&pod));
            }
        }
        evict.push(pod);
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if !daemon.is_empty() {
        if p.bool("ignore-daemonsets") {
            warnings.push(format!("ignoring DaemonSet-managed Pods: {}", daemon.join(", ")));
        } else {
            errors.push(format!("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}", daemon.join(", ")));
        }
    }
    if !unmanaged.is_empty() {
        // kubectl's own doubled wording.
        errors.push(format!("cannot delete cannot delete Pods that declare no controller (use --force to override): {}", unmanaged.join(", ")));
    }
    if !local.is_empty() {
        errors.push(format!("cannot delete Pods with local storage (use --delete-emptydir-data to override): {}", local.join(", ")));
    }
    if !local_deleted.is_empty() {
        warnings.push(format!("deleting Pods with local storage: {}", local_deleted.join(", ")));
    }
    let forced: Vec<String> = evict.iter().filter(|p| owner_kind(p).is_none() && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))).map(id).collect();
    if !forced.is_empty() {
        warnings.push(format!("deleting Pods that declare no controller: {}", forced.join(", ")));
    }
    if !errors.is_empty() {
        let joined = if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) };
        out.err(format!("error: unable to drain node {node:?} due to error: {joined}, continuing command...\n"));
        out.err(format!("There are pending nodes to be drained:\n {node}\n"));
        for e in &errors {
            out.err(format!("{e}\n"));
        }
        return Err(Failure::Exit(1));
    }
    if !warnings.is_empty() {
        out.err(format!("Warning: {}\n", warnings.join("; ")));
    }
    let limit = p.value("timeout").and_then(super::rollout::go_duration).filter(|d| d.as_millis() > 0).unwrap_or(MAX_WAIT);
    let start = api.now();
    let mut pending: Vec<(Value, bool)> = evict.into_iter().map(|p| (p, false)).collect();
    let mut next_try = start;
    loop {
        let now = api.now();
        if now >= next_try {
            next_try = now.plus(RETRY);
            for (pod, done) in pending.iter_mut().filter(|(_, d)| !*d) {
                let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
                let name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
                out.out(format!("evicting pod {ns}/{name}\n"));
                let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}, "deleteOptions": {}});
                let resp = api.send(&Request::post(&format!("/api/v1/namespaces/{ns}/pods/{name}/eviction", ns = super::paths::segment(&ns), name = super::paths::segment(&name)), eviction));
                match resp.status {
                    200..=299 | 404 => *done = true,
                    429 => {
                        let msg = resp.into_value().unwrap_or(Value::Null)["message"].as_str().unwrap_or_default().to_string();
                        out.err(format!("error when evicting pods/{name:?} -n {ns:?} (will retry after 5s): {msg}\n"));
                    }
                    _ => {
                        let body = resp.into_value().unwrap_or(Value::Null);
                        return Err(Failure::client(format!("error when evicting pods/{name:?} -n {ns:?}: {}", body["message"].as_str().unwrap_or_default())));
                    }
                }
            }
        }
        // Evicted pods are reported once they are gone (or replaced by a new pod of that name).
        for (pod, done) in pending.iter_mut() {
            if !*done || pod.is_null() {
                continue;
            }
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
            let name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let now_obj = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods/{name}", ns = super::paths::segment(&ns), name = super::paths::segment(&name))));
            let gone = now_obj.status == 404 || now_obj.into_value().is_some_and(|o| o["metadata"]["uid"] != pod["metadata"]["uid"]);
            if gone {
                out.out(format!("pod/{name} evicted\n"));
                *pod = Value::Null;
            }
        }
        if pending.iter().all(|(p, _)| p.is_null()) {
            break;
        }
        if api.now().since(start) >= limit {
            let left: Vec<&Value> = pending.iter().filter(|(p, _)| !p.is_null()).map(|(p, _)| p).collect();
            let errs: Vec<String> = left.iter().map(|p| format!("error when evicting pods/{:?} -n {:?}: global timeout reached: {}", p["metadata"]["name"].as_str().unwrap_or_default(), p["metadata"]["namespace"].as_str().unwrap_or_default(), crate::api::duration::go_duration_text(limit))).collect();
            let joined = if errs.len() == 1 { errs[0].clone() } else { format!("[{}]", errs.join(", ")) };
            out.err(format!("There are pending pods in node {node:?} when an error occurred: {joined}\n"));
            for pod in &left {
                out.err(format!("pod/{}\n", pod["metadata"]["name"].as_str().unwrap_or_default()));
            }
            out.err(format!("error: unable to drain node {node:?} due to error: {joined}, continuing command...\nThere are pending nodes to be drained:\n {node}\n{joined}\n"));
            return Err(Failure::Exit(1));
        }
        // kubectl polls once a second for the evicted pods to be gone.
        api.sleep(Duration::from_secs(1));
    }
    out.out(format!("node/{node} drained\n"));
    Ok(())
}

