//! The control loops at work: controllers, the scheduler and the kubelets turn what is written
//! into running pods, as a real cluster would — seen through the API, as a user would see it.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
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

fn send(c: &mut Cluster, req: Request) -> Value {
    let resp = c.handle(&req);
    let body: Value = serde_json::from_slice(&resp.body_bytes()).unwrap_or(Value::Null);
    assert!(resp.status < 300, "{} {}: {}", resp.status, req.path, body);
    body
}

fn get(c: &mut Cluster, path: &str) -> Value {
    send(c, Request::get(path))
}

/// The rows of the API server's table for a path, cells as strings.
fn rows(c: &mut Cluster, path: &str) -> Vec<Vec<String>> {
    let t = send(c, Request::get(path).with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io"));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"].as_array().unwrap().iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect())
        .collect()
}

/// Pod rows as `kubectl get pods` shows them: name, ready, status, restarts.
fn pods(c: &mut Cluster, ns: &str) -> Vec<(String, String, String, String)> {
    rows(c, &format!("/api/v1/namespaces/{ns}/pods")).into_iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone())).collect()
}

fn events(c: &mut Cluster, ns: &str) -> Vec<(String, String, String)> {
    let list = get(c, &format!("/api/v1/namespaces/{ns}/events"));
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["involvedObject"]["name"].as_str().unwrap().to_string(), e["reason"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string()))
        .collect()
}

fn deployment(name: &str, image: &str, replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]}}}})
}

fn pod(name: &str, container: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [container]}})
}

fn advance(c: &mut Cluster, secs: i64) {
    c.advance(Duration::from_secs(secs));
}

#[test]
fn a_deployment_becomes_running_ready_pods() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 3)));
    // At once: a ReplicaSet named by the template hash, three pods bound to the workers.
    let rs = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets");
    let rs = &rs["items"][0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"].as_str().unwrap().to_string();
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
    let now = pods(&mut c, "default");
    assert_eq!(now.len(), 3);
    for (name, ready, status, restarts) in &now {
        assert!(name.starts_with(&format!("web-{hash}-")), "{name}");
        assert_eq!((ready.as_str(), status.as_str(), restarts.as_str()), ("0/1", "ContainerCreating", "0"));
    }
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    for p in list["items"].as_array().unwrap() {
        let node = p["spec"]["nodeName"].as_str().unwrap();
        assert!(node == "kind-worker" || node == "kind-worker2", "scheduled onto {node}");
    }
    // Half a minute later every pod runs and is ready, and the Deployment says so.
    advance(&mut c, 30);
    for (_, ready, status, _) in pods(&mut c, "default") {
        assert_eq!((ready.as_str(), status.as_str()), ("1/1", "Running"));
    }
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    assert_eq!(d["status"]["readyReplicas"], 3);
    assert_eq!(d["status"]["availableReplicas"], 3);
    assert_eq!(d["status"]["updatedReplicas"], 3);
    assert_eq!(d["status"]["observedGeneration"], 1);
    let conditions: Vec<(&str, &str, &str)> = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["type"].as_str().unwrap(), x["status"].as_str().unwrap(), x["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(conditions, [("Available", "True", "MinimumReplicasAvailable"), ("Progressing", "True", "NewReplicaSetAvailable")]);
    let row = &rows(&mut c, "/apis/apps/v1/namespaces/default/deployments")[0];
    assert_eq!(&row[..4], ["web", "3/3", "3", "3"]);
    // Each pod's life is told in events, in order.
    let evs = events(&mut c, "default");
    let first_pod = now[0].0.clone();
    let reasons: Vec<&str> = evs.iter().filter(|e| e.0 == first_pod).map(|e| e.1.as_str()).collect();
    assert_eq!(reasons[0], "Scheduled");
    assert!(reasons.ends_with(&["Created", "Started"]), "{reasons:?}");
    assert!(evs.iter().any(|e| e.0 == "web" && e.1 == "ScalingReplicaSet" && e.2 == format!("Scaled up replica set web-{hash} from 0 to 3")), "{evs:?}");
}

#[test]
fn a_service_gets_the_ready_pods_as_endpoints() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 2)));
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 8080, "targetPort": 80}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/services", svc));
    let ep = get(&mut c, "/api/v1/namespaces/default/endpoints/web");
    assert!(ep["subsets"][0]["addresses"].is_null(), "no pod is ready yet: {ep}");
    advance(&mut c, 30);
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let mut ips: Vec<String> = list["items"].as_array().unwrap().iter().map(|p| p["status"]["podIP"].as_str().unwrap().to_string()).collect();
    ips.sort();
    let ep = get(&mut c, "/api/v1/namespaces/default/endpoints/web");
    let mut got: Vec<String> = ep["subsets"][0]["addresses"].as_array().unwrap().iter().map(|a| a["ip"].as_str().unwrap().to_string()).collect();
    got.sort();
    assert_eq!(got, ips);
    assert_eq!(ep["subsets"][0]["ports"][0]["port"], 80);
    let slices = get(&mut c, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb");
    assert_eq!(slices["items"][0]["endpoints"].as_array().unwrap().len(), 2);
    // Scaling down drops an address.
    let patch = br#"{"spec":{"replicas":1}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/deployments/web").with_bytes("application/merge-patch+json", patch));
    advance(&mut c, 40);
    let ep = get(&mut c, "/api/v1/namespaces/default/endpoints/web");
    assert_eq!(ep["subsets"][0]["addresses"].as_array().unwrap().len(), 1, "{ep}");
}

#[test]
fn a_rolling_update_replaces_every_pod_and_keeps_history() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 3)));
    advance(&mut c, 30);
    let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/deployments/web").with_bytes("application/strategic-merge-patch+json", patch));
    advance(&mut c, 120);
    let rs = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets");
    let mut sets: Vec<(String, i64, String)> = rs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap().to_string(), r["spec"]["replicas"].as_i64().unwrap(), r["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str().unwrap().to_string()))
        .collect();
    sets.sort();
    assert_eq!(sets, [("nginx:1.27".to_string(), 0, "1".to_string()), ("nginx:1.28".to_string(), 3, "2".to_string())]);
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "old pods are gone once they stopped");
    assert!(items.iter().all(|p| p["spec"]["containers"][0]["image"] == "nginx:1.28" && p["status"]["phase"] == "Running"));
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
    assert_eq!(d["status"]["updatedReplicas"], 3);
    assert_eq!(d["status"]["availableReplicas"], 3);
}

/// The Deployment's conditions as (type, status, reason), in the order the status lists them.
fn deployment_conditions(d: &Value) -> Vec<(String, String, String)> {
    d["status"]["conditions"].as_array().into_iter().flatten().map(|c| (c["type"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string(), c["reason"].as_str().unwrap().to_string())).collect()
}

fn cond(t: &str, s: &str, r: &str) -> (String, String, String) {
    (t.to_string(), s.to_string(), r.to_string())
}

#[test]
fn a_rolling_update_counts_what_its_replicasets_say() {
    let mut c = cluster();
    let mut d = deployment("web", "nginx:1.27", 4);
    d["spec"]["minReadySeconds"] = json!(10);
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    advance(&mut c, 60);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    // Each condition went last when it changed: Available turned true, then Progressing said
    // the rollout completed.
    assert_eq!(deployment_conditions(&d), [cond("Available", "True", "MinimumReplicasAvailable"), cond("Progressing", "True", "NewReplicaSetAvailable")]);
    let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/deployments/web").with_bytes("application/strategic-merge-patch+json", patch));
    advance(&mut c, 1);
    // Mid-rollout (25% surge: 5 asked of the ReplicaSets, 4 of them available at most), the
    // counts are the ReplicaSets' statuses summed; unavailable is what they are asked for less
    // what is available.
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    let sets = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets");
    let sum = |f: &str| sets["items"].as_array().unwrap().iter().map(|r| r["status"][f].as_i64().unwrap_or(0)).sum::<i64>();
    let asked: i64 = sets["items"].as_array().unwrap().iter().map(|r| r["spec"]["replicas"].as_i64().unwrap()).sum();
    assert_eq!(asked, 5);
    assert_eq!(d["status"]["replicas"].as_i64().unwrap_or(0), sum("replicas"));
    assert_eq!(d["status"]["availableReplicas"].as_i64().unwrap_or(0), sum("availableReplicas"));
    assert_eq!(d["status"]["unavailableReplicas"].as_i64().unwrap_or(0), asked - sum("availableReplicas"));
    assert!(d["status"]["unavailableReplicas"].as_i64().unwrap_or(0) >= 1, "{}", d["status"]);
    assert!(deployment_conditions(&d).contains(&cond("Progressing", "True", "ReplicaSetUpdated")), "{:?}", deployment_conditions(&d));
    advance(&mut c, 120);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    assert_eq!(d["status"]["updatedReplicas"], 4);
    assert_eq!(d["status"]["unavailableReplicas"], Value::Null);
    assert_eq!(deployment_conditions(&d).last(), Some(&cond("Progressing", "True", "NewReplicaSetAvailable")));
}

#[test]
fn a_rollout_that_makes_no_progress_exceeds_its_deadline() {
    let mut c = cluster();
    let mut d = deployment("typo", "ngnix:1.27", 2);
    d["spec"]["progressDeadlineSeconds"] = json!(60);
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    advance(&mut c, 30);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/typo");
    // Its pods were made (progress), and none became available since.
    assert_eq!(deployment_conditions(&d), [cond("Available", "False", "MinimumReplicasUnavailable"), cond("Progressing", "True", "ReplicaSetUpdated")]);
    advance(&mut c, 40);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/typo");
    let progressing = d["status"]["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Progressing").unwrap().clone();
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    let rs = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets")["items"][0]["metadata"]["name"].as_str().unwrap().to_string();
    assert_eq!(progressing["message"], format!("ReplicaSet \"{rs}\" has timed out progressing."));
    // Fixing the image is progress again.
    let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/deployments/typo").with_bytes("application/strategic-merge-patch+json", patch));
    advance(&mut c, 60);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/typo");
    assert_eq!(deployment_conditions(&d), [cond("Available", "True", "MinimumReplicasAvailable"), cond("Progressing", "True", "NewReplicaSetAvailable")]);
}

#[test]
fn a_replicaset_that_cannot_create_pods_says_so_on_its_deployment() {
    let mut c = cluster();
    let quota = json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "few"}, "spec": {"hard": {"pods": "1"}}});
    send(&mut c, Request::post("/api/v1/namespaces/default/resourcequotas", quota));
    advance(&mut c, 1);
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 3)));
    advance(&mut c, 30);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    let failure = d["status"]["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "ReplicaFailure").cloned().unwrap_or(Value::Null);
    assert_eq!(failure["reason"], "FailedCreate", "{}", d["status"]);
    assert!(failure["message"].as_str().unwrap().contains("exceeded quota: few"), "{failure}");
    // Room again: the failure goes.
    send(&mut c, Request::delete("/api/v1/namespaces/default/resourcequotas/few"));
    advance(&mut c, 30);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    assert!(deployment_conditions(&d).iter().all(|c| c.0 != "ReplicaFailure"), "{:?}", deployment_conditions(&d));
    assert_eq!(d["status"]["availableReplicas"], 3);
}

