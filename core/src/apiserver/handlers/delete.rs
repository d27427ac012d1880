//! DELETE of one object and of collections: preconditions, finalizers, graceful deletion of
//! pods, and the propagation policy's finalizers.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::meta::{GroupKind, GroupResource};
use crate::api::object::metadata_mut;
use crate::api::status::ApiError;
use crate::apiserver::decode::parse_body;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Body, Request, Response};
use crate::apiserver::select::ListOptions;
use crate::apiserver::ApiServer;

use super::read::check_field_selector;
use super::{dry_run, in_version};

/// Namespaces the cluster cannot live without.
const UNDELETABLE_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

#[derive(Clone, Debug, Default)]
struct DeleteOptions {
    grace_period: Option<i64>,
    propagation: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    /// `dryRun: [All]` in the body, as kubectl sends it.
    dry_run: bool,
}

fn options(req: &Request) -> Result<DeleteOptions, ApiError> {
    let mut o = DeleteOptions::default();
    if !matches!(req.body, Body::Empty) && !matches!(&req.body, Body::Bytes(b) if b.iter().all(u8::is_ascii_whitespace)) {
        let body = parse_body(req)?;
        o.grace_period = body["gracePeriodSeconds"].as_i64();
        o.propagation = body["propagationPolicy"].as_str().map(String::from);
        o.uid = body["preconditions"]["uid"].as_str().map(String::from);
        o.resource_version = body["preconditions"]["resourceVersion"].as_str().map(String::from);
        o.dry_run = super::dry_run_values(body["dryRun"].as_array().into_iter().flatten().map(|v| v.as_str().unwrap_or_default()), "DeleteOptions")?;
        if body["orphanDependents"] == true && o.propagation.is_none() {
            o.propagation = Some("Orphan".into());
        }
    }
    if let Some(g) = req.param("gracePeriodSeconds") {
        o.grace_period = Some(g.parse().map_err(|_| ApiError::BadRequest(format!("invalid value for gracePeriodSeconds: {g}")))?);
    }
    if let Some(p) = req.param("propagationPolicy") {
        o.propagation = Some(p.to_string());
    }
    if let Some(p) = &o.propagation {
        if !matches!(p.as_str(), "Orphan" | "Background" | "Foreground") {
            let err = FieldError::not_supported(&Path::new("propagationPolicy"), BadValue::Str(p.clone()), &["Foreground", "Background", "Orphan", "nil"]);
            return Err(ApiError::invalid(&GroupKind::new("meta.k8s.io", "DeleteOptions"), "", vec![err]));
        }
    }
    Ok(o)
}

pub(super) fn delete(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str) -> Result<Response, ApiError> {
    let opts = options(req)?;
    let dry = dry_run(req, "DeleteOptions")? || opts.dry_run;
    let obj = delete_object(server, info, ns, name, &opts, dry)?;
    Ok(Response::object(200, in_version(info, &obj)))
}

