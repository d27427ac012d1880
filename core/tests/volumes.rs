//! Volumes as a container sees them: configMap and secret files behind the kubelet's `..data`
//! links with their modes, subPath mounts, a node's own directories through hostPath,
//! memory-backed and size-limited emptyDirs, and claims that may grow only where their class
//! allows — through `kubectl exec` and the API, as a user would see them.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

fn cluster() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn send(c: &mut Cluster, req: Request) -> (u16, Value) {
    let resp = c.handle(&req);
    (resp.status, serde_json::from_slice(&resp.body_bytes()).unwrap_or(Value::Null))
}

fn create(c: &mut Cluster, path: &str, obj: Value) {
    let (status, body) = send(c, Request::post(path, obj));
    assert!(status < 300, "{status} {path}: {body}");
}

fn get(c: &mut Cluster, path: &str) -> Value {
    send(c, Request::get(path)).1
}

fn patch(c: &mut Cluster, path: &str, body: &str) -> (u16, Value) {
    send(c, Request::new(Method::Patch, path).with_bytes("application/merge-patch+json", body.as_bytes().to_vec()))
}

fn advance(c: &mut Cluster, secs: i64) {
    c.advance(Duration::from_secs(secs));
}

fn exec(c: &mut Cluster, pod: &str, container: Option<&str>, argv: &[&str]) -> (String, i64) {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let out = c.exec("default", pod, container, &argv, false).unwrap();
    (out.output, out.code)
}

fn events(c: &mut Cluster) -> Vec<(String, String, String)> {
    let list = get(c, "/api/v1/namespaces/default/events");
    list["items"].as_array().unwrap().iter().map(|e| (e["involvedObject"]["name"].as_str().unwrap().to_string(), e["reason"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string())).collect()
}

/// The pod's STATUS cell, as `kubectl get pods` shows it.
fn status_of(c: &mut Cluster, pod: &str) -> String {
    let t = send(c, Request::get("/api/v1/namespaces/default/pods").with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")).1;
    let row = t["rows"].as_array().unwrap().iter().find(|r| r["cells"][0] == pod).unwrap().clone();
    row["cells"][2].as_str().unwrap().to_string()
}

fn pod(name: &str, image: &str, mounts: Value, volumes: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        "containers": [{"name": "app", "image": image, "command": ["sleep", "infinity"], "volumeMounts": mounts}], "volumes": volumes}})
}

#[test]
fn source_volumes_show_the_kubelets_links_and_modes() {
    let mut c = cluster();
    create(&mut c, "/api/v1/namespaces/default/secrets", json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "stringData": {"username": "root", "password": "rootpassword"}}));
    create(&mut c, "/api/v1/namespaces/default/configmaps", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"test.sh": "echo hi\n", "mode": "dev"}}));
    let volumes = json!([
        {"name": "secret", "secret": {"secretName": "db", "defaultMode": 256}},
        {"name": "cfg", "configMap": {"name": "web", "items": [{"key": "test.sh", "path": "bin/test.sh", "mode": 493}]}},
    ]);
    create(&mut c, "/api/v1/namespaces/default/pods", pod("files", "nginx:1.16", json!([{"name": "secret", "mountPath": "/config"}, {"name": "cfg", "mountPath": "/cfg"}]), volumes));
    advance(&mut c, 10);
    // The keys are links into the payload directory; ls hides the dot names.
    assert_eq!(exec(&mut c, "files", None, &["ls", "-l", "/config"]).0, "total 0\nlrwxrwxrwx 1 root root 15 Nov 25 11:00 password -> ..data/password\nlrwxrwxrwx 1 root root 15 Nov 25 11:00 username -> ..data/username\n");
    assert_eq!(exec(&mut c, "files", None, &["ls", "-l", "/config/..data/"]).0, "total 8\n-r-------- 1 root root 12 Nov 25 11:00 password\n-r-------- 1 root root  4 Nov 25 11:00 username\n");
    let all = exec(&mut c, "files", None, &["ls", "-la", "/config"]).0;
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines[1], "drwxrwxrwt  3 root root  160 Nov 25 11:00 .", "a secret is a tmpfs: {all}");
    let stamp = exec(&mut c, "files", None, &["readlink", "/config/..data"]).0;
    assert!(stamp.starts_with("..2026_11_25_11_00_0") && lines[3].ends_with(stamp.trim_end()), "{all}");
    assert_eq!(exec(&mut c, "files", None, &["ls", "-l", "/cfg/..data/bin"]).0, "total 4\n-rwxr-xr-x 1 root root 8 Nov 25 11:00 test.sh\n");
    assert_eq!(exec(&mut c, "files", None, &["cat", "/cfg/bin/test.sh"]).0, "echo hi\n");
    // A change to the ConfigMap is a new payload directory, and ..data moves to it.
    let (status, _) = patch(&mut c, "/api/v1/namespaces/default/configmaps/web", r#"{"data":{"test.sh":"echo bye\n"}}"#);
    assert_eq!(status, 200);
    advance(&mut c, 61);
    assert_eq!(exec(&mut c, "files", None, &["cat", "/cfg/bin/test.sh"]).0, "echo bye\n");
    let names = exec(&mut c, "files", None, &["ls", "-a", "/cfg"]).0;
    let stamps: Vec<&str> = names.lines().filter(|n| n.starts_with("..2026")).collect();
    assert_eq!(stamps.len(), 1, "the old payload is gone: {names}");
    assert_eq!(format!("{}\n", stamps[0]), exec(&mut c, "files", None, &["readlink", "/cfg/..data"]).0);
    assert_ne!(stamps[0], stamp.trim_end());
}

