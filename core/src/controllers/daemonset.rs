//! The DaemonSet controller: one pod on every node the template may run on (its node selector
//! and affinity, the taints it tolerates), pinned there by a node affinity on the node's name;
//! pods on nodes that no longer fit go; a changed template rolls out node by node
//! (RollingUpdate, `maxUnavailable` at a time) or waits for pods to be deleted (OnDelete). A node
//! gets a new pod only once its old one is gone: a terminating pod still holds the node.

use crate::sort::Order;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};
use crate::apiserver::kinds::apps::TEMPLATE_GENERATION_ANNOTATION;
use crate::scheduler::{node_affinity_ok, tolerates};

use super::deployment::resolve;
use super::replicaset::{controller_uid, is_available, is_ready, pod_from_template};
use super::unchanged::{inputs_of, Unchanged};
use super::{revisions, Client, Controller};

/// A DaemonSet's pass reads it, the nodes, its pods and its revisions (and the time only through
/// wake-ups it asks for), so it is skipped while they are as they were after a pass that changed
/// nothing.
#[derive(Default)]
pub struct DaemonSetController {
    unchanged: Unchanged<String>,
}

impl Controller for DaemonSetController {
    fn name(&self) -> &'static str {
        "daemonset-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let nodes = c.list("nodes", None);
        for ds in c.list("daemonsets.apps", None) {
            if ds["metadata"]["deletionTimestamp"].is_null() {
                // Of the pods, only its own: a write to another's pod leaves its pass as it was.
                let mut inputs = inputs_of(c, &ds, &["nodes", "controllerrevisions.apps"]);
                inputs.push(c.api_store().last_write_owned("pods", crate::api::object::uid(&ds)));
                self.unchanged.run(c, crate::api::object::uid(&ds).to_string(), inputs, |c| sync_one(c, &ds, &nodes));
            }
        }
    }
}

