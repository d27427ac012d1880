//! A whole simulated cluster: the clock, the randomness and the store, booted from a preset.

mod addons;
mod control;
mod nodes;
pub mod preset;
pub mod view;

use serde_json::{json, Value};

use crate::api::status::ApiError;
use crate::apiserver::{ApiServer, Method, Request, Response};
use crate::sim::clock::{Clock, Timestamp};

pub use control::ControlPlane;
pub use preset::{Preset, PresetError};

/// The seed of the default RBAC objects' uids.
const RBAC_UIDS: u64 = 0x7262_6163;

/// Creates one manifest through the API server, finding its resource by kind.
fn create_manifest(api: &mut ApiServer, doc: Value) -> Result<(), ClusterError> {
    let api_version = doc["apiVersion"].as_str().unwrap_or_default().to_string();
    let (group, version) = crate::api::meta::split_api_version(&api_version);
    let kind = doc["kind"].as_str().unwrap_or_default();
    let info = api.registry().by_kind(group, version, kind).ok_or_else(|| PresetError::UnknownKind(format!("{api_version} {kind}")))?;
    let ns = if info.namespaced { doc["metadata"]["namespace"].as_str().unwrap_or("default").to_string() } else { String::new() };
    let path = crate::controllers::client::collection_path(&api_version, &info.resource, &ns);
    api.call(&Request::post(&path, doc))?;
    Ok(())
}

/// The first usable address of a CIDR (`10.96.0.0/16` → `10.96.0.1`).
fn first_service_ip(cidr: &str) -> String {
    let base = cidr.split('/').next().unwrap_or("10.96.0.0");
    match base.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => std::net::Ipv4Addr::from(u32::from(ip) + 1).to_string(),
        Err(_) => "10.96.0.1".to_string(),
    }
}

/// The namespaces every cluster starts with.
pub const INITIAL_NAMESPACES: [&str; 4] = ["default", "kube-node-lease", "kube-public", "kube-system"];

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The preset's data could not be read.
    #[error(transparent)]
    Preset(#[from] PresetError),
    /// The preset does not say how added nodes look.
    #[error("the {0} preset cannot add nodes")]
    CannotAddNodes(String),
    /// The API server refused an object the preset asked for.
    #[error("booting the cluster: {0}")]
    Boot(#[from] ApiError),
}

/// Why `exec` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("pods {0:?} not found")]
    PodNotFound(String),
    #[error(transparent)]
    Kubelet(crate::kubelet::ExecError),
}

/// One line of `kubectl get nodes`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeRow {
    pub name: String,
    pub status: String,
    pub roles: String,
    pub age: String,
    pub version: String,
}

/// Cloning a cluster forks it: the copy goes on independently (tests boot once and fork).
#[derive(Clone)]
pub struct Cluster {
    clock: Clock,
    api: ApiServer,
    preset: Preset,
    control: ControlPlane,
    /// The most work the control loops do in reaction to one request (see
    /// [`Cluster::set_budget`]); `None`: all of it.
    budget: Option<u64>,
}

impl Cluster {
    /// Boots a cluster from a preset; `start` is the virtual time the learner arrives. The
    /// cluster was created the preset's warm-up earlier: every object is created through the API
    /// server then, as kubeadm and the kubelets would, and the control loops run until `start`.
    pub fn boot(preset: Preset, seed: u64, start: Timestamp) -> Result<Self, ClusterError> {
        let warm_up = crate::sim::clock::Duration::from_secs(preset.warm_up_seconds.max(0));
        let created = Timestamp::from_unix_millis(start.unix_millis() - warm_up.as_millis());
        let mut cluster = Cluster { clock: Clock::starting_at(created), api: ApiServer::new(seed, created), preset, control: ControlPlane::default(), budget: None };
        if let Some(u) = cluster.preset.admin_user.clone() {
            let groups: Vec<&str> = u.groups.iter().map(String::as_str).collect();
            cluster.api.set_admin_user(&u.name, &groups);
        }
        for ns in INITIAL_NAMESPACES {
            let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            cluster.api.call(&Request::post("/api/v1/namespaces", obj))?;
        }
        for spec in cluster.preset.nodes.clone() {
            let obj = nodes::node_object(&cluster.preset, &spec, created);
            cluster.api.call(&Request::post("/api/v1/nodes", obj))?;
        }
        cluster.boot_system_objects()?;
        cluster.boot_addons()?;
        // The controllers' first pass: every namespace gets its ServiceAccount and root CA.
        cluster.control.settle(&mut cluster.api);
        cluster.advance(warm_up);
        Ok(cluster)
    }

