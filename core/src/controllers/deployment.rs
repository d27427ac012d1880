//! The Deployment controller: one ReplicaSet per pod template (named by the template's hash),
//! rolled to with RollingUpdate (within maxSurge and maxUnavailable) or Recreate, revisions in
//! annotations, old ReplicaSets trimmed to revisionHistoryLimit, and status with conditions.

use crate::sim::clock::{Duration, Timestamp};
use crate::sort::Order;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};

use super::replicaset::controller_uid;
use super::unchanged::{inputs_of, Unchanged};
use super::{Client, Controller};

/// A Deployment's pass reads it, its ReplicaSets and their pods, so it is skipped while they are
/// as they were after a pass that changed nothing; not with minReadySeconds, which brings in the
/// time without a wake-up of its own.
#[derive(Default)]
pub struct DeploymentController {
    unchanged: Unchanged<String>,
}

const REVISION: &str = "deployment.kubernetes.io/revision";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
const HASH_LABEL: &str = "pod-template-hash";

/// FNV-1a over the template, rendered with Kubernetes' safe alphabet (as `pod-template-hash`).
pub fn template_hash(template: &Value, collisions: i64) -> String {
    let text = format!("{}{}", template, if collisions > 0 { collisions.to_string() } else { String::new() });
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    // SafeEncodeString: each character of the decimal hash picks from the alphabet by its code.
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    h.to_string().bytes().map(|b| ALPHABET[b as usize % ALPHABET.len()] as char).collect()
}

/// An int-or-percent of `total`, rounding up (surge) or down (unavailable).
pub(crate) fn resolve(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            let x = pct * total;
            if round_up {
                (x + 99) / 100
            } else {
                x / 100
            }
        }
        _ => 0,
    }
}

fn replicas(o: &Value) -> i64 {
    o["spec"]["replicas"].as_i64().unwrap_or(0)
}

fn revision(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION].as_str().and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(l) = t["metadata"]["labels"].as_object_mut() {
        l.remove(HASH_LABEL);
    }
    t
}

impl Controller for DeploymentController {
    fn name(&self) -> &'static str {
        "deployment-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for d in c.list("deployments.apps", None) {
            if d["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            let key = uid(&d).to_string();
            let inputs = inputs_of(c, &d, &["replicasets.apps", "pods"]);
            self.unchanged.run(c, key, inputs, |c| sync_one(c, &d));
        }
    }
}

fn with_kind(d: &Value) -> Value {
    let mut o = d.clone();
    o["apiVersion"] = json!("apps/v1");
    o["kind"] = json!("Deployment");
    o
}

/// Sets a ReplicaSet's replicas (with an Event); returns whether it changed them.
fn scale(c: &mut Client, d: &Value, rs: &Value, to: i64, verb: &str) -> bool {
    if replicas(rs) == to {
        return false;
    }
    let from = replicas(rs);
    let patch = json!({"metadata": {"annotations": {DESIRED: replicas(d).to_string(), MAX_REPLICAS: (replicas(d) + max_surge(d)).to_string()}}, "spec": {"replicas": to}});
    if c.merge_patch("apps/v1", "replicasets", namespace(rs), name(rs), "", &patch).is_err() {
        return false;
    }
    let _ = verb;
    let direction = if to > from { "up" } else { "down" };
    c.event(&with_kind(d), "Normal", "ScalingReplicaSet", &format!("Scaled {direction} replica set {} from {from} to {to}", name(rs)));
    true
}

fn max_surge(d: &Value) -> i64 {
    if d["spec"]["strategy"]["type"] == "Recreate" {
        return 0;
    }
    resolve(&d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], replicas(d), true)
}

fn max_unavailable(d: &Value) -> i64 {
    if d["spec"]["strategy"]["type"] == "Recreate" {
        return replicas(d);
    }
    resolve(&d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], replicas(d), false)
}

fn is_recreate(d: &Value) -> bool {
    d["spec"]["strategy"]["type"] == "Recreate"
}