#[test]
fn a_replicaset_creates_500_pods_a_pass_and_the_scheduler_goes_between() {
    let mut c = cluster();
    let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "many"},
        "spec": {"replicas": 1200, "selector": {"matchLabels": {"app": "many"}}, "template": {"metadata": {"labels": {"app": "many"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
    // The reaction to the request may do 1,300 writes: a burst of 500 pods and their events,
    // then the loops after the ReplicaSet's (the scheduler binds some), then the budget is spent.
    c.set_budget(Some(1300));
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/replicasets", rs));
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 500);
    assert!(items.iter().any(|p| p["spec"]["nodeName"].is_string()), "no pod bound between bursts");
    // Unbounded, the rest follow at once, 500 a pass.
    c.set_budget(None);
    advance(&mut c, 1);
    assert_eq!(get(&mut c, "/api/v1/namespaces/default/pods")["items"].as_array().unwrap().len(), 1200);
    // The event correlator: nine Events of their own, then one that combines the rest, whose
    // count stops at the source's burst of 25 writes about the ReplicaSet.
    let list = get(&mut c, "/api/v1/namespaces/default/events");
    let created: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|e| e["involvedObject"]["name"] == "many" && e["reason"] == "SuccessfulCreate").collect();
    assert_eq!(created.len(), 10, "{created:?}");
    let combined: Vec<&&Value> = created.iter().filter(|e| e["message"].as_str().unwrap().starts_with("(combined from similar events): Created pod: many-")).collect();
    assert_eq!(combined.len(), 1);
    assert_eq!(combined[0]["count"], 16);
    assert_eq!(combined[0]["reportingComponent"], "");
    assert!(created.iter().filter(|e| e["count"] == 1 && e["reportingComponent"] == "replicaset-controller").count() == 9);
}

#[test]
fn the_garbage_collector_follows_writes_and_deletes_as_they_come() {
    let mut c = cluster();
    let cm = |name: &str, owner: Option<(&str, &str)>| {
        let mut o = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        if let Some((n, uid)) = owner {
            o["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": n, "uid": uid}]);
        }
        o
    };
    let exists = |c: &mut Cluster, name: &str| c.handle(&Request::get(&format!("/api/v1/namespaces/default/configmaps/{name}"))).status == 200;
    // Passes have run over everything before: what follows is seen as it is written.
    advance(&mut c, 1);
    let a = send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm("owner-a", None)));
    let b = send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm("owner-b", None)));
    let (ua, ub) = (a["metadata"]["uid"].as_str().unwrap().to_string(), b["metadata"]["uid"].as_str().unwrap().to_string());
    send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm("child-a", Some(("owner-a", &ua)))));
    send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm("child-b", Some(("owner-b", &ub)))));
    advance(&mut c, 1);
    assert!(exists(&mut c, "child-a") && exists(&mut c, "child-b"));
    // A dependent written naming an owner that is not there goes.
    send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm("child-x", Some(("owner-x", "0c2a8d9e-0000-4000-8000-000000000000")))));
    advance(&mut c, 1);
    assert!(!exists(&mut c, "child-x"));
    // An owner deleted in the background takes its dependent; one deleted orphaning leaves its
    // dependent without the reference.
    send(&mut c, Request::delete("/api/v1/namespaces/default/configmaps/owner-a"));
    send(&mut c, Request::delete("/api/v1/namespaces/default/configmaps/owner-b?propagationPolicy=Orphan"));
    advance(&mut c, 1);
    assert!(!exists(&mut c, "child-a"));
    let child_b = get(&mut c, "/api/v1/namespaces/default/configmaps/child-b");
    assert_eq!(child_b["metadata"]["ownerReferences"], Value::Null);
    assert!(!exists(&mut c, "owner-b"));
}

#[test]
fn deleting_a_deployment_takes_its_replicasets_and_pods() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 2)));
    advance(&mut c, 30);
    send(&mut c, Request::delete("/apis/apps/v1/namespaces/default/deployments/web"));
    assert_eq!(get(&mut c, "/apis/apps/v1/namespaces/default/replicasets")["items"], json!([]));
    // The pods are terminating: nginx stops promptly on SIGTERM.
    let terminating = pods(&mut c, "default");
    assert_eq!(terminating.len(), 2);
    assert!(terminating.iter().all(|p| p.2 == "Terminating"), "{terminating:?}");
    advance(&mut c, 5);
    assert_eq!(pods(&mut c, "default"), []);
}

#[test]
fn an_image_that_does_not_exist_backs_off() {
    let mut c = cluster();
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("typo", json!({"name": "app", "image": "ngnix:1.27"}))));
    advance(&mut c, 3);
    assert_eq!(pods(&mut c, "default")[0].2, "ErrImagePull");
    advance(&mut c, 30);
    assert_eq!(pods(&mut c, "default")[0].2, "ImagePullBackOff");
    let p = get(&mut c, "/api/v1/namespaces/default/pods/typo");
    let waiting = &p["status"]["containerStatuses"][0]["state"]["waiting"];
    assert_eq!(waiting["reason"], "ImagePullBackOff");
    assert_eq!(waiting["message"], "Back-off pulling image \"ngnix:1.27\": ErrImagePull: Failed to pull image \"ngnix:1.27\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/ngnix:1.27\": failed to resolve reference \"docker.io/library/ngnix:1.27\": docker.io/library/ngnix:1.27: not found");
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "BackOff" && e.2 == "Back-off pulling image \"ngnix:1.27\""));
}

#[test]
fn a_crashing_container_goes_into_crash_loop_back_off() {
    let mut c = cluster();
    let ct = json!({"name": "app", "image": "busybox", "command": ["sh", "-c", "echo starting; exit 3"]});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("crash", ct)));
    advance(&mut c, 5);
    let p = get(&mut c, "/api/v1/namespaces/default/pods/crash");
    let cs = &p["status"]["containerStatuses"][0];
    assert!(cs["restartCount"].as_i64().unwrap() >= 1, "{cs}");
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 3);
    assert_eq!(cs["lastState"]["terminated"]["reason"], "Error");
    advance(&mut c, 60);
    let (_, ready, status, restarts) = pods(&mut c, "default").remove(0);
    assert_eq!((ready.as_str(), status.as_str()), ("0/1", "CrashLoopBackOff"));
    let n: i64 = restarts.split(' ').next().unwrap().parse().unwrap();
    // Back-off of 10 s, 20 s, 40 s: a few restarts in a minute, not dozens.
    assert!((2..=4).contains(&n), "{restarts}");
    let logs = c.handle(&Request::get("/api/v1/namespaces/default/pods/crash/log"));
    assert_eq!(String::from_utf8(logs.body_bytes()).unwrap(), "starting\n");
    let previous = c.handle(&Request::get("/api/v1/namespaces/default/pods/crash/log?previous=true"));
    assert_eq!(String::from_utf8(previous.body_bytes()).unwrap(), "starting\n");
    let p = get(&mut c, "/api/v1/namespaces/default/pods/crash");
    let cs = &p["status"]["containerStatuses"][0];
    assert_eq!(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
    // The container that exited last is the one `lastState` and `containerID` name.
    assert_eq!(cs["lastState"]["terminated"]["containerID"], cs["containerID"]);
}

#[test]
fn a_pod_that_fits_nowhere_stays_pending_with_the_schedulers_reason() {
    let mut c = cluster();
    let ct = json!({"name": "big", "image": "nginx", "resources": {"requests": {"cpu": "100"}}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("big", ct)));
    advance(&mut c, 1);
    assert_eq!(pods(&mut c, "default")[0].2, "Pending");
    let p = get(&mut c, "/api/v1/namespaces/default/pods/big");
    let cond = &p["status"]["conditions"][0];
    assert_eq!(cond["type"], "PodScheduled");
    assert_eq!(cond["status"], "False");
    assert_eq!(cond["reason"], "Unschedulable");
    let msg = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    assert_eq!(cond["message"], msg);
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "FailedScheduling" && e.2 == msg));
}

#[test]
fn a_pod_that_completes_is_completed() {
    let mut c = cluster();
    let mut p = pod("once", json!({"name": "app", "image": "busybox", "command": ["sh", "-c", "echo hello"]}));
    p["spec"]["restartPolicy"] = json!("Never");
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 10);
    let (_, ready, status, restarts) = pods(&mut c, "default").remove(0);
    assert_eq!((ready.as_str(), status.as_str(), restarts.as_str()), ("0/1", "Completed", "0"));
    let p = get(&mut c, "/api/v1/namespaces/default/pods/once");
    assert_eq!(p["status"]["phase"], "Succeeded");
    assert_eq!(p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 0);
}

