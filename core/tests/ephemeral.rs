//! pods/ephemeralcontainers: what may be added to a running pod, and what the kubelet does
//! with it.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

fn booted() -> Cluster {
    let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
    assert_eq!(c.handle(&Request::post("/api/v1/namespaces/default/pods", pod)).status, 201);
    c.advance(Duration::from_secs(10));
    c
}

fn patch(c: &mut Cluster, containers: Value) -> (u16, Value) {
    let body = serde_json::to_vec(&json!({"spec": {"ephemeralContainers": containers}})).unwrap();
    let req = Request::new(Method::Patch, "/api/v1/namespaces/default/pods/web/ephemeralcontainers").with_bytes("application/strategic-merge-patch+json", body);
    let resp = c.handle(&req);
    (resp.status, serde_json::from_slice(&resp.body_bytes()).unwrap_or(Value::Null))
}

#[test]
fn workload_fields_names_and_targets_are_refused() {
    let mut c = booted();
    let (code, body) = patch(&mut c, json!([{"name": "dbg", "image": "busybox", "ports": [{"containerPort": 80}], "readinessProbe": {"exec": {"command": ["true"]}}, "targetContainerName": "nope", "terminationMessagePolicy": "File"}]));
    assert_eq!(code, 422);
    let causes: Vec<String> = body["details"]["causes"].as_array().unwrap().iter().map(|c| format!("{}: {}", c["field"].as_str().unwrap(), c["message"].as_str().unwrap())).collect();
    assert_eq!(
        causes,
        [
            "spec.ephemeralContainers[0].targetContainerName: Not found: \"nope\"",
            "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
            "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
        ]
    );
    let (code, body) = patch(&mut c, json!([{"name": "web", "image": "busybox", "terminationMessagePolicy": "File"}]));
    assert_eq!(code, 422);
    assert_eq!(body["message"], "Pod \"web\" is invalid: spec.ephemeralContainers[0].name: Duplicate value: \"web\"");
    // Pods are not created with them.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "nginx"}], "ephemeralContainers": [{"name": "e", "image": "busybox"}]}});
    let resp = c.handle(&Request::post("/api/v1/namespaces/default/pods", pod));
    assert_eq!(resp.status, 422);
}

#[test]
fn added_containers_run_stay_unready_and_cannot_be_changed_or_removed() {
    let mut c = booted();
    let (code, pod) = patch(&mut c, json!([{"name": "dbg", "image": "busybox:1.36", "command": ["sleep", "600"], "terminationMessagePolicy": "File"}]));
    assert_eq!(code, 200, "{pod}");
    // Only the ephemeral containers move; defaults apply to them.
    assert_eq!(pod["spec"]["ephemeralContainers"][0]["imagePullPolicy"], "IfNotPresent");
    assert_eq!(pod["spec"]["ephemeralContainers"][0]["terminationMessagePath"], "/dev/termination-log");
    c.advance(Duration::from_secs(10));
    let pod: Value = serde_json::from_slice(&c.handle(&Request::get("/api/v1/namespaces/default/pods/web")).body_bytes()).unwrap();
    let st = &pod["status"]["ephemeralContainerStatuses"][0];
    assert_eq!(st["name"], "dbg");
    assert_eq!(st["ready"], false);
    assert!(st.get("started").is_none(), "{st}");
    assert!(st["state"]["running"].is_object(), "{st}");
    // The pod's own readiness ignores it.
    assert_eq!(pod["status"]["containerStatuses"].as_array().unwrap().len(), 1);
    let (code, body) = patch(&mut c, json!([{"name": "dbg", "image": "busybox:1.37", "command": ["sleep", "600"], "terminationMessagePolicy": "File"}]));
    assert_eq!(code, 422);
    assert!(body["message"].as_str().unwrap().contains("spec.ephemeralContainers[dbg]: Forbidden: existing ephemeral containers \"dbg\" may not be changed"), "{body}");
    let resp = c.handle(&Request::new(Method::Put, "/api/v1/namespaces/default/pods/web/ephemeralcontainers").with_bytes("application/json", serde_json::to_vec(&{
        let mut p = pod.clone();
        p["spec"]["ephemeralContainers"] = json!([]);
        p
    }).unwrap()));
    assert_eq!(resp.status, 422);
    let v: Value = serde_json::from_slice(&resp.body_bytes()).unwrap();
    assert!(v["message"].as_str().unwrap().contains("existing ephemeral containers \"dbg\" may not be removed"), "{v}");
}
