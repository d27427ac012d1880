//! The API server's invariants under random writes: seeded sequences of create, update, merge,
//! JSON and strategic patches, server-side applies (forced or not) and deletes (every
//! propagation policy) by several field managers, with the control loops running between
//! them. After every step:
//! - the store's resourceVersion never goes back, and moves on every create;
//! - the watch log holds events in commit order (strictly increasing resourceVersions);
//! - every quota's `used` equals a fresh count of what it limits;
//! - after a pass of the control loops, no object names an owner that is gone (unless it is
//!   itself on its way out);
//! - `metadata.managedFields` is consistent with the object: one entry per manager,
//!   operation and subresource, every field an entry owns present in the object.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::sim::rng::Rng;
use hakoniwa_core::store::Selection;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

const NS: &str = "prop";
const MANAGERS: &[&str] = &["alice", "bob", "carol"];
/// Writes per sequence.
const STEPS: usize = 120;

fn boot() -> Cluster {
    let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    let api = c.api();
    assert_eq!(api.handle(&Request::post("/api/v1/namespaces", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}))).status, 201);
    let quota = json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "50", "configmaps": "50", "requests.cpu": "20", "count/deployments.apps": "10"}}});
    assert_eq!(api.handle(&Request::post(&format!("/api/v1/namespaces/{NS}/resourcequotas"), quota)).status, 201);
    c.settle();
    c
}

/// The kinds the sequences write, with a body for a name and a variation number.
#[derive(Clone, Copy, Debug)]
enum Kind {
    ConfigMap,
    Deployment,
    Pod,
}

impl Kind {
    fn collection(self) -> String {
        match self {
            Kind::ConfigMap => format!("/api/v1/namespaces/{NS}/configmaps"),
            Kind::Deployment => format!("/apis/apps/v1/namespaces/{NS}/deployments"),
            Kind::Pod => format!("/api/v1/namespaces/{NS}/pods"),
        }
    }

    fn body(self, name: &str, n: u64, owner: Option<&Value>) -> Value {
        let mut obj = match self {
            Kind::ConfigMap => {
                let mut data = serde_json::Map::new();
                for i in 0..=n % 3 {
                    data.insert(format!("k{i}"), json!(format!("v{n}")));
                }
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})
            }
            Kind::Deployment => json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"n": format!("{}", n % 2)}},
                "spec": {"replicas": n % 3, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx:1.27",
                        "resources": {"requests": {"cpu": "100m"}}, "ports": [{"containerPort": 80 + (n % 2) as i64}]}]}}}}),
            Kind::Pod => json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"n": format!("{n}")}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": format!("{}m", 50 + 50 * (n % 3))}}}]}}),
        };
        if let Some(o) = owner {
            obj["metadata"]["ownerReferences"] = json!([{"apiVersion": o["apiVersion"], "kind": o["kind"], "name": o["metadata"]["name"], "uid": o["metadata"]["uid"],
                "blockOwnerDeletion": n.is_multiple_of(2)}]);
        }
        obj
    }
}

fn patch(path: &str, content_type: &str, body: &Value, manager: &str) -> Request {
    Request::new(Method::Patch, path).with_bytes(content_type, serde_json::to_vec(body).unwrap()).with_query("fieldManager", manager)
}