/// The tolerations every daemon pod gets, after its own.
fn daemon_tolerations(host_network: bool) -> Vec<Value> {
    let mut t = vec![
        json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}),
        json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}),
        json!({"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}),
    ];
    if host_network {
        t.push(json!({"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}));
    }
    t
}

/// The pod spec as it will be on `node`: the daemon tolerations added and the node affinity
/// replaced by the node's name.
fn pod_spec_for(template_spec: &Value, node: &str) -> Value {
    let mut spec = template_spec.clone();
    let mut tolerations: Vec<Value> = spec["tolerations"].as_array().cloned().unwrap_or_default();
    for t in daemon_tolerations(spec["hostNetwork"] == true) {
        match tolerations.iter_mut().find(|x| x["key"] == t["key"] && x["operator"] == t["operator"] && x["effect"] == t["effect"] && x["value"] == t["value"]) {
            Some(x) => *x = t,
            None => tolerations.push(t),
        }
    }
    spec["tolerations"] = json!(tolerations);
    spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] =
        json!({"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]});
    spec
}

/// Whether a daemon pod belongs on the node (and, if not, whether an existing one may stay).
fn should_run(template_spec: &Value, node: &Value) -> (bool, bool) {
    let node_name = name(node);
    if template_spec["nodeName"].as_str().is_some_and(|n| !n.is_empty() && n != node_name) {
        return (false, false);
    }
    let probe = json!({"spec": template_spec});
    if !node_affinity_ok(&probe, node) {
        return (false, false);
    }
    let mut tolerations: Vec<Value> = template_spec["tolerations"].as_array().cloned().unwrap_or_default();
    tolerations.extend(daemon_tolerations(template_spec["hostNetwork"] == true));
    let mut run = true;
    let mut stay = true;
    for taint in node["spec"]["taints"].as_array().into_iter().flatten() {
        if tolerates(&tolerations, taint) {
            continue;
        }
        match taint["effect"].as_str() {
            Some("NoExecute") => {
                run = false;
                stay = false;
            }
            Some("NoSchedule") => run = false,
            _ => {}
        }
    }
    (run, stay)
}

/// The node a daemon pod is for: its node name, else its node affinity.
fn target_node(pod: &Value) -> Option<String> {
    if let Some(n) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
        return Some(n.to_string());
    }
    let terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"].as_array()?;
    terms.iter().flat_map(|t| t["matchFields"].as_array().into_iter().flatten()).find(|f| f["key"] == "metadata.name")?["values"][0].as_str().map(str::to_string)
}

fn is_deleting(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_string()
}

fn is_terminal(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

/// The order of a node's daemon pods: scheduled ones first, then the oldest, then by name.
fn pod_order(pod: &Value) -> (bool, String, String) {
    let unscheduled = pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty);
    (unscheduled, pod["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string(), name(pod).to_string())
}

fn with_kind(ds: &Value) -> Value {
    let mut d = ds.clone();
    d["apiVersion"] = json!("apps/v1");
    d["kind"] = json!("DaemonSet");
    d
}

fn delete_pod(c: &mut Client, ds: &Value, pod: &Value) {
    if c.delete("v1", "pods", namespace(pod), name(pod), None).is_ok() {
        c.event(&with_kind(ds), "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", name(pod)));
    }
}

fn sync_one(c: &mut Client, ds: &Arc<Value>, nodes: &[Arc<Value>]) {
    let now = c.now();
    let ns = namespace(ds).to_string();
    let ds_uid = uid(ds).to_string();
    let template = &ds["spec"]["template"];
    let min_ready = ds["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let current = revisions::ensure(c, ds, "DaemonSet");
    let generation = ds["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION].as_str().unwrap_or("1").to_string();
    let pods: Vec<Arc<Value>> = c.owned("pods", &ds_uid).into_iter().filter(|p| controller_uid(p) == Some(ds_uid.as_str())).collect();
    // Every pod of a node counts, terminating ones too (the node gets its next pod only once
    // they are gone), except those that finished and are being deleted.
    let mut by_node: BTreeMap<String, Vec<Arc<Value>>> = BTreeMap::new();
    for p in &pods {
        if is_terminal(p) && is_deleting(p) {
            continue;
        }
        if let Some(n) = target_node(p) {
            by_node.entry(n).or_default().push(p.clone());
        }
    }
    let updated = |p: &Value| p["metadata"]["labels"]["controller-revision-hash"] == current.hash.as_str() || p["metadata"]["labels"]["pod-template-generation"] == generation.as_str();
    let (mut desired, mut scheduled, mut ready, mut available, mut updated_n, mut misscheduled) = (0, 0, 0, 0, 0, 0);
    let mut old_pods: Vec<Arc<Value>> = Vec::new();
    let mut unavailable = 0;
    for node in nodes {
        let node_name = name(node).to_string();
        let (run, stay) = should_run(&template["spec"], node);
        let mut here = by_node.remove(&node_name).unwrap_or_default();
        here.order_by_key(|p| pod_order(p));
        let mut live: Vec<Arc<Value>> = here.iter().filter(|p| !is_deleting(p)).cloned().collect();
        if !run && (!stay || here.is_empty()) {
            if !here.is_empty() {
                misscheduled += 1;
            }
            for p in &live {
                delete_pod(c, ds, p);
            }
            continue;
        }
        desired += 1;
        if here.is_empty() {
            if c.spent() {
                // Created on the next pass.
                unavailable += 1;
                continue;
            }
            let mut tpl = template.clone();
            tpl["metadata"]["labels"]["controller-revision-hash"] = json!(current.hash);
            tpl["metadata"]["labels"]["pod-template-generation"] = json!(generation);
            tpl["spec"] = pod_spec_for(&template["spec"], &node_name);
            let pod = pod_from_template(ds, "apps/v1", "DaemonSet", &tpl, &format!("{}-", name(ds)));
            match c.create("v1", "pods", &ns, pod) {
                Ok(p) => c.event(&with_kind(ds), "Normal", "SuccessfulCreate", &format!("Created pod: {}", name(&p))),
                Err(e) => c.event(&with_kind(ds), "Warning", "FailedCreate", &format!("Error creating: {e}")),
            }
            unavailable += 1;
            continue;
        }
        // Status looks at the node's oldest pod, whatever its state.
        scheduled += 1;
        let first = &here[0];
        if is_ready(first) {
            ready += 1;
        }
        if is_available(first, min_ready, now) {
            available += 1;
        }
        if updated(first) {
            updated_n += 1;
        }
        // Failed daemon pods are deleted; the node gets a new pod once they are gone.
        for p in live.iter().filter(|p| p["status"]["phase"] == "Failed") {
            c.event(&with_kind(ds), "Warning", "FailedDaemonPod", &format!("Found failed daemon pod {}/{} on node {node_name}, will try to kill it", namespace(p), name(p)));
            delete_pod(c, ds, p);
        }
        live.retain(|p| p["status"]["phase"] != "Failed");
        // The oldest pod stays; any others go.
        for extra in live.iter().skip(1) {
            delete_pod(c, ds, extra);
        }
        match live.first() {
            // Only terminating pods: the node counts as unavailable until its new pod runs.
            None => unavailable += 1,
            Some(p) => {
                if !is_available(p, min_ready, now) {
                    unavailable += 1;
                }
                if !updated(p) {
                    old_pods.push(p.clone());
                }
            }
        }
    }
    // Pods for nodes that no longer exist.
    for (_, rest) in by_node {
        for p in rest.iter().filter(|p| !is_deleting(p)) {
            delete_pod(c, ds, p);
        }
    }
    // RollingUpdate: replace old pods while no more than maxUnavailable nodes lack an available pod.
    if ds["spec"]["updateStrategy"]["type"].as_str().unwrap_or("RollingUpdate") == "RollingUpdate" && !old_pods.is_empty() {
        let max_unavailable = resolve(&ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"], desired, false).max(1);
        // Old pods that are not available anyway go first.
        old_pods.order_by_key(|p| u8::from(is_available(p, min_ready, now)));
        let mut budget = max_unavailable - unavailable;
        for p in &old_pods {
            if !is_available(p, min_ready, now) {
                delete_pod(c, ds, p);
            } else if budget > 0 {
                delete_pod(c, ds, p);
                budget -= 1;
            }
        }
    }
    if min_ready > 0 {
        // Pods become available minReadySeconds after they are ready.
        for p in &pods {
            if let Some(t) = p["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "Ready" && x["status"] == "True").and_then(|x| x["lastTransitionTime"].as_str().and_then(crate::sim::clock::Timestamp::parse_rfc3339)) {
                let at = t.plus(crate::sim::clock::Duration::from_secs(min_ready));
                if at > now {
                    c.wake_at(at);
                }
            }
        }
    }
    let in_use: Vec<String> = pods.iter().filter_map(|p| p["metadata"]["labels"]["controller-revision-hash"].as_str().map(str::to_string)).collect();
    revisions::cleanup(c, ds, &current, &in_use);
    let mut status = json!({
        "currentNumberScheduled": scheduled,
        "numberMisscheduled": misscheduled,
        "desiredNumberScheduled": desired,
        "numberReady": ready,
        "observedGeneration": ds["metadata"]["generation"],
    });
    for (k, v) in [("updatedNumberScheduled", updated_n), ("numberAvailable", available), ("numberUnavailable", desired - available)] {
        if v > 0 {
            status[k] = json!(v);
        }
    }
    if let Some(cc) = ds["status"].get("collisionCount").filter(|v| !v.is_null()) {
        status["collisionCount"] = cc.clone();
    }
    if ds["status"] != status {
        let mut next = (**ds).clone();
        next["status"] = status;
        let _ = c.update_status("apps/v1", "daemonsets", next);
    }
}
