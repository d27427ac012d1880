//! The scenarios the benchmarks run, natively (`core/benches`) and in Chromium (the app's
//! `bench_*` exports): the same code in both, so their figures compare. Nothing here times
//! anything; callers hold the clock.

use serde_json::{json, Value};

use crate::apiserver::{ApiServer, Request};
use crate::cluster::Preset;
use crate::kubectl::ApiOnly;
use crate::{Cluster, Duration, Timestamp};

/// When the benchmarks' clusters start.
pub fn start() -> Timestamp {
    Timestamp::from_unix_millis(1_795_000_000_000)
}

/// The kind preset with `workers` worker nodes (the control plane's taint keeps pods off it).
pub fn kind_with_workers(workers: usize) -> Preset {
    let mut p = Preset::builtin("kind").expect("the kind preset is built in");
    p.nodes.truncate(1);
    p.add_workers(workers);
    p
}

/// A Deployment `app` (its pods labelled `app=<app>`) of `replicas` nginx pods with small
/// requests (10m CPU, 16Mi).
pub fn deployment(app: &str, replicas: usize) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": app},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}},
            "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}})
}

/// Creates [`deployment`] `web` in `default` and runs the cluster a virtual second at a time until
/// all its replicas are ready or `max_seconds` have passed; returns how many are ready.
pub fn deploy_until_ready(c: &mut Cluster, replicas: usize, max_seconds: usize) -> usize {
    let resp = c.handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", replicas)));
    if resp.status != 201 {
        return 0;
    }
    let mut ready = 0;
    for _ in 0..max_seconds {
        c.advance(Duration::from_secs(1));
        ready = c.api_ref().store().get("deployments.apps", "default", "web").and_then(|d| d.object["status"]["readyReplicas"].as_u64()).unwrap_or(0) as usize;
        if ready >= replicas {
            break;
        }
    }
    ready
}

/// The API server alone holding `pods` pods over four namespaces (as `kubectl get pods -A`
/// would find them; no control loops move them).
pub fn api_with_pods(pods: usize) -> ApiOnly {
    let mut api = ApiOnly(ApiServer::new(1, start()));
    let namespaces = ["default", "team-a", "team-b", "team-c"];
    for ns in namespaces {
        api.0.handle(&Request::post("/api/v1/namespaces", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})));
        api.0.handle(&Request::post(&format!("/api/v1/namespaces/{ns}/serviceaccounts"), json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})));
    }
    for i in 0..pods {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("web-{i:05}"), "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
        api.0.handle(&Request::post(&format!("/api/v1/namespaces/{}/pods", namespaces[i % 4]), pod));
    }
    api
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenarios_do_what_they_say() {
        let mut c = Cluster::boot(kind_with_workers(2), 1, start()).unwrap();
        assert_eq!(c.preset().nodes.len(), 3);
        assert_eq!(deploy_until_ready(&mut c, 6, 60), 6);
        let api = api_with_pods(8);
        assert_eq!(api.0.store().count("pods", None), 8);
    }
}