#[test]
fn sub_paths_are_parts_of_one_volume() {
    let mut c = cluster();
    // The guide's sample-subpath: three containers, one emptyDir.
    let ct = |name: &str, file: &str, sub: Option<&str>| {
        let mut m = json!({"mountPath": "/data", "name": "main-volume"});
        if let Some(s) = sub {
            m["subPath"] = json!(s);
        }
        json!({"name": name, "image": "alpine:3.7", "command": ["sh", "-c", format!("touch /data/{file}; sleep 86400")], "volumeMounts": [m]})
    };
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sample-subpath"}, "spec": {
        "containers": [ct("container-a", "a.txt", None), ct("container-b", "b.txt", Some("path1")), ct("container-c", "c.txt", Some("path2"))],
        "volumes": [{"name": "main-volume", "emptyDir": {}}]}});
    create(&mut c, "/api/v1/namespaces/default/pods", p);
    advance(&mut c, 10);
    assert_eq!(exec(&mut c, "sample-subpath", Some("container-a"), &["find", "/data"]).0, "/data\n/data/a.txt\n/data/path1\n/data/path1/b.txt\n/data/path2\n/data/path2/c.txt\n");
    assert_eq!(exec(&mut c, "sample-subpath", Some("container-b"), &["find", "/data"]).0, "/data\n/data/b.txt\n");
    // subPathExpr takes the container's variables.
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "expr"}, "spec": {
        "containers": [
            {"name": "writer", "image": "busybox", "command": ["sh", "-c", "echo hi > /logs/out; sleep 86400"],
             "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
             "volumeMounts": [{"name": "v", "mountPath": "/logs", "subPathExpr": "$(POD_NAME)"}]},
            {"name": "reader", "image": "busybox", "command": ["sleep", "86400"], "volumeMounts": [{"name": "v", "mountPath": "/all"}]}],
        "volumes": [{"name": "v", "emptyDir": {}}]}});
    create(&mut c, "/api/v1/namespaces/default/pods", p);
    advance(&mut c, 10);
    assert_eq!(exec(&mut c, "expr", Some("reader"), &["cat", "/all/expr/out"]).0, "hi\n");
    // The kubelet made the subPath directories with the volume's own mode.
    assert_eq!(exec(&mut c, "sample-subpath", Some("container-a"), &["ls", "-ld", "/data/path1"]).0.split(' ').next(), Some("drwxrwxrwx"));
}

