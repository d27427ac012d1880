//! The cluster's network as a program inside it meets it: names answered by the cluster DNS
//! ([`dns`]), Service addresses turned into pod addresses by kube-proxy's rules ([`proxy`]),
//! and what the simulated servers answer ([`http`]). A [`Network`] is a read-only picture of
//! the objects these read — Services, EndpointSlices, pods, nodes, namespaces — taken from the
//! store when a command runs; the client programs (`curl`, `wget`, `nslookup`, `dig`) are in
//! [`tools`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::store::{Selection, Store};

pub mod dns;
pub mod http;
pub mod ingress;
pub mod proxy;
pub mod tools;

/// The cluster's DNS domain (kubelet `clusterDomain`, CoreDNS `kubernetes cluster.local`).
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// One port of a Service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServicePort {
    pub name: String,
    pub protocol: String,
    pub port: i64,
    pub node_port: Option<i64>,
}

/// What the network needs to know of a Service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    pub kind: String,
    /// The virtual IP; `None` for a headless Service (`clusterIP: None`) and ExternalName.
    pub cluster_ip: Option<String>,
    pub external_name: Option<String>,
    pub ports: Vec<ServicePort>,
    /// `spec.externalIPs`.
    pub external_ips: Vec<String>,
    /// The load balancer's addresses (`status.loadBalancer.ingress[].ip`).
    pub lb_ips: Vec<String>,
    /// `spec.loadBalancerSourceRanges`: who may reach the load balancer (anyone when empty).
    pub source_ranges: Vec<String>,
    /// `sessionAffinity: ClientIP`: how long a client sticks to its endpoint, in seconds.
    pub affinity_seconds: Option<i64>,
    pub internal_local: bool,
    pub external_local: bool,
}

/// One endpoint of a Service, from its EndpointSlices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Endpoint {
    pub ip: String,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    /// The DNS label of the endpoint in a headless Service (`web-0`), when the pod set one.
    pub hostname: Option<String>,
    pub node: Option<String>,
    /// The slice's ports: name and the number on the pod.
    pub ports: Vec<(String, i64)>,
}

/// A pod's address and the names it answers to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub node: String,
    pub host_network: bool,
}

/// The network's picture of the cluster.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub services: Vec<Service>,
    /// Endpoints by Service (namespace, name).
    pub endpoints: BTreeMap<(String, String), Vec<Endpoint>>,
    /// Pods by IP (host-network pods share their node's IP).
    pub pods: BTreeMap<String, Vec<Pod>>,
    /// Nodes: name and InternalIP.
    pub nodes: Vec<(String, String)>,
    pub namespaces: BTreeSet<String>,
    pub ingresses: Vec<ingress::Ingress>,
    pub ingress_classes: Vec<ingress::IngressClass>,
}

