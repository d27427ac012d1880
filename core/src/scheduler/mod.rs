//! The scheduler: for every pod waiting for a node, the filter plugins keep the nodes it may run
//! on, the score plugins rank them, and the pod is bound to the best; when none fits, the pod
//! gets kube-scheduler's `FailedScheduling` event and `PodScheduled=False` condition.

mod interpod;
mod plugins;
mod preemption;
mod spread;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace};
use crate::controllers::Client;
use crate::sim::clock::Duration;

pub use plugins::{node_affinity_ok, tolerates, NodeInfo, Reason};

pub const SCHEDULER_NAME: &str = "default-scheduler";

/// How long an unschedulable pod waits before it is tried again (when nothing else changed).
const RETRY: Duration = Duration::from_secs(10);

#[derive(Clone, Default)]
pub struct Scheduler {
    /// The store revision at which each unschedulable pod was last tried.
    tried_at: BTreeMap<(String, String), u64>,
}

fn waiting(pod: &Value) -> bool {
    pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty)
        && pod["metadata"]["deletionTimestamp"].is_null()
        && pod["spec"]["schedulerName"].as_str().unwrap_or(SCHEDULER_NAME) == SCHEDULER_NAME
        && pod["spec"]["schedulingGates"].as_array().is_none_or(|g| g.is_empty())
        && !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

impl Scheduler {
    pub fn sync(&mut self, c: &mut Client) {
        let pods: Vec<Arc<Value>> = c.list("pods", None).into_iter().filter(|p| waiting(p)).collect();
        if pods.is_empty() {
            self.tried_at.clear();
            return;
        }
        let revision = c.api.store().resource_version();
        // Highest priority first, then oldest.
        let mut queue = pods;
        queue.sort_by_key(|p| (std::cmp::Reverse(p["spec"]["priority"].as_i64().unwrap_or(0)), p["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string(), name(p).to_string()));
        let mut nodes = plugins::snapshot(c);
        for pod in queue {
            let key = (namespace(&pod).to_string(), name(&pod).to_string());
            if let Some(at) = self.tried_at.get(&key) {
                // Nothing has changed since it last failed: wait for the retry.
                if *at == revision {
                    continue;
                }
            }
            match plugins::place(&pod, &nodes) {
                Ok(node) => {
                    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name(&pod), "namespace": namespace(&pod)}, "target": {"apiVersion": "v1", "kind": "Node", "name": node}});
                    if c.subresource_post("v1", "pods", namespace(&pod), name(&pod), "binding", binding).is_ok() {
                        self.tried_at.remove(&key);
                        c.event(&with_kind(&pod), "Normal", "Scheduled", &format!("Successfully assigned {}/{} to {node}", namespace(&pod), name(&pod)));
                        if let Some(n) = nodes.iter_mut().find(|n| n.name == node) {
                            n.add(&pod);
                        }
                    }
                }
                Err(fit) => {
                    let mut message = fit.message();
                    let budgets: Vec<Value> = c.list("poddisruptionbudgets.policy", Some(namespace(&pod))).into_iter().map(|b| (*b).clone()).collect();
                    let mut nominated: Option<String> = None;
                    match preemption::preempt(&pod, &nodes, &fit, &budgets) {
                        preemption::Outcome::Cannot(suffix) => message = format!("{message} {suffix}"),
                        preemption::Outcome::Preempt { node, victims } => {
                            for v in victims {
                                let cond = json!({"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
                                    "message": format!("{SCHEDULER_NAME}: preempting to accommodate a higher priority pod"), "lastProbeTime": null, "lastTransitionTime": c.now().rfc3339()});
                                let _ = c.merge_patch("v1", "pods", namespace(&v), name(&v), "status", &json!({"status": {"conditions": merged_conditions(&v, cond)}}));
                                if c.delete("v1", "pods", namespace(&v), name(&v), None).is_ok() {
                                    c.event(&with_kind(&v), "Normal", "Preempted", &format!("Preempted by pod {} on node {node}", pod["metadata"]["uid"].as_str().unwrap_or_default()));
                                }
                            }
                            nominated = Some(node);
                        }
                    }
                    c.event(&with_kind(&pod), "Warning", "FailedScheduling", &message);
                    let cond = json!({"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message, "lastProbeTime": null, "lastTransitionTime": c.now().rfc3339()});
                    let current = pod["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "PodScheduled").cloned();
                    let nominated_changed = nominated.as_ref().is_some_and(|n| pod["status"]["nominatedNodeName"] != n.as_str());
                    if current.as_ref().is_none_or(|x| x["message"] != cond["message"]) || nominated_changed {
                        let mut patch = json!({"status": {"conditions": [cond]}});
                        if let Some(n) = &nominated {
                            patch["status"]["nominatedNodeName"] = json!(n);
                        }
                        let _ = c.merge_patch("v1", "pods", namespace(&pod), name(&pod), "status", &patch);
                    }
                    self.tried_at.insert(key, c.api.store().resource_version());
                    let now = c.now();
                    c.wake_at(now.plus(RETRY));
                }
            }
        }
    }
}

/// A pod's conditions with one set (replacing the same type).
fn merged_conditions(pod: &Value, cond: Value) -> Value {
    let mut conds: Vec<Value> = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
    conds.retain(|c| c["type"] != cond["type"]);
    conds.push(cond);
    json!(conds)
}

fn with_kind(pod: &Value) -> Value {
    let mut p = pod.clone();
    p["apiVersion"] = json!("v1");
    p["kind"] = json!("Pod");
    p
}
