//! Node objects as a kubelet registers them.

use serde_json::{json, Map, Value};

use super::preset::{NodeSpec, Preset};
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
