//! Node: cluster-scoped, registered by kubelets; the table of `kubectl get nodes`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::api::object::str_at;
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::sim::clock::Timestamp;

pub struct NodeStrategy;

const COLUMNS: &[Column] = &[
    Column::name(),
    Column::string("Status"),
    Column::string("Roles"),
    Column::age(),
    Column::string("Version"),
    Column::string("Internal-IP").wide(),
    Column::string("External-IP").wide(),
    Column::string("OS-Image").wide(),
    Column::string("Kernel-Version").wide(),
    Column::string("Container-Runtime").wide(),
];

impl Strategy for NodeStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(COLUMNS)
    }

    fn row(&self, node: &Value, now: Timestamp) -> Vec<Value> {
        let info = &node["status"]["nodeInfo"];
        let or_unknown = |k: &str| match info[k].as_str() {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => "<unknown>".to_string(),
        };
        vec![
            json!(str_at(node, &["metadata", "name"]).unwrap_or_default()),
            json!(status(node)),
            json!(roles(node)),
            json!(format::age(node, now)),
            json!(info["kubeletVersion"].as_str().unwrap_or_default()),
            json!(address(node, "InternalIP")),
            json!(address(node, "ExternalIP")),
            json!(or_unknown("osImage")),
            json!(or_unknown("kernelVersion")),
            json!(or_unknown("containerRuntimeVersion")),
        ]
    }

    fn field_label(&self, node: &Value, label: &str) -> Option<String> {
        match label {
            "spec.unschedulable" => Some((node["spec"]["unschedulable"] == true).to_string()),
            _ => None,
        }
    }
}

/// `Ready`, `NotReady` or `Unknown` from the Ready condition, then `SchedulingDisabled`.
fn status(node: &Value) -> String {
    let ready = node["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .map(|c| if c["status"] == "True" { "Ready" } else { "NotReady" });
    let mut parts = vec![ready.unwrap_or("Unknown")];
    if node["spec"]["unschedulable"] == true {
        parts.push("SchedulingDisabled");
    }
    parts.join(",")
}

/// Roles come from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role`
/// label's value, sorted, comma-joined, `<none>` when there are none.
fn roles(node: &Value) -> String {
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

fn address(node: &Value, kind: &str) -> String {
    node["status"]["addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["type"] == kind)
        .and_then(|a| a["address"].as_str())
        .unwrap_or("<none>")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_roles_follow_kubectl_rules() {
        let mut n = json!({
            "metadata": {"name": "n", "labels": {"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "edge", "node-role.kubernetes.io/": ""}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]},
        });
        let row = NodeStrategy.row(&n, Timestamp(0));
        assert_eq!(row[1], "NotReady,SchedulingDisabled");
        assert_eq!(row[2], "edge,worker");
        assert_eq!(row[3], "<unknown>");
        assert_eq!(row[5], "<none>");
        assert_eq!(row[7], "<unknown>");
        n["status"]["conditions"] = json!([]);
        n["spec"] = json!({});
        assert_eq!(NodeStrategy.row(&n, Timestamp(0))[1], "Unknown");
    }
}