#[test]
fn a_deleted_namespace_is_emptied_then_removed() {
    let mut c = cluster();
    send(&mut c, Request::post("/api/v1/namespaces", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})));
    // The controllers give a new namespace its ServiceAccount and root CA at once.
    get(&mut c, "/api/v1/namespaces/team/serviceaccounts/default");
    get(&mut c, "/api/v1/namespaces/team/configmaps/kube-root-ca.crt");
    send(&mut c, Request::post("/apis/apps/v1/namespaces/team/deployments", deployment("web", "nginx", 1)));
    advance(&mut c, 20);
    send(&mut c, Request::delete("/api/v1/namespaces/team"));
    advance(&mut c, 10);
    let resp = c.handle(&Request::get("/api/v1/namespaces/team"));
    assert_eq!(resp.status, 404);
}

/// Everything a cluster holds, as text, to compare two runs.
fn dump(c: &mut Cluster) -> String {
    let mut out = String::new();
    for path in ["/api/v1/pods", "/apis/apps/v1/replicasets", "/api/v1/events", "/api/v1/endpoints"] {
        out.push_str(&get(c, path)["items"].to_string());
    }
    out
}

#[test]
fn the_same_seed_and_steps_give_the_same_cluster() {
    let run = || {
        let mut c = cluster();
        send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 4)));
        advance(&mut c, 7);
        send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("crash", json!({"name": "a", "image": "hakoniwa/crash"}))));
        advance(&mut c, 90);
        dump(&mut c)
    };
    assert_eq!(run(), run());
}

fn job(name: &str, spec: Value) -> Value {
    let mut j = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "echo working; sleep 5"]}]}}}});
    for (k, v) in spec.as_object().unwrap() {
        j["spec"][k] = v.clone();
    }
    j
}

fn conditions(obj: &Value) -> Vec<(String, String)> {
    obj["status"]["conditions"].as_array().into_iter().flatten().map(|x| (x["type"].as_str().unwrap().to_string(), x["reason"].as_str().unwrap_or_default().to_string())).collect()
}

#[test]
fn a_job_runs_its_completions_parallelism_at_a_time() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("multi", json!({"completions": 5, "parallelism": 2}))));
    assert_eq!(pods(&mut c, "default").len(), 2);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/multi");
    assert_eq!(j["status"]["active"], 2);
    assert_eq!(j["status"]["ready"], 0);
    assert_eq!(j["status"]["uncountedTerminatedPods"], json!({}));
    let p = &get(&mut c, "/api/v1/namespaces/default/pods")["items"][0];
    assert_eq!(p["metadata"]["finalizers"], json!(["batch.kubernetes.io/job-tracking"]));
    assert_eq!(p["metadata"]["labels"]["batch.kubernetes.io/job-name"], "multi");
    // Each pod takes about seven seconds (pull, start, five seconds of work).
    advance(&mut c, 8);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/multi");
    assert_eq!(j["status"]["succeeded"], 2, "{}", j["status"]);
    assert_eq!(j["status"]["active"], 2);
    advance(&mut c, 30);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/multi");
    assert_eq!(j["status"]["succeeded"], 5);
    assert!(j["status"]["active"].is_null());
    assert_eq!(conditions(&j), [("SuccessCriteriaMet".to_string(), "CompletionsReached".to_string()), ("Complete".to_string(), "CompletionsReached".to_string())]);
    assert!(j["status"]["completionTime"].is_string());
    let row = &rows(&mut c, "/apis/batch/v1/namespaces/default/jobs")[0];
    assert_eq!(&row[..3], ["multi", "Complete", "5/5"]);
    // The finished pods stay, counted, without the finalizer.
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|p| p["status"]["phase"] == "Succeeded" && p["metadata"]["finalizers"].is_null()));
    let evs = events(&mut c, "default");
    assert!(evs.iter().any(|e| e.0 == "multi" && e.1 == "Completed" && e.2 == "Job completed"));
    assert_eq!(evs.iter().filter(|e| e.0 == "multi" && e.1 == "SuccessfulCreate").count(), 5);
}

#[test]
fn a_failing_job_backs_off_and_stops_at_its_limit() {
    let mut c = cluster();
    let spec = json!({"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}});
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("fail", spec)));
    advance(&mut c, 5);
    // One failure: the next pod waits 10 s.
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/fail");
    assert_eq!(j["status"]["failed"], 1, "{}", j["status"]);
    assert!(j["status"]["active"].is_null());
    advance(&mut c, 10);
    assert_eq!(get(&mut c, "/apis/batch/v1/namespaces/default/jobs/fail")["status"]["failed"], 2);
    advance(&mut c, 60);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/fail");
    assert_eq!(j["status"]["failed"], 3);
    assert_eq!(conditions(&j), [("FailureTarget".to_string(), "BackoffLimitExceeded".to_string()), ("Failed".to_string(), "BackoffLimitExceeded".to_string())]);
    assert!(j["status"]["completionTime"].is_null());
    assert_eq!(pods(&mut c, "default").len(), 3);
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "BackoffLimitExceeded" && e.2 == "Job has reached the specified backoff limit"));
    assert_eq!(rows(&mut c, "/apis/batch/v1/namespaces/default/jobs")[0][1], "Failed");
}

#[test]
fn a_job_past_its_deadline_fails_and_its_pods_go() {
    let mut c = cluster();
    let spec = json!({"activeDeadlineSeconds": 20, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]}}});
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("slow", spec)));
    advance(&mut c, 19);
    assert!(conditions(&get(&mut c, "/apis/batch/v1/namespaces/default/jobs/slow")).is_empty());
    advance(&mut c, 40);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/slow");
    assert_eq!(conditions(&j).last().unwrap(), &("Failed".to_string(), "DeadlineExceeded".to_string()));
    assert_eq!(pods(&mut c, "default"), [], "the pod was deleted and, counted, let go");
}

#[test]
fn an_indexed_job_gives_each_pod_its_index() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("idx", json!({"completions": 3, "parallelism": 3, "completionMode": "Indexed"}))));
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let mut names: Vec<String> = list["items"].as_array().unwrap().iter().map(|p| p["spec"]["hostname"].as_str().unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, ["idx-0", "idx-1", "idx-2"]);
    let p = &list["items"][0];
    let i = p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"].as_str().unwrap();
    assert!(p["metadata"]["name"].as_str().unwrap().starts_with(&format!("idx-{i}-")));
    assert_eq!(p["spec"]["containers"][0]["env"][0]["name"], "JOB_COMPLETION_INDEX");
    advance(&mut c, 30);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/idx");
    assert_eq!(j["status"]["completedIndexes"], "0-2");
    assert_eq!(j["status"]["succeeded"], 3);
}

#[test]
fn a_finished_job_with_a_ttl_is_deleted_with_its_pods() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("short", json!({"ttlSecondsAfterFinished": 30}))));
    advance(&mut c, 20);
    assert_eq!(conditions(&get(&mut c, "/apis/batch/v1/namespaces/default/jobs/short")).len(), 2);
    advance(&mut c, 40);
    assert_eq!(c.handle(&Request::get("/apis/batch/v1/namespaces/default/jobs/short")).status, 404);
    assert_eq!(pods(&mut c, "default"), []);
}

#[test]
fn a_suspended_job_starts_nothing_until_resumed() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("later", json!({"suspend": true}))));
    assert_eq!(pods(&mut c, "default"), []);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/later");
    assert_eq!(conditions(&j), [("Suspended".to_string(), "JobSuspended".to_string())]);
    assert!(j["status"]["startTime"].is_null());
    let patch = br#"{"spec":{"suspend":false}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/batch/v1/namespaces/default/jobs/later").with_bytes("application/merge-patch+json", patch));
    assert_eq!(pods(&mut c, "default").len(), 1);
    advance(&mut c, 20);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/later");
    let kinds: Vec<String> = conditions(&j).into_iter().map(|(t, _)| t).collect();
    assert_eq!(kinds, ["Suspended", "SuccessCriteriaMet", "Complete"]);
}

fn cronjob(name: &str, schedule: &str, extra: Value) -> Value {
    let mut cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "date; sleep 10"]}]}}}}}});
    for (k, v) in extra.as_object().unwrap() {
        cj["spec"][k] = v.clone();
    }
    cj
}

