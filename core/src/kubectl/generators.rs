//! `kubectl create <kind> NAME ...` and `kubectl run`: the objects kubectl builds from flags,
//! sent as the real one sends them.

use serde_json::{json, Map, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::{Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

/// The generators' own flags (`create` also takes the file flags).
pub const CREATE_FLAGS: &[Flag] = &[
    flag("duration", None, Takes::Value),
    flag("audience", None, Takes::Values),
    flag("bound-object-kind", None, Takes::Value),
    flag("bound-object-name", None, Takes::Value),
    flag("bound-object-uid", None, Takes::Value),
    flag("from-literal", None, Takes::Values),
    flag("class", None, Takes::Value),
    flag("rule", None, Takes::Values),
    flag("default-backend", None, Takes::Value),
    flag("annotation", None, Takes::Values),
    flag("from-file", None, Takes::Values),
    flag("from-env-file", None, Takes::Values),
    flag("append-hash", None, Takes::Bool),
    flag("type", None, Takes::Value),
    flag("cert", None, Takes::Value),
    flag("key", None, Takes::Value),
    flag("docker-server", None, Takes::Value),
    flag("docker-username", None, Takes::Value),
    flag("docker-password", None, Takes::Value),
    flag("docker-email", None, Takes::Value),
    flag("image", None, Takes::Values),
    flag("replicas", Some('r'), Takes::Value),
    flag("port", None, Takes::Value),
    flag("tcp", None, Takes::Values),
    flag("node-port", None, Takes::Value),
    flag("clusterip", None, Takes::Value),
    flag("external-name", None, Takes::Value),
    flag("from", None, Takes::Value),
    flag("schedule", None, Takes::Value),
    flag("restart", None, Takes::Value),
    flag("verb", None, Takes::Values),
    flag("resource", None, Takes::Values),
    flag("resource-name", None, Takes::Values),
    flag("non-resource-url", None, Takes::Values),
    flag("aggregation-rule", None, Takes::Value),
    flag("role", None, Takes::Value),
    flag("clusterrole", None, Takes::Value),
    flag("user", None, Takes::Values),
    flag("group", None, Takes::Values),
    flag("serviceaccount", None, Takes::Values),
    flag("hard", None, Takes::Value),
    flag("scopes", None, Takes::Value),
    flag("min-available", None, Takes::Value),
    flag("max-unavailable", None, Takes::Value),
    flag("value", None, Takes::Value),
    flag("global-default", None, Takes::Bool),
    flag("description", None, Takes::Value),
    flag("preemption-policy", None, Takes::Value),
];

pub const RUN_FLAGS: &[Flag] = &[
    flag("image", None, Takes::Value),
    flag("restart", None, Takes::Value),
    flag("command", None, Takes::Bool),
    flag("port", None, Takes::Value),
    flag("env", None, Takes::Values),
    flag("labels", Some('l'), Takes::Value),
    flag("annotations", None, Takes::Values),
    flag("image-pull-policy", None, Takes::Value),
    flag("overrides", None, Takes::Value),
    flag("override-type", None, Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("output", Some('o'), Takes::Value),
    flag("stdin", Some('i'), Takes::Bool),
    flag("tty", Some('t'), Takes::Bool),
    flag("rm", None, Takes::Bool),
    flag("attach", None, Takes::Bool),
    flag("quiet", Some('q'), Takes::Bool),
    flag("expose", None, Takes::Bool),
    flag("privileged", None, Takes::Bool),
    flag("field-manager", None, Takes::Value),
    flag("pod-running-timeout", None, Takes::Value),
    flag("leave-stdin-open", None, Takes::Bool),
    flag("save-config", None, Takes::Bool),
    flag("show-managed-fields", None, Takes::Bool),
    flag("template", None, Takes::Value),
];

fn name_arg(p: &Parsed, what: &str, usage: &str) -> Result<String, Failure> {
    match p.args.get(2) {
        Some(n) if p.before_dash > 2 => Ok(n.clone()),
        _ => Err(Failure::Raw(format!("error: NAME is required for {what}\nSee 'kubectl create {usage} -h' for help and examples\n"))),
    }
}

/// A Service backend from `svc:port` (a port number or name).
fn ingress_backend(s: &str) -> Option<Value> {
    let (svc, port) = s.split_once(':')?;
    if svc.is_empty() || port.is_empty() {
        return None;
    }
    let port = match port.parse::<i64>() {
        Ok(n) => json!({"number": n}),
        Err(_) => json!({"name": port}),
    };
    Some(json!({"service": {"name": svc, "port": port}}))
}

/// `kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]] ...`: a path ending
/// in `*` is a Prefix (without the `*`), any other is Exact; rules of one host share a rule.
fn ingress(p: &Parsed) -> Result<Value, Failure> {
    let name = name_arg(p, "ingress", "ingress")?;
    let mut rules: Vec<Value> = Vec::new();
    let mut tls: Vec<Value> = Vec::new();
    for r in p.values("rule") {
        let bad = || Failure::client(format!("rule {r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"));
        let (target, extra) = match r.split_once(',') {
            Some((t, e)) => (t, Some(e)),
            None => (&r[..], None),
        };
        let (hostpath, svc) = target.rsplit_once('=').ok_or_else(bad)?;
        let slash = hostpath.find('/').ok_or_else(bad)?;
        let (host, path) = hostpath.split_at(slash);
        let backend = ingress_backend(svc).ok_or_else(bad)?;
        let (path, kind) = match path.strip_suffix('*') {
            Some(pre) => (pre, "Prefix"),
            None => (path, "Exact"),
        };
        let entry = json!({"backend": backend, "path": path, "pathType": kind});
        match rules.iter_mut().find(|x| x["host"].as_str().unwrap_or_default() == host) {
            Some(rule) => {
                if let Some(paths) = rule["http"]["paths"].as_array_mut() {
                    paths.push(entry);
                }
            }
            None => {
                let mut rule = json!({"http": {"paths": [entry]}});
                if !host.is_empty() {
                    rule["host"] = json!(host);
                }
                rules.push(rule);
            }
        }
        match extra {
            None => {}
            Some(e) if e == "tls" || e.starts_with("tls=") => {
                let secret = e.strip_prefix("tls=").filter(|s| !s.is_empty());
                match tls.iter_mut().find(|t| t["secretName"].as_str() == secret) {
                    Some(t) if !host.is_empty() => {
                        if let Some(h) = t["hosts"].as_array_mut() {
                            h.push(json!(host));
                        }
                    }
                    Some(_) => {}
                    None => {
                        let mut t = json!({});
                        if !host.is_empty() {
                            t["hosts"] = json!([host]);
                        }
                        if let Some(s) = secret {
                            t["secretName"] = json!(s);
                        }
                        tls.push(t);
                    }
                }
            }
            Some(_) => return Err(bad()),
        }
    }
    if rules.is_empty() && p.value("default-backend").is_none() {
        return Err(Failure::client("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)"));
    }
    let mut spec = json!({});
    if let Some(c) = p.value("class") {
        spec["ingressClassName"] = json!(c);
    }
    if let Some(b) = p.value("default-backend") {
        spec["defaultBackend"] = ingress_backend(b).ok_or_else(|| Failure::client(format!("default-backend should be in format servicename:serviceport")))?;
    }
    if !rules.is_empty() {
        spec["rules"] = json!(rules);
    }
    if !tls.is_empty() {
        spec["tls"] = json!(tls);
    }
    let mut meta = json!({"name": name});
    let annotations: Vec<(String, String)> = p.values("annotation").iter().filter_map(|a| key_value(a)).collect();
    if !annotations.is_empty() {
        meta["annotations"] = Value::Object(annotations.into_iter().map(|(k, v)| (k, json!(v))).collect());
    }
    Ok(json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec, "status": {"loadBalancer": {}}}))
}

/// Everything after `--`.
fn command_after_dash(p: &Parsed) -> Vec<String> {
    p.args[p.before_dash..].to_vec()
}

/// kubectl's container name for an image: the last path segment without tag or digest.
fn container_name(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last).to_string()
}

