//! What the playground's cluster view draws: pods with the columns of `kubectl get pods -o
//! wide`, the cells of the API server's own Table at the cluster's current time, plus what owns
//! each pod; Services with the pods their EndpointSlices reach; Ingresses with the Services
//! their rules send requests to.

use std::sync::Arc;

use crate::sort::Order;
use serde_json::Value;

use super::Cluster;
use crate::apiserver::Request;

/// One pod as the cluster view shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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

/// One Service as the cluster view shows it: the columns of `kubectl get services` and the
/// pods behind it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceRow {
    pub namespace: String,
    pub name: String,
    pub kind: String,
    pub cluster_ip: String,
    pub external_ip: String,
    pub ports: String,
    /// The pods its EndpointSlices list (name, and whether traffic goes to it).
    pub endpoints: Vec<(String, bool)>,
}

/// One path of an Ingress rule: host (`*` for any), path and the Service:port it goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IngressRow {
    pub namespace: String,
    pub name: String,
    pub class: String,
    pub address: String,
    pub routes: Vec<(String, String, String)>,
}

/// The rows of a core/v1 resource's Table, sharing the stored objects (see
/// `ApiServer::table_rows`).
fn table(c: &Cluster, resource: &str) -> Vec<(Arc<Value>, Vec<Value>)> {
    c.api_ref().table_rows("", "v1", resource)
}

fn cell(cells: &[Value], i: usize) -> String {
    match cells.get(i) {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(v) => v.to_string(),
    }
}

