//! `kubectl kustomize DIR` and `-k DIR`: kustomize's basic fields over the in-memory files —
//! resources (files and other kustomizations), generators (configMapGenerator,
//! secretGenerator, with kustomize's content-hash suffix), patches (strategic merge and
//! JSON 6902), namespace, namePrefix/nameSuffix, commonLabels/labels, commonAnnotations, images
//! and replicas, applied in kustomize's order, names of generated objects followed into the
//! pods that use them, output in kustomize's legacy kind order.

use crate::sort::Order;
use serde_json::{json, Map, Value};

use super::files::clean;
use super::Files;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KustomizeError {
    #[error("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{0}'")]
    NoKustomization(String),
    #[error("{0}")]
    Other(String),
}

/// The result: objects in output order, and warnings for standard error.
pub struct Built {
    pub objects: Vec<Value>,
    pub warnings: Vec<String>,
}

const ORDER_FIRST: &[&str] = &[
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
    "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
const CLUSTER_SCOPED: &[&str] = &["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "Node", "PriorityClass", "IngressClass", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService", "CSIDriver", "RuntimeClass"];

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() || dir == "." {
        rel.to_string()
    } else {
        format!("{}/{rel}", dir.trim_end_matches('/'))
    }
}


fn parse_yaml(text: &str, source: &str) -> Result<Vec<Value>, KustomizeError> {
    let mut out = Vec::new();
    for doc in super::manifests::documents(text) {
        match crate::apiserver::dup::yaml_with_duplicates(&doc) {
            Ok((v, _)) if !v.is_null() => out.push(v),
            Ok(_) => {}
            Err(e) => return Err(KustomizeError::Other(format!("{source}: {e}"))),
        }
    }
    Ok(out)
}

/// Builds the kustomization in `dir`.
pub fn build(files: &Files, dir: &str) -> Result<Built, KustomizeError> {
    let mut warnings = Vec::new();
    let mut objects = build_dir(files, &clean(dir), &mut warnings, 0)?;
    sort_legacy(&mut objects);
    Ok(Built { objects, warnings })
}