    /// The preset's addon manifests, created through the API server, and its static pods handed
    /// to the control-plane nodes' kubelets.
    fn boot_addons(&mut self) -> Result<(), ClusterError> {
        let version = self.preset.kubernetes_version.clone();
        let boot_date = self.api.now().rfc3339()[..10].to_string();
        let ca = crate::controllers::SIMULATED_CA;
        let preset_vars = self.preset.vars.clone();
        let mut common: Vec<(&str, &str)> = vec![("KUBERNETES_VERSION", version.as_str()), ("CLUSTER_CA", ca), ("BOOT_DATE", boot_date.as_str())];
        common.extend(preset_vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        for addon in self.preset.addons.clone() {
            let docs = addons::manifests(&addon, &common)?;
            if addon.starts_with("rbac/") {
                // The default roles take their uids from a sequence of their own, so that
                // everything after them draws what it drew before RBAC was simulated.
                self.api.aside(RBAC_UIDS, |api| docs.into_iter().try_for_each(|doc| create_manifest(api, doc)))?;
            } else {
                for doc in docs {
                    create_manifest(&mut self.api, doc)?;
                }
            }
        }
        let mut static_pods = std::collections::BTreeMap::new();
        if let Some(name) = self.preset.static_pods.clone() {
            for node in self.preset.nodes.iter().filter(|n| n.labels.contains_key("node-role.kubernetes.io/control-plane")) {
                let mut vars = vec![("NODE_NAME", node.name.as_str()), ("NODE_IP", node.internal_ip.as_str())];
                vars.extend(common.iter().copied());
                static_pods.insert(node.name.clone(), addons::manifests(&name, &vars)?);
            }
        }
        self.control.kubelets_mut().configure(static_pods, &self.preset.preloaded_images);
        Ok(())
    }


    /// What the API server and kubeadm create on their own: the built-in PriorityClasses, the
    /// `kubernetes` Service and its endpoints, and the preset's StorageClasses.
    fn boot_system_objects(&mut self) -> Result<(), ClusterError> {
        for (name, value) in crate::apiserver::kinds::policy::SYSTEM_PRIORITY_CLASSES {
            let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name}, "value": value});
            self.api.call(&Request::post("/apis/scheduling.k8s.io/v1/priorityclasses", pc))?;
        }
        let first_ip = first_service_ip(&self.preset.service_cidr);
        let svc = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": first_ip, "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": self.preset.api_server_port}]}});
        self.api.call(&Request::post("/api/v1/namespaces/default/services", svc))?;
        let ep = json!({"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": self.preset.api_server_address}], "ports": [{"name": "https", "port": self.preset.api_server_port, "protocol": "TCP"}]}]});
        self.api.call(&Request::post("/api/v1/namespaces/default/endpoints", ep))?;
        for sc in self.preset.storage_classes.clone() {
            let mut obj = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": sc.name},
                "provisioner": sc.provisioner, "reclaimPolicy": sc.reclaim_policy, "volumeBindingMode": sc.volume_binding_mode});
            if sc.default {
                obj["metadata"]["annotations"] = json!({"storageclass.kubernetes.io/is-default-class": "true"});
            }
            if !sc.labels.is_empty() {
                obj["metadata"]["labels"] = json!(sc.labels);
            }
            self.api.call(&Request::post("/apis/storage.k8s.io/v1/storageclasses", obj))?;
        }
        Ok(())
    }

    /// Boots the default preset (kind-like: one control plane, two workers).
    pub fn boot_default(seed: u64, start: Timestamp) -> Result<Self, ClusterError> {
        Cluster::boot(Preset::builtin("kind")?, seed, start)
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves virtual time forward; the control loops act at every moment something is due on
    /// the way.
    pub fn advance(&mut self, by: crate::sim::clock::Duration) {
        self.clock.advance(by);
        self.api.set_time(self.api.now().min(self.clock.now()));
        self.control.run_until(&mut self.api, self.clock.now());
    }

    /// Moves the clock forward, then lets the control loops catch up with it doing at most
    /// `units` of work (writes to the store and rounds of the loops); returns whether they
    /// caught up. What is left is done by the next call: a page keeps its frames short this way
    /// however large the cluster.
    pub fn step(&mut self, by: crate::sim::clock::Duration, units: u64) -> bool {
        self.clock.advance(by);
        self.control.run_for(&mut self.api, self.clock.now(), Some(units))
    }

    /// Whether the control loops have done everything due up to the clock's time.
    pub fn caught_up(&self) -> bool {
        !self.control.unfinished() && self.api.now() >= self.clock.now()
    }

    /// Bounds the control loops' reaction to a request (and to `exec`, logs, a node stopped)
    /// to `units` of work, the rest left for [`Cluster::step`]: a `kubectl scale` to 10,000
    /// replicas returns at once with some pods created, as it would from a real cluster.
    /// `None` (the default) settles fully. Part of what a playground journals: the same
    /// budget gives back the same cluster.
    pub fn set_budget(&mut self, units: Option<u64>) {
        self.budget = units.map(|u| u.max(1));
    }

    pub fn budget(&self) -> Option<u64> {
        self.budget
    }

    /// The control loops' reaction at the current instant, within the budget.
    fn react(&mut self) {
        self.control.settle_for(&mut self.api, self.budget);
    }

    /// One request through the API server; a write is followed by the control loops' reaction
    /// at the same instant (what `kubectl get` right after `kubectl create` would see), within
    /// the budget if one is set.
    pub fn handle(&mut self, req: &Request) -> Response {
        self.api.set_time(self.clock.now());
        if req.method == Method::Get && req.path.ends_with("/log") && self.caught_up() {
            // Containers' log lines are written when read. Loops still behind are left to the
            // next step: a read (which a playground does not journal) must not move them on.
            self.react();
        }
        let resp = self.api.handle(req);
        if !matches!(req.method, Method::Get | Method::Head | Method::Options) && resp.status < 300 {
            self.react();
        }
        resp
    }

    /// `kubectl exec`: runs a command in a pod's container (its first when `container` is
    /// `None`), after the cluster has caught up to now. `tty`: the output is a terminal
    /// (`exec -it`). Requests the command sends reach other pods through the network as it is
    /// now, and the servers log them.
    pub fn exec(&mut self, namespace: &str, pod: &str, container: Option<&str>, argv: &[String], tty: bool) -> Result<crate::kubelet::ExecOutput, ExecError> {
        self.settle();
        let obj = self.api.store().get("pods", namespace, pod).ok_or_else(|| ExecError::PodNotFound(pod.to_string()))?;
        let default = obj.object["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"]
            .as_str()
            .or_else(|| obj.object["spec"]["containers"][0]["name"].as_str())
            .unwrap_or_default()
            .to_string();
        let name = container.map_or(default, str::to_string);
        if let Some(out) = self.kubectl_in_pod(&obj.object, &name, argv) {
            return Ok(out);
        }
        let pod_uid = crate::api::object::uid(&obj.object).to_string();
        let now = self.clock.now();
        let net = crate::network::Network::from_store(self.api.store());
        let (out, logs) = self.control.kubelets().exec(&pod_uid, &name, argv, now, &net, tty).map_err(ExecError::Kubelet)?;
        for l in logs {
            self.api.append_log_line(&l.pod_uid, &l.container, l.at, &l.line);
        }
        // What the command changed may matter to probes.
        self.settle();
        Ok(out)
    }

    /// `kubectl` run in a container whose image ships it (`bitnami/kubectl`): it talks to the
    /// API server with the pod's service account token, so RBAC answers for
    /// `system:serviceaccount:NS:NAME` in the pod's namespace; without a mounted token it has
    /// no configuration and tries localhost:8080, as the real one does.
    fn kubectl_in_pod(&mut self, pod: &Value, container: &str, argv: &[String]) -> Option<crate::kubelet::ExecOutput> {
        let program = argv.first()?;
        if program.rsplit('/').next() != Some("kubectl") {
            return None;
        }
        let spec = pod["spec"]["containers"].as_array()?.iter().find(|c| c["name"] == container)?;
        let image = crate::kubelet::images::Catalog::builtin().find(spec["image"].as_str().unwrap_or_default())?;
        if !image.tools.iter().any(|t| t == "kubectl") {
            return None;
        }
        let running = pod["status"]["containerStatuses"].as_array().into_iter().flatten().any(|s| s["name"] == container && s["state"]["running"].is_object());
        if !running {
            return None;
        }
        let mounted = spec["volumeMounts"].as_array().into_iter().flatten().any(|m| m["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount");
        if !mounted {
            // No in-cluster configuration: kubectl's defaults point at localhost:8080.
            let words = argv;
            let sub = words.get(1).map(String::as_str);
            let local_only = (sub == Some("version") && words.iter().any(|w| w == "--client")) || matches!(sub, Some("config" | "help" | "completion") | None);
            if !local_only {
                return Some(crate::kubelet::ExecOutput { output: "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n".into(), code: 1 });
            }
        }
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default").to_string();
        let sa = pod["spec"]["serviceAccountName"].as_str().unwrap_or("default").to_string();
        let mut k = crate::kubectl::Kubectl::new("in-cluster");
        k.config.set_context("in-cluster", crate::kubectl::kubeconfig::ContextChange { cluster: None, user: None, namespace: Some(ns.clone()) });
        let out = k.run_as(self, &format!("system:serviceaccount:{ns}:{sa}"), argv);
        Some(crate::kubelet::ExecOutput { output: out.text(), code: i64::from(out.exit) })
    }

    /// An HTTP request from the learner's machine (on the nodes' network, at its gateway
    /// address, as the host running kind is): node ports and load balancer addresses answer.
    pub fn request_from_outside(&mut self, ip: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, crate::network::tools::ConnError> {
        self.settle();
        let net = crate::network::Network::from_store(self.api.store());
        let from = crate::network::gateway(net.nodes.first().map_or("", |(_, a)| a.as_str()));
        let now = self.clock.now();
        let (result, logs) = self.control.kubelets().request_from_outside(&net, &from, ip, port, req, now);
        for l in logs {
            self.api.append_log_line(&l.pod_uid, &l.container, l.at, &l.line);
        }
        result
    }

    /// A connection through `kubectl port-forward` to `localhost:port` in the pod with this
    /// uid: what its server answered, or the message the kubelet sends on the error stream.
    pub fn port_forward(&mut self, pod_uid: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, String> {
        self.settle();
        let net = crate::network::Network::from_store(self.api.store());
        let now = self.clock.now();
        let (result, logs) = self.control.kubelets().forward(&net, pod_uid, port, req, now);
        for l in logs {
            self.api.append_log_line(&l.pod_uid, &l.container, l.at, &l.line);
        }
        result
    }

    /// Adds a worker node shaped by the preset's `addedNodes` (a new machine joining, as
    /// `kind` with one more worker or `minikube node add`): its kubelet registers the Node, and
    /// the DaemonSets follow. Returns its name. Removing a node is `DELETE /api/v1/nodes/NAME`.
    pub fn add_node(&mut self) -> Result<String, ClusterError> {
        let Some(shape) = self.preset.added_nodes.clone() else {
            return Err(ClusterError::CannotAddNodes(self.preset.name.clone()));
        };
        let existing: Vec<std::sync::Arc<Value>> = self.api.store().list("nodes", None, &crate::store::Selection::All, None).into_iter().map(|s| s.object).collect();
        let spec = nodes::next_node_spec(&shape, &existing);
        let obj = nodes::node_object(&self.preset, &spec, self.clock.now());
        self.api.set_time(self.clock.now());
        self.api.call(&Request::post("/api/v1/nodes", obj))?;
        self.settle();
        Ok(spec.name)
    }

    /// Stops a node's kubelet, as if the machine went off: the node controller notices when the
    /// Lease is older than the grace period.
    pub fn stop_node(&mut self, node: &str) -> bool {
        if self.api.store().get("nodes", "", node).is_none() {
            return false;
        }
        self.control.kubelets().set_down(node, true);
        self.settle();
        true
    }

    /// Starts a stopped node's kubelet again.
    pub fn start_node(&mut self, node: &str) -> bool {
        if self.api.store().get("nodes", "", node).is_none() {
            return false;
        }
        self.control.kubelets().set_down(node, false);
        self.settle();
        true
    }

    /// Lets the control loops react to what has been written through [`Cluster::api`]
    /// (within the budget, if one is set).
    pub fn settle(&mut self) {
        self.api.set_time(self.clock.now());
        self.react();
    }

    /// Runs until nothing is due any more (or `limit` of virtual time has passed): the
    /// "as fast as possible" speed. Returns the time reached.
    pub fn run_until_idle(&mut self, limit: crate::sim::clock::Duration) -> Timestamp {
        let end = self.clock.now().plus(limit);
        self.settle();
        while let Some(w) = self.control.next_wake() {
            if w > end {
                break;
            }
            let by = w.since(self.clock.now());
            self.advance(by);
        }
        self.clock.now()
    }

    /// The next moment a control loop has something to do.
    pub fn next_wake(&self) -> Option<Timestamp> {
        self.control.next_wake()
    }

    /// The API server: the one door to the cluster's state. Writes made here are seen by the
    /// control loops at the next [`Cluster::settle`] or [`Cluster::advance`].
    pub fn api(&mut self) -> &mut ApiServer {
        self.api.set_time(self.clock.now());
        &mut self.api
    }

    /// Read-only view of the API server (its store), for rendering.
    pub fn api_ref(&self) -> &ApiServer {
        &self.api
    }

    pub fn preset(&self) -> &Preset {
        &self.preset
    }

    pub fn namespaces(&self) -> Vec<String> {
        let all = crate::store::Selection::All;
        self.api.store().list("namespaces", None, &all, None).iter().map(|s| crate::api::object::name(&s.object).to_string()).collect()
    }

    /// The nodes as `kubectl get nodes` shows them, ordered by name: the API server's own
    /// table for nodes, at the cluster's current time.
    pub fn node_rows(&self) -> Vec<NodeRow> {
        let cell = |cells: &[Value], i: usize| cells.get(i).and_then(Value::as_str).unwrap_or_default().to_string();
        self.api
            .table_rows("", "v1", "nodes")
            .iter()
            .map(|(_, r)| NodeRow { name: cell(r, 0), status: cell(r, 1), roles: cell(r, 2), age: cell(r, 3), version: cell(r, 4) })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::Duration;

    fn boot() -> Cluster {
        Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()
    }

    #[test]
    fn boots_three_ready_nodes_and_the_initial_namespaces() {
        // kind's cluster was created a minute before the learner arrives.
        let mut c = boot();
        c.advance(Duration::from_secs(75));
        let rows = c.node_rows();
        let shown: Vec<(&str, &str, &str, &str, &str)> =
            rows.iter().map(|r| (&*r.name, &*r.status, &*r.roles, &*r.age, &*r.version)).collect();
        assert_eq!(
            shown,
            [
                ("kind-control-plane", "Ready", "control-plane", "2m15s", "v1.33.1"),
                ("kind-worker", "Ready", "<none>", "2m15s", "v1.33.1"),
                ("kind-worker2", "Ready", "<none>", "2m15s", "v1.33.1"),
            ]
        );
        assert_eq!(c.namespaces(), ["default", "kube-node-lease", "kube-public", "kube-system", "local-path-storage"]);
    }

    #[test]
    fn minikube_is_one_node_running_everything() {
        let mut c = Cluster::boot(Preset::builtin("minikube").unwrap(), 1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
        let rows = c.node_rows();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].name.as_str(), rows[0].status.as_str(), rows[0].roles.as_str()), ("minikube", "Ready", "control-plane"));
        let node = c.api_ref().store().get("nodes", "", "minikube").unwrap();
        assert_eq!(node.object["metadata"]["labels"]["minikube.k8s.io/updated_at"], "2026_11_25T10_59_00_0700");
        assert!(node.object["spec"]["taints"].is_null());
        let resp = c.handle(&Request::get("/api/v1/namespaces/kube-system/pods"));
        let list: Value = serde_json::from_slice(&resp.body_bytes()).unwrap();
        let mut names: Vec<(String, String)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["metadata"]["name"].as_str().unwrap().split('-').take(2).collect::<Vec<_>>().join("-"), p["status"]["phase"].as_str().unwrap_or_default().to_string()))
            .collect();
        names.sort();
        let expected = ["coredns-", "etcd-minikube", "kube-apiserver", "kube-controller", "kube-proxy", "kube-scheduler", "storage-provisioner"];
        assert_eq!(names.len(), expected.len(), "{names:?}");
        for ((n, phase), want) in names.iter().zip(expected) {
            assert!(n.starts_with(want), "{n} vs {want}");
            assert_eq!(phase, "Running", "{n}");
        }
        let svc = c.api_ref().store().get("services", "default", "kubernetes").unwrap();
        assert_eq!(svc.object["spec"]["ports"][0]["targetPort"], 8443);
        // `minikube node add` names the second node minikube-m02: a worker, not primary.
        assert_eq!(c.add_node().unwrap(), "minikube-m02");
        let m02 = c.api_ref().store().get("nodes", "", "minikube-m02").unwrap();
        assert_eq!(m02.object["metadata"]["labels"]["minikube.k8s.io/primary"], "false");
        assert_eq!(m02.object["status"]["addresses"][0]["address"], "192.168.49.3");
    }

    #[test]
    fn running_until_idle_stops_when_nothing_is_due() {
        let mut c = boot();
        let start = c.now();
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "once"}, "spec": {"restartPolicy": "Never", "containers": [{"name": "a", "image": "busybox", "command": ["sleep", "42"]}]}});
        assert_eq!(c.handle(&Request::post("/api/v1/namespaces/default/pods", pod)).status, 201);
        let end = c.run_until_idle(crate::sim::clock::Duration::from_secs(3600));
        let p = c.api_ref().store().get("pods", "default", "once").unwrap();
        assert_eq!(p.object["status"]["phase"], "Succeeded");
        // It stopped soon after the pod finished (leases keep a node controller wake-up going).
        assert!(end.since(start).whole_secs() >= 42 && end.since(start).whole_secs() < 3600, "{:?}", end.since(start));
    }

    #[test]
    fn same_seed_same_cluster() {
        let a = boot();
        let b = boot();
        let node = |c: &Cluster| c.api_ref().store().get("nodes", "", "kind-worker").map(|s| (*s.object).clone());
        assert!(node(&a).is_some());
        assert_eq!(node(&a), node(&b));
        let other = Cluster::boot_default(2, a.now()).unwrap();
        assert_ne!(node(&a), node(&other));
    }

    fn pods_of(c: &Cluster, prefix: &str) -> Vec<Value> {
        c.api_ref().store().list("pods", Some("default"), &crate::store::Selection::All, None).into_iter().map(|s| (*s.object).clone()).filter(|p| p["metadata"]["name"].as_str().is_some_and(|n| n.starts_with(prefix))).collect()
    }

    #[test]
    fn a_budgeted_reaction_does_part_of_the_work_and_steps_do_the_rest() {
        let mut c = boot();
        c.set_budget(Some(40));
        let rv = c.api_ref().store().resource_version();
        assert_eq!(c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", crate::bench::deployment("big", 200))).status, 201);
        // The Deployment and its ReplicaSet are there, not yet every pod.
        let written = c.api_ref().store().resource_version() - rv;
        let created = pods_of(&c, "big-").len();
        assert!(created < 200, "{created} pods after one reaction");
        assert!(written <= 40 + 10, "{written} writes for a budget of 40");
        assert!(!c.caught_up());
        // Steps of no time finish the moment, each within its budget (an item's own writes,
        // a pod's status and its Events, may go a little over).
        let mut steps = 0;
        while !c.caught_up() {
            let before = c.api_ref().store().resource_version();
            c.step(Duration::from_millis(0), 40);
            assert!(c.api_ref().store().resource_version() - before <= 40 + 10);
            steps += 1;
            assert!(steps < 1000, "never caught up");
        }
        assert!(steps > 5, "{steps}");
        assert_eq!(pods_of(&c, "big-").len(), 200);
        // Time moves on in budgeted steps too, until every pod runs.
        let running = |c: &Cluster| pods_of(c, "big-").iter().filter(|p| p["status"]["phase"] == "Running").count();
        for _ in 0..300 {
            if running(&c) == 200 {
                break;
            }
            c.step(Duration::from_millis(500), 200);
        }
        assert_eq!(running(&c), 200);
    }

    #[test]
    fn a_small_budget_finishes_a_scale_up_at_its_moment_however_many_rounds_it_takes() {
        // 64 rounds at one instant is the limit for loops that fight each other. Rounds cut
        // short by the budget must not count: counted, this scale-up stopped at about a
        // hundred pods with nothing due, and at "max" speed the cluster stood still.
        let mut c = boot();
        c.set_budget(Some(8));
        assert_eq!(c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", crate::bench::deployment("big", 200))).status, 201);
        let at = c.api_ref().now();
        let mut steps = 0;
        while !c.caught_up() {
            c.step(Duration::from_millis(0), 8);
            steps += 1;
            assert!(steps < 5000, "never caught up");
        }
        assert!(steps > 64, "{steps} steps");
        assert_eq!(c.api_ref().now(), at);
        assert_eq!(pods_of(&c, "big-").len(), 200);
        assert!(pods_of(&c, "big-").iter().all(|p| p["spec"]["nodeName"].is_string()), "every pod is scheduled at the same moment");
    }

    #[test]
    fn a_round_cut_short_is_taken_up_where_it_stopped() {
        // A budget spent by one loop leaves the next round to begin with the loops after it.
        // Begun again from the kubelets, the scheduler had no turn until the ReplicaSet had
        // created every pod: the loops late in the round waited, then caught up on everything
        // in one long call.
        let mut c = boot();
        c.set_budget(Some(8));
        assert_eq!(c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", crate::bench::deployment("big", 200))).status, 201);
        let bound = |c: &Cluster| pods_of(c, "big-").iter().filter(|p| p["spec"]["nodeName"].is_string()).count();
        let mut steps = 0;
        while bound(&c) == 0 {
            c.step(Duration::from_millis(0), 8);
            steps += 1;
            assert!(steps < 5000, "never bound");
        }
        let created = pods_of(&c, "big-").len();
        assert!(created < 100, "the first pod was bound only once {created} pods were made, after {steps} steps");
    }

    #[test]
    fn time_does_not_move_on_before_a_moment_is_done() {
        let mut c = boot();
        c.set_budget(Some(20));
        assert_eq!(c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", crate::bench::deployment("big", 60))).status, 201);
        let at = c.api_ref().now();
        // The clock moves; the loops still work at the moment the request was made.
        c.step(Duration::from_secs(5), 20);
        assert!(!c.caught_up());
        assert_eq!(c.api_ref().now(), at);
        assert_eq!(c.now(), at.plus(Duration::from_secs(5)));
        while !c.caught_up() {
            c.step(Duration::from_millis(0), 20);
        }
        assert_eq!(c.api_ref().now(), c.now());
        // Without a budget the same request is answered with everything done.
        let mut full = boot();
        full.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", crate::bench::deployment("big", 60)));
        assert!(full.caught_up());
        assert_eq!(pods_of(&full, "big-").len(), 60);
    }

    #[test]
    fn a_write_at_the_same_instant_does_not_delay_what_a_pod_was_due_to_do() {
        // The kubelets skip a pod nothing has changed for since its last sync at this instant;
        // the wake-up that sync asked for (its container's start) must still be asked for.
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}});
        let started = |extra: bool| {
            let mut c = boot();
            assert_eq!(c.handle(&Request::post("/api/v1/namespaces/default/pods", pod.clone())).status, 201);
            if extra {
                let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}});
                assert_eq!(c.handle(&Request::post("/api/v1/namespaces", ns)).status, 201);
            }
            c.advance(Duration::from_secs(30));
            let p = c.api_ref().store().get("pods", "default", "a").unwrap();
            p.object["status"]["containerStatuses"][0]["state"]["running"]["startedAt"].clone()
        };
        let alone = started(false);
        assert!(alone.is_string(), "{alone}");
        assert_eq!(started(true), alone);
    }
}
