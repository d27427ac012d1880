//! PodTopologySpread: with `whenUnsatisfiable: DoNotSchedule`, a node is kept only if placing
//! the pod there keeps the number of matching pods in its topology domain within `maxSkew` of
//! the emptiest domain; `ScheduleAnyway` constraints only score.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::labels::Selector;

use super::plugins::{node_affinity_ok, NodeInfo};

pub const CONSTRAINTS_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
pub const LABEL_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints (missing required label)";

fn constraints<'a>(pod: &'a Value, mode: &'a str) -> impl Iterator<Item = &'a Value> {
    pod["spec"]["topologySpreadConstraints"].as_array().into_iter().flatten().filter(move |c| c["whenUnsatisfiable"].as_str().unwrap_or("DoNotSchedule") == mode)
}

/// Matching pods per domain of a constraint's key, over the nodes the pod may go to.
fn counts(pod: &Value, c: &Value, all: &[NodeInfo]) -> BTreeMap<String, i64> {
    let key = c["topologyKey"].as_str().unwrap_or_default();
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let selector = Selector::from_label_selector(&c["labelSelector"]).ok();
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for m in all {
        // nodeAffinityPolicy Honor: only nodes the pod's node affinity allows count.
        if c["nodeAffinityPolicy"].as_str().unwrap_or("Honor") == "Honor" && !node_affinity_ok(pod, &m.node) {
            continue;
        }
        let Some(value) = m.label(key) else { continue };
        let n = m
            .placed
            .iter()
            .filter(|p| p["metadata"]["namespace"].as_str().unwrap_or("default") == ns && p["metadata"]["deletionTimestamp"].is_null())
            .filter(|p| selector.as_ref().is_some_and(|s| s.matches(p["metadata"]["labels"].as_object())))
            .count() as i64;
        *out.entry(value.to_string()).or_default() += n;
    }
    out
}

fn self_match(pod: &Value, c: &Value) -> i64 {
    i64::from(Selector::from_label_selector(&c["labelSelector"]).is_ok_and(|s| s.matches(pod["metadata"]["labels"].as_object())))
}

/// A `DoNotSchedule` constraint worked out for one pod over every node: the matching pods per
/// domain do not depend on the node being filtered, so they are counted once per attempt.
pub struct Hard {
    key: String,
    per_domain: BTreeMap<String, i64>,
    /// The emptiest domain's count (zero when there are fewer domains than minDomains).
    min: i64,
    max_skew: i64,
    /// 1 when the pod matches its own selector (it will count once placed).
    self_match: i64,
}

/// A `ScheduleAnyway` constraint: its key and the matching pods per domain.
pub struct Soft {
    key: String,
    per_domain: BTreeMap<String, i64>,
}

/// The pod's spread constraints, counted over `all` once.
pub struct Constraints {
    hard: Vec<Hard>,
    soft: Vec<Soft>,
}

impl Constraints {
    pub fn of(pod: &Value, all: &[NodeInfo]) -> Constraints {
        let hard = constraints(pod, "DoNotSchedule")
            .map(|c| {
                let per_domain = counts(pod, c, all);
                let min_domains = c["minDomains"].as_i64().unwrap_or(1);
                // With fewer domains than minDomains, the global minimum counts as zero.
                let min = if (per_domain.len() as i64) < min_domains { 0 } else { per_domain.values().copied().min().unwrap_or(0) };
                Hard {
                    key: c["topologyKey"].as_str().unwrap_or_default().to_string(),
                    per_domain,
                    min,
                    max_skew: c["maxSkew"].as_i64().unwrap_or(1),
                    self_match: self_match(pod, c),
                }
            })
            .collect();
        let soft = constraints(pod, "ScheduleAnyway").map(|c| Soft { key: c["topologyKey"].as_str().unwrap_or_default().to_string(), per_domain: counts(pod, c, all) }).collect();
        Constraints { hard, soft }
    }

    /// The filter on one node.
    pub fn filter(&self, n: &NodeInfo) -> Result<(), String> {
        for c in &self.hard {
            let Some(value) = n.label(&c.key) else { return Err(LABEL_NOT_MATCH.into()) };
            let here = c.per_domain.get(value).copied().unwrap_or(0);
            if here + c.self_match - c.min > c.max_skew {
                return Err(CONSTRAINTS_NOT_MATCH.into());
            }
        }
        Ok(())
    }

    /// For `ScheduleAnyway` constraints: fewer matching pods in the node's domains is better
    /// (raw, lower is better); `None` when the pod has none.
    pub fn raw_penalty(&self, n: &NodeInfo) -> Option<i64> {
        if self.soft.is_empty() {
            return None;
        }
        Some(self.soft.iter().filter_map(|c| n.label(&c.key).map(|value| c.per_domain.get(value).copied().unwrap_or(0))).sum())
    }
}
