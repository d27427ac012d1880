//! The API server's behaviour through its one door: defaults, allocation, generation,
//! selectors, paging, tables, deletion, discovery.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::Request;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

/// A kind cluster booted once per test binary; each test works on its own fork.
fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn cluster() -> Cluster {
    booted()
}

fn ok(c: &mut Cluster, req: Request) -> Value {
    match c.api().call(&req) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn err(c: &mut Cluster, req: Request) -> String {
    match c.api().call(&req) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e.to_string(),
    }
}

fn table(c: &mut Cluster, path: &str) -> Value {
    ok(c, Request::get(path).with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"))
}

fn deployment(name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}}})
}

#[test]
fn pods_get_the_defaults_and_admission_a_real_server_gives() {
    let mut c = cluster();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let p = ok(&mut c, Request::post("/api/v1/namespaces/default/pods", pod));
    let spec = &p["spec"];
    assert_eq!(spec["restartPolicy"], "Always");
    assert_eq!(spec["serviceAccountName"], "default");
    assert_eq!(spec["serviceAccount"], "default");
    assert_eq!(spec["priority"], 0);
    assert_eq!(spec["containers"][0]["imagePullPolicy"], "Always");
    assert_eq!(spec["tolerations"].as_array().unwrap().len(), 2);
    let vol = spec["volumes"][0]["name"].as_str().unwrap();
    assert!(vol.starts_with("kube-api-access-") && vol.len() == "kube-api-access-".len() + 5);
    assert_eq!(spec["volumes"][0]["projected"]["defaultMode"], 420);
    assert_eq!(spec["containers"][0]["volumeMounts"][0]["mountPath"], "/var/run/secrets/kubernetes.io/serviceaccount");
    assert_eq!(p["status"], json!({"phase": "Pending", "qosClass": "BestEffort"}));
    assert_eq!(p["metadata"]["generation"], 1);
    let t = table(&mut c, "/api/v1/namespaces/default/pods");
    assert_eq!(t["rows"][0]["cells"], json!(["web", "0/1", "Pending", "0", "0s", "<none>", "<none>", "<none>", "<none>"]));
    let missing_sa = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"serviceAccountName": "ghost", "containers": [{"name": "c", "image": "busybox"}]}});
    assert_eq!(
        err(&mut c, Request::post("/api/v1/namespaces/default/pods", missing_sa)),
        "pods \"x\" is forbidden: error looking up service account default/ghost: serviceaccount \"ghost\" not found"
    );
}

#[test]
fn deployments_default_and_count_generations() {
    let mut c = cluster();
    let d = ok(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web")));
    assert_eq!(d["spec"]["strategy"], json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}));
    assert_eq!((d["spec"]["replicas"].as_i64(), d["spec"]["revisionHistoryLimit"].as_i64(), d["spec"]["progressDeadlineSeconds"].as_i64()), (Some(1), Some(10), Some(600)));
    assert_eq!(d["spec"]["template"]["metadata"]["creationTimestamp"], Value::Null);
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(d["metadata"]["generation"], 1);
    assert_eq!(d["status"], json!({}));
    // A status update does not move the generation; a spec change does.
    let mut s = d.clone();
    s["status"] = json!({"replicas": 1, "readyReplicas": 1});
    let after_status = ok(&mut c, Request::put("/apis/apps/v1/namespaces/default/deployments/web/status", s));
    assert_eq!(after_status["metadata"]["generation"], 1);
    let mut scaled = after_status.clone();
    scaled["spec"]["replicas"] = json!(3);
    scaled["status"] = json!({});
    let after_scale = ok(&mut c, Request::put("/apis/apps/v1/namespaces/default/deployments/web", scaled));
    assert_eq!(after_scale["metadata"]["generation"], 2);
    assert_eq!(after_scale["status"]["readyReplicas"], 1, "the main resource cannot change status");
    let t = table(&mut c, "/apis/apps/v1/namespaces/default/deployments");
    assert_eq!(t["rows"][0]["cells"], json!(["web", "1/3", 0, 0, "0s", "web", "nginx:1.27", "app=web"]));
    // The selector may not change.
    let mut moved = after_scale.clone();
    moved["spec"]["selector"] = json!({"matchLabels": {"app": "other"}});
    moved["spec"]["template"]["metadata"]["labels"] = json!({"app": "other"});
    assert!(err(&mut c, Request::put("/apis/apps/v1/namespaces/default/deployments/web", moved)).ends_with(
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"other\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    ));
}

#[test]
fn workload_validation_messages() {
    let mut c = cluster();
    let mut d = deployment("web");
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "other"});
    assert_eq!(
        err(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d)),
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"
    );
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}});
    assert_eq!(
        err(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job)),
        "Job.batch \"j\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
    );
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"}, "spec": {"schedule": "every minute",
        "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}});
    assert_eq!(
        err(&mut c, Request::post("/apis/batch/v1/namespaces/default/cronjobs", cj)),
        "CronJob.batch \"cj\" is invalid: spec.schedule: Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]"
    );
}

