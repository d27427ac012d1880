//! Commands that change an object in place through PATCH: `patch`, `set image`, `taint`.

use serde_json::{json, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::{get, Failure, Kubectl, Output, Transport};

pub const PATCH_FLAGS: &[Flag] = &[
    flag("patch", Some('p'), Takes::Value),
    flag("patch-file", None, Takes::Value),
    flag("type", None, Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("kustomize", Some('k'), Takes::Value),
    flag("local", None, Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("subresource", None, Takes::Value),
    flag("allow-missing-template-keys", None, Takes::Bool),
    flag("show-managed-fields", None, Takes::Bool),
    flag("template", None, Takes::Value),
];

pub const SET_FLAGS: &[Flag] = &[
    flag("all", None, Takes::Bool),
    flag("selector", Some('l'), Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("local", None, Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("containers", Some('c'), Takes::Value),
    flag("env", Some('e'), Takes::Values),
    flag("from", None, Takes::Value),
    flag("limits", None, Takes::Value),
    flag("requests", None, Takes::Value),
    flag("overwrite", None, Takes::Bool),
    flag("resolve", None, Takes::Bool),
    flag("list", None, Takes::Bool),
    flag("keys", None, Takes::Values),
    flag("prefix", None, Takes::Value),
];

pub const TAINT_FLAGS: &[Flag] = &[
    flag("all", None, Takes::Bool),
    flag("selector", Some('l'), Takes::Value),
    flag("overwrite", None, Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("validate", None, Takes::Value),
];


/// The one object `TYPE NAME` or `TYPE/NAME` names.
fn one_object(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, args: &[String]) -> Result<Vec<(super::discovery::Resource, String)>, Failure> {
    let (targets, _) = get::targets(k, api, args)?;
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let mut out = Vec::new();
    for t in targets {
        if t.names.is_empty() {
            return Err(Failure::client("resource(s) were provided, but no name was specified"));
        }
        for n in t.names {
            out.push((t.resource.clone(), t.resource.object_path(Some(&ns), &n)));
        }
    }
    Ok(out)
}

pub fn patch(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let text = match (p.value("patch"), p.value("patch-file")) {
        (Some(t), _) => t.to_string(),
        (None, Some(f)) => k.files.read(f).map(str::to_string).ok_or_else(|| Failure::client(format!("unable to read patch file: open {f}: no such file or directory")))?,
        (None, None) => return Err(Failure::client("must specify --patch or --patch-file containing the contents of the patch")),
    };
    let content_type = match p.value("type").unwrap_or("strategic") {
        "strategic" => "application/strategic-merge-patch+json",
        "merge" => "application/merge-patch+json",
        "json" => "application/json-patch+json",
        other => return Err(Failure::client(format!("--type must be one of [json merge strategic], not {other:?}"))),
    };
    let body: Value = match crate::apiserver::dup::yaml_with_duplicates(&text) {
        Ok((v, _)) => v,
        Err(e) => return Err(Failure::client(format!("unable to parse {text:?}: {e}"))),
    };
    for (r, path) in one_object(k, api, p, &p.args[1..])? {
        let before = super::get_object(api, &path)?;
        let target = match p.value("subresource") {
            Some(s) => format!("{path}/{s}"),
            None => path.clone(),
        };
        let after = super::send_ok(api, &super::patch_request(&format!("{}?fieldManager={}", target, p.value("field-manager").unwrap_or("kubectl-patch")), content_type, &body)).map_err(|f| match f {
            // A kind without patch strategies (a custom resource): kubectl names the type.
            Failure::Server(s) if s["reason"] == "UnsupportedMediaType" => {
                Failure::client(format!("{content_type} is not supported by {}, Kind={}: {}", r.api_version(), r.kind, s["message"].as_str().unwrap_or_default()))
            }
            other => other,
        })?;
        let name = after["metadata"]["name"].as_str().unwrap_or_default();
        let unchanged = before["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"];
        out.out(format!("{}/{name} patched{}\n", r.kind_group(), if unchanged { " (no change)" } else { "" }));
    }
    Ok(())
}

/// `kubectl set image TYPE/NAME container=image...`.
pub fn set(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let what = p.args.get(1).map(String::as_str).unwrap_or_default();
    if what == "resources" {
        return set_resources(k, api, p, out);
    }
    if what != "image" {
        return Err(Failure::client(format!("\"kubectl set {what}\" is not available in Hakoniwa yet")));
    }
    let words = &p.args[2..];
    let split = words.iter().position(|w| w.contains('=')).unwrap_or(words.len());
    let (targets, images) = words.split_at(split);
    if images.is_empty() {
        return Err(Failure::client("at least one image update is required"));
    }
    for (r, path) in one_object(k, api, p, targets)? {
        let cur = super::get_object(api, &path)?;
        let spec_path = pod_spec_path(&r.kind);
        let spec = at_path(&cur, spec_path);
        let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
        for kv in images {
            let (cname, image) = kv.split_once('=').unwrap_or((kv, ""));
            let mut found = false;
            for list in ["initContainers", "containers"] {
                let mut patched: Vec<Value> = Vec::new();
                for c in spec[list].as_array().into_iter().flatten() {
                    if cname == "*" || c["name"] == cname {
                        patched.push(json!({"image": image, "name": c["name"]}));
                        found = true;
                    }
                }
                if !patched.is_empty() {
                    match changes.iter_mut().find(|(l, _)| l == list) {
                        Some((_, v)) => v.extend(patched),
                        None => changes.push((list.to_string(), patched)),
                    }
                }
            }
            if !found {
                return Err(Failure::client(format!("unable to find container named {cname:?}")));
            }
        }
        let mut inner = serde_json::Map::new();
        for (list, items) in changes {
            inner.insert(list, Value::Array(items));
        }
        let mut body = Value::Object(inner);
        for key in spec_path.iter().rev() {
            body = json!({ *key: body });
        }
        // kubectl says what it was doing when the server refuses.
        super::send_ok(api, &super::patch_request(&format!("{}?fieldManager={}", path, p.value("field-manager").unwrap_or("kubectl-set")), "application/strategic-merge-patch+json", &body)).map_err(|f| match f {
            Failure::Server(s) => Failure::client(format!("failed to patch image update to pod template: {}", s["message"].as_str().unwrap_or_default())),
            other => other,
        })?;
        out.out(format!("{}/{} image updated\n", r.kind_group(), cur["metadata"]["name"].as_str().unwrap_or_default()));
    }
    Ok(())
}

/// One taint argument: `key=value:Effect`, `key:Effect`, or with `-` to remove (`key-` too).
fn parse_taint(spec: &str) -> Result<(Value, bool), Failure> {
    let (body, remove) = match spec.strip_suffix('-') {
        Some(b) => (b, true),
        None => (spec, false),
    };
    let (kv, effect) = match body.rsplit_once(':') {
        Some((a, e)) => (a, Some(e)),
        None => (body, None),
    };
    let (key, value) = kv.split_once('=').map_or((kv, None), |(k, v)| (k, Some(v)));
    if !remove && effect.is_none() {
        return Err(Failure::client(format!("invalid taint spec: {spec}, unknown taint spec: {spec}")));
    }
    if let Some(e) = effect {
        if !matches!(e, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            return Err(Failure::client(format!("invalid taint effect: {e}, unsupported taint effect")));
        }
    }
    let mut t = json!({"key": key});
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        t["value"] = json!(v);
    }
    if let Some(e) = effect {
        t["effect"] = json!(e);
    }
    Ok((t, remove))
}

pub fn taint(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let words = &p.args[1..];
    if words.first().is_some_and(|w| !matches!(w.as_str(), "node" | "nodes" | "no") && !w.starts_with("node/") && !w.starts_with("nodes/")) {
        return Err(Failure::client(format!("invalid resource type {}, only node types are supported", words[0])));
    }
    let split = words.iter().position(|w| w.contains('=') || w.contains(':') || w.ends_with('-')).unwrap_or(words.len());
    let (targets, specs) = words.split_at(split);
    if specs.is_empty() {
        return Err(Failure::client("at least one taint update is required"));
    }
    let mut changes = Vec::new();
    for s in specs {
        changes.push(parse_taint(s)?);
    }
    let _ = k;
    let names: Vec<String> = if targets.len() == 1 && targets[0].contains('/') {
        vec![targets[0].split_once('/').map(|(_, n)| n.to_string()).unwrap_or_default()]
    } else {
        targets[1..].to_vec()
    };
    for name in names {
        let path = format!("/api/v1/nodes/{name}", name = super::paths::segment(&name));
        let cur = super::get_object(api, &path)?;
        let mut taints: Vec<Value> = cur["spec"]["taints"].as_array().cloned().unwrap_or_default();
        let mut verb = "tainted";
        for (t, remove) in &changes {
            let same = |x: &Value| x["key"] == t["key"] && (t["effect"].is_null() || x["effect"] == t["effect"]);
            if *remove {
                let before = taints.len();
                taints.retain(|x| !same(x));
                if taints.len() == before {
                    let shown = match t["effect"].as_str() {
                        Some(e) => format!("{}:{e}", t["key"].as_str().unwrap_or_default()),
                        None => t["key"].as_str().unwrap_or_default().to_string(),
                    };
                    return Err(Failure::client(format!("taint {shown:?} not found")));
                }
                verb = "untainted";
            } else if let Some(existing) = taints.iter_mut().find(|x| same(x)) {
                if !p.bool("overwrite") {
                    return Err(Failure::client(format!("node {name} already has {} taint(s) with same effect(s) and --overwrite is false", t["key"].as_str().unwrap_or_default())));
                }
                *existing = t.clone();
                verb = "modified";
            } else {
                taints.push(t.clone());
            }
        }
        let body = json!({"spec": {"taints": if taints.is_empty() { Value::Null } else { Value::Array(taints) }}});
        let mut req = super::patch_request(&format!("{}?fieldManager={}", path, p.value("field-manager").unwrap_or("kubectl-taint")), "application/strategic-merge-patch+json", &body);
        req = req.with_query("fieldValidation", "Strict");
        super::send_ok(api, &req)?;
        out.out(format!("node/{name} {verb}\n"));
    }
    Ok(())
}

/// `kubectl set resources TYPE NAME --limits=cpu=1 --requests=...`: the named resources of the
/// selected containers (`-c`, all by default) of each pod template, as one strategic merge
/// patch; an object that would not change is left alone and not mentioned.
fn set_resources(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let (limits, requests) = (p.value("limits").unwrap_or_default(), p.value("requests").unwrap_or_default());
    if limits.is_empty() && requests.is_empty() {
        return Err(Failure::client("you must specify an update to requests or limits (in the form of --requests/--limits)"));
    }
    let parse = |text: &str| -> Result<Vec<(String, String)>, Failure> {
        let mut list = Vec::new();
        for pair in text.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| Failure::client(format!("invalid argument syntax {pair}, expected <resource>=<value>")))?;
            let q = crate::api::quantity::Quantity::parse(v).map_err(|_| Failure::client("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))?;
            list.push((k.to_string(), q.to_string()));
        }
        Ok(list)
    };
    let (limits, requests) = (parse(limits)?, parse(requests)?);
    let selector = p.value("containers").unwrap_or("*");
    let mut errors: Vec<String> = Vec::new();
    for (r, path) in one_object(k, api, p, &p.args[2..])? {
        let cur = super::get_object(api, &path)?;
        let spec_path = pod_spec_path(&r.kind);
        let spec = at_path(&cur, spec_path);
        let mut changes = serde_json::Map::new();
        let mut any = false;
        for list in ["initContainers", "containers"] {
            let mut patched: Vec<Value> = Vec::new();
            for c in spec[list].as_array().into_iter().flatten() {
                let name = c["name"].as_str().unwrap_or_default();
                // Go's filepath.Match: the shell's patterns (`*`, `?`, `[...]`).
                if !crate::kubelet::shell::glob_match(selector, name) {
                    continue;
                }
                any = true;
                let mut res = serde_json::Map::new();
                for (part, given) in [("limits", &limits), ("requests", &requests)] {
                    let changed: serde_json::Map<String, Value> = given.iter().filter(|(k, v)| c["resources"][part][k.as_str()].as_str() != Some(v.as_str())).map(|(k, v)| (k.clone(), json!(v))).collect();
                    if !changed.is_empty() {
                        res.insert(part.to_string(), Value::Object(changed));
                    }
                }
                if !res.is_empty() {
                    patched.push(json!({"name": name, "resources": res}));
                }
            }
            if !patched.is_empty() {
                changes.insert(list.to_string(), Value::Array(patched));
            }
        }
        if !any {
            errors.push(format!("unable to find container named {selector}"));
            continue;
        }
        if changes.is_empty() {
            continue;
        }
        let mut body = Value::Object(changes);
        for key in spec_path.iter().rev() {
            body = json!({ *key: body });
        }
        let req = super::patch_request(&format!("{}?fieldManager={}", path, p.value("field-manager").unwrap_or("kubectl-set")), "application/strategic-merge-patch+json", &body);
        match super::send_ok(api, &req) {
            Ok(_) => out.out(format!("{}/{} resource requirements updated\n", r.kind_group(), cur["metadata"]["name"].as_str().unwrap_or_default())),
            Err(Failure::Server(st)) => errors.push(format!("failed to patch resources update to pod template {}", Failure::server_message(&st))),
            Err(f) => return Err(f),
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(Failure::client(errors.remove(0))),
        _ => Err(Failure::client(format!("[{}]", errors.join(", ")))),
    }
}

/// Where a kind keeps its pod spec: a pod's own, a CronJob's job template's, else the template's.
fn pod_spec_path(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => &["spec", "template", "spec"],
    }
}

fn at_path<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}
