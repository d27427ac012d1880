//! Requests that really travel: from a command in one pod, through the cluster DNS and
//! kube-proxy's rules, to a ready pod of a Service and back with what that pod answers — and
//! the server's access log shows the request.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn send(c: &mut Cluster, req: Request) -> Value {
    let resp = c.handle(&req);
    let body: Value = serde_json::from_slice(&resp.body_bytes()).unwrap_or(Value::Null);
    assert!(resp.status < 300, "{} {}: {}", resp.status, req.path, body);
    body
}

fn exec(c: &mut Cluster, pod: &str, line: &str) -> (String, i64) {
    let argv: Vec<String> = line.split(' ').map(str::to_string).collect();
    let out = c.exec("default", pod, None, &argv, false).unwrap();
    (out.output, out.code)
}

fn pod(name: &str, image: &str, labels: Value, extra: Value) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "main", "image": image, "command": ["sleep", "infinity"]}]}});
    if image.contains("echo-nginx") || image.starts_with("nginx") {
        p["spec"]["containers"][0].as_object_mut().unwrap().remove("command");
    }
    if let Value::Object(m) = extra {
        for (k, v) in m {
            p["spec"][k] = v;
        }
    }
    p
}

fn service(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec})
}

/// Two echo pods behind `echo` (port 8080 → 80), a busybox client and an nginx pod.
fn cluster() -> Cluster {
    let mut c = booted();
    for n in ["echo-a", "echo-b"] {
        send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod(n, "amsy810/echo-nginx:v2.0", json!({"app": "echo"}), json!({}))));
    }
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("client", "busybox:1.36", json!({}), json!({}))));
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("web", "nginx:1.27", json!({"app": "web"}), json!({}))));
    send(&mut c, Request::post("/api/v1/namespaces/default/services", service("echo", json!({"selector": {"app": "echo"}, "ports": [{"name": "http", "port": 8080, "targetPort": 80}]}))));
    send(&mut c, Request::post("/api/v1/namespaces/default/services", service("nothing", json!({"selector": {"app": "none"}, "ports": [{"port": 80}]}))));
    c.advance(Duration::from_secs(30));
    c
}

fn ip_of(c: &mut Cluster, path: &str, field: &str) -> String {
    let v = send(c, Request::get(path));
    v.pointer(field).and_then(Value::as_str).unwrap().to_string()
}

#[test]
fn a_request_through_a_service_reaches_a_ready_pod_and_is_logged() {
    let mut c = cluster();
    let client_ip = ip_of(&mut c, "/api/v1/namespaces/default/pods/client", "/status/podIP");
    let mut served = std::collections::BTreeSet::new();
    for _ in 0..12 {
        let (out, code) = exec(&mut c, "client", "wget -qO- http://echo:8080/hi");
        assert_eq!(code, 0, "{out}");
        let from = out.split("From=").nth(1).unwrap().split(' ').next().unwrap().to_string();
        assert_eq!(out, format!("Host=echo  Path=/hi  From={from}  ClientIP={client_ip}  XFF=\n"));
        served.insert(from);
    }
    // kube-proxy spreads connections over both pods.
    assert_eq!(served.into_iter().collect::<Vec<_>>(), ["echo-a", "echo-b"]);
    let log = String::from_utf8(c.handle(&Request::get("/api/v1/namespaces/default/pods/echo-a/log")).body_bytes().to_vec()).unwrap();
    assert!(log.contains(&format!("{client_ip} - - [25/Nov/2026:11:00:30 +0000] \"GET /hi HTTP/1.1\" 200 ")), "{log}");
    assert!(log.contains("\"Wget\" \"-\""), "{log}");
}

