//! Filter and score plugins, named as kube-scheduler names them, each with its failure reason
//! as kube-scheduler words it.

use crate::sort::Order;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::quantity::Quantity;

/// Why a node was filtered out; the text is what the FailedScheduling message counts.
pub type Reason = String;

/// A node and what is placed on it.
#[derive(Clone)]
pub struct NodeInfo {
    pub name: String,
    /// The Node as stored (shared, not copied: a pass makes a NodeInfo of every node).
    pub node: std::sync::Arc<Value>,
    pub cpu_milli: i64,
    pub memory: i64,
    pub pods: i64,
    pub used_cpu_milli: i64,
    pub used_memory: i64,
    pub used_pods: i64,
    /// Requests as scoring counts them: a container without requests counts as 100m and 200Mi.
    pub nonzero_cpu_milli: i64,
    pub nonzero_memory: i64,
    pub host_ports: Vec<(String, i64)>,
    /// How many pods on the node each controller (owner uid) has, for spreading: counted, not
    /// listed (looking through a list of every pod's owner for every node made each pod's
    /// scoring O(all placed pods); 10,000 replicas spent most of their scheduling there).
    pub owners: BTreeMap<String, i64>,
    /// The pods on the node (for inter-pod affinity and topology spread).
    pub placed: Vec<std::sync::Arc<Value>>,
    /// Those of them with required anti-affinity (checked against every incoming pod).
    pub anti: Vec<std::sync::Arc<Value>>,
    /// `spec.unschedulable`.
    unschedulable: bool,
    /// The taints the filter checks (NoSchedule, NoExecute), and those scoring counts
    /// (PreferNoSchedule).
    hard_taints: Vec<Value>,
    soft_taints: Vec<Value>,
}

impl NodeInfo {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.node["metadata"]["labels"][key].as_str()
    }

    /// A node with nothing on it yet.
    pub fn empty(node: &Value) -> NodeInfo {
        NodeInfo::of(std::sync::Arc::new(node.clone()))
    }

    /// The stored `node` with nothing on it yet.
    pub fn of(node: std::sync::Arc<Value>) -> NodeInfo {
        let alloc = &node["status"]["allocatable"];
        let taints = |effects: &[&str]| -> Vec<Value> {
            node["spec"]["taints"].as_array().into_iter().flatten().filter(|t| t["effect"].as_str().is_some_and(|e| effects.contains(&e))).cloned().collect()
        };
        NodeInfo {
            name: node["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            cpu_milli: q(&alloc["cpu"]).map_or(0, |x| x.milli_value()),
            memory: q(&alloc["memory"]).map_or(0, |x| x.value()),
            pods: q(&alloc["pods"]).map_or(110, |x| x.value()),
            used_cpu_milli: 0,
            used_memory: 0,
            used_pods: 0,
            nonzero_cpu_milli: 0,
            nonzero_memory: 0,
            host_ports: Vec::new(),
            owners: BTreeMap::new(),
            placed: Vec::new(),
            anti: Vec::new(),
            unschedulable: node["spec"]["unschedulable"] == true,
            hard_taints: taints(&["NoSchedule", "NoExecute"]),
            soft_taints: taints(&["PreferNoSchedule"]),
            node,
        }
    }

    /// The node with only the pods `keep` accepts (a preemption dry run).
    pub fn without(&self, keep: impl Fn(&Value) -> bool) -> NodeInfo {
        let mut n = NodeInfo::of(self.node.clone());
        for p in self.placed.iter().filter(|p| keep(p)) {
            n.add(p);
        }
        n
    }
}

fn q(v: &Value) -> Option<Quantity> {
    v.as_str().and_then(|s| Quantity::parse(s).ok())
}