impl Cluster {
    /// Every Service, ordered by namespace and name, with the pods it reaches.
    pub fn service_rows(&self) -> Vec<ServiceRow> {
        let slices = self.api_ref().read(&Request::get("/apis/discovery.k8s.io/v1/endpointslices")).into_value().unwrap_or(Value::Null);
        let mut rows: Vec<ServiceRow> = table(self, "services")
            .iter()
            .map(|(obj, r)| {
                let meta = &obj["metadata"];
                let (ns, name) = (meta["namespace"].as_str().unwrap_or_default(), cell(r, 0));
                let mut endpoints: Vec<(String, bool)> = slices["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| s["metadata"]["namespace"] == ns && s["metadata"]["labels"]["kubernetes.io/service-name"] == name.as_str())
                    .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
                    .map(|e| (e["targetRef"]["name"].as_str().or(e["addresses"][0].as_str()).unwrap_or_default().to_string(), e["conditions"]["ready"] != false))
                    .collect();
                endpoints.order();
                endpoints.dedup();
                ServiceRow { namespace: ns.to_string(), name, kind: cell(r, 1), cluster_ip: cell(r, 2), external_ip: cell(r, 3), ports: cell(r, 4), endpoints }
            })
            .collect();
        rows.order_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        rows
    }

    /// Every Ingress, with where each of its paths goes.
    pub fn ingress_rows(&self) -> Vec<IngressRow> {
        let list = self.api_ref().read(&Request::get("/apis/networking.k8s.io/v1/ingresses")).into_value().unwrap_or(Value::Null);
        let mut rows: Vec<IngressRow> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|obj| {
                let backend = |b: &Value| {
                    let port = b["service"]["port"]["number"].as_i64().map_or_else(|| b["service"]["port"]["name"].as_str().unwrap_or_default().to_string(), |n| n.to_string());
                    format!("{}:{port}", b["service"]["name"].as_str().unwrap_or_default())
                };
                let mut routes: Vec<(String, String, String)> = Vec::new();
                for rule in obj["spec"]["rules"].as_array().into_iter().flatten() {
                    let host = rule["host"].as_str().unwrap_or("*").to_string();
                    for p in rule["http"]["paths"].as_array().into_iter().flatten() {
                        routes.push((host.clone(), p["path"].as_str().unwrap_or("/").to_string(), backend(&p["backend"])));
                    }
                }
                if obj["spec"]["defaultBackend"].is_object() {
                    routes.push(("*".into(), "*".into(), backend(&obj["spec"]["defaultBackend"])));
                }
                let address: Vec<&str> = obj["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str())).collect();
                IngressRow {
                    namespace: obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
                    name: obj["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                    class: obj["spec"]["ingressClassName"].as_str().unwrap_or("<none>").to_string(),
                    address: address.join(","),
                    routes,
                }
            })
            .collect();
        rows.order_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        rows
    }

    /// Every pod, ordered by namespace and name.
    pub fn pod_rows(&self) -> Vec<PodRow> {
        let mut rows: Vec<PodRow> = table(self, "pods").iter().map(|(obj, r)| pod_row(obj, r)).collect();
        rows.order_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        rows
    }

    /// Every pod, ordered by namespace and name, without ages (`age` is empty), made again
    /// only for pods that changed since `kept` last saw them, or whose restarts say how long
    /// ago: what a view that redraws several times a second reads at 10,000 pods.
    pub fn pod_rows_kept(&self, kept: &mut PodRowsKept) -> Vec<PodRow> {
        let now = self.now();
        let moved = kept.at != Some(now);
        let reusable = |row: &PodRow| !moved || !row.restarts.contains('(');
        let found = self.api_ref().table_rows_where("", "v1", "pods", |obj| kept.rows.get(&ptr(obj)).is_none_or(|(_, row)| !reusable(row)));
        let mut next = std::collections::HashMap::with_capacity(found.len());
        let mut rows = Vec::with_capacity(found.len());
        kept.made = 0;
        for (obj, cells) in found {
            let row = match cells {
                Some(cells) => {
                    kept.made += 1;
                    PodRow { age: String::new(), ..pod_row(&obj, &cells) }
                }
                None => kept.rows.get(&ptr(&obj)).map(|(_, row)| row.clone()).unwrap_or_default(),
            };
            rows.push(row.clone());
            next.insert(ptr(&obj), (obj, row));
        }
        kept.rows = next;
        kept.at = Some(now);
        rows.order_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        rows
    }
}

/// The pod rows a view made, by stored object (see [`Cluster::pod_rows_kept`]). An entry holds
/// its object, so its address is not reused while the entry lives.
#[derive(Clone, Debug, Default)]
pub struct PodRowsKept {
    rows: std::collections::HashMap<usize, (Arc<Value>, PodRow)>,
    at: Option<crate::sim::clock::Timestamp>,
    /// How many rows the last look made again (the rest were kept).
    made: usize,
}

impl PodRowsKept {
    /// How many rows the last [`Cluster::pod_rows_kept`] made again rather than kept.
    pub fn made(&self) -> usize {
        self.made
    }
}

fn ptr(obj: &Arc<Value>) -> usize {
    Arc::as_ptr(obj) as usize
}

/// A pod's row from its object and its Table cells.
fn pod_row(obj: &Value, r: &[Value]) -> PodRow {
    let meta = &obj["metadata"];
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
}

#[cfg(test)]
mod tests {
    use crate::{Cluster, Timestamp};

    #[test]
    fn services_come_with_the_pods_they_reach() {
        let c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap_or_default()).expect("boots");
        let rows = c.service_rows();
        let dns = rows.iter().find(|r| r.name == "kube-dns").expect("kube-dns");
        assert_eq!((dns.kind.as_str(), dns.cluster_ip.as_str(), dns.ports.as_str()), ("ClusterIP", "10.96.0.10", "53/UDP,53/TCP,9153/TCP"));
        assert_eq!(dns.endpoints.len(), 2);
        assert!(dns.endpoints.iter().all(|(name, ready)| name.starts_with("coredns-") && *ready), "{:?}", dns.endpoints);
        assert!(c.ingress_rows().is_empty());
    }

    #[test]
    fn kept_pod_rows_are_the_rows_of_now_without_ages() {
        let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap_or_default()).expect("boots");
        let mut kept = super::PodRowsKept::default();
        let no_age = |c: &Cluster| c.pod_rows().into_iter().map(|r| super::PodRow { age: String::new(), ..r }).collect::<Vec<_>>();
        assert_eq!(c.pod_rows_kept(&mut kept), no_age(&c));
        let d = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
        let resp = c.handle(&crate::apiserver::Request::post("/apis/apps/v1/namespaces/default/deployments", d));
        assert_eq!(resp.status, 201);
        // Pods made, scheduled, started: each step's rows are made again where pods changed.
        for _ in 0..6 {
            c.advance(crate::Duration::from_secs(1));
            assert_eq!(c.pod_rows_kept(&mut kept), no_age(&c));
        }
        let web: Vec<_> = c.pod_rows_kept(&mut kept).into_iter().filter(|r| r.name.starts_with("web-")).collect();
        assert_eq!(web.len(), 3);
        // Nothing changed since: every row is kept, none made again.
        let again = c.pod_rows_kept(&mut kept);
        assert_eq!((again.len(), kept.made()), (no_age(&c).len(), 0));
        assert!(web.iter().all(|r| r.status == "Running" && r.ready == "1/1"), "{web:?}");
    }

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
