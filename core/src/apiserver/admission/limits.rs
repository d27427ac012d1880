//! LimitRanger: the LimitRanges of a namespace give its new pods' containers the default
//! requests and limits they lack (saying so in the `kubernetes.io/limit-ranger` annotation),
//! then hold containers, pods and claims to their min, max and maxLimitRequestRatio — with
//! Kubernetes' words (`maximum cpu usage per Container is 1, but limit is 2`). Pods are
//! checked when created (their containers cannot change after), claims on every write.

use crate::sort::Order;
use serde_json::{json, Value};

use crate::api::meta::GroupResource;
use crate::api::quantity::Quantity;
use crate::api::status::ApiError;
use crate::store::{Selection, Store};

use super::quota::pod_resource;

const LIMIT_RANGES: &str = "limitranges";
const ANNOTATION: &str = "kubernetes.io/limit-ranger";

fn ranges(store: &Store, ns: &str) -> Vec<std::sync::Arc<Value>> {
    if ns.is_empty() {
        return Vec::new();
    }
    store.list(LIMIT_RANGES, Some(ns), &Selection::All, None).into_iter().map(|s| s.object).collect()
}

/// Mutating admission for a new pod: each LimitRange's Container defaults, in turn.
pub fn default_pod(store: &Store, ns: &str, pod: &mut Value) {
    for lr in ranges(store, ns) {
        let Some(item) = lr["spec"]["limits"].as_array().into_iter().flatten().find(|l| l["type"] == "Container") else { continue };
        let mut said: Vec<String> = Vec::new();
        for (list, what) in [("containers", "container"), ("initContainers", "init container")] {
            for c in pod["spec"][list].as_array_mut().into_iter().flatten() {
                let cname = c["name"].as_str().unwrap_or_default().to_string();
                let mut set = |part: &str, from: &Value| -> Vec<String> {
                    let mut keys = Vec::new();
                    for (k, v) in from.as_object().into_iter().flatten() {
                        let res = &mut c["resources"];
                        if !res.is_object() {
                            *res = json!({});
                        }
                        if !res[part].is_object() {
                            res[part] = json!({});
                        }
                        if res[part].get(k).is_none() {
                            res[part][k] = v.clone();
                            keys.push(k.clone());
                        }
                    }
                    keys.order();
                    keys
                };
                let limits = set("limits", &item["default"]);
                let requests = set("requests", &item["defaultRequest"]);
                if !requests.is_empty() {
                    said.push(format!("{} request for {what} {cname}", requests.join(", ")));
                }
                if !limits.is_empty() {
                    said.push(format!("{} limit for {what} {cname}", limits.join(", ")));
                }
            }
        }
        if !said.is_empty() {
            if !pod["metadata"]["annotations"].is_object() {
                pod["metadata"]["annotations"] = json!({});
            }
            pod["metadata"]["annotations"][ANNOTATION] = json!(format!("LimitRanger plugin set: {}", said.join("; ")));
        }
    }
}

fn quantities(v: &Value) -> Vec<(String, Quantity)> {
    v.as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), Quantity::parse(v.as_str()?).ok()?))).collect()
}

/// The values kube compares: milli-units when they fit, else whole ones.
fn compared(q: Option<&Quantity>) -> i64 {
    q.map_or(0, Quantity::milli_value)
}

fn min_check(kind: &str, res: &str, enforced: &Quantity, req: Option<&Quantity>, lim: Option<&Quantity>) -> Option<String> {
    let Some(r) = req else { return Some(format!("minimum {res} usage per {kind} is {enforced}.  No request is specified")) };
    if compared(Some(r)) < enforced.milli_value() {
        return Some(format!("minimum {res} usage per {kind} is {enforced}, but request is {r}"));
    }
    match lim {
        Some(l) if compared(Some(l)) < enforced.milli_value() => Some(format!("minimum {res} usage per {kind} is {enforced}, but limit is {l}")),
        _ => None,
    }
}

fn max_check(kind: &str, res: &str, enforced: &Quantity, req: Option<&Quantity>, lim: Option<&Quantity>) -> Option<String> {
    let Some(l) = lim else { return Some(format!("maximum {res} usage per {kind} is {enforced}.  No limit is specified")) };
    if compared(Some(l)) > enforced.milli_value() {
        return Some(format!("maximum {res} usage per {kind} is {enforced}, but limit is {l}"));
    }
    match req {
        Some(r) if compared(Some(r)) > enforced.milli_value() => Some(format!("maximum {res} usage per {kind} is {enforced}, but request is {r}")),
        _ => None,
    }
}