/// The requests kube-scheduler counts for a pod: the sum over containers, or the largest init
/// container if larger, for cpu (millicores) and memory (bytes).
pub fn pod_requests(pod: &Value) -> (i64, i64) {
    let sum = |list: &str, res: &str, milli: bool| -> Vec<i64> {
        pod["spec"][list]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| q(&c["resources"]["requests"][res]).map_or(0, |x| if milli { x.milli_value() } else { x.value() }))
            .collect()
    };
    let cpu = sum("containers", "cpu", true).iter().sum::<i64>().max(sum("initContainers", "cpu", true).into_iter().max().unwrap_or(0));
    let mem = sum("containers", "memory", false).iter().sum::<i64>().max(sum("initContainers", "memory", false).into_iter().max().unwrap_or(0));
    (cpu, mem)
}

/// Requests for scoring: each regular container without a request counts the scheduler's
/// defaults (100m CPU, 200Mi memory), so pods without requests still spread.
fn nonzero_requests(pod: &Value) -> (i64, i64) {
    pod["spec"]["containers"].as_array().into_iter().flatten().fold((0, 0), |(cpu, mem), c| {
        let r = &c["resources"]["requests"];
        let cc = q(&r["cpu"]).map_or(0, |x| x.milli_value());
        let mm = q(&r["memory"]).map_or(0, |x| x.value());
        (cpu + if cc == 0 { 100 } else { cc }, mem + if mm == 0 { 200 * 1024 * 1024 } else { mm })
    })
}

fn controller_uid(pod: &Value) -> Option<&str> {
    pod["metadata"]["ownerReferences"].as_array()?.iter().find(|o| o["controller"] == true)?["uid"].as_str()
}

impl NodeInfo {
    pub fn add(&mut self, pod: &std::sync::Arc<Value>) {
        let (cpu, mem) = pod_requests(pod);
        self.used_cpu_milli += cpu;
        self.used_memory += mem;
        self.used_pods += 1;
        let (nc, nm) = nonzero_requests(pod);
        self.nonzero_cpu_milli += nc;
        self.nonzero_memory += nm;
        if let Some(owner) = controller_uid(pod) {
            match self.owners.get_mut(owner) {
                Some(n) => *n += 1,
                None => {
                    self.owners.insert(owner.to_string(), 1);
                }
            }
        }
        let arc = pod.clone();
        if pod["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"].as_array().is_some_and(|a| !a.is_empty()) {
            self.anti.push(arc.clone());
        }
        self.placed.push(arc);
        self.host_ports.extend(host_ports(pod));
    }

    /// Takes back what [`NodeInfo::add`] added for `pod` (the same version of it), wherever it
    /// stands in the lists; nothing if it is not there.
    pub fn remove(&mut self, pod: &std::sync::Arc<Value>) {
        let Some(at) = self.placed.iter().position(|p| std::sync::Arc::ptr_eq(p, pod)) else { return };
        self.placed.remove(at);
        if let Some(a) = self.anti.iter().position(|p| std::sync::Arc::ptr_eq(p, pod)) {
            self.anti.remove(a);
        }
        let (cpu, mem) = pod_requests(pod);
        self.used_cpu_milli -= cpu;
        self.used_memory -= mem;
        self.used_pods -= 1;
        let (nc, nm) = nonzero_requests(pod);
        self.nonzero_cpu_milli -= nc;
        self.nonzero_memory -= nm;
        if let Some(owner) = controller_uid(pod) {
            if let Some(n) = self.owners.get_mut(owner) {
                *n -= 1;
                if *n <= 0 {
                    self.owners.remove(owner);
                }
            }
        }
        for port in host_ports(pod) {
            if let Some(h) = self.host_ports.iter().position(|h| *h == port) {
                self.host_ports.swap_remove(h);
            }
        }
    }

    /// Moves the pod last added to where the pods' order puts it (namespace, then name), as a
    /// fresh look at every pod would have it.
    pub fn settle_last(&mut self) {
        fn key(p: &Value) -> (&str, &str) {
            (p["metadata"]["namespace"].as_str().unwrap_or_default(), p["metadata"]["name"].as_str().unwrap_or_default())
        }
        fn settle(list: &mut Vec<std::sync::Arc<Value>>, pod: &std::sync::Arc<Value>) {
            let Some(n) = list.len().checked_sub(1).filter(|&n| std::sync::Arc::ptr_eq(&list[n], pod)) else { return };
            let at = {
                let k = key(&list[n]);
                list[..n].partition_point(|p| key(p) < k)
            };
            if at < n {
                if let Some(last) = list.pop() {
                    list.insert(at, last);
                }
            }
        }
        let Some(pod) = self.placed.last().cloned() else { return };
        settle(&mut self.anti, &pod);
        settle(&mut self.placed, &pod);
    }

