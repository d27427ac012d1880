//! What `make bench` runs in Chromium: core's benchmark scenarios (`hakoniwa_core::bench`) in
//! this wasm, called from JavaScript, which holds the clock (`performance.now()`). They run on
//! their own cluster, beside the playground's.

use std::cell::RefCell;

use hakoniwa_core::bench;
use hakoniwa_core::kubectl::{ApiOnly, Kubectl};
use hakoniwa_core::Cluster;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static CLUSTER: RefCell<Option<Cluster>> = const { RefCell::new(None) };
    static API: RefCell<Option<(ApiOnly, Kubectl)>> = const { RefCell::new(None) };
}

/// Boots the kind preset with `workers` workers; returns its node count.
#[wasm_bindgen]
pub fn bench_boot(workers: u32) -> u32 {
    let c = Cluster::boot(bench::kind_with_workers(workers as usize), 1, bench::start()).ok();
    let nodes = c.as_ref().map_or(0, |c| c.preset().nodes.len() as u32);
    CLUSTER.with(|s| *s.borrow_mut() = c);
    nodes
}

/// On the booted cluster: a Deployment of `replicas`, run until all are ready (at most ten
/// virtual minutes); returns how many are.
#[wasm_bindgen]
pub fn bench_deploy(replicas: u32) -> u32 {
    CLUSTER.with(|s| s.borrow_mut().as_mut().map_or(0, |c| bench::deploy_until_ready(c, replicas as usize, 600) as u32))
}

/// The API server alone with `pods` pods, and a kubectl session that has read its discovery,
/// for [`bench_kubectl`].
#[wasm_bindgen]
pub fn bench_pods(pods: u32) {
    let mut api = bench::api_with_pods(pods as usize);
    let mut k = Kubectl::new("kind-kind");
    let _ = k.run(&mut api, "kubectl version", None);
    API.with(|s| *s.borrow_mut() = Some((api, k)));
}

/// One kubectl command line against [`bench_pods`]'s server; returns the output's length in
/// bytes (0 when it failed).
#[wasm_bindgen]
pub fn bench_kubectl(line: &str) -> u32 {
    API.with(|s| {
        let mut s = s.borrow_mut();
        let Some((api, k)) = s.as_mut() else { return 0 };
        let out = k.run(api, line, None);
        if out.exit == 0 {
            out.text().len() as u32
        } else {
            0
        }
    })
}

/// The wasm heap (linear memory) in bytes.
#[wasm_bindgen]
pub fn bench_heap_bytes() -> f64 {
    wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
}

/// Lets go of what the benchmarks built.
#[wasm_bindgen]
pub fn bench_drop() {
    CLUSTER.with(|s| *s.borrow_mut() = None);
    API.with(|s| *s.borrow_mut() = None);
}
