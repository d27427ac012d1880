//! ResourceQuota admission: a create that would take a namespace over a quota's hard limits
//! is refused with Kubernetes' `exceeded quota` message, and quotas' `status.used` is kept
//! equal to a fresh count of what the namespace holds.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::api::meta::GroupResource;
use crate::api::object::name;
use crate::api::quantity::{Format, Quantity};
use crate::api::status::ApiError;
use crate::store::{Selection, Store};

const QUOTAS: &str = "resourcequotas";

/// What one object counts against quotas, by resource name.
pub fn usage(storage: &str, obj: &Value) -> BTreeMap<String, Quantity> {
    let mut u = BTreeMap::new();
    let one = Quantity::from_int(1, Format::DecimalSI);
    let (resource, group) = match storage.split_once('.') {
        Some((r, g)) => (r, g),
        None => (storage, ""),
    };
    let count_key = if group.is_empty() { format!("count/{resource}") } else { format!("count/{resource}.{group}") };
    u.insert(count_key, one);
    match storage {
        "pods" => {
            if matches!(obj["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) {
                return BTreeMap::new();
            }
            u.insert("pods".into(), one);
            for (key, field, part) in [
                ("requests.cpu", "cpu", "requests"),
                ("requests.memory", "memory", "requests"),
                ("requests.ephemeral-storage", "ephemeral-storage", "requests"),
                ("limits.cpu", "cpu", "limits"),
                ("limits.memory", "memory", "limits"),
                ("limits.ephemeral-storage", "ephemeral-storage", "limits"),
            ] {
                if let Some(q) = pod_resource(&obj["spec"], part, field) {
                    u.insert(key.to_string(), q);
                    if part == "requests" {
                        u.insert(field.to_string(), q);
                    }
                }
            }
        }
        "services" => {
            u.insert("services".into(), one);
            let ty = obj["spec"]["type"].as_str().unwrap_or("ClusterIP");
            let ports = obj["spec"]["ports"].as_array().map_or(0, Vec::len) as i64;
            if ty == "NodePort" || ty == "LoadBalancer" {
                u.insert("services.nodeports".into(), Quantity::from_int(ports, Format::DecimalSI));
            }
            if ty == "LoadBalancer" {
                u.insert("services.loadbalancers".into(), one);
            }
        }
        "persistentvolumeclaims" => {
            u.insert("persistentvolumeclaims".into(), one);
            if let Some(q) = obj["spec"]["resources"]["requests"]["storage"].as_str().and_then(|s| Quantity::parse(s).ok()) {
                u.insert("requests.storage".into(), q);
                if let Some(class) = obj["spec"]["storageClassName"].as_str() {
                    u.insert(format!("{class}.storageclass.storage.k8s.io/requests.storage"), q);
                    u.insert(format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"), one);
                }
            }
        }
        "configmaps" | "secrets" | "replicationcontrollers" | "resourcequotas" => {
            u.insert(resource.to_string(), one);
        }
        _ => {}
    }
    u
}

/// A pod's effective request or limit of one resource: the sum over containers, or the
/// largest init container if that is more.
pub(crate) fn pod_resource(spec: &Value, part: &str, field: &str) -> Option<Quantity> {
    let get = |c: &Value| c["resources"][part][field].as_str().and_then(|s| Quantity::parse(s).ok());
    let mut sum: Option<Quantity> = None;
    for c in spec["containers"].as_array().into_iter().flatten() {
        if let Some(q) = get(c) {
            sum = Some(sum.map_or(q, |s| s.add(&q)));
        }
    }
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        if let Some(q) = get(c) {
            if sum.is_none_or(|s| q > s) {
                sum = Some(q);
            }
        }
    }
    sum
}

fn pretty(list: &BTreeMap<String, Quantity>) -> String {
    list.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

fn quantity_map(v: &Value) -> BTreeMap<String, Quantity> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), Quantity::parse(v.as_str()?).ok()?)))
        .collect()
}

