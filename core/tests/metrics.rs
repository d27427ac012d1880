//! The metrics pipeline: metrics-server installed from its release URL, the aggregator's
//! availability checks and their reasons, the Metrics API's answers and errors, and
//! `kubectl top` over what the simulated containers use.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::Value;

const URL: &str = "https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml";

fn booted() -> (Cluster, Kubectl) {
    let c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    (c, Kubectl::new("kind-kind"))
}

fn run(c: &mut Cluster, k: &mut Kubectl, line: &str) -> (String, i32) {
    let out = k.run(c, line, None);
    (out.text(), out.exit)
}

fn available(c: &mut Cluster, k: &mut Kubectl) -> String {
    run(c, k, "kubectl get apiservice v1beta1.metrics.k8s.io -o jsonpath={.status.conditions[0].status}/{.status.conditions[0].reason}/{.status.conditions[0].message}").0
}

#[test]
fn top_works_once_metrics_server_is_ready_and_not_before() {
    let (mut c, mut k) = booted();
    assert_eq!(run(&mut c, &mut k, "kubectl top node"), ("error: Metrics API not available\n".into(), 1));
    let (out, code) = run(&mut c, &mut k, &format!("kubectl apply -f {URL}"));
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("apiservice.apiregistration.k8s.io/v1beta1.metrics.k8s.io created\n"), "{out}");
    c.advance(Duration::from_secs(1));
    // The pod is not ready yet: no endpoints, and requests get the aggregator's 503.
    assert_eq!(available(&mut c, &mut k), "False/MissingEndpoints/endpoints for service/metrics-server in \"kube-system\" have no addresses with port name \"https\"");
    assert_eq!(
        run(&mut c, &mut k, "kubectl top pod -A"),
        ("Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods.metrics.k8s.io)\n".into(), 1)
    );
    let resp = c.handle(&Request::get("/apis/metrics.k8s.io/v1beta1/nodes"));
    assert_eq!(resp.status, 503);
    c.advance(Duration::from_secs(40));
    assert_eq!(available(&mut c, &mut k), "True/Passed/all checks passed");
    let (out, code) = run(&mut c, &mut k, "kubectl top node");
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "NAME                 CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   ");
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with("kind-control-plane   "), "{out}");
    // The control plane node runs the API server and etcd: it uses more than a worker.
    let cpu = |l: &str| l.split_whitespace().nth(1).unwrap().trim_end_matches('m').parse::<i64>().unwrap();
    assert!(cpu(lines[1]) > cpu(lines[2]), "{out}");

    // A new pod shows after its containers have run 10 s before a scrape.
    assert_eq!(run(&mut c, &mut k, "kubectl run web --image=nginx:1.27").1, 0);
    c.advance(Duration::from_secs(3));
    assert_eq!(run(&mut c, &mut k, "kubectl top pod"), ("error: metrics not available yet\n".into(), 1));
    assert_eq!(
        run(&mut c, &mut k, "kubectl top pod web"),
        ("Error from server (NotFound): podmetrics.metrics.k8s.io \"default/web\" not found\n".into(), 1)
    );
    c.advance(Duration::from_secs(30));
    let (out, code) = run(&mut c, &mut k, "kubectl top pod web --containers");
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("POD   NAME   CPU(cores)   MEMORY(bytes)   \nweb   web    "), "{out}");
    // What the API says for it: nanocores, binary memory, the scrape's window.
    let m: Value = serde_json::from_slice(&c.handle(&Request::get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web")).body_bytes()).unwrap();
    assert_eq!(m["kind"], "PodMetrics");
    assert_eq!(m["window"], "15s");
    assert!(m["containers"][0]["usage"]["cpu"].as_str().unwrap().ends_with('n'), "{m}");
    let memory = m["containers"][0]["usage"]["memory"].as_str().unwrap();
    assert!(memory.ends_with("Ki") || memory.ends_with("Mi"), "{m}");

    // Metrics follow the backend: scaled to zero, the APIService goes unavailable again.
    assert_eq!(run(&mut c, &mut k, "kubectl scale deployment metrics-server -n kube-system --replicas=0").1, 0);
    c.advance(Duration::from_secs(5));
    assert!(available(&mut c, &mut k).starts_with("False/MissingEndpoints/"));
    assert_eq!(c.handle(&Request::get("/apis/metrics.k8s.io/v1beta1/nodes")).status, 503);
}

#[test]
fn availability_says_what_is_missing() {
    let (mut c, mut k) = booted();
    let apiservice = "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1beta1.metrics.k8s.io\nspec:\n  group: metrics.k8s.io\n  version: v1beta1\n  groupPriorityMinimum: 100\n  versionPriority: 100\n  service:\n    name: metrics-server\n    namespace: kube-system\n";
    assert_eq!(k.run(&mut c, "kubectl apply -f -", Some(apiservice)).exit, 0);
    c.advance(Duration::from_secs(1));
    assert_eq!(available(&mut c, &mut k), "False/ServiceNotFound/service/metrics-server in \"kube-system\" is not present");
    // The port defaults to 443; a Service on another port does not serve it.
    assert_eq!(run(&mut c, &mut k, "kubectl get apiservice v1beta1.metrics.k8s.io -o jsonpath={.spec.service.port}").0, "443");
    assert_eq!(run(&mut c, &mut k, "kubectl create service clusterip metrics-server -n kube-system --tcp=8443:8443").1, 0);
    c.advance(Duration::from_secs(1));
    assert_eq!(available(&mut c, &mut k), "False/ServicePortError/service/metrics-server in \"kube-system\" is not listening on port 443");
    let (table, _) = run(&mut c, &mut k, "kubectl get apiservices");
    assert!(table.contains("v1beta1.metrics.k8s.io   kube-system/metrics-server   False (ServicePortError)"), "{table}");
    // While it exists, discovery lists its group; its resources are unavailable.
    let groups: Value = serde_json::from_slice(&c.handle(&Request::get("/apis")).body_bytes()).unwrap();
    assert_eq!(groups["groups"].as_array().unwrap().last().unwrap()["name"], "metrics.k8s.io");
    assert_eq!(c.handle(&Request::get("/apis/metrics.k8s.io/v1beta1")).status, 503);
    // A backend that does not serve the group fails the discovery check.
    assert_eq!(run(&mut c, &mut k, "kubectl delete service metrics-server -n kube-system").1, 0);
    assert_eq!(run(&mut c, &mut k, "kubectl create deployment metrics-server -n kube-system --image=nginx:1.27 --port=443").1, 0);
    assert_eq!(run(&mut c, &mut k, "kubectl expose deployment metrics-server -n kube-system --port=443 --name=metrics-server").1, 0);
    c.advance(Duration::from_secs(20));
    let got = available(&mut c, &mut k);
    assert!(got.starts_with("False/FailedDiscoveryCheck/failing or missing response from https://10.244."), "{got}");
    assert!(got.ends_with(":443/apis/metrics.k8s.io/v1beta1: 404"), "{got}");
}