fn build_dir(files: &Files, dir: &str, warnings: &mut Vec<String>, depth: usize) -> Result<Vec<Value>, KustomizeError> {
    if depth > 16 {
        return Err(KustomizeError::Other(format!("too many nested kustomizations at '{dir}'")));
    }
    let kfile = ["kustomization.yaml", "kustomization.yml", "Kustomization"].iter().map(|f| join(dir, f)).find(|p| files.read(p).is_some());
    let Some(kfile) = kfile else { return Err(KustomizeError::NoKustomization(if dir.is_empty() { ".".into() } else { dir.to_string() })) };
    let k = parse_yaml(files.read(&kfile).unwrap_or_default(), &kfile)?.into_iter().next().unwrap_or(json!({}));
    let strs = |v: &Value| -> Vec<String> { v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect() };
    // Resources, then generated objects (remembered as needing a hash suffix).
    let mut objects: Vec<Value> = Vec::new();
    for r in strs(&k["resources"]).into_iter().chain(strs(&k["bases"])) {
        let path = clean(&join(dir, &r));
        if let Some(text) = files.read(&path) {
            objects.extend(parse_yaml(text, &path)?);
        } else if files.is_dir(&path) {
            objects.extend(build_dir(files, &path, warnings, depth + 1)?);
        } else {
            return Err(KustomizeError::Other(format!("accumulating resources: accumulation err='accumulating resources from '{r}': open {path}: no such file or directory'")));
        }
    }
    let mut hashed: Vec<(String, String)> = Vec::new();
    for (key, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
        for g in k[key].as_array().into_iter().flatten() {
            let name = g["name"].as_str().unwrap_or_default().to_string();
            let mut data = Map::new();
            for lit in strs(&g["literals"]) {
                let (a, b) = lit.split_once('=').unwrap_or((&lit, ""));
                data.insert(a.to_string(), json!(b.trim_matches('"')));
            }
            for f in strs(&g["files"]) {
                let (key_name, path) = f.split_once('=').map_or_else(|| (f.rsplit('/').next().unwrap_or(&f).to_string(), f.clone()), |(a, b)| (a.to_string(), b.to_string()));
                let text = files.read(&clean(&join(dir, &path))).ok_or_else(|| KustomizeError::Other(format!("evalsymlink failure on '{path}' : lstat {path}: no such file or directory")))?;
                data.insert(key_name, json!(text));
            }
            for f in strs(&g["envs"]).into_iter().chain(g["env"].as_str().map(str::to_string)) {
                let text = files.read(&clean(&join(dir, &f))).ok_or_else(|| KustomizeError::Other(format!("evalsymlink failure on '{f}' : lstat {f}: no such file or directory")))?;
                for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                    let (a, b) = line.split_once('=').unwrap_or((line, ""));
                    data.insert(a.to_string(), json!(b));
                }
            }
            let mut obj = json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}});
            if kind == "Secret" {
                let encoded: Map<String, Value> = data.into_iter().map(|(a, b)| (a, json!(crate::api::base64::encode(b.as_str().unwrap_or_default().as_bytes())))).collect();
                obj["data"] = Value::Object(encoded);
                obj["type"] = json!(g["type"].as_str().unwrap_or("Opaque"));
            } else {
                obj["data"] = Value::Object(data);
            }
            if let Some(l) = g["options"]["labels"].as_object() {
                obj["metadata"]["labels"] = Value::Object(l.clone());
            }
            if let Some(a) = g["options"]["annotations"].as_object() {
                obj["metadata"]["annotations"] = Value::Object(a.clone());
            }
            let no_hash = g["options"]["disableNameSuffixHash"] == true || k["generatorOptions"]["disableNameSuffixHash"] == true;
            if !no_hash {
                hashed.push((kind.to_string(), name.clone()));
            }
            objects.push(obj);
        }
    }
    // Patches, then the rest, in kustomize's transformer order.
    for path in strs(&k["patchesStrategicMerge"]) {
        let text = files.read(&clean(&join(dir, &path))).ok_or_else(|| KustomizeError::Other(format!("open {path}: no such file or directory")))?;
        for patch in parse_yaml(text, &path)? {
            apply_strategic(&mut objects, &patch, &Value::Null);
        }
    }
    for p in k["patches"].as_array().into_iter().flatten() {
        let text = match (p["patch"].as_str(), p["path"].as_str()) {
            (Some(t), _) => t.to_string(),
            (None, Some(path)) => files.read(&clean(&join(dir, path))).map(str::to_string).ok_or_else(|| KustomizeError::Other(format!("open {path}: no such file or directory")))?,
            _ => continue,
        };
        let docs = parse_yaml(&text, "patch")?;
        for d in docs {
            if d.is_array() {
                for o in objects.iter_mut().filter(|o| target_matches(&p["target"], o)) {
                    json_patch(o, &d);
                }
            } else {
                apply_strategic(&mut objects, &d, &p["target"]);
            }
        }
    }
    let mut renames: Vec<(String, String, String)> = Vec::new();
    if let Some(ns) = k["namespace"].as_str() {
        for o in objects.iter_mut().filter(|o| !CLUSTER_SCOPED.contains(&o["kind"].as_str().unwrap_or_default())) {
            o["metadata"]["namespace"] = json!(ns);
        }
    }
    let prefix = k["namePrefix"].as_str().unwrap_or_default();
    let suffix = k["nameSuffix"].as_str().unwrap_or_default();
    if !prefix.is_empty() || !suffix.is_empty() {
        for o in objects.iter_mut().filter(|o| !matches!(o["kind"].as_str(), Some("Namespace" | "CustomResourceDefinition"))) {
            let old = o["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let new = format!("{prefix}{old}{suffix}");
            renames.push((o["kind"].as_str().unwrap_or_default().to_string(), old, new.clone()));
            o["metadata"]["name"] = json!(new);
        }
    }
    if let Some(l) = k["commonLabels"].as_object() {
        warnings.push("# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.".into());
        for o in &mut objects {
            add_labels(o, l, true, true);
        }
    }
    for set in k["labels"].as_array().into_iter().flatten() {
        if let Some(pairs) = set["pairs"].as_object() {
            let sel = set["includeSelectors"] == true;
            let tmpl = sel || set["includeTemplates"] == true;
            for o in &mut objects {
                add_labels(o, pairs, sel, tmpl);
            }
        }
    }
    if let Some(a) = k["commonAnnotations"].as_object() {
        for o in &mut objects {
            add_annotations(o, a);
        }
    }
    for r in k["replicas"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default();
        // Matched by the name the resource had before this kustomization renamed it.
        let renamed = format!("{prefix}{name}{suffix}");
        for o in objects.iter_mut().filter(|o| (o["metadata"]["name"] == name || o["metadata"]["name"] == renamed.as_str()) && matches!(o["kind"].as_str(), Some("Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"))) {
            o["spec"]["replicas"] = r["count"].clone();
        }
    }
    for img in k["images"].as_array().into_iter().flatten() {
        for o in &mut objects {
            set_images(o, img);
        }
    }
    // Content hashes of generated objects, computed as kustomize does (its ConfigMap encoding
    // looks up `metadata/name` as one key, so the name hashes as "").
    for o in objects.iter_mut() {
        let kind = o["kind"].as_str().unwrap_or_default().to_string();
        let name = o["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let generated = hashed.iter().any(|(k2, n)| *k2 == kind && (name == format!("{prefix}{n}{suffix}")));
        if !generated {
            continue;
        }
        let mut m = Map::new();
        m.insert("kind".into(), json!(kind));
        m.insert("name".into(), json!(""));
        m.insert("data".into(), if o["data"].is_object() { o["data"].clone() } else { json!("") });
        if kind == "Secret" {
            m.insert("type".into(), o["type"].clone());
        }
        let encoded = super::printers::to_json(&Value::Object(m)).replace("\n", "");
        let compact = compact_go_json(&encoded);
        let hex = crate::api::sha256::hex(compact.as_bytes());
        let hash: String = hex[..10].chars().map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        }).collect();
        let new = format!("{name}-{hash}");
        renames.push((kind, name, new.clone()));
        o["metadata"]["name"] = json!(new);
    }
    // Pods follow the names of the ConfigMaps and Secrets they use.
    for (kind, old, new) in &renames {
        if kind == "ConfigMap" || kind == "Secret" {
            for o in &mut objects {
                rename_refs(o, kind, old, new);
            }
        }
    }
    Ok(objects)
}