#[test]
fn jobs_get_a_generated_selector() {
    let mut c = cluster();
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "perl"}]}}}});
    let j = ok(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job));
    let uid = j["metadata"]["uid"].as_str().unwrap();
    assert_eq!(j["spec"]["selector"], json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}));
    let labels = &j["spec"]["template"]["metadata"]["labels"];
    for (k, v) in [("controller-uid", uid), ("job-name", "pi"), ("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", "pi")] {
        assert_eq!(labels[k], v, "{k}");
        assert_eq!(j["metadata"]["labels"][k], v, "{k}");
    }
    assert_eq!((j["spec"]["completions"].as_i64(), j["spec"]["parallelism"].as_i64(), j["spec"]["backoffLimit"].as_i64()), (Some(1), Some(1), Some(6)));
    let t = table(&mut c, "/apis/batch/v1/namespaces/default/jobs");
    assert_eq!(t["rows"][0]["cells"].as_array().unwrap()[1..4], [json!("Running"), json!("0/1"), json!("")]);
}

#[test]
fn services_get_cluster_ips_and_node_ports() {
    let mut c = cluster();
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]}});
    let s = ok(&mut c, Request::post("/api/v1/namespaces/default/services", svc));
    let ip: std::net::Ipv4Addr = s["spec"]["clusterIP"].as_str().unwrap().parse().unwrap();
    assert_eq!(ip.octets()[..2], [10, 96]);
    assert_eq!(s["spec"]["clusterIPs"], json!([ip.to_string()]));
    assert_eq!(s["spec"]["ports"][0]["targetPort"], 80);
    let np = s["spec"]["ports"][0]["nodePort"].as_i64().unwrap();
    assert!((30000..=32767).contains(&np));
    assert_eq!(s["spec"]["externalTrafficPolicy"], "Cluster");
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
    let taken = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web2"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": np}]}});
    assert_eq!(
        err(&mut c, Request::post("/api/v1/namespaces/default/services", taken)),
        format!("Service \"web2\" is invalid: spec.ports[0].nodePort: Invalid value: {np}: provided port is already allocated")
    );
    let out_of_range = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web3"},
        "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]}});
    assert_eq!(
        err(&mut c, Request::post("/api/v1/namespaces/default/services", out_of_range)),
        "Service \"web3\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    let t = table(&mut c, "/api/v1/namespaces/default/services");
    let rows: Vec<Value> = t["rows"].as_array().unwrap().iter().map(|r| r["cells"].clone()).collect();
    assert_eq!(rows[0], json!(["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "60s", "<none>"]));
    assert_eq!(rows[1], json!(["web", "NodePort", ip.to_string(), "<none>", format!("80:{np}/TCP"), "0s", "app=web"]));
    // Deleting gives the port back.
    ok(&mut c, Request::delete("/api/v1/namespaces/default/services/web"));
    let again = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web4"},
        "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": np}]}});
    assert_eq!(ok(&mut c, Request::post("/api/v1/namespaces/default/services", again))["spec"]["ports"][0]["nodePort"], np);
}

