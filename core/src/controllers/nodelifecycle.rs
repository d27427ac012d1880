//! The node lifecycle controller: a node whose kubelet has not renewed its Lease for the grace
//! period becomes Unknown ("Kubelet stopped posting node status."), gets the unreachable taints,
//! and its pods are marked not ready; pods that do not tolerate the NoExecute taint are evicted
//! when their toleration runs out. A cordoned node gets the unschedulable taint.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, resource_version};
use crate::sort::Order;
use crate::sim::clock::{Duration, Timestamp};

use super::unchanged::{writes, Unchanged};
use super::{Client, Controller};

/// node-monitor-grace-period (50 s since v1.32).
pub const GRACE: Duration = Duration::from_secs(50);

pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// Orphaned pods are looked for again only when pods or nodes changed; a node is looked at
/// again only when it, its Lease, or whether the Lease has run out changed (a round looked at
/// every node's conditions, taints and Lease).
#[derive(Default)]
pub struct NodeLifecycleController {
    orphans: Unchanged<()>,
    nodes: Unchanged<String>,
}

impl Controller for NodeLifecycleController {
    fn name(&self) -> &'static str {
        "node-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let nodes = c.list("nodes", None);
        for node in &nodes {
            let node_name = name(node);
            let lease = c.api_store().get("leases.coordination.k8s.io", "kube-node-lease", node_name);
            let lost = lease.as_ref().and_then(|l| l.object["spec"]["renewTime"].as_str().and_then(Timestamp::parse_rfc3339)).is_some_and(|t| c.now() >= t.plus(GRACE));
            let inputs = vec![resource_version(node), lease.map_or(0, |l| l.resource_version), u64::from(lost)];
            self.nodes.run(c, node_name.to_string(), inputs, |c| sync_node(c, node));
        }
        let store = c.api_store();
        self.nodes.retain(|n| store.get("nodes", "", n).is_some());
        evict_from_tainted(c);
        let inputs = writes(c, &["pods", "nodes"]);
        self.orphans.run(c, (), inputs, delete_orphans);
    }
}

/// The pod garbage collector's part: pods bound to a node that no longer exists are deleted at
/// once (nothing is left to stop them gracefully).
fn delete_orphans(c: &mut Client) {
    let nodes: std::collections::BTreeSet<String> = crate::sort::set(c.list("nodes", None).iter().map(|n| name(n).to_string()));
    // The nodes pods are bound to come from the store's index of spec.nodeName: walking every
    // pod to find none bound to a missing node was a pass over 10,000 pods after each budget's
    // worth of writes.
    let mut orphans: Vec<Arc<Value>> = Vec::new();
    for gone in c.api_store().field_values("pods", "spec.nodeName").into_iter().filter(|n| !n.is_empty() && !nodes.contains(n)) {
        let on = crate::store::Selection::FieldEquals("spec.nodeName", gone);
        orphans.extend(c.api_store().list("pods", None, &on, None).into_iter().map(|s| s.object));
    }
    orphans.order_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    for pod in orphans {
        let _ = c.delete("v1", "pods", namespace(&pod), name(&pod), Some(0));
    }
}

fn with_kind(node: &Value) -> Value {
    let mut n = node.clone();
    n["apiVersion"] = json!("v1");
    n["kind"] = json!("Node");
    n
}

fn lease_renewed(c: &Client, node: &str) -> Option<Timestamp> {
    c.get("leases.coordination.k8s.io", "kube-node-lease", node)?["spec"]["renewTime"].as_str().and_then(Timestamp::parse_rfc3339)
}

fn has_taint(node: &Value, key: &str, effect: &str) -> bool {
    node["spec"]["taints"].as_array().into_iter().flatten().any(|t| t["key"] == key && t["effect"] == effect)
}

