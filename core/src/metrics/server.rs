//! The simulated metrics-server (registry.k8s.io/metrics-server/metrics-server): what it answers
//! as `metrics.k8s.io/v1beta1` behind the aggregator — NodeMetrics and PodMetrics of its last
//! scrape, once it has scraped twice.

use serde_json::{json, Value};

use crate::api::meta::GroupResource;
use crate::api::object::{labels, name, namespace};
use crate::api::status::ApiError;
use crate::apiserver::route::{ResourceRequest, Verb};
use crate::apiserver::select::ListOptions;
use crate::apiserver::Request;
use crate::sim::clock::Timestamp;
use crate::store::{Selection, Store};

use super::usage::{self, RESOLUTION_SECONDS};

pub const GROUP_VERSION: &str = "metrics.k8s.io/v1beta1";

/// The resources it serves, as its discovery document lists them.
pub fn discovery() -> Value {
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": GROUP_VERSION,
        "resources": [
            {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]},
            {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
        ],
    })
}

/// The context of one request: the store it reads (as its informers do), when it is asked,
/// and since when its container has run (it has no figures before two scrapes).
pub struct Scrapes<'a> {
    pub store: &'a Store,
    pub now: Timestamp,
    pub running_since: Timestamp,
}

impl Scrapes<'_> {
    /// The scrape whose figures it serves, if it has scraped twice since it started (it
    /// scrapes on start, then every resolution; it is ready only after the second).
    fn last(&self) -> Option<Timestamp> {
        usage::last_scrape(self.running_since, self.now)
    }

    fn node_metrics(&self, node: &Value, at: Timestamp) -> Option<Value> {
        let ready = node["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
        if !ready {
            return None;
        }
        let n = name(node);
        let pods = self.store.list("pods", None, &Selection::FieldEquals("spec.nodeName", n.to_string()), None);
        let u = usage::node(node, pods.iter().map(|p| p.object.as_ref()), at);
        Some(json!({
            "metadata": {"name": n, "creationTimestamp": self.now.rfc3339(), "labels": node["metadata"]["labels"].clone()},
            "timestamp": at.rfc3339(),
            "window": format!("{RESOLUTION_SECONDS}s"),
            "usage": u.to_json(),
        }))
    }

    fn pod_metrics(&self, pod: &Value, at: Timestamp) -> Option<Value> {
        let usage = usage::pod(pod, at)?;
        // A sample with a container at zero CPU or memory is dropped whole.
        if usage.iter().any(|(_, u)| u.cpu_nanos == 0 || u.memory_bytes == 0) {
            return None;
        }
        let containers: Vec<Value> = usage.into_iter().map(|(c, u)| json!({"name": c, "usage": u.to_json()})).collect();
        let mut meta = json!({"name": name(pod), "namespace": namespace(pod), "creationTimestamp": self.now.rfc3339()});
        if let Some(l) = labels(pod) {
            meta["labels"] = Value::Object(l.clone());
        }
        Some(json!({"metadata": meta, "timestamp": at.rfc3339(), "window": format!("{RESOLUTION_SECONDS}s"), "containers": containers}))
    }

    /// Serves a request to `metrics.k8s.io/v1beta1`.
    pub fn serve(&self, req: &Request, r: &ResourceRequest) -> Result<Value, ApiError> {
        let (resource, kind) = match r.resource.as_str() {
            "nodes" => ("nodes", "NodeMetrics"),
            "pods" => ("pods", "PodMetrics"),
            _ => return Err(ApiError::NoRoute),
        };
        let gr = GroupResource { group: "metrics.k8s.io".into(), resource: kind.to_lowercase() };
        if !r.subresource.is_empty() {
            return Err(ApiError::NoRoute);
        }
        let ns = if resource == "pods" { r.namespace.as_str() } else { "" };
        let with_type = |mut v: Value, kind: &str| {
            if let Some(m) = v.as_object_mut() {
                let mut out = serde_json::Map::new();
                out.insert("kind".into(), json!(kind));
                out.insert("apiVersion".into(), json!(GROUP_VERSION));
                out.append(m);
                return Value::Object(out);
            }
            v
        };
        match r.verb {
            Verb::Get => {
                // What its informers do not hold (a missing node, a pod not Running) is the
                // lister's own NotFound.
                let obj = self.store.get(resource, ns, &r.name).filter(|o| resource == "nodes" || is_running(&o.object));
                let Some(obj) = obj else {
                    let lister = if resource == "nodes" { "node" } else { "pods" };
                    return Err(ApiError::NotFound { resource: GroupResource { group: String::new(), resource: lister.into() }, name: r.name.clone() });
                };
                let not_found = || ApiError::NotFound { resource: gr.clone(), name: if ns.is_empty() { r.name.clone() } else { format!("{ns}/{}", r.name) } };
                let at = self.last().ok_or_else(not_found)?;
                let m = if resource == "nodes" { self.node_metrics(&obj.object, at) } else { self.pod_metrics(&obj.object, at) };
                let m = with_type(m.ok_or_else(not_found)?, kind);
                Ok(match crate::apiserver::tables::wants_table(req.header("accept")) {
                    Some(tv) => table(&[m], tv, req.param("includeObject")),
                    None => m,
                })
            }
            Verb::List => {
                let ListOptions { labels: selector, fields, .. } = ListOptions::from_request(req)?;
                let mut items = Vec::new();
                if let Some(at) = self.last() {
                    let scope = if ns.is_empty() { None } else { Some(ns) };
                    for s in self.store.list(resource, scope, &Selection::All, None) {
                        let obj = &s.object;
                        let field_ok = fields.terms.iter().all(|(f, eq, v)| {
                            let actual = match f.as_str() {
                                "metadata.name" => name(obj),
                                "metadata.namespace" => namespace(obj),
                                _ => "",
                            };
                            (actual == v) == *eq
                        });
                        if !selector.matches(labels(obj)) || !field_ok || (resource == "pods" && !is_running(obj)) {
                            continue;
                        }
                        let m = if resource == "nodes" { self.node_metrics(obj, at) } else { self.pod_metrics(obj, at) };
                        items.extend(m);
                    }
                }
                if let Some(tv) = crate::apiserver::tables::wants_table(req.header("accept")) {
                    return Ok(table(&items, tv, req.param("includeObject")));
                }
                Ok(json!({"kind": format!("{kind}List"), "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}))
            }
            _ => Err(ApiError::MethodNotSupported { resource: gr, verb: r.verb.as_str().to_string() }),
        }
    }
}

/// metrics-server watches only Running pods.
fn is_running(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running"
}

/// Its Table: the name, one column per resource of the first item (cpu, memory: the pod's
/// total), and the window. An empty list has no columns.
fn table(items: &[Value], table_version: &str, include: Option<&str>) -> Value {
    let usage_of = |m: &Value| -> (String, String) {
        if m["usage"].is_object() {
            return (m["usage"]["cpu"].as_str().unwrap_or_default().to_string(), m["usage"]["memory"].as_str().unwrap_or_default().to_string());
        }
        use crate::api::quantity::{Format, Quantity};
        let (mut cpu, mut memory) = (Quantity::zero(), Quantity::from_int(0, Format::BinarySI));
        for c in m["containers"].as_array().into_iter().flatten() {
            let q = |k: &str| Quantity::parse(c["usage"][k].as_str().unwrap_or("0")).unwrap_or_else(|_| Quantity::zero());
            cpu = cpu.add(&q("cpu"));
            memory = memory.add(&q("memory"));
        }
        (cpu.canonical(), memory.canonical())
    };
    let columns = if items.is_empty() {
        json!([])
    } else {
        json!([
            {"name": "Name", "type": "string", "format": "name", "description": "Name of the resource", "priority": 0},
            {"name": "cpu", "type": "string", "format": "quantity", "description": "", "priority": 0},
            {"name": "memory", "type": "string", "format": "quantity", "description": "", "priority": 0},
            {"name": "Window", "type": "string", "format": "duration", "description": "", "priority": 0},
        ])
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|m| {
            let (cpu, memory) = usage_of(m);
            let object = match include {
                Some("None") => Value::Null,
                Some("Object") => m.clone(),
                _ => json!({"kind": "PartialObjectMetadata", "apiVersion": format!("meta.k8s.io/{table_version}"), "metadata": m["metadata"].clone()}),
            };
            json!({"cells": [m["metadata"]["name"], cpu, memory, m["window"]], "object": object})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": format!("meta.k8s.io/{table_version}"), "metadata": {}, "columnDefinitions": columns, "rows": rows})
}
