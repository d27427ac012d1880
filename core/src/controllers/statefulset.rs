//! The StatefulSet controller: pods with stable names (`<set>-<ordinal>`), hostnames under the
//! governing Service, and one PersistentVolumeClaim per claim template and ordinal, kept when
//! pods go. OrderedReady creates in ordinal order, each after the one before is Running and
//! Ready, and removes from the highest ordinal; Parallel does not wait. A changed template rolls
//! out from the highest ordinal down to the partition.

use crate::sort::Order;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};
use crate::sim::clock::{Duration, Timestamp};

use super::replicaset::{controller_uid, is_available, is_ready, pod_from_template};
use super::{revisions, Client, Controller};

pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

pub struct StatefulSetController;

impl Controller for StatefulSetController {
    fn name(&self) -> &'static str {
        "statefulset-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for set in c.list("statefulsets.apps", None) {
            if set["metadata"]["deletionTimestamp"].is_null() {
                sync_one(c, &set);
            }
        }
    }
}

fn with_kind(set: &Value) -> Value {
    let mut s = set.clone();
    s["apiVersion"] = json!("apps/v1");
    s["kind"] = json!("StatefulSet");
    s
}

fn ordinal_of(set_name: &str, pod: &Value) -> Option<i64> {
    name(pod).strip_prefix(set_name)?.strip_prefix('-')?.parse().ok()
}

fn running_and_ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running" && is_ready(pod)
}

fn terminating(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_string()
}

fn finished(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

/// The template a revision recorded (`data.spec.template` without its `$patch`).
fn template_of(revision: &Value) -> Value {
    let mut t = revision["data"]["spec"]["template"].clone();
    if let Some(m) = t.as_object_mut() {
        m.remove("$patch");
    }
    t
}

struct Ctx<'s> {
    set: &'s Value,
    set_name: String,
    ns: String,
    update_revision: String,
    current_revision: String,
    current_template: Value,
    partition: i64,
}