    /// Whether two describe the same node with the same pods, in the same order (host ports,
    /// which only count, in any order).
    #[cfg(debug_assertions)]
    pub fn same_as(&self, other: &NodeInfo) -> bool {
        let ports = |v: &[(String, i64)]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        let ids = |v: &[std::sync::Arc<Value>]| v.iter().map(|p| (p["metadata"]["uid"].clone(), p["metadata"]["resourceVersion"].clone())).collect::<Vec<_>>();
        self.name == other.name
            && self.node == other.node
            && (self.cpu_milli, self.memory, self.pods) == (other.cpu_milli, other.memory, other.pods)
            && (self.used_cpu_milli, self.used_memory, self.used_pods, self.nonzero_cpu_milli, self.nonzero_memory) == (other.used_cpu_milli, other.used_memory, other.used_pods, other.nonzero_cpu_milli, other.nonzero_memory)
            && self.owners == other.owners
            && ports(&self.host_ports) == ports(&other.host_ports)
            && ids(&self.placed) == ids(&other.placed)
            && ids(&self.anti) == ids(&other.anti)
    }
}

/// The (protocol, hostPort) pairs of a pod's containers.
fn host_ports(pod: &Value) -> impl Iterator<Item = (String, i64)> + '_ {
    pod["spec"]["containers"].as_array().into_iter().flatten().flat_map(|c| c["ports"].as_array().into_iter().flatten()).filter_map(|p| {
        p["hostPort"].as_i64().filter(|h| *h > 0).map(|hp| (p["protocol"].as_str().unwrap_or("TCP").to_string(), hp))
    })
}

pub fn tolerates(tolerations: &[Value], taint: &Value) -> bool {
    tolerations.iter().any(|t| {
        let key_ok = t["key"].as_str().is_none_or(str::is_empty) && t["operator"] == "Exists" || t["key"] == taint["key"];
        let effect_ok = t["effect"].as_str().is_none_or(str::is_empty) || t["effect"] == taint["effect"];
        let value_ok = t["operator"] == "Exists" || t["value"].as_str().unwrap_or_default() == taint["value"].as_str().unwrap_or_default();
        key_ok && effect_ok && value_ok
    })
}

pub fn node_affinity_ok(pod: &Value, node: &Value) -> bool {
    let labels = node["metadata"]["labels"].as_object();
    if let Some(sel) = pod["spec"]["nodeSelector"].as_object() {
        if !sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)) {
            return false;
        }
    }
    let Some(terms) = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"].as_array() else {
        return true;
    };
    // Terms are ORed; expressions within a term are ANDed.
    terms.iter().any(|term| {
        let exprs_ok = term["matchExpressions"].as_array().into_iter().flatten().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let value = labels.and_then(|l| l.get(key)).and_then(Value::as_str);
            let values: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            match e["operator"].as_str().unwrap_or_default() {
                "In" => value.is_some_and(|v| values.contains(&v)),
                "NotIn" => value.is_none_or(|v| !values.contains(&v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                "Gt" => value.and_then(|v| v.parse::<i64>().ok()).zip(values.first().and_then(|b| b.parse::<i64>().ok())).is_some_and(|(v, b)| v > b),
                "Lt" => value.and_then(|v| v.parse::<i64>().ok()).zip(values.first().and_then(|b| b.parse::<i64>().ok())).is_some_and(|(v, b)| v < b),
                _ => false,
            }
        });
        let fields_ok = term["matchFields"].as_array().into_iter().flatten().all(|e| {
            let values: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let name = node["metadata"]["name"].as_str().unwrap_or_default();
            match e["operator"].as_str().unwrap_or_default() {
                "In" => values.contains(&name),
                "NotIn" => !values.contains(&name),
                _ => false,
            }
        });
        exprs_ok && fields_ok
    })
}

