//! The endpoints and EndpointSlice controllers: for every Service with a selector, the pods it
//! selects that have an IP, ready ones as addresses and the rest as not ready, on the Service's
//! target ports.

use crate::sort::Order;
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

/// The DNS label of a pod's endpoint: its `hostname` when its `subdomain` is the Service.
fn hostname_for<'a>(pod: &'a Value, svc: &Value) -> Option<&'a str> {
    let spec = &pod["spec"];
    spec["hostname"].as_str().filter(|h| !h.is_empty() && spec["subdomain"].as_str() == Some(name(svc)))
}

fn address(pod: &Value, svc: &Value) -> Value {
    let mut a = json!({"ip": pod["status"]["podIP"]});
    if let Some(h) = hostname_for(pod, svc) {
        a["hostname"] = json!(h);
    }
    if let Some(node) = pod["spec"]["nodeName"].as_str() {
        a["nodeName"] = json!(node);
    }
    a["targetRef"] = json!({"kind": "Pod", "namespace": namespace(pod), "name": name(pod), "uid": uid(pod)});
    a
}

/// The Endpoints ports a pod gives the Service's ports: each resolved on the pod (a named
/// target port may be a different number on each pod, or missing).
fn pod_ports(pod: &Value, ports: &[Value]) -> Vec<Value> {
    ports
        .iter()
        .filter_map(|p| {
            let number = target_port(pod, p)?;
            let mut ep = json!({"port": number, "protocol": p["protocol"]});
            if let Some(n) = p["name"].as_str().filter(|n| !n.is_empty()) {
                ep["name"] = json!(n);
            }
            if let Some(ap) = p.get("appProtocol") {
                ep["appProtocol"] = ap.clone();
            }
            Some(ep)
        })
        .collect()
}

impl Controller for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoint-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for svc in c.list("services", None) {
            let selector = &svc["spec"]["selector"];
            if svc["spec"]["type"] == "ExternalName" {
                continue;
            }
            if selector.as_object().is_none_or(|m| m.is_empty()) {
                mirror(c, &svc);
                continue;
            }
            let ns = namespace(&svc).to_string();
            let publish_not_ready = svc["spec"]["publishNotReadyAddresses"] == true;
            // Terminating pods stay in the slices (marked terminating), not in Endpoints.
            let pods: Vec<Arc<Value>> = c
                .list_selected("pods", &ns, &json!({"matchLabels": selector}))
                .into_iter()
                .filter(|p| p["status"]["podIP"].as_str().is_some_and(|ip| !ip.is_empty()))
                .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
                .collect();
            let ports: Vec<Value> = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
            // Pods grouped by the ports they resolve to: one subset (and one slice) per group.
            let mut groups: Vec<(Vec<Value>, Vec<Arc<Value>>)> = Vec::new();
            for pod in &pods {
                let pp = pod_ports(pod, &ports);
                match groups.iter_mut().find(|(g, _)| *g == pp) {
                    Some((_, members)) => members.push(pod.clone()),
                    None => groups.push((pp, vec![pod.clone()])),
                }
            }
            let sort_key = |a: &Value| a["ip"].as_str().unwrap_or_default().to_string();
            let mut subsets = Vec::new();
            for (group_ports, members) in &groups {
                let mut ready = Vec::new();
                let mut not_ready = Vec::new();
                for pod in members.iter().filter(|p| p["metadata"]["deletionTimestamp"].is_null() || publish_not_ready) {
                    if is_ready(pod) || publish_not_ready {
                        ready.push(address(pod, &svc));
                    } else {
                        not_ready.push(address(pod, &svc));
                    }
                }
                if ready.is_empty() && not_ready.is_empty() {
                    continue;
                }
                ready.order_by_key(sort_key);
                not_ready.order_by_key(sort_key);
                let mut s = json!({});
                if !ready.is_empty() {
                    s["addresses"] = Value::Array(ready);
                }
                if !not_ready.is_empty() {
                    s["notReadyAddresses"] = Value::Array(not_ready);
                }
                s["ports"] = Value::Array(group_ports.clone());
                subsets.push(s);
            }
            let subsets = if subsets.is_empty() { Value::Null } else { Value::Array(subsets) };
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
            // No pods: one placeholder slice, without ports.
            if groups.is_empty() {
                groups.push((Vec::new(), Vec::new()));
            }
            sync_slices(c, &svc, &ns, &groups, publish_not_ready);
        }
        // Endpoints this controller made for Services that went away (hand-made ones stay).
        for ep in c.list("endpoints", None) {
            let ns = namespace(&ep).to_string();
            let ours = ep["metadata"]["managedFields"].as_array().is_some_and(|m| !m.is_empty() && m.iter().all(|e| e["manager"] == "kube-controller-manager"));
            if ours && name(&ep) != "kubernetes" && c.get("services", &ns, name(&ep)).is_none() {
                let _ = c.delete("v1", "endpoints", &ns, name(&ep), None);
            }
        }
    }
}

const MIRRORING: &str = "endpointslicemirroring-controller.k8s.io";

/// A new IPv4 EndpointSlice of a Service, owned by it.
fn new_slice(svc: &Value, labels: Value, endpoints: Value, ports: Value) -> Value {
    json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {
            "generateName": format!("{}-", name(svc)),
            "labels": labels,
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name(svc), "uid": uid(svc), "controller": true, "blockOwnerDeletion": true}],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": ports,
    })
}