#[test]
fn lists_select_and_page() {
    let mut c = cluster();
    for (i, app) in ["web", "web", "db", "web"].iter().enumerate() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm{i}"), "labels": {"app": app}}});
        ok(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm));
    }
    let web = ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb"));
    assert_eq!(web["kind"], "ConfigMapList");
    assert_eq!(web["items"].as_array().unwrap().len(), 3);
    assert_eq!(web["items"][0]["kind"], "ConfigMap", "items keep their kind (kubectl prints it in -o json)");
    let not_web = ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps?labelSelector=app!%3Dweb"));
    assert_eq!(not_web["items"].as_array().unwrap().len(), 2, "db and kube-root-ca.crt");
    let page1 = ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps?limit=2"));
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    assert_eq!(page1["metadata"]["remainingItemCount"], 3);
    let token = page1["metadata"]["continue"].as_str().unwrap();
    let page2 = ok(&mut c, Request::get(&format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}")));
    let names: Vec<&str> = page2["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cm2", "cm3"]);
    // With a selector: a continue token while another match is left, no remainingItemCount.
    let web1 = ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb&limit=2"));
    assert_eq!(web1["items"].as_array().unwrap().len(), 2);
    assert!(web1["metadata"]["remainingItemCount"].is_null());
    let token = web1["metadata"]["continue"].as_str().unwrap();
    let web2 = ok(&mut c, Request::get(&format!("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb&limit=2&continue={token}")));
    assert_eq!(web2["items"][0]["metadata"]["name"], "cm3");
    assert!(web2["metadata"]["continue"].is_null(), "{web2}");
    let all_web = ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb&limit=3"));
    assert_eq!(all_web["items"].as_array().unwrap().len(), 3);
    assert!(all_web["metadata"]["continue"].is_null(), "nothing matches after the third: {all_web}");
    assert_eq!(
        err(&mut c, Request::get("/api/v1/namespaces/default/configmaps?labelSelector=app+in+web")),
        "unable to parse requirement: found 'web' expected: '('"
    );
    assert_eq!(
        err(&mut c, Request::get("/apis/apps/v1/deployments?fieldSelector=status.replicas%3D1")),
        "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
    );
    assert_eq!(err(&mut c, Request::get("/api/v1/pods?fieldSelector=spec.bogus%3D1")), "field label not supported: spec.bogus");
    let nodes = ok(&mut c, Request::get("/api/v1/nodes?fieldSelector=metadata.name%3Dkind-worker"));
    assert_eq!(nodes["items"].as_array().unwrap().len(), 1);
}

#[test]
fn deletion_waits_for_finalizers() {
    let mut c = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "finalizers": ["example.com/hold"]}});
    ok(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm));
    c.advance(Duration::from_secs(5));
    let deleting = ok(&mut c, Request::delete("/api/v1/namespaces/default/configmaps/held"));
    assert_eq!(deleting["metadata"]["deletionTimestamp"], "2026-11-25T11:00:05Z");
    let mut released = ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps/held"));
    released["metadata"]["finalizers"] = json!([]);
    ok(&mut c, Request::put("/api/v1/namespaces/default/configmaps/held", released));
    assert_eq!(err(&mut c, Request::get("/api/v1/namespaces/default/configmaps/held")), "configmaps \"held\" not found");
}

