//! `kubectl rollout status|history|undo|restart|pause|resume` for Deployments, DaemonSets and
//! StatefulSets. `status` waits as the real one does, by letting simulated time pass.

use crate::sort::Order;
use serde_json::{json, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::{get, tabwriter, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;
use crate::sim::clock::Duration;

pub const FLAGS: &[Flag] = &[
    flag("watch", Some('w'), Takes::Bool),
    flag("timeout", None, Takes::Value),
    flag("revision", None, Takes::Value),
    flag("to-revision", None, Takes::Value),
    flag("output", Some('o'), Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("dry-run", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("allow-missing-template-keys", None, Takes::Bool),
    flag("show-managed-fields", None, Takes::Bool),
    flag("template", None, Takes::Value),
];

/// The longest `rollout status` waits without `--timeout` (the real one waits forever).
const MAX_WAIT: Duration = Duration::from_secs(3600);

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// What `rollout status` says about an object now, and whether it is done.
fn status_message(kind: &str, o: &Value) -> Result<(String, bool), Failure> {
    let name = o["metadata"]["name"].as_str().unwrap_or_default();
    let gen = i(&o["metadata"]["generation"]);
    let st = &o["status"];
    match kind {
        "Deployment" => {
            if gen > i(&st["observedGeneration"]) {
                return Ok(("Waiting for deployment spec update to be observed...\n".into(), false));
            }
            let progressing = st["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Progressing");
            if progressing.is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
                return Err(Failure::client(format!("deployment {name:?} exceeded its progress deadline")));
            }
            let want = o["spec"]["replicas"].as_i64().unwrap_or(1);
            let (updated, replicas, available) = (i(&st["updatedReplicas"]), i(&st["replicas"]), i(&st["availableReplicas"]));
            if updated < want {
                return Ok((format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false));
            }
            if replicas > updated {
                return Ok((format!("Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false));
            }
            if available < updated {
                return Ok((format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
            }
            Ok((format!("deployment {name:?} successfully rolled out\n"), true))
        }
        "DaemonSet" => {
            if o["spec"]["updateStrategy"]["type"] != "RollingUpdate" {
                return Err(Failure::client("rollout status is only available for RollingUpdate strategy type"));
            }
            if gen > i(&st["observedGeneration"]) {
                return Ok(("Waiting for daemon set spec update to be observed...\n".into(), false));
            }
            let (updated, desired, available) = (i(&st["updatedNumberScheduled"]), i(&st["desiredNumberScheduled"]), i(&st["numberAvailable"]));
            if updated < desired {
                return Ok((format!("Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated...\n"), false));
            }
            if available < desired {
                return Ok((format!("Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available...\n"), false));
            }
            Ok((format!("daemon set {name:?} successfully rolled out\n"), true))
        }
        "StatefulSet" => {
            let strategy = &o["spec"]["updateStrategy"];
            if strategy["type"] != "RollingUpdate" {
                return Err(Failure::client("rollout status is only available for RollingUpdate strategy type"));
            }
            let observed = i(&st["observedGeneration"]);
            if observed == 0 || gen > observed {
                return Ok(("Waiting for statefulset spec update to be observed...\n".into(), false));
            }
            let want = o["spec"]["replicas"].as_i64().unwrap_or(1);
            let ready = i(&st["readyReplicas"]);
            if ready < want {
                return Ok((format!("Waiting for {} pods to be ready...\n", want - ready), false));
            }
            let updated = i(&st["updatedReplicas"]);
            if let Some(partition) = strategy["rollingUpdate"]["partition"].as_i64() {
                if updated < want - partition {
                    return Ok((format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", want - partition), false));
                }
                return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
            }
            let (update_rev, current_rev) = (st["updateRevision"].as_str().unwrap_or_default(), st["currentRevision"].as_str().unwrap_or_default());
            if update_rev != current_rev {
                return Ok((format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"), false));
            }
            Ok((format!("statefulset rolling update complete {} pods at revision {current_rev}...\n", i(&st["currentReplicas"])), true))
        }
        other => Err(Failure::client(format!("no status viewer has been implemented for {other}"))),
    }
}

/// Parses a Go duration (`60s`, `5m`, `1h30m`, `0`).
pub fn go_duration(s: &str) -> Option<Duration> {
    crate::api::duration::parse_go(s)
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let sub = p.args.get(1).cloned().unwrap_or_default();
    let (targets, _) = get::targets(k, api, &p.args[2.min(p.args.len())..])?;
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    if targets.is_empty() {
        return Err(Failure::Raw("error: required resource not specified\n".into()));
    }
    for t in targets {
        if !matches!(t.resource.kind.as_str(), "Deployment" | "DaemonSet" | "StatefulSet") {
            return Err(Failure::client(format!("no {} has been implemented for {:?}", if sub == "history" { "history viewer" } else { "status viewer" }, t.resource.kind)));
        }
        for name in &t.names {
            let path = t.resource.object_path(Some(&ns), name);
            let kg = t.resource.kind_group();
            match sub.as_str() {
                "status" => {
                    if let Some(job) = status(api, &t.resource.kind, &path, p, out)? {
                        k.launched = Some(Box::new(job));
                        return Ok(());
                    }
                }
                "history" => history(api, &t.resource, &ns, &path, &kg, out)?,
                "undo" => undo(api, &t.resource, &ns, &path, &kg, p, out)?,
                "restart" => {
                    let now = api.now().rfc3339();
                    patch(api, &path, &json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}}), "kubectl-rollout")?;
                    out.out(format!("{kg}/{name} restarted\n"));
                }
                "pause" | "resume" => {
                    let cur = super::get_object(api, &path)?;
                    let want = sub == "pause";
                    if cur["spec"]["paused"].as_bool().unwrap_or(false) == want {
                        return Err(Failure::client(format!("{kg}/{name} is {}", if want { "already paused" } else { "not paused" })));
                    }
                    patch(api, &path, &json!({"spec": {"paused": if want { Value::Bool(true) } else { Value::Null }}}), "kubectl-rollout")?;
                    out.out(format!("{kg}/{name} {}\n", if want { "paused" } else { "resumed" }));
                }
                other => return Err(Failure::client(format!("unknown command {other:?} for \"kubectl rollout\""))),
            }
        }
    }
    Ok(())
}


fn patch(api: &mut dyn Transport, path: &str, body: &Value, manager: &str) -> Result<Value, Failure> {
    super::send_ok(api, &super::patch_request(&format!("{path}?fieldManager={manager}"), "application/strategic-merge-patch+json", body))
}

fn status(api: &mut dyn Transport, kind: &str, path: &str, p: &Parsed, out: &mut Output) -> Result<Option<RolloutStatus>, Failure> {
    let limit = match p.value("timeout") {
        Some(t) => go_duration(t).filter(|d| d.as_millis() > 0).unwrap_or(MAX_WAIT),
        None => MAX_WAIT,
    };
    let watch = p.value("watch") != Some("false");
    let mut job = RolloutStatus { kind: kind.to_string(), path: path.to_string(), start: api.now(), limit, last: String::new() };
    match job.check(api, out, watch)? {
        true => Ok(None),
        false => Ok(Some(job)),
    }
}

/// `rollout status` waiting for the rollout: a line each time the message changes.
#[derive(Debug)]
pub struct RolloutStatus {
    kind: String,
    path: String,
    start: crate::sim::clock::Timestamp,
    limit: Duration,
    last: String,
}

impl RolloutStatus {
    /// Prints the status if it changed; whether the command is over.
    fn check(&mut self, api: &mut dyn Transport, out: &mut Output, watch: bool) -> Result<bool, Failure> {
        let o = super::get_object(api, &self.path)?;
        let (msg, done) = status_message(&self.kind, &o)?;
        if msg != self.last {
            out.out(msg.clone());
            self.last = msg;
        }
        if done || !watch {
            return Ok(true);
        }
        if api.now().since(self.start) >= self.limit {
            return Err(Failure::client("timed out waiting for the condition"));
        }
        Ok(false)
    }
}

impl super::running::Running for RolloutStatus {
    fn poll(&mut self, api: &mut dyn Transport, out: &mut Output) -> Option<Result<(), Failure>> {
        match self.check(api, out, true) {
            Ok(true) => Some(Ok(())),
            Ok(false) => None,
            Err(f) => Some(Err(f)),
        }
    }

    fn next_poll(&self, api: &dyn Transport) -> Duration {
        let waited = api.now().since(self.start);
        Duration::from_millis(self.limit.as_millis() - waited.as_millis()).min(Duration::from_secs(1))
    }

    fn script_limit(&self) -> Duration {
        // Its own timeout ends it.
        Duration::from_millis(i64::MAX / 4)
    }
}

/// The controller's revisions: ReplicaSets (Deployments) or ControllerRevisions, by number.
fn revisions(api: &mut dyn Transport, r: &super::discovery::Resource, ns: &str, owner: &Value) -> Vec<(i64, Value)> {
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    let path = if r.kind == "Deployment" { format!("/apis/apps/v1/namespaces/{ns}/replicasets", ns = super::paths::segment(ns)) } else { format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions", ns = super::paths::segment(ns)) };
    let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
    let mut out: Vec<(i64, Value)> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|x| x["uid"] == uid && x["controller"] == true))
        .filter_map(|o| {
            let rev = if r.kind == "Deployment" { o["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str().and_then(|s| s.parse().ok()) } else { o["revision"].as_i64() };
            rev.map(|n| (n, o.clone()))
        })
        .collect();
    out.order_by_key(|(n, _)| *n);
    out
}

fn history(api: &mut dyn Transport, r: &super::discovery::Resource, ns: &str, path: &str, kg: &str, out: &mut Output) -> Result<(), Failure> {
    let o = super::get_object(api, path)?;
    let name = o["metadata"]["name"].as_str().unwrap_or_default();
    let revs = revisions(api, r, ns, &o);
    if revs.is_empty() {
        out.out(format!("No rollout history found in {} {name:?}\n", r.kind.to_lowercase()));
        return Ok(());
    }
    let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
    for (n, rs) in &revs {
        let cause = rs["metadata"]["annotations"]["kubernetes.io/change-cause"].as_str().filter(|s| !s.is_empty()).unwrap_or("<none>");
        text.push_str(&format!("{n}\t{cause}\n"));
    }
    out.out(format!("{kg}/{name} \n{}\n", tabwriter::align_with(&text, 0, 2)));
    Ok(())
}

fn undo(api: &mut dyn Transport, r: &super::discovery::Resource, ns: &str, path: &str, kg: &str, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let o = super::get_object(api, path)?;
    let name = o["metadata"]["name"].as_str().unwrap_or_default().to_string();
    if r.kind != "Deployment" {
        return Err(Failure::client(format!("\"kubectl rollout undo {}\" is not available in Hakoniwa yet", r.kind_group())));
    }
    let revs = revisions(api, r, ns, &o);
    let current = o["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let to: i64 = p.value("to-revision").and_then(|s| s.parse().ok()).unwrap_or(0);
    let target = if to == 0 { revs.iter().rev().find(|(n, _)| *n < current) } else { revs.iter().find(|(n, _)| *n == to) };
    let Some((n, rs)) = target else {
        return Err(Failure::client(if to == 0 { format!("no rollout history found for deployment {name:?}") } else { format!("unable to find specified revision {to} in history") }));
    };
    let mut template = rs["spec"]["template"].clone();
    if let Some(l) = template["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    let mut current_t = o["spec"]["template"].clone();
    if let Some(l) = current_t["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    if current_t == template {
        out.out(format!("{kg}/{name} skipped rollback (current template already matches revision {n})\n"));
        return Ok(());
    }
    let body = json!([{"op": "replace", "path": "/spec/template", "value": template}]);
    let req = super::patch_request(&format!("{path}?fieldManager=kubectl-rollout"), "application/json-patch+json", &body);
    super::send_ok(api, &req)?;
    out.out(format!("{kg}/{name} rolled back\n"));
    Ok(())
}