fn job_names(c: &mut Cluster) -> Vec<String> {
    let list = get(c, "/apis/batch/v1/namespaces/default/jobs");
    let mut names: Vec<String> = list["items"].as_array().unwrap().iter().map(|j| j["metadata"]["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

#[test]
fn a_cronjob_starts_a_job_each_minute_and_keeps_three() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/cronjobs", cronjob("tick", "*/1 * * * *", json!({}))));
    assert_eq!(job_names(&mut c), Vec::<String>::new());
    // 11:00:00 is when it was created; the first run is at 11:01.
    advance(&mut c, 61);
    let minute = Timestamp::parse_rfc3339("2026-11-25T11:01:00Z").unwrap().unix_millis() / 60_000;
    assert_eq!(job_names(&mut c), [format!("tick-{minute}")]);
    let j = get(&mut c, &format!("/apis/batch/v1/namespaces/default/jobs/tick-{minute}"));
    assert_eq!(j["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2026-11-25T11:01:00Z");
    assert_eq!(j["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    let cj = get(&mut c, "/apis/batch/v1/namespaces/default/cronjobs/tick");
    assert_eq!(cj["status"]["lastScheduleTime"], "2026-11-25T11:01:00Z");
    assert_eq!(cj["status"]["active"][0]["name"], format!("tick-{minute}"));
    advance(&mut c, 6 * 60);
    // Six runs have finished or are running; three successful ones are kept.
    let names = job_names(&mut c);
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names.last().unwrap(), &format!("tick-{}", minute + 6));
    let cj = get(&mut c, "/apis/batch/v1/namespaces/default/cronjobs/tick");
    assert!(cj["status"]["lastSuccessfulTime"].is_string());
    let evs = events(&mut c, "default");
    assert!(evs.iter().any(|e| e.0 == "tick" && e.1 == "SawCompletedJob" && e.2 == format!("Saw completed job: tick-{minute}, status: Complete")));
    assert!(evs.iter().any(|e| e.0 == "tick" && e.1 == "SuccessfulDelete" && e.2 == format!("Deleted job tick-{minute}")));
}

#[test]
fn forbid_skips_a_run_while_one_is_active_and_suspend_stops_them() {
    let mut c = cluster();
    let mut cj = cronjob("slow", "*/1 * * * *", json!({"concurrencyPolicy": "Forbid"}));
    cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"] = json!(["sleep", "90"]);
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/cronjobs", cj));
    advance(&mut c, 125);
    assert_eq!(job_names(&mut c).len(), 1);
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "JobAlreadyActive"));
    let patch = br#"{"spec":{"suspend":true}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/batch/v1/namespaces/default/cronjobs/slow").with_bytes("application/merge-patch+json", patch));
    let before = job_names(&mut c).len();
    advance(&mut c, 300);
    assert_eq!(job_names(&mut c).len(), before);
}

fn daemonset(name: &str, image: &str, tolerations: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}},
            "spec": {"tolerations": tolerations, "containers": [{"name": "agent", "image": image}]}}}})
}

fn pods_by_node(c: &mut Cluster) -> Vec<(String, String, String)> {
    let list = get(c, "/api/v1/namespaces/default/pods");
    let mut out: Vec<(String, String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["spec"]["nodeName"].as_str().unwrap_or_default().to_string(), p["spec"]["containers"][0]["image"].as_str().unwrap().to_string(), if p["metadata"]["deletionTimestamp"].is_string() { "Terminating".to_string() } else { p["status"]["phase"].as_str().unwrap_or_default().to_string() }))
        .collect();
    out.sort();
    out
}

#[test]
fn a_daemonset_runs_one_pod_per_node_it_tolerates() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/daemonsets", daemonset("agent", "nginx:1.27", json!([]))));
    advance(&mut c, 20);
    let placed: Vec<String> = pods_by_node(&mut c).into_iter().map(|p| p.0).collect();
    assert_eq!(placed, ["kind-worker", "kind-worker2"], "the control plane's NoSchedule taint is not tolerated");
    let ds = get(&mut c, "/apis/apps/v1/namespaces/default/daemonsets/agent");
    assert_eq!(ds["status"]["desiredNumberScheduled"], 2);
    assert_eq!(ds["status"]["numberReady"], 2);
    assert_eq!(ds["status"]["numberAvailable"], 2);
    let row = &rows(&mut c, "/apis/apps/v1/namespaces/default/daemonsets")[0];
    assert_eq!(&row[..6], ["agent", "2", "2", "2", "2", "2"]);
    let p = &get(&mut c, "/api/v1/namespaces/default/pods")["items"][0];
    let field = &p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchFields"][0];
    assert_eq!(field["key"], "metadata.name");
    assert!(p["spec"]["tolerations"].as_array().unwrap().iter().any(|t| t["key"] == "node.kubernetes.io/unschedulable"));
    // Tolerating the control plane's taint puts a pod there too.
    let patch = br#"{"spec":{"template":{"spec":{"tolerations":[{"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"}]}}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/daemonsets/agent").with_bytes("application/merge-patch+json", patch));
    advance(&mut c, 60);
    let placed: Vec<String> = pods_by_node(&mut c).into_iter().map(|p| p.0).collect();
    assert_eq!(placed, ["kind-control-plane", "kind-worker", "kind-worker2"]);
    let revs = get(&mut c, "/apis/apps/v1/namespaces/default/controllerrevisions");
    assert_eq!(revs["items"].as_array().unwrap().len(), 2);
}

/// A DaemonSet `agent` on nginx:1.27, running on every node, then its image changed to 1.28.
fn daemonset_rolled_to_1_28(c: &mut Cluster) {
    send(c, Request::post("/apis/apps/v1/namespaces/default/daemonsets", daemonset("agent", "nginx:1.27", json!([]))));
    advance(c, 20);
    let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"agent","image":"nginx:1.28"}]}}}}"#.to_vec();
    send(c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/daemonsets/agent").with_bytes("application/strategic-merge-patch+json", patch));
}

#[test]
fn a_daemonset_rolls_out_node_by_node() {
    let mut c = cluster();
    daemonset_rolled_to_1_28(&mut c);
    // maxUnavailable 1: one node at a time.
    let images: Vec<String> = pods_by_node(&mut c).into_iter().filter(|p| p.2 == "Running").map(|p| p.1).collect();
    assert_eq!(images, ["nginx:1.27"], "{:?}", pods_by_node(&mut c));
    advance(&mut c, 60);
    let now: Vec<(String, String, String)> = pods_by_node(&mut c);
    assert_eq!(now.len(), 2);
    assert!(now.iter().all(|p| p.1 == "nginx:1.28" && p.2 == "Running"), "{now:?}");
    assert_eq!(get(&mut c, "/apis/apps/v1/namespaces/default/daemonsets/agent")["status"]["updatedNumberScheduled"], 2);
}

fn statefulset(name: &str, replicas: i64, extra: Value) -> Value {
    let mut s = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
        "spec": {"serviceName": name, "replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "db", "image": "nginx:1.27",
                "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 3}}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}});
    for (k, v) in extra.as_object().unwrap() {
        s["spec"][k] = v.clone();
    }
    s
}

fn pod_names(c: &mut Cluster) -> Vec<String> {
    pods(c, "default").into_iter().map(|p| p.0).collect()
}

#[test]
fn a_statefulset_starts_its_pods_in_order_with_their_claims() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/statefulsets", statefulset("db", 3, json!({}))));
    assert_eq!(pod_names(&mut c), ["db-0"]);
    let p = get(&mut c, "/api/v1/namespaces/default/pods/db-0");
    assert_eq!(p["spec"]["hostname"], "db-0");
    assert_eq!(p["spec"]["subdomain"], "db");
    assert_eq!(p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "db-0");
    assert_eq!(p["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "0");
    let volume = p["spec"]["volumes"].as_array().unwrap().iter().find(|v| v["name"] == "data").unwrap().clone();
    assert_eq!(volume["persistentVolumeClaim"]["claimName"], "data-db-0");
    get(&mut c, "/api/v1/namespaces/default/persistentvolumeclaims/data-db-0");
    // db-1 waits until db-0 is Running and Ready.
    advance(&mut c, 2);
    assert_eq!(pod_names(&mut c), ["db-0"]);
    advance(&mut c, 30);
    assert_eq!(pod_names(&mut c), ["db-0", "db-1", "db-2"]);
    let s = get(&mut c, "/apis/apps/v1/namespaces/default/statefulsets/db");
    assert_eq!(s["status"]["readyReplicas"], 3);
    assert_eq!(s["status"]["currentRevision"], s["status"]["updateRevision"]);
    assert_eq!(rows(&mut c, "/apis/apps/v1/namespaces/default/statefulsets")[0][1], "3/3");
    let evs = events(&mut c, "default");
    let mine: Vec<&str> = evs.iter().filter(|e| e.0 == "db").map(|e| e.2.as_str()).collect();
    assert!(mine.contains(&"create Claim data-db-0 Pod db-0 in StatefulSet db success"), "{mine:?}");
    assert!(mine.contains(&"create Pod db-2 in StatefulSet db successful"));
    // Scaling down removes the highest ordinal first and keeps the claims.
    let patch = br#"{"spec":{"replicas":1}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/statefulsets/db").with_bytes("application/merge-patch+json", patch));
    let now = pods(&mut c, "default");
    assert_eq!(now.iter().filter(|p| p.2 == "Terminating").map(|p| p.0.as_str()).collect::<Vec<_>>(), ["db-2"]);
    advance(&mut c, 30);
    assert_eq!(pod_names(&mut c), ["db-0"]);
    assert_eq!(get(&mut c, "/api/v1/namespaces/default/persistentvolumeclaims")["items"].as_array().unwrap().len(), 3);
}

#[test]
fn a_statefulset_updates_from_the_highest_ordinal_down_to_the_partition() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/statefulsets", statefulset("db", 3, json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}}))));
    advance(&mut c, 40);
    let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"db","image":"nginx:1.28"}]}}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/statefulsets/db").with_bytes("application/strategic-merge-patch+json", patch));
    advance(&mut c, 90);
    let images: Vec<(String, String)> = get(&mut c, "/api/v1/namespaces/default/pods")["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["metadata"]["name"].as_str().unwrap().to_string(), p["spec"]["containers"][0]["image"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(images, [("db-0".to_string(), "nginx:1.27".to_string()), ("db-1".to_string(), "nginx:1.28".to_string()), ("db-2".to_string(), "nginx:1.28".to_string())]);
    let s = get(&mut c, "/apis/apps/v1/namespaces/default/statefulsets/db");
    assert_eq!(s["status"]["updatedReplicas"], 2);
    assert_ne!(s["status"]["currentRevision"], s["status"]["updateRevision"]);
}

#[test]
fn a_parallel_statefulset_starts_every_pod_at_once() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/statefulsets", statefulset("web", 3, json!({"podManagementPolicy": "Parallel"}))));
    assert_eq!(pod_names(&mut c), ["web-0", "web-1", "web-2"]);
}