/// What the filters and scores need of a pod, worked out once per scheduling attempt rather than
/// once per node (kube-scheduler's PreFilter and PreScore state).
pub struct Prepared<'a> {
    tolerations: &'a [Value],
    requests: (i64, i64),
    /// Whether the pod has a nodeSelector or required node affinity (without either, every node
    /// passes NodeAffinity).
    node_constrained: bool,
    host_ports: Vec<(String, i64)>,
    /// VolumeBinding: each bound volume's node affinity, as a pod that requires it.
    volume_probes: Vec<Value>,
    spread: super::spread::Constraints,
    interpod: super::interpod::Terms,
    /// NodeAffinity's preferred terms: each as a pod that requires it, and its weight.
    preferred: Vec<(Value, i64)>,
}

impl<'a> Prepared<'a> {
    /// `pv_affinity` is the node affinity of each volume the pod's claims are bound to.
    pub fn of(pod: &'a Value, all: &[NodeInfo], pv_affinity: &[Value]) -> Self {
        let requiring = |required: &Value| serde_json::json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}});
        let spec = &pod["spec"];
        Prepared {
            tolerations: spec["tolerations"].as_array().map_or(&[], Vec::as_slice),
            requests: pod_requests(pod),
            node_constrained: spec["nodeSelector"].is_object() || spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"].is_array(),
            host_ports: host_ports(pod).collect(),
            volume_probes: pv_affinity.iter().map(requiring).collect(),
            spread: super::spread::Constraints::of(pod, all),
            interpod: super::interpod::Terms::of(pod, all),
            preferred: spec["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| (requiring(&serde_json::json!({"nodeSelectorTerms": [t["preference"]]})), t["weight"].as_i64().unwrap_or(0)))
                .collect(),
        }
    }
}

/// Runs the filter plugins on one node: `Err(reason)` names the first that rejects it.
fn filter(pod: &Value, n: &NodeInfo, pre: &Prepared) -> Result<(), Reason> {
    let tolerations = pre.tolerations;
    // NodeUnschedulable
    if n.unschedulable {
        let taint = serde_json::json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"});
        if !tolerates(tolerations, &taint) {
            return Err("node(s) were unschedulable".into());
        }
    }
    // NodeName
    // (a pod with spec.nodeName set never reaches the scheduler)
    // TaintToleration
    for taint in &n.hard_taints {
        if !tolerates(tolerations, taint) {
            let key = taint["key"].as_str().unwrap_or_default();
            let value = taint["value"].as_str().unwrap_or_default();
            return Err(format!("node(s) had untolerated taint {{{key}: {value}}}"));
        }
    }
    // NodeAffinity (nodeSelector and required node affinity)
    if pre.node_constrained && !node_affinity_ok(pod, &n.node) {
        return Err("node(s) didn't match Pod's node affinity/selector".into());
    }
    // NodePorts
    if pre.host_ports.iter().any(|p| n.host_ports.contains(p)) {
        return Err("node(s) didn't have free ports for the requested pod ports".into());
    }
    // NodeResourcesFit
    let (cpu, mem) = pre.requests;
    let mut insufficient = Vec::new();
    if n.used_pods + 1 > n.pods {
        insufficient.push("Too many pods".to_string());
    }
    if cpu > 0 && n.used_cpu_milli + cpu > n.cpu_milli {
        insufficient.push("Insufficient cpu".to_string());
    }
    if mem > 0 && n.used_memory + mem > n.memory {
        insufficient.push("Insufficient memory".to_string());
    }
    if !insufficient.is_empty() {
        return Err(insufficient.join("\u{0}"));
    }
    // VolumeBinding: the node must be where the pod's bound volumes are.
    if pre.volume_probes.iter().any(|probe| !node_affinity_ok(probe, &n.node)) {
        return Err(super::volumebinding::NODE_AFFINITY_CONFLICT.into());
    }
    // PodTopologySpread, then InterPodAffinity.
    pre.spread.filter(n)?;
    pre.interpod.filter(n)?;
    Ok(())
}

