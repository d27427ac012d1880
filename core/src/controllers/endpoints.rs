//! The endpoints and EndpointSlice controllers: for every Service with a selector, the pods it
//! selects that have an IP, ready ones as addresses and the rest as not ready, on the Service's
//! target ports.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};

use super::replicaset::is_ready;
use super::{Client, Controller};

pub struct EndpointsController;

/// The container port a Service port targets on a pod (a number, or a named port).
fn target_port(pod: &Value, port: &Value) -> Option<i64> {
    match &port["targetPort"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .find(|p| p["name"] == s.as_str())
            .and_then(|p| p["containerPort"].as_i64()),
        _ => port["port"].as_i64(),
    }
}

fn address(pod: &Value) -> Value {
    let mut a = json!({
        "ip": pod["status"]["podIP"],
        "targetRef": {"kind": "Pod", "namespace": namespace(pod), "name": name(pod), "uid": uid(pod)},
    });
    if let Some(node) = pod["spec"]["nodeName"].as_str() {
        a["nodeName"] = json!(node);
    }
    a
}

impl Controller for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoint-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for svc in c.list("services", None) {
            let selector = &svc["spec"]["selector"];
            if selector.as_object().is_none_or(|m| m.is_empty()) || svc["spec"]["type"] == "ExternalName" {
                continue;
            }
            let ns = namespace(&svc).to_string();
            let publish_not_ready = svc["spec"]["publishNotReadyAddresses"] == true;
            let pods: Vec<Arc<Value>> = c
                .list_selected("pods", &ns, &json!({"matchLabels": selector}))
                .into_iter()
                .filter(|p| p["status"]["podIP"].as_str().is_some_and(|ip| !ip.is_empty()) && p["metadata"]["deletionTimestamp"].is_null())
                .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
                .collect();
            let ports: Vec<Value> = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
            // One subset per distinct set of resolved ports (usually one).
            let mut ready = Vec::new();
            let mut not_ready = Vec::new();
            let mut ep_ports = Vec::new();
            for p in &ports {
                let number = pods.iter().find_map(|pod| target_port(pod, p)).or_else(|| p["targetPort"].as_i64()).unwrap_or(0);
                let mut ep = json!({"port": number, "protocol": p["protocol"]});
                if let Some(n) = p["name"].as_str().filter(|n| !n.is_empty()) {
                    ep["name"] = json!(n);
                }
                if let Some(ap) = p.get("appProtocol") {
                    ep["appProtocol"] = ap.clone();
                }
                ep_ports.push(ep);
            }
            for pod in &pods {
                if is_ready(pod) || publish_not_ready {
                    ready.push(address(pod));
                } else {
                    not_ready.push(address(pod));
                }
            }
            let sort_key = |a: &Value| a["ip"].as_str().unwrap_or_default().to_string();
            ready.sort_by_key(sort_key);
            not_ready.sort_by_key(sort_key);
            let subsets = if ready.is_empty() && not_ready.is_empty() {
                Value::Null
            } else {
                let mut s = json!({"ports": ep_ports});
                if !ready.is_empty() {
                    s["addresses"] = Value::Array(ready.clone());
                }
                if !not_ready.is_empty() {
                    s["notReadyAddresses"] = Value::Array(not_ready.clone());
                }
                json!([s])
            };
            let labels = svc["metadata"]["labels"].clone();
            match c.get("endpoints", &ns, name(&svc)) {
                None => {
                    let mut ep = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name(&svc)}});
                    if !labels.is_null() {
                        ep["metadata"]["labels"] = labels.clone();
                    }
                    if !subsets.is_null() {
                        ep["subsets"] = subsets.clone();
                    }
                    let _ = c.create("v1", "endpoints", &ns, ep);
                }
                Some(cur) => {
                    let mut next = (*cur).clone();
                    if subsets.is_null() {
                        if let Some(m) = next.as_object_mut() {
                            m.remove("subsets");
                        }
                    } else {
                        next["subsets"] = subsets.clone();
                    }
                    if next != *cur {
                        let _ = c.update("v1", "endpoints", next);
                    }
                }
            }
            sync_slice(c, &svc, &ns, &pods, &ep_ports, publish_not_ready);
        }
        // Endpoints of Services that went away.
        for ep in c.list("endpoints", None) {
            let ns = namespace(&ep).to_string();
            let managed = ep["metadata"]["labels"]["endpointslice.kubernetes.io/skip-mirror"].is_null();
            if managed && name(&ep) != "kubernetes" && c.get("services", &ns, name(&ep)).is_none() {
                let _ = c.delete("v1", "endpoints", &ns, name(&ep), None);
            }
        }
    }
}

fn sync_slice(c: &mut Client, svc: &Value, ns: &str, pods: &[Arc<Value>], ports: &[Value], publish_not_ready: bool) {
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|p| {
            let ready = is_ready(p) || publish_not_ready;
            let mut e = json!({
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": ready, "serving": ready, "terminating": false},
                "targetRef": {"kind": "Pod", "namespace": ns, "name": name(p), "uid": uid(p)},
            });
            if let Some(node) = p["spec"]["nodeName"].as_str() {
                e["nodeName"] = json!(node);
            }
            e
        })
        .collect();
    let slice_ports: Vec<Value> = ports.iter().map(|p| json!({"name": p["name"].as_str().unwrap_or(""), "port": p["port"], "protocol": p["protocol"]})).collect();
    let existing = c.owned("endpointslices.discovery.k8s.io", uid(svc));
    match existing.first() {
        None => {
            let slice = json!({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {
                    "generateName": format!("{}-", name(svc)),
                    "labels": {"kubernetes.io/service-name": name(svc), "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                    "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name(svc), "uid": uid(svc), "controller": true, "blockOwnerDeletion": true}],
                },
                "addressType": "IPv4",
                "endpoints": endpoints,
                "ports": slice_ports,
            });
            let _ = c.create("discovery.k8s.io/v1", "endpointslices", ns, slice);
        }
        Some(cur) => {
            let mut next = (**cur).clone();
            next["endpoints"] = Value::Array(endpoints);
            next["ports"] = Value::Array(slice_ports);
            if next != **cur {
                let _ = c.update("discovery.k8s.io/v1", "endpointslices", next);
            }
        }
    }
}
