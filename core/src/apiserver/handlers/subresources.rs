//! Subresources beyond `status`: `scale` of the replicated workloads, a pod's `binding`,
//! `eviction` and `log`, and a namespace's `finalize`.

use serde_json::{json, Value};

use crate::api::field::{FieldError, Path};
use crate::api::labels::Selector;
use crate::api::meta::{GroupKind, GroupResource};
use crate::api::object::{metadata_mut, name};
use crate::api::status::ApiError;
use crate::apiserver::decode::parse_body;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Request, Response};
use crate::apiserver::tables::format;
use crate::apiserver::ApiServer;

use super::update::{update_object, Part};
use super::dry_run;

fn stored(server: &ApiServer, info: &ResourceInfo, ns: &str, obj_name: &str) -> Result<Value, ApiError> {
    server.store.get(&info.storage, ns, obj_name).map(|s| (*s.object).clone()).ok_or_else(|| ApiError::not_found(&info.group_resource(), obj_name))
}

/// The selector a Scale reports in `status.selector`.
fn scale_selector(info: &ResourceInfo, obj: &Value) -> String {
    if info.kind == "ReplicationController" {
        let text = format::labels(&obj["spec"]["selector"]);
        return if text == "<none>" { String::new() } else { text };
    }
    let text = format::label_selector(&obj["spec"]["selector"]);
    if text == "<none>" {
        String::new()
    } else {
        text
    }
}

/// The value at a path of keys (`Null` when absent).
fn at<'a>(obj: &'a Value, path: &[String]) -> &'a Value {
    path.iter().fold(obj, |v, k| &v[k.as_str()])
}

fn scale_of(info: &ResourceInfo, obj: &Value) -> Value {
    let m = &obj["metadata"];
    if let Some(p) = info.strategy.scale_paths() {
        // A custom resource: where its CRD says.
        let mut status = json!({"replicas": at(obj, &p.status_replicas).as_i64().unwrap_or(0)});
        if let Some(sel) = p.label_selector.as_ref().and_then(|l| at(obj, l).as_str()).filter(|s| !s.is_empty()) {
            status["selector"] = json!(sel);
        }
        return json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"],
            },
            "spec": {"replicas": at(obj, &p.spec_replicas).as_i64().unwrap_or(0)},
            "status": status,
        });
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
            "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"],
        },
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": scale_selector(info, obj)},
    })
}

pub(super) fn get_scale(server: &ApiServer, info: &ResourceInfo, ns: &str, obj_name: &str) -> Result<Response, ApiError> {
    let obj = stored(server, info, ns, obj_name)?;
    if let Some(p) = info.strategy.scale_paths() {
        if at(&obj, &p.spec_replicas).is_null() {
            return Err(ApiError::Internal(format!("the spec replicas field \".{}\" does not exist", p.spec_replicas.join("."))));
        }
    }
    Ok(Response::object(200, scale_of(info, &obj)))
}

pub(super) fn update_scale(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, obj_name: &str) -> Result<Response, ApiError> {
    let dry = dry_run(req, "UpdateOptions")?;
    let body = parse_body(req)?;
    let mut obj = stored(server, info, ns, obj_name)?;
    let replicas = body["spec"]["replicas"].as_i64().unwrap_or(0);
    if replicas < 0 {
        let err = FieldError::invalid_num(&Path::new("spec").child("replicas"), replicas, "must be greater than or equal to 0");
        return Err(ApiError::invalid(&GroupKind::new("autoscaling", "Scale"), obj_name, vec![err]));
    }
    if let Some(rv) = body["metadata"]["resourceVersion"].as_str().filter(|s| !s.is_empty()) {
        if obj["metadata"]["resourceVersion"].as_str() != Some(rv) {
            return Err(ApiError::stale(&info.group_resource(), obj_name));
        }
    } else {
        metadata_mut(&mut obj).remove("resourceVersion");
    }
    match info.strategy.scale_paths() {
        Some(p) => set_at(&mut obj, &p.spec_replicas, json!(replicas)),
        None => obj["spec"]["replicas"] = json!(replicas),
    }
    let mut w = super::writer(req, info, Part::Main);
    w.scope = crate::apiserver::fields::Scope::Scale;
    w.subresource = "scale";
    let updated = update_object(server, info, obj, Part::Main, dry, Some(&w))?;
    // PodSecurity leaves subresources alone: scaling a workload warns about nothing.
    server.warnings.clear();
    Ok(Response::object(200, scale_of(info, &updated)))
}

/// Sets the value at a path of keys, making the objects on the way.
fn set_at(obj: &mut Value, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut here = obj;
    for k in parents {
        if !here[k.as_str()].is_object() {
            here[k.as_str()] = json!({});
        }
        here = &mut here[k.as_str()];
    }
    if here.is_object() {
        here[last.as_str()] = value;
    }
}

