//! The scheduler: for every pod waiting for a node, the filter plugins keep the nodes it may run
//! on, the score plugins rank them, and the pod is bound to the best; when none fits, the pod
//! gets kube-scheduler's `FailedScheduling` event and `PodScheduled=False` condition.

mod cache;
mod imagelocality;
mod interpod;
mod plugins;
mod preemption;
mod spread;
mod volumebinding;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, pod_ref};
use crate::controllers::Client;
use crate::sim::clock::{Duration, Timestamp};

pub use plugins::{node_affinity_ok, tolerates, NodeInfo, Reason};

pub const SCHEDULER_NAME: &str = "default-scheduler";

/// Back-off of an unschedulable pod: 1 s doubling up to 10 s.
const BACKOFF_INITIAL: i64 = 1;
const BACKOFF_MAX: i64 = 10;
/// An unschedulable pod is tried again after this long even if nothing changed.
const FLUSH: Duration = Duration::from_secs(300);

/// What the scheduler remembers of a pod that did not fit.
#[derive(Clone)]
struct Attempt {
    /// The state of nodes and placed pods when it was tried.
    world: u64,
    at: Timestamp,
    failures: u32,
}

#[derive(Clone, Default)]
pub struct Scheduler {
    unschedulable: BTreeMap<(String, String), Attempt>,
    /// Where the next pod's filtering begins in the node list.
    next_start_node: usize,
    /// A pass that found nothing to do is not made again until pods or what placing reads
    /// changed (then there may be a pod waiting).
    idle: crate::controllers::unchanged::Unchanged<()>,
    /// The nodes with their pods, and the pods waiting.
    cache: cache::Cache,
}

/// What a scheduling pass reads.
const READS: [&str; 6] = ["pods", "nodes", "persistentvolumeclaims", "persistentvolumes", "storageclasses.storage.k8s.io", "poddisruptionbudgets.policy"];

fn waiting(pod: &Value) -> bool {
    pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty)
        && pod["metadata"]["deletionTimestamp"].is_null()
        && pod["spec"]["schedulerName"].as_str().unwrap_or(SCHEDULER_NAME) == SCHEDULER_NAME
        && pod["spec"]["schedulingGates"].as_array().is_none_or(|g| g.is_empty())
        && !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

impl Scheduler {
    pub fn sync(&mut self, c: &mut Client) {
        let mut idle = std::mem::take(&mut self.idle);
        idle.run(c, (), crate::controllers::unchanged::writes(c, &READS), |c| self.pass(c));
        self.idle = idle;
    }