fn key_value(s: &str) -> Option<(String, String)> {
    s.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))
}

fn base64(s: &[u8]) -> String {
    crate::api::base64::encode(s)
}

/// Builds the object for `kubectl create <sub>`; errors wrap the server's as that generator
/// does (`failed to create cronjob: ...`), `None` for bare server errors.
fn build(k: &Kubectl, sub: &str, p: &Parsed) -> Result<(Value, Option<String>), Failure> {
    let meta = |name: &str| json!({"name": name});
    Ok(match sub {
        "namespace" | "ns" => {
            let name = name_arg(p, "namespace", "namespace")?;
            (json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta(&name), "spec": {}, "status": {}}), None)
        }
        "serviceaccount" | "sa" => {
            let name = name_arg(p, "serviceaccount", "serviceaccount")?;
            (json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(&name)}), Some("failed to create serviceaccount: ".into()))
        }
        "configmap" | "cm" => {
            let name = name_arg(p, "configmap", "configmap")?;
            let mut data = Map::new();
            for lit in p.values("from-literal") {
                let Some((k2, v)) = key_value(lit) else { return Err(Failure::client(format!("invalid literal source {lit}, expected key=value"))) };
                data.insert(k2, Value::String(v));
            }
            for f in p.values("from-file") {
                let (key, path) = key_value(f).unwrap_or_else(|| (f.rsplit('/').next().unwrap_or(f).to_string(), f.to_string()));
                let Some(text) = k.files.read(&path) else { return Err(Failure::client(format!("error reading {path}: no such file or directory"))) };
                data.insert(key, Value::String(text.to_string()));
            }
            for f in p.values("from-env-file") {
                let Some(text) = k.files.read(f) else { return Err(Failure::client(format!("error reading {f}: no such file or directory"))) };
                for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                    let (k2, v) = key_value(line).unwrap_or((line.to_string(), String::new()));
                    data.insert(k2, Value::String(v));
                }
            }
            let mut obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(&name)});
            if !data.is_empty() {
                obj["data"] = Value::Object(data);
            }
            (obj, Some("failed to create configmap: ".into()))
        }
        "secret" => {
            let kind = p.args.get(2).cloned().unwrap_or_default();
            if kind == "docker-registry" {
                return docker_registry(p);
            }
            if kind != "generic" {
                return Err(Failure::client(format!("\"kubectl create secret {kind}\" is not available in Hakoniwa yet")));
            }
            let name = match p.args.get(3) {
                Some(n) if p.before_dash > 3 => n.clone(),
                _ => return Err(Failure::Raw("error: NAME is required for secret\nSee 'kubectl create secret generic -h' for help and examples\n".into())),
            };
            let mut data = Map::new();
            for lit in p.values("from-literal") {
                let Some((k2, v)) = key_value(lit) else { return Err(Failure::client(format!("invalid literal source {lit}, expected key=value"))) };
                data.insert(k2, Value::String(base64(v.as_bytes())));
            }
            for f in p.values("from-file") {
                let (key, path) = key_value(f).unwrap_or_else(|| (f.rsplit('/').next().unwrap_or(f).to_string(), f.to_string()));
                let Some(text) = k.files.read(&path) else { return Err(Failure::client(format!("error reading {path}: no such file or directory"))) };
                data.insert(key, Value::String(base64(text.as_bytes())));
            }
            let mut obj = json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta(&name)});
            if !data.is_empty() {
                obj["data"] = Value::Object(data);
            }
            if let Some(t) = p.value("type") {
                obj["type"] = json!(t);
            }
            (obj, Some("failed to create secret ".into()))
        }
        "deployment" | "deploy" => {
            let images = p.values("image");
            if images.is_empty() {
                return Err(Failure::Raw("error: required flag(s) \"image\" not set\n".into()));
            }
            let name = name_arg(p, "deployment", "deployment")?;
            let replicas: i64 = p.value("replicas").unwrap_or("1").parse().map_err(|_| Failure::client("invalid argument for --replicas"))?;
            let cmd = command_after_dash(p);
            let mut containers = Vec::new();
            for img in &images {
                let mut c = json!({"name": container_name(img), "image": img, "resources": {}});
                if let Some(port) = p.value("port") {
                    c["ports"] = json!([{"containerPort": port.parse::<i64>().unwrap_or(0)}]);
                }
                if !cmd.is_empty() {
                    c["command"] = json!(cmd);
                }
                containers.push(c);
            }
            let labels = json!({"app": name});
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}, "strategy": {}}, "status": {}}),
                Some("failed to create deployment: ".into()),
            )
        }
        "service" | "svc" => {
            let ty = p.args.get(2).cloned().unwrap_or_default();
            let (kind, label) = match ty.as_str() {
                "clusterip" => ("ClusterIP", "ClusterIP"),
                "nodeport" => ("NodePort", "NodePort"),
                "loadbalancer" => ("LoadBalancer", "LoadBalancer"),
                "externalname" => ("ExternalName", "ExternalName"),
                other => return Err(Failure::client(format!("unknown service type {other:?}"))),
            };
            let name = match p.args.get(3) {
                Some(n) => n.clone(),
                None => return Err(Failure::Raw(format!("error: NAME is required for {ty}\nSee 'kubectl create service {ty} -h' for help and examples\n"))),
            };
            let mut ports = Vec::new();
            for spec in p.list("tcp") {
                let (port, target) = match spec.split_once(':') {
                    Some((a, b)) => (a.to_string(), b.to_string()),
                    None => (spec.clone(), spec.clone()),
                };
                let port_n: i64 = port.parse().map_err(|_| Failure::client(format!("invalid --tcp value {spec}")))?;
                let port_name = if spec.contains(':') { format!("{port}-{target}") } else { port.clone() };
                let target_v = target.parse::<i64>().map_or(json!(target), |t| json!(t));
                let mut pj = json!({"name": port_name, "protocol": "TCP", "port": port_n, "targetPort": target_v});
                if let Some(np) = p.value("node-port").and_then(|n| n.parse::<i64>().ok()).filter(|n| *n != 0) {
                    pj["nodePort"] = json!(np);
                }
                ports.push(pj);
            }
            let mut spec = json!({"ports": ports, "selector": {"app": name}, "type": kind});
            if kind == "ExternalName" {
                spec = json!({"type": kind, "externalName": p.value("external-name").unwrap_or_default()});
            }
            if let Some(ip) = p.value("clusterip") {
                spec["clusterIP"] = json!(ip);
            }
            (json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": {"app": name}}, "spec": spec, "status": {"loadBalancer": {}}}), Some(format!("failed to create {label} service: ")))
        }
        "ingress" | "ing" => (ingress(p)?, Some("failed to create ingress: ".into())),
        "job" => {
            let name = name_arg(p, "job", "job")?;
            if p.value("from").is_some() {
                return Err(Failure::Raw(String::new()));
            }
            let Some(image) = p.value("image") else { return Err(Failure::client("either --image or --from must be specified")) };
            let cmd = command_after_dash(p);
            let mut c = json!({"name": name, "image": image, "resources": {}});
            if !cmd.is_empty() {
                c["command"] = json!(cmd);
            }
            (json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(&name), "spec": {"template": {"metadata": {}, "spec": {"containers": [c], "restartPolicy": "Never"}}}, "status": {}}), Some("failed to create job: ".into()))
        }
        "cronjob" | "cj" => {
            let missing: Vec<&str> = ["image", "schedule"].into_iter().filter(|f| !p.has(f)).collect();
            if !missing.is_empty() {
                return Err(Failure::Raw(format!("error: required flag(s) {} not set\n", missing.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", "))));
            }
            let name = name_arg(p, "cronjob", "cronjob")?;
            let image = p.value("image").unwrap_or_default();
            let schedule = p.value("schedule").unwrap_or_default();
            let cmd = command_after_dash(p);
            let mut c = json!({"name": name, "image": image, "resources": {}});
            if !cmd.is_empty() {
                c["command"] = json!(cmd);
            }
            let restart = p.value("restart").unwrap_or("OnFailure");
            (
                json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(&name), "spec": {"schedule": schedule, "jobTemplate": {"metadata": {"name": name}, "spec": {"template": {"metadata": {}, "spec": {"containers": [c], "restartPolicy": restart}}}}}, "status": {}}),
                Some("failed to create cronjob: ".into()),
            )
        }
        "rolebinding" | "clusterrolebinding" => {
            let name = name_arg(p, sub, sub)?;
            let role_ref = match (p.value("role"), p.value("clusterrole")) {
                (Some(r), None) => json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": r}),
                (None, Some(r)) => json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": r}),
                _ => return Err(Failure::client("exactly one of clusterrole or role must be specified")),
            };
            let mut subjects = Vec::new();
            for u in p.values("user") {
                subjects.push(json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u}));
            }
            for g in p.values("group") {
                subjects.push(json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g}));
            }
            for sa in p.values("serviceaccount") {
                let Some((ns, n)) = sa.split_once(':') else { return Err(Failure::client("serviceaccount must be <namespace>:<name>".to_string())) };
                subjects.push(json!({"kind": "ServiceAccount", "name": n, "namespace": ns}));
            }
            let kind = if sub == "rolebinding" { "RoleBinding" } else { "ClusterRoleBinding" };
            let mut obj = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(&name), "roleRef": role_ref});
            if !subjects.is_empty() {
                obj["subjects"] = json!(subjects);
            }
            (obj, Some(format!("failed to create {sub}: ")))
        }
        "quota" | "resourcequota" => {
            let name = name_arg(p, "quota", "quota")?;
            let mut hard = Map::new();
            for kv in p.value("hard").unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
                let Some((k2, v)) = key_value(kv) else { return Err(Failure::client(format!("invalid hard value {kv}"))) };
                hard.insert(k2, Value::String(v));
            }
            let mut spec = json!({"hard": hard});
            if let Some(s) = p.value("scopes") {
                spec["scopes"] = json!(s.split(',').collect::<Vec<_>>());
            }
            (json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(&name), "spec": spec, "status": {}}), Some("failed to create quota: ".into()))
        }
        "poddisruptionbudget" | "pdb" => {
            let name = name_arg(p, "poddisruptionbudget", "poddisruptionbudget")?;
            let selector = p.value("selector").unwrap_or_default();
            let mut match_labels = Map::new();
            for kv in selector.split(',').filter(|s| !s.is_empty()) {
                if let Some((k2, v)) = key_value(kv) {
                    match_labels.insert(k2, Value::String(v));
                }
            }
            let int_or = |v: &str| v.parse::<i64>().map_or(json!(v), |n| json!(n));
            let mut spec = json!({"selector": {"matchLabels": match_labels}});
            match (p.value("min-available"), p.value("max-unavailable")) {
                (Some(m), None) => spec["minAvailable"] = int_or(m),
                (None, Some(m)) => spec["maxUnavailable"] = int_or(m),
                _ => return Err(Failure::client("one of min-available or max-unavailable must be specified")),
            }
            (json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(&name), "spec": spec, "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}}), Some("failed to create poddisruptionbudgets: ".into()))
        }
        "priorityclass" | "pc" => {
            let name = name_arg(p, "priorityclass", "priorityclass")?;
            let value: i64 = p.value("value").unwrap_or("0").parse().unwrap_or(0);
            let mut obj = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": meta(&name), "value": value});
            // Both are `omitempty` in the Go type kubectl fills.
            if p.bool("global-default") {
                obj["globalDefault"] = json!(true);
            }
            if let Some(d) = p.value("description").filter(|d| !d.is_empty()) {
                obj["description"] = json!(d);
            }
            obj["preemptionPolicy"] = json!(p.value("preemption-policy").unwrap_or("PreemptLowerPriority"));
            (obj, Some("failed to create priorityclass: ".into()))
        }
        other => return Err(Failure::client(format!("\"kubectl create {other}\" is not available in Hakoniwa yet"))),
    })
}