fn exec(c: &mut Cluster, pod: &str, argv: &[&str]) -> (String, i64) {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let out = c.exec("default", pod, None, &argv, false).unwrap();
    (out.output, out.code)
}

fn ready_of(c: &mut Cluster, pod: &str) -> (String, String, String) {
    let row = pods(c, "default").into_iter().find(|p| p.0 == pod).unwrap();
    (row.1, row.2, row.3)
}

#[test]
fn health_checks_follow_the_containers_files() {
    let mut c = cluster();
    // The guide's sample-healthcheck: liveness over HTTP, readiness by a file's presence.
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sample-healthcheck"}, "spec": {"containers": [{
        "name": "nginx-container", "image": "nginx:1.16",
        "livenessProbe": {"httpGet": {"path": "/index.html", "port": 80, "scheme": "HTTP"}, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 2, "initialDelaySeconds": 5, "periodSeconds": 3},
        "readinessProbe": {"exec": {"command": ["ls", "/usr/share/nginx/html/50x.html"]}, "timeoutSeconds": 1, "successThreshold": 2, "failureThreshold": 1, "initialDelaySeconds": 5, "periodSeconds": 3}}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 6);
    assert_eq!(ready_of(&mut c, "sample-healthcheck").0, "0/1", "one success is not enough for successThreshold 2");
    advance(&mut c, 6);
    assert_eq!(ready_of(&mut c, "sample-healthcheck"), ("1/1".into(), "Running".into(), "0".into()));
    // Removing the file fails readiness at its next attempt (failureThreshold 1).
    assert_eq!(exec(&mut c, "sample-healthcheck", &["rm", "-f", "/usr/share/nginx/html/50x.html"]), (String::new(), 0));
    advance(&mut c, 4);
    assert_eq!(ready_of(&mut c, "sample-healthcheck"), ("0/1".into(), "Running".into(), "0".into()));
    let evs = events(&mut c, "default");
    assert!(evs.iter().any(|e| e.1 == "Unhealthy" && e.2 == "Readiness probe failed: ls: cannot access '/usr/share/nginx/html/50x.html': No such file or directory\n"), "{evs:?}");
    // Removing the page fails liveness twice, and the container is replaced with fresh files.
    exec(&mut c, "sample-healthcheck", &["rm", "-f", "/usr/share/nginx/html/index.html"]);
    advance(&mut c, 7);
    let evs = events(&mut c, "default");
    assert!(evs.iter().any(|e| e.1 == "Unhealthy" && e.2 == "Liveness probe failed: HTTP probe failed with statuscode: 404"));
    assert!(evs.iter().any(|e| e.1 == "Killing" && e.2 == "Container nginx-container failed liveness probe, will be restarted"));
    advance(&mut c, 15);
    let (ready, status, restarts) = ready_of(&mut c, "sample-healthcheck");
    assert_eq!((ready.as_str(), status.as_str()), ("1/1", "Running"));
    assert!(restarts.starts_with("1 ("), "{restarts}");
    assert_eq!(exec(&mut c, "sample-healthcheck", &["ls", "/usr/share/nginx/html"]).0, "50x.html\nindex.html\n");
}

#[test]
fn a_startup_probe_holds_the_others_until_it_succeeds() {
    let mut c = cluster();
    let probe = |what: &str, test: &str| json!({"exec": {"command": ["sh", "-c", format!("echo [$(date)] {what} >> /root/log; test {test} /root/{what}")]}, "periodSeconds": 3});
    let mut startup = probe("startup", "-e");
    startup["failureThreshold"] = json!(100);
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sample-startup"}, "spec": {"containers": [{
        "name": "tools-container", "image": "amsy810/tools:v2.0",
        "livenessProbe": probe("liveness", "! -e"), "readinessProbe": probe("readiness", "! -e"), "startupProbe": startup}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 20);
    assert_eq!(ready_of(&mut c, "sample-startup").0, "0/1");
    let log = exec(&mut c, "sample-startup", &["cat", "/root/log"]).0;
    assert!(log.lines().all(|l| l.ends_with("startup")), "{log}");
    assert!(log.lines().count() >= 5, "{log}");
    exec(&mut c, "sample-startup", &["touch", "/root/startup"]);
    advance(&mut c, 4);
    assert_eq!(ready_of(&mut c, "sample-startup").0, "1/1");
    let log = exec(&mut c, "sample-startup", &["cat", "/root/log"]).0;
    assert!(log.contains("] readiness") && log.contains("] liveness"), "{log}");
    // exec errors: a program the image does not have.
    let err = c.exec("default", "sample-startup", None, &["nope".to_string()], false).unwrap_err();
    assert!(err.to_string().contains("executable file not found in $PATH"), "{err}");
}

#[test]
fn a_missing_config_map_holds_the_container() {
    let mut c = cluster();
    let p = pod("cfg", json!({"name": "app", "image": "busybox", "command": ["sh", "-c", "echo mode=$MODE; sleep 3600"],
        "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}]}));
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 5);
    assert_eq!(ready_of(&mut c, "cfg").1, "CreateContainerConfigError");
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "Failed" && e.2 == "Error: configmap \"settings\" not found"));
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}});
    send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm));
    advance(&mut c, 2);
    assert_eq!(ready_of(&mut c, "cfg").1, "Running");
    let logs = c.handle(&Request::get("/api/v1/namespaces/default/pods/cfg/log"));
    assert_eq!(String::from_utf8(logs.body_bytes()).unwrap(), "mode=fast\n");
    assert_eq!(exec(&mut c, "cfg", &["printenv", "KUBERNETES_SERVICE_HOST"]).0, "10.96.0.1\n");
}

#[test]
fn a_disruption_budget_counts_and_guards_evictions() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 3)));
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"}, "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}});
    send(&mut c, Request::post("/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb));
    advance(&mut c, 30);
    let p = get(&mut c, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web");
    assert_eq!((p["status"]["currentHealthy"].as_i64(), p["status"]["desiredHealthy"].as_i64(), p["status"]["disruptionsAllowed"].as_i64(), p["status"]["expectedPods"].as_i64()), (Some(3), Some(2), Some(1), Some(3)));
    assert_eq!(p["status"]["conditions"][0]["reason"], "SufficientPods");
    assert_eq!(rows(&mut c, "/apis/policy/v1/namespaces/default/poddisruptionbudgets")[0][1..4], ["2", "N/A", "1"]);
    let names: Vec<String> = pods(&mut c, "default").into_iter().map(|p| p.0).collect();
    let evict = |c: &mut Cluster, pod: &str| {
        let body = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod, "namespace": "default"}});
        c.handle(&Request::post(&format!("/api/v1/namespaces/default/pods/{pod}/eviction"), body))
    };
    assert_eq!(evict(&mut c, &names[0]).status, 201);
    // The budget is used up until the replacement is ready.
    let refused = evict(&mut c, &names[1]);
    assert_eq!(refused.status, 429);
    let body: Value = serde_json::from_slice(&refused.body_bytes()).unwrap();
    assert_eq!(body["message"], "Cannot evict pod as it would violate the pod's disruption budget.");
    assert_eq!(body["details"]["causes"][0]["message"], "The disruption budget web needs 2 healthy pods and has 2 currently");
    advance(&mut c, 30);
    assert_eq!(evict(&mut c, &names[1]).status, 201);
}

#[test]
fn a_stopped_node_goes_not_ready_and_its_pods_move_after_the_toleration() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 4)));
    advance(&mut c, 30);
    let node_status = |c: &mut Cluster, n: &str| rows(c, "/api/v1/nodes").into_iter().find(|r| r[0] == n).unwrap()[1].clone();
    assert!(c.stop_node("kind-worker2"));
    advance(&mut c, 30);
    assert_eq!(node_status(&mut c, "kind-worker2"), "Ready", "within the grace period");
    advance(&mut c, 40);
    assert_eq!(node_status(&mut c, "kind-worker2"), "NotReady");
    let n = get(&mut c, "/api/v1/nodes/kind-worker2");
    let ready = n["status"]["conditions"].as_array().unwrap().iter().find(|x| x["type"] == "Ready").unwrap().clone();
    assert_eq!((ready["status"].as_str(), ready["message"].as_str()), (Some("Unknown"), Some("Kubelet stopped posting node status.")));
    let keys: Vec<(String, String)> = n["spec"]["taints"].as_array().unwrap().iter().map(|t| (t["key"].as_str().unwrap().to_string(), t["effect"].as_str().unwrap().to_string())).collect();
    assert!(keys.contains(&("node.kubernetes.io/unreachable".into(), "NoExecute".into())), "{keys:?}");
    // Their status is stale (still 1/1 Running), but their Ready condition is False.
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let lost: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|p| p["spec"]["nodeName"] == "kind-worker2").collect();
    assert!(!lost.is_empty());
    for p in lost {
        let ready = p["status"]["conditions"].as_array().unwrap().iter().find(|x| x["type"] == "Ready").unwrap();
        assert_eq!(ready["status"], "False");
    }
    // Pods tolerate unreachable for 300 s (DefaultTolerationSeconds), then are evicted and
    // replaced elsewhere; the old ones stay Terminating while the node is away.
    advance(&mut c, 320);
    let d = get(&mut c, "/apis/apps/v1/namespaces/default/deployments/web");
    assert_eq!(d["status"]["readyReplicas"], 4, "{}", d["status"]);
    assert!(pods(&mut c, "default").iter().any(|p| p.2 == "Terminating"));
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "TaintManagerEviction"));
    assert!(c.start_node("kind-worker2"));
    advance(&mut c, 20);
    assert_eq!(node_status(&mut c, "kind-worker2"), "Ready");
    assert!(pods(&mut c, "default").iter().all(|p| p.2 == "Running"), "{:?}", pods(&mut c, "default"));
    assert!(get(&mut c, "/api/v1/nodes/kind-worker2")["spec"]["taints"].is_null());
}