#[test]
fn discovery_and_version() {
    let mut c = cluster();
    let v = ok(&mut c, Request::get("/version"));
    assert_eq!((v["gitVersion"].as_str(), v["major"].as_str(), v["minor"].as_str()), (Some("v1.33.1"), Some("1"), Some("33")));
    let core = ok(&mut c, Request::get("/api/v1"));
    let pods = core["resources"].as_array().unwrap().iter().find(|r| r["name"] == "pods").unwrap().clone();
    assert_eq!(pods["shortNames"], json!(["po"]));
    assert_eq!(pods["categories"], json!(["all"]));
    let groups = ok(&mut c, Request::get("/apis"));
    assert_eq!(groups["groups"][0]["name"], "apiregistration.k8s.io");
    assert!(groups["groups"].as_array().unwrap().iter().all(|g| g["name"] != "batch" || g["preferredVersion"]["version"] == "v1"));
    assert_eq!(c.api().handle(&Request::get("/apis/batch/v1beta1")).status, 404);
    let r = c.api().handle(&Request::get("/api/v1/foos"));
    assert_eq!((r.status, r.json().unwrap()["message"].as_str()), (404, Some("the server could not find the requested resource")));
    let r = c.api().handle(&Request::get("/nothing"));
    assert_eq!(r.status, 404);
}

#[test]
fn dry_run_stores_nothing() {
    let mut c = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}});
    let r = c.api().handle(&Request::post("/api/v1/namespaces/default/configmaps?dryRun=All", cm));
    assert_eq!(r.status, 201);
    assert_eq!(err(&mut c, Request::get("/api/v1/namespaces/default/configmaps/dry")), "configmaps \"dry\" not found");
    // A delete's dry run may come in its DeleteOptions body, as kubectl sends it.
    ok(&mut c, Request::post("/api/v1/namespaces/default/configmaps", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}})));
    ok(&mut c, Request::delete("/api/v1/namespaces/default/configmaps/kept").with_object(json!({"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]})));
    ok(&mut c, Request::get("/api/v1/namespaces/default/configmaps/kept"));
    // A wrong value is invalid in the words of the request's options kind.
    let bad = err(&mut c, Request::delete("/api/v1/namespaces/default/configmaps/kept").with_object(json!({"dryRun": ["Some"]})));
    assert!(bad.starts_with("DeleteOptions.meta.k8s.io \"\" is invalid: dryRun[0]: Unsupported value: \"Some\""), "{bad}");
    let bad = err(&mut c, Request::put("/api/v1/namespaces/default/configmaps/kept?dryRun=x", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}})));
    assert!(bad.starts_with("UpdateOptions.meta.k8s.io"), "{bad}");
}