#[test]
fn host_paths_are_the_nodes_own_files() {
    let mut c = cluster();
    let on = |name: &str, node: &str, path: &str, kind: &str| {
        let mut p = pod(name, "busybox", json!([{"name": "host", "mountPath": "/srv"}]), json!([{"name": "host", "hostPath": {"path": path, "type": kind}}]));
        p["spec"]["nodeName"] = json!(node);
        p
    };
    create(&mut c, "/api/v1/namespaces/default/pods", on("etc", "kind-worker", "/etc", "DirectoryOrCreate"));
    create(&mut c, "/api/v1/namespaces/default/pods", on("writer", "kind-worker", "/var/shared", "DirectoryOrCreate"));
    create(&mut c, "/api/v1/namespaces/default/pods", on("reader", "kind-worker", "/var/shared", "Directory"));
    create(&mut c, "/api/v1/namespaces/default/pods", on("elsewhere", "kind-worker2", "/var/shared", "DirectoryOrCreate"));
    create(&mut c, "/api/v1/namespaces/default/pods", on("missing", "kind-worker2", "/nope", "Directory"));
    advance(&mut c, 10);
    assert!(exec(&mut c, "etc", None, &["cat", "/srv/os-release"]).0.starts_with("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"));
    assert_eq!(exec(&mut c, "etc", None, &["cat", "/srv/hostname"]).0, "kind-worker\n");
    // FileOrCreate makes an empty file on the node and mounts that one file.
    let mut log = pod("log", "busybox", json!([{"name": "f", "mountPath": "/app.log"}]), json!([{"name": "f", "hostPath": {"path": "/var/shared/app.log", "type": "FileOrCreate"}}]));
    log["spec"]["nodeName"] = json!("kind-worker");
    create(&mut c, "/api/v1/namespaces/default/pods", log);
    advance(&mut c, 10);
    exec(&mut c, "log", None, &["sh", "-c", "echo started >> /app.log"]);
    assert_eq!(exec(&mut c, "reader", None, &["cat", "/srv/app.log"]).0, "started\n");
    // Pods on one node share its directory; another node has its own.
    exec(&mut c, "writer", None, &["sh", "-c", "echo from-writer > /srv/note"]);
    assert_eq!(exec(&mut c, "reader", None, &["cat", "/srv/note"]).0, "from-writer\n");
    assert_eq!(exec(&mut c, "elsewhere", None, &["cat", "/srv/note"]), ("cat: can't open '/srv/note': No such file or directory\n".to_string(), 1));
    assert!(events(&mut c).iter().any(|e| e.0 == "missing" && e.1 == "FailedMount" && e.2 == "MountVolume.SetUp failed for volume \"host\" : hostPath type check failed: /nope is not a directory"));
    assert_eq!(status_of(&mut c, "missing"), "ContainerCreating");
    // gitRepo is off in 1.33: no plugin matches it.
    create(&mut c, "/api/v1/namespaces/default/pods", pod("git", "nginx", json!([{"name": "src", "mountPath": "/src"}]), json!([{"name": "src", "gitRepo": {"repository": "https://github.com/example/repo.git"}}])));
    advance(&mut c, 10);
    assert_eq!(status_of(&mut c, "git"), "ContainerCreating");
    assert!(events(&mut c).iter().any(|e| e.0 == "git" && e.1 == "FailedMount" && e.2.ends_with("failed to process volumes=[src]: failed to get Plugin from volumeSpec for volume \"src\" err=no volume plugin matched")));
}

#[test]
fn empty_dirs_in_memory_fill_up_and_over_their_limit_are_evicted() {
    let mut c = cluster();
    let mem = pod("mem", "nginx:1.16", json!([{"name": "cache", "mountPath": "/cache"}]), json!([{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "128Mi"}}]));
    let disk = pod("disk", "nginx:1.16", json!([{"name": "cache-volume", "mountPath": "/cache"}]), json!([{"name": "cache-volume", "emptyDir": {"sizeLimit": "128Mi"}}]));
    create(&mut c, "/api/v1/namespaces/default/pods", mem);
    create(&mut c, "/api/v1/namespaces/default/pods", disk);
    advance(&mut c, 10);
    assert_eq!(exec(&mut c, "mem", None, &["df", "-h", "/cache"]).0, "Filesystem      Size  Used Avail Use% Mounted on\ntmpfs           128M     0  128M   0% /cache\n");
    // A tmpfs of the sizeLimit: dd stops when it is full.
    let (out, code) = exec(&mut c, "mem", None, &["dd", "if=/dev/zero", "of=/cache/dummy", "bs=1M", "count=150"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("dd: error writing '/cache/dummy': No space left on device\n129+0 records in\n128+0 records out\n134217728 bytes (134 MB, 128 MiB) copied, "), "{out}");
    assert_eq!(exec(&mut c, "mem", None, &["df", "-h", "/cache"]).0.lines().nth(1), Some("tmpfs           128M  128M     0 100% /cache"));
    // On the node's disk the write succeeds; the eviction manager then evicts the pod.
    let (out, code) = exec(&mut c, "disk", None, &["dd", "if=/dev/zero", "of=/cache/dummy", "bs=1M", "count=150"]);
    assert_eq!((out.lines().next(), code), (Some("150+0 records in"), 0));
    assert_eq!(status_of(&mut c, "disk"), "Running");
    advance(&mut c, 15);
    let p = get(&mut c, "/api/v1/namespaces/default/pods/disk");
    let msg = "Usage of EmptyDir volume \"cache-volume\" exceeds the limit \"128Mi\". ";
    assert_eq!((&p["status"]["phase"], &p["status"]["reason"], &p["status"]["message"]), (&json!("Failed"), &json!("Evicted"), &json!(msg)));
    assert!(events(&mut c).iter().any(|e| e.0 == "disk" && e.1 == "Evicted" && e.2 == msg));
    assert_eq!(status_of(&mut c, "disk"), "ContainerStatusUnknown");
    assert_eq!(status_of(&mut c, "mem"), "Running");
}