#[test]
fn names_resolve_and_services_without_endpoints_refuse() {
    let mut c = cluster();
    let echo_ip = ip_of(&mut c, "/api/v1/namespaces/default/services/echo", "/spec/clusterIP");
    let (out, code) = exec(&mut c, "client", "nslookup echo.default.svc.cluster.local");
    assert_eq!(code, 0);
    assert_eq!(out, format!("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\techo.default.svc.cluster.local\nAddress: {echo_ip}\n\n\n"));
    let nothing_ip = ip_of(&mut c, "/api/v1/namespaces/default/services/nothing", "/spec/clusterIP");
    assert_eq!(exec(&mut c, "client", "wget -q -O- nothing"), (format!("wget: can't connect to remote host ({nothing_ip}): Connection refused\n"), 1));
    assert_eq!(exec(&mut c, "client", "wget -q -O- nosuch"), ("wget: bad address 'nosuch'\n".to_string(), 1));
    let hosts = exec(&mut c, "client", "cat /etc/resolv.conf").0;
    assert_eq!(hosts, "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
    // nginx has curl, and serves its own page to itself at localhost.
    let (page, code) = exec(&mut c, "web", "curl -s localhost");
    assert_eq!(code, 0);
    assert!(page.contains("Welcome to nginx!"), "{page}");
    let (out, code) = exec(&mut c, "web", "curl -s -o /dev/null -w %{http_code} http://echo:8080");
    assert_eq!((out.as_str(), code), ("200", 0));
    // busybox has no curl.
    let err = c.exec("default", "client", None, &["curl".to_string(), "echo".to_string()], false).unwrap_err();
    assert!(err.to_string().contains("executable file not found"), "{err}");
}

#[test]
fn only_ready_pods_receive_traffic() {
    let mut c = cluster();
    // echo-b leaves the Service (its label changes): traffic goes to echo-a only.
    let patch = serde_json::to_vec(&json!({"metadata": {"labels": {"app": "other"}}})).unwrap();
    send(&mut c, Request::new(Method::Patch, "/api/v1/namespaces/default/pods/echo-b").with_bytes("application/merge-patch+json", patch));
    c.advance(Duration::from_secs(1));
    for _ in 0..6 {
        let (out, _) = exec(&mut c, "client", "wget -qO- echo:8080");
        assert!(out.contains("From=echo-a "), "{out}");
    }
}

#[test]
fn a_named_target_port_resolves_on_each_pod() {
    let mut c = booted();
    for (n, port) in [("named-80", "80"), ("named-81", "81")] {
        let mut p = pod(n, "amsy810/echo-nginx:v2.0", json!({"app": "named"}), json!({}));
        p["spec"]["containers"][0]["env"] = json!([{"name": "NGINX_PORT", "value": port}]);
        p["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": port.parse::<i64>().unwrap()}]);
        send(&mut c, Request::post("/api/v1/namespaces/default/pods", p));
    }
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("client", "busybox:1.36", json!({}), json!({}))));
    send(&mut c, Request::post("/api/v1/namespaces/default/services", service("named", json!({"selector": {"app": "named"}, "ports": [{"name": "http-port", "port": 8080, "targetPort": "http"}]}))));
    c.advance(Duration::from_secs(30));
    let ep = send(&mut c, Request::get("/api/v1/namespaces/default/endpoints/named"));
    let ports: Vec<i64> = ep["subsets"].as_array().unwrap().iter().map(|s| s["ports"][0]["port"].as_i64().unwrap()).collect();
    assert_eq!(ports, [80, 81], "{ep}");
    let slices = send(&mut c, Request::get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dnamed"));
    assert_eq!(slices["items"].as_array().unwrap().len(), 2, "{slices}");
    let mut from = std::collections::BTreeSet::new();
    for _ in 0..10 {
        let (out, code) = exec(&mut c, "client", "wget -qO- named:8080");
        assert_eq!(code, 0, "{out}");
        from.insert(out.split("From=").nth(1).unwrap().split(' ').next().unwrap().to_string());
    }
    assert_eq!(from.into_iter().collect::<Vec<_>>(), ["named-80", "named-81"]);
}