/// Go's compact JSON (json.Marshal) from our pretty output: no spaces outside strings.
fn compact_go_json(pretty: &str) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut escaped = false;
    for c in pretty.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn target_matches(target: &Value, o: &Value) -> bool {
    if target.is_null() {
        return true;
    }
    let check = |key: &str, actual: &Value| target[key].as_str().is_none_or(|want| actual.as_str() == Some(want));
    let group = o["apiVersion"].as_str().and_then(|a| a.split_once('/').map(|(g, _)| g)).unwrap_or_default();
    check("kind", &o["kind"]) && check("name", &o["metadata"]["name"]) && check("namespace", &o["metadata"]["namespace"]) && target["group"].as_str().is_none_or(|g| g == group)
}

fn apply_strategic(objects: &mut [Value], patch: &Value, target: &Value) {
    for o in objects.iter_mut() {
        let same = patch["kind"] == o["kind"] && patch["metadata"]["name"] == o["metadata"]["name"];
        if (target.is_null() && same) || (!target.is_null() && target_matches(target, o)) {
            let mut p = patch.clone();
            if !target.is_null() {
                if let Some(m) = p["metadata"].as_object_mut() {
                    m.remove("name");
                }
            }
            strategic_merge(o, &p);
        }
    }
}

/// A strategic merge for the lists kustomize users patch: containers, volumes, ports and env
/// merge by `name` (ports by `containerPort`); other lists are replaced.
fn strategic_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                    continue;
                }
                let key = match k.as_str() {
                    "containers" | "initContainers" | "volumes" | "env" | "volumeMounts" | "imagePullSecrets" => Some("name"),
                    "ports" => Some("containerPort"),
                    _ => None,
                };
                match (t.get_mut(k), key, v) {
                    (Some(Value::Array(existing)), Some(key), Value::Array(items)) => {
                        // Items new to the list come first, in the patch's order (as kustomize's
                        // strategic merge leaves them); the others merge in place.
                        let mut fresh: Vec<Value> = Vec::new();
                        for item in items {
                            if item["$patch"] == "delete" {
                                existing.retain(|e| e[key] != item[key]);
                            } else if let Some(e) = existing.iter_mut().find(|e| e[key] == item[key]) {
                                strategic_merge(e, item);
                            } else {
                                fresh.push(item.clone());
                            }
                        }
                        fresh.append(existing);
                        *existing = fresh;
                    }
                    (Some(existing), _, _) if existing.is_object() && v.is_object() => strategic_merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn navigate<'a>(v: &'a mut Value, parts: &[String]) -> Option<&'a mut Value> {
    let Some((first, rest)) = parts.split_first() else { return Some(v) };
    let next = match v {
        Value::Object(m) => m.get_mut(first)?,
        Value::Array(a) => a.get_mut(first.parse::<usize>().ok()?)?,
        _ => return None,
    };
    navigate(next, rest)
}

