//! `api-resources`, `expose`, `replace` and `wait`.

use crate::sort::Order;
use serde_json::{json, Map, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::errors::with_source;
use super::{get, tabwriter, Failure, Kubectl, Output, Transport};
use crate::apiserver::{Method, Request};
use crate::sim::clock::Duration;

pub const API_RESOURCES_FLAGS: &[Flag] = &[
    flag("namespaced", None, Takes::Bool),
    flag("api-group", None, Takes::Value),
    flag("verbs", None, Takes::Values),
    flag("output", Some('o'), Takes::Value),
    flag("no-headers", None, Takes::Bool),
    flag("sort-by", None, Takes::Value),
    flag("cached", None, Takes::Bool),
    flag("categories", None, Takes::Values),
];

pub const EXPOSE_FLAGS: &[Flag] = &[
    flag("port", None, Takes::Value),
    flag("target-port", None, Takes::Value),
    flag("protocol", None, Takes::Value),
    flag("type", None, Takes::Value),
    flag("name", None, Takes::Value),
    flag("selector", None, Takes::Value),
    flag("labels", Some('l'), Takes::Value),
    flag("external-ip", None, Takes::Value),
    flag("load-balancer-ip", None, Takes::Value),
    flag("session-affinity", None, Takes::Value),
    flag("cluster-ip", None, Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("override-type", None, Takes::Value),
    flag("overrides", None, Takes::Value),
    flag("save-config", None, Takes::Bool),
];

pub const WAIT_FLAGS: &[Flag] = &[
    flag("for", None, Takes::Value),
    flag("timeout", None, Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("all", None, Takes::Bool),
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("field-selector", None, Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("local", None, Takes::Bool),
];

pub fn api_resources(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    // Without --cached, api-resources reads discovery afresh.
    if !p.bool("cached") {
        k.invalidate_discovery();
    }
    let d = k.discovery(api).clone();
    let mut rs: Vec<&super::discovery::Resource> = d.resources.iter().filter(|r| r.preferred).collect();
    if p.has("namespaced") {
        let want = p.bool("namespaced");
        rs.retain(|r| r.namespaced == want);
    }
    if let Some(g) = p.value("api-group") {
        rs.retain(|r| r.group == g);
    }
    let verbs = p.list("verbs");
    if !verbs.is_empty() {
        rs.retain(|r| verbs.iter().all(|v| r.supports(v)));
    }
    let cats = p.list("categories");
    if !cats.is_empty() {
        rs.retain(|r| cats.iter().all(|c| r.categories.contains(c)));
    }
    match p.value("sort-by") {
        Some("kind") => rs.order_by(|a, b| a.kind.cmp(&b.kind)),
        Some("name") => rs.order_by(|a, b| a.name.cmp(&b.name)),
        _ => rs.order_by(|a, b| a.group.cmp(&b.group).then_with(|| a.name.cmp(&b.name))),
    }
    let format = p.value("output").unwrap_or_default();
    if format == "name" {
        let mut text = String::new();
        for r in rs {
            text.push_str(&r.group_resource());
            text.push('\n');
        }
        out.out(text);
        return Ok(());
    }
    let wide = format == "wide";
    if !format.is_empty() && !wide {
        return Err(Failure::client(format!("--output {format} is not available. Allowed values are json, yaml, wide and name")));
    }
    let mut text = String::new();
    if !p.bool("no-headers") {
        text.push_str("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND");
        text.push_str(if wide { "\tVERBS\tCATEGORIES\n" } else { "\n" });
    }
    for r in rs {
        text.push_str(&format!("{}\t{}\t{}\t{}\t{}", r.name, r.short_names.join(","), r.api_version(), r.namespaced, r.kind));
        if wide {
            let mut verbs = r.verbs.clone();
            verbs.order();
            text.push_str(&format!("\t{}\t{}", verbs.join(","), r.categories.join(",")));
        }
        text.push('\n');
    }
    out.out(tabwriter::align(&text));
    Ok(())
}


pub fn expose(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let (targets, _) = get::targets(k, api, &p.args[1..])?;
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let Some(t) = targets.first() else {
        return Err(Failure::Raw("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".into()));
    };
    let Some(name) = t.names.first() else { return Err(Failure::client("resource(s) were provided, but no name was specified")) };
    let obj = super::get_object(api, &t.resource.object_path(Some(&ns), name))?;
    let (selector, template): (Map<String, Value>, &Value) = match t.resource.kind.as_str() {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            if obj["spec"]["selector"]["matchExpressions"].as_array().is_some_and(|e| !e.is_empty()) {
                return Err(Failure::client("couldn't retrieve selectors via --selector flag or introspection: the Deployment has match expressions"));
            }
            (obj["spec"]["selector"]["matchLabels"].as_object().cloned().unwrap_or_default(), &obj["spec"]["template"])
        }
        "ReplicationController" => (obj["spec"]["selector"].as_object().cloned().unwrap_or_default(), &obj["spec"]["template"]),
        "Pod" => (obj["metadata"]["labels"].as_object().cloned().unwrap_or_default(), &obj),
        "Service" => (obj["spec"]["selector"].as_object().cloned().unwrap_or_default(), &Value::Null),
        other => return Err(Failure::client(format!("cannot expose a {other}"))),
    };
    let mut selector = selector;
    if let Some(s) = p.value("selector") {
        selector = s.split(',').filter_map(|kv| kv.split_once('=')).map(|(a, b)| (a.to_string(), json!(b))).collect();
    }
    if selector.is_empty() {
        return Err(Failure::client("couldn't retrieve selectors via --selector flag or introspection"));
    }
    let ports: Vec<(i64, String)> = match p.value("port") {
        Some(port) => vec![(port.parse().map_err(|_| Failure::client(format!("invalid port {port}")))?, p.value("protocol").unwrap_or("TCP").to_string())],
        None => {
            let mut found = Vec::new();
            if t.resource.kind == "Service" {
                for sp in obj["spec"]["ports"].as_array().into_iter().flatten() {
                    found.push((sp["port"].as_i64().unwrap_or(0), sp["protocol"].as_str().unwrap_or("TCP").to_string()));
                }
            }
            for c in template["spec"]["containers"].as_array().into_iter().flatten() {
                for cp in c["ports"].as_array().into_iter().flatten() {
                    found.push((cp["containerPort"].as_i64().unwrap_or(0), cp["protocol"].as_str().unwrap_or("TCP").to_string()));
                }
            }
            if found.is_empty() {
                return Err(Failure::client("couldn't find port via --port flag or introspection"));
            }
            found
        }
    };
    let multi = ports.len() > 1;
    let ports_json: Vec<Value> = ports
        .iter()
        .enumerate()
        .map(|(i, (port, proto))| {
            let target = match p.value("target-port") {
                Some(tp) => tp.parse::<i64>().map_or(json!(tp), |n| json!(n)),
                None => json!(port),
            };
            let mut pj = json!({"port": port, "protocol": proto, "targetPort": target});
            if multi {
                pj["name"] = json!(format!("port-{}", i + 1));
            }
            pj
        })
        .collect();
    let svc_name = p.value("name").map_or_else(|| name.clone(), str::to_string);
    let labels = match p.value("labels") {
        Some(l) => Value::Object(l.split(',').filter_map(|kv| kv.split_once('=')).map(|(a, b)| (a.to_string(), json!(b))).collect()),
        None => obj["metadata"]["labels"].clone(),
    };
    let mut spec = json!({"ports": ports_json, "selector": selector});
    if let Some(ty) = p.value("type") {
        spec["type"] = json!(ty);
    }
    if let Some(ip) = p.value("cluster-ip") {
        spec["clusterIP"] = json!(ip);
    }
    let mut meta = json!({"name": svc_name});
    if labels.as_object().is_some_and(|l| !l.is_empty()) {
        meta["labels"] = labels;
    }
    // Only `-n` puts the namespace in the object (kubectl's EnforceNamespace).
    if p.has("namespace") {
        meta["namespace"] = json!(ns);
    }
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec, "status": {"loadBalancer": {}}});
    let path = format!("/api/v1/namespaces/{ns}/services?fieldManager={}", p.value("field-manager").unwrap_or("kubectl-expose"), ns = super::paths::segment(&ns));
    create_generated(k, api, p, svc, &path, ("exposed", "exposed"), out)
}

/// Creates what `expose` or `autoscale` made, as kubectl's generators do: `--dry-run=client`
/// only prints it, `--dry-run=server` has the server try it; `-o` prints the object, else
/// `KIND/NAME VERB` (`verbs`: after a creation, and after a client dry run).
fn create_generated(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, mut obj: Value, path: &str, verbs: (&str, &str), out: &mut Output) -> Result<(), Failure> {
    let (verb, client_verb) = verbs;
    let av = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let Some(r) = k.by_kind(api, &av, &kind) else { return Err(Failure::client(format!("no matches for kind {kind:?} in version {av:?}"))) };
    let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
    super::generators::save_config(p, &mut obj);
    super::generators::check_output(p)?;
    let dry = p.value("dry-run").unwrap_or("none");
    if dry == "client" {
        super::generators::mark_unset_timestamps(&mut obj);
        return super::generators::print_result(p, &r, &name, &obj, client_verb, " (dry run)", out);
    }
    if let Some(status) = obj.as_object_mut() {
        status.remove("status");
    }
    let path = if dry == "server" { format!("{path}&dryRun=All") } else { path.to_string() };
    let resp = api.send(&Request::post(&path, obj));
    let status = resp.status;
    let body = resp.into_value().unwrap_or(Value::Null);
    if status >= 400 {
        return Err(Failure::Server(body));
    }
    super::generators::print_result(p, &r, &name, &body, verb, if dry == "server" { " (server dry run)" } else { "" }, out)
}

pub fn replace(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    if !p.has("filename") {
        return Err(Failure::Raw("error: must specify --filename to replace\n".into()));
    }
    let paths: Vec<String> = p.values("filename").iter().map(|s| s.to_string()).collect();
    let ms = super::manifests::read(&k.files, &paths, p.bool("recursive"), stdin)?;
    let mut failed = false;
    for m in ms {
        let av = m.object["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = m.object["kind"].as_str().unwrap_or_default().to_string();
        let name = m.object["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let Some(r) = k.by_kind(api, &av, &kind) else {
            Failure::client(format!("resource mapping not found for name: {name:?} namespace: {:?} from {:?}: no matches for kind {kind:?} in version {av:?}\nensure CRDs are installed first", m.object["metadata"]["namespace"].as_str().unwrap_or_default(), m.source)).print(out);
            failed = true;
            continue;
        };
        let ns = m.object["metadata"]["namespace"].as_str().map(str::to_string).or_else(|| p.value("namespace").map(str::to_string)).unwrap_or_else(|| k.config.namespace().to_string());
        let mut obj = m.object.clone();
        if r.namespaced {
            obj["metadata"]["namespace"] = json!(ns);
        }
        let path = format!("{}?fieldManager=kubectl-replace&fieldValidation={}", r.object_path(Some(&ns), &name), super::commands::field_validation(p));
        let resp = api.send(&Request::new(Method::Put, &path).with_object(obj));
        let status = resp.status;
        let body = resp.into_value().unwrap_or(Value::Null);
        if status >= 400 {
            Failure::Server(with_source(body, "replacing", &m.source)).print(out);
            failed = true;
        } else {
            out.out(format!("{}/{name} replaced\n", r.kind_group()));
        }
    }
    if failed {
        return Err(Failure::Exit(1));
    }
    Ok(())
}

/// What `--for` asks.
enum Wanted {
    Delete,
    Create,
    Condition(String, String),
    JsonPath(super::printers::jsonpath::Template, Option<String>),
}

fn parse_for(s: &str) -> Result<Wanted, Failure> {
    if s == "delete" {
        return Ok(Wanted::Delete);
    }
    if s == "create" {
        return Ok(Wanted::Create);
    }
    if let Some(c) = s.strip_prefix("condition=") {
        let (name, value) = c.split_once('=').map_or((c, "true"), |(a, b)| (a, b));
        return Ok(Wanted::Condition(name.to_lowercase(), value.to_lowercase()));
    }
    if let Some(j) = s.strip_prefix("jsonpath=") {
        let (expr, value) = match j.rfind("}=") {
            Some(i) => (&j[..i + 1], Some(j[i + 2..].to_string())),
            None => (j, None),
        };
        let expr = if expr.starts_with('{') { expr.to_string() } else { format!("{{{expr}}}") };
        let t = super::printers::jsonpath::Template::parse(&expr).map_err(|e| Failure::client(format!("{e}")))?;
        return Ok(Wanted::JsonPath(t, value));
    }
    Err(Failure::client(format!("unrecognized condition: {s:?}")))
}

fn satisfied(w: &Wanted, obj: &Value) -> bool {
    match w {
        Wanted::Delete => false,
        Wanted::Create => true,
        Wanted::Condition(name, value) => obj["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"].as_str().is_some_and(|t| t.to_lowercase() == *name) && c["status"].as_str().is_some_and(|s| s.to_lowercase() == *value)),
        Wanted::JsonPath(t, value) => {
            let found = t.values(obj);
            match value {
                Some(v) => found.first().is_some_and(|f| super::printers::jsonpath::text_of(f) == *v),
                None => !found.is_empty(),
            }
        }
    }
}

pub fn wait(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let Some(for_) = p.value("for") else { return Err(Failure::client("--for must be specified")) };
    let wanted = parse_for(for_)?;
    let limit = p.value("timeout").and_then(super::rollout::go_duration).unwrap_or(Duration::from_secs(30));
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let (targets, _) = get::targets(k, api, &p.args[1..])?;
    // The objects to wait for: named, or selected now.
    let mut objects: Vec<(super::discovery::Resource, String)> = Vec::new();
    for t in &targets {
        if t.names.is_empty() {
            let mut path = t.resource.path(Some(&ns));
            if let Some(l) = p.value("selector") {
                path = format!("{path}?labelSelector={}", get::encode(l));
            } else if !p.bool("all") {
                return Err(Failure::client("resource(s) were provided, but no name was specified"));
            }
            let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
            for item in list["items"].as_array().into_iter().flatten() {
                objects.push((t.resource.clone(), item["metadata"]["name"].as_str().unwrap_or_default().to_string()));
            }
        } else {
            for n in &t.names {
                objects.push((t.resource.clone(), n.clone()));
            }
        }
    }
    // Waiting for deletion, nothing to wait for is success (kubectl ignores not-found then).
    if objects.is_empty() && !matches!(wanted, Wanted::Delete) {
        return Err(Failure::client("no matching resources found"));
    }
    let start = api.now();
    for (r, name) in objects {
        let path = r.object_path(Some(&ns), &name);
        let mut first = true;
        loop {
            let resp = api.send(&Request::get(&path));
            let status = resp.status;
            let obj = resp.into_value().unwrap_or(Value::Null);
            if matches!(wanted, Wanted::Delete) {
                if status == 404 {
                    // Gone while kubectl watched it; already gone is not printed.
                    if !first {
                        out.out(format!("{}/{name} condition met\n", r.kind_group()));
                    }
                    break;
                }
            } else if status == 404 && !matches!(wanted, Wanted::Create) {
                return Err(Failure::Server(obj));
            } else if status < 400 && satisfied(&wanted, &obj) {
                out.out(format!("{}/{name} condition met\n", r.kind_group()));
                break;
            }
            first = false;
            let waited = api.now().since(start);
            if waited >= limit {
                return Err(Failure::client(format!("timed out waiting for the condition on {}/{name}", r.name)));
            }
            let left = Duration::from_millis(limit.as_millis() - waited.as_millis());
            super::wait_a_moment(api, left.min(Duration::from_secs(1)));
        }
    }
    Ok(())
}

pub const AUTH_FLAGS: &[Flag] = &[
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("quiet", Some('q'), Takes::Bool),
    flag("list", None, Takes::Bool),
    flag("no-headers", None, Takes::Bool),
    flag("subresource", None, Takes::Value),
    flag("output", Some('o'), Takes::Value),
];

/// `kubectl auth can-i VERB TYPE[/NAME]` and `kubectl auth whoami`, through the review APIs.
pub fn auth(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    match p.args.get(1).map(String::as_str) {
        Some("whoami") => {
            let resp = api.send(&Request::post("/apis/authentication.k8s.io/v1/selfsubjectreviews", json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})));
            let status = resp.status;
            let body = resp.into_value().unwrap_or(Value::Null);
            if status >= 400 {
                return Err(Failure::Server(body));
            }
            let info = &body["status"]["userInfo"];
            let groups: Vec<&str> = info["groups"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let mut text = format!("ATTRIBUTE\tVALUE\nUsername\t{}\n", info["username"].as_str().unwrap_or_default());
            if !groups.is_empty() {
                text.push_str(&format!("Groups\t[{}]\n", groups.join(" ")));
            }
            out.out(tabwriter::align(&text));
            Ok(())
        }
        Some("can-i") if p.bool("list") => can_i_list(k, api, p, out),
        Some("can-i") => {
            let (Some(verb), Some(what)) = (p.args.get(2), p.args.get(3)) else {
                return Err(Failure::Raw("error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples\n".into()));
            };
            let ns = if p.bool("all-namespaces") { String::new() } else { p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string) };
            let attrs = if what.starts_with('/') {
                json!({"nonResourceAttributes": {"path": what, "verb": verb}})
            } else {
                let (kind, name) = what.split_once('/').map_or((what.as_str(), ""), |(a, b)| (a, b));
                let (group, resource) = if kind == "*" {
                    ("*".to_string(), "*".to_string())
                } else {
                    match k.resolve(api, kind) {
                        Some(r) => (r.group, r.name),
                        None => {
                            out.err(format!("Warning: the server doesn't have a resource type '{kind}'\n\n"));
                            (String::new(), kind.to_string())
                        }
                    }
                };
                let mut ra = json!({"namespace": ns, "verb": verb, "group": group, "resource": resource});
                if !name.is_empty() {
                    ra["name"] = json!(name);
                }
                if let Some(sub) = p.value("subresource") {
                    ra["subresource"] = json!(sub);
                }
                json!({"resourceAttributes": ra})
            };
            let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": attrs});
            let resp = api.send(&Request::post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review));
            let status = resp.status;
            let body = resp.into_value().unwrap_or(Value::Null);
            if status >= 400 {
                return Err(Failure::Server(body));
            }
            if body["status"]["allowed"] == true {
                if !p.bool("quiet") {
                    out.out("yes\n");
                }
                Ok(())
            } else {
                if !p.bool("quiet") {
                    out.out("no\n");
                }
                Err(Failure::Exit(1))
            }
        }
        Some(other) => Err(Failure::client(format!("unknown command {other:?} for \"kubectl auth\""))),
        None => Err(Failure::Raw("Inspect authorization.\n\nAvailable Commands:\n  can-i         Check whether an action is allowed\n  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects\n  whoami        Experimental: Check self subject attributes\n\nUsage:\n  kubectl auth [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n".into())),
    }
}

