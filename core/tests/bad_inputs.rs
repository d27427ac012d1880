#![allow(clippy::unwrap_used)]

//! ../shared/design/BAD_INPUTS.md, the rows about the API server: each bad input gets
//! Kubernetes' own error, nothing is stored, nothing panics.

use hakoniwa_core::apiserver::{Method, Request, Response};
use hakoniwa_core::{Cluster, Timestamp};
use serde_json::{json, Value};

/// A kind cluster booted once per test binary; each test works on its own fork.
fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn cluster() -> Cluster {
    booted()
}

fn send(c: &mut Cluster, req: Request) -> (u16, Value) {
    let r: Response = c.api().handle(&req);
    (r.status, r.into_value().unwrap_or(Value::Null))
}

fn strict(req: Request) -> Request {
    req.with_query("fieldValidation", "Strict")
}

fn pods_in_default(c: &mut Cluster) -> usize {
    let (_, list) = send(c, Request::get("/api/v1/namespaces/default/pods"));
    list["items"].as_array().map_or(0, Vec::len)
}

#[test]
fn row1_get_missing_pod_is_not_found() {
    let mut c = cluster();
    let (code, status) = send(&mut c, Request::get("/api/v1/namespaces/default/pods/nope"));
    assert_eq!(code, 404);
    assert_eq!(
        status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "pods \"nope\" not found",
               "reason": "NotFound", "details": {"name": "nope", "kind": "pods"}, "code": 404})
    );
}

#[test]
fn row2_container_without_image() {
    let mut c = cluster();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}});
    let (code, status) = send(&mut c, strict(Request::post("/api/v1/namespaces/default/pods", pod)));
    assert_eq!(code, 422);
    assert_eq!(status["message"], "Pod \"p\" is invalid: spec.containers[0].image: Required value");
    assert_eq!(status["details"]["causes"], json!([{"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"}]));
    assert_eq!(pods_in_default(&mut c), 0);
}

#[test]
fn row3_bad_name_and_no_image_list_every_cause() {
    let mut c = cluster();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "My_Pod"}, "spec": {"containers": [{"name": "c"}]}});
    let (code, status) = send(&mut c, strict(Request::post("/api/v1/namespaces/default/pods", pod)));
    assert_eq!(code, 422);
    let causes: Vec<(String, String)> = status["details"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["field"].as_str().unwrap().to_string(), c["message"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(causes.len(), 2, "{causes:?}");
    assert_eq!(causes[0].0, "metadata.name");
    assert!(causes[0].1.starts_with("Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain must consist of"));
    assert_eq!(causes[1], ("spec.containers[0].image".into(), "Required value".into()));
    assert!(status["message"].as_str().unwrap().starts_with("Pod \"My_Pod\" is invalid: [metadata.name: Invalid value: \"My_Pod\""));
}

#[test]
fn row4_create_twice_already_exists() {
    let mut c = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1"}});
    assert_eq!(send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm.clone())).0, 201);
    let (code, status) = send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm));
    assert_eq!(code, 409);
    assert_eq!(status["reason"], "AlreadyExists");
    assert_eq!(status["message"], "configmaps \"x\" already exists");
}

#[test]
fn row5_stale_resource_version_conflicts() {
    let mut c = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"a": "1"}});
    let (_, created) = send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm));
    let mut first = created.clone();
    first["data"]["a"] = json!("2");
    assert_eq!(send(&mut c, Request::put("/api/v1/namespaces/default/configmaps/web", first)).0, 200);
    let mut stale = created;
    stale["data"]["a"] = json!("3");
    let (code, status) = send(&mut c, Request::put("/api/v1/namespaces/default/configmaps/web", stale));
    assert_eq!(code, 409);
    assert_eq!(status["message"], "Operation cannot be fulfilled on configmaps \"web\": the object has been modified; please apply your changes to the latest version and try again");
    let (_, now) = send(&mut c, Request::get("/api/v1/namespaces/default/configmaps/web"));
    assert_eq!(now["data"]["a"], "2");
}