fn ratio_check(kind: &str, res: &str, enforced: &Quantity, req: Option<&Quantity>, lim: Option<&Quantity>) -> Option<String> {
    let (r, l) = (compared(req), compared(lim));
    if r == 0 {
        return Some(format!("{res} max limit to request ratio per {kind} is {enforced}, but no request is specified or request is 0"));
    }
    if l == 0 {
        return Some(format!("{res} max limit to request ratio per {kind} is {enforced}, but no limit is specified or limit is 0"));
    }
    let observed = l as f64 / r as f64;
    (observed * 1000.0 > enforced.milli_value() as f64).then(|| format!("{res} max limit to request ratio per {kind} is {enforced}, but provided ratio is {observed:.6}"))
}

/// Checks one request/limit pair against an item's min, max and ratio.
fn check(item: &Value, kind: &str, requests: &Value, limits: &Value, errs: &mut Vec<String>) {
    let get = |list: &Value, k: &str| list[k].as_str().and_then(|s| Quantity::parse(s).ok());
    for (res, q) in quantities(&item["min"]) {
        errs.extend(min_check(kind, &res, &q, get(requests, &res).as_ref(), get(limits, &res).as_ref()));
    }
    for (res, q) in quantities(&item["max"]) {
        errs.extend(max_check(kind, &res, &q, get(requests, &res).as_ref(), get(limits, &res).as_ref()));
    }
    for (res, q) in quantities(&item["maxLimitRequestRatio"]) {
        errs.extend(ratio_check(kind, &res, &q, get(requests, &res).as_ref(), get(limits, &res).as_ref()));
    }
}

/// Validating admission: a pod's containers and the pod as a whole, or a claim's storage,
/// against every LimitRange of the namespace.
pub fn validate(store: &Store, storage: &str, resource: &GroupResource, ns: &str, obj: &Value) -> Result<(), ApiError> {
    if storage != "pods" && storage != "persistentvolumeclaims" {
        return Ok(());
    }
    let mut errs: Vec<String> = Vec::new();
    for lr in ranges(store, ns) {
        for item in lr["spec"]["limits"].as_array().into_iter().flatten() {
            match (storage, item["type"].as_str().unwrap_or_default()) {
                ("pods", "Container") => {
                    for list in ["containers", "initContainers"] {
                        for c in obj["spec"][list].as_array().into_iter().flatten() {
                            check(item, "Container", &c["resources"]["requests"], &c["resources"]["limits"], &mut errs);
                        }
                    }
                }
                ("pods", "Pod") => {
                    let totals = |part: &str| {
                        let keys: std::collections::BTreeSet<String> = crate::sort::set(["min", "max", "maxLimitRequestRatio"].iter().flat_map(|k| item[*k].as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()));
                        let mut m = serde_json::Map::new();
                        for k in keys {
                            if let Some(q) = pod_resource(&obj["spec"], part, &k) {
                                m.insert(k, json!(q.to_string()));
                            }
                        }
                        Value::Object(m)
                    };
                    check(item, "Pod", &totals("requests"), &totals("limits"), &mut errs);
                }
                ("persistentvolumeclaims", "PersistentVolumeClaim") => {
                    let requests = &obj["spec"]["resources"]["requests"];
                    let get = |k: &str| requests[k].as_str().and_then(|s| Quantity::parse(s).ok());
                    for (res, q) in quantities(&item["min"]) {
                        errs.extend(min_check("PersistentVolumeClaim", &res, &q, get(&res).as_ref(), None));
                    }
                    for (res, q) in quantities(&item["max"]) {
                        let r = get(&res);
                        errs.extend(match r {
                            None => Some(format!("maximum {res} usage per PersistentVolumeClaim is {q}.  No request is specified")),
                            Some(r) if r.milli_value() > q.milli_value() => Some(format!("maximum {res} usage per PersistentVolumeClaim is {q}, but request is {r}")),
                            Some(_) => None,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    if errs.is_empty() {
        return Ok(());
    }
    let why = if errs.len() == 1 { errs.remove(0) } else { format!("[{}]", errs.join(", ")) };
    Err(ApiError::Forbidden { resource: resource.clone(), name: obj["metadata"]["name"].as_str().unwrap_or_default().to_string(), why })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|_| Quantity::zero())
    }

    #[test]
    fn messages_are_limitrangers() {
        assert_eq!(max_check("Container", "cpu", &q("1"), Some(&q("500m")), Some(&q("2"))), Some("maximum cpu usage per Container is 1, but limit is 2".into()));
        assert_eq!(max_check("Container", "memory", &q("1Gi"), None, None), Some("maximum memory usage per Container is 1Gi.  No limit is specified".into()));
        assert_eq!(min_check("Container", "cpu", &q("100m"), Some(&q("50m")), None), Some("minimum cpu usage per Container is 100m, but request is 50m".into()));
        assert_eq!(ratio_check("Container", "cpu", &q("2"), Some(&q("250m")), Some(&q("1"))), Some("cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000".into()));
        assert_eq!(ratio_check("Container", "cpu", &q("4"), Some(&q("250m")), Some(&q("1"))), None);
    }
}
