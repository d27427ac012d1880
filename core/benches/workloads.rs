//! A Deployment from 0 to many ready replicas on many nodes: how long the simulation takes in
//! wall time, and how long the cluster took in virtual time. Prints `bench <name> <value> <unit>`
//! lines; nothing here fails on time. `HAKONIWA_BENCH_NODES` and `HAKONIWA_BENCH_REPLICAS`
//! change the size (default 1,000 nodes, 10,000 replicas).

use std::time::Instant;

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::cluster::Preset;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::json;

fn bench(name: &str, value: f64, unit: &str) {
    println!("bench {name} {value:.1} {unit}");
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The kind preset with `workers` worker nodes.
fn preset(workers: usize) -> Preset {
    let mut p = Preset::builtin("kind").expect("kind preset");
    let template = p.nodes[1].clone();
    p.nodes.truncate(1);
    for i in 0..workers {
        let mut n = template.clone();
        n.name = if i == 0 { "kind-worker".to_string() } else { format!("kind-worker{}", i + 1) };
        n.internal_ip = format!("172.18.{}.{}", (i + 2) / 250, (i + 2) % 250 + 2);
        n.pod_cidr = format!("10.{}.{}.0/24", 244 + (i + 1) / 256, (i + 1) % 256);
        p.nodes.push(n);
    }
    p
}

fn main() {
    let nodes = env("HAKONIWA_BENCH_NODES", 1_000);
    let replicas = env("HAKONIWA_BENCH_REPLICAS", 10_000);
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
    let t = Instant::now();
    let mut c = Cluster::boot(preset(nodes), 1, start).expect("boot");
    bench(&format!("cluster_boot_{nodes}_nodes_wall"), t.elapsed().as_secs_f64() * 1000.0, "ms");

    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}});
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
    let writes = c.api_ref().store().resource_version();
    bench(&format!("deployment_0_to_{replicas}_ready_on_{nodes}_nodes_writes_per_pod"), writes as f64 / replicas as f64, "writes");
    let virt = c.now().since(start).as_millis() as f64 / 1000.0;
    bench(&format!("deployment_0_to_{replicas}_ready_on_{nodes}_nodes_wall"), wall, "s");
    bench(&format!("deployment_0_to_{replicas}_ready_on_{nodes}_nodes_virtual"), virt, "s");
    bench(&format!("deployment_0_to_{replicas}_ready_on_{nodes}_nodes_pods_per_wall_s"), replicas as f64 / wall, "pods/s");
}