fn success(code: u16) -> Response {
    Response::object(code, json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}))
}

/// POST pods/{name}/binding: the scheduler's way of placing a pod on a node.
pub(super) fn bind(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, pod_name: &str) -> Result<Response, ApiError> {
    let body = parse_body(req)?;
    let target = &body["target"];
    let kind = target["kind"].as_str().unwrap_or_default();
    let node = target["name"].as_str().unwrap_or_default();
    let mut errs = Vec::new();
    if !kind.is_empty() && kind != "Node" {
        errs.push(FieldError::not_supported(&Path::new("target").child("kind"), crate::api::field::BadValue::Str(kind.into()), &["Node", "<empty>"]));
    }
    if node.is_empty() {
        errs.push(FieldError::required(&Path::new("target").child("name"), ""));
    }
    if !errs.is_empty() {
        return Err(ApiError::invalid(&GroupKind::new("", "Binding"), pod_name, errs));
    }
    let mut pod = stored(server, info, ns, pod_name)?;
    if pod["metadata"]["deletionTimestamp"].is_string() {
        return Err(ApiError::Conflict { resource: GroupResource::new("", "pods/binding"), name: pod_name.into(), why: format!("pod {pod_name} is being deleted, cannot be assigned to a host") });
    }
    if let Some(current) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
        return Err(ApiError::Conflict { resource: GroupResource::new("", "pods/binding"), name: pod_name.into(), why: format!("pod {pod_name} is already assigned to node {}", crate::api::field::go_quote(current)) });
    }
    pod["spec"]["nodeName"] = json!(node);
    let now = server.now.rfc3339();
    let conds = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let mut conds: Vec<Value> = conds.into_iter().filter(|c| c["type"] != "PodScheduled").collect();
    conds.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}));
    pod["status"]["conditions"] = Value::Array(conds);
    metadata_mut(&mut pod).remove("resourceVersion");
    // Binding writes spec and status together, as the registry's binding storage does.
    let rv = server.store.get(&info.storage, ns, pod_name).map(|s| s.resource_version);
    server.store.update(&info.storage, ns, pod_name, pod, rv).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(success(201))
}