#[test]
fn scale_subresource() {
    let mut c = cluster();
    ok(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web")));
    let s = ok(&mut c, Request::get("/apis/apps/v1/namespaces/default/deployments/web/scale"));
    assert_eq!((s["kind"].as_str(), s["apiVersion"].as_str()), (Some("Scale"), Some("autoscaling/v1")));
    assert_eq!(s["spec"]["replicas"], 1);
    assert_eq!(s["status"]["selector"], "app=web");
    let s = ok(&mut c, Request::put("/apis/apps/v1/namespaces/default/deployments/web/scale", json!({"spec": {"replicas": 5}})));
    assert_eq!(s["spec"]["replicas"], 5);
    let d = ok(&mut c, Request::get("/apis/apps/v1/namespaces/default/deployments/web"));
    assert_eq!((d["spec"]["replicas"].as_i64(), d["metadata"]["generation"].as_i64()), (Some(5), Some(2)));
    assert_eq!(
        err(&mut c, Request::put("/apis/apps/v1/namespaces/default/deployments/web/scale", json!({"spec": {"replicas": -1}}))),
        "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    );
}

#[test]
fn binding_eviction_and_logs() {
    let mut c = cluster();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox"}]}});
    ok(&mut c, Request::post("/api/v1/namespaces/default/pods", pod));
    assert_eq!(
        err(&mut c, Request::get("/api/v1/namespaces/default/pods/web/log")),
        "a container name must be specified for pod web, choose one of: [a b]"
    );
    assert_eq!(err(&mut c, Request::get("/api/v1/namespaces/default/pods/web/log?container=a")), "container \"a\" in pod \"web\" is waiting to start: ContainerCreating");
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"apiVersion": "v1", "kind": "Node", "name": "kind-worker"}});
    let r = c.api().handle(&Request::post("/api/v1/namespaces/default/pods/web/binding", binding.clone()));
    assert_eq!(r.status, 201);
    let p = ok(&mut c, Request::get("/api/v1/namespaces/default/pods/web"));
    assert_eq!(p["spec"]["nodeName"], "kind-worker");
    assert_eq!(p["status"]["conditions"][0]["type"], "PodScheduled");
    assert_eq!(err(&mut c, Request::post("/api/v1/namespaces/default/pods/web/binding", binding)), "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"kind-worker\"");
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "keep"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}});
    ok(&mut c, Request::post("/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb));
    // Pending pods are evicted without a look at budgets: let it run first.
    c.advance(Duration::from_secs(10));
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web", "namespace": "default"}});
    let r = c.api().handle(&Request::post("/api/v1/namespaces/default/pods/web/eviction", eviction.clone()));
    assert_eq!(r.status, 429);
    assert_eq!(r.json().unwrap()["message"], "Cannot evict pod as it would violate the pod's disruption budget.");
    ok(&mut c, Request::delete("/apis/policy/v1/namespaces/default/poddisruptionbudgets/keep"));
    let r = c.api().handle(&Request::post("/api/v1/namespaces/default/pods/web/eviction", eviction));
    assert_eq!(r.status, 201);
    // A bound pod is deleted gracefully: it is Terminating until the kubelet lets go.
    let p = ok(&mut c, Request::get("/api/v1/namespaces/default/pods/web"));
    assert!(p["metadata"]["deletionTimestamp"].is_string());
    let t = table(&mut c, "/api/v1/namespaces/default/pods");
    assert_eq!(t["rows"][0]["cells"][2], "Terminating");
}

#[test]
fn namespace_finalize_completes_deletion() {
    let mut c = cluster();
    ok(&mut c, Request::post("/api/v1/namespaces", json!({"metadata": {"name": "gone"}})));
    ok(&mut c, Request::delete("/api/v1/namespaces/gone"));
    let ns = ok(&mut c, Request::get("/api/v1/namespaces/gone"));
    assert_eq!(ns["status"]["phase"], "Terminating");
    let t = table(&mut c, "/api/v1/namespaces");
    assert!(t["rows"].as_array().unwrap().iter().any(|r| r["cells"][0] == "gone" && r["cells"][1] == "Terminating"));
    ok(&mut c, Request::put("/api/v1/namespaces/gone/finalize", json!({"metadata": {"name": "gone"}, "spec": {"finalizers": []}})));
    assert_eq!(err(&mut c, Request::get("/api/v1/namespaces/gone")), "namespaces \"gone\" not found");
}

#[test]
fn versions_that_share_storage_convert() {
    let mut c = cluster();
    let hpa = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 50}});
    let v1 = ok(&mut c, Request::post("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", hpa));
    assert_eq!((v1["apiVersion"].as_str(), v1["spec"]["targetCPUUtilizationPercentage"].as_i64()), (Some("autoscaling/v1"), Some(50)));
    let v2 = ok(&mut c, Request::get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web"));
    assert_eq!(v2["spec"]["metrics"][0]["resource"]["target"], json!({"type": "Utilization", "averageUtilization": 50}));
    let t = table(&mut c, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers");
    assert_eq!(t["rows"][0]["cells"], json!(["web", "Deployment/web", "cpu: <unknown>/50%", "1", 5, 0, "0s"]));
    let ev = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e1"}, "eventTime": "2026-11-25T11:00:00.000000Z",
        "reportingController": "hakoniwa", "reportingInstance": "test", "action": "Test", "reason": "Tested", "type": "Normal", "note": "hello",
        "regarding": {"kind": "Pod", "name": "web", "namespace": "default"}});
    ok(&mut c, Request::post("/apis/events.k8s.io/v1/namespaces/default/events", ev));
    let core = ok(&mut c, Request::get("/api/v1/namespaces/default/events/e1"));
    assert_eq!((core["message"].as_str(), core["involvedObject"]["name"].as_str()), (Some("hello"), Some("web")));
    let list = ok(&mut c, Request::get("/apis/events.k8s.io/v1/namespaces/default/events"));
    assert_eq!(list["items"][0]["note"], "hello");
}

