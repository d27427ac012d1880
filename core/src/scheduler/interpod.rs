//! InterPodAffinity: a pod's required affinity needs a matching pod in the same topology domain
//! (unless it is the first of its kind), its anti-affinity needs none there, and existing pods'
//! anti-affinity keeps it away from them; preferred terms add or take away score.

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

/// Whether some pod matching `term` runs in the domain of `n` for the term's topology key.
fn domain_has_match(term: &Value, owner: &Value, n: &NodeInfo, all: &[NodeInfo]) -> Option<bool> {
    let key = term["topologyKey"].as_str().unwrap_or_default();
    let value = n.label(key)?;
    Some(all.iter().filter(|m| m.label(key) == Some(value)).any(|m| m.placed.iter().any(|p| term_matches(term, owner, p))))
}

/// The topology domains (key, value) where an existing pod's required anti-affinity matches
/// `pod`: worked out once per pod, then each node is looked up in it.
pub fn existing_anti_domains(pod: &Value, all: &[NodeInfo]) -> Vec<(String, String)> {
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

/// `forbidden` is [`existing_anti_domains`] of the pod over `all`.
pub fn filter(pod: &Value, n: &NodeInfo, all: &[NodeInfo], forbidden: &[(String, String)]) -> Result<(), String> {
    // Required affinity.
    let required = terms(pod, "podAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
    if !required.is_empty() {
        let mut exist = true;
        for term in &required {
            match domain_has_match(term, pod, n, all) {
                None => return Err(AFFINITY_NOT_MATCH.into()),
                Some(false) => exist = false,
                Some(true) => {}
            }
        }
        if !exist {
            // The first pod of a group that has affinity to itself may go anywhere.
            let any_match = required.iter().any(|t| all.iter().any(|m| m.placed.iter().any(|p| term_matches(t, pod, p))));
            let self_match = required.iter().all(|t| term_matches(t, pod, pod));
            if any_match || !self_match {
                return Err(AFFINITY_NOT_MATCH.into());
            }
        }
    }
    // Required anti-affinity.
    for term in terms(pod, "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") {
        if domain_has_match(term, pod, n, all) == Some(true) {
            return Err(ANTI_AFFINITY_NOT_MATCH.into());
        }
    }
    // Existing pods' required anti-affinity towards this pod.
    if forbidden.iter().any(|(key, value)| n.label(key) == Some(value.as_str())) {
        return Err(EXISTING_ANTI_AFFINITY_NOT_MATCH.into());
    }
    Ok(())
}

/// Preferred affinity minus preferred anti-affinity, by weight, for matching pods in the node's
/// domains (not yet normalized).
pub fn raw_score(pod: &Value, n: &NodeInfo, all: &[NodeInfo]) -> i64 {
    let mut score = 0;
    for (kind, sign) in [("podAffinity", 1), ("podAntiAffinity", -1)] {
        for weighted in terms(pod, kind, "preferredDuringSchedulingIgnoredDuringExecution") {
            let term = &weighted["podAffinityTerm"];
            let weight = weighted["weight"].as_i64().unwrap_or(0);
            let key = term["topologyKey"].as_str().unwrap_or_default();
            let Some(value) = n.label(key) else { continue };
            let count = all.iter().filter(|m| m.label(key) == Some(value)).map(|m| m.placed.iter().filter(|p| term_matches(term, pod, p)).count() as i64).sum::<i64>();
            score += sign * weight * count;
        }
    }
    score
}