fn scheduled_message(c: &mut Cluster, pod_name: &str) -> String {
    let p = get(c, &format!("/api/v1/namespaces/default/pods/{pod_name}"));
    p["status"]["conditions"].as_array().unwrap().iter().find(|x| x["type"] == "PodScheduled").unwrap()["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn pod_affinity_and_anti_affinity_place_pods_by_their_neighbours() {
    let mut c = cluster();
    // Required anti-affinity on hostname: one per worker, the third waits.
    let mut d = deployment("spread", "nginx:1.27", 3);
    d["spec"]["template"]["spec"]["affinity"] = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "spread"}}, "topologyKey": "kubernetes.io/hostname"}]}});
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    advance(&mut c, 20);
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let mut nodes: Vec<String> = list["items"].as_array().unwrap().iter().map(|p| p["spec"]["nodeName"].as_str().unwrap_or("").to_string()).collect();
    nodes.sort();
    assert_eq!(nodes, ["", "kind-worker", "kind-worker2"]);
    let pending = list["items"].as_array().unwrap().iter().find(|p| p["spec"]["nodeName"].is_null()).unwrap()["metadata"]["name"].as_str().unwrap().to_string();
    assert_eq!(
        scheduled_message(&mut c, &pending),
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    // Required affinity: next to a pod with app=db.
    let mut db = pod("db", json!({"name": "db", "image": "redis"}));
    db["metadata"]["labels"] = json!({"app": "db"});
    db["spec"]["nodeName"] = json!("kind-worker2");
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", db));
    let mut web = pod("near-db", json!({"name": "web", "image": "nginx"}));
    web["spec"]["affinity"] = json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", web));
    assert_eq!(get(&mut c, "/api/v1/namespaces/default/pods/near-db")["spec"]["nodeName"], "kind-worker2");
    // A zone key kind's nodes do not have: nowhere fits.
    let mut zoned = pod("zoned", json!({"name": "web", "image": "nginx"}));
    zoned["spec"]["affinity"] = json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "topology.kubernetes.io/zone"}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", zoned));
    assert_eq!(
        scheduled_message(&mut c, "zoned"),
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
}

#[test]
fn topology_spread_constraints_keep_the_skew() {
    let mut c = cluster();
    let mut d = deployment("even", "nginx:1.27", 5);
    d["spec"]["template"]["spec"]["topologySpreadConstraints"] = json!([{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "even"}}}]);
    d["spec"]["template"]["spec"]["tolerations"] = json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]);
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let mut per_node: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for p in list["items"].as_array().unwrap() {
        *per_node.entry(p["spec"]["nodeName"].as_str().unwrap().to_string()).or_default() += 1;
    }
    let counts: Vec<usize> = per_node.values().copied().collect();
    assert_eq!(per_node.len(), 3, "{per_node:?}");
    assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1, "{per_node:?}");
    // A key no node has: the label is missing everywhere.
    let mut z = pod("zonal", json!({"name": "web", "image": "nginx"}));
    z["metadata"]["labels"] = json!({"app": "z"});
    z["spec"]["topologySpreadConstraints"] = json!([{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "z"}}}]);
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", z));
    assert_eq!(
        scheduled_message(&mut c, "zonal"),
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
}

#[test]
fn lifecycle_hooks_run_after_start_and_before_stop() {
    let mut c = cluster();
    // The guide's sample-lifecycle-exec: postStart takes 20 s, preStop 20 s.
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hooks"}, "spec": {"containers": [{
        "name": "nginx-container", "image": "nginx:1.16", "command": ["/bin/sh", "-c", "touch /tmp/started; sleep 3600"],
        "lifecycle": {"postStart": {"exec": {"command": ["/bin/sh", "-c", "sleep 20; touch /tmp/poststart"]}},
                      "preStop": {"exec": {"command": ["/bin/sh", "-c", "touch /tmp/prestop; sleep 20"]}}}}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 10);
    assert_eq!(ready_of(&mut c, "hooks").1, "ContainerCreating", "postStart has not returned yet");
    advance(&mut c, 15);
    assert_eq!(ready_of(&mut c, "hooks"), ("1/1".into(), "Running".into(), "0".into()));
    assert_eq!(exec(&mut c, "hooks", &["ls", "/tmp"]).0, "poststart\nstarted\n");
    send(&mut c, Request::delete("/api/v1/namespaces/default/pods/hooks"));
    // sh ignores SIGTERM: after the 20 s hook it is killed when the 30 s grace period ends.
    advance(&mut c, 25);
    assert_eq!(ready_of(&mut c, "hooks").1, "Terminating");
    advance(&mut c, 10);
    assert!(pods(&mut c, "default").is_empty());
    // A failing postStart kills and restarts the container.
    let bad = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bad-hook"}, "spec": {"containers": [{
        "name": "web", "image": "nginx", "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "exit 1"]}}}}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", bad));
    advance(&mut c, 5);
    let evs = events(&mut c, "default");
    assert!(evs.iter().any(|e| e.0 == "bad-hook" && e.1 == "FailedPostStartHook" && e.2 == "PostStartHook failed"), "{evs:?}");
    let p = get(&mut c, "/api/v1/namespaces/default/pods/bad-hook");
    assert!(p["status"]["containerStatuses"][0]["restartCount"].as_i64().unwrap() >= 1, "{}", p["status"]);
}

#[test]
fn init_containers_run_in_order_and_share_an_empty_dir() {
    let mut c = cluster();
    let mount = json!([{"name": "html-volume", "mountPath": "/usr/share/nginx/html/"}]);
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sample-initcontainer"}, "spec": {
        "initContainers": [
            {"name": "output-1", "image": "amsy810/tools:v2.0", "command": ["sh", "-c", "sleep 20; echo 1st > /usr/share/nginx/html/index.html"], "volumeMounts": mount},
            {"name": "output-2", "image": "amsy810/tools:v2.0", "command": ["sh", "-c", "sleep 10; echo 2nd >> /usr/share/nginx/html/index.html"], "volumeMounts": mount}],
        "containers": [{"name": "nginx-container", "image": "nginx:1.16", "volumeMounts": mount}],
        "volumes": [{"name": "html-volume", "emptyDir": {}}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 10);
    assert_eq!(ready_of(&mut c, "sample-initcontainer").1, "Init:0/2");
    advance(&mut c, 20);
    assert_eq!(ready_of(&mut c, "sample-initcontainer").1, "Init:1/2");
    advance(&mut c, 20);
    assert_eq!(ready_of(&mut c, "sample-initcontainer"), ("1/1".into(), "Running".into(), "0".into()));
    assert_eq!(exec(&mut c, "sample-initcontainer", &["cat", "/usr/share/nginx/html/index.html"]).0, "1st\n2nd\n");
    // The image's own page is hidden by the mount; other containers' writes land in the volume.
    assert_eq!(exec(&mut c, "sample-initcontainer", &["ls", "/usr/share/nginx/html"]).0, "index.html\n");
}

#[test]
fn config_map_volumes_show_their_keys_as_files() {
    let mut c = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"nginx.conf": "server {}\n", "mode": "dev"}});
    send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", cm));
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cfg"}, "spec": {
        "containers": [{"name": "app", "image": "busybox", "command": ["sleep", "3600"], "volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}, {"name": "missing", "mountPath": "/etc/secret"}]}],
        "volumes": [{"name": "conf", "configMap": {"name": "web"}}, {"name": "missing", "secret": {"secretName": "creds"}}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 5);
    assert_eq!(ready_of(&mut c, "cfg").1, "ContainerCreating");
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "FailedMount" && e.2 == "MountVolume.SetUp failed for volume \"missing\" : secret \"creds\" not found"));
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "stringData": {"password": "s3cret"}});
    send(&mut c, Request::post("/api/v1/namespaces/default/secrets", secret));
    advance(&mut c, 5);
    assert_eq!(ready_of(&mut c, "cfg").1, "Running");
    assert_eq!(exec(&mut c, "cfg", &["ls", "/etc/app"]).0, "mode\nnginx.conf\n");
    assert_eq!(exec(&mut c, "cfg", &["cat", "/etc/secret/password"]).0, "s3cret");
}