fn patch(kind: &str, path: &str, body: &str) -> Request {
    let ct = match kind {
        "json" => "application/json-patch+json",
        "merge" => "application/merge-patch+json",
        _ => "application/strategic-merge-patch+json",
    };
    Request::new(hakoniwa_core::apiserver::Method::Patch, path).with_bytes(ct, body)
}

#[test]
fn the_three_patch_types() {
    let mut c = cluster();
    ok(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web")));
    let p = "/apis/apps/v1/namespaces/default/deployments/web";
    let d = ok(&mut c, patch("strategic", p, r#"{"metadata":{"labels":{"tier":"front"}},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"},{"name":"side","image":"busybox"}]}}}}"#));
    assert_eq!(d["metadata"]["labels"], json!({"tier": "front"}));
    let containers = d["spec"]["template"]["spec"]["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 2, "merged by name");
    assert_eq!((containers[0]["image"].as_str(), containers[0]["ports"][0]["containerPort"].as_i64()), (Some("nginx:1.28"), Some(80)));
    assert_eq!(containers[1]["imagePullPolicy"], "Always", "the new container is defaulted");
    assert_eq!(d["metadata"]["generation"], 2);
    let d = ok(&mut c, patch("merge", p, r#"{"metadata":{"labels":{"tier":null}}}"#));
    assert!(d["metadata"].get("labels").is_none(), "an emptied map is left out, as Go's omitempty does");
    let d = ok(&mut c, patch("json", p, r#"[{"op":"replace","path":"/spec/replicas","value":4}]"#));
    assert_eq!(d["spec"]["replicas"], 4);
    let r = c.api().handle(&patch("json", p, r#"[{"op":"remove","path":"/spec/nope"}]"#));
    assert_eq!((r.status, r.json().unwrap()["message"].as_str()), (422, Some("the server rejected our request due to an error in our request")));
    let s = ok(&mut c, patch("merge", &format!("{p}/scale"), r#"{"spec":{"replicas":7}}"#));
    assert_eq!(s["spec"]["replicas"], 7);
    let r = c.api().handle(&patch("strategic", p, r#"{"spec":{"replica":1}}"#).with_query("fieldValidation", "Strict"));
    assert_eq!(r.json().unwrap()["message"], "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\"");
    let r = c.api().handle(&Request::new(hakoniwa_core::apiserver::Method::Patch, p).with_bytes("application/apply-patch+yaml", "{}"));
    assert_eq!((r.status, r.json().unwrap()["message"].as_str()), (422, Some("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")));
    let r = c.api().handle(&Request::new(hakoniwa_core::apiserver::Method::Patch, p).with_bytes("text/plain", "{}"));
    assert_eq!(r.status, 415);
    assert_eq!(err(&mut c, patch("merge", "/apis/apps/v1/namespaces/default/deployments/nope", "{}")), "deployments.apps \"nope\" not found");
}

fn apply(path: &str, manager: &str, body: &Value) -> Request {
    Request::new(hakoniwa_core::apiserver::Method::Patch, path)
        .with_bytes("application/apply-patch+yaml", serde_json::to_vec(body).unwrap())
        .with_query("fieldManager", manager)
}

fn managers(obj: &Value) -> Vec<String> {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["manager"].as_str().unwrap(), e["operation"].as_str().unwrap(), e["subresource"].as_str().unwrap_or("")))
        .collect()
}

#[test]
fn server_side_apply_owns_fields_and_reports_conflicts() {
    let mut c = cluster();
    let p = "/apis/apps/v1/namespaces/default/deployments/web";
    let mut d = deployment("web");
    d["spec"]["replicas"] = json!(2);
    // Created by an apply: 201, and only what was applied is owned.
    let r = c.api().handle(&apply(p, "kubectl", &d));
    assert_eq!(r.status, 201);
    let created = r.json().unwrap().clone();
    assert_eq!(managers(&created), vec!["kubectl Apply "]);
    let f = &created["metadata"]["managedFields"][0]["fieldsV1"];
    assert!(f["f:spec"].get("f:strategy").is_none(), "defaults are no one's");
    assert_eq!(f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"]["f:ports"], json!({"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}));
    assert_eq!(created["spec"]["strategy"]["type"], "RollingUpdate", "defaulted after the merge");
    // Another writer takes spec.replicas with a merge patch.
    let req = patch("merge", p, r#"{"spec":{"replicas":3}}"#).with_query("fieldManager", "kubectl-patch");
    let patched = ok(&mut c, req);
    assert_eq!(managers(&patched), vec!["kubectl Apply ", "kubectl-patch Update "]);
    // Applying replicas 2 again conflicts.
    let r = c.api().handle(&apply(p, "kubectl", &d));
    assert_eq!(r.status, 409);
    let status = r.json().unwrap();
    assert_eq!(status["message"], "Apply failed with 1 conflict: conflict with \"kubectl-patch\" using apps/v1: .spec.replicas");
    assert_eq!(status["reason"], "Conflict");
    assert_eq!(status["details"], json!({"causes": [{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-patch\" using apps/v1", "field": ".spec.replicas"}]}));
    // A dry run of the forced apply changes nothing.
    let dry = ok(&mut c, apply(p, "kubectl", &d).with_query("force", "true").with_query("dryRun", "All"));
    assert_eq!(dry["spec"]["replicas"], 2);
    assert_eq!(ok(&mut c, Request::get(p))["spec"]["replicas"], 3);
    // Forced, the field changes hands; the patcher, owning nothing left, goes.
    let forced = ok(&mut c, apply(p, "kubectl", &d).with_query("force", "true"));
    assert_eq!(forced["spec"]["replicas"], 2);
    assert_eq!(managers(&forced), vec!["kubectl Apply "]);
    // A field applied before and no more is removed.
    let mut labelled = d.clone();
    labelled["metadata"]["labels"] = json!({"tier": "web"});
    assert_eq!(ok(&mut c, apply(p, "kubectl", &labelled))["metadata"]["labels"], json!({"tier": "web"}));
    assert!(ok(&mut c, apply(p, "kubectl", &d))["metadata"].get("labels").is_none());
    // Wrong version, managedFields in the configuration.
    let mut v1 = d.clone();
    v1["apiVersion"] = json!("apps/v1beta1");
    assert_eq!(err(&mut c, apply(p, "kubectl", &v1)), "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1");
    // The controllers write under their own managers.
    c.advance(Duration::from_secs(5));
    let live = ok(&mut c, Request::get(p));
    let m = managers(&live);
    assert!(m.contains(&"kube-controller-manager Update status".to_string()), "{m:?}");
}

#[test]
fn an_apply_that_drops_a_keyed_item_removes_it_whole() {
    let mut c = cluster();
    let p = "/apis/apps/v1/namespaces/default/deployments/two";
    let mut d = deployment("two");
    let second = json!({"name": "sidecar", "image": "busybox:1.36", "ports": [{"containerPort": 9000}]});
    d["spec"]["template"]["spec"]["containers"].as_array_mut().unwrap().push(second);
    assert_eq!(c.api().handle(&apply(p, "kubectl", &d)).status, 201);
    d["spec"]["template"]["spec"]["containers"].as_array_mut().unwrap().pop();
    let v = ok(&mut c, apply(p, "kubectl", &d));
    let names: Vec<&str> = v["spec"]["template"]["spec"]["containers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap_or("<none>")).collect();
    assert_eq!(names, ["web"]);
}
