//! The kubectl emulator over a big cluster: `kubectl get pods -A` (server Table, tabwriter) and
//! `-o name` over 10,000 pods, and `kubectl apply -f -` of 100 documents. Prints `bench <name> <value> <unit>` lines; nothing fails on time.
//! `HAKONIWA_BENCH_PODS` changes the count.

use std::time::Instant;

use hakoniwa_core::apiserver::{ApiServer, Request, Response};
use hakoniwa_core::kubectl::{Kubectl, Transport};
use hakoniwa_core::{Duration, Timestamp};
use serde_json::json;

/// The API server alone (no control loops): the pods stay as created.
struct Server(ApiServer);

impl Transport for Server {
    fn send(&mut self, req: &Request) -> Response {
        self.0.handle(req)
    }
    fn sleep(&mut self, _by: Duration) {}
    fn now(&self) -> Timestamp {
        self.0.now()
    }
}

fn main() {
    let pods: usize = std::env::var("HAKONIWA_BENCH_PODS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let now = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
    let mut api = Server(ApiServer::new(1, now));
    for ns in ["default", "team-a", "team-b", "team-c"] {
        let r = api.0.handle(&Request::post("/api/v1/namespaces", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})));
        assert_eq!(r.status, 201);
        let sa = api.0.handle(&Request::post(&format!("/api/v1/namespaces/{ns}/serviceaccounts"), json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})));
        assert_eq!(sa.status, 201);
    }
    for i in 0..pods {
        let ns = ["default", "team-a", "team-b", "team-c"][i % 4];
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("web-{i:05}"), "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
        let r = api.0.handle(&Request::post(&format!("/api/v1/namespaces/{ns}/pods"), pod));
        assert_eq!(r.status, 201, "{:?}", r.json());
    }
    let mut k = Kubectl::new("kind-kind");
    // Discovery once, as a session would have it.
    let _ = k.run(&mut api, "kubectl version", None);
    for (name, line) in [("get_pods_all", "kubectl get pods -A"), ("get_pods_all_name", "kubectl get pods -A -o name")] {
        let runs = 5;
        let t = Instant::now();
        let mut bytes = 0;
        for _ in 0..runs {
            let out = k.run(&mut api, line, None);
            assert_eq!(out.exit, 0);
            bytes = out.text().len();
        }
        println!("bench kubectl_{name}_ms {:.1} ms ({pods} pods)", t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs));
        println!("bench kubectl_{name}_output {:.1} KiB", bytes as f64 / 1024.0);
    }

    // One file of 100 documents through `kubectl apply -f -`: created, then applied again
    // unchanged.
    let mut docs = Vec::new();
    for i in 0..100 {
        docs.push(match i % 3 {
            0 => format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  namespace: team-a\ndata:\n  level: \"{i}\"\n  mode: fast\n"),
            1 => format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: team-a\nspec:\n  selector:\n    app: app-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n"),
            _ => format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-a\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 50m\n            memory: 64Mi\n"),
        });
    }
    let file = docs.join("---\n");
    for (name, expect) in [("apply_100_docs", " created"), ("apply_100_docs_unchanged", " unchanged")] {
        let t = Instant::now();
        let out = k.run(&mut api, "kubectl apply -f -", Some(&file));
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(out.exit, 0, "{}", out.text());
        assert_eq!(out.text().lines().filter(|l| l.ends_with(expect)).count(), 100, "{}", out.text());
        println!("bench {name}_ms {ms:.1} ms");
    }
}