#[test]
fn row7_yaml_alias_bomb_is_rejected_quickly() {
    let mut c = cluster();
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-bomb\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = 'a';
    for ch in 'b'..='i' {
        bomb.push_str(&format!("  {ch}: &{ch} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = ch;
    }
    let req = Request::new(Method::Post, "/api/v1/namespaces/default/configmaps").with_bytes("application/yaml", bomb);
    let (code, status) = send(&mut c, req);
    assert_eq!(code, 400);
    assert!(status["message"].as_str().unwrap().contains("excessive aliasing"), "{status}");
    let (_, list) = send(&mut c, Request::get("/api/v1/namespaces/default/configmaps"));
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "only kube-root-ca.crt");
}

#[test]
fn row8_nesting_size_and_configmap_limits() {
    let mut c = cluster();
    let deep = Request::new(Method::Post, "/api/v1/namespaces/default/configmaps").with_bytes("application/json", "[".repeat(1_000_000));
    assert_eq!(send(&mut c, deep).0, 400);
    let huge = Request::new(Method::Post, "/api/v1/namespaces/default/configmaps").with_bytes("application/json", vec![b' '; 3 * 1024 * 1024 + 1]);
    let (code, status) = send(&mut c, huge);
    assert_eq!((code, status["message"].as_str()), (413, Some("Request entity too large: limit is 3145728")));
    let big = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": "x".repeat(1_048_577)}});
    let (code, status) = send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", big));
    assert_eq!(code, 422);
    assert_eq!(status["message"], "ConfigMap \"big\" is invalid: []: Too long: may not be more than 1048576 bytes");
    let flat = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flat"}, "data": {"a": "x".repeat(1_000 * 1024)}});
    assert_eq!(send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", flat)).0, 201);
}

#[test]
fn row10_watch_from_compacted_history_expires() {
    let t = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap();
    let mut api = hakoniwa_core::apiserver::ApiServer::with_store(1, t, hakoniwa_core::store::Store::with_watch_capacity(5));
    api.handle(&Request::post("/api/v1/namespaces", json!({"metadata": {"name": "default"}})));
    for i in 0..10 {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("c{i}")}});
        assert_eq!(api.handle(&Request::post("/api/v1/namespaces/default/configmaps", cm)).status, 201);
    }
    let r = api.handle(&Request::get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1"));
    assert_eq!(r.status, 200);
    let events = r.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "ERROR");
    assert_eq!(events[0]["object"]["code"], 410);
    assert_eq!(events[0]["object"]["reason"], "Expired");
    assert_eq!(events[0]["object"]["message"], "too old resource version: 1 (6)");
    // A re-list then a watch from its resourceVersion loses and duplicates nothing.
    let list = api.call(&Request::get("/api/v1/namespaces/default/configmaps")).unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 10);
    let rv = list["metadata"]["resourceVersion"].as_str().unwrap().to_string();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "later"}});
    api.handle(&Request::post("/api/v1/namespaces/default/configmaps", cm));
    let r = api.handle(&Request::get(&format!("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}")));
    let es = r.events();
    assert_eq!(es.len(), 1);
    assert_eq!((es[0]["type"].as_str(), es[0]["object"]["metadata"]["name"].as_str()), (Some("ADDED"), Some("later")));
}

#[test]
fn row13_removed_apis_are_not_served() {
    let mut c = cluster();
    for path in ["/apis/networking.k8s.io/v1beta1/namespaces/default/ingresses", "/apis/batch/v1beta1/namespaces/default/cronjobs", "/apis/policy/v1beta1/podsecuritypolicies"] {
        let r = c.api().handle(&Request::post(path, json!({})));
        assert_eq!(r.status, 404, "{path}");
    }
    let (code, _) = send(&mut c, Request::get("/apis/batch/v1beta1"));
    assert_eq!(code, 404);
}

#[test]
fn row15_unknown_fields_with_strict_validation() {
    let mut c = cluster();
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replica": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
    let (code, status) = send(&mut c, strict(Request::post("/apis/apps/v1/namespaces/default/deployments", d.clone())));
    assert_eq!(code, 400);
    assert_eq!(status["message"], "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\"");
    // Warn (the server's default) stores the object without the field and says why.
    let r = c.api().handle(&Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    assert_eq!(r.status, 201);
    assert_eq!(r.warnings().collect::<Vec<_>>(), ["299 - \"unknown field \\\"spec.replica\\\"\""]);
    assert!(r.json().unwrap()["spec"].get("replica").is_none());
}

#[test]
fn type_errors_read_like_go() {
    let mut c = cluster();
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": "3"}});
    let (code, status) = send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    assert_eq!(code, 400);
    assert_eq!(status["message"], "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
}

#[test]
fn namespace_lifecycle() {
    let mut c = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    let (code, status) = send(&mut c, Request::post("/api/v1/namespaces/nope/configmaps", cm.clone()));
    assert_eq!((code, status["message"].as_str()), (404, Some("namespaces \"nope\" not found")));
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "doomed"}});
    assert_eq!(send(&mut c, Request::post("/api/v1/namespaces", ns)).0, 201);
    assert_eq!(send(&mut c, Request::delete("/api/v1/namespaces/doomed")).0, 200);
    let (code, status) = send(&mut c, Request::post("/api/v1/namespaces/doomed/configmaps", cm));
    assert_eq!(code, 403);
    assert_eq!(status["message"], "configmaps \"x\" is forbidden: unable to create new content in namespace doomed because it is being terminated");
    let (code, status) = send(&mut c, Request::delete("/api/v1/namespaces/default"));
    assert_eq!((code, status["message"].as_str()), (403, Some("namespaces \"default\" is forbidden: this namespace may not be deleted")));
}

