//! Nothing the API server is sent makes it panic: random bodies, random mutations of valid
//! objects, random paths and queries, for every served resource. Seeded, so failures repeat.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::sim::rng::Rng;
use hakoniwa_core::{Cluster, Timestamp};
use serde_json::{json, Map, Value};

const WORDS: &[&str] = &[
    "metadata", "name", "namespace", "labels", "annotations", "spec", "status", "containers", "image", "ports", "containerPort", "replicas",
    "selector", "matchLabels", "matchExpressions", "template", "volumes", "volumeMounts", "env", "valueFrom", "resources", "limits",
    "requests", "cpu", "memory", "type", "clusterIP", "nodePort", "targetPort", "port", "protocol", "data", "stringData", "rules", "http",
    "paths", "backend", "service", "strategy", "rollingUpdate", "maxSurge", "maxUnavailable", "schedule", "jobTemplate", "restartPolicy",
    "hard", "limits", "accessModes", "capacity", "storageClassName", "roleRef", "subjects", "verbs", "apiGroups", "minAvailable",
    "finalizers", "ownerReferences", "generateName", "deletionTimestamp", "resourceVersion", "uid", "kind", "apiVersion", "tolerations",
    "key", "operator", "values", "effect", "nodeSelector", "affinity", "livenessProbe", "httpGet", "exec", "command", "args", "emptyDir",
    "configMap", "secret", "items", "path", "mode", "defaultMode", "hostPath", "persistentVolumeClaim", "claimName", "updateStrategy",
];

fn random_string(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => WORDS[rng.below(WORDS.len() as u64) as usize].to_string(),
        1 => String::new(),
        2 => "x".repeat(rng.below(300) as usize),
        3 => ["-1", "1.5", "500m", "1Gi", "∞", "a/b", "..", "None", "10.96.0.1", "é漢字", "\u{0}", "%2F", "*"][rng.below(13) as usize].to_string(),
        4 => {
            let n = 1 + rng.below(10) as usize;
            rng.name_suffix(n)
        }
        _ => format!("{}", rng.next_u64()),
    }
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    let pick = if depth > 5 { rng.below(4) } else { rng.below(7) };
    match pick {
        0 => Value::Null,
        1 => json!(rng.below(3) == 0),
        2 => match rng.below(4) {
            0 => json!(-(rng.below(100_000) as i64)),
            1 => json!(rng.next_u64()),
            2 => json!(0.5),
            _ => json!(rng.below(70_000)),
        },
        3 => Value::String(random_string(rng)),
        4 => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(6) {
                m.insert(WORDS[rng.below(WORDS.len() as u64) as usize].to_string(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// Replaces, deletes or adds one field somewhere in `v`.
fn mutate(rng: &mut Rng, v: &mut Value, depth: u32) {
    match v {
        Value::Object(m) if !m.is_empty() && depth < 8 => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[rng.below(keys.len() as u64) as usize];
            match rng.below(5) {
                0 => {
                    m.remove(k);
                }
                1 => {
                    m.insert(k.clone(), random_value(rng, depth));
                }
                2 => {
                    m.insert(WORDS[rng.below(WORDS.len() as u64) as usize].to_string(), random_value(rng, depth));
                }
                _ => {
                    if let Some(child) = m.get_mut(k) {
                        mutate(rng, child, depth + 1);
                    }
                }
            }
        }
        Value::Array(a) if !a.is_empty() && depth < 8 => {
            let i = rng.below(a.len() as u64) as usize;
            mutate(rng, &mut a[i], depth + 1);
        }
        other => *other = random_value(rng, depth),
    }
}

fn seeds() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80}], "resources": {"limits": {"cpu": "1"}}, "volumeMounts": [{"name": "v", "mountPath": "/v"}],
            "livenessProbe": {"httpGet": {"port": 80}}, "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}],
            "volumes": [{"name": "v", "configMap": {"name": "c", "items": [{"key": "k", "path": "p"}]}}], "tolerations": [{"key": "k", "operator": "Exists"}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "a"}},
            "strategy": {"rollingUpdate": {"maxSurge": "50%"}}, "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "NodePort", "selector": {"app": "a"}, "ports": [{"port": 80, "targetPort": "http"}]}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"}, "spec": {"schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}, "spec": {"rules": [{"host": "a.example.com",
            "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}]}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "3", "requests.cpu": "2"}}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "YQ==", "tls.key": "Yg=="}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"}, "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "default"}]}),
    ]
}