/// NodeResourcesFit (LeastAllocated) and NodeResourcesBalancedAllocation, 0..100 each, on the
/// requests scoring counts.
fn resource_score((cpu, mem): (i64, i64), n: &NodeInfo) -> i64 {
    let frac = |used: i64, cap: i64| if cap <= 0 { 1.0 } else { (used as f64 / cap as f64).min(1.0) };
    let fc = frac(n.nonzero_cpu_milli + cpu, n.cpu_milli);
    let fm = frac(n.nonzero_memory + mem, n.memory);
    let least = ((1.0 - fc) * 100.0 + (1.0 - fm) * 100.0) / 2.0;
    let balanced = (1.0 - (fc - fm).abs()) * 100.0;
    (least + balanced) as i64
}

/// Whether preemption could help with a filter failure (Unschedulable) or not
/// (UnschedulableAndUnresolvable).
fn resolvable(reason: &str) -> bool {
    reason.starts_with("Insufficient")
        || reason.starts_with("Too many pods")
        || reason == super::interpod::ANTI_AFFINITY_NOT_MATCH
        || reason == super::interpod::EXISTING_ANTI_AFFINITY_NOT_MATCH
        || reason == super::spread::CONSTRAINTS_NOT_MATCH
        || reason == "node(s) didn't have free ports for the requested pod ports"
}

/// Scales raw scores to 0..`max` over the feasible nodes (all equal: all `max` when positive).
fn normalize(raw: &[i64], max: i64) -> Vec<i64> {
    let (lo, hi) = (raw.iter().copied().min().unwrap_or(0), raw.iter().copied().max().unwrap_or(0));
    if hi == lo {
        return vec![0; raw.len()];
    }
    raw.iter().map(|r| (r - lo) * max / (hi - lo)).collect()
}

/// NodeAffinity's score: the weights of the preferred terms the node matches.
fn preferred_node_affinity(pre: &Prepared, node: &Value) -> i64 {
    pre.preferred.iter().filter(|(probe, _)| node_affinity_ok(probe, node)).map(|(_, weight)| weight).sum()
}

/// TaintToleration's score: PreferNoSchedule taints the pod does not tolerate.
fn prefer_no_schedule(tolerations: &[Value], n: &NodeInfo) -> i64 {
    n.soft_taints.iter().filter(|t| !tolerates(tolerations, t)).count() as i64
}

/// PodTopologySpread's cluster default (spread over hostnames, weight 2): among the feasible
/// nodes, those with fewer pods of the same controller score higher.
fn spread_scores(pod: &Value, feasible: &[&NodeInfo]) -> Vec<i64> {
    let Some(owner) = controller_uid(pod) else { return vec![0; feasible.len()] };
    let counts: Vec<i64> = feasible.iter().map(|n| n.owners.get(owner).copied().unwrap_or(0)).collect();
    let (min, max) = (counts.iter().copied().min().unwrap_or(0), counts.iter().copied().max().unwrap_or(0));
    counts.iter().map(|c| if max == min { 200 } else { 200 * (max - c) / (max - min) }).collect()
}

/// Why the pod fits on no node: each node's filter failure.
pub struct FitError {
    /// (node index, reason parts, whether preemption could help)
    pub nodes: Vec<(usize, Vec<String>, bool)>,
    pub total: usize,
}

impl FitError {
    /// `0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2 Insufficient cpu.`
    pub fn message(&self) -> String {
        count_message(self.total, self.nodes.iter().flat_map(|(_, r, _)| r.iter().cloned()))
    }
}

