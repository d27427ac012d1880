//! A Deployment from 0 to N ready replicas on a kind cluster with N/30 workers, run as fast as
//! the simulation goes (N = 100, 1,000, 10,000): wall time to all ready, the cluster's boot, and
//! how long the cluster took in virtual time. Prints `bench <name> <value> <unit>` lines;
//! nothing here fails on time. `HAKONIWA_BENCH_REPLICAS=a,b,...` changes the sizes.

use std::time::Instant;

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::cluster::Preset;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::json;

fn bench(name: &str, value: f64, unit: &str) {
    println!("bench {name} {value:.1} {unit}");
}

/// The kind preset with `workers` worker nodes (the control plane's taint keeps pods off it).
fn preset(workers: usize) -> Preset {
    let mut p = Preset::builtin("kind").expect("kind preset");
    p.nodes.truncate(1);
    assert!(p.add_workers(workers), "kind names its added workers");
    p
}

fn deploy_ready(replicas: usize) {
    let workers = replicas.div_ceil(30);
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
    let t = Instant::now();
    let mut c = Cluster::boot(preset(workers), 1, start).expect("boot");
    bench(&format!("cluster_boot_{workers}_workers_ms"), t.elapsed().as_secs_f64() * 1000.0, "ms");
    let booted = c.now();

    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}});
    let writes_before = c.api_ref().store().resource_version();
    let t = Instant::now();
    let resp = c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    assert_eq!(resp.status, 201);
    let mut ready = 0;
    let mut steps = 0;
    while ready < replicas && steps < 600 {
        c.advance(Duration::from_secs(1));
        steps += 1;
        let dep = c.api_ref().store().get("deployments.apps", "default", "web").expect("deployment");
        ready = dep.object["status"]["readyReplicas"].as_u64().unwrap_or(0) as usize;
    }
    let wall = t.elapsed().as_secs_f64();
    assert_eq!(ready, replicas, "not all replicas became ready in {steps} s of virtual time");
    let writes = c.api_ref().store().resource_version() - writes_before;
    bench(&format!("deploy_ready_ms_{replicas}"), wall * 1000.0, "ms");
    bench(&format!("deploy_ready_{replicas}_pods_per_s"), replicas as f64 / wall, "pods/s");
    bench(&format!("deploy_ready_{replicas}_virtual_s"), c.now().since(booted).as_millis() as f64 / 1000.0, "s");
    bench(&format!("deploy_ready_{replicas}_writes_per_pod"), writes as f64 / replicas as f64, "writes");
}

fn main() {
    let sizes: Vec<usize> = std::env::var("HAKONIWA_BENCH_REPLICAS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 10_000]);
    for n in sizes {
        deploy_ready(n);
    }
}
