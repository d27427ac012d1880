//! The page's way of running the simulation, natively: a Deployment from 0 to N replicas on a
//! kind cluster with N/30 workers, the control loops stepped in slices of at most `units` of
//! work (the page's smallest slice is 16) until every replica is ready. A slice is what the page
//! runs in one task, so the longest slice is the natively measured floor of its longest task.
//! Prints `bench <name> <value> <unit>` lines; nothing here fails on time.
//! `HAKONIWA_BENCH_REPLICAS` (default 10,000) and `HAKONIWA_BENCH_UNITS` (default 16) change it.

use std::time::Instant;

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::{bench, Cluster, Duration};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let replicas = env("HAKONIWA_BENCH_REPLICAS", 10_000);
    let units = env("HAKONIWA_BENCH_UNITS", 16) as u64;
    let mut c = Cluster::boot(bench::kind_with_workers(replicas.div_ceil(30)), 1, bench::start()).expect("boot");
    c.set_budget(Some(units));
    let resp = c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", bench::deployment("web", replicas)));
    assert_eq!(resp.status, 201);
    let ready = |c: &Cluster| c.api_ref().store().get("deployments.apps", "default", "web").and_then(|d| d.object["status"]["readyReplicas"].as_u64()).unwrap_or(0) as usize;
    let mut slices: Vec<f64> = Vec::new();
    let t = Instant::now();
    // A slice that catches up lets virtual time move 100 ms (the page moves it by the frame).
    let mut by = Duration::from_millis(0);
    while ready(&c) < replicas && t.elapsed().as_secs() < 600 {
        let s = Instant::now();
        let caught_up = c.step(by, units);
        slices.push(s.elapsed().as_secs_f64() * 1000.0);
        by = if caught_up { Duration::from_millis(100) } else { Duration::from_millis(0) };
    }
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(ready(&c), replicas, "not all replicas became ready in 600 s");
    let mut sorted = slices.clone();
    sorted.sort_by(f64::total_cmp);
    let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize];
    println!("bench slices_{replicas}_ready_ms {wall:.0} ms");
    println!("bench slices_{replicas}_count {} slices", slices.len());
    println!("bench slices_{replicas}_median_ms {:.1} ms", pick(0.5));
    println!("bench slices_{replicas}_p99_ms {:.1} ms", pick(0.99));
    println!("bench slices_{replicas}_longest_ms {:.1} ms", pick(1.0));
    println!("bench slices_{replicas}_over_50_ms {} slices", slices.iter().filter(|s| **s > 50.0).count());
}