/// `0/N nodes are available: <count> <reason>, ...` with the parts sorted as strings, as
/// kube-scheduler's FitError prints them.
pub fn count_message(total: usize, reasons: impl Iterator<Item = String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in reasons {
        *counts.entry(r).or_default() += 1;
    }
    let mut parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.order();
    if parts.is_empty() {
        format!("0/{total} nodes are available:")
    } else {
        format!("0/{total} nodes are available: {}.", parts.join(", "))
    }
}

/// Runs the filters on one node for `pod`: the reasons it fails, if it does, and whether
/// preemption could help.
pub fn check(pod: &Value, n: &NodeInfo, pre: &Prepared) -> Result<(), (Vec<String>, bool)> {
    filter(pod, n, pre).map_err(|r| {
        let res = resolvable(&r);
        (r.split('\u{0}').map(str::to_string).collect(), res)
    })
}

/// How many feasible nodes a scheduling attempt looks for before it stops filtering
/// (kube-scheduler's adaptive percentageOfNodesToScore): every node below 100 nodes, then
/// 50% less 1% per 125 nodes (at least 5%), and never fewer than 100.
pub fn feasible_nodes_to_find(all: usize) -> usize {
    const MIN_FEASIBLE: usize = 100;
    if all < MIN_FEASIBLE {
        return all;
    }
    let percentage = 50usize.saturating_sub(all / 125).max(5);
    (all * percentage / 100).max(MIN_FEASIBLE)
}