/// JSON patch (RFC 6902): add, remove, replace.
fn json_patch(o: &mut Value, ops: &Value) {
    for op in ops.as_array().into_iter().flatten() {
        let path = op["path"].as_str().unwrap_or_default();
        let parts: Vec<String> = path.split('/').skip(1).map(|p| p.replace("~1", "/").replace("~0", "~")).collect();
        let Some((last, parents)) = parts.split_last() else { continue };
        let Some(cur) = navigate(o, parents) else { continue };
        match (op["op"].as_str().unwrap_or_default(), cur) {
            ("add" | "replace", Value::Object(m)) => {
                m.insert(last.clone(), op["value"].clone());
            }
            ("add", Value::Array(a)) => {
                if last == "-" {
                    a.push(op["value"].clone());
                } else if let Ok(i) = last.parse::<usize>() {
                    if i <= a.len() {
                        a.insert(i, op["value"].clone());
                    }
                }
            }
            ("replace", Value::Array(a)) => {
                if let Some(slot) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                    *slot = op["value"].clone();
                }
            }
            ("remove", Value::Object(m)) => {
                m.remove(last);
            }
            ("remove", Value::Array(a)) => {
                if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < a.len()) {
                    a.remove(i);
                }
            }
            _ => {}
        }
    }
}

fn workload_paths(kind: &str) -> (&'static [&'static [&'static str]], &'static [&'static [&'static str]]) {
    // (selector label maps, template label maps)
    match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" => (&[&["spec", "selector", "matchLabels"]], &[&["spec", "template", "metadata", "labels"]]),
        "ReplicationController" => (&[&["spec", "selector"]], &[&["spec", "template", "metadata", "labels"]]),
        "Job" => (&[], &[&["spec", "template", "metadata", "labels"]]),
        "CronJob" => (&[], &[&["spec", "jobTemplate", "metadata", "labels"], &["spec", "jobTemplate", "spec", "template", "metadata", "labels"]]),
        "Service" => (&[&["spec", "selector"]], &[]),
        _ => (&[], &[]),
    }
}

fn map_at<'a>(o: &'a mut Value, path: &[&str], create: bool) -> Option<&'a mut Map<String, Value>> {
    let mut cur = o;
    for p in path {
        if cur.get(*p).is_none() {
            if !create {
                return None;
            }
            cur[*p] = json!({});
        }
        cur = &mut cur[*p];
    }
    if cur.is_null() && create {
        *cur = json!({});
    }
    cur.as_object_mut()
}

fn add_labels(o: &mut Value, labels: &Map<String, Value>, selectors: bool, templates: bool) {
    let kind = o["kind"].as_str().unwrap_or_default().to_string();
    let (sel, tmpl) = workload_paths(&kind);
    let mut paths: Vec<&[&str]> = vec![&["metadata", "labels"]];
    if selectors {
        paths.extend(sel.iter().copied());
    }
    if templates {
        paths.extend(tmpl.iter().copied());
    }
    for path in paths {
        if let Some(m) = map_at(o, path, true) {
            for (k, v) in labels {
                m.insert(k.clone(), v.clone());
            }
        }
    }
}