/// POST pods/{name}/eviction: delete a pod unless a PodDisruptionBudget forbids it; an allowed
/// eviction uses up one of the budget's disruptions until the disruption controller recounts.
pub(super) fn evict(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, pod_name: &str) -> Result<Response, ApiError> {
    let body = parse_body(req).unwrap_or(Value::Null);
    let mut pod = stored(server, info, ns, pod_name)?;
    let phase = pod["status"]["phase"].as_str().unwrap_or("Pending").to_string();
    let checked = !matches!(phase.as_str(), "Succeeded" | "Failed" | "Pending") && pod["metadata"]["deletionTimestamp"].is_null();
    if checked {
        let all = crate::store::Selection::All;
        let pdbs: Vec<Value> = server
            .store
            .list("poddisruptionbudgets.policy", Some(ns), &all, None)
            .into_iter()
            .map(|s| (*s.object).clone())
            .filter(|pdb| Selector::from_label_selector(&pdb["spec"]["selector"]).is_ok_and(|sel| !sel.is_empty() && sel.matches(pod["metadata"]["labels"].as_object())))
            .collect();
        if pdbs.len() > 1 {
            return Err(ApiError::Internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into()));
        }
        if let Some(pdb) = pdbs.into_iter().next() {
            let pdb_name = name(&pdb).to_string();
            let too_many = |cause: String| {
                let mut status = ApiError::TooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.".into()).to_status();
                status["details"] = json!({"causes": [{"reason": "DisruptionBudget", "message": cause}]});
                status
            };
            let st = &pdb["status"];
            let (desired, current) = (st["desiredHealthy"].as_i64().unwrap_or(0), st["currentHealthy"].as_i64().unwrap_or(0));
            let ready = pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
            let unready_may_go = !ready && (pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow" || (current >= desired && desired > 0));
            if !unready_may_go {
                if st["observedGeneration"].as_i64().unwrap_or(0) < pdb["metadata"]["generation"].as_i64().unwrap_or(0) {
                    let mut status = too_many(format!("The disruption budget {pdb_name} is still being processed by the server."));
                    status["details"]["retryAfterSeconds"] = json!(10);
                    return Ok(Response::object(429, status));
                }
                let allowed = st["disruptionsAllowed"].as_i64().unwrap_or(0);
                if allowed < 0 {
                    return Err(ApiError::Forbidden { resource: GroupResource::new("", "pods/eviction"), name: pod_name.into(), why: "pdb disruptions allowed is negative".into() });
                }
                if allowed == 0 {
                    return Ok(Response::object(429, too_many(format!("The disruption budget {pdb_name} needs {desired} healthy pods and has {current} currently"))));
                }
                // Use up one disruption until the controller sees the pod go.
                let mut next = pdb.clone();
                next["status"]["disruptionsAllowed"] = json!(allowed - 1);
                next["status"]["disruptedPods"][pod_name] = json!(server.now.rfc3339());
                if allowed - 1 == 0 {
                    if let Some(conds) = next["status"]["conditions"].as_array_mut() {
                        for c in conds.iter_mut().filter(|c| c["type"] == "DisruptionAllowed") {
                            if c["status"] != "False" {
                                c["lastTransitionTime"] = json!(server.now.rfc3339());
                            }
                            c["status"] = json!("False");
                            c["reason"] = json!("InsufficientPods");
                        }
                    }
                }
                let rv = server.store.get("poddisruptionbudgets.policy", ns, &pdb_name).map(|s| s.resource_version);
                metadata_mut(&mut next).remove("resourceVersion");
                server.store.update("poddisruptionbudgets.policy", ns, &pdb_name, next, rv).map_err(|e| ApiError::Internal(e.to_string()))?;
            }
        }
        // The pod learns why it goes.
        let now = server.now.rfc3339();
        let conds = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
        let mut conds: Vec<Value> = conds.into_iter().filter(|c| c["type"] != "DisruptionTarget").collect();
        conds.push(json!({"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting", "lastProbeTime": null, "lastTransitionTime": now}));
        pod["status"]["conditions"] = Value::Array(conds);
        metadata_mut(&mut pod).remove("resourceVersion");
        let rv = server.store.get(&info.storage, ns, pod_name).map(|s| s.resource_version);
        server.store.update(&info.storage, ns, pod_name, pod, rv).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let mut del = Request::delete(req.path.trim_end_matches("/eviction"));
    if let Some(opts) = body.get("deleteOptions").filter(|o| !o.is_null()) {
        del = del.with_object(opts.clone());
    }
    let resp = super::delete::delete(server, &del, info, ns, pod_name)?;
    if resp.status >= 400 {
        return Ok(resp);
    }
    Ok(success(201))
}

/// GET pods/{name}/log: what the kubelet recorded for a container.
pub(super) fn log(server: &ApiServer, req: &Request, info: &ResourceInfo, ns: &str, pod_name: &str) -> Result<Response, ApiError> {
    let pod = stored(server, info, ns, pod_name)?;
    let containers: Vec<String> = pod["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(String::from)).collect();
    let init: Vec<String> = pod["spec"]["initContainers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(String::from)).collect();
    let container = match req.param("container").filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            let mut msg = format!("a container name must be specified for pod {pod_name}, choose one of: [{}]", containers.join(" "));
            if !init.is_empty() {
                msg.push_str(&format!(" or one of the init containers: [{}]", init.join(" ")));
            }
            return Err(ApiError::BadRequest(msg));
        }
    };
    if !containers.contains(&container) && !init.contains(&container) {
        return Err(ApiError::BadRequest(format!("container {container} is not valid for pod {pod_name}")));
    }
    let statuses: Vec<Value> = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|k| pod["status"][*k].as_array().cloned().unwrap_or_default())
        .collect();
    let status = statuses.iter().find(|s| s["name"] == container.as_str());
    let waiting_reason = status.and_then(|s| s["state"]["waiting"]["reason"].as_str()).map(String::from);
    let started = status.is_some_and(|s| s["state"]["running"].is_object() || s["state"]["terminated"].is_object() || s["lastState"]["terminated"].is_object());
    if !started {
        let reason = waiting_reason.unwrap_or_else(|| "ContainerCreating".to_string());
        return Err(ApiError::BadRequest(format!("container {} in pod {} is waiting to start: {reason}", crate::api::field::go_quote(&container), crate::api::field::go_quote(pod_name))));
    }
    let log = server.logs.get(&(crate::api::object::uid(&pod).to_string(), container.clone()));
    let text = if req.param("previous").is_some_and(|p| p == "true" || p == "1") {
        match log.and_then(|l| l.previous.as_ref()) {
            Some(t) => t.clone(),
            None => return Err(ApiError::BadRequest(format!("previous terminated container {} in pod {} not found", crate::api::field::go_quote(&container), crate::api::field::go_quote(pod_name)))),
        }
    } else {
        log.map(|l| l.current.clone()).unwrap_or_default()
    };
    // sinceSeconds / sinceTime keep the newer lines; timestamps puts each line's time first
    // (RFC 3339 with nine fractional digits, as the kubelet writes it).
    let since = req
        .param("sinceSeconds")
        .and_then(|n| n.parse::<i64>().ok())
        .map(|n| server.now.plus(crate::sim::clock::Duration::from_secs(-n)))
        .or_else(|| req.param("sinceTime").and_then(crate::sim::clock::Timestamp::parse_rfc3339));
    let stamped = req.param("timestamps").is_some_and(|p| p == "true" || p == "1");
    let mut out = String::new();
    for (at, line) in text.lines() {
        if since.is_some_and(|s| at < s) {
            continue;
        }
        if stamped {
            let r = at.rfc3339();
            out.push_str(&format!("{}.{:03}000000Z ", r.trim_end_matches('Z'), at.unix_millis().rem_euclid(1000)));
        }
        out.push_str(line);
    }
    Ok(Response::text(200, tail(req, out)))
}