/// The gateway of a node's network (its address with `.1` last), which Docker gives kind and
/// minikube nodes as their resolver and through which the machine running them reaches them.
pub fn gateway(node_ip: &str) -> String {
    node_ip.rsplit_once('.').map_or_else(|| "172.18.0.1".to_string(), |(net, _)| format!("{net}.1"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

impl Service {
    pub fn from_object(svc: &Value) -> Service {
        let spec = &svc["spec"];
        let kind = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
        let cluster_ip = spec["clusterIP"].as_str().filter(|ip| !ip.is_empty() && *ip != "None" && kind != "ExternalName").map(str::to_string);
        let external_ips = strings(&spec["externalIPs"]);
        let lb_ips = svc["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str().map(str::to_string)).collect();
        Service {
            namespace: svc["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
            name: svc["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            cluster_ip,
            external_name: spec["externalName"].as_str().filter(|_| kind == "ExternalName").map(|n| n.trim_end_matches('.').to_lowercase()),
            ports: spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| ServicePort {
                    name: p["name"].as_str().unwrap_or_default().to_string(),
                    protocol: p["protocol"].as_str().unwrap_or("TCP").to_string(),
                    port: p["port"].as_i64().unwrap_or(0),
                    node_port: p["nodePort"].as_i64(),
                })
                .collect(),
            external_ips,
            lb_ips,
            source_ranges: strings(&spec["loadBalancerSourceRanges"]),
            affinity_seconds: (spec["sessionAffinity"] == "ClientIP").then(|| spec["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"].as_i64().unwrap_or(10_800)),
            internal_local: spec["internalTrafficPolicy"] == "Local",
            external_local: spec["externalTrafficPolicy"] == "Local",
            kind,
        }
    }

    /// `web.default.svc.cluster.local`
    pub fn fqdn(&self) -> String {
        format!("{}.{}.svc.{CLUSTER_DOMAIN}", self.name, self.namespace)
    }
}

/// The endpoints one EndpointSlice lists.
pub fn slice_endpoints(slice: &Value) -> Vec<Endpoint> {
    let ports: Vec<(String, i64)> = slice["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["protocol"].as_str().is_none_or(|pr| pr == "TCP"))
        .map(|p| (p["name"].as_str().unwrap_or_default().to_string(), p["port"].as_i64().unwrap_or(0)))
        .collect();
    slice["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| {
            let c = &e["conditions"];
            let ready = c["ready"].as_bool().unwrap_or(true);
            let terminating = c["terminating"].as_bool().unwrap_or(false);
            let serving = c["serving"].as_bool().unwrap_or(ready);
            let ports = ports.clone();
            strings(&e["addresses"]).into_iter().map(move |ip| Endpoint {
                ip,
                ready,
                serving,
                terminating,
                hostname: e["hostname"].as_str().map(str::to_string),
                node: e["nodeName"].as_str().map(str::to_string),
                ports: ports.clone(),
            })
        })
        .collect()
}

impl Network {
    /// The network as the store has it now.
    pub fn from_store(store: &Store) -> Network {
        let all = |resource: &str| store.list(resource, None, &Selection::All, None).into_iter().map(|s| s.object);
        let mut net = Network::default();
        for svc in all("services") {
            net.services.push(Service::from_object(&svc));
        }
        for slice in all("endpointslices.discovery.k8s.io") {
            let (Some(ns), Some(svc)) = (slice["metadata"]["namespace"].as_str(), slice["metadata"]["labels"]["kubernetes.io/service-name"].as_str()) else { continue };
            net.endpoints.entry((ns.to_string(), svc.to_string())).or_default().extend(slice_endpoints(&slice));
        }
        for pod in all("pods") {
            let Some(ip) = pod["status"]["podIP"].as_str().filter(|ip| !ip.is_empty()) else { continue };
            if matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) {
                continue;
            }
            net.pods.entry(ip.to_string()).or_default().push(Pod {
                namespace: pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
                name: pod["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                uid: pod["metadata"]["uid"].as_str().unwrap_or_default().to_string(),
                node: pod["spec"]["nodeName"].as_str().unwrap_or_default().to_string(),
                host_network: pod["spec"]["hostNetwork"] == true,
            });
        }
        for node in all("nodes") {
            let ip = node["status"]["addresses"].as_array().into_iter().flatten().find(|a| a["type"] == "InternalIP").and_then(|a| a["address"].as_str()).unwrap_or_default();
            net.nodes.push((node["metadata"]["name"].as_str().unwrap_or_default().to_string(), ip.to_string()));
        }
        net.ingresses = all("ingresses.networking.k8s.io").map(|i| ingress::Ingress::from_object(&i)).collect();
        net.ingress_classes = all("ingressclasses.networking.k8s.io").map(|c| ingress::IngressClass::from_object(&c)).collect();
        net.namespaces = crate::sort::set(all("namespaces").filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string)));
        net
    }

    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.namespace == namespace && s.name == name)
    }

    pub fn endpoints_of(&self, svc: &Service) -> &[Endpoint] {
        self.endpoints.get(&(svc.namespace.clone(), svc.name.clone())).map_or(&[], Vec::as_slice)
    }

    /// The cluster DNS Service's address (`kube-dns` in `kube-system`).
    pub fn dns_ip(&self) -> Option<&str> {
        self.service("kube-system", "kube-dns").and_then(|s| s.cluster_ip.as_deref())
    }

    pub fn node_of_ip(&self, ip: &str) -> Option<&str> {
        self.nodes.iter().find(|(_, a)| a == ip).map(|(n, _)| n.as_str())
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small network for the tests of the modules here.
    use super::*;

    pub fn ep(ip: &str, ready: bool, node: &str, hostname: Option<&str>) -> Endpoint {
        Endpoint { ip: ip.into(), ready, serving: ready, terminating: false, hostname: hostname.map(str::to_string), node: Some(node.into()), ports: vec![("http".into(), 80)] }
    }

    pub fn svc(ns: &str, name: &str, ip: Option<&str>, port: i64) -> Service {
        Service {
            namespace: ns.into(),
            name: name.into(),
            kind: "ClusterIP".into(),
            cluster_ip: ip.map(str::to_string),
            ports: vec![ServicePort { name: "http".into(), protocol: "TCP".into(), port, node_port: None }],
            ..Service::default()
        }
    }

    /// `web` (ClusterIP 10.96.23.49:8080 → 2 ready pods), `web-headless`, `empty` (no
    /// endpoints), `ext` (ExternalName), kube-dns, on nodes `n1` and `n2`.
    pub fn network() -> Network {
        let mut net = Network::default();
        net.services.push(svc("kube-system", "kube-dns", Some("10.96.0.10"), 53));
        net.services.push(svc("default", "web", Some("10.96.23.49"), 8080));
        net.services.push(svc("default", "web-headless", None, 80));
        net.services.push(svc("default", "empty", Some("10.96.5.5"), 80));
        net.services.push(Service { kind: "ExternalName".into(), external_name: Some("example.com".into()), ..svc("default", "ext", None, 80) });
        let pods = vec![ep("10.244.1.3", true, "n1", None), ep("10.244.2.4", true, "n2", None), ep("10.244.2.5", false, "n2", None)];
        net.endpoints.insert(("default".into(), "web".into()), pods.clone());
        let named = vec![ep("10.244.1.3", true, "n1", Some("web-0")), ep("10.244.2.4", true, "n2", Some("web-1"))];
        net.endpoints.insert(("default".into(), "web-headless".into()), named);
        net.endpoints.insert(("kube-system".into(), "kube-dns".into()), vec![ep("10.244.0.2", true, "n1", None)]);
        for (ip, name, node) in [("10.244.1.3", "web-0", "n1"), ("10.244.2.4", "web-1", "n2"), ("10.244.2.5", "web-2", "n2"), ("10.244.1.9", "client", "n1")] {
            net.pods.insert(ip.into(), vec![Pod { namespace: "default".into(), name: name.into(), uid: format!("uid-{name}"), node: node.into(), host_network: false }]);
        }
        net.nodes = vec![("n1".into(), "172.18.0.2".into()), ("n2".into(), "172.18.0.3".into())];
        net.namespaces = ["default", "kube-system"].into_iter().map(str::to_string).collect();
        net
    }
}