#[test]
fn claims_grow_only_where_their_class_allows() {
    let mut c = cluster();
    let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}});
    create(&mut c, "/api/v1/namespaces/default/persistentvolumeclaims", claim);
    create(&mut c, "/api/v1/namespaces/default/pods", pod("user", "busybox", json!([{"name": "d", "mountPath": "/data"}]), json!([{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}])));
    advance(&mut c, 10);
    let path = "/api/v1/namespaces/default/persistentvolumeclaims/data";
    assert_eq!(get(&mut c, path)["status"]["phase"], "Bound");
    let (status, body) = patch(&mut c, path, r#"{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}"#);
    assert_eq!((status, body["message"].as_str().unwrap()), (403, "persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"));
    let (status, body) = patch(&mut c, path, r#"{"spec":{"resources":{"requests":{"storage":"500Mi"}}}}"#);
    assert_eq!((status, body["message"].as_str().unwrap()), (422, "PersistentVolumeClaim \"data\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"));
    // A class that allows expansion lets the request through; kind's local-path has no resizer,
    // so the claim waits for one and keeps its size.
    assert_eq!(patch(&mut c, "/apis/storage.k8s.io/v1/storageclasses/standard", r#"{"allowVolumeExpansion":true}"#).0, 200);
    assert_eq!(patch(&mut c, path, r#"{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}"#).0, 200);
    advance(&mut c, 5);
    assert!(events(&mut c).iter().any(|e| e.0 == "data" && e.1 == "ExternalExpanding" && e.2 == "waiting for an external controller to expand this PVC"));
    assert_eq!(get(&mut c, path)["status"]["capacity"]["storage"], "1Gi");
    // A provisioned volume is a directory anyone may write.
    assert!(exec(&mut c, "user", None, &["ls", "-ld", "/data"]).0.starts_with("drwxrwxrwx "));
}

#[test]
fn a_sub_path_keeps_what_the_config_map_held_when_the_container_started() {
    let mut c = cluster();
    create(&mut c, "/api/v1/namespaces/default/configmaps", json!({"metadata": {"name": "conf"}, "data": {"app.conf": "v1\n"}}));
    let mounts = json!([{"name": "conf", "mountPath": "/etc/conf"}, {"name": "conf", "mountPath": "/etc/app.conf", "subPath": "app.conf"}]);
    create(&mut c, "/api/v1/namespaces/default/pods", pod("reader", "busybox:1.36", mounts, json!([{"name": "conf", "configMap": {"name": "conf"}}])));
    advance(&mut c, 20);
    assert_eq!(exec(&mut c, "reader", None, &["cat", "/etc/conf/app.conf", "/etc/app.conf"]), ("v1\nv1\n".to_string(), 0));
    let (status, _) = patch(&mut c, "/api/v1/namespaces/default/configmaps/conf", r#"{"data": {"app.conf": "v2\n"}}"#);
    assert_eq!(status, 200);
    advance(&mut c, 70);
    // The whole volume follows the update; the subPath is the file bound at the start.
    assert_eq!(exec(&mut c, "reader", None, &["cat", "/etc/conf/app.conf", "/etc/app.conf"]), ("v2\nv1\n".to_string(), 0));
    let (ls, _) = exec(&mut c, "reader", None, &["ls", "-l", "/etc/app.conf"]);
    assert!(ls.starts_with("-rw-r--r--    1 root     root             3 "), "{ls}");
}

#[test]
fn a_claim_waiting_for_its_consumer_says_so_once_per_binder_resync() {
    let mut c = cluster();
    create(&mut c, "/api/v1/namespaces/default/persistentvolumeclaims", json!({"metadata": {"name": "later"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}));
    advance(&mut c, 62);
    let list = get(&mut c, "/api/v1/namespaces/default/events");
    let waiting: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|e| e["reason"] == "WaitForFirstConsumer" && e["involvedObject"]["name"] == "later").collect();
    // One event, seen at 0, 15, 30, 45 and 60 seconds (kube-controller-manager's 15 s resync).
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["count"], 5, "{}", waiting[0]);
}