/// One random write; returns what it was and whether the server accepted it.
fn step(c: &mut Cluster, rng: &mut Rng) -> (String, bool) {
    let kind = [Kind::ConfigMap, Kind::Deployment, Kind::Pod][rng.below(3) as usize];
    let name = format!("o{}", rng.below(4));
    let n = rng.below(6);
    let manager = MANAGERS[rng.below(MANAGERS.len() as u64) as usize];
    let path = format!("{}/{name}", kind.collection());
    // Some objects are owned by a ConfigMap that may or may not still be there.
    let owner = if rng.below(3) == 0 {
        let cms = c.api_ref().store().list("configmaps", Some(NS), &Selection::All, None);
        cms.get(rng.below(cms.len().max(1) as u64) as usize).map(|s| (*s.object).clone())
    } else {
        None
    };
    let body = kind.body(&name, n, owner.as_ref());
    let req = match rng.below(9) {
        0 | 1 => Request::post(&kind.collection(), body).with_query("fieldManager", manager),
        2 => {
            let current = c.api().handle(&Request::get(&path));
            let mut obj = current.json().cloned().unwrap_or(body.clone());
            obj["metadata"]["labels"]["touched"] = json!(manager);
            if rng.below(2) == 0 {
                obj["metadata"]["resourceVersion"] = json!("1");
            }
            Request::put(&path, obj).with_query("fieldManager", manager)
        }
        3 => patch(&path, "application/merge-patch+json", &json!({"metadata": {"annotations": {manager: format!("{n}")}}}), manager),
        4 => patch(&path, "application/json-patch+json", &json!([{"op": "add", "path": "/metadata/labels", "value": {"j": format!("{n}")}}]), manager),
        5 => patch(&path, "application/strategic-merge-patch+json", &json!({"metadata": {"labels": {"s": format!("{n}")}}}), manager),
        6 | 7 => {
            let mut req = patch(&path, "application/apply-patch+yaml", &body, manager);
            if rng.below(3) == 0 {
                req = req.with_query("force", "true");
            }
            req
        }
        _ => {
            let policy = ["Background", "Foreground", "Orphan"][rng.below(3) as usize];
            Request::delete(&path).with_query("propagationPolicy", policy).with_query("gracePeriodSeconds", "0")
        }
    };
    let what = format!("{:?} {} {} by {manager}", req.method, req.path, req.header("content-type").unwrap_or_default());
    let resp = c.api().handle(&req);
    assert!(resp.status < 500, "{what}: {} {:?}", resp.status, resp.json());
    (what, resp.status < 300)
}

fn milli(q: &str) -> i64 {
    hakoniwa_core::api::quantity::Quantity::parse(q).map(|q| q.milli_value()).unwrap_or(0)
}

