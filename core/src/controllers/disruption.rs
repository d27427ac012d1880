//! The disruption controller: keeps each PodDisruptionBudget's status — how many selected pods
//! are expected, how many must stay healthy, how many are, and so how many may be evicted now.
//! Evictions the API server allowed stay counted (`disruptedPods`) until the pod is gone or two
//! minutes have passed.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::api::object::{name, namespace};
use crate::sim::clock::{Duration, Timestamp};

use super::deployment::resolve;
use super::replicaset::is_ready;
use super::{Client, Controller};

/// How long an allowed eviction is counted without the pod going away.
const DELETION_TIMEOUT: Duration = Duration::from_secs(120);

pub struct DisruptionController;

impl Controller for DisruptionController {
    fn name(&self) -> &'static str {
        "controllermanager"
    }

    fn sync(&mut self, c: &mut Client) {
        for pdb in c.list("poddisruptionbudgets.policy", None) {
            if pdb["metadata"]["deletionTimestamp"].is_null() {
                sync_one(c, &pdb);
            }
        }
    }
}

fn with_kind(pdb: &Value) -> Value {
    let mut p = pdb.clone();
    p["apiVersion"] = json!("policy/v1");
    p["kind"] = json!("PodDisruptionBudget");
    p
}

/// The owner that sets how many of a pod there should be, and that number: a ReplicaSet's
/// Deployment, else the ReplicaSet, ReplicationController or StatefulSet.
fn scale_of(c: &Client, pod: &Value) -> Option<(String, i64)> {
    let r = pod["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)?;
    let ns = namespace(pod);
    let owner_name = r["name"].as_str()?;
    let (storage, key) = match r["kind"].as_str()? {
        "ReplicaSet" => {
            let rs = c.get("replicasets.apps", ns, owner_name)?;
            if let Some(d) = rs["metadata"]["ownerReferences"].as_array().into_iter().flatten().find(|o| o["controller"] == true && o["kind"] == "Deployment") {
                let dep = c.get("deployments.apps", ns, d["name"].as_str()?)?;
                return Some((format!("Deployment/{}", name(&dep)), dep["spec"]["replicas"].as_i64().unwrap_or(1)));
            }
            return Some((format!("ReplicaSet/{owner_name}"), rs["spec"]["replicas"].as_i64().unwrap_or(1)));
        }
        "ReplicationController" => ("replicationcontrollers", "ReplicationController"),
        "StatefulSet" => ("statefulsets.apps", "StatefulSet"),
        _ => return None,
    };
    let owner = c.get(storage, ns, owner_name)?;
    Some((format!("{key}/{owner_name}"), owner["spec"]["replicas"].as_i64().unwrap_or(1)))
}

fn sync_one(c: &mut Client, pdb: &Arc<Value>) {
    let now = c.now();
    let ns = namespace(pdb).to_string();
    let spec = &pdb["spec"];
    let pods: Vec<Arc<Value>> = c.list_selected("pods", &ns, &spec["selector"]);
    if pods.is_empty() {
        c.event(&with_kind(pdb), "Normal", "NoPods", "No matching pods found");
    }
    let min = spec.get("minAvailable").filter(|v| !v.is_null());
    let max = spec.get("maxUnavailable").filter(|v| !v.is_null());
    let by_controllers = max.is_some() || min.is_some_and(Value::is_string);
    let expected = if by_controllers {
        let mut scales: BTreeMap<String, i64> = BTreeMap::new();
        let mut unmanaged = false;
        for p in &pods {
            match scale_of(c, p) {
                Some((k, n)) => {
                    scales.insert(k, n);
                }
                None => unmanaged = true,
            }
        }
        if unmanaged {
            let sel = crate::apiserver::tables::format::label_selector(&spec["selector"]);
            c.event(&with_kind(pdb), "Warning", "UnmanagedPods", &format!("Pods selected by this PodDisruptionBudget (selector: {sel}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value."));
        }
        scales.values().sum::<i64>()
    } else {
        pods.len() as i64
    };
    let desired = match (min, max) {
        (Some(Value::Number(n)), _) => n.as_i64().unwrap_or(0),
        (Some(v), _) => resolve(v, expected, true),
        (None, Some(v)) => (expected - resolve(v, expected, true)).max(0),
        (None, None) => 0,
    };
    // Evictions in flight: kept while their pod is still there, for at most two minutes.
    let mut disrupted: Map<String, Value> = Map::new();
    for (pod_name, at) in pdb["status"]["disruptedPods"].as_object().into_iter().flatten() {
        let Some(t) = at.as_str().and_then(Timestamp::parse_rfc3339) else { continue };
        let still = pods.iter().any(|p| name(p) == pod_name && p["metadata"]["deletionTimestamp"].is_null());
        if still && now < t.plus(DELETION_TIMEOUT) {
            disrupted.insert(pod_name.clone(), at.clone());
            c.wake_at(t.plus(DELETION_TIMEOUT));
        }
    }
    let healthy = pods.iter().filter(|p| p["metadata"]["deletionTimestamp"].is_null() && !disrupted.contains_key(name(p)) && is_ready(p)).count() as i64;
    let allowed = if expected <= 0 { 0 } else { (healthy - desired).max(0) };
    let (cond_status, reason) = if allowed > 0 { ("True", "SufficientPods") } else { ("False", "InsufficientPods") };
    let prev = pdb["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "DisruptionAllowed").cloned();
    let transition = prev.as_ref().filter(|p| p["status"] == cond_status).map_or_else(|| json!(now.rfc3339()), |p| p["lastTransitionTime"].clone());
    let mut status = json!({
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "expectedPods": expected,
        "observedGeneration": pdb["metadata"]["generation"],
        "conditions": [{"type": "DisruptionAllowed", "status": cond_status, "reason": reason, "message": "", "observedGeneration": pdb["metadata"]["generation"], "lastTransitionTime": transition}],
    });
    if !disrupted.is_empty() {
        status["disruptedPods"] = Value::Object(disrupted);
    }
    if pdb["status"] != status {
        let mut next = (**pdb).clone();
        next["status"] = status;
        let _ = c.update_status("policy/v1", "poddisruptionbudgets", next);
    }
}
