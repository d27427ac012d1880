//! ingress-nginx's status sync, simulated: while a ready ingress-nginx controller pod runs, every
//! Ingress it handles gets the controller's address in `status.loadBalancer.ingress` — its
//! Service's load balancer address (`--publish-service`), else the addresses of the nodes its
//! pods run on.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::namespace;
use crate::network::ingress::{Ingress, IngressClass};
use crate::network::Network;

use super::replicaset::is_ready;
use super::{Client, Controller};

pub struct IngressStatusController;

fn is_controller(pod: &Value) -> bool {
    pod["spec"]["containers"].as_array().into_iter().flatten().any(|c| c["image"].as_str().is_some_and(|i| i.contains("ingress-nginx/controller")))
}

/// Where the controller's Ingresses are reached.
fn addresses(c: &Client, pods: &[Arc<Value>]) -> Vec<Value> {
    let ns = namespace(&pods[0]).to_string();
    let labels = pods[0]["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    let selects = |svc: &Value| svc["spec"]["selector"].as_object().is_some_and(|sel| !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)));
    for svc in c.list("services", Some(&ns)) {
        if svc["spec"]["type"] == "LoadBalancer" && selects(&svc) {
            let ips: Vec<Value> = svc["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str()).map(|ip| json!({"ip": ip})).collect();
            return ips;
        }
    }
    let nodes = c.list("nodes", None);
    let mut out: Vec<Value> = Vec::new();
    for p in pods {
        let Some(node) = nodes.iter().find(|n| n["metadata"]["name"] == p["spec"]["nodeName"]) else { continue };
        if let Some(ip) = node["status"]["addresses"].as_array().into_iter().flatten().find(|a| a["type"] == "InternalIP").and_then(|a| a["address"].as_str()) {
            let v = json!({"ip": ip});
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

impl Controller for IngressStatusController {
    /// The component its events come from, as ingress-nginx names itself.
    fn name(&self) -> &'static str {
        "nginx-ingress-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        // Ours are the Ingresses of ingress-nginx's class; only then are its pods looked for
        // (every pod of the cluster, which this loop should not read on each pass for nothing).
        let net = Network { ingress_classes: c.list("ingressclasses.networking.k8s.io", None).iter().map(|k| IngressClass::from_object(k)).collect(), ..Network::default() };
        let ours: Vec<Arc<Value>> = c.list("ingresses.networking.k8s.io", None).into_iter().filter(|i| i["metadata"]["deletionTimestamp"].is_null() && net.handles(&Ingress::from_object(i))).collect();
        if ours.is_empty() {
            return;
        }
        let pods: Vec<Arc<Value>> = c.list("pods", None).into_iter().filter(|p| is_controller(p) && is_ready(p) && p["metadata"]["deletionTimestamp"].is_null()).collect();
        if pods.is_empty() {
            return;
        }
        let addrs = Value::Array(addresses(c, &pods));
        for ing in ours {
            let want = if addrs.as_array().is_some_and(|a| a.is_empty()) { json!({}) } else { json!({"ingress": addrs}) };
            if ing["status"]["loadBalancer"] != want {
                let mut next = (*ing).clone();
                next["status"]["loadBalancer"] = want;
                if c.update_status("networking.k8s.io/v1", "ingresses", next).is_ok() {
                    c.event(&ing, "Normal", "Sync", "Scheduled for sync");
                }
            }
        }
    }
}