/// Filters nodes from `*start` round the list until enough are feasible, scores those, and
/// picks the best; `*start` moves past the nodes looked at, so the next pod begins where this
/// one stopped (as kube-scheduler's nextStartNodeIndex).
/// The chosen node is returned as its index in `nodes`, which must be in the order of their
/// names (as the scheduler's cache keeps them).
pub fn place(pod: &Value, nodes: &[NodeInfo], pv_affinity: &[Value], images: &super::imagelocality::ImageStates, start: &mut usize) -> Result<usize, FitError> {
    let mut failures = Vec::new();
    let pre = Prepared::of(pod, nodes, pv_affinity);
    let wanted = feasible_nodes_to_find(nodes.len());
    let mut feasible: Vec<usize> = Vec::with_capacity(wanted);
    let first = if nodes.is_empty() { 0 } else { *start % nodes.len() };
    let mut processed = 0;
    for k in 0..nodes.len() {
        if feasible.len() >= wanted {
            break;
        }
        let i = (first + k) % nodes.len();
        let n = &nodes[i];
        processed += 1;
        match check(pod, n, &pre) {
            Ok(()) => feasible.push(i),
            Err((reasons, res)) => failures.push((i, reasons, res)),
        }
    }
    if !nodes.is_empty() {
        *start = (first + processed) % nodes.len();
    }
    // PodTopologySpread: the pod's own ScheduleAnyway constraints, else the cluster default
    // (spread a controller's pods over hostnames).
    let feasible_nodes: Vec<&NodeInfo> = feasible.iter().map(|&i| &nodes[i]).collect();
    let explicit: Vec<Option<i64>> = feasible_nodes.iter().map(|n| pre.spread.raw_penalty(n)).collect();
    let spread = if explicit.iter().any(Option::is_some) {
        normalize(&explicit.iter().map(|p| -p.unwrap_or(0)).collect::<Vec<_>>(), 200)
    } else {
        spread_scores(pod, &feasible_nodes)
    };
    // A score that is the same on every node normalizes to 0 everywhere: without preferred
    // terms, or PreferNoSchedule taints, there is nothing to work out.
    let zeros = || vec![0; feasible_nodes.len()];
    let interpod = if pre.interpod.has_preferred() { normalize(&feasible_nodes.iter().map(|n| pre.interpod.raw_score(n)).collect::<Vec<_>>(), 200) } else { zeros() };
    let node_pref = if pre.preferred.is_empty() { zeros() } else { normalize(&feasible_nodes.iter().map(|n| preferred_node_affinity(&pre, &n.node)).collect::<Vec<_>>(), 200) };
    let taint_pref = if feasible_nodes.iter().all(|n| n.soft_taints.is_empty()) {
        zeros()
    } else {
        normalize(&feasible_nodes.iter().map(|n| -prefer_no_schedule(pre.tolerations, n)).collect::<Vec<_>>(), 300)
    };
    let locality = images.matters_for(pod);
    let requests = nonzero_requests(pod);
    let mut best: Option<(i64, usize)> = None;
    for (i, ((&at, n), sp)) in feasible.iter().zip(&feasible_nodes).zip(spread).enumerate() {
        let image_score = if locality { images.score(pod, &n.node) } else { 0 };
        let s = resource_score(requests, n) + sp + interpod[i] + node_pref[i] + taint_pref[i] + image_score;
        // A tie goes to the first name: `nodes` are in name order, so the lower index.
        if best.is_none_or(|(b, other)| s > b || (s == b && at < other)) {
            best = Some((s, at));
        }
    }
    match best {
        Some((_, at)) => Ok(at),
        None => Err(FitError { nodes: failures, total: nodes.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::{feasible_nodes_to_find, place, NodeInfo};
    use crate::scheduler::imagelocality::ImageStates;
    use serde_json::json;

    fn nodes(count: usize, cpu: &str) -> Vec<NodeInfo> {
        (0..count)
            .map(|i| NodeInfo::empty(&json!({"metadata": {"name": format!("n{i:03}"), "labels": {"kubernetes.io/hostname": format!("n{i:03}")}},
                "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}}})))
            .collect()
    }

    #[test]
    fn from_100_nodes_filtering_stops_at_enough_and_the_next_pod_starts_after() {
        let pod = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}});
        // 200 equal nodes: 100 are looked at, the best of them (ties: the first name) taken,
        // and the next attempt begins at the 101st.
        let big = nodes(200, "8");
        let images = ImageStates::of(&big);
        let mut start = 0;
        assert_eq!(place(&pod, &big, &[], &images, &mut start).ok(), Some(0));
        assert_eq!(start, 100);
        assert_eq!(place(&pod, &big, &[], &images, &mut start).ok(), Some(100));
        assert_eq!(start, 0);
        // Below 100 nodes every node is looked at, and the start comes back round.
        let small = nodes(50, "8");
        let images = ImageStates::of(&small);
        let mut start = 7;
        assert_eq!(place(&pod, &small, &[], &images, &mut start).ok(), Some(0));
        assert_eq!(start, 7);
        // When no node fits, every node is looked at and named in the reasons.
        let greedy = json!({"metadata": {"name": "g", "namespace": "default"}, "spec": {"containers": [{"name": "a", "image": "nginx", "resources": {"requests": {"cpu": "9"}}}]}});
        let mut start = 30;
        let fit = place(&greedy, &big, &[], &ImageStates::of(&big), &mut start).unwrap_err();
        assert_eq!((fit.nodes.len(), fit.total), (200, 200));
        assert!(fit.message().starts_with("0/200 nodes are available: 200 Insufficient cpu."), "{}", fit.message());
        assert_eq!(start, 30);
    }

    /// Three nodes a, b, c in zones z1, z1, z2, with `placed` pods on them.
    fn zoned(placed: &[(usize, serde_json::Value)], edit: impl Fn(usize, &mut serde_json::Value)) -> Vec<NodeInfo> {
        let mut out: Vec<NodeInfo> = ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut node = json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": if i < 2 { "z1" } else { "z2" }}},
                    "spec": {}, "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}});
                edit(i, &mut node);
                NodeInfo::empty(&node)
            })
            .collect();
        for (i, pod) in placed {
            out[*i].add(&std::sync::Arc::new(pod.clone()));
        }
        out
    }

    fn pod(labels: serde_json::Value, spec: serde_json::Value) -> serde_json::Value {
        let mut spec = spec;
        spec["containers"] = json!([{"name": "a", "image": "nginx", "ports": spec["ports"].take()}]);
        json!({"metadata": {"name": "p", "namespace": "default", "labels": labels}, "spec": spec})
    }

    fn placed_on(pod: &serde_json::Value, nodes: &[NodeInfo]) -> Result<String, String> {
        let mut start = 0;
        place(pod, nodes, &[], &ImageStates::of(nodes), &mut start).map(|i| nodes[i].name.clone()).map_err(|f| f.message())
    }

    #[test]
    fn scores_and_filters_worked_out_once_per_pod_pick_the_node_each_plugin_prefers() {
        let db = pod(json!({"app": "db"}), json!({}));
        let none: &[(usize, serde_json::Value)] = &[];
        let keep = |_: usize, _: &mut serde_json::Value| {};
        // Preferred pod affinity: the zone with a db pod (c), though a is first by name.
        let near = pod(json!({}), json!({"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "topology.kubernetes.io/zone"}}]}}}));
        assert_eq!(placed_on(&near, &zoned(&[(2, db.clone())], keep)), Ok("c".into()));
        // Preferred anti-affinity: away from the zone with the db pod (c, not the empty b).
        let far = pod(json!({}), json!({"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "topology.kubernetes.io/zone"}}]}}}));
        assert_eq!(placed_on(&far, &zoned(&[(0, db.clone())], keep)), Ok("c".into()));
        // ScheduleAnyway spread: the zone with fewer matching pods.
        let spread = pod(json!({"app": "db"}), json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "db"}}}]}));
        assert_eq!(placed_on(&spread, &zoned(&[(0, db.clone())], keep)), Ok("c".into()));
        // Preferred node affinity.
        let zone2 = pod(json!({}), json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["z2"]}]}}]}}}));
        assert_eq!(placed_on(&zone2, &zoned(none, keep)), Ok("c".into()));
        // PreferNoSchedule taints are avoided; NoSchedule ones filter, unless tolerated.
        let tainted = |effect: &'static str| move |i: usize, n: &mut serde_json::Value| {
            if i < 2 {
                n["spec"]["taints"] = json!([{"key": "k", "value": "v", "effect": effect}]);
            }
        };
        let plain = pod(json!({}), json!({}));
        assert_eq!(placed_on(&plain, &zoned(none, tainted("PreferNoSchedule"))), Ok("c".into()));
        assert_eq!(placed_on(&plain, &zoned(none, |i, n| if i != 1 { n["spec"]["taints"] = json!([{"key": "k", "value": "v", "effect": "NoSchedule"}]) })), Ok("b".into()));
        let tolerant = pod(json!({}), json!({"tolerations": [{"key": "k", "operator": "Exists"}]}));
        assert_eq!(placed_on(&tolerant, &zoned(none, tainted("NoSchedule"))), Ok("a".into()));
        // Unschedulable nodes are filtered.
        assert_eq!(placed_on(&plain, &zoned(none, |i, n| if i == 0 { n["spec"]["unschedulable"] = json!(true) })), Ok("b".into()));
        // A host port in use filters the node; with every node taken, the reasons are counted.
        let port = pod(json!({}), json!({"ports": [{"containerPort": 80, "hostPort": 8080}]}));
        assert_eq!(placed_on(&port, &zoned(&[(0, port.clone())], keep)), Ok("b".into()));
        let everywhere = [(0, port.clone()), (1, port.clone()), (2, port.clone())];
        assert_eq!(placed_on(&port, &zoned(&everywhere, keep)), Err("0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports.".into()));
        // A nodeSelector filters.
        let selective = pod(json!({}), json!({"nodeSelector": {"kubernetes.io/hostname": "c"}}));
        assert_eq!(placed_on(&selective, &zoned(none, keep)), Ok("c".into()));
    }

    #[test]
    fn feasible_nodes_to_find_follows_kube_scheduler() {
        // Every node below 100; then 50% less 1% per 125 nodes, at least 5%, never under 100.
        for (all, want) in [(0, 0), (3, 3), (99, 99), (100, 100), (150, 100), (250, 120), (1_000, 420), (5_000, 500), (6_000, 300), (20_000, 1_000)] {
            assert_eq!(feasible_nodes_to_find(all), want, "{all} nodes");
        }
    }
}