fn sync_one(c: &mut Client, d: &Arc<Value>) {
    let duid = uid(d).to_string();
    let mut owned: Vec<Arc<Value>> = c.owned("replicasets.apps", &duid).into_iter().filter(|rs| controller_uid(rs) == Some(duid.as_str())).collect();
    owned.order_by_key(|rs| revision(rs));
    let template = without_hash(&d["spec"]["template"]);
    let new_rs = owned.iter().find(|rs| without_hash(&rs["spec"]["template"]) == template).cloned();
    let paused = d["spec"]["paused"] == true;
    let max_rev = owned.iter().map(|rs| revision(rs)).max().unwrap_or(0);
    let found = new_rs.is_some();
    let mut new_rs = match new_rs {
        Some(rs) => {
            // A template rolled back to gets the next revision.
            if revision(&rs) < max_rev && !paused {
                let patch = json!({"metadata": {"annotations": {REVISION: (max_rev + 1).to_string()}}});
                match c.merge_patch("apps/v1", "replicasets", namespace(d), name(&rs), "", &patch) {
                    Ok(v) => Some(Arc::new(v)),
                    Err(_) => Some(rs),
                }
            } else {
                Some(rs)
            }
        }
        // Recreate makes its new ReplicaSet only once the old pods are gone.
        None if paused || is_recreate(d) => None,
        None => create_new_rs(c, d, &template, max_rev, &owned),
    };
    let mut olds: Vec<Arc<Value>> = owned.iter().filter(|rs| new_rs.as_ref().is_none_or(|n| uid(n) != uid(rs))).cloned().collect();
    if !paused {
        if is_recreate(d) {
            new_rs = rollout_recreate(c, d, new_rs, &olds, &template, max_rev);
            olds.retain(|o| new_rs.as_ref().is_none_or(|n| uid(n) != uid(o)));
        } else if let Some(new) = &new_rs {
            rollout(c, d, new, &olds);
        }
        cleanup(c, d, &olds);
    }
    let created = !found && new_rs.is_some();
    sync_revision_and_status(c, d, new_rs.as_deref(), &olds, created);
}

/// The ReplicaSet of the Deployment's current template, named by its hash, at the next
/// revision. It starts with every replica when nothing else runs (a first rollout, or Recreate
/// once the old pods are gone), else with none.
fn create_new_rs(c: &mut Client, d: &Value, template: &Value, max_rev: i64, owned: &[Arc<Value>]) -> Option<Arc<Value>> {
    let ns = namespace(d).to_string();
    let hash = template_hash(template, d["status"]["collisionCount"].as_i64().unwrap_or(0));
    let mut t = template.clone();
    t["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut selector = d["spec"]["selector"].clone();
    selector["matchLabels"][HASH_LABEL] = json!(hash);
    let mut labels = d["spec"]["template"]["metadata"]["labels"].clone();
    labels[HASH_LABEL] = json!(hash);
    let initial = if is_recreate(d) || owned.iter().all(|rs| replicas(rs) == 0) { replicas(d) } else { 0 };
    let rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{}-{hash}", name(d)),
            "labels": labels,
            "annotations": {REVISION: (max_rev + 1).to_string(), DESIRED: replicas(d).to_string(), MAX_REPLICAS: (replicas(d) + max_surge(d)).to_string()},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name(d), "uid": uid(d), "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": {"replicas": initial, "minReadySeconds": d["spec"]["minReadySeconds"].as_i64().unwrap_or(0), "selector": selector, "template": t},
    });
    let v = c.create("apps/v1", "replicasets", &ns, rs).ok()?;
    if initial > 0 {
        c.event(&with_kind(d), "Normal", "ScalingReplicaSet", &format!("Scaled up replica set {} from 0 to {initial}", name(&v)));
    }
    Some(Arc::new(v))
}