fn delete_object(server: &mut ApiServer, info: &ResourceInfo, ns: &str, name: &str, opts: &DeleteOptions, dry: bool) -> Result<Value, ApiError> {
    let gr = info.group_resource();
    let stored = server.store.get(&info.storage, ns, name).ok_or_else(|| ApiError::not_found(&gr, name))?;
    let current = (*stored.object).clone();
    if let Some(uid) = &opts.uid {
        let actual = current["metadata"]["uid"].as_str().unwrap_or_default();
        if uid != actual {
            return Err(ApiError::Conflict {
                resource: gr,
                name: name.to_string(),
                why: format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"),
            });
        }
    }
    if let Some(rv) = &opts.resource_version {
        if *rv != stored.resource_version.to_string() {
            return Err(ApiError::Conflict {
                resource: gr,
                name: name.to_string(),
                why: format!("Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}", stored.resource_version),
            });
        }
    }
    if info.group.is_empty() && info.resource == "namespaces" && UNDELETABLE_NAMESPACES.contains(&name) {
        return Err(ApiError::Forbidden { resource: GroupResource::new("", "namespaces"), name: name.to_string(), why: "this namespace may not be deleted".into() });
    }
    let mut next = current.clone();
    // The propagation policy becomes a finalizer the garbage collector acts on.
    let policy_finalizer = match opts.propagation.as_deref() {
        Some("Orphan") => Some("orphan"),
        Some("Foreground") => Some("foregroundDeletion"),
        _ => None,
    };
    if let Some(f) = policy_finalizer {
        let meta = metadata_mut(&mut next);
        let list = meta.entry("finalizers").or_insert_with(|| json!([]));
        if let Some(arr) = list.as_array_mut() {
            if !arr.iter().any(|x| x == f) {
                arr.push(json!(f));
            }
        }
    }
    // A CRD's first deletion takes the cleanup finalizer: its objects go first.
    let crd = info.storage == crate::apiserver::CRD_STORAGE;
    if crd && !current["metadata"]["deletionTimestamp"].is_string() {
        let meta = metadata_mut(&mut next);
        let list = meta.entry("finalizers").or_insert_with(|| json!([]));
        if let Some(arr) = list.as_array_mut() {
            if !arr.iter().any(|x| x == crate::apiserver::crd::CLEANUP_FINALIZER) {
                arr.push(json!(crate::apiserver::crd::CLEANUP_FINALIZER));
            }
        }
        crate::apiserver::crd::set_condition(&mut next, "Terminating", "True", "InstanceDeletionPending", "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon", &server.now.rfc3339());
    }
    let has_finalizers = next["metadata"]["finalizers"].as_array().is_some_and(|a| !a.is_empty());
    let is_namespace = info.group.is_empty() && info.resource == "namespaces";
    let graceful_pod = info.group.is_empty() && info.resource == "pods" && next["spec"]["nodeName"].as_str().is_some_and(|n| !n.is_empty());
    let grace = opts.grace_period.or_else(|| next["spec"]["terminationGracePeriodSeconds"].as_i64()).unwrap_or(30).max(0);
    let already_deleting = current["metadata"]["deletionTimestamp"].is_string();
    if has_finalizers || is_namespace || (graceful_pod && grace > 0) {
        if !already_deleting || next != current {
            let when = if graceful_pod && !already_deleting { server.now.plus(crate::sim::clock::Duration::from_secs(grace)) } else { server.now };
            let meta = metadata_mut(&mut next);
            if !already_deleting {
                meta.insert("deletionTimestamp".into(), json!(when.rfc3339()));
                meta.insert("deletionGracePeriodSeconds".into(), json!(if graceful_pod { grace } else { 0 }));
                if let Some(g) = meta.get("generation").and_then(Value::as_i64) {
                    meta.insert("generation".into(), json!(g + 1));
                }
            }
            if is_namespace {
                next["status"]["phase"] = json!("Terminating");
            }
            if dry {
                return Ok(next);
            }
            let stored = server.store.update(&info.storage, ns, name, next, None).map_err(|e| ApiError::Internal(e.to_string()))?;
            return Ok((*stored.object).clone());
        }
        return Ok(current);
    }
    if dry {
        return Ok(current);
    }
    let gone = server.store.delete(&info.storage, ns, name, None).map_err(|e| ApiError::Internal(e.to_string()))?;
    info.strategy.release(&gone.object, &mut server.alloc);
    server.refresh_quotas(ns);
    Ok((*gone.object).clone())
}

/// Called by the server when the last finalizer of a deleted object goes: removes it.
pub(crate) fn finish_deletion(server: &mut ApiServer, info: &ResourceInfo, ns: &str, name: &str) {
    if let Ok(gone) = server.store.delete(&info.storage, ns, name, None) {
        info.strategy.release(&gone.object, &mut server.alloc);
        server.refresh_quotas(ns);
    }
}

pub(super) fn delete_collection(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str) -> Result<Response, ApiError> {
    let opts = options(req)?;
    let dry = dry_run(req, "DeleteOptions")? || opts.dry_run;
    let list_opts = ListOptions::from_request(req)?;
    check_field_selector(info, &list_opts)?;
    let ns_filter = if ns.is_empty() { None } else { Some(ns) };
    let targets: Vec<(String, String)> = server
        .store
        .list(&info.storage, ns_filter, &list_opts.selection(), None)
        .into_iter()
        .filter(|s| list_opts.matches(&*info.strategy, &s.object))
        .map(|s| (s.object["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), s.object["metadata"]["name"].as_str().unwrap_or_default().to_string()))
        .collect();
    let mut items = Vec::new();
    for (obj_ns, obj_name) in targets {
        let mut o = delete_object(server, info, &obj_ns, &obj_name, &opts, dry)?;
        if let Some(m) = o.as_object_mut() {
            m.remove("apiVersion");
            m.remove("kind");
        }
        items.push(o);
    }
    Ok(Response::object(
        200,
        json!({"kind": format!("{}List", info.kind), "apiVersion": info.api_version(), "metadata": {"resourceVersion": server.store.resource_version().to_string()}, "items": items}),
    ))
}