/// The EndpointSlice mirroring controller: a Service without a selector gets slices copied from
/// the Endpoints object of its name that somebody wrote by hand (one per subset), so that
/// kube-proxy and the DNS see its addresses.
fn mirror(c: &mut Client, svc: &Value) {
    let ns = namespace(svc).to_string();
    if ns == "default" && name(svc) == "kubernetes" {
        return;
    }
    let ep = c.get("endpoints", &ns, name(svc));
    let skip = ep.as_ref().is_some_and(|e| e["metadata"]["labels"]["endpointslice.kubernetes.io/skip-mirror"] == "true");
    let subsets: Vec<Value> = if skip { Vec::new() } else { ep.as_ref().and_then(|e| e["subsets"].as_array().cloned()).unwrap_or_default() };
    let mut existing: Vec<Arc<Value>> = c.owned("endpointslices.discovery.k8s.io", uid(svc)).into_iter().filter(|s| s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == MIRRORING).collect();
    for sub in &subsets {
        let endpoint = |a: &Value, ready: bool| {
            let mut e = json!({"addresses": [a["ip"]], "conditions": {"ready": ready}});
            for k in ["hostname", "nodeName", "targetRef"] {
                if !a[k].is_null() {
                    e[k] = a[k].clone();
                }
            }
            e
        };
        let mut endpoints: Vec<Value> = sub["addresses"].as_array().into_iter().flatten().map(|a| endpoint(a, true)).collect();
        endpoints.extend(sub["notReadyAddresses"].as_array().into_iter().flatten().map(|a| endpoint(a, false)));
        let ports: Vec<Value> = sub["ports"].as_array().into_iter().flatten().map(|p| json!({"name": p["name"].as_str().unwrap_or(""), "port": p["port"], "protocol": p["protocol"].as_str().unwrap_or("TCP")})).collect();
        if existing.is_empty() {
            let mut labels = ep.as_ref().map_or(json!({}), |e| e["metadata"]["labels"].clone());
            if !labels.is_object() {
                labels = json!({});
            }
            labels["kubernetes.io/service-name"] = json!(name(svc));
            labels["endpointslice.kubernetes.io/managed-by"] = json!(MIRRORING);
            let _ = c.create("discovery.k8s.io/v1", "endpointslices", &ns, new_slice(svc, labels, Value::Array(endpoints), Value::Array(ports)));
        } else {
            let cur = existing.remove(0);
            let mut next = (*cur).clone();
            next["endpoints"] = Value::Array(endpoints);
            next["ports"] = Value::Array(ports);
            if next != *cur {
                let _ = c.update("discovery.k8s.io/v1", "endpointslices", next);
            }
        }
    }
    for gone in existing {
        let _ = c.delete("discovery.k8s.io/v1", "endpointslices", &ns, name(&gone), None);
    }
}

/// One EndpointSlice per group of pods with the same ports; slices of groups that went away
/// are deleted.
fn sync_slices(c: &mut Client, svc: &Value, ns: &str, groups: &[(Vec<Value>, Vec<Arc<Value>>)], publish_not_ready: bool) {
    let mut existing: Vec<Arc<Value>> = c.owned("endpointslices.discovery.k8s.io", uid(svc));
    for (ports, pods) in groups {
        let endpoints: Vec<Value> = pods
            .iter()
            .map(|p| {
                let terminating = !p["metadata"]["deletionTimestamp"].is_null();
                let serving = is_ready(p);
                let ready = publish_not_ready || (serving && !terminating);
                let mut e = json!({
                    "addresses": [p["status"]["podIP"]],
                    "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
                });
                if let Some(h) = hostname_for(p, svc) {
                    e["hostname"] = json!(h);
                }
                if let Some(node) = p["spec"]["nodeName"].as_str() {
                    e["nodeName"] = json!(node);
                }
                e["targetRef"] = json!({"kind": "Pod", "namespace": ns, "name": name(p), "uid": uid(p)});
                e
            })
            .collect();
        let slice_ports: Vec<Value> = ports
            .iter()
            .map(|p| {
                let mut sp = json!({"name": p["name"].as_str().unwrap_or(""), "port": p["port"], "protocol": p["protocol"]});
                if let Some(ap) = p.get("appProtocol") {
                    sp["appProtocol"] = ap.clone();
                }
                sp
            })
            .collect();
        // The placeholder of a Service without pods has neither (Go's nil lists).
        let (endpoints, slice_ports) = if pods.is_empty() { (Value::Null, Value::Null) } else { (Value::Array(endpoints), Value::Array(slice_ports)) };
        // The Service's labels, and the controller's own (setEndpointSliceLabels).
        let mut labels = if svc["metadata"]["labels"].is_object() { svc["metadata"]["labels"].clone() } else { json!({}) };
        labels["kubernetes.io/service-name"] = json!(name(svc));
        labels["endpointslice.kubernetes.io/managed-by"] = json!("endpointslice-controller.k8s.io");
        if svc["spec"]["clusterIP"] == "None" {
            labels["service.kubernetes.io/headless"] = json!("");
        }
        let same = existing.iter().position(|s| s["ports"] == slice_ports).or(if groups.len() == 1 && !existing.is_empty() { Some(0) } else { None });
        match same {
            None => {
                let _ = c.create("discovery.k8s.io/v1", "endpointslices", ns, new_slice(svc, labels, endpoints, slice_ports));
            }
            Some(k) => {
                let cur = existing.remove(k);
                let mut next = (*cur).clone();
                next["endpoints"] = endpoints;
                next["ports"] = slice_ports;
                next["metadata"]["labels"] = labels;
                if next != *cur {
                    let _ = c.update("discovery.k8s.io/v1", "endpointslices", next);
                }
            }
        }
    }
    for gone in existing {
        let _ = c.delete("discovery.k8s.io/v1", "endpointslices", ns, name(&gone), None);
    }
}
