//! The kubectl emulator over a big cluster: `kubectl get pods -A` (server Table, tabwriter) and
//! `-o name` over 10,000 pods, and `kubectl apply -f -` of 100 documents. Prints `bench <name> <value> <unit>` lines; nothing fails on time.
//! `HAKONIWA_BENCH_PODS` changes the count.

use std::time::Instant;

use hakoniwa_core::bench;
use hakoniwa_core::kubectl::Kubectl;

fn main() {
    let pods: usize = std::env::var("HAKONIWA_BENCH_PODS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut api = bench::api_with_pods(pods);
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