    fn pass(&mut self, c: &mut Client) {
        self.cache.refresh(c.api_store());
        let queue: Vec<Arc<Value>> = self.cache.queue();
        if queue.is_empty() {
            self.unschedulable.clear();
            return;
        }
        let now = c.now();
        let world_now = self.cache.world();
        let images = self.cache.images();
        let nodes_len = self.cache.nodes.len();
        let mut failed: Vec<((String, String), u32)> = Vec::new();
        for pod in queue {
            if c.spent() {
                break;
            }
            let key = crate::store::obj_name(&pod);
            if let Some(a) = self.unschedulable.get(&key) {
                // Try again when something changed and the back-off is over, or after the flush.
                let backoff = Duration::from_secs((BACKOFF_INITIAL << a.failures.saturating_sub(1).min(4)).min(BACKOFF_MAX));
                let retry_at = a.at.plus(backoff);
                let flush_at = a.at.plus(FLUSH);
                if now < flush_at && (a.world == world_now || now < retry_at) {
                    c.wake_at(if a.world == world_now { flush_at } else { retry_at });
                    continue;
                }
            }
            // VolumeBinding's PreFilter: claims that are missing or not bound when they must be.
            let pv_affinity = match volumebinding::prefilter(c, &pod) {
                Ok(a) => a,
                Err(reason) => {
                    let message = format!("0/{total} nodes are available: {reason}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.", total = nodes_len);
                    self.fail(c, &pod, &message, None);
                    failed.push((key.clone(), self.unschedulable.get(&key).map_or(0, |a| a.failures) + 1));
                    c.wake_at(now.plus(FLUSH));
                    continue;
                }
            };
            match plugins::place(&pod, &self.cache.nodes, &pv_affinity, &images, &mut self.next_start_node) {
                Ok(at) => {
                    let node = self.cache.nodes[at].name.clone();
                    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name(&pod), "namespace": namespace(&pod)}, "target": {"apiVersion": "v1", "kind": "Node", "name": node}});
                    if c.subresource_post("v1", "pods", namespace(&pod), name(&pod), "binding", binding).is_ok() {
                        self.unschedulable.remove(&key);
                        c.event(&pod_ref(&pod), "Normal", "Scheduled", &format!("Successfully assigned {}/{} to {node}", namespace(&pod), name(&pod)));
                        self.cache.place(&pod, at);
                    }
                }
                Err(fit) => {
                    let mut message = fit.message();
                    let budgets: Vec<Value> = c.list("poddisruptionbudgets.policy", Some(namespace(&pod))).into_iter().map(|b| (*b).clone()).collect();
                    let mut nominated: Option<String> = None;
                    match preemption::preempt(&pod, &self.cache.nodes, &fit, &budgets, &pv_affinity) {
                        preemption::Outcome::Cannot(suffix) => message = format!("{message} {suffix}"),
                        preemption::Outcome::Preempt { node, victims } => {
                            for v in victims {
                                let cond = json!({"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
                                    "message": format!("{SCHEDULER_NAME}: preempting to accommodate a higher priority pod"), "lastProbeTime": null, "lastTransitionTime": c.now().rfc3339()});
                                let _ = c.merge_patch("v1", "pods", namespace(&v), name(&v), "status", &json!({"status": {"conditions": merged_conditions(&v, cond)}}));
                                if c.delete("v1", "pods", namespace(&v), name(&v), None).is_ok() {
                                    c.event(&pod_ref(&v), "Normal", "Preempted", &format!("Preempted by pod {} on node {node}", pod["metadata"]["uid"].as_str().unwrap_or_default()));
                                }
                            }
                            nominated = Some(node);
                        }
                    }
                    self.fail(c, &pod, &message, nominated);
                    let failures = self.unschedulable.get(&key).map_or(0, |a| a.failures) + 1;
                    failed.push((key, failures));
                    c.wake_at(now.plus(FLUSH));
                }
            }
        }
        if !failed.is_empty() {
            // What they were tried against, including this pass's own bindings and evictions.
            self.cache.refresh(c.api_store());
            let seen = self.cache.world();
            for (key, failures) in failed {
                self.unschedulable.insert(key, Attempt { world: seen, at: now, failures });
            }
        }
    }
}

impl Scheduler {
    /// The FailedScheduling event and the PodScheduled=False condition (with the nominated node,
    /// when preemption chose one).
    fn fail(&self, c: &mut Client, pod: &Value, message: &str, nominated: Option<String>) {
        c.event(&pod_ref(pod), "Warning", "FailedScheduling", message);
        let cond = json!({"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message, "lastProbeTime": null, "lastTransitionTime": c.now().rfc3339()});
        let current = pod["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "PodScheduled").cloned();
        let nominated_changed = nominated.as_ref().is_some_and(|n| pod["status"]["nominatedNodeName"] != n.as_str());
        if current.as_ref().is_none_or(|x| x["message"] != cond["message"]) || nominated_changed {
            let mut patch = json!({"status": {"conditions": [cond]}});
            if let Some(n) = &nominated {
                patch["status"]["nominatedNodeName"] = json!(n);
            }
            let _ = c.merge_patch("v1", "pods", namespace(pod), name(pod), "status", &patch);
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