#[test]
fn a_higher_priority_pod_preempts_lower_ones() {
    let mut c = cluster();
    let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}, "value": 1000});
    send(&mut c, Request::post("/apis/scheduling.k8s.io/v1/priorityclasses", pc));
    // Each worker has 8 CPUs: two 3.5-CPU pods per worker leave no room for 2 CPUs.
    let mut d = deployment("filler", "nginx:1.27", 4);
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = json!({"requests": {"cpu": "3500m"}});
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    advance(&mut c, 30);
    let mut big = pod("important", json!({"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "2"}}}));
    big["spec"]["priorityClassName"] = json!("high");
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", big));
    let p = get(&mut c, "/api/v1/namespaces/default/pods/important");
    let nominated = p["status"]["nominatedNodeName"].as_str().unwrap_or_default().to_string();
    assert!(nominated == "kind-worker" || nominated == "kind-worker2", "{}", p["status"]);
    // Preemption worked: the failure is reported without a preemption part.
    assert_eq!(scheduled_message(&mut c, "important"), "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.");
    let evs = events(&mut c, "default");
    let preempted: Vec<&(String, String, String)> = evs.iter().filter(|e| e.1 == "Preempted").collect();
    assert_eq!(preempted.len(), 1, "one 3.5-CPU pod is enough: {evs:?}");
    assert_eq!(preempted[0].2, format!("Preempted by pod {} on node {nominated}", p["metadata"]["uid"].as_str().unwrap()));
    advance(&mut c, 30);
    let p = get(&mut c, "/api/v1/namespaces/default/pods/important");
    assert_eq!(p["spec"]["nodeName"], nominated.as_str());
    assert_eq!(p["status"]["phase"], "Running");
    // The filler's replacement waits: it has the lower priority.
    let pending: Vec<(String, String, String, String)> = pods(&mut c, "default").into_iter().filter(|p| p.2 == "Pending").collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
    // preemptionPolicy Never: no victims, and the scheduler says why.
    let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "polite"}, "value": 2000, "preemptionPolicy": "Never"});
    send(&mut c, Request::post("/apis/scheduling.k8s.io/v1/priorityclasses", pc));
    let mut polite = pod("polite", json!({"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "3"}}}));
    polite["spec"]["priorityClassName"] = json!("polite");
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", polite));
    assert!(scheduled_message(&mut c, "polite").ends_with("2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."), "{}", scheduled_message(&mut c, "polite"));
}

#[test]
fn claims_are_provisioned_bound_and_keep_their_data() {
    let mut c = cluster();
    let mut s = statefulset("db", 1, json!({}));
    s["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = json!([{"name": "data", "mountPath": "/data"}]);
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/statefulsets", s));
    advance(&mut c, 10);
    let pvc = get(&mut c, "/api/v1/namespaces/default/persistentvolumeclaims/data-db-0");
    assert_eq!(pvc["status"]["phase"], "Bound", "{pvc}");
    let pv_name = pvc["spec"]["volumeName"].as_str().unwrap().to_string();
    assert_eq!(pv_name, format!("pvc-{}", pvc["metadata"]["uid"].as_str().unwrap()));
    assert_eq!(pvc["metadata"]["annotations"]["volume.kubernetes.io/selected-node"], get(&mut c, "/api/v1/namespaces/default/pods/db-0")["spec"]["nodeName"]);
    let pv = get(&mut c, &format!("/api/v1/persistentvolumes/{pv_name}"));
    assert_eq!(pv["status"]["phase"], "Bound");
    assert_eq!(pv["spec"]["claimRef"]["name"], "data-db-0");
    assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete");
    let row = &rows(&mut c, "/api/v1/namespaces/default/persistentvolumeclaims")[0];
    assert_eq!(&row[..4], ["data-db-0", "Bound", pv_name.as_str(), "1Gi"]);
    assert!(events(&mut c, "default").iter().any(|e| e.1 == "ProvisioningSucceeded" && e.2 == format!("Successfully provisioned volume {pv_name}")));
    // What the pod writes survives the pod.
    exec(&mut c, "db-0", &["sh", "-c", "echo kept > /data/file"]);
    send(&mut c, Request::delete("/api/v1/namespaces/default/pods/db-0"));
    advance(&mut c, 30);
    assert_eq!(exec(&mut c, "db-0", &["cat", "/data/file"]).0, "kept\n");
    // Deleting the claim (no pod uses it any more) deletes the volume (reclaim policy Delete).
    let patch = br#"{"spec":{"replicas":0}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/statefulsets/db").with_bytes("application/merge-patch+json", patch));
    advance(&mut c, 30);
    send(&mut c, Request::delete("/api/v1/namespaces/default/persistentvolumeclaims/data-db-0"));
    advance(&mut c, 5);
    assert_eq!(c.handle(&Request::get("/api/v1/namespaces/default/persistentvolumeclaims/data-db-0")).status, 404);
    assert_eq!(c.handle(&Request::get(&format!("/api/v1/persistentvolumes/{pv_name}"))).status, 404);
    // A pod with a claim that does not exist is not scheduled.
    let mut p = pod("orphan", json!({"name": "app", "image": "nginx"}));
    p["spec"]["volumes"] = json!([{"name": "d", "persistentVolumeClaim": {"claimName": "nope"}}]);
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    assert_eq!(scheduled_message(&mut c, "orphan"), "0/3 nodes are available: persistentvolumeclaim \"nope\" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
}

#[test]
fn an_added_node_gets_the_daemon_pods_and_a_deleted_one_loses_its_pods() {
    let mut c = cluster();
    let name = c.add_node().unwrap();
    assert_eq!(name, "kind-worker3");
    advance(&mut c, 30);
    let node = get(&mut c, "/api/v1/nodes/kind-worker3");
    assert_eq!(node["spec"]["podCIDR"], "10.244.3.0/24");
    assert_eq!(node["status"]["addresses"][0]["address"], "172.18.0.5");
    let nodes = rows(&mut c, "/api/v1/nodes");
    assert!(nodes.iter().any(|r| r[0] == "kind-worker3" && r[1] == "Ready" && r[2] == "<none>"), "{nodes:?}");
    // kube-proxy and kindnet come to it; the lease is renewed.
    let on_node = |c: &mut Cluster, node: &str| -> Vec<String> {
        let list = get(c, "/api/v1/pods");
        list["items"].as_array().unwrap().iter().filter(|p| p["spec"]["nodeName"] == node).map(|p| p["metadata"]["name"].as_str().unwrap().to_string()).collect()
    };
    let on_new = on_node(&mut c, "kind-worker3");
    assert!(on_new.iter().any(|p| p.starts_with("kube-proxy-")) && on_new.iter().any(|p| p.starts_with("kindnet-")), "{on_new:?}");
    get(&mut c, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/kind-worker3");
    assert_eq!(c.add_node().unwrap(), "kind-worker4");
    // Deleting the node: its pods are collected, the DaemonSets count one node fewer.
    send(&mut c, Request::delete("/api/v1/nodes/kind-worker3"));
    advance(&mut c, 60);
    assert_eq!(on_node(&mut c, "kind-worker3"), Vec::<String>::new());
    let ds = get(&mut c, "/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy");
    assert_eq!(ds["status"]["desiredNumberScheduled"], 4);
}

#[test]
fn nodes_report_the_images_they_have_biggest_first() {
    let mut c = cluster();
    let names = |c: &mut Cluster, node: &str| -> Vec<(String, i64)> {
        let n = get(c, &format!("/api/v1/nodes/{node}"));
        n["status"]["images"].as_array().unwrap().iter().map(|i| (i["names"][1].as_str().unwrap().to_string(), i["sizeBytes"].as_i64().unwrap())).collect()
    };
    // kind's node image comes with the system images.
    let before = names(&mut c, "kind-worker");
    assert!(before.iter().any(|(n, _)| n == "registry.k8s.io/kube-proxy:v1.33.1"), "{before:?}");
    assert!(before.windows(2).all(|w| w[0].1 >= w[1].1), "{before:?}");
    assert!(!before.iter().any(|(n, _)| n.contains("nginx")));
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"nodeName": "kind-worker", "containers": [{"name": "web", "image": "nginx:1.27"}]}})));
    advance(&mut c, 15);
    let after = names(&mut c, "kind-worker");
    assert!(after.iter().any(|(n, _)| n == "docker.io/library/nginx:1.27"), "{after:?}");
    assert!(!names(&mut c, "kind-worker2").iter().any(|(n, _)| n.contains("nginx")));
}

#[test]
fn a_replica_set_over_quota_says_why_in_a_condition() {
    let mut c = cluster();
    send(&mut c, Request::post("/api/v1/namespaces/default/resourcequotas", json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods"}, "spec": {"hard": {"pods": "2"}}})));
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/replicasets", json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})));
    advance(&mut c, 5);
    let rs = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets/web");
    assert_eq!(rs["status"]["replicas"], 2);
    let cond = &rs["status"]["conditions"][0];
    assert_eq!((cond["type"].as_str(), cond["reason"].as_str()), (Some("ReplicaFailure"), Some("FailedCreate")));
    assert!(cond["message"].as_str().unwrap().contains("exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"), "{cond}");
    // Room again: the condition goes.
    send(&mut c, Request::delete("/api/v1/namespaces/default/resourcequotas/pods"));
    advance(&mut c, 5);
    let rs = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets/web");
    assert_eq!(rs["status"]["replicas"], 3);
    assert!(rs["status"]["conditions"].is_null(), "{}", rs["status"]);
}

fn scaling_messages(c: &mut Cluster, deployment: &str) -> Vec<String> {
    events(c, "default").into_iter().filter(|e| e.0 == deployment && e.1 == "ScalingReplicaSet").map(|e| e.2).collect()
}

#[test]
fn recreate_scales_the_old_pods_away_before_the_new_ones_start() {
    let mut c = cluster();
    let mut d = deployment("web", "nginx:1.27", 2);
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", d));
    advance(&mut c, 30);
    let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, "/apis/apps/v1/namespaces/default/deployments/web").with_bytes("application/strategic-merge-patch+json", patch));
    // At once: the old pods are terminating and no pod of the new template exists yet.
    let now = pods_by_node(&mut c);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.iter().all(|p| p.1 == "nginx:1.27" && p.2 == "Terminating"), "{now:?}");
    // Once they are gone, the new ReplicaSet is scaled up.
    advance(&mut c, 30);
    let now = pods_by_node(&mut c);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.iter().all(|p| p.1 == "nginx:1.28" && p.2 == "Running"), "{now:?}");
    let rs = get(&mut c, "/apis/apps/v1/namespaces/default/replicasets");
    let name_of = |image: &str| rs["items"].as_array().unwrap().iter().find(|r| r["spec"]["template"]["spec"]["containers"][0]["image"] == image).unwrap()["metadata"]["name"].as_str().unwrap().to_string();
    let (old, new) = (name_of("nginx:1.27"), name_of("nginx:1.28"));
    assert_eq!(
        scaling_messages(&mut c, "web"),
        [format!("Scaled up replica set {old} from 0 to 2"), format!("Scaled down replica set {old} from 2 to 0"), format!("Scaled up replica set {new} from 0 to 2")]
    );
}

