//! InterPodAffinity: a pod's required affinity needs a matching pod in the same topology domain
//! (unless it is the first of its kind), its anti-affinity needs none there, and existing pods'
//! anti-affinity keeps it away from them; preferred terms add or take away score.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::api::labels::Selector;

use super::plugins::NodeInfo;

pub const AFFINITY_NOT_MATCH: &str = "node(s) didn't match pod affinity rules";
pub const ANTI_AFFINITY_NOT_MATCH: &str = "node(s) didn't match pod anti-affinity rules";
pub const EXISTING_ANTI_AFFINITY_NOT_MATCH: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

fn ns_of(pod: &Value) -> &str {
    pod["metadata"]["namespace"].as_str().unwrap_or("default")
}

/// Whether a term of `owner` (a pod with the term) selects `other`.
fn term_matches(term: &Value, owner: &Value, other: &Value) -> bool {
    let namespaces: Vec<&str> = term["namespaces"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let ns_ok = if namespaces.is_empty() && term["namespaceSelector"].is_null() {
        ns_of(other) == ns_of(owner)
    } else {
        // An empty namespaceSelector ({}) selects every namespace.
        namespaces.contains(&ns_of(other)) || term["namespaceSelector"].as_object().is_some_and(|m| m.is_empty())
    };
    if !ns_ok {
        return false;
    }
    Selector::from_label_selector(&term["labelSelector"]).is_ok_and(|s| s.matches(other["metadata"]["labels"].as_object()))
}

fn terms<'a>(pod: &'a Value, kind: &str, mode: &str) -> Vec<&'a Value> {
    let list = &pod["spec"]["affinity"][kind][mode];
    list.as_array().into_iter().flatten().collect()
}

/// The values of `key` on nodes where some pod matching `term` of `owner` runs.
fn domains_with_match(term: &Value, owner: &Value, all: &[NodeInfo]) -> (String, BTreeSet<String>) {
    let key = term["topologyKey"].as_str().unwrap_or_default();
    let values = all.iter().filter_map(|m| m.label(key).filter(|_| m.placed.iter().any(|p| term_matches(term, owner, p))).map(str::to_string)).collect();
    (key.to_string(), values)
}

/// The topology domains (key, value) where an existing pod's required anti-affinity matches
/// `pod`: worked out once per pod, then each node is looked up in it.
fn existing_anti_domains(pod: &Value, all: &[NodeInfo]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in all {
        for existing in &m.anti {
            for term in terms(existing, "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") {
                if !term_matches(term, existing, pod) {
                    continue;
                }
                let key = term["topologyKey"].as_str().unwrap_or_default();
                if let Some(value) = m.label(key) {
                    out.push((key.to_string(), value.to_string()));
                }
            }
        }
    }
    out
}

/// A pod's inter-pod affinity worked out once per attempt over every node: which topology
/// domains hold a pod its terms match, and how many (what does not depend on the node filtered).
pub struct Terms {
    /// Required affinity: each term's key and the domains with a match.
    affinity: Vec<(String, BTreeSet<String>)>,
    /// No pod matches the required affinity anywhere, and the pod matches it itself: the first
    /// of its group may go anywhere its terms' keys exist.
    first_of_group: bool,
    /// Required anti-affinity: each term's key and the domains with a match.
    anti: Vec<(String, BTreeSet<String>)>,
    /// Domains where an existing pod's required anti-affinity matches this pod.
    forbidden: Vec<(String, String)>,
    /// Preferred terms: key, signed weight, matching pods per domain.
    preferred: Vec<(String, i64, BTreeMap<String, i64>)>,
}

impl Terms {
    pub fn of(pod: &Value, all: &[NodeInfo]) -> Terms {
        let required = terms(pod, "podAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
        let affinity: Vec<(String, BTreeSet<String>)> = required.iter().map(|t| domains_with_match(t, pod, all)).collect();
        let first_of_group = !required.is_empty() && affinity.iter().all(|(_, found)| found.is_empty()) && {
            // A matching pod on a node without the key still counts as a match somewhere.
            let any_match = required.iter().any(|t| all.iter().any(|m| m.placed.iter().any(|p| term_matches(t, pod, p))));
            !any_match && required.iter().all(|t| term_matches(t, pod, pod))
        };
        let anti = terms(pod, "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution").into_iter().map(|t| domains_with_match(t, pod, all)).collect();
        let mut preferred = Vec::new();
        for (kind, sign) in [("podAffinity", 1), ("podAntiAffinity", -1)] {
            for weighted in terms(pod, kind, "preferredDuringSchedulingIgnoredDuringExecution") {
                let term = &weighted["podAffinityTerm"];
                let key = term["topologyKey"].as_str().unwrap_or_default();
                let mut per_domain: BTreeMap<String, i64> = BTreeMap::new();
                for m in all {
                    if let Some(value) = m.label(key) {
                        *per_domain.entry(value.to_string()).or_default() += m.placed.iter().filter(|p| term_matches(term, pod, p)).count() as i64;
                    }
                }
                preferred.push((key.to_string(), sign * weighted["weight"].as_i64().unwrap_or(0), per_domain));
            }
        }
        Terms { affinity, first_of_group, anti, forbidden: existing_anti_domains(pod, all), preferred }
    }

    /// The filter on one node.
    pub fn filter(&self, n: &NodeInfo) -> Result<(), String> {
        // Required affinity: every term's key on the node, and a match in each term's domain,
        // unless the pod is the first of its group.
        let mut exist = true;
        for (key, found) in &self.affinity {
            match n.label(key) {
                None => return Err(AFFINITY_NOT_MATCH.into()),
                Some(value) => exist &= found.contains(value),
            }
        }
        if !exist && !self.first_of_group {
            return Err(AFFINITY_NOT_MATCH.into());
        }
        // Required anti-affinity.
        if self.anti.iter().any(|(key, found)| n.label(key).is_some_and(|v| found.contains(v))) {
            return Err(ANTI_AFFINITY_NOT_MATCH.into());
        }
        // Existing pods' required anti-affinity towards this pod.
        if self.forbidden.iter().any(|(key, value)| n.label(key) == Some(value.as_str())) {
            return Err(EXISTING_ANTI_AFFINITY_NOT_MATCH.into());
        }
        Ok(())
    }

    /// Whether the pod has preferred terms (without them every node's raw score is 0).
    pub fn has_preferred(&self) -> bool {
        !self.preferred.is_empty()
    }

    /// Preferred affinity minus preferred anti-affinity, by weight, for matching pods in the
    /// node's domains (not yet normalized).
    pub fn raw_score(&self, n: &NodeInfo) -> i64 {
        self.preferred.iter().filter_map(|(key, weight, per_domain)| n.label(key).map(|v| weight * per_domain.get(v).copied().unwrap_or(0))).sum()
    }
}