/// The usage of a namespace, counted afresh, for the resources a quota limits.
pub fn recount(store: &Store, ns: &str, hard: &BTreeMap<String, Quantity>) -> BTreeMap<String, Quantity> {
    let mut used: BTreeMap<String, Quantity> = crate::sort::map(hard.keys().map(|k| (k.clone(), Quantity::zero())));
    for storage in ["pods", "services", "persistentvolumeclaims", "configmaps", "secrets", "replicationcontrollers", "resourcequotas"] {
        let counts_any = hard.keys().any(|k| k.starts_with("count/") || !k.contains('/') || k.contains("storageclass"));
        if !counts_any {
            continue;
        }
        for s in store.list(storage, Some(ns), &Selection::All, None) {
            for (k, q) in usage(storage, &s.object) {
                if let Some(u) = used.get_mut(&k) {
                    *u = u.add(&q);
                }
            }
        }
    }
    // count/<resource> for kinds beyond the ones above.
    for k in hard.keys().filter(|k| k.starts_with("count/")) {
        let res = &k["count/".len()..];
        if ["pods", "services", "persistentvolumeclaims", "configmaps", "secrets", "replicationcontrollers", "resourcequotas"].contains(&res) {
            continue;
        }
        let n = store.count(res, Some(ns)) as i64;
        used.insert(k.clone(), Quantity::from_int(n, Format::DecimalSI));
    }
    used
}

/// Checks a new object against every quota of its namespace.
pub fn admit(store: &Store, storage: &str, resource: &GroupResource, ns: &str, obj: &Value) -> Result<(), ApiError> {
    if ns.is_empty() {
        return Ok(());
    }
    let requested = usage(storage, obj);
    if requested.is_empty() {
        return Ok(());
    }
    for q in store.list(QUOTAS, Some(ns), &Selection::All, None) {
        let hard = quantity_map(&q.object["spec"]["hard"]);
        let relevant: Vec<&String> = requested.keys().filter(|k| hard.contains_key(*k)).collect();
        // Compute resources must be stated when a quota limits them.
        if storage == "pods" {
            let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for key in ["cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory"] {
                if !hard.contains_key(key) {
                    continue;
                }
                let (part, field) = match key.split_once('.') {
                    Some((p, f)) => (p, f),
                    None => ("requests", key),
                };
                for c in obj["spec"]["containers"].as_array().into_iter().flatten() {
                    if c["resources"][part][field].is_null() {
                        missing.entry(key).or_default().push(c["name"].as_str().unwrap_or_default());
                    }
                }
            }
            if !missing.is_empty() {
                let parts: Vec<String> = missing.iter().map(|(k, names)| format!("{k} for: {}", names.join(","))).collect();
                return Err(ApiError::Forbidden {
                    resource: resource.clone(),
                    name: name(obj).to_string(),
                    why: format!("failed quota: {}: must specify {}", name(&q.object), parts.join("; ")),
                });
            }
        }
        if relevant.is_empty() {
            continue;
        }
        let used = recount(store, ns, &hard);
        let mut exceeded = Vec::new();
        for k in &relevant {
            let after = used.get(*k).copied().unwrap_or_else(Quantity::zero).add(&requested[*k]);
            if after > hard[*k] {
                exceeded.push((*k).clone());
            }
        }
        if !exceeded.is_empty() {
            let mask = |m: &BTreeMap<String, Quantity>| -> BTreeMap<String, Quantity> {
                exceeded.iter().map(|k| (k.clone(), m.get(k).copied().unwrap_or_else(Quantity::zero))).collect()
            };
            return Err(ApiError::Forbidden {
                resource: resource.clone(),
                name: name(obj).to_string(),
                why: format!(
                    "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                    name(&q.object),
                    pretty(&mask(&requested)),
                    pretty(&mask(&used)),
                    pretty(&mask(&hard))
                ),
            });
        }
    }
    Ok(())
}

/// The `status` of every quota in a namespace, counted afresh (what the quota controller and
/// admission keep up to date).
pub fn refreshed_statuses(store: &Store, ns: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for q in store.list(QUOTAS, Some(ns), &Selection::All, None) {
        let hard = quantity_map(&q.object["spec"]["hard"]);
        let used = recount(store, ns, &hard);
        let to_map = |m: &BTreeMap<String, Quantity>| -> Map<String, Value> { m.iter().map(|(k, v)| (k.clone(), json!(v.canonical()))).collect() };
        let status = json!({"hard": to_map(&hard), "used": to_map(&used)});
        if q.object["status"] != status {
            out.push((name(&q.object).to_string(), status));
        }
    }
    out
}