#[test]
fn statefulset_pods_have_names_under_their_headless_service() {
    let mut c = booted();
    send(&mut c, Request::post("/api/v1/namespaces/default/services", service("db", json!({"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"name": "http", "port": 80}]}))));
    let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"serviceName": "db", "replicas": 2,
        "selector": {"matchLabels": {"app": "db"}}, "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
    send(&mut c, Request::post("/apis/apps/v1/namespaces/default/statefulsets", sts));
    send(&mut c, Request::post("/api/v1/namespaces/default/pods", pod("client", "busybox:1.36", json!({}), json!({}))));
    c.advance(Duration::from_secs(60));
    let ip1 = ip_of(&mut c, "/api/v1/namespaces/default/pods/db-1", "/status/podIP");
    let (out, code) = exec(&mut c, "client", "nslookup db-1.db.default.svc.cluster.local");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("Name:\tdb-1.db.default.svc.cluster.local\nAddress: {ip1}\n")), "{out}");
    let (out, _) = exec(&mut c, "client", "nslookup db.default.svc.cluster.local");
    assert_eq!(out.matches("Name:\tdb.default.svc.cluster.local\n").count(), 2, "{out}");
    // The controller's labels on its slices: the Service's name, and that it is headless.
    let slices = send(&mut c, Request::get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Ddb"));
    assert_eq!(slices["items"][0]["metadata"]["labels"]["service.kubernetes.io/headless"], "", "{slices}");
    let hosts = exec(&mut c, "db-0", "cat /etc/hosts").0;
    assert!(hosts.ends_with(&format!("\tdb-0.db.default.svc.cluster.local\tdb-0\n")), "{hosts}");
}

#[test]
fn a_load_balancer_gets_an_address_that_reaches_the_service() {
    let mut c = cluster();
    let mut svc = service("lb", json!({"type": "LoadBalancer", "selector": {"app": "echo"}, "ports": [{"port": 8080, "targetPort": 80, "nodePort": 30082}]}));
    send(&mut c, Request::post("/api/v1/namespaces/default/services", svc.clone()));
    c.advance(Duration::from_secs(1));
    let ip = ip_of(&mut c, "/api/v1/namespaces/default/services/lb", "/status/loadBalancer/ingress/0/ip");
    assert_eq!(ip, "172.18.255.200");
    let (out, code) = exec(&mut c, "client", &format!("wget -qO- http://{ip}:8080/"));
    assert_eq!(code, 0);
    assert!(out.starts_with(&format!("Host={ip}  Path=/  From=echo-")), "{out}");
    // The node port answers on every node.
    let nodes = send(&mut c, Request::get("/api/v1/nodes"));
    for n in nodes["items"].as_array().unwrap() {
        let node_ip = n["status"]["addresses"][0]["address"].as_str().unwrap();
        let (out, code) = exec(&mut c, "client", &format!("wget -qO- http://{node_ip}:30082/"));
        assert_eq!(code, 0, "{node_ip}: {out}");
    }
    // Asking for an address outside the pool fails with an event; the Service stays pending.
    svc["metadata"]["name"] = json!("lb2");
    svc["spec"]["loadBalancerIP"] = json!("10.0.0.1");
    svc["spec"]["ports"][0]["nodePort"] = json!(30083);
    send(&mut c, Request::post("/api/v1/namespaces/default/services", svc));
    c.advance(Duration::from_secs(1));
    let s = send(&mut c, Request::get("/api/v1/namespaces/default/services/lb2"));
    assert!(s["status"]["loadBalancer"]["ingress"].is_null(), "{s}");
}

#[test]
fn ingress_nginx_routes_by_host_and_path() {
    let mut c = cluster();
    let mut k = hakoniwa_core::kubectl::Kubectl::new(&c.preset().context.clone());
    let url = "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/cloud/deploy.yaml";
    let out = k.run(&mut c, &format!("kubectl apply -f {url}"), None);
    assert_eq!(out.exit, 0, "{}", out.text());
    assert!(out.text().contains("ingressclass.networking.k8s.io/nginx created\n"), "{}", out.text());
    let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop"}, "spec": {"ingressClassName": "nginx",
        "rules": [{"host": "shop.example.com", "http": {"paths": [
            {"path": "/echo", "pathType": "Prefix", "backend": {"service": {"name": "echo", "port": {"number": 8080}}}},
            {"path": "/none", "pathType": "Prefix", "backend": {"service": {"name": "nothing", "port": {"number": 80}}}}]}}]}});
    send(&mut c, Request::post("/apis/networking.k8s.io/v1/namespaces/default/ingresses", ing));
    c.advance(Duration::from_secs(60));
    let lb = ip_of(&mut c, "/apis/networking.k8s.io/v1/namespaces/default/ingresses/shop", "/status/loadBalancer/ingress/0/ip");
    let controller_ip = ip_of(&mut c, "/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller", "/status/loadBalancer/ingress/0/ip");
    assert_eq!(lb, controller_ip);
    let client_ip = ip_of(&mut c, "/api/v1/namespaces/default/pods/client", "/status/podIP");
    let (out, code) = exec(&mut c, "client", &format!("wget -qO- --header=Host:shop.example.com http://{lb}/echo/x"));
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("Host=shop.example.com  Path=/echo/x  From=echo-"), "{out}");
    assert!(out.ends_with(&format!("XFF={client_ip}\n")), "{out}");
    // No rule for the host: the controller's 404; a Service without endpoints: 503.
    assert_eq!(exec(&mut c, "client", &format!("wget -qO- http://{lb}/echo")), ("wget: server returned error: HTTP/1.1 404 Not Found\n".to_string(), 1));
    let (out, code) = exec(&mut c, "web", &format!("curl -s -H Host:shop.example.com http://{lb}/none"));
    assert_eq!(code, 0);
    assert!(out.contains("<title>503 Service Temporarily Unavailable</title>") && out.contains("<center>nginx</center>"), "{out}");
    let controller = send(&mut c, Request::get("/api/v1/namespaces/ingress-nginx/pods"));
    let pod = controller["items"].as_array().unwrap().iter().find(|p| p["metadata"]["name"].as_str().unwrap().starts_with("ingress-nginx-controller-")).unwrap();
    let name = pod["metadata"]["name"].as_str().unwrap();
    let log = String::from_utf8(c.handle(&Request::get(&format!("/api/v1/namespaces/ingress-nginx/pods/{name}/log"))).body_bytes().to_vec()).unwrap();
    assert!(log.contains("\"GET /echo/x HTTP/1.1\" 200 ") && log.contains("[default-echo-8080] []"), "{log}");
}

