//! A Deployment from 0 to N ready replicas on a kind cluster with N/30 workers, run as fast as
//! the simulation goes (N = 100, 1,000, 10,000): wall time to all ready, the cluster's boot, and
//! how long the cluster took in virtual time. Prints `bench <name> <value> <unit>` lines;
//! nothing here fails on time. `HAKONIWA_BENCH_REPLICAS=a,b,...` changes the sizes.

use std::time::Instant;

use hakoniwa_core::{bench, Cluster};

fn bench(name: &str, value: f64, unit: &str) {
    println!("bench {name} {value:.1} {unit}");
}

fn deploy_ready(replicas: usize) {
    let workers = replicas.div_ceil(30);
    let t = Instant::now();
    let mut c = Cluster::boot(bench::kind_with_workers(workers), 1, bench::start()).expect("boot");
    bench(&format!("cluster_boot_{workers}_workers_ms"), t.elapsed().as_secs_f64() * 1000.0, "ms");
    let booted = c.now();
    let writes_before = c.api_ref().store().resource_version();
    let t = Instant::now();
    let ready = bench::deploy_until_ready(&mut c, replicas, 600);
    let wall = t.elapsed().as_secs_f64();
    assert_eq!(ready, replicas, "not all replicas became ready in 600 s of virtual time");
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