pub const EVENTS_FLAGS: &[Flag] = &[
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("for", None, Takes::Value),
    flag("types", None, Takes::Values),
    flag("watch", Some('w'), Takes::Bool),
    flag("no-headers", None, Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("chunk-size", None, Takes::Value),
];

/// `kubectl events`: the events of a namespace (or of one object), oldest first, with ages
/// from the simulation's clock.
pub fn events(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let all = p.bool("all-namespaces");
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let mut selector: Vec<String> = Vec::new();
    if let Some(f) = p.value("for") {
        let (kind, name) = f.split_once('/').ok_or_else(|| Failure::client("--for must be in resource/name form".to_string()))?;
        let r = k.resolve(api, kind).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {kind:?}")))?;
        selector.push(format!("involvedObject.kind={}", r.kind));
        selector.push(format!("involvedObject.name={name}"));
    }
    let base = if all { "/api/v1/events".to_string() } else { format!("/api/v1/namespaces/{ns}/events", ns = super::paths::segment(&ns)) };
    let path = if selector.is_empty() { base } else { format!("{base}?fieldSelector={}", get::encode(&selector.join(","))) };
    let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
    let types = p.list("types");
    let mut items: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
    items.retain(|e| types.is_empty() || types.iter().any(|t| e["type"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(t))));
    if items.is_empty() {
        out.err(if all { "No events found.\n".to_string() } else { format!("No events found in {ns} namespace.\n") });
        return Ok(());
    }
    let when = |e: &Value| e["series"]["lastObservedTime"].as_str().or(e["lastTimestamp"].as_str()).or(e["eventTime"].as_str()).unwrap_or_default().to_string();
    items.order_by_key(|e| when(e));
    let now = api.now();
    let age = |t: &str| crate::sim::clock::Timestamp::parse_rfc3339(t).map_or_else(|| "<unknown>".to_string(), |ts| crate::api::duration::human_duration(now.since(ts)));
    let mut text = String::new();
    if !p.bool("no-headers") {
        text.push_str(if all { "NAMESPACE\tLAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n" } else { "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n" });
    }
    for e in &items {
        let count = e["count"].as_i64().unwrap_or(1);
        let seen = if count > 1 { format!("{} (x{count} over {})", age(&when(e)), age(e["firstTimestamp"].as_str().unwrap_or_default())) } else { age(&when(e)) };
        let obj = format!("{}/{}", e["involvedObject"]["kind"].as_str().unwrap_or_default(), e["involvedObject"]["name"].as_str().unwrap_or_default());
        if all {
            text.push_str(&format!("{}\t", e["metadata"]["namespace"].as_str().unwrap_or_default()));
        }
        text.push_str(&format!("{seen}\t{}\t{}\t{obj}\t{}\n", e["type"].as_str().unwrap_or_default(), e["reason"].as_str().unwrap_or_default(), e["message"].as_str().unwrap_or_default().trim()));
    }
    out.out(tabwriter::align(&text));
    Ok(())
}

pub const AUTOSCALE_FLAGS: &[Flag] = &[
    flag("min", None, Takes::Value),
    flag("max", None, Takes::Value),
    flag("cpu-percent", None, Takes::Value),
    flag("name", None, Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("save-config", None, Takes::Bool),
];

/// `kubectl autoscale TYPE NAME --max=N [--min=N] [--cpu-percent=N]`: an autoscaling/v2
/// HorizontalPodAutoscaler for a scalable workload.
pub fn autoscale(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let Some(max) = p.value("max") else { return Err(Failure::Raw("error: required flag(s) \"max\" not set\n".into())) };
    let max: i64 = max.parse().map_err(|_| Failure::client(format!("invalid argument {max:?} for \"--max\" flag")))?;
    let (targets, _) = get::targets(k, api, &p.args[1..])?;
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    for t in targets {
        for name in &t.names {
            let obj = super::get_object(api, &t.resource.object_path(Some(&ns), name))?;
            let hpa_name = p.value("name").map_or_else(|| name.clone(), str::to_string);
            let mut spec = json!({"scaleTargetRef": {"apiVersion": t.resource.api_version(), "kind": t.resource.kind, "name": obj["metadata"]["name"]}, "maxReplicas": max});
            if let Some(min) = p.value("min").and_then(|m| m.parse::<i64>().ok()).filter(|m| *m >= 0) {
                spec["minReplicas"] = json!(min);
            }
            if let Some(cpu) = p.value("cpu-percent").and_then(|c| c.parse::<i64>().ok()).filter(|c| *c >= 0) {
                spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}}}]);
            }
            // The status a client dry run shows (Go's zero values).
            let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": hpa_name}, "spec": spec, "status": {"currentMetrics": null, "desiredReplicas": 0}});
            let path = format!("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers?fieldManager={}", p.value("field-manager").unwrap_or("kubectl-autoscale"), ns = super::paths::segment(&ns));
            create_generated(k, api, p, hpa, &path, ("autoscaled", "created"), out)?;
        }
    }
    Ok(())
}

/// `kubectl auth can-i --list`: the rules a SelfSubjectRulesReview returns for the namespace,
/// as a table.
fn can_i_list(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    use super::rbac_rules::{go_list, resource_cell, shown, Rule};
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": ns}});
    let resp = api.send(&Request::post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", review));
    let status = resp.status;
    let body = resp.into_value().unwrap_or(Value::Null);
    if status >= 400 {
        return Err(Failure::Server(body));
    }
    let st = &body["status"];
    if st["incomplete"] == true && !p.bool("quiet") {
        out.err(format!("Warning: the list may be incomplete: {}\n", st["evaluationError"].as_str().unwrap_or_default()));
    }
    let mut rules: Vec<Rule> = st["resourceRules"].as_array().into_iter().flatten().map(Rule::from_json).collect();
    rules.extend(st["nonResourceRules"].as_array().into_iter().flatten().map(Rule::from_json));
    let mut text = String::new();
    if !p.bool("no-headers") {
        text.push_str("Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    }
    for r in shown(&rules) {
        text.push_str(&format!("{}\t{}\t{}\t{}\n", resource_cell(&r), go_list(&r.urls), go_list(&r.names), go_list(&r.verbs)));
    }
    out.out(tabwriter::align(&text));
    Ok(())
}
