//! Resource requests: find the resource, check the verb, and hand over to the handler of the
//! verb (create, read, update, delete, watch) or of the subresource.

mod create;
mod decode_body;
mod delete;
mod patch;
mod reviews;
pub(super) mod read;
mod subresources;
mod update;
mod watch;
pub use watch::NEXT_RESOURCE_VERSION_HEADER;

use serde_json::Value;

use crate::api::status::ApiError;

use super::registry::ResourceInfo;
use super::request::{Request, Response};
use super::route::{ResourceRequest, Verb};
use super::ApiServer;

/// Serves a GET of a resource or a list without changing anything (for views).
pub(super) fn read_only(server: &ApiServer, req: &Request, r: &ResourceRequest) -> Result<Response, ApiError> {
    let Some(info) = server.registry.get(&r.group, &r.version, &r.resource) else {
        return Err(ApiError::NoRoute);
    };
    let ns = if info.namespaced { r.namespace.as_str() } else { "" };
    match (r.verb, r.subresource.as_str()) {
        (Verb::Get, "" | "status") => read::get(server, req, &info, ns, &r.name),
        (Verb::List, "") => read::list(server, req, &info, ns),
        _ => Err(ApiError::MethodNotSupported { resource: info.group_resource(), verb: r.verb.as_str().to_string() }),
    }
}

pub(super) fn handle(server: &mut ApiServer, req: &Request, r: &ResourceRequest) -> Result<Response, ApiError> {
    let Some(info) = server.registry.get(&r.group, &r.version, &r.resource) else {
        return Err(ApiError::NoRoute);
    };
    let result = handle_resource(server, req, r, &info);
    // A written CRD changes what is served from the next request on.
    if r.group == "apiextensions.k8s.io" && r.resource == "customresourcedefinitions" && !matches!(r.verb, Verb::Get | Verb::List | Verb::Watch) {
        server.sync_custom_resources();
    }
    let mut resp = result?;
    // What the server says of every request to a deprecated API (its deprecation filter):
    // v1 Endpoints, a CRD version marked deprecated.
    if let Some(w) = info.strategy.deprecation() {
        resp.add_warning(w);
    }
    Ok(resp)
}

fn handle_resource(server: &mut ApiServer, req: &Request, r: &ResourceRequest, info: &ResourceInfo) -> Result<Response, ApiError> {
    // A namespace in the path of a cluster-scoped resource names nothing (but `namespaces/x`).
    if !info.namespaced && !r.namespace.is_empty() && info.resource != "namespaces" {
        return Err(ApiError::NoRoute);
    }
    if !r.subresource.is_empty() {
        return subresource(server, req, r, info);
    }
    if !info.supports(r.verb.as_str()) {
        return Err(ApiError::MethodNotSupported { resource: info.group_resource(), verb: r.verb.as_str().to_string() });
    }
    if r.verb == Verb::Create && info.strategy.terminating() {
        return Err(ApiError::MethodNotAllowed { resource: info.group_resource(), message: format!("{} not allowed while custom resource definition is terminating", r.verb.as_str()) });
    }
    let ns = if info.namespaced { r.namespace.as_str() } else { "" };
    match r.verb {
        Verb::Get => read::get(server, req, info, ns, &r.name),
        Verb::List => read::list(server, req, info, ns),
        Verb::Watch => watch::watch(server, req, info, ns, &r.name),
        Verb::Create => create::create(server, req, info, ns),
        Verb::Update => update::update(server, req, info, ns, &r.name, update::Part::Main),
        Verb::Patch => patch::patch(server, req, info, ns, &r.name, update::Part::Main),
        Verb::Delete => delete::delete(server, req, info, ns, &r.name),
        Verb::DeleteCollection => delete::delete_collection(server, req, info, ns),
    }
}

