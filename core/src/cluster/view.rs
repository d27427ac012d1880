//! What the playground's cluster view draws: pods with the columns of `kubectl get pods -o
//! wide`, read from the API server's own Table at the cluster's current time, plus what owns
//! each pod.

use crate::sort::Order;
use serde_json::Value;

use super::Cluster;
use crate::apiserver::Request;

/// One pod as the cluster view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    pub ready: String,
    pub status: String,
    pub restarts: String,
    pub age: String,
    /// Empty while the pod is not scheduled.
    pub node: String,
    /// The kind of its controller (`ReplicaSet`, `DaemonSet`, ...), empty for a bare pod.
    pub owner: String,
}

impl Cluster {
    /// Every pod, ordered by namespace and name.
    pub fn pod_rows(&self) -> Vec<PodRow> {
        let req = Request::get("/api/v1/pods").with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io");
        let Some(table) = self.api_ref().read(&req).json().cloned() else { return Vec::new() };
        let cell = |row: &Value, i: usize| match &row["cells"][i] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            v => v.to_string(),
        };
        let mut rows: Vec<PodRow> = table["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let meta = &r["object"]["metadata"];
                let owner = meta["ownerReferences"].as_array().into_iter().flatten().find(|o| o["controller"] == true).and_then(|o| o["kind"].as_str()).unwrap_or_default();
                let node = cell(r, 6);
                PodRow {
                    namespace: meta["namespace"].as_str().unwrap_or_default().to_string(),
                    name: cell(r, 0),
                    ready: cell(r, 1),
                    status: cell(r, 2),
                    restarts: cell(r, 3),
                    age: cell(r, 4),
                    node: if node == "<none>" { String::new() } else { node },
                    owner: owner.to_string(),
                }
            })
            .collect();
        rows.order_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        rows
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cluster, Timestamp};

    #[test]
    fn pods_come_with_their_node_status_and_owner() {
        let c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap_or_default()).expect("boots");
        let rows = c.pod_rows();
        let etcd = rows.iter().find(|r| r.name == "etcd-kind-control-plane").expect("etcd runs");
        assert_eq!((etcd.namespace.as_str(), etcd.ready.as_str(), etcd.status.as_str(), etcd.node.as_str(), etcd.owner.as_str()), ("kube-system", "1/1", "Running", "kind-control-plane", "Node"));
        let proxy = rows.iter().find(|r| r.name.starts_with("kube-proxy-")).expect("kube-proxy runs");
        assert_eq!(proxy.owner, "DaemonSet");
        let dns = rows.iter().find(|r| r.name.starts_with("coredns-")).expect("coredns runs");
        assert_eq!(dns.owner, "ReplicaSet");
        assert_eq!(dns.restarts, "0");
    }
}