fn sync_one(c: &mut Client, set: &Arc<Value>) {
    let now = c.now();
    let set_uid = uid(set).to_string();
    let set_name = name(set).to_string();
    let ns = namespace(set).to_string();
    let update = revisions::ensure(c, set, "StatefulSet");
    let revs = revisions::list(c, set);
    // The current revision stays until a rollout completes.
    let current_revision = set["status"]["currentRevision"].as_str().filter(|r| revs.iter().any(|x| name(x) == *r)).unwrap_or(&update.name).to_string();
    let current_template = revs.iter().find(|r| name(r) == current_revision).map_or_else(|| set["spec"]["template"].clone(), |r| template_of(r));
    let rolling = set["spec"]["updateStrategy"]["type"].as_str().unwrap_or("RollingUpdate") == "RollingUpdate";
    let cx = Ctx {
        set,
        set_name: set_name.clone(),
        ns: ns.clone(),
        update_revision: update.name.clone(),
        current_revision: current_revision.clone(),
        current_template,
        partition: if rolling { set["spec"]["updateStrategy"]["rollingUpdate"]["partition"].as_i64().unwrap_or(0) } else { i64::MAX },
    };
    let replicas = set["spec"]["replicas"].as_i64().unwrap_or(1).max(0);
    let start = set["spec"]["ordinals"]["start"].as_i64().unwrap_or(0).max(0);
    let monotonic = set["spec"]["podManagementPolicy"].as_str().unwrap_or("OrderedReady") == "OrderedReady";
    let min_ready = set["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let pods: Vec<Arc<Value>> = c.owned("pods", &set_uid).into_iter().filter(|p| controller_uid(p) == Some(set_uid.as_str())).collect();
    let in_range = |o: i64| o >= start && o < start + replicas;

    let mut blocked = false;
    // Create, replace and wait, in ordinal order.
    for ordinal in start..start + replicas {
        let pod = pods.iter().find(|p| ordinal_of(&set_name, p) == Some(ordinal));
        match pod {
            None => {
                create_pod(c, &cx, ordinal);
                if monotonic {
                    blocked = true;
                    break;
                }
            }
            Some(p) if finished(p) && !terminating(p) => {
                delete_pod(c, &cx, p);
                if monotonic {
                    blocked = true;
                    break;
                }
            }
            Some(p) if monotonic && (terminating(p) || !running_and_ready(p) || !is_available(p, min_ready, now)) => {
                if running_and_ready(p) {
                    wake_when_available(c, p, min_ready, now);
                }
                blocked = true;
                break;
            }
            Some(_) => {}
        }
    }
    // Scale down from the highest ordinal, one at a time when ordered.
    let mut condemned: Vec<&Arc<Value>> = pods.iter().filter(|p| ordinal_of(&set_name, p).is_none_or(|o| !in_range(o))).collect();
    condemned.order_by_key(|p| std::cmp::Reverse(ordinal_of(&set_name, p).unwrap_or(i64::MAX)));
    if !blocked || !monotonic {
        for p in &condemned {
            if terminating(p) {
                if monotonic {
                    blocked = true;
                    break;
                }
                continue;
            }
            delete_pod(c, &cx, p);
            if monotonic {
                blocked = true;
                break;
            }
        }
    }
    // Rolling update: from the highest ordinal down to the partition, one pod at a time.
    if rolling && !blocked && condemned.is_empty() {
        let all_healthy = (start..start + replicas).all(|o| pods.iter().any(|p| ordinal_of(&set_name, p) == Some(o) && running_and_ready(p) && !terminating(p)));
        if all_healthy || !monotonic {
            for ordinal in (start..start + replicas).rev() {
                if ordinal < cx.partition {
                    break;
                }
                let Some(p) = pods.iter().find(|p| ordinal_of(&set_name, p) == Some(ordinal)) else { continue };
                if p["metadata"]["labels"]["controller-revision-hash"] != cx.update_revision.as_str() {
                    if !terminating(p) {
                        delete_pod(c, &cx, p);
                    }
                    break;
                }
            }
        }
    }
    // Status, from the pods as they are now.
    let pods: Vec<Arc<Value>> = c.owned("pods", &set_uid).into_iter().filter(|p| controller_uid(p) == Some(set_uid.as_str())).collect();
    let live: Vec<&Arc<Value>> = pods.iter().filter(|p| !terminating(p)).collect();
    let count_rev = |rev: &str| live.iter().filter(|p| p["metadata"]["labels"]["controller-revision-hash"] == rev).count() as i64;
    let ready = live.iter().filter(|p| running_and_ready(p)).count() as i64;
    let available = live.iter().filter(|p| running_and_ready(p) && is_available(p, min_ready, now)).count() as i64;
    let updated = count_rev(&cx.update_revision);
    let mut current_replicas = count_rev(&cx.current_revision);
    let mut current_rev = cx.current_revision.clone();
    let created = pods.iter().filter(|p| p["status"]["phase"].is_string()).count() as i64;
    if rolling && updated == replicas && ready == replicas && live.len() as i64 == replicas {
        current_rev = cx.update_revision.clone();
        current_replicas = updated;
    }
    let mut status = json!({
        "observedGeneration": set["metadata"]["generation"],
        "replicas": created,
        "availableReplicas": available,
        "currentRevision": current_rev,
        "updateRevision": cx.update_revision,
        "collisionCount": set["status"]["collisionCount"].as_i64().unwrap_or(0),
    });
    for (k, v) in [("readyReplicas", ready), ("currentReplicas", current_replicas), ("updatedReplicas", updated)] {
        if v > 0 {
            status[k] = json!(v);
        }
    }
    let in_use: Vec<String> = pods.iter().filter_map(|p| p["metadata"]["labels"]["controller-revision-hash"].as_str().map(str::to_string)).chain([current_rev.clone()]).collect();
    revisions::cleanup(c, set, &update, &in_use);
    if set["status"] != status {
        let mut next = (**set).clone();
        next["status"] = status;
        let _ = c.update_status("apps/v1", "statefulsets", next);
    }
}

fn wake_when_available(c: &mut Client, pod: &Value, min_ready: i64, now: Timestamp) {
    let since = pod["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "Ready" && x["status"] == "True").and_then(|x| x["lastTransitionTime"].as_str().and_then(Timestamp::parse_rfc3339));
    if let Some(t) = since {
        let at = t.plus(Duration::from_secs(min_ready));
        if at > now {
            c.wake_at(at);
        }
    }
}

fn delete_pod(c: &mut Client, cx: &Ctx, pod: &Value) {
    let about = with_kind(cx.set);
    match c.delete("v1", "pods", &cx.ns, name(pod), None) {
        Ok(_) => c.event(&about, "Normal", "SuccessfulDelete", &format!("delete Pod {} in StatefulSet {} successful", name(pod), cx.set_name)),
        Err(e) => c.event(&about, "Warning", "FailedDelete", &format!("delete Pod {} in StatefulSet {} failed error: {e}", name(pod), cx.set_name)),
    }
}

fn create_pod(c: &mut Client, cx: &Ctx, ordinal: i64) {
    let set = cx.set;
    let about = with_kind(set);
    let pod_name = format!("{}-{ordinal}", cx.set_name);
    // Below the partition, pods keep the current revision's template.
    let (template, revision) = if ordinal < cx.partition { (cx.current_template.clone(), cx.current_revision.clone()) } else { (set["spec"]["template"].clone(), cx.update_revision.clone()) };
    let mut pod = pod_from_template(set, "apps/v1", "StatefulSet", &template, &format!("{}-", cx.set_name));
    pod["metadata"]["name"] = json!(pod_name);
    pod["metadata"]["labels"][POD_NAME_LABEL] = json!(pod_name);
    pod["metadata"]["labels"][POD_INDEX_LABEL] = json!(ordinal.to_string());
    pod["metadata"]["labels"]["controller-revision-hash"] = json!(revision);
    pod["spec"]["hostname"] = json!(pod_name);
    if let Some(svc) = set["spec"]["serviceName"].as_str().filter(|s| !s.is_empty()) {
        pod["spec"]["subdomain"] = json!(svc);
    }
    // One claim per template, created before the pod; the pod's volume of that name uses it.
    for tpl in set["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten() {
        let tpl_name = tpl["metadata"]["name"].as_str().unwrap_or_default();
        let claim = format!("{tpl_name}-{}-{ordinal}", cx.set_name);
        if c.get("persistentvolumeclaims", &cx.ns, &claim).is_none() {
            let mut labels = tpl["metadata"]["labels"].as_object().cloned().unwrap_or_default();
            for (k, v) in set["spec"]["selector"]["matchLabels"].as_object().into_iter().flatten() {
                labels.insert(k.clone(), v.clone());
            }
            let mut meta = json!({"name": claim, "namespace": cx.ns, "labels": labels});
            if let Some(a) = tpl["metadata"].get("annotations").filter(|a| !a.is_null()) {
                meta["annotations"] = a.clone();
            }
            if set["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Delete" {
                meta["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": cx.set_name, "uid": uid(set), "controller": true, "blockOwnerDeletion": true}]);
            }
            let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": tpl["spec"]});
            match c.create("v1", "persistentvolumeclaims", &cx.ns, pvc) {
                Ok(_) => c.event(&about, "Normal", "SuccessfulCreate", &format!("create Claim {claim} Pod {pod_name} in StatefulSet {} success", cx.set_name)),
                Err(e) => {
                    c.event(&about, "Warning", "FailedCreate", &format!("create Claim {claim} for Pod {pod_name} in StatefulSet {} failed error: {e}", cx.set_name));
                    return;
                }
            }
        }
        let volume = json!({"name": tpl_name, "persistentVolumeClaim": {"claimName": claim}});
        let volumes = pod["spec"]["volumes"].as_array().cloned().unwrap_or_default();
        let mut volumes: Vec<Value> = volumes.into_iter().filter(|v| v["name"] != tpl_name).collect();
        volumes.push(volume);
        pod["spec"]["volumes"] = json!(volumes);
    }
    match c.create("v1", "pods", &cx.ns, pod) {
        Ok(_) => c.event(&about, "Normal", "SuccessfulCreate", &format!("create Pod {pod_name} in StatefulSet {} successful", cx.set_name)),
        Err(e) => c.event(&about, "Warning", "FailedCreate", &format!("create Pod {pod_name} in StatefulSet {} failed error: {e}", cx.set_name)),
    }
}
