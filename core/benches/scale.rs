//! Kubernetes' documented maximum in one process: 5,000 nodes and 150,000 pods, all Running.
//! Boots a kind cluster with 5,000 workers, then applies 30 Deployments of 5,000 replicas, one
//! each virtual second, and runs as fast as the simulation goes. Stops at a wall-clock cap
//! (`HAKONIWA_BENCH_SCALE_SECONDS`, default 300) and then says how far it got. The cap is looked
//! at between virtual seconds, which the waves keep short (one Deployment of 150,000 made the
//! first second run for minutes: 2026-11-26, after a boot of 143 s). Prints `bench <name> <value> <unit>` lines;
//! nothing here fails on time. `HAKONIWA_BENCH_NODES` and `HAKONIWA_BENCH_PODS` change the size.

use std::time::Instant;

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::store::Selection;
use hakoniwa_core::{bench, Cluster, Duration};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok()).unwrap_or(0.0);
    kib / 1024.0
}

fn main() {
    let nodes = env("HAKONIWA_BENCH_NODES", 5_000);
    let pods = env("HAKONIWA_BENCH_PODS", 150_000);
    let cap = std::time::Duration::from_secs(env("HAKONIWA_BENCH_SCALE_SECONDS", 300) as u64);
    let name = format!("scale_{nodes}_nodes_{pods}_pods");
    let wall = Instant::now();
    let mut c = Cluster::boot(bench::kind_with_workers(nodes), 1, bench::start()).expect("boot");
    println!("bench {name}_boot_ms {:.0} ms", wall.elapsed().as_secs_f64() * 1000.0);

    let waves = pods.div_ceil(5_000);
    let running = |c: &Cluster| c.api_ref().store().list("pods", Some("default"), &Selection::All, None).iter().filter(|p| p.object["status"]["phase"] == "Running").count();
    let mut now_running = 0;
    let mut wave = 0;
    while now_running < pods && wall.elapsed() < cap {
        if wave < waves {
            let replicas = (pods - wave * 5_000).min(5_000);
            let d = bench::deployment(&format!("web-{wave}"), replicas);
            assert_eq!(c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", d)).status, 201);
            wave += 1;
        }
        c.advance(Duration::from_secs(1));
        now_running = running(&c);
    }
    let secs = wall.elapsed().as_secs_f64();
    if now_running == pods {
        println!("bench {name}_ms {:.0} ms", secs * 1000.0);
    } else {
        println!("bench {name}_ms NaN ms (cap of {} s reached)", cap.as_secs());
    }
    println!("bench {name}_running {now_running} pods");
    println!("bench {name}_running_per_s {:.0} pods/s", now_running as f64 / secs);
    println!("bench {name}_peak_rss {:.0} MiB", peak_mib());
}