/// `create secret docker-registry`: a `.dockerconfigjson` with one registry's credentials
/// (Docker Hub's address by default), fields in Docker's order.
fn docker_registry(p: &Parsed) -> Result<(Value, Option<String>), Failure> {
    let name = match p.args.get(3) {
        Some(n) if p.before_dash > 3 => n.clone(),
        _ => return Err(Failure::Raw("error: NAME is required for secret\nSee 'kubectl create secret docker-registry -h' for help and examples\n".into())),
    };
    let (Some(user), Some(pass)) = (p.value("docker-username"), p.value("docker-password")) else {
        return Err(Failure::client("either --from-file or the combination of --docker-username, --docker-password and --docker-server is required"));
    };
    let server = p.value("docker-server").unwrap_or("https://index.docker.io/v1/");
    let q = |x: &str| serde_json::to_string(x).unwrap_or_default();
    let email = p.value("docker-email").filter(|e| !e.is_empty()).map(|e| format!(",\"email\":{}", q(e))).unwrap_or_default();
    let auth = base64(format!("{user}:{pass}").as_bytes());
    let config = format!("{{\"auths\":{{{}:{{\"username\":{},\"password\":{}{email},\"auth\":{}}}}}}}", q(server), q(user), q(pass), q(&auth));
    Ok((
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": {".dockerconfigjson": base64(config.as_bytes())}, "type": "kubernetes.io/dockerconfigjson"}),
        Some("failed to create secret ".into()),
    ))
}