#[test]
fn the_cluster_view_lists_ingress_routes() {
    let mut c = cluster();
    let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop"}, "spec": {"ingressClassName": "nginx",
        "defaultBackend": {"service": {"name": "echo", "port": {"number": 8080}}},
        "rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/echo", "pathType": "Prefix", "backend": {"service": {"name": "echo", "port": {"name": "http"}}}}]}}]}});
    send(&mut c, Request::post("/apis/networking.k8s.io/v1/namespaces/default/ingresses", ing));
    let rows = c.ingress_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].name.as_str(), rows[0].class.as_str()), ("shop", "nginx"));
    let routes: Vec<(&str, &str, &str)> = rows[0].routes.iter().map(|(h, p, b)| (h.as_str(), p.as_str(), b.as_str())).collect();
    assert_eq!(routes, [("shop.example.com", "/echo", "echo:http"), ("*", "*", "echo:8080")]);
    let svc = c.service_rows().into_iter().find(|s| s.name == "echo").unwrap();
    assert_eq!(svc.endpoints, [("echo-a".to_string(), true), ("echo-b".to_string(), true)]);
}

#[test]
fn a_pod_reaches_its_own_service_even_when_it_is_the_endpoint_chosen() {
    let mut c = cluster();
    let mut own = 0;
    for _ in 0..12 {
        let (out, code) = exec(&mut c, "echo-a", "wget -qO- echo:8080");
        assert_eq!(code, 0, "{out}");
        if out.contains("From=echo-a ") {
            own += 1;
            // Hairpin traffic is masqueraded: the pod sees its node's address.
            assert!(out.contains("ClientIP=172.18.0."), "{out}");
        }
    }
    assert!(own > 0, "the pod itself was never chosen in 12 tries");
}

#[test]
fn a_service_without_selector_reaches_the_addresses_of_its_hand_made_endpoints() {
    let mut c = cluster();
    let echo_a = ip_of(&mut c, "/api/v1/namespaces/default/pods/echo-a", "/status/podIP");
    send(&mut c, Request::post("/api/v1/namespaces/default/services", service("manual", json!({"ports": [{"port": 8080, "targetPort": 80}]}))));
    let ep = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "manual"}, "subsets": [{"addresses": [{"ip": echo_a}], "ports": [{"port": 80}]}]});
    send(&mut c, Request::post("/api/v1/namespaces/default/endpoints", ep));
    c.advance(Duration::from_secs(2));
    let slices = send(&mut c, Request::get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dmanual"));
    let items = slices["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{slices}");
    assert_eq!(items[0]["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"], "endpointslicemirroring-controller.k8s.io");
    let (out, code) = exec(&mut c, "client", "wget -qO- manual:8080");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("From=echo-a "), "{out}");
    // The hand-made Endpoints stays, even for a Service that does not exist.
    let lone = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "lonely"}, "subsets": [{"addresses": [{"ip": "10.0.0.9"}], "ports": [{"port": 80}]}]});
    send(&mut c, Request::post("/api/v1/namespaces/default/endpoints", lone));
    c.advance(Duration::from_secs(20));
    send(&mut c, Request::get("/api/v1/namespaces/default/endpoints/lonely"));
}

#[test]
fn exec_into_a_service_or_controller_picks_one_of_its_pods() {
    let mut c = booted();
    let mut k = hakoniwa_core::kubectl::Kubectl::new(&c.preset().context.clone());
    for line in ["kubectl create deployment api --image=nginx:1.27", "kubectl create deployment web --image=nginx:1.27", "kubectl expose deployment web --port=80", "kubectl create deployment empty --image=nginx:1.27 --replicas=0"] {
        assert_eq!(k.run(&mut c, line, None).exit, 0, "{line}");
    }
    c.advance(Duration::from_secs(30));
    // The Service's selector (a plain map, not matchLabels) picks web's pod, never api's.
    let host = k.run(&mut c, "kubectl exec svc/web -- hostname", None).text();
    assert!(host.starts_with("web-"), "{host}");
    assert!(k.run(&mut c, "kubectl exec deploy/web -- hostname", None).text().starts_with("web-"));
    // No pod comes: kubectl waits --pod-running-timeout, then says so.
    let out = k.run(&mut c, "kubectl exec deploy/empty --pod-running-timeout=2s -- hostname", None);
    assert_eq!((out.exit, out.text()), (1, "error: timed out waiting for the condition\n".to_string()));
}
