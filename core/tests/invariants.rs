//! Controller invariants under random operations: after every step of seeded random sequences
//! (create, scale, roll out, delete pods, stop and start nodes, let time pass), a Deployment never
//! runs more pods than its replicas plus surge, a DaemonSet never runs two pods on one node, a
//! StatefulSet never runs a pod outside its ordinals while scaling in order, and no node holds more
//! requests than it can.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::sim::rng::Rng;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn list(c: &mut Cluster, path: &str) -> Vec<Value> {
    let resp = c.handle(&Request::get(path));
    let v: Value = serde_json::from_slice(&resp.body_bytes()).unwrap();
    v["items"].as_array().cloned().unwrap_or_default()
}

fn live(p: &Value) -> bool {
    p["metadata"]["deletionTimestamp"].is_null() && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

fn owner_uid(o: &Value) -> Option<String> {
    o["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)?["uid"].as_str().map(str::to_string)
}

fn milli(q: &str) -> i64 {
    if let Some(m) = q.strip_suffix('m') {
        m.parse().unwrap_or(0)
    } else {
        (q.parse::<f64>().unwrap_or(0.0) * 1000.0) as i64
    }
}

/// Checks every invariant; returns what is broken.
fn check(c: &mut Cluster) -> Vec<String> {
    let mut broken = Vec::new();
    let pods = list(c, "/api/v1/pods");
    let rss = list(c, "/apis/apps/v1/replicasets");
    // Deployments: live pods of all their ReplicaSets ≤ replicas + maxSurge (25%, rounded up).
    for d in list(c, "/apis/apps/v1/deployments") {
        let uid = d["metadata"]["uid"].as_str().unwrap().to_string();
        let replicas = d["spec"]["replicas"].as_i64().unwrap();
        let surge = (replicas * 25 + 99) / 100;
        let mine: Vec<String> = rss.iter().filter(|r| owner_uid(r).as_deref() == Some(&uid)).map(|r| r["metadata"]["uid"].as_str().unwrap().to_string()).collect();
        let running = pods.iter().filter(|p| live(p) && owner_uid(p).is_some_and(|o| mine.contains(&o))).count() as i64;
        if running > replicas + surge {
            broken.push(format!("deployment {} runs {running} pods for {replicas} replicas", d["metadata"]["name"]));
        }
    }
    // DaemonSets: at most one live pod per node.
    for ds in list(c, "/apis/apps/v1/daemonsets") {
        let uid = ds["metadata"]["uid"].as_str().unwrap().to_string();
        let mut per_node: BTreeMap<String, usize> = BTreeMap::new();
        for p in pods.iter().filter(|p| live(p) && owner_uid(p).as_deref() == Some(&uid)) {
            let node = p["spec"]["nodeName"].as_str().unwrap_or("").to_string();
            if !node.is_empty() {
                *per_node.entry(node).or_default() += 1;
            }
        }
        for (node, n) in per_node {
            if n > 1 {
                broken.push(format!("daemonset {} runs {n} pods on {node}", ds["metadata"]["name"]));
            }
        }
    }
    // StatefulSets: live pods only at ordinals below replicas (one at a time may be going).
    for sts in list(c, "/apis/apps/v1/statefulsets") {
        let name = sts["metadata"]["name"].as_str().unwrap().to_string();
        let replicas = sts["spec"]["replicas"].as_i64().unwrap();
        let uid = sts["metadata"]["uid"].as_str().unwrap().to_string();
        let beyond = pods
            .iter()
            .filter(|p| owner_uid(p).as_deref() == Some(&uid) && live(p))
            .filter(|p| p["metadata"]["name"].as_str().unwrap().rsplit('-').next().unwrap().parse::<i64>().unwrap() >= replicas)
            .count();
        if beyond > 1 {
            broken.push(format!("statefulset {name} runs {beyond} pods beyond its {replicas} replicas"));
        }
    }
    // Nodes: requests of live pods within allocatable.
    let nodes = list(c, "/api/v1/nodes");
    for n in &nodes {
        let name = n["metadata"]["name"].as_str().unwrap();
        let alloc = milli(n["status"]["allocatable"]["cpu"].as_str().unwrap());
        let used: i64 = pods
            .iter()
            .filter(|p| live(p) && p["spec"]["nodeName"] == name)
            .flat_map(|p| p["spec"]["containers"].as_array().cloned().unwrap_or_default())
            .map(|ct| ct["resources"]["requests"]["cpu"].as_str().map_or(0, milli))
            .sum();
        if used > alloc {
            broken.push(format!("node {name} has {used}m of {alloc}m cpu requested"));
        }
    }
    broken
}

fn patch(c: &mut Cluster, path: &str, body: Value) {
    let bytes = serde_json::to_vec(&body).unwrap();
    c.handle(&Request::new(Method::Patch, path).with_bytes("application/merge-patch+json", bytes));
}

/// One random operation.
fn step(c: &mut Cluster, rng: &mut Rng, n: usize) -> String {
    let images = ["nginx:1.27", "nginx:1.28", "httpd", "redis"];
    match rng.below(9) {
        0 => {
            let replicas = rng.below(6) as i64;
            let cpu = format!("{}m", 100 + rng.below(2000));
            let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": format!("d{n}")},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": format!("d{n}")}}, "template": {"metadata": {"labels": {"app": format!("d{n}")}},
                    "spec": {"containers": [{"name": "c", "image": images[rng.below(4) as usize], "resources": {"requests": {"cpu": cpu}}}]}}}});
            c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", d));
            format!("create deployment d{n} x{replicas}")
        }
        1 | 2 => {
            let ds = list(c, "/apis/apps/v1/namespaces/default/deployments");
            if ds.is_empty() {
                return "nothing to change".into();
            }
            let d = &ds[rng.below(ds.len() as u64) as usize];
            let name = d["metadata"]["name"].as_str().unwrap().to_string();
            if rng.below(2) == 0 {
                let r = rng.below(8);
                patch(c, &format!("/apis/apps/v1/namespaces/default/deployments/{name}"), json!({"spec": {"replicas": r}}));
                format!("scale {name} to {r}")
            } else {
                let img = images[rng.below(4) as usize];
                patch(c, &format!("/apis/apps/v1/namespaces/default/deployments/{name}"), json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": img}]}}}}));
                format!("roll {name} to {img}")
            }
        }
        3 => {
            let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": format!("ds{n}")},
                "spec": {"selector": {"matchLabels": {"app": format!("ds{n}")}}, "template": {"metadata": {"labels": {"app": format!("ds{n}")}},
                    "spec": {"containers": [{"name": "c", "image": images[rng.below(4) as usize]}]}}}});
            c.handle(&Request::post("/apis/apps/v1/namespaces/default/daemonsets", ds));
            format!("create daemonset ds{n}")
        }
        4 => {
            let replicas = rng.below(5) as i64;
            let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": format!("s{n}")},
                "spec": {"serviceName": format!("s{n}"), "replicas": replicas, "selector": {"matchLabels": {"app": format!("s{n}")}}, "template": {"metadata": {"labels": {"app": format!("s{n}")}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}});
            c.handle(&Request::post("/apis/apps/v1/namespaces/default/statefulsets", sts));
            format!("create statefulset s{n} x{replicas}")
        }
        5 => {
            let pods = list(c, "/api/v1/namespaces/default/pods");
            if pods.is_empty() {
                return "no pod to delete".into();
            }
            let p = &pods[rng.below(pods.len() as u64) as usize];
            let name = p["metadata"]["name"].as_str().unwrap().to_string();
            c.handle(&Request::delete(&format!("/api/v1/namespaces/default/pods/{name}")));
            format!("delete pod {name}")
        }
        6 => {
            let node = if rng.below(2) == 0 { "kind-worker" } else { "kind-worker2" };
            if rng.below(2) == 0 {
                c.stop_node(node);
                format!("stop {node}")
            } else {
                c.start_node(node);
                format!("start {node}")
            }
        }
        _ => {
            let secs = [1, 5, 30, 120, 400][rng.below(5) as usize];
            c.advance(Duration::from_secs(secs));
            format!("wait {secs}s")
        }
    }
}

#[test]
fn controllers_keep_their_invariants_under_random_operations() {
    for seed in 1..=8u64 {
        let mut c = booted();
        let mut rng = Rng::seeded(seed);
        let mut history = Vec::new();
        for n in 0..25 {
            let t = std::time::Instant::now();
            history.push(step(&mut c, &mut rng, n));
            if std::env::var("TIMING").is_ok() && t.elapsed().as_millis() > 300 {
                eprintln!("seed {seed} step {n} {} took {:?}", history.last().unwrap(), t.elapsed());
            }
            let broken = check(&mut c);
            assert!(broken.is_empty(), "seed {seed}, after {history:?}: {broken:?}");
        }
    }
}