/// The rules of `create role`: each resource's API group from discovery.
fn role_rules(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed) -> Result<Vec<Value>, Failure> {
    let verbs = p.list("verb");
    if verbs.is_empty() {
        return Err(Failure::client("at least one verb must be specified"));
    }
    let names = p.list("resource-name");
    let mut rules: Vec<Value> = Vec::new();
    for res in p.list("resource") {
        let (base, sub) = res.split_once('/').map_or((res.as_str(), None), |(a, b)| (a, Some(b)));
        // `*` (or `*.group`) names every resource and is not looked up.
        let (group, name) = match base.split_once('.') {
            _ if base == "*" => (String::new(), "*".to_string()),
            Some(("*", g)) => (g.to_string(), "*".to_string()),
            _ => {
                let r = k.resolve(api, base).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {base:?}")))?;
                (r.group, r.name)
            }
        };
        let resource = match sub {
            Some(s) => format!("{name}/{s}"),
            None => name,
        };
        match rules.iter_mut().find(|x| x["apiGroups"][0] == json!(group)) {
            Some(rule) => {
                if let Some(a) = rule["resources"].as_array_mut() {
                    a.push(json!(resource));
                }
            }
            None => rules.push(json!({"apiGroups": [group], "resources": [resource], "verbs": verbs})),
        }
    }
    if !names.is_empty() {
        for r in &mut rules {
            r["resourceNames"] = json!(names);
        }
    }
    Ok(rules)
}