#[test]
fn row9_pod_over_quota_is_forbidden_and_used_is_exact() {
    let mut c = cluster();
    let quota = json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
        "spec": {"hard": {"pods": "1", "requests.cpu": "1", "limits.cpu": "2"}}});
    assert_eq!(send(&mut c, Request::post("/api/v1/namespaces/default/resourcequotas", quota)).0, 201);
    let pod = |name: &str, cpu: &str| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}, "limits": {"cpu": cpu}}}]}})
    };
    assert_eq!(send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("a", "500m"))).0, 201);
    let (_, q) = send(&mut c, Request::get("/api/v1/namespaces/default/resourcequotas/q"));
    assert_eq!(q["status"]["used"], json!({"limits.cpu": "500m", "pods": "1", "requests.cpu": "500m"}));
    let (code, status) = send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("p", "200m")));
    assert_eq!(code, 403);
    assert_eq!(status["message"], "pods \"p\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1");
    let (_, q2) = send(&mut c, Request::get("/api/v1/namespaces/default/resourcequotas/q"));
    assert_eq!(q2["status"]["used"], q["status"]["used"], "used unchanged");
    let no_limits = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "n"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let (code, status) = send(&mut c, Request::post("/api/v1/namespaces/default/pods", no_limits));
    assert_eq!(code, 403);
    assert_eq!(status["message"], "pods \"n\" is forbidden: failed quota: q: must specify limits.cpu for: web; requests.cpu for: web");
    send(&mut c, Request::delete("/api/v1/namespaces/default/pods/a"));
    let (_, q3) = send(&mut c, Request::get("/api/v1/namespaces/default/resourcequotas/q"));
    assert_eq!(q3["status"]["used"], json!({"limits.cpu": "0", "pods": "0", "requests.cpu": "0"}));
}

#[test]
fn duplicate_fields_with_strict_validation() {
    let mut c = cluster();
    let body = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","name":"d"},"data":{"a":"1"}}"#;
    let req = Request::new(Method::Post, "/api/v1/namespaces/default/configmaps?fieldValidation=Strict").with_bytes("application/json", body);
    let (code, status) = send(&mut c, req);
    assert_eq!(code, 400);
    assert_eq!(status["message"], "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"metadata.name\"");
}

#[test]
fn row14_custom_resource_before_and_after_its_crd() {
    let mut c = cluster();
    let mut k = hakoniwa_core::kubectl::Kubectl::new("kind-kind");
    let widget = "apiVersion: toys.example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n";
    let out = k.run(&mut c, "kubectl apply -f -", Some(widget));
    assert_eq!((out.exit, out.text()), (1, "error: resource mapping not found for name: \"w\" namespace: \"\" from \"STDIN\": no matches for kind \"Widget\" in version \"toys.example.com/v1\"\nensure CRDs are installed first\n".to_string()));
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.toys.example.com"},
        "spec": {"group": "toys.example.com", "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer", "maximum": 2}}}}}}}]}});
    let (code, _) = send(&mut c, Request::post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd));
    assert_eq!(code, 201);
    c.settle();
    // Served now, and validated against its schema: nothing stored.
    let out = k.run(&mut c, "kubectl apply -f -", Some(widget));
    assert_eq!((out.exit, out.text()), (1, "The Widget \"w\" is invalid: spec.size: Invalid value: 3: spec.size in body should be less than or equal to 2\n".to_string()));
    let (code, list) = send(&mut c, Request::get("/apis/toys.example.com/v1/namespaces/default/widgets"));
    assert_eq!((code, list["items"].as_array().map_or(99, Vec::len)), (200, 0));
    let out = k.run(&mut c, "kubectl apply -f -", Some(&widget.replace("size: 3", "size: 2")));
    assert_eq!(out.text(), "widget.toys.example.com/w created\n");
}
