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

pub fn filter(pod: &Value, n: &NodeInfo, all: &[NodeInfo]) -> Result<(), String> {
    for c in constraints(pod, "DoNotSchedule") {
        let key = c["topologyKey"].as_str().unwrap_or_default();
        let Some(value) = n.label(key) else { return Err(LABEL_NOT_MATCH.into()) };
        let per_domain = counts(pod, c, all);
        let min_domains = c["minDomains"].as_i64().unwrap_or(1);
        // With fewer domains than minDomains, the global minimum counts as zero.
        let min = if (per_domain.len() as i64) < min_domains { 0 } else { per_domain.values().copied().min().unwrap_or(0) };
        let here = per_domain.get(value).copied().unwrap_or(0);
        let max_skew = c["maxSkew"].as_i64().unwrap_or(1);
        if here + self_match(pod, c) - min > max_skew {
            return Err(CONSTRAINTS_NOT_MATCH.into());
        }
    }
    Ok(())
}

/// For `ScheduleAnyway` constraints: fewer matching pods in the node's domains is better (raw,
/// lower is better).
pub fn raw_penalty(pod: &Value, n: &NodeInfo, all: &[NodeInfo]) -> Option<i64> {
    let mut total = 0;
    let mut any = false;
    for c in constraints(pod, "ScheduleAnyway") {
        any = true;
        let key = c["topologyKey"].as_str().unwrap_or_default();
        let Some(value) = n.label(key) else { continue };
        total += counts(pod, c, all).get(value).copied().unwrap_or(0);
    }
    any.then_some(total)
}
