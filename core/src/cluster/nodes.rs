//! Node objects as a kubelet registers them.

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::preset::{AddedNodes, NodeSpec, Preset};
use crate::sim::clock::Timestamp;

/// Builds the Node a kubelet of this preset registers, Ready from `now`.
pub(super) fn node_object(preset: &Preset, spec: &NodeSpec, now: Timestamp) -> Value {
    let d = &preset.node_defaults;
    let arch = d.node_info.get("architecture").cloned().unwrap_or_else(|| "amd64".into());
    let os = d.node_info.get("operatingSystem").cloned().unwrap_or_else(|| "linux".into());
    let mut labels = Map::new();
    labels.insert("beta.kubernetes.io/arch".into(), json!(arch));
    labels.insert("beta.kubernetes.io/os".into(), json!(os));
    labels.insert("kubernetes.io/arch".into(), json!(arch));
    labels.insert("kubernetes.io/hostname".into(), json!(spec.name));
    labels.insert("kubernetes.io/os".into(), json!(os));
    // minikube stamps its labels with Go's "2006_01_02T15_04_05_0700" (the 0700 stays literal).
    let stamp = now.rfc3339().trim_end_matches('Z').replace([':', '-'], "_") + "_0700";
    for (k, v) in &spec.labels {
        labels.insert(k.clone(), json!(v.replace("${BOOT_UPDATED_AT}", &stamp)));
    }
    let ts = now.rfc3339();
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({
            "lastHeartbeatTime": ts, "lastTransitionTime": ts, "message": message,
            "reason": reason, "status": status, "type": kind,
        })
    };
    let mut node_info: Map<String, Value> = d.node_info.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    node_info.insert("kubeletVersion".into(), json!(preset.kubernetes_version));
    let mut spec_obj = json!({
        "podCIDR": spec.pod_cidr,
        "podCIDRs": [spec.pod_cidr],
    });
    if let Some(prefix) = &d.provider_id_prefix {
        spec_obj["providerID"] = json!(format!("{prefix}{}", spec.name));
    }
    if !spec.taints.is_empty() {
        spec_obj["taints"] = Value::Array(spec.taints.clone());
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": spec.name,
            "labels": labels,
            "annotations": d.annotations,
        },
        "spec": spec_obj,
        "status": {
            "addresses": [
                {"address": spec.internal_ip, "type": "InternalIP"},
                {"address": spec.name, "type": "Hostname"},
            ],
            "allocatable": d.capacity,
            "capacity": d.capacity,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": node_info,
        },
    })
}

/// The next node of the preset's `addedNodes` shape: the first free name, the address after the
/// highest node address, the pod CIDR after the highest one.
pub(super) fn next_node_spec(shape: &AddedNodes, existing: &[Arc<Value>]) -> NodeSpec {
    let address = |n: &Value| -> Option<Ipv4Addr> {
        n["status"]["addresses"].as_array()?.iter().find(|a| a["type"] == "InternalIP")?["address"].as_str()?.parse().ok()
    };
    let cidr = |n: &Value| -> Option<Ipv4Addr> { n["spec"]["podCIDR"].as_str()?.split('/').next()?.parse().ok() };
    let taken = Taken {
        names: existing.iter().filter_map(|n| n["metadata"]["name"].as_str()).collect(),
        count: existing.len(),
        last_ip: existing.iter().filter_map(|n| address(n)).max(),
        last_pod_net: existing.iter().filter_map(|n| cidr(n)).max(),
    };
    taken.next_specs(shape, 1).pop().expect("one spec")
}

/// `count` more workers after the nodes a preset lists, as [`next_node_spec`] would add them
/// one by one.
pub(super) fn more_specs(shape: &AddedNodes, listed: &[NodeSpec], count: usize) -> Vec<NodeSpec> {
    let taken = Taken {
        names: listed.iter().map(|n| n.name.as_str()).collect(),
        count: listed.len(),
        last_ip: listed.iter().filter_map(|n| n.internal_ip.parse().ok()).max(),
        last_pod_net: listed.iter().filter_map(|n| n.pod_cidr.split('/').next()?.parse().ok()).max(),
    };
    taken.next_specs(shape, count)
}

/// What the nodes so far hold: names, and the highest address and pod network.
struct Taken<'a> {
    names: std::collections::HashSet<&'a str>,
    count: usize,
    last_ip: Option<Ipv4Addr>,
    last_pod_net: Option<Ipv4Addr>,
}

impl Taken<'_> {
    /// The next `count` nodes: the first free name numbered from the count of nodes so far,
    /// the address after the highest, the /24 after the highest pod network.
    fn next_specs(&self, shape: &AddedNodes, count: usize) -> Vec<NodeSpec> {
        let mut out = Vec::with_capacity(count);
        let mut number = self.count + shape.number_offset;
        let mut ip = self.last_ip.map_or(Ipv4Addr::new(172, 18, 0, 2), |ip| Ipv4Addr::from(u32::from(ip).wrapping_add(1)));
        let mut pod_net = self.last_pod_net.map_or(Ipv4Addr::new(10, 244, 0, 0), |c| Ipv4Addr::from(u32::from(c).wrapping_add(256)));
        for _ in 0..count {
            let name = loop {
                let candidate = shape.name_pattern.replacen("{}", &format!("{number:0width$}", width = shape.number_width), 1);
                number += 1;
                if !self.names.contains(candidate.as_str()) {
                    break candidate;
                }
            };
            out.push(NodeSpec { name, internal_ip: ip.to_string(), pod_cidr: format!("{pod_net}/24"), labels: shape.labels.clone(), taints: Vec::new() });
            ip = Ipv4Addr::from(u32::from(ip).wrapping_add(1));
            pod_net = Ipv4Addr::from(u32::from(pod_net).wrapping_add(256));
        }
        out
    }
}