fn collection(c: &Cluster, obj: &Value) -> Option<String> {
    let (g, v) = hakoniwa_core::api::meta::split_api_version(obj["apiVersion"].as_str()?);
    let info = c.api_ref().registry().by_kind(g, v, obj["kind"].as_str()?)?;
    let prefix = if g.is_empty() { format!("/api/{v}") } else { format!("/apis/{g}/{v}") };
    Some(if info.namespaced { format!("{prefix}/namespaces/default/{}", info.resource) } else { format!("{prefix}/{}", info.resource) })
}

#[test]
fn random_bodies_and_mutations_never_panic() {
    let mut rng = Rng::seeded(20261125);
    let mut c = booted();
    let paths: Vec<String> = c
        .api_ref()
        .registry()
        .all()
        .map(|r| {
            let prefix = if r.group.is_empty() { format!("/api/{}", r.version) } else { format!("/apis/{}/{}", r.group, r.version) };
            if r.namespaced { format!("{prefix}/namespaces/default/{}", r.resource) } else { format!("{prefix}/{}", r.resource) }
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for round in 0..20_000 {
        let path = paths[rng.below(paths.len() as u64) as usize].clone();
        let req = match round % 4 {
            0 => Request::post(&path, random_value(&mut rng, 0)),
            1 => {
                let seed = seeds()[rng.below(8) as usize].clone();
                let mut m = seed.clone();
                for _ in 0..1 + rng.below(4) {
                    mutate(&mut rng, &mut m, 0);
                }
                let target = collection(&c, &seed).unwrap_or(path);
                let method = [Method::Post, Method::Put][rng.below(2) as usize];
                let target = if method == Method::Put { format!("{target}/{}", m["metadata"]["name"].as_str().unwrap_or("x")) } else { target };
                Request::new(method, &target).with_object(m).with_query("fieldValidation", ["Strict", "Warn", "Ignore", "Bogus"][rng.below(4) as usize])
            }
            2 => {
                let alphabet: &[u8] = b"{}[]\":,aZ09- \n\t&*!|>#";
                let bytes: Vec<u8> = (0..rng.below(200)).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
                let ct = ["application/json", "application/yaml", "text/plain", ""][rng.below(4) as usize];
                Request::new(Method::Post, &path).with_bytes(ct, bytes)
            }
            _ => {
                let q = format!(
                    "{path}/{}?labelSelector={}&fieldSelector={}&limit={}&continue={}&watch={}&resourceVersion={}",
                    random_string(&mut rng),
                    hakoniwa_core::apiserver::request::percent_encode(&random_string(&mut rng)),
                    hakoniwa_core::apiserver::request::percent_encode(&random_string(&mut rng)),
                    random_string(&mut rng),
                    random_string(&mut rng),
                    ["", "1", "true", "false"][rng.below(4) as usize],
                    random_string(&mut rng)
                );
                let method = [Method::Get, Method::Delete, Method::Put, Method::Patch][rng.below(4) as usize];
                Request::new(method, &q)
            }
        };
        let resp = c.api().handle(&req);
        assert!((200..600).contains(&resp.status), "status {} for {req:?}", resp.status);
        *statuses.entry(resp.status).or_insert(0) += 1;
    }
    eprintln!("statuses: {statuses:?}");
    // The mix reached both successes and many kinds of refusals.
    assert!(statuses.keys().any(|s| *s < 300), "{statuses:?}");
    assert!(statuses.len() >= 5, "{statuses:?}");
}

const SCHEMA_WORDS: &[&str] = &[
    "type", "properties", "items", "additionalProperties", "required", "enum", "default", "minimum", "maximum", "pattern", "minLength",
    "maxLength", "minItems", "maxItems", "nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "multipleOf", "format", "object", "array",
    "string", "integer", "number", "boolean", "spec", "status", "size", "tags", "^[a-z]{2,3}$", "(a|b", "map", "set",
];

/// Replaces, deletes or adds one schema keyword somewhere in a schema.
fn mutate_schema(rng: &mut Rng, v: &mut Value, depth: u32) {
    let word = |rng: &mut Rng| SCHEMA_WORDS[rng.below(SCHEMA_WORDS.len() as u64) as usize].to_string();
    match v {
        Value::Object(m) if !m.is_empty() && depth < 10 && rng.below(3) > 0 => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = keys[rng.below(keys.len() as u64) as usize].clone();
            if let Some(child) = m.get_mut(&k) {
                mutate_schema(rng, child, depth + 1);
            }
        }
        Value::Object(m) => {
            let value = match rng.below(5) {
                0 => Value::String(word(rng)),
                1 => json!({"type": word(rng), "default": random_value(rng, 3)}),
                2 => json!([word(rng), word(rng)]),
                3 => random_value(rng, 2),
                _ => json!(rng.below(5) as i64 - 1),
            };
            m.insert(word(rng), value);
        }
        other => *other = random_value(rng, 3),
    }
}

#[test]
fn random_crds_and_custom_resources_never_panic() {
    let mut rng = Rng::seeded(20261126);
    let mut c = booted();
    let crd_path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "size": {"type": "integer", "minimum": 1, "default": 2},
        "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "x-kubernetes-list-type": "set"},
        "parts": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "n": {"x-kubernetes-int-or-string": true}}}, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
        "extra": {"type": "object", "additionalProperties": {"type": "string", "enum": ["a", "b"]}},
    }}, "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}});
    let crd = |schema: &Value| json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "things.fuzz.example.com"},
        "spec": {"group": "fuzz.example.com", "scope": "Namespaced", "names": {"plural": "things", "kind": "Thing", "shortNames": ["th"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": schema},
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size"}},
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}, {"name": "Tags", "type": "string", "jsonPath": ".spec.tags"}]}]}});
    let thing = json!({"apiVersion": "fuzz.example.com/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": {"size": 3, "tags": ["a"], "parts": [{"name": "p", "n": 1}], "extra": {"k": "a"}}});
    let things = "/apis/fuzz.example.com/v1/namespaces/default/things";
    let mut statuses = std::collections::BTreeMap::new();
    for round in 0..3_000 {
        let req = match round % 50 {
            0 => {
                let mut s = schema.clone();
                for _ in 0..rng.below(4) {
                    mutate_schema(&mut rng, &mut s, 0);
                }
                let mut body = crd(&s);
                if rng.below(4) == 0 {
                    mutate(&mut rng, &mut body, 0);
                }
                let r = c.api().handle(&Request::post(crd_path, body.clone()));
                if r.status == 409 {
                    Request::put(&format!("{crd_path}/things.fuzz.example.com"), body)
                } else {
                    if r.status >= 300 {
                        // Refused: the plain definition, so the rounds that follow reach it.
                        c.api().handle(&Request::post(crd_path, crd(&schema)));
                    }
                    c.settle();
                    continue;
                }
            }
            49 if rng.below(3) == 0 => Request::delete(&format!("{crd_path}/things.fuzz.example.com")),
            _ => {
                let mut m = thing.clone();
                m["metadata"]["name"] = json!(format!("t{}", rng.below(5)));
                for _ in 0..rng.below(4) {
                    mutate(&mut rng, &mut m, 0);
                }
                let name = m["metadata"]["name"].as_str().unwrap_or("x").to_string();
                let ct = ["application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"][rng.below(4) as usize];
                match rng.below(7) {
                    0 => Request::put(&format!("{things}/{name}"), m),
                    1 => Request::new(Method::Patch, &format!("{things}/{name}?fieldManager=fuzz")).with_bytes(ct, serde_json::to_vec(&m).unwrap()),
                    2 => Request::new(Method::Patch, &format!("{things}/{name}/status")).with_bytes("application/merge-patch+json", serde_json::to_vec(&m).unwrap()),
                    3 => Request::put(&format!("{things}/{name}/scale"), json!({"spec": {"replicas": random_value(&mut rng, 4)}})),
                    4 => Request::get(&format!("{things}/{name}/scale")),
                    5 => Request::get(things).with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io"),
                    _ => Request::post(things, m).with_query("fieldValidation", ["Strict", "Warn", "Ignore"][rng.below(3) as usize]),
                }
            }
        };
        let resp = c.api().handle(&req);
        assert!((200..600).contains(&resp.status), "status {} for {req:?}", resp.status);
        *statuses.entry(resp.status).or_insert(0) += 1;
        if round % 10 == 0 {
            c.settle();
        }
    }
    eprintln!("statuses: {statuses:?}");
    assert!(statuses.keys().any(|s| *s < 300) && statuses.contains_key(&422) && statuses.contains_key(&404), "{statuses:?}");
}

/// A kind cluster booted once per test binary; each test works on its own fork.
fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}
