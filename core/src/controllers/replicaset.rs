//! The ReplicaSet controller: keeps `spec.replicas` pods that match the selector, adopting
//! orphans and releasing pods relabelled out of the selector, creating from the template,
//! deleting the surplus, and reporting status.

use crate::sort::Order;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::labels::Selector;
use crate::api::object::{name, namespace, uid};

use super::unchanged::{inputs_of, Unchanged};
use super::{Client, Controller};

/// An owner's pass reads the owner and the pods, and the time only while a pod waits out
/// minReadySeconds (it then asks to be woken), so it is skipped while the owner and the pods are
/// as they were after a pass that changed nothing.
#[derive(Default)]
pub struct ReplicaSetController {
    unchanged: Unchanged<String>,
}

/// The kinds whose pods this controller manages (ReplicaSets and ReplicationControllers).
struct Kind {
    api_version: &'static str,
    kind: &'static str,
    storage: &'static str,
    resource: &'static str,
}

const KINDS: [Kind; 2] = [
    Kind { api_version: "apps/v1", kind: "ReplicaSet", storage: "replicasets.apps", resource: "replicasets" },
    Kind { api_version: "v1", kind: "ReplicationController", storage: "replicationcontrollers", resource: "replicationcontrollers" },
];

pub fn is_active(pod: &Value) -> bool {
    !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) && pod["metadata"]["deletionTimestamp"].is_null()
}

pub fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// Ready for at least `min_ready` seconds at `now`.
pub fn is_available(pod: &Value, min_ready: i64, now: crate::sim::clock::Timestamp) -> bool {
    let Some(ready) = pod["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready" && c["status"] == "True") else {
        return false;
    };
    if min_ready <= 0 {
        return true;
    }
    ready["lastTransitionTime"].as_str().and_then(crate::sim::clock::Timestamp::parse_rfc3339).is_some_and(|t| now.since(t).whole_secs() >= min_ready)
}

pub fn controller_uid(obj: &Value) -> Option<&str> {
    obj["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)?["uid"].as_str()
}

/// The pod a controller creates from its template.
pub fn pod_from_template(owner: &Value, api_version: &str, kind: &str, template: &Value, generate_name: &str) -> Value {
    let mut meta = json!({
        "generateName": generate_name,
        "namespace": namespace(owner),
        "ownerReferences": [{
            "apiVersion": api_version, "kind": kind, "name": name(owner), "uid": uid(owner),
            "controller": true, "blockOwnerDeletion": true,
        }],
    });
    for k in ["labels", "annotations"] {
        if let Some(v) = template["metadata"].get(k).filter(|v| !v.is_null()) {
            meta[k] = v.clone();
        }
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]})
}

/// Which surplus pod goes first: unscheduled, then pending, then not ready, then newest.
fn deletion_rank(pod: &Value) -> (u8, u8, u8, std::cmp::Reverse<String>) {
    let unscheduled = u8::from(pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty));
    let pending = u8::from(pod["status"]["phase"] == "Pending");
    let unready = u8::from(!is_ready(pod));
    (2 - unscheduled, 2 - pending, 2 - unready, std::cmp::Reverse(pod["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string()))
}

impl Controller for ReplicaSetController {
    fn name(&self) -> &'static str {
        "replicaset-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let mut live = std::collections::BTreeSet::new();
        for k in &KINDS {
            for owner in c.list(k.storage, None) {
                live.insert(uid(&owner).to_string());
                if c.spent() {
                    return;
                }
                if owner["metadata"]["deletionTimestamp"].is_string() {
                    continue;
                }
                let inputs = inputs_of(c, &owner, &["pods"]);
                self.unchanged.run(c, uid(&owner).to_string(), inputs, |c| sync_one(c, k, &owner));
            }
        }
        // Owners that are gone are forgotten (ReplicaSets come and go with every rollout).
        self.unchanged.retain(|k| live.contains(k));
    }
}

fn selector_of(k: &Kind, owner: &Value) -> Value {
    if k.kind == "ReplicationController" {
        json!({"matchLabels": owner["spec"]["selector"]})
    } else {
        owner["spec"]["selector"].clone()
    }
}

/// The pod's ownerReferences with `owner_uid`'s taken out (`null` when none is left).
fn refs_without(pod: &Value, owner_uid: &str) -> Value {
    let left: Vec<Value> = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|r| r["uid"] != owner_uid).cloned().collect();
    if left.is_empty() {
        Value::Null
    } else {
        json!(left)
    }
}

/// Releases the active pods it owns whose labels its selector no longer matches (Kubernetes'
/// ControllerRefManager): their ownerReference to it is taken off, so they live on as orphans.
fn release_unmatched(c: &mut Client, owner: &Value, selector: &Value) {
    let Ok(sel) = Selector::from_label_selector(selector) else { return };
    if sel.is_empty() {
        return;
    }
    let owner_uid = uid(owner);
    for pod in c.owned("pods", owner_uid) {
        if controller_uid(&pod) != Some(owner_uid) || !is_active(&pod) || sel.matches(pod["metadata"]["labels"].as_object()) {
            continue;
        }
        let patch = json!({"metadata": {"ownerReferences": refs_without(&pod, owner_uid)}});
        let _ = c.merge_patch("v1", "pods", namespace(&pod), name(&pod), "", &patch);
    }
}