fn add_annotations(o: &mut Value, annotations: &Map<String, Value>) {
    let kind = o["kind"].as_str().unwrap_or_default().to_string();
    let mut paths: Vec<&[&str]> = vec![&["metadata", "annotations"]];
    let (_, tmpl) = workload_paths(&kind);
    let annotation_paths: Vec<Vec<&str>> = tmpl.iter().map(|p| {
        let mut v: Vec<&str> = p[..p.len() - 1].to_vec();
        v.push("annotations");
        v
    }).collect();
    for p in &annotation_paths {
        paths.push(p);
    }
    for path in paths {
        if let Some(m) = map_at(o, path, true) {
            for (k, v) in annotations {
                m.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Every pod spec inside an object (looked up without creating anything).
fn pod_specs(o: &mut Value) -> Vec<&mut Value> {
    let kind = o["kind"].as_str().unwrap_or_default().to_string();
    let path: &[&str] = match kind.as_str() {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "ReplicationController" | "PodTemplate" => &["spec", "template", "spec"],
        _ => return Vec::new(),
    };
    let parts: Vec<String> = path.iter().map(|p| p.to_string()).collect();
    navigate(o, &parts).into_iter().collect()
}

/// An array field of an object, if it is there.
fn array_mut<'a>(v: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    v.as_object_mut().and_then(|m| m.get_mut(key)).and_then(Value::as_array_mut).into_iter().flatten()
}

/// A nested field, if every step is there.
fn field_mut<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    let parts: Vec<String> = path.iter().map(|p| p.to_string()).collect();
    navigate(v, &parts)
}

fn set_images(o: &mut Value, img: &Value) {
    let name = img["name"].as_str().unwrap_or_default();
    for spec in pod_specs(o) {
        for list in ["initContainers", "containers"] {
            for c in array_mut(spec, list) {
                let image = c["image"].as_str().unwrap_or_default().to_string();
                let (repo, digest) = image.split_once('@').map_or((image.as_str(), None), |(a, b)| (a, Some(b)));
                let last_slash = repo.rfind('/').map_or(0, |i| i + 1);
                let (repo_name, tag) = match repo[last_slash..].find(':') {
                    Some(i) => (&repo[..last_slash + i], Some(&repo[last_slash + i + 1..])),
                    None => (repo, None),
                };
                if repo_name != name {
                    continue;
                }
                let new_name = img["newName"].as_str().unwrap_or(repo_name);
                let new = if let Some(d) = img["digest"].as_str() {
                    format!("{new_name}@{d}")
                } else if let Some(t) = img["newTag"].as_str().map(str::to_string).or_else(|| img["newTag"].as_i64().map(|n| n.to_string())) {
                    format!("{new_name}:{t}")
                } else {
                    match (tag, digest) {
                        (_, Some(d)) => format!("{new_name}@{d}"),
                        (Some(t), None) => format!("{new_name}:{t}"),
                        (None, None) => new_name.to_string(),
                    }
                };
                c["image"] = json!(new);
            }
        }
    }
}

fn rename_refs(o: &mut Value, kind: &str, old: &str, new: &str) {
    let (vol_path, env_key, from_key): (&[&str], &str, &str) = if kind == "ConfigMap" { (&["configMap", "name"], "configMapKeyRef", "configMapRef") } else { (&["secret", "secretName"], "secretKeyRef", "secretRef") };
    let set = |slot: Option<&mut Value>| {
        if let Some(v) = slot {
            if v == old {
                *v = json!(new);
            }
        }
    };
    for spec in pod_specs(o) {
        for v in array_mut(spec, "volumes") {
            set(field_mut(v, vol_path));
        }
        for list in ["initContainers", "containers"] {
            for c in array_mut(spec, list) {
                for e in array_mut(c, "env") {
                    set(field_mut(e, &["valueFrom", env_key, "name"]));
                }
                for e in array_mut(c, "envFrom") {
                    set(field_mut(e, &[from_key, "name"]));
                }
            }
        }
    }
}

fn sort_legacy(objects: &mut [Value]) {
    let rank = |k: &str| -> usize {
        if let Some(i) = ORDER_FIRST.iter().position(|x| *x == k) {
            i
        } else if let Some(i) = ORDER_LAST.iter().position(|x| *x == k) {
            ORDER_FIRST.len() + 1 + i
        } else {
            ORDER_FIRST.len()
        }
    };
    let key = |o: &Value| {
        let kind = o["kind"].as_str().unwrap_or_default().to_string();
        let av = o["apiVersion"].as_str().unwrap_or_default();
        let (g, v) = av.split_once('/').unwrap_or(("", av));
        (rank(&kind), format!("{g}_{v}_{kind}"), o["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), o["metadata"]["name"].as_str().unwrap_or_default().to_string())
    };
    objects.order_by_key(|o| key(o));
}

/// The YAML stream kustomize prints.
pub fn to_stream(objects: &[Value]) -> String {
    objects.iter().map(super::printers::to_yaml).collect::<Vec<_>>().join("---\n")
}
