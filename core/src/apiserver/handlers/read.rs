//! GET of one object and of lists, as JSON or as a Table.

use serde_json::{json, Value};

use crate::api::status::ApiError;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Request, Response, ResponseBody};
use crate::apiserver::select::{encode_continue, ListOptions};
use crate::apiserver::tables::{self, IncludeObject};
use crate::apiserver::ApiServer;

use super::{in_version, in_version_shared};

pub(crate) fn get(server: &ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str) -> Result<Response, ApiError> {
    let stored = server.store.get(&info.storage, ns, name).ok_or_else(|| ApiError::not_found(&info.group_resource(), name))?;
    let obj = in_version(info, &stored.object);
    if let Some(tv) = tables::wants_table(req.header("accept")) {
        let include = IncludeObject::parse(req.param("includeObject"))?;
        let meta = json!({"resourceVersion": stored.resource_version.to_string()});
        let headers = req.param("noHeaders") != Some("true");
        return Ok(Response::object(200, tables::build(&*info.strategy, &[&obj], server.now, include, tv, meta, headers)));
    }
    Ok(Response::object(200, obj))
}

pub(crate) fn list(server: &ApiServer, req: &Request, info: &ResourceInfo, ns: &str) -> Result<Response, ApiError> {
    let opts = ListOptions::from_request(req)?;
    check_field_selector(info, &opts)?;
    let ns_filter = if ns.is_empty() { None } else { Some(ns) };
    let mut candidates = server.store.scan(&info.storage, ns_filter, &opts.selection(), opts.continue_after.as_ref());
    let mut items: Vec<std::sync::Arc<Value>> = Vec::new();
    let mut continue_token = None;
    let mut remaining = 0usize;
    let mut last_key = None;
    let selective = !(opts.labels.is_empty() && opts.fields.terms.is_empty());
    while let Some(stored) = candidates.next() {
        if !opts.matches(&*info.strategy, &stored.object) {
            continue;
        }
        if opts.limit > 0 && items.len() == opts.limit {
            // Past the page: without selectors every object left counts (remainingItemCount);
            // with them, one more match is enough to say there is more.
            remaining = 1 + if selective { 0 } else { candidates.count() };
            break;
        }
        let obj = &stored.object;
        last_key = Some((obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), obj["metadata"]["name"].as_str().unwrap_or_default().to_string()));
        items.push(in_version_shared(info, obj));
    }
    let rv = server.store.resource_version();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if remaining > 0 {
        if let Some(last) = &last_key {
            continue_token = Some(encode_continue(rv, last));
        }
    }
    if let Some(token) = &continue_token {
        meta["continue"] = json!(token);
        if opts.labels.is_empty() && opts.fields.terms.is_empty() {
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    if let Some(tv) = tables::wants_table(req.header("accept")) {
        let include = IncludeObject::parse(req.param("includeObject"))?;
        let refs: Vec<&Value> = items.iter().map(|o| &**o).collect();
        let headers = req.param("noHeaders") != Some("true");
        return Ok(Response::object(200, tables::build(&*info.strategy, &refs, server.now, include, tv, meta, headers)));
    }
    // Items keep their apiVersion and kind (clients ignore them in lists; kubectl prints them).
    let head = json!({"kind": format!("{}List", info.kind), "apiVersion": info.api_version(), "metadata": meta});
    Ok(Response { status: 200, headers: vec![("content-type".into(), "application/json".into())], body: ResponseBody::List { head, items } })
}

/// Field selectors name only the fields a kind supports; others are refused with the kind's
/// own message.
pub(super) fn check_field_selector(info: &ResourceInfo, opts: &ListOptions) -> Result<(), ApiError> {
    for (field, _, _) in &opts.fields.terms {
        if field == "metadata.name" || field == "metadata.namespace" {
            continue;
        }
        if info.strategy.field_label(&json!({"metadata": {}, "spec": {}, "status": {}}), field).is_some() {
            continue;
        }
        let msg = match (info.group.as_str(), info.kind.as_str()) {
            ("", "Pod" | "Node" | "ReplicationController" | "Event" | "Namespace" | "Secret" | "Service")
            | ("certificates.k8s.io", _)
            | ("events.k8s.io", _) => {
                format!("field label not supported: {field}")
            }
            ("batch", "Job") => format!("field label {} not supported for Job", crate::api::field::go_quote(field)),
            _ => format!("{} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", crate::api::field::go_quote(field)),
        };
        return Err(ApiError::BadRequest(msg));
    }
    Ok(())
}
