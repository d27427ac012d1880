//! API server throughput at 100,000 objects: create through the one door, list with a label
//! selector, watch the history. Prints `bench <name> <value> <unit>` lines; nothing here
//! fails on time.

use std::time::Instant;

use hakoniwa_core::apiserver::{Request, ResponseBody};
use hakoniwa_core::{Cluster, Timestamp};
use serde_json::json;

const OBJECTS: usize = 100_000;
const NAMESPACES: usize = 10;
const APPS: usize = 100;

fn bench(name: &str, value: f64, unit: &str) {
    println!("bench {name} {value:.0} {unit}");
}

fn main() {
    let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time")).expect("boot");
    for n in 0..NAMESPACES {
        c.api().call(&Request::post("/api/v1/namespaces", json!({"metadata": {"name": format!("ns{n}")}}))).expect("namespace");
        let sa = json!({"metadata": {"name": "default"}});
        c.api().call(&Request::post(&format!("/api/v1/namespaces/ns{n}/serviceaccounts"), sa)).expect("service account");
    }
    let start_rv = c.api_ref().store().resource_version();

    let t = Instant::now();
    for i in 0..OBJECTS {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("pod-{i}"), "labels": {"app": format!("a{}", i % APPS), "tier": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}});
        let r = c.api().handle(&Request::post(&format!("/api/v1/namespaces/ns{}/pods", i % NAMESPACES), pod));
        assert_eq!(r.status, 201);
    }
    let secs = t.elapsed().as_secs_f64();
    bench("apiserver_create_pods_100000_per_s", OBJECTS as f64 / secs, "ops/s");

    let count = |r: &hakoniwa_core::apiserver::Response| match &r.body {
        ResponseBody::List { items, .. } => items.len(),
        _ => 0,
    };
    let t = Instant::now();
    let mut listed = 0;
    let rounds = 200;
    for i in 0..rounds {
        let r = c.api().handle(&Request::get(&format!("/api/v1/pods?labelSelector=app%3Da{}", i % APPS)));
        listed += count(&r);
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(listed, rounds * OBJECTS / APPS);
    bench("apiserver_list_label_selector_1000_of_100000_per_s", rounds as f64 / secs, "lists/s");

    let t = Instant::now();
    let rounds = 20;
    for i in 0..rounds {
        let r = c.api().handle(&Request::get(&format!("/api/v1/namespaces/ns{}/pods?labelSelector=tier%21%3Ddb", i % NAMESPACES)));
        assert_eq!(count(&r), OBJECTS / NAMESPACES);
    }
    let secs = t.elapsed().as_secs_f64();
    bench("apiserver_list_namespace_10000_of_100000_per_s", rounds as f64 / secs, "lists/s");

    let t = Instant::now();
    let r = c.api().handle(&Request::get(&format!("/api/v1/pods?watch=1&resourceVersion={start_rv}")));
    let events = match r.body {
        ResponseBody::Events(es) => es.len(),
        _ => 0,
    };
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(events, OBJECTS);
    bench("apiserver_watch_replay_100000_events_per_s", events as f64 / secs, "events/s");

    let t = Instant::now();
    let r = c.api().handle(&Request::get("/api/v1/pods?limit=500").with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io"));
    assert_eq!(r.status, 200);
    bench("apiserver_table_first_page_500_of_100000_ms", t.elapsed().as_secs_f64() * 1000.0, "ms");
}