/// Every quota's `used`, against a fresh count.
fn check_quota(c: &Cluster) -> Result<(), String> {
    let store = c.api_ref().store();
    let Some(q) = store.get("resourcequotas", NS, "q") else { return Err("the quota is gone".into()) };
    let used = &q.object["status"]["used"];
    let pods: Vec<_> = store.list("pods", Some(NS), &Selection::All, None).into_iter().filter(|p| !matches!(p.object["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))).collect();
    let cpu: i64 = pods.iter().flat_map(|p| p.object["spec"]["containers"].as_array().cloned().unwrap_or_default()).map(|c| milli(c["resources"]["requests"]["cpu"].as_str().unwrap_or("0"))).sum();
    let counts = [
        ("pods", pods.len() as i64 * 1000),
        ("configmaps", store.list("configmaps", Some(NS), &Selection::All, None).len() as i64 * 1000),
        ("count/deployments.apps", store.list("deployments.apps", Some(NS), &Selection::All, None).len() as i64 * 1000),
        ("requests.cpu", cpu),
    ];
    for (key, want) in counts {
        let got = milli(used[key].as_str().unwrap_or("0"));
        if got != want {
            return Err(format!("quota used {key} is {got}m, a fresh count is {want}m"));
        }
    }
    Ok(())
}

/// No object names an owner that no longer exists, after the control loops have run.
fn check_owners(c: &Cluster) -> Result<(), String> {
    let store = c.api_ref().store();
    let mut uids = std::collections::HashSet::new();
    let kinds = ["configmaps", "pods", "deployments.apps", "replicasets.apps"];
    for k in kinds {
        for s in store.list(k, Some(NS), &Selection::All, None) {
            uids.insert(s.object["metadata"]["uid"].as_str().unwrap_or_default().to_string());
        }
    }
    for k in kinds {
        for s in store.list(k, Some(NS), &Selection::All, None) {
            let o = &s.object;
            if o["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            for r in o["metadata"]["ownerReferences"].as_array().into_iter().flatten() {
                if !uids.contains(r["uid"].as_str().unwrap_or_default()) {
                    return Err(format!("{k} {} survives its owner {} {}", o["metadata"]["name"], r["kind"], r["name"]));
                }
            }
        }
    }
    Ok(())
}

/// Whether every field a FieldsV1 set names is in `v`.
fn owned_fields_present(set: &Value, v: &Value, path: &str) -> Result<(), String> {
    let Some(m) = set.as_object() else { return Ok(()) };
    for (key, sub) in m {
        if key == "." {
            continue;
        }
        if let Some(field) = key.strip_prefix("f:") {
            let Some(child) = v.get(field) else { return Err(format!("{path}.{field} is owned but absent")) };
            owned_fields_present(sub, child, &format!("{path}.{field}"))?;
        } else if let Some(k) = key.strip_prefix("k:") {
            let keys: Value = serde_json::from_str(k).map_err(|e| format!("{path}: bad key {k}: {e}"))?;
            let items = v.as_array().ok_or_else(|| format!("{path} is not a list"))?;
            let item = items
                .iter()
                .find(|i| keys.as_object().is_some_and(|km| km.iter().all(|(kk, kv)| i.get(kk) == Some(kv))))
                .ok_or_else(|| format!("{path}[{k}] is owned but absent"))?;
            owned_fields_present(sub, item, &format!("{path}[{k}]"))?;
        } else if let Some(val) = key.strip_prefix("v:") {
            let want: Value = serde_json::from_str(val).map_err(|e| format!("{path}: bad value {val}: {e}"))?;
            if !v.as_array().is_some_and(|a| a.contains(&want)) {
                return Err(format!("{path} value {val} is owned but absent"));
            }
        }
    }
    Ok(())
}

fn check_managed_fields(c: &Cluster) -> Result<(), String> {
    let store = c.api_ref().store();
    for k in ["configmaps", "pods", "deployments.apps"] {
        for s in store.list(k, Some(NS), &Selection::All, None) {
            let o = &s.object;
            let name = o["metadata"]["name"].as_str().unwrap_or_default();
            let mut seen = Vec::new();
            for e in o["metadata"]["managedFields"].as_array().into_iter().flatten() {
                let id = (e["manager"].clone(), e["operation"].clone(), e["subresource"].clone());
                if seen.contains(&id) {
                    return Err(format!("{k} {name}: two managedFields entries for {id:?}"));
                }
                seen.push(id);
                // (An apply that changes nothing leaves `time` as it was: absent for a manager
                // new to the object, as the server's field manager leaves it.)
                if e["fieldsType"] != "FieldsV1" || !e["apiVersion"].is_string() {
                    return Err(format!("{k} {name}: malformed entry {e}"));
                }
                owned_fields_present(&e["fieldsV1"], o, "").map_err(|why| format!("{k} {name}, manager {}: {why}", e["manager"]))?;
            }
        }
    }
    Ok(())
}

#[test]
fn writes_by_several_managers_keep_the_api_servers_invariants() {
    let base = boot();
    for seed in 0..3u64 {
        let mut c = base.clone();
        let mut rng = Rng::seeded(7_000 + seed);
        let mut rv = c.api_ref().store().resource_version();
        let mut watched = rv;
        let mut history: Vec<String> = Vec::new();
        let mut accepted = 0;
        for i in 0..STEPS {
            let before = c.api_ref().store().resource_version();
            let (what, ok) = step(&mut c, &mut rng);
            history.push(what);
            accepted += usize::from(ok);
            let after = c.api_ref().store().resource_version();
            let context = || history[history.len().saturating_sub(6)..].join("\n  ");
            assert!(after >= before, "seed {seed} step {i}: resourceVersion went back\n  {}", context());
            // A create always moves it (a write that changes nothing does not).
            if ok && history.last().is_some_and(|h| h.starts_with("Post")) {
                assert!(after > before, "seed {seed} step {i}: a create did not move the resourceVersion\n  {}", context());
            }
            assert!(after >= rv);
            rv = after;
            if i % 5 == 4 {
                c.advance(Duration::from_secs(1 + rng.below(20) as i64));
            } else {
                c.settle();
            }
            // The watch log in commit order.
            if let Ok(events) = c.api_ref().store().events_since(watched) {
                let mut last = watched;
                for e in events {
                    assert!(e.resource_version > last, "seed {seed} step {i}: watch events out of order ({} after {last})", e.resource_version);
                    last = e.resource_version;
                }
                watched = last;
            }
            for check in [check_quota(&c), check_owners(&c), check_managed_fields(&c)] {
                if let Err(why) = check {
                    if std::env::var("PROP_DEBUG").is_ok() {
                        for k in ["configmaps", "deployments.apps"] {
                            for s in c.api_ref().store().list(k, Some(NS), &Selection::All, None) {
                                eprintln!("{k}: {}", serde_json::json!({"name": s.object["metadata"]["name"], "uid": s.object["metadata"]["uid"], "owners": s.object["metadata"]["ownerReferences"], "dt": s.object["metadata"]["deletionTimestamp"], "fin": s.object["metadata"]["finalizers"]}));
                            }
                        }
                    }
                    panic!("seed {seed} step {i}: {why}\n  {}", context());
                }
            }
        }
        // The sequences are not all refusals: most writes went through.
        assert!(accepted * 2 > STEPS, "seed {seed}: only {accepted} of {STEPS} writes accepted");
    }
}
