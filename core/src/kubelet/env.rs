//! A container's environment as the kubelet makes it: the Service variables of the namespace
//! (when `enableServiceLinks`), then `envFrom`, then `env` in order with `$(VAR)` references to
//! earlier variables, values from the pod's fields, its resources, ConfigMaps and Secrets. A
//! missing ConfigMap, Secret or key that is not optional stops the container with
//! CreateContainerConfigError and the kubelet's message.

use serde_json::Value;

use crate::api::quantity::Quantity;

/// What the kubelet reads from the API server while building the environment.
pub trait Lookup {
    fn config_map(&self, ns: &str, name: &str) -> Option<Value>;
    fn secret(&self, ns: &str, name: &str) -> Option<Value>;
    /// The Services of a namespace (for the link variables), and the `kubernetes` Service.
    fn services(&self, ns: &str) -> Vec<Value>;
}

/// What the container's `fieldRef`s can read beyond the pod object.
pub struct PodFacts<'a> {
    pub pod_ip: &'a str,
    pub host_ip: &'a str,
}

/// `$(VAR)` expanded from the variables defined so far; `$$(VAR)` stays literal, unknown
/// references are kept as written.
pub fn expand(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            if b[i + 1] == b'$' {
                out.push('$');
                i += 2;
                continue;
            }
            if b[i + 1] == b'(' {
                if let Some(end) = text[i + 2..].find(')') {
                    let name = &text[i + 2..i + 2 + end];
                    match vars.iter().rev().find(|(k, _)| k == name) {
                        Some((_, v)) => out.push_str(v),
                        None => out.push_str(&text[i..i + 3 + end]),
                    }
                    i += 3 + end;
                    continue;
                }
            }
        }
        let ch = text[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn service_vars(svc: &Value, out: &mut Vec<(String, String)>) {
    let ip = svc["spec"]["clusterIP"].as_str().unwrap_or_default();
    if ip.is_empty() || ip == "None" {
        return;
    }
    let name = svc["metadata"]["name"].as_str().unwrap_or_default().to_uppercase().replace('-', "_");
    let ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let Some(first) = ports.first() else { return };
    out.push((format!("{name}_SERVICE_HOST"), ip.to_string()));
    out.push((format!("{name}_SERVICE_PORT"), first["port"].to_string()));
    for p in &ports {
        if let Some(pn) = p["name"].as_str().filter(|n| !n.is_empty()) {
            out.push((format!("{name}_SERVICE_PORT_{}", pn.to_uppercase().replace('-', "_")), p["port"].to_string()));
        }
    }
    let proto = |p: &Value| p["protocol"].as_str().unwrap_or("TCP").to_string();
    out.push((format!("{name}_PORT"), format!("{}://{ip}:{}", proto(first).to_lowercase(), first["port"])));
    for p in &ports {
        let (port, pr) = (p["port"].to_string(), proto(p));
        let prefix = format!("{name}_PORT_{port}_{pr}");
        out.push((prefix.clone(), format!("{}://{ip}:{port}", pr.to_lowercase())));
        out.push((format!("{prefix}_PROTO"), pr.to_lowercase()));
        out.push((format!("{prefix}_PORT"), port));
        out.push((format!("{prefix}_ADDR"), ip.to_string()));
    }
}

fn field_ref(pod: &Value, facts: &PodFacts, path: &str) -> String {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    match path {
        "metadata.name" => s(&pod["metadata"]["name"]),
        "metadata.namespace" => s(&pod["metadata"]["namespace"]),
        "metadata.uid" => s(&pod["metadata"]["uid"]),
        "spec.nodeName" => s(&pod["spec"]["nodeName"]),
        "spec.serviceAccountName" => s(&pod["spec"]["serviceAccountName"]),
        "status.podIP" | "status.podIPs" => facts.pod_ip.to_string(),
        "status.hostIP" | "status.hostIPs" => facts.host_ip.to_string(),
        other => {
            // metadata.labels['key'] / metadata.annotations['key']
            for (prefix, key) in [("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")] {
                if let Some(k) = other.strip_prefix(prefix).and_then(|r| r.strip_suffix("']")) {
                    return s(&pod["metadata"][key][k]);
                }
            }
            String::new()
        }
    }
}

fn resource_ref(container: &Value, r: &Value) -> String {
    let resource = r["resource"].as_str().unwrap_or_default();
    let (kind, name) = resource.split_once('.').unwrap_or(("limits", resource));
    let q = container["resources"][kind][name].as_str().and_then(|v| Quantity::parse(v).ok());
    let divisor = r["divisor"].as_str().and_then(|v| Quantity::parse(v).ok());
    match (name, q) {
        ("cpu", Some(q)) => {
            let d = divisor.map_or(1000, |d| d.milli_value().max(1));
            ((q.milli_value() + d - 1) / d).to_string()
        }
        (_, Some(q)) => {
            let d = divisor.map_or(1, |d| d.value().max(1));
            ((q.value() + d - 1) / d).to_string()
        }
        // Without a limit the node's allocatable stands in; the simulation says 0.
        (_, None) => "0".to_string(),
    }
}

fn decode_secret(v: &Value) -> String {
    let text = v.as_str().unwrap_or_default();
    crate::api::base64::decode(text).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// The environment of one container, or the CreateContainerConfigError message.
pub fn resolve(pod: &Value, container: &Value, facts: &PodFacts, lookup: &dyn Lookup) -> Result<Vec<(String, String)>, String> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let mut vars: Vec<(String, String)> = Vec::new();
    let set = |vars: &mut Vec<(String, String)>, k: String, v: String| {
        vars.retain(|(x, _)| *x != k);
        vars.push((k, v));
    };
    // Service links: the namespace's Services, and always the API server's.
    let mut links = Vec::new();
    if pod["spec"]["enableServiceLinks"] != false {
        for svc in lookup.services(ns) {
            if svc["metadata"]["namespace"] == ns || svc["metadata"]["name"] == "kubernetes" {
                service_vars(&svc, &mut links);
            }
        }
    } else {
        for svc in lookup.services(ns).iter().filter(|s| s["metadata"]["name"] == "kubernetes" && s["metadata"]["namespace"] == "default") {
            service_vars(svc, &mut links);
        }
    }
    for (k, v) in links {
        set(&mut vars, k, v);
    }
    for from in container["envFrom"].as_array().into_iter().flatten() {
        let prefix = from["prefix"].as_str().unwrap_or_default();
        let (obj, optional, kind) = if let Some(r) = from.get("configMapRef").filter(|r| !r.is_null()) {
            (lookup.config_map(ns, r["name"].as_str().unwrap_or_default()), r["optional"] == true, ("configmap", r["name"].as_str().unwrap_or_default()))
        } else if let Some(r) = from.get("secretRef").filter(|r| !r.is_null()) {
            (lookup.secret(ns, r["name"].as_str().unwrap_or_default()), r["optional"] == true, ("secret", r["name"].as_str().unwrap_or_default()))
        } else {
            continue;
        };
        match obj {
            Some(o) => {
                let secret = kind.0 == "secret";
                for (k, v) in o["data"].as_object().into_iter().flatten() {
                    let value = if secret { decode_secret(v) } else { v.as_str().unwrap_or_default().to_string() };
                    set(&mut vars, format!("{prefix}{k}"), value);
                }
                if secret {
                    for (k, v) in o["stringData"].as_object().into_iter().flatten() {
                        set(&mut vars, format!("{prefix}{k}"), v.as_str().unwrap_or_default().to_string());
                    }
                }
            }
            None if optional => {}
            None => return Err(format!("{} \"{}\" not found", kind.0, kind.1)),
        }
    }
    for e in container["env"].as_array().into_iter().flatten() {
        let name = e["name"].as_str().unwrap_or_default().to_string();
        let value = if let Some(v) = e["value"].as_str() {
            expand(v, &vars)
        } else if let Some(from) = e.get("valueFrom").filter(|v| !v.is_null()) {
            if let Some(f) = from.get("fieldRef").filter(|v| !v.is_null()) {
                field_ref(pod, facts, f["fieldPath"].as_str().unwrap_or_default())
            } else if let Some(r) = from.get("resourceFieldRef").filter(|v| !v.is_null()) {
                let target = match r["containerName"].as_str().filter(|n| !n.is_empty()) {
                    Some(n) => pod["spec"]["containers"].as_array().into_iter().flatten().find(|c| c["name"] == n).cloned().unwrap_or(Value::Null),
                    None => container.clone(),
                };
                resource_ref(&target, r)
            } else if let Some(r) = from.get("configMapKeyRef").filter(|v| !v.is_null()) {
                let (cm, key) = (r["name"].as_str().unwrap_or_default(), r["key"].as_str().unwrap_or_default());
                match lookup.config_map(ns, cm) {
                    Some(o) => match o["data"][key].as_str() {
                        Some(v) => v.to_string(),
                        None if r["optional"] == true => continue,
                        None => return Err(format!("couldn't find key {key} in ConfigMap {ns}/{cm}")),
                    },
                    None if r["optional"] == true => continue,
                    None => return Err(format!("configmap \"{cm}\" not found")),
                }
            } else if let Some(r) = from.get("secretKeyRef").filter(|v| !v.is_null()) {
                let (sn, key) = (r["name"].as_str().unwrap_or_default(), r["key"].as_str().unwrap_or_default());
                match lookup.secret(ns, sn) {
                    Some(o) => match o["data"].get(key) {
                        Some(v) => decode_secret(v),
                        None if r["optional"] == true => continue,
                        None => return Err(format!("couldn't find key {key} in Secret {ns}/{sn}")),
                    },
                    None if r["optional"] == true => continue,
                    None => return Err(format!("secret \"{sn}\" not found")),
                }
            } else {
                String::new()
            }
        } else {
            String::new()
        };
        set(&mut vars, name, value);
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fake;
    impl Lookup for Fake {
        fn config_map(&self, _: &str, name: &str) -> Option<Value> {
            (name == "app").then(|| json!({"data": {"MODE": "debug", "LEVEL": "3"}}))
        }
        fn secret(&self, _: &str, name: &str) -> Option<Value> {
            (name == "db").then(|| json!({"data": {"password": "c2VjcmV0"}}))
        }
        fn services(&self, _: &str) -> Vec<Value> {
            vec![json!({"metadata": {"name": "kubernetes", "namespace": "default"}, "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}})]
        }
    }

    #[test]
    fn variables_refs_and_errors() {
        let pod = json!({"metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}}, "spec": {"nodeName": "kind-worker"}});
        let facts = PodFacts { pod_ip: "10.244.1.2", host_ip: "172.18.0.2" };
        let c = json!({"env": [
            {"name": "A", "value": "one"},
            {"name": "B", "value": "$(A)-two $$(A) $(NOPE)"},
            {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
            {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
            {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        ], "envFrom": [{"configMapRef": {"name": "app"}, "prefix": "CM_"}]});
        let env = resolve(&pod, &c, &facts, &Fake).unwrap();
        let get = |k: &str| env.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        assert_eq!(get("B"), Some("one-two $(A) $(NOPE)"));
        assert_eq!(get("NODE"), Some("kind-worker"));
        assert_eq!(get("APP"), Some("web"));
        assert_eq!(get("PW"), Some("secret"));
        assert_eq!(get("CM_MODE"), Some("debug"));
        assert_eq!(get("KUBERNETES_SERVICE_HOST"), Some("10.96.0.1"));
        assert_eq!(get("KUBERNETES_PORT_443_TCP"), Some("tcp://10.96.0.1:443"));
        let missing = json!({"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "NOPE"}}}]});
        assert_eq!(resolve(&pod, &missing, &facts, &Fake), Err("couldn't find key NOPE in ConfigMap default/app".to_string()));
        let gone = json!({"envFrom": [{"secretRef": {"name": "nope"}}]});
        assert_eq!(resolve(&pod, &gone, &facts, &Fake), Err("secret \"nope\" not found".to_string()));
    }
}
