//! DefaultPreemption: when a pod fits nowhere, find a node where evicting lower-priority pods
//! would make room, evict as few and as unimportant as possible (budgets respected where it can),
//! and nominate the node; otherwise say why preemption cannot help.

use crate::sort::Order;
use std::sync::Arc;

use serde_json::Value;

use super::plugins::{check, count_message, FitError, NodeInfo, Prepared};

pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";

/// What preemption decided.
pub enum Outcome {
    /// Evict these pods from the node, then the pod goes there.
    Preempt { node: String, victims: Vec<Arc<Value>> },
    /// The text after the fit error (`preemption: ...`).
    Cannot(String),
}

fn priority(p: &Value) -> i64 {
    p["spec"]["priority"].as_i64().unwrap_or(0)
}

/// Start time for importance: earlier is more important; none counts as now (least).
fn start_time(p: &Value) -> String {
    p["status"]["startTime"].as_str().map_or_else(|| "9999".to_string(), str::to_string)
}

struct Candidate {
    node: usize,
    victims: Vec<Arc<Value>>,
    violations: usize,
}

/// Runs preemption for `pod` after `fit` failed on `nodes`; `budgets` are the namespace's
/// PodDisruptionBudgets with their current allowance.
pub fn preempt(pod: &Value, nodes: &[NodeInfo], fit: &FitError, budgets: &[Value], pv_affinity: &[Value]) -> Outcome {
    if pod["spec"]["preemptionPolicy"] == "Never" {
        return Outcome::Cannot("preemption: not eligible due to preemptionPolicy=Never.".to_string());
    }
    let mine = priority(pod);
    // Victims of an earlier preemption are still going: wait for them.
    if let Some(nominated) = pod["status"]["nominatedNodeName"].as_str().filter(|n| !n.is_empty()) {
        let waiting = nodes.iter().filter(|n| n.name == nominated).flat_map(|n| n.placed.iter()).any(|p| {
            priority(p) < mine
                && p["metadata"]["deletionTimestamp"].is_string()
                && p["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "DisruptionTarget" && c["reason"] == "PreemptionByScheduler")
        });
        if waiting {
            return Outcome::Cannot("preemption: not eligible due to a terminating pod on the nominated node.".to_string());
        }
    }
    let mut statuses: Vec<String> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for (i, reasons, resolvable) in &fit.nodes {
        let _ = reasons;
        if !resolvable {
            statuses.push(NOT_HELPFUL.to_string());
            continue;
        }
        let n = &nodes[*i];
        let lower: Vec<Arc<Value>> = n.placed.iter().filter(|p| priority(p) < mine && p["metadata"]["deletionTimestamp"].is_null()).cloned().collect();
        if lower.is_empty() {
            statuses.push(NO_VICTIMS.to_string());
            continue;
        }
        // Remove every lower-priority pod: does it fit then?
        let uid = |p: &Value| p["metadata"]["uid"].as_str().unwrap_or_default().to_string();
        let lower_uids: Vec<String> = lower.iter().map(|p| uid(p)).collect();
        let stripped = n.without(|p| !lower_uids.contains(&uid(p)));
        let mut trial: Vec<NodeInfo> = nodes.to_vec();
        trial[*i] = stripped;
        if let Err((r, _)) = check(pod, &trial[*i], &Prepared::of(pod, &trial, pv_affinity)) {
            statuses.extend(r);
            continue;
        }
        // Give pods back, most important first (budget-protected ones before the rest), as long
        // as the pod still fits.
        let mut ordered = lower.clone();
        ordered.order_by(|a, b| priority(b).cmp(&priority(a)).then_with(|| start_time(a).cmp(&start_time(b))));
        let mut allowed: Vec<(Value, i64)> = budgets.iter().map(|b| (b.clone(), b["status"]["disruptionsAllowed"].as_i64().unwrap_or(0))).collect();
        let violating = |p: &Value, allowed: &mut Vec<(Value, i64)>| -> bool {
            let mut v = false;
            for (b, left) in allowed.iter_mut() {
                let Ok(sel) = crate::api::labels::Selector::from_label_selector(&b["spec"]["selector"]) else { continue };
                if !sel.is_empty() && sel.matches(p["metadata"]["labels"].as_object()) && b["metadata"]["namespace"] == p["metadata"]["namespace"] {
                    *left -= 1;
                    if *left < 0 {
                        v = true;
                    }
                }
            }
            v
        };
        let (mut protected, mut rest): (Vec<Arc<Value>>, Vec<Arc<Value>>) = (Vec::new(), Vec::new());
        for p in ordered {
            if violating(&p, &mut allowed) {
                protected.push(p);
            } else {
                rest.push(p);
            }
        }
        let mut victims: Vec<Arc<Value>> = Vec::new();
        let mut violations = 0;
        let mut kept: Vec<String> = Vec::new();
        for (is_protected, p) in protected.iter().map(|p| (true, p)).chain(rest.iter().map(|p| (false, p))) {
            kept.push(uid(p));
            let back = n.without(|q| !lower_uids.contains(&uid(q)) || kept.contains(&uid(q)));
            trial[*i] = back;
            if check(pod, &trial[*i], &Prepared::of(pod, &trial, pv_affinity)).is_err() {
                kept.pop();
                victims.push(p.clone());
                if is_protected {
                    violations += 1;
                }
            }
        }
        victims.order_by(|a, b| priority(b).cmp(&priority(a)).then_with(|| start_time(a).cmp(&start_time(b))));
        candidates.push(Candidate { node: *i, victims, violations });
    }
    if candidates.is_empty() {
        return Outcome::Cannot(format!("preemption: {}", count_message(fit.total, statuses.into_iter())));
    }
    // Fewest budget violations, lowest top victim priority, smallest priority sum, fewest victims,
    // then the latest start among the top victims; the first node by name breaks a tie.
    candidates.order_by(|a, b| {
        let top = |c: &Candidate| c.victims.first().map_or(i64::MIN, |v| priority(v));
        let sum = |c: &Candidate| c.victims.iter().map(|v| priority(v) as i128 + i32::MAX as i128 + 1).sum::<i128>();
        let latest = |c: &Candidate| c.victims.first().map(|v| start_time(v)).unwrap_or_default();
        a.violations
            .cmp(&b.violations)
            .then_with(|| top(a).cmp(&top(b)))
            .then_with(|| sum(a).cmp(&sum(b)))
            .then_with(|| a.victims.len().cmp(&b.victims.len()))
            .then_with(|| latest(b).cmp(&latest(a)))
            .then_with(|| nodes[a.node].name.cmp(&nodes[b.node].name))
    });
    let best = candidates.swap_remove(0);
    Outcome::Preempt { node: nodes[best.node].name.clone(), victims: best.victims }
}