fn subresource(server: &mut ApiServer, req: &Request, r: &ResourceRequest, info: &ResourceInfo) -> Result<Response, ApiError> {
    let Some(sub) = info.subresource(&r.subresource) else { return Err(ApiError::NoRoute) };
    let verb = match r.verb {
        Verb::List => Verb::Get,
        v => v,
    };
    if !sub.verbs.iter().any(|v| v == verb.as_str()) {
        return Err(ApiError::MethodNotSupported { resource: info.group_resource(), verb: verb.as_str().to_string() });
    }
    let ns = if info.namespaced { r.namespace.as_str() } else { "" };
    match (r.subresource.as_str(), verb) {
        ("status", Verb::Get) => read::get(server, req, info, ns, &r.name),
        ("status", Verb::Update) => update::update(server, req, info, ns, &r.name, update::Part::Status),
        ("status", Verb::Patch) => patch::patch(server, req, info, ns, &r.name, update::Part::Status),
        ("ephemeralcontainers", Verb::Get) => read::get(server, req, info, ns, &r.name),
        ("ephemeralcontainers", Verb::Update) => update::update(server, req, info, ns, &r.name, update::Part::EphemeralContainers),
        ("ephemeralcontainers", Verb::Patch) => patch::patch(server, req, info, ns, &r.name, update::Part::EphemeralContainers),
        ("scale", Verb::Patch) => patch::patch_scale(server, req, info, ns, &r.name),
        ("scale", Verb::Get) => subresources::get_scale(server, info, ns, &r.name),
        ("scale", Verb::Update) => subresources::update_scale(server, req, info, ns, &r.name),
        ("binding", Verb::Create) => subresources::bind(server, req, info, ns, &r.name),
        ("eviction", Verb::Create) => subresources::evict(server, req, info, ns, &r.name),
        ("log", Verb::Get) => subresources::log(server, req, info, ns, &r.name),
        ("token", Verb::Create) => subresources::token(server, req, info, ns, &r.name),
        ("finalize", Verb::Update) => subresources::finalize(server, req, info, &r.name),
        _ => Err(ApiError::MethodNotSupported { resource: info.group_resource(), verb: format!("{} {}", verb.as_str(), r.subresource) }),
    }
}

/// A stored object in the version the request was made in, with its apiVersion and kind.
pub(super) fn in_version(info: &ResourceInfo, obj: &Value) -> Value {
    crate::apiserver::convert::from_storage(info, obj)
}

/// The same, sharing the stored object when it already is in the requested version.
pub(crate) fn in_version_shared(info: &ResourceInfo, obj: &std::sync::Arc<Value>) -> std::sync::Arc<Value> {
    let custom = matches!(info.strategy, super::registry::StrategyRef::Custom(_));
    if !custom && obj["apiVersion"].as_str() == Some(info.api_version().as_str()) && obj["kind"].as_str() == Some(info.kind.as_str()) {
        obj.clone()
    } else {
        std::sync::Arc::new(in_version(info, obj))
    }
}

/// Who a write is by, for `metadata.managedFields`: the request's `fieldManager`, else its
/// User-Agent's first part; through which subresource; in the request's version.
pub(super) fn writer(req: &Request, info: &ResourceInfo, part: update::Part) -> super::fields::Writer {
    use super::fields::Scope;
    let (scope, subresource) = match part {
        update::Part::Main => (Scope::Main { status_apart: info.strategy.has_status() }, ""),
        update::Part::Status => (Scope::Status { annotations: info.strategy.status_update_keeps_annotations() }, "status"),
        update::Part::EphemeralContainers => (Scope::Main { status_apart: true }, "ephemeralcontainers"),
    };
    super::fields::Writer { manager: super::fields::manager_of(req.param("fieldManager"), req.header("user-agent")), api_version: info.api_version(), scope, subresource }
}

/// `dryRun=All` (the only value Kubernetes accepts); a wrong value is invalid in the words of
/// the request's options kind (`CreateOptions`, `DeleteOptions`, ...).
pub(super) fn dry_run(req: &Request, options_kind: &str) -> Result<bool, ApiError> {
    dry_run_values(req.params("dryRun"), options_kind)
}

/// Checks `dryRun` values wherever they came from (the query, or a DeleteOptions body).
pub(super) fn dry_run_values<'a>(values: impl Iterator<Item = &'a str>, options_kind: &str) -> Result<bool, ApiError> {
    let mut any = false;
    for (i, v) in values.enumerate() {
        if v != "All" {
            let path = crate::api::field::Path::new("dryRun").index(i);
            let err = crate::api::field::FieldError::not_supported(&path, crate::api::field::BadValue::Str(v.to_string()), &["All"]);
            return Err(ApiError::invalid(&crate::api::meta::GroupKind::new("meta.k8s.io", options_kind), "", vec![err]));
        }
        any = true;
    }
    Ok(any)
}
