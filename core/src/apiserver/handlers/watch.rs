//! Watches. A request returns the events so far (the initial state when no resourceVersion is
//! given, else the changes after it); the native server streams by asking again from the
//! last resourceVersion it sent. Selectors follow transitions: an object that starts matching
//! is ADDED, one that stops matching is DELETED.

use std::sync::Arc;

use serde_json::json;

use crate::api::status::ApiError;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Request, Response, ResponseBody, WatchItem};
use crate::apiserver::select::ListOptions;
use crate::apiserver::tables::{self, IncludeObject};
use crate::apiserver::ApiServer;
use crate::store::{EventType, StoreError};

use super::in_version_shared;
use super::read::check_field_selector;

/// The response header carrying the resourceVersion to watch from next.
pub const NEXT_RESOURCE_VERSION_HEADER: &str = "x-hakoniwa-resource-version";

pub(super) fn watch(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, obj_name: &str) -> Result<Response, ApiError> {
    let mut opts = ListOptions::from_request(req)?;
    check_field_selector(info, &opts)?;
    if !obj_name.is_empty() {
        opts.fields.terms.push(("metadata.name".into(), true, obj_name.to_string()));
    }
    let bookmarks = req.param("allowWatchBookmarks") == Some("true");
    let initial_end = req.param("sendInitialEvents") == Some("true");
    let since = match req.param("resourceVersion") {
        None | Some("") | Some("0") => None,
        Some(rv) => Some(rv.parse::<u64>().map_err(|_| ApiError::BadRequest(format!("invalid resource version: {rv}")))?),
    };
    let mut events = Vec::new();
    let current = server.store.resource_version();
    match since {
        None => {
            let ns_filter = if ns.is_empty() { None } else { Some(ns) };
            for stored in server.store.list(&info.storage, ns_filter, &opts.selection(), None) {
                if opts.matches(&*info.strategy, &stored.object) {
                    events.push(WatchItem { kind: "ADDED".into(), object: in_version_shared(info, &stored.object) });
                }
            }
            if initial_end {
                events.push(bookmark(info, current, true));
            }
        }
        Some(rv) => match server.store.events_since(rv) {
            Err(StoreError::Expired { requested, oldest }) => {
                let status = ApiError::Expired(format!("too old resource version: {requested} ({})", oldest.saturating_sub(1))).to_status();
                events.push(WatchItem { kind: "ERROR".into(), object: Arc::new(status) });
            }
            Err(e) => return Err(ApiError::Internal(e.to_string())),
            Ok(iter) => {
                for e in iter.filter(|e| e.resource == info.storage && (ns.is_empty() || e.namespace == ns)) {
                    let now_matches = opts.matches(&*info.strategy, &e.object);
                    let was_matching = e.prev.as_ref().is_some_and(|p| opts.matches(&*info.strategy, p));
                    let kind = match (e.kind, was_matching, now_matches) {
                        (EventType::Added, _, true) => "ADDED",
                        (EventType::Deleted, _, true) => "DELETED",
                        (EventType::Modified, true, true) => "MODIFIED",
                        (EventType::Modified, false, true) => "ADDED",
                        (EventType::Modified, true, false) => "DELETED",
                        _ => continue,
                    };
                    events.push(WatchItem { kind: kind.into(), object: in_version_shared(info, &e.object) });
                }
            }
        },
    }
    if bookmarks && !initial_end {
        events.push(bookmark(info, current, false));
    }
    // `kubectl get -w` asks for Tables: each event carries a one-row Table, the first with the
    // column definitions (`noHeaders` asks for none at all).
    if let Some(tv) = tables::wants_table(req.header("accept")) {
        let include = IncludeObject::parse(req.param("includeObject"))?;
        let mut headers = req.param("noHeaders") != Some("true");
        for e in &mut events {
            if e.kind == "ERROR" || e.kind == "BOOKMARK" {
                continue;
            }
            let rv = e.object["metadata"]["resourceVersion"].clone();
            let table = tables::build(&*info.strategy, &[&*e.object], server.now, include, tv, json!({"resourceVersion": rv}), headers);
            headers = false;
            e.object = Arc::new(table);
        }
    }
    let mut resp = Response { status: 200, headers: vec![("content-type".into(), "application/json".into())], body: ResponseBody::Events(events) };
    resp.headers.push((NEXT_RESOURCE_VERSION_HEADER.into(), current.to_string()));
    Ok(resp)
}

fn bookmark(info: &ResourceInfo, rv: u64, initial_end: bool) -> WatchItem {
    let mut meta = json!({"resourceVersion": rv.to_string(), "creationTimestamp": null});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    WatchItem { kind: "BOOKMARK".into(), object: Arc::new(json!({"kind": info.kind, "apiVersion": info.api_version(), "metadata": meta})) }
}
