//! The scheduler alone at 5,000 nodes: pods created pending, then scheduling cycles until all
//! are bound (each binding a write through the API server, as kube-scheduler's). Prints
//! `bench <name> <value> <unit>` lines; nothing here fails on time. `HAKONIWA_BENCH_NODES` and
//! `HAKONIWA_BENCH_PODS` change the size.

use std::time::Instant;

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::controllers::{Client, Recorder};
use hakoniwa_core::scheduler::Scheduler;
use hakoniwa_core::{Cluster, Timestamp};
use serde_json::json;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let nodes = env("HAKONIWA_BENCH_NODES", 5_000);
    let pods = env("HAKONIWA_BENCH_PODS", 5_000);
    let now = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
    let mut c = Cluster::boot_default(1, now).expect("boot");
    let t = Instant::now();
    for i in 0..nodes {
        // Registered Ready, as a kubelet registers its node; no kubelets run here.
        let node = json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": format!("node-{i:05}"), "labels": {"kubernetes.io/hostname": format!("node-{i:05}"), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
            "spec": {"podCIDR": format!("10.{}.{}.0/24", 100 + i / 256, i % 256)},
            "status": {"capacity": {"cpu": "8", "memory": "16Gi", "pods": "110"}, "allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"},
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                    "lastHeartbeatTime": now.rfc3339(), "lastTransitionTime": now.rfc3339()}]}});
        let r = c.api().handle(&Request::post("/api/v1/nodes", node));
        assert_eq!(r.status, 201, "{:?}", r.json());
    }
    println!("bench scheduler_register_{nodes}_nodes_ms {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    for i in 0..pods {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("web-{i:06}"), "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}});
        let r = c.api().handle(&Request::post("/api/v1/namespaces/default/pods", pod));
        assert_eq!(r.status, 201, "{:?}", r.json());
    }
    let mut scheduler = Scheduler::default();
    let mut recorder = Recorder::default();
    let bound = |c: &Cluster| c.api_ref().store().list("pods", Some("default"), &hakoniwa_core::store::Selection::All, None).iter().filter(|p| p.object["spec"]["nodeName"].is_string()).count();
    let t = Instant::now();
    let mut cycles = 0;
    while bound(&c) < pods && cycles < 100 {
        let mut client = Client::new(c.api(), &mut recorder, "default-scheduler");
        scheduler.sync(&mut client);
        cycles += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(bound(&c), pods, "not all pods were bound in {cycles} passes");
    println!("bench schedule_pods_per_s {:.0} pods/s", pods as f64 / secs);
    println!("bench schedule_{pods}_pods_on_{nodes}_nodes_ms {:.0} ms", secs * 1000.0);
}