/// `tailLines` and `limitBytes`, as the kubelet applies them.
fn tail(req: &Request, text: String) -> String {
    let mut text = text;
    if let Some(n) = req.param("tailLines").and_then(|n| n.parse::<usize>().ok()) {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        text = lines[lines.len().saturating_sub(n)..].concat();
    }
    if let Some(n) = req.param("limitBytes").and_then(|n| n.parse::<usize>().ok()) {
        if text.len() > n {
            let mut cut = n;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
    }
    text
}

/// PUT namespaces/{name}/finalize: set `spec.finalizers`; a terminating namespace with none
/// left is removed.
pub(super) fn finalize(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns_name: &str) -> Result<Response, ApiError> {
    let body = parse_body(req)?;
    let mut ns = stored(server, info, "", ns_name)?;
    ns["spec"]["finalizers"] = body["spec"]["finalizers"].clone();
    let rv = server.store.get(&info.storage, "", ns_name).map(|s| s.resource_version);
    let updated = server.store.update(&info.storage, "", ns_name, ns, rv).map_err(|e| ApiError::Internal(e.to_string()))?;
    let obj = (*updated.object).clone();
    let empty = obj["spec"]["finalizers"].as_array().is_none_or(|a| a.is_empty());
    let no_meta_finalizers = obj["metadata"]["finalizers"].as_array().is_none_or(|a| a.is_empty());
    if obj["metadata"]["deletionTimestamp"].is_string() && empty && no_meta_finalizers {
        super::delete::finish_deletion(server, info, "", ns_name);
    }
    Ok(Response::object(200, super::in_version(info, &obj)))
}

/// `serviceaccounts/NAME/token` (TokenRequest, `kubectl create token`): a signed JWT for the
/// account, for the audiences asked (the API server's by default), valid for
/// `expirationSeconds` (an hour by default, ten minutes at least).
pub(super) fn token(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str) -> Result<Response, ApiError> {
    let sa = stored(server, info, ns, name)?;
    let body = parse_body(req).unwrap_or(Value::Null);
    let mut audiences: Vec<Value> = body["spec"]["audiences"].as_array().cloned().unwrap_or_default();
    if audiences.is_empty() {
        audiences.push(json!(crate::api::jwt::ISSUER));
    }
    let seconds = body["spec"]["expirationSeconds"].as_i64().unwrap_or(3600);
    if seconds < 600 {
        let path = crate::api::field::Path::new("spec").child("expirationSeconds");
        let err = crate::api::field::FieldError::invalid(&path, crate::api::field::BadValue::Num(seconds.to_string()), "may not specify a duration less than 10 minutes");
        return Err(ApiError::invalid(&crate::api::meta::GroupKind::new("authentication.k8s.io", "TokenRequest"), name, vec![err]));
    }
    let now = server.now;
    let iat = now.unix_millis().div_euclid(1000);
    let exp = iat + seconds;
    let header = json!({"alg": "RS256", "kid": crate::api::jwt::key_id()});
    let sub = format!("system:serviceaccount:{ns}:{name}");
    let payload = json!({
        "aud": audiences, "exp": exp, "iat": iat, "iss": crate::api::jwt::ISSUER, "jti": server.rng.uuid_v4(),
        "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": name, "uid": sa["metadata"]["uid"]}},
        "nbf": iat, "sub": sub,
    });
    let token = crate::api::jwt::token(&header, &payload, crate::api::jwt::sign);
    let expires = crate::sim::clock::Timestamp::from_unix_millis(exp * 1000);
    let mut spec = json!({"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": body["spec"]["boundObjectRef"]});
    if spec["boundObjectRef"].is_null() {
        spec["boundObjectRef"] = Value::Null;
    }
    let out = json!({
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": Value::Null},
        "spec": spec,
        "status": {"token": token, "expirationTimestamp": expires.rfc3339()},
    });
    Ok(Response::object(201, out))
}
