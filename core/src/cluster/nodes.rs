//! Node objects as a kubelet registers them, and how `kubectl get nodes` summarises them.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::preset::{NodeSpec, Preset};
use super::{age_since, str_at, NodeRow};
use crate::sim::clock::Timestamp;

/// Builds the Node a kubelet of this preset registers, Ready from `now`.
pub(super) fn node_object(preset: &Preset, spec: &NodeSpec, uid: String, now: Timestamp) -> Value {
    let d = &preset.node_defaults;
    let arch = d.node_info.get("architecture").cloned().unwrap_or_else(|| "amd64".into());
    let os = d.node_info.get("operatingSystem").cloned().unwrap_or_else(|| "linux".into());
    let mut labels = Map::new();
    labels.insert("beta.kubernetes.io/arch".into(), json!(arch));
    labels.insert("beta.kubernetes.io/os".into(), json!(os));
    labels.insert("kubernetes.io/arch".into(), json!(arch));
    labels.insert("kubernetes.io/hostname".into(), json!(spec.name));
    labels.insert("kubernetes.io/os".into(), json!(os));
    for (k, v) in &spec.labels {
        labels.insert(k.clone(), json!(v));
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
        "providerID": format!("{}{}", d.provider_id_prefix, spec.name),
    });
    if !spec.taints.is_empty() {
        spec_obj["taints"] = Value::Array(spec.taints.clone());
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": spec.name,
            "uid": uid,
            "creationTimestamp": ts,
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

/// The STATUS, ROLES, AGE and VERSION columns of `kubectl get nodes`.
pub(super) fn node_row(node: &Value, now: Timestamp) -> NodeRow {
    let name = str_at(node, &["metadata", "name"]).unwrap_or_default().to_string();
    let ready = node["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["type"] == "Ready")
        .last()
        .map(|c| if c["status"] == "True" { "Ready" } else { "NotReady" });
    let mut status = vec![ready.unwrap_or("Unknown")];
    if node["spec"]["unschedulable"] == true {
        status.push("SchedulingDisabled");
    }
    NodeRow {
        name,
        status: status.join(","),
        roles: node_roles(node),
        age: age_since(str_at(node, &["metadata", "creationTimestamp"]), now),
        version: str_at(node, &["status", "nodeInfo", "kubeletVersion"]).unwrap_or_default().to_string(),
    }
}

/// Roles come from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role`
/// label's value, sorted, comma-joined, `<none>` when there are none.
fn node_roles(node: &Value) -> String {
    let mut roles = BTreeSet::new();
    if let Some(labels) = node["metadata"]["labels"].as_object() {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.insert(role.to_string());
                }
            } else if k == "kubernetes.io/role" {
                if let Some(v) = v.as_str().filter(|v| !v.is_empty()) {
                    roles.insert(v.to_string());
                }
            }
        }
    }
    if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.into_iter().collect::<Vec<_>>().join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_roles_follow_kubectl_rules() {
        let t = Timestamp(0);
        let mut n = json!({
            "metadata": {"name": "n", "labels": {"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "edge", "node-role.kubernetes.io/": ""}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]},
        });
        let row = node_row(&n, t);
        assert_eq!((row.status.as_str(), row.roles.as_str(), row.age.as_str()), ("NotReady,SchedulingDisabled", "edge,worker", "<unknown>"));
        n["status"]["conditions"] = json!([]);
        n["spec"] = json!({});
        assert_eq!(node_row(&n, t).status, "Unknown");
    }
}