fn sync_one(c: &mut Client, k: &Kind, owner: &Arc<Value>) {
    let ns = namespace(owner).to_string();
    let owner_uid = uid(owner).to_string();
    let selector = selector_of(k, owner);
    release_unmatched(c, owner, &selector);
    let mut mine: Vec<Arc<Value>> = Vec::new();
    for pod in c.list_selected("pods", &ns, &selector) {
        match controller_uid(&pod) {
            Some(u) if u == owner_uid => mine.push(pod),
            Some(_) => {}
            None if is_active(&pod) => {
                // Adopt an orphan that matches, keeping its other owners.
                let mut refs: Vec<Value> = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|r| r["uid"] != owner_uid.as_str()).cloned().collect();
                refs.push(json!({
                    "apiVersion": k.api_version, "kind": k.kind, "name": name(owner), "uid": owner_uid,
                    "controller": true, "blockOwnerDeletion": true,
                }));
                let patch = json!({"metadata": {"ownerReferences": refs}});
                if let Ok(p) = c.merge_patch("v1", "pods", &ns, name(&pod), "", &patch) {
                    mine.push(Arc::new(p));
                }
            }
            None => {}
        }
    }
    let active: Vec<&Arc<Value>> = mine.iter().filter(|p| is_active(p)).collect();
    let want = owner["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    let owner_obj = with_kind(owner, k);
    // The first error of this pass (quota, admission): it becomes the ReplicaFailure condition.
    let mut failure: Option<String> = None;
    if active.len() < want {
        for _ in active.len()..want {
            // The rest are created on the next pass (status below counts what exists).
            if c.spent() {
                break;
            }
            let pod = pod_from_template(owner, k.api_version, k.kind, &owner["spec"]["template"], &format!("{}-", name(owner)));
            match c.create("v1", "pods", &ns, pod) {
                Ok(p) => c.event(&owner_obj, "Normal", "SuccessfulCreate", &format!("Created pod: {}", name(&p))),
                Err(e) => {
                    // Slow start: the first failure ends the pass.
                    c.event(&owner_obj, "Warning", "FailedCreate", &format!("Error creating: {e}"));
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
    } else if active.len() > want {
        let mut victims: Vec<&Arc<Value>> = active.clone();
        victims.order_by_key(|p| deletion_rank(p));
        for pod in victims.into_iter().take(active.len() - want) {
            if c.spent() {
                break;
            }
            if c.delete("v1", "pods", &ns, name(pod), None).is_ok() {
                c.event(&owner_obj, "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", name(pod)));
            }
        }
    }
    // Status from what exists now.
    let pods: Vec<Arc<Value>> = c.owned("pods", &owner_uid).into_iter().filter(|p| is_active(p)).collect();
    let min_ready = owner["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let now = c.now();
    let labels_match = |p: &Value| {
        owner["spec"]["template"]["metadata"]["labels"]
            .as_object()
            .is_none_or(|l| l.iter().all(|(lk, lv)| p["metadata"]["labels"][lk] == *lv))
    };
    let mut status = json!({
        "replicas": pods.len(),
        "fullyLabeledReplicas": pods.iter().filter(|p| labels_match(p)).count(),
        "readyReplicas": pods.iter().filter(|p| is_ready(p)).count(),
        "availableReplicas": pods.iter().filter(|p| is_available(p, min_ready, now)).count(),
        "observedGeneration": owner["metadata"]["generation"],
    });
    if let Some(m) = status.as_object_mut() {
        for key in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] {
            if m.get(key) == Some(&json!(0)) {
                m.remove(key);
            }
        }
    }
    // ReplicaFailure: set when creating failed, kept while it goes on failing, gone when the
    // pass succeeds.
    let previous = owner["status"]["conditions"].as_array().and_then(|cs| cs.iter().find(|x| x["type"] == "ReplicaFailure").cloned());
    let condition = match (&failure, previous) {
        (Some(msg), Some(prev)) if prev["message"] == json!(msg) => Some(prev),
        (Some(msg), _) => Some(json!({"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": msg, "lastTransitionTime": now.rfc3339()})),
        (None, _) => None,
    };
    if let (Some(cond), Some(m)) = (condition, status.as_object_mut()) {
        m.insert("conditions".into(), json!([cond]));
    }
    // Pods that become available later need another look then.
    if min_ready > 0 && pods.iter().any(|p| is_ready(p) && !is_available(p, min_ready, now)) {
        c.wake_at(now.plus(crate::sim::clock::Duration::from_secs(1)));
    }
    if owner["status"] != status {
        let mut next = (**owner).clone();
        next["status"] = status;
        let _ = c.update_status(k.api_version, k.resource, next);
    }
}

/// The owner with its apiVersion and kind (stored objects have them; this is for Events).
fn with_kind(owner: &Value, k: &Kind) -> Value {
    let mut o = owner.clone();
    o["apiVersion"] = json!(k.api_version);
    o["kind"] = json!(k.kind);
    o
}