fn sync_node(c: &mut Client, node: &Value) {
    let now = c.now();
    let node_name = name(node).to_string();
    let mut taints: Vec<Value> = node["spec"]["taints"].as_array().cloned().unwrap_or_default();
    // Cordoned nodes carry the unschedulable taint.
    let cordoned = node["spec"]["unschedulable"] == true;
    if cordoned && !has_taint(node, UNSCHEDULABLE, "NoSchedule") {
        taints.push(json!({"key": UNSCHEDULABLE, "effect": "NoSchedule", "timeAdded": now.rfc3339()}));
    } else if !cordoned {
        taints.retain(|t| t["key"] != UNSCHEDULABLE);
    }
    let ready = node["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "Ready").cloned();
    let ready_status = ready.as_ref().and_then(|r| r["status"].as_str()).unwrap_or("Unknown").to_string();
    // A lease older than the grace period: the kubelet is gone.
    let renewed = lease_renewed(c, &node_name);
    // (Kubelets run before the controllers at every moment, so a live kubelet has renewed by
    // now; the simulation wakes the cluster when a stopped node's lease runs out.)
    let lost = renewed.is_some_and(|t| now >= t.plus(GRACE));
    // The node is copied only when it changes (a round looks at every node).
    let mut status: Option<Value> = None;
    if lost && ready_status != "Unknown" {
        let ts = now.rfc3339();
        let mut changed = node["status"].clone();
        if let Some(conds) = changed["conditions"].as_array_mut() {
            for cond in conds.iter_mut() {
                cond["status"] = json!("Unknown");
                cond["reason"] = json!("NodeStatusUnknown");
                cond["message"] = json!("Kubelet stopped posting node status.");
                cond["lastTransitionTime"] = json!(ts);
            }
        }
        status = Some(changed).filter(|s| *s != node["status"]);
        c.event(&with_kind(node), "Normal", "NodeNotReady", &format!("Node {node_name} status is now: NodeNotReady"));
        mark_pods_not_ready(c, &node_name);
    }
    let unknown = if lost { true } else { ready_status == "Unknown" };
    let not_ready = ready_status == "False";
    for (key, on) in [(UNREACHABLE, unknown), (NOT_READY, not_ready && !unknown)] {
        for effect in ["NoSchedule", "NoExecute"] {
            let present = taints.iter().any(|t| t["key"] == key && t["effect"] == effect);
            if on && !present {
                let mut t = json!({"key": key, "effect": effect});
                if effect == "NoExecute" {
                    t["timeAdded"] = json!(now.rfc3339());
                }
                taints.push(t);
            } else if !on && present {
                taints.retain(|t| !(t["key"] == key && t["effect"] == effect));
            }
        }
    }
    let taints_changed = node["spec"]["taints"].as_array().map_or(&[][..], Vec::as_slice) != taints.as_slice();
    let mut next = if taints_changed || status.is_some() { node.clone() } else { return };
    if let Some(s) = &status {
        next["status"] = s.clone();
    }
    if taints_changed {
        if taints.is_empty() {
            if let Some(spec) = next["spec"].as_object_mut() {
                spec.remove("taints");
            }
        } else {
            next["spec"]["taints"] = json!(taints);
        }
        let _ = c.update("v1", "nodes", next.clone());
    }
    if status.is_some() {
        if taints_changed {
            if let Some(fresh) = c.get("nodes", "", &node_name) {
                let mut n = (*fresh).clone();
                n["status"] = next["status"].clone();
                next = n;
            }
        }
        let _ = c.update_status("v1", "nodes", next);
    }
}

/// Pods on a lost node are no longer Ready (their reason and message stay).
fn mark_pods_not_ready(c: &mut Client, node_name: &str) {
    let now = c.now().rfc3339();
    for pod in c.list("pods", None).into_iter().filter(|p| p["spec"]["nodeName"] == node_name) {
        let mut changed = false;
        let mut next = (*pod).clone();
        if let Some(conds) = next["status"]["conditions"].as_array_mut() {
            for cond in conds.iter_mut().filter(|x| x["type"] == "Ready" && x["status"] == "True") {
                cond["status"] = json!("False");
                cond["lastTransitionTime"] = json!(now);
                changed = true;
            }
        }
        if changed {
            let mut about = (*pod).clone();
            about["apiVersion"] = json!("v1");
            about["kind"] = json!("Pod");
            c.event(&about, "Warning", "NodeNotReady", "Node is not ready");
            let _ = c.update_status("v1", "pods", next);
        }
    }
}

/// The taint manager: pods on nodes with NoExecute taints they do not tolerate go, at once or
/// when their `tolerationSeconds` after the taint was added run out.
fn evict_from_tainted(c: &mut Client) {
    let now = c.now();
    let nodes: Vec<std::sync::Arc<Value>> = c.list("nodes", None).into_iter().filter(|n| n["spec"]["taints"].as_array().is_some_and(|t| t.iter().any(|x| x["effect"] == "NoExecute"))).collect();
    for node in nodes {
        let taints: Vec<Value> = node["spec"]["taints"].as_array().into_iter().flatten().filter(|t| t["effect"] == "NoExecute").cloned().collect();
        for pod in c.list("pods", None).into_iter().filter(|p| p["spec"]["nodeName"] == node["metadata"]["name"] && p["metadata"]["deletionTimestamp"].is_null()) {
            let tolerations: Vec<Value> = pod["spec"]["tolerations"].as_array().cloned().unwrap_or_default();
            let mut deadline: Option<Timestamp> = None;
            let mut evict_now = false;
            for taint in &taints {
                let matching: Vec<&Value> = tolerations.iter().filter(|t| crate::scheduler::tolerates(std::slice::from_ref(t), taint)).collect();
                if matching.is_empty() {
                    evict_now = true;
                    break;
                }
                // The shortest tolerationSeconds among the matching tolerations, if all have one.
                if matching.iter().all(|t| t["tolerationSeconds"].is_i64()) {
                    let secs = matching.iter().filter_map(|t| t["tolerationSeconds"].as_i64()).min().unwrap_or(0);
                    let added = taint["timeAdded"].as_str().and_then(Timestamp::parse_rfc3339).unwrap_or(now);
                    let at = added.plus(Duration::from_secs(secs.max(0)));
                    deadline = Some(deadline.map_or(at, |d| d.min(at)));
                }
            }
            let due = evict_now || deadline.is_some_and(|d| now >= d);
            if due {
                let mut about = (*pod).clone();
                about["apiVersion"] = json!("v1");
                about["kind"] = json!("Pod");
                c.event(&about, "Normal", "TaintManagerEviction", &format!("Marking for deletion Pod {}/{}", namespace(&pod), name(&pod)));
                let _ = c.delete("v1", "pods", namespace(&pod), name(&pod), None);
            } else if let Some(d) = deadline {
                c.wake_at(d);
            }
        }
    }
}