pub fn create(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let sub = p.args[1].clone();
    if sub == "token" {
        return create_token(k, api, p, out);
    }
    let (obj, wrap) = if sub == "role" || sub == "clusterrole" {
        let name = name_arg(p, &sub, &sub)?;
        let rules = role_rules(k, api, p)?;
        let kind = if sub == "role" { "Role" } else { "ClusterRole" };
        (json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": name}, "rules": rules}), None)
    } else if sub == "job" && p.value("from").is_some() {
        (job_from_cronjob(k, api, p)?, Some("failed to create job: ".to_string()))
    } else {
        build(k, &sub, p)?
    };
    send(k, api, p, obj, wrap.as_deref(), "kubectl-create", out)
}

fn job_from_cronjob(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed) -> Result<Value, Failure> {
    let name = name_arg(p, "job", "job")?;
    let from = p.value("from").unwrap_or_default();
    let Some((kind, cj_name)) = from.split_once('/') else { return Err(Failure::client(format!("from must be of the form <resource>/<name>, got {from:?}"))) };
    if !matches!(kind, "cronjob" | "cronjobs" | "cj" | "cronjob.batch" | "cronjobs.batch") {
        return Err(Failure::client(format!("unknown object type {kind}")));
    }
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let resp = api.send(&Request::get(&format!("/apis/batch/v1/namespaces/{ns}/cronjobs/{cj_name}", ns = super::paths::segment(&ns), cj_name = super::paths::segment(cj_name))));
    if resp.status >= 400 {
        return Err(Failure::Server(resp.into_value().unwrap_or(Value::Null)));
    }
    let cj = resp.into_value().unwrap_or(Value::Null);
    let mut annotations = cj["spec"]["jobTemplate"]["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
    let mut meta = json!({"name": name, "annotations": annotations,
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cj["metadata"]["name"], "uid": cj["metadata"]["uid"], "controller": true}]});
    if let Some(l) = cj["spec"]["jobTemplate"]["metadata"]["labels"].as_object() {
        meta["labels"] = json!(l);
    }
    Ok(json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": cj["spec"]["jobTemplate"]["spec"], "status": {}}))
}

/// What kubectl v1.33 prints for an object it made itself: each ObjectMeta's zero
/// `creationTimestamp` as `null` (Go's `metav1.Time` is a struct, which `omitempty` keeps).
pub(super) fn mark_unset_timestamps(obj: &mut Value) {
    fn mark(node: &mut Value) {
        if !node.is_object() {
            return;
        }
        if !node["metadata"].is_object() {
            node["metadata"] = json!({});
        }
        if let Some(meta) = node["metadata"].as_object_mut() {
            meta.entry("creationTimestamp").or_insert(Value::Null);
        }
    }
    mark(obj);
    for inner in ["/spec/template", "/spec/jobTemplate", "/spec/jobTemplate/spec/template"] {
        if let Some(node) = obj.pointer_mut(inner) {
            mark(node);
        }
    }
}

/// `--save-config`: the object kubectl made, as Go writes its typed form, in the annotation
/// `kubectl apply` reads (so a later apply can tell what it set).
pub(super) fn save_config(p: &Parsed, obj: &mut Value) {
    if !p.bool("save-config") {
        return;
    }
    let mut typed = obj.clone();
    mark_unset_timestamps(&mut typed);
    let text = format!("{}\n", super::gojson::encode(&typed));
    if !obj["metadata"]["annotations"].is_object() {
        obj["metadata"]["annotations"] = json!({});
    }
    obj["metadata"]["annotations"][super::commands::LAST_APPLIED] = Value::String(text);
}

/// Sends a generated object and prints what kubectl prints.
fn send(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, mut obj: Value, wrap: Option<&str>, manager: &str, out: &mut Output) -> Result<(), Failure> {
    let av = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let Some(r) = k.by_kind(api, &av, &kind) else { return Err(Failure::client(format!("no matches for kind {kind:?} in version {av:?}"))) };
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    // Only `-n` puts the namespace in the object (kubectl's EnforceNamespace); the context's
    // namespace is where it is sent, which a client dry run does not show.
    if r.namespaced && p.has("namespace") {
        obj["metadata"]["namespace"] = json!(ns);
    }
    // `kubectl create service` is the one generator that leaves --save-config unused.
    if kind != "Service" {
        save_config(p, &mut obj);
    }
    check_output(p)?;
    let dry = p.value("dry-run").unwrap_or("none");
    let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
    if dry == "client" {
        mark_unset_timestamps(&mut obj);
        return print_result(p, &r, &name, &obj, "created", " (dry run)", out);
    }
    let mut path = format!("{}?fieldManager={}", r.path(Some(&ns)), p.value("field-manager").unwrap_or(manager));
    if dry == "server" {
        path.push_str("&dryRun=All");
    }
    if manager == "kubectl-create" {
        path.push_str(&format!("&fieldValidation={}", super::commands::field_validation(p)));
    }
    let resp = api.send(&Request::post(&path, obj));
    let status = resp.status;
    let body = resp.into_value().unwrap_or(Value::Null);
    if status >= 400 {
        return Err(match wrap {
            Some(w) => Failure::client(format!("{w}{}", body["message"].as_str().unwrap_or_default())),
            None => Failure::Server(body),
        });
    }
    print_result(p, &r, &name, &body, "created", if dry == "server" { " (server dry run)" } else { "" }, out)
}

/// kubectl checks `-o` before it sends anything: an unknown format or a broken JSONPath
/// creates nothing.
pub(super) fn check_output(p: &Parsed) -> Result<(), Failure> {
    let output = p.value("output").unwrap_or_default();
    let (format, arg) = output.split_once('=').unwrap_or((output, ""));
    match format {
        "" | "yaml" | "json" | "name" | "go-template" | "template" => Ok(()),
        "jsonpath" | "jsonpath-as-json" => super::printers::jsonpath::Template::parse(arg).map(|_| ()).map_err(|e| Failure::client(format!("error parsing jsonpath {arg}, {e}"))),
        other => Err(Failure::client(format!(
            "unable to match a printer suitable for the output format {other:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
        ))),
    }
}

pub(super) fn print_result(p: &Parsed, r: &super::discovery::Resource, name: &str, obj: &Value, verb: &str, suffix: &str, out: &mut Output) -> Result<(), Failure> {
    let mut shown = obj.clone();
    super::printers::hide_managed_fields(&mut shown);
    let output = p.value("output").unwrap_or_default();
    let (format, arg) = output.split_once('=').unwrap_or((output, ""));
    match format {
        "yaml" => out.out(super::printers::to_yaml(&shown)),
        "json" => out.out(super::printers::to_json(&shown)),
        "name" => out.out(format!("{}/{name}\n", r.kind_group())),
        "jsonpath" | "jsonpath-as-json" => {
            let template = super::printers::jsonpath::Template::parse(arg).map_err(|e| Failure::client(format!("error parsing jsonpath {arg}, {e}")))?;
            match template.render(&shown, true) {
                Ok(text) => out.out(text),
                Err(e) => return Err(Failure::client(format!("error executing jsonpath {arg:?}: {e}"))),
            }
        }
        "go-template" | "template" => match super::printers::gotemplate::render(arg, &shown) {
            Ok(text) => out.out(text),
            Err(e) => return Err(Failure::client(format!("error parsing template {arg}, {e}"))),
        },
        "" => out.out(format!("{}/{name} {verb}{suffix}\n", r.kind_group())),
        other => {
            return Err(Failure::client(format!(
                "unable to match a printer suitable for the output format {other:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
            )))
        }
    }
    Ok(())
}

/// `kubectl run NAME --image=IMAGE [-- args...]`.
pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let Some(name) = p.args.get(1).filter(|_| p.before_dash > 1).cloned() else {
        return Err(Failure::Raw("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n".into()));
    };
    let Some(image) = p.value("image") else { return Err(Failure::Raw("error: required flag(s) \"image\" not set\n".into())) };
    let restart = p.value("restart").unwrap_or("Always");
    if !matches!(restart, "Always" | "OnFailure" | "Never") {
        return Err(Failure::Raw(format!("error: invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples\n")));
    }
    let mut labels = Map::new();
    match p.value("labels") {
        Some(l) => {
            for kv in l.split(',').filter(|s| !s.is_empty()) {
                if let Some((k2, v)) = key_value(kv) {
                    labels.insert(k2, json!(v));
                }
            }
        }
        None => {
            labels.insert("run".into(), json!(name));
        }
    }
    let mut c = json!({"name": name, "image": image, "resources": {}});
    let rest = command_after_dash(p);
    if !rest.is_empty() {
        c[if p.bool("command") { "command" } else { "args" }] = json!(rest);
    }
    if let Some(port) = p.value("port") {
        c["ports"] = json!([{"containerPort": port.parse::<i64>().unwrap_or(0)}]);
    }
    let env: Vec<Value> = p.values("env").iter().filter_map(|e| key_value(e)).map(|(k2, v)| json!({"name": k2, "value": v})).collect();
    if !env.is_empty() {
        c["env"] = json!(env);
    }
    if let Some(pp) = p.value("image-pull-policy") {
        c["imagePullPolicy"] = json!(pp);
    }
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}, "spec": {"containers": [c], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"}, "status": {}});
    if let Some(o) = p.value("overrides") {
        let patch: Value = serde_json::from_str(o).map_err(|e| Failure::client(format!("unable to parse overrides: {e}")))?;
        merge_patch(&mut pod, &patch);
    }
    send(k, api, p, pod, None, "kubectl-run", out)
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(pm) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Some(tm) = target.as_object_mut() {
                for (k, v) in pm {
                    if v.is_null() {
                        tm.remove(k);
                    } else {
                        merge_patch(tm.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// `kubectl create token SA [--duration D] [--audience A]...`: a TokenRequest for the service
/// account; prints the token (or the TokenRequest with `-o`).
fn create_token(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let names = &p.args[2..];
    if names.len() != 1 {
        return Err(Failure::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create token -h' for help and examples\n", names.len())));
    }
    let mut spec = json!({"boundObjectRef": null});
    let audiences = p.values("audience");
    if !audiences.is_empty() {
        spec["audiences"] = json!(audiences);
    }
    if let Some(d) = p.value("duration") {
        let Some(dur) = super::rollout::go_duration(d) else {
            return Err(Failure::Raw(format!("error: invalid argument {d:?} for \"--duration\" flag: time: invalid duration {}\nSee 'kubectl create token --help' for usage.\n", crate::api::field::go_quote(d))));
        };
        if dur.as_millis() > 0 {
            spec["expirationSeconds"] = json!(dur.as_millis() / 1000);
        }
    }
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {"creationTimestamp": null}, "spec": spec, "status": {"token": ""}});
    let path = format!("/api/v1/namespaces/{ns}/serviceaccounts/{}/token", names[0], ns = super::paths::segment(&ns));
    let resp = api.send(&Request::post(&path, body));
    let status = resp.status;
    let got = resp.into_value().unwrap_or(Value::Null);
    if status >= 400 {
        // The Status's own message (kubectl's generic server-error wording does not apply).
        return Err(Failure::client(format!("failed to create token: {}", got["message"].as_str().unwrap_or_default())));
    }
    if p.value("output").is_some_and(|o| !o.is_empty()) {
        let r = k.resolve(api, "serviceaccounts").ok_or_else(|| Failure::client("the server doesn't have a resource type \"serviceaccounts\""))?;
        return print_result(p, &r, &names[0], &got, "created", "", out);
    }
    out.out(format!("{}\n", got["status"]["token"].as_str().unwrap_or_default()));
    Ok(())
}