/// Recreate: every old ReplicaSet is scaled to zero first; while any of their pods has not
/// finished (terminating ones too) nothing else happens; then the new ReplicaSet is made, or
/// scaled, to every replica. Returns the new ReplicaSet, if there is one now.
fn rollout_recreate(c: &mut Client, d: &Value, new: Option<Arc<Value>>, olds: &[Arc<Value>], template: &Value, max_rev: i64) -> Option<Arc<Value>> {
    let mut scaled_down = false;
    for old in olds.iter().filter(|o| replicas(o) > 0) {
        scaled_down |= scale(c, d, old, 0, "down");
    }
    if scaled_down || old_pods_running(c, olds) {
        return new;
    }
    let new = match new {
        Some(n) => n,
        None => return create_new_rs(c, d, template, max_rev, olds),
    };
    scale(c, d, &new, replicas(d), "up");
    Some(new)
}

/// Whether an old ReplicaSet still counts replicas, or has a pod that has not reached
/// Succeeded or Failed (a terminating pod still runs until it is gone).
fn old_pods_running(c: &Client, olds: &[Arc<Value>]) -> bool {
    olds.iter().any(|o| {
        o["status"]["replicas"].as_i64().unwrap_or(0) > 0
            || c.owned("pods", uid(o)).iter().any(|p| controller_uid(p) == Some(uid(o)) && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
    })
}

fn rollout(c: &mut Client, d: &Value, new: &Value, olds: &[Arc<Value>]) {
    let want = replicas(d);
    if olds.iter().all(|o| replicas(o) == 0) {
        scale(c, d, new, want, "up");
        return;
    }
    // Scale up the new ReplicaSet as far as maxSurge allows.
    let total: i64 = replicas(new) + olds.iter().map(|o| replicas(o)).sum::<i64>();
    let room = (want + max_surge(d)) - total;
    if room > 0 && replicas(new) < want {
        let to = (replicas(new) + room).min(want);
        scale(c, d, new, to, "up");
    }
    // Scale old ReplicaSets down as far as maxUnavailable allows, by what the ReplicaSets'
    // statuses say is available.
    let available: i64 = std::iter::once(new).chain(olds.iter().map(|o| &**o)).map(|rs| status_count(rs, "availableReplicas")).sum();
    let min_available = want - max_unavailable(d);
    let new_unavailable = replicas(new) - status_count(new, "availableReplicas");
    let mut can_remove = available - min_available - new_unavailable.max(0);
    // Old pods that are not available anyway may always go.
    for old in olds {
        let unavailable = replicas(old) - status_count(old, "availableReplicas");
        let down_unavailable = unavailable.max(0).min(replicas(old));
        if down_unavailable > 0 {
            scale(c, d, old, replicas(old) - down_unavailable, "down");
        }
    }
    let olds_now: Vec<Arc<Value>> = olds.iter().filter_map(|o| c.get("replicasets.apps", namespace(o), name(o))).collect();
    for old in &olds_now {
        if can_remove <= 0 {
            break;
        }
        let down = replicas(old).min(can_remove);
        if down > 0 {
            scale(c, d, old, replicas(old) - down, "down");
            can_remove -= down;
        }
    }
}

fn cleanup(c: &mut Client, d: &Value, olds: &[Arc<Value>]) {
    let limit = d["spec"]["revisionHistoryLimit"].as_i64().unwrap_or(10).max(0) as usize;
    let idle: Vec<&Arc<Value>> = olds.iter().filter(|o| replicas(o) == 0 && o["status"]["replicas"].as_i64().unwrap_or(0) == 0).collect();
    if idle.len() > limit {
        for o in idle.iter().take(idle.len() - limit) {
            let _ = c.delete("apps/v1", "replicasets", namespace(o), name(o), None);
        }
    }
}

/// A condition as the controller makes it: updated and changed now.
fn new_condition(kind: &str, status: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": message, "lastTransitionTime": now, "lastUpdateTime": now})
}

/// Sets a condition as the controller does: one of the same status and reason is left as it
/// is (message and times too); one of the same status keeps its transition time; the new one
/// goes last.
fn set_condition(conditions: &mut Vec<Value>, mut cond: Value) {
    if let Some(current) = conditions.iter().find(|c| c["type"] == cond["type"]) {
        if current["status"] == cond["status"] && current["reason"] == cond["reason"] {
            return;
        }
        if current["status"] == cond["status"] {
            cond["lastTransitionTime"] = current["lastTransitionTime"].clone();
        }
    }
    conditions.retain(|c| c["type"] != cond["type"]);
    conditions.push(cond);
}

/// `spec.progressDeadlineSeconds`, unless it is absent or the largest int32 (no deadline).
fn progress_deadline(d: &Value) -> Option<i64> {
    d["spec"]["progressDeadlineSeconds"].as_i64().filter(|s| *s != i64::from(i32::MAX))
}

/// A count of a ReplicaSet's status (`availableReplicas`, ...), 0 when it says none.
fn status_count(rs: &Value, field: &str) -> i64 {
    rs["status"][field].as_i64().unwrap_or(0)
}

/// The Deployment's status, summed from its ReplicaSets' statuses as they are now (scaling
/// above changed their specs; their controller counts their pods).
fn sync_revision_and_status(c: &mut Client, d: &Arc<Value>, new: Option<&Value>, olds: &[Arc<Value>], created: bool) {
    let now = c.now();
    let current = |rs: &Value| c.get("replicasets.apps", namespace(rs), name(rs));
    let new_now = new.and_then(current);
    let olds_now: Vec<Arc<Value>> = olds.iter().filter_map(|o| current(o)).collect();
    let all = || new_now.iter().chain(&olds_now);
    let total: i64 = all().map(|rs| status_count(rs, "replicas")).sum();
    let updated = new_now.as_ref().map_or(0, |n| status_count(n, "replicas"));
    let ready: i64 = all().map(|rs| status_count(rs, "readyReplicas")).sum();
    let available: i64 = all().map(|rs| status_count(rs, "availableReplicas")).sum();
    // Unavailable: what the ReplicaSets are asked for, less what is available.
    let unavailable = (all().map(|rs| replicas(rs)).sum::<i64>() - available).max(0);
    let want = replicas(d);
    // The revision of the newest ReplicaSet, recorded with the status (no generation bump).
    let rev = new.map(|n| n["metadata"]["annotations"][REVISION].clone()).filter(|r| !r.is_null());
    let d = c.get("deployments.apps", namespace(d), name(d)).unwrap_or_else(|| d.clone());
    let ts = now.rfc3339();
    let old = &d["status"];
    let mut conditions: Vec<Value> = old["conditions"].as_array().cloned().unwrap_or_default();
    let deadline = progress_deadline(&d);
    // Before Recreate has made its new ReplicaSet, the messages name the Deployment.
    let subject = match new {
        Some(n) => format!("ReplicaSet \"{}\"", name(n)),
        None => format!("Deployment \"{}\"", name(&d)),
    };
    let progressing_now = |conditions: &[Value]| conditions.iter().find(|c| c["type"] == "Progressing").cloned();
    // Pausing and resuming are said first (a deadline that passed is not overwritten).
    if deadline.is_some() && progressing_now(&conditions).is_none_or(|c| c["reason"] != "ProgressDeadlineExceeded") {
        let was_paused = progressing_now(&conditions).is_some_and(|c| c["reason"] == "DeploymentPaused");
        if d["spec"]["paused"] == true && !was_paused {
            set_condition(&mut conditions, new_condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", &ts));
        } else if d["spec"]["paused"] != true && was_paused {
            set_condition(&mut conditions, new_condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", &ts));
        }
    }
    // A new ReplicaSet: made now, or found by a Deployment that has said nothing of progress.
    if let (Some(n), Some(_)) = (new, deadline) {
        if created {
            set_condition(&mut conditions, new_condition("Progressing", "True", "NewReplicaSetCreated", &format!("Created new replica set \"{}\"", name(n)), &ts));
        } else if progressing_now(&conditions).is_none() {
            set_condition(&mut conditions, new_condition("Progressing", "True", "FoundNewReplicaSet", &format!("Found new replica set \"{}\"", name(n)), &ts));
        }
    }
    let min_available = replicas(&d) - max_unavailable(&d);
    if available >= min_available {
        set_condition(&mut conditions, new_condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", &ts));
    } else {
        set_condition(&mut conditions, new_condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", &ts));
    }
    let current = progressing_now(&conditions);
    let complete = updated == want && total == want && available == want;
    match deadline {
        None => conditions.retain(|c| c["type"] != "Progressing"),
        // A paused Deployment's progress is not estimated.
        Some(_) if d["spec"]["paused"] == true => {}
        // A rollout that completed stays so while nothing new rolls out.
        Some(_) if total == updated && current.as_ref().is_some_and(|c| c["reason"] == "NewReplicaSetAvailable") => {}
        Some(seconds) => {
            let old_count = |k: &str| old[k].as_i64().unwrap_or(0);
            let progressed = updated > old_count("updatedReplicas")
                || total - updated < old_count("replicas") - old_count("updatedReplicas")
                || ready > old_count("readyReplicas")
                || available > old_count("availableReplicas");
            if complete {
                set_condition(&mut conditions, new_condition("Progressing", "True", "NewReplicaSetAvailable", &format!("{subject} has successfully progressed."), &ts));
            } else if progressed {
                // Progress updates the condition however it stood, keeping when it turned true.
                let mut cond = new_condition("Progressing", "True", "ReplicaSetUpdated", &format!("{subject} is progressing."), &ts);
                if let Some(cur) = current.as_ref().filter(|c| c["status"] == "True") {
                    cond["lastTransitionTime"] = cur["lastTransitionTime"].clone();
                }
                conditions.retain(|c| c["type"] != "Progressing");
                conditions.push(cond);
            } else if let Some(cur) = current.as_ref().filter(|c| c["reason"] != "NewReplicaSetAvailable") {
                let since = cur["lastUpdateTime"].as_str().and_then(Timestamp::parse_rfc3339);
                let timed_out = cur["reason"] == "ProgressDeadlineExceeded" || since.is_some_and(|t| t.plus(Duration::from_secs(seconds)) < now);
                if timed_out {
                    set_condition(&mut conditions, new_condition("Progressing", "False", "ProgressDeadlineExceeded", &format!("{subject} has timed out progressing."), &ts));
                } else if let Some(t) = since {
                    // Looked at again when the deadline has passed.
                    c.wake_at(t.plus(Duration::from_secs(seconds + 1)));
                }
            }
        }
    }
    // The ReplicaSets' failures to create pods, the new one's first (it leads `all`).
    let failure = |rs: &Arc<Value>| rs["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "ReplicaFailure").cloned();
    match all().find_map(failure) {
        Some(f) => {
            let at = f["lastTransitionTime"].clone();
            let cond = json!({"type": "ReplicaFailure", "status": f["status"], "reason": f["reason"], "message": f["message"], "lastTransitionTime": at, "lastUpdateTime": at});
            set_condition(&mut conditions, cond);
        }
        None => conditions.retain(|c| c["type"] != "ReplicaFailure"),
    }
    let mut status = json!({
        "observedGeneration": d["metadata"]["generation"],
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
        "collisionCount": old["collisionCount"],
        "conditions": conditions,
    });
    if let Some(m) = status.as_object_mut() {
        for k in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"] {
            if m.get(k) == Some(&json!(0)) {
                m.remove(k);
            }
        }
        if m.get("collisionCount").is_some_and(Value::is_null) {
            m.remove("collisionCount");
        }
    }
    let rev_changed = rev.as_ref().is_some_and(|r| d["metadata"]["annotations"][REVISION] != *r);
    if d["status"] != status || rev_changed {
        let mut next = (*d).clone();
        next["status"] = status;
        if let Some(r) = rev {
            next["metadata"]["annotations"][REVISION] = r;
        }
        let _ = c.update_status("apps/v1", "deployments", next);
    }
}
