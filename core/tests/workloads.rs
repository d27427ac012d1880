//! The control loops at work: controllers, the scheduler and the kubelets turn what is written
//! into running pods, as a real cluster would — seen through the API, as a user would see it.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

fn cluster() -> Cluster {
    Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()
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