#[test]
fn a_daemonset_replaces_a_nodes_pod_only_once_the_old_one_is_gone() {
    let mut c = cluster();
    daemonset_rolled_to_1_28(&mut c);
    // maxSurge 0: one old pod is terminating and its node has no new pod yet.
    let now = pods_by_node(&mut c);
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now.iter().filter(|p| p.2 == "Terminating").count(), 1, "{now:?}");
    assert!(now.iter().all(|p| p.1 == "nginx:1.27"), "{now:?}");
    let ds = get(&mut c, "/apis/apps/v1/namespaces/default/daemonsets/agent");
    assert_eq!(ds["status"]["currentNumberScheduled"], 2, "{}", ds["status"]);
    // At no moment does a node hold a terminating pod and a new one together.
    for _ in 0..60 {
        advance(&mut c, 1);
        let now = pods_by_node(&mut c);
        for node in ["kind-worker", "kind-worker2"] {
            assert!(now.iter().filter(|p| p.0 == node).count() <= 1, "{now:?}");
        }
    }
    let now = pods_by_node(&mut c);
    assert!(now.iter().all(|p| p.1 == "nginx:1.28" && p.2 == "Running"), "{now:?}");
}

#[test]
fn a_relabelled_pod_is_released_and_replaced() {
    let mut c = cluster();
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/deployments", deployment("web", "nginx:1.27", 2)));
    advance(&mut c, 30);
    let list = get(&mut c, "/api/v1/namespaces/default/pods");
    let first = list["items"][0]["metadata"]["name"].as_str().unwrap().to_string();
    let patch = br#"{"metadata":{"labels":{"app":"debug"}}}"#.to_vec();
    send(&mut c, Request::new(Method::Patch, &format!("/api/v1/namespaces/default/pods/{first}")).with_bytes("application/merge-patch+json", patch));
    // The ReplicaSet lets go of the pod and starts another in its place.
    let p = get(&mut c, &format!("/api/v1/namespaces/default/pods/{first}"));
    assert!(p["metadata"]["ownerReferences"].is_null(), "{}", p["metadata"]);
    assert_eq!(p["metadata"]["labels"]["app"], "debug");
    let list = get(&mut c, "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb");
    let owned: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|p| p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet").collect();
    assert_eq!(owned.len(), 2, "{list}");
    advance(&mut c, 30);
    assert_eq!(pods(&mut c, "default").len(), 3);
    let rs = &get(&mut c, "/apis/apps/v1/namespaces/default/replicasets")["items"][0];
    assert_eq!(rs["status"]["replicas"], 2);
    // Labelled back, it matches again: adopted, and the surplus pod goes.
    let hash = rs["metadata"]["labels"]["pod-template-hash"].as_str().unwrap().to_string();
    let patch = format!(r#"{{"metadata":{{"labels":{{"app":"web","pod-template-hash":"{hash}"}}}}}}"#).into_bytes();
    send(&mut c, Request::new(Method::Patch, &format!("/api/v1/namespaces/default/pods/{first}")).with_bytes("application/merge-patch+json", patch));
    let p = get(&mut c, &format!("/api/v1/namespaces/default/pods/{first}"));
    assert_eq!(p["metadata"]["ownerReferences"][0]["uid"], rs["metadata"]["uid"], "{}", p["metadata"]);
    advance(&mut c, 30);
    assert_eq!(pods(&mut c, "default").len(), 2);
}

#[test]
fn an_on_failure_job_at_its_backoff_limit_fails_and_its_pod_goes() {
    let mut c = cluster();
    let spec = json!({"backoffLimit": 2, "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}});
    send(&mut c, Request::post("/apis/batch/v1/namespaces/default/jobs", job("crash", spec)));
    advance(&mut c, 120);
    let j = get(&mut c, "/apis/batch/v1/namespaces/default/jobs/crash");
    assert_eq!(conditions(&j), [("FailureTarget".to_string(), "BackoffLimitExceeded".to_string()), ("Failed".to_string(), "BackoffLimitExceeded".to_string())], "{}", j["status"]);
    assert_eq!(j["status"]["failed"], 1, "{}", j["status"]);
    assert!(j["status"]["active"].is_null());
    assert_eq!(j["status"]["terminating"], 0);
    assert_eq!(pods(&mut c, "default"), [], "the restarting pod was deleted and let go");
    assert!(events(&mut c, "default").iter().any(|e| e.0 == "crash" && e.1 == "BackoffLimitExceeded"));
}

#[test]
fn a_mounted_configmap_follows_its_source_at_the_next_sync_but_env_does_not() {
    let mut c = cluster();
    send(&mut c, Request::post("/api/v1/namespaces/default/configmaps", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf"}, "data": {"a": "1"}})));
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "reader"}, "spec": {
        "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "infinity"],
            "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "conf", "key": "a"}}}],
            "volumeMounts": [{"name": "v", "mountPath": "/conf"}]}],
        "volumes": [{"name": "v", "configMap": {"name": "conf"}}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod));
    c.advance(Duration::from_secs(10));
    assert_eq!(exec(&mut c, "reader", &["cat", "/conf/a"]), ("1".to_string(), 0));
    let patch = serde_json::to_vec(&json!({"data": {"a": "2"}})).unwrap();
    send(&mut c, Request::new(Method::Patch, "/api/v1/namespaces/default/configmaps/conf").with_bytes("application/merge-patch+json", patch));
    // Not at once: the kubelet's next periodic sync brings it.
    assert_eq!(exec(&mut c, "reader", &["cat", "/conf/a"]).0, "1");
    c.advance(Duration::from_secs(70));
    assert_eq!(exec(&mut c, "reader", &["cat", "/conf/a"]).0, "2");
    assert_eq!(exec(&mut c, "reader", &["printenv", "A"]).0, "1\n");
}

#[test]
fn the_service_account_volume_has_a_token_the_ca_and_the_namespace() {
    let mut c = cluster();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sa"}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "infinity"]}]}});
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod));
    c.advance(Duration::from_secs(10));
    let dir = "/var/run/secrets/kubernetes.io/serviceaccount";
    assert_eq!(exec(&mut c, "sa", &["ls", dir]).0, "ca.crt\nnamespace\ntoken\n");
    assert_eq!(exec(&mut c, "sa", &["cat", &format!("{dir}/namespace")]).0, "default");
    let token = exec(&mut c, "sa", &["cat", &format!("{dir}/token")]).0;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let claims = hakoniwa_core::api::base64::decode(&parts[1].replace('-', "+").replace('_', "/")).ok().or_else(|| {
        let mut p = parts[1].replace('-', "+").replace('_', "/");
        while p.len() % 4 != 0 {
            p.push('=');
        }
        hakoniwa_core::api::base64::decode(&p).ok()
    });
    let claims: Value = serde_json::from_slice(&claims.unwrap()).unwrap();
    assert_eq!(claims["sub"], "system:serviceaccount:default:default");
    assert_eq!(claims["kubernetes.io"]["pod"]["name"], "sa");
    assert!(exec(&mut c, "sa", &["cat", &format!("{dir}/ca.crt")]).0.starts_with("-----BEGIN CERTIFICATE-----"));
}

#[test]
fn a_container_that_was_killed_prints_nothing_after_its_end() {
    let mut c = cluster();
    // Counts every second until its liveness probe fails and it is killed; it is not restarted.
    let mut p = pod("counter", json!({"name": "app", "image": "busybox", "command": ["sh", "-c", "i=0; while true; do echo $i; i=$((i+1)); sleep 1; done"],
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/missing"]}, "initialDelaySeconds": 5, "periodSeconds": 5, "failureThreshold": 1}}));
    p["spec"]["restartPolicy"] = json!("Never");
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    advance(&mut c, 60);
    let ended = get(&mut c, "/api/v1/namespaces/default/pods/counter");
    assert!(ended["status"]["containerStatuses"][0]["state"]["terminated"].is_object(), "{}", ended["status"]);
    let logs = |c: &mut Cluster| c.handle(&Request::get("/api/v1/namespaces/default/pods/counter/log")).body_bytes();
    let at_end = logs(&mut c);
    assert!(!at_end.is_empty());
    advance(&mut c, 60);
    assert_eq!(String::from_utf8_lossy(&logs(&mut c)), String::from_utf8_lossy(&at_end), "no line is dated after the container ended");
}

#[test]
fn events_expire_an_hour_after_their_last_write() {
    let mut c = cluster();
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "quiet"},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})));
    advance(&mut c, 10);
    let about = |c: &mut Cluster, pod: &str| events(c, "default").into_iter().filter(|e| e.0 == pod).map(|e| e.1).collect::<Vec<_>>();
    assert!(about(&mut c, "quiet").contains(&"Started".to_string()), "{:?}", about(&mut c, "quiet"));
    // Just under an hour after the last was written they are still there; just over, gone
    // (kube-apiserver's --event-ttl of 1h, which etcd enforces with a lease).
    let list = get(&mut c, "/api/v1/namespaces/default/events");
    let last = list["items"].as_array().unwrap().iter().filter(|e| e["involvedObject"]["name"] == "quiet").filter_map(|e| Timestamp::parse_rfc3339(e["lastTimestamp"].as_str()?)).max().unwrap();
    let left = 3600 - c.now().since(last).whole_secs();
    advance(&mut c, left - 1);
    let kept = about(&mut c, "quiet");
    assert!(kept.contains(&"Started".to_string()) && !kept.contains(&"Scheduled".to_string()), "the last written are still there, the first not: {kept:?}");
    // (lastTimestamp is in whole seconds; the write was within the second after it.)
    advance(&mut c, 2);
    assert_eq!(about(&mut c, "quiet"), Vec::<String>::new());
    // The pod itself stays.
    assert_eq!(get(&mut c, "/api/v1/namespaces/default/pods/quiet")["status"]["phase"], "Running");
}
