//! PUT: replace an object, or its status through the status subresource.

use serde_json::Value;

use crate::api::object::metadata_mut;
use crate::api::status::ApiError;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Request, Response};
use crate::apiserver::strategy::Ctx;
use crate::apiserver::validation::meta::{validate_object_meta, validate_object_meta_update};
use crate::apiserver::fields::{self, Writer};
use crate::apiserver::ApiServer;
use crate::schema::Schema;
use crate::sim::clock::Timestamp;
use crate::store::StoreError;

use super::create::reconcile_namespace;
use super::decode_body::read_object;
use super::{dry_run, in_version};

/// Which part of the object an update may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// Everything but the status (for kinds that have one).
    Main,
    /// Only the status.
    Status,
    /// Only a pod's `spec.ephemeralContainers` (pods/ephemeralcontainers).
    EphemeralContainers,
}

pub(super) fn update(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str, part: Part) -> Result<Response, ApiError> {
    let dry = dry_run(req, "UpdateOptions")?;
    let incoming = read_object(req, info)?;
    let mut obj = incoming.object;
    reconcile_namespace(&mut obj, info, ns)?;
    let body_name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
    if body_name != name {
        return Err(ApiError::BadRequest(format!("the name of the object ({body_name}) does not match the name on the URL ({name})")));
    }
    let w = super::writer(req, info, part);
    let stored = update_object(server, info, obj, part, dry, Some(&w))?;
    let mut resp = Response::object(200, in_version(info, &stored));
    for w in incoming.warnings {
        resp.add_warning(&w);
    }
    Ok(resp)
}

/// Replaces a decoded object. A `metadata.resourceVersion` in it must be the stored one.
/// `w` is who writes, for `metadata.managedFields` (`None`: they are already written, by an
/// apply).
pub(crate) fn update_object(server: &mut ApiServer, info: &ResourceInfo, mut obj: Value, part: Part, dry: bool, w: Option<&Writer>) -> Result<Value, ApiError> {
    let strategy = &*info.strategy;
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let old = server.store.get(&info.storage, &ns, &name).ok_or_else(|| ApiError::not_found(&info.group_resource(), &name))?;
    let expected = match obj["metadata"]["resourceVersion"].as_str() {
        None | Some("") => None,
        Some(rv) => Some(rv.parse::<u64>().map_err(|_| ApiError::BadRequest(format!("invalid resource version: {rv}")))?),
    };
    if let Some(e) = expected {
        if e != old.resource_version {
            return Err(ApiError::stale(&info.group_resource(), &name));
        }
    }
    let old_obj: &Value = &old.object;
    strategy.default(&mut obj);
    // What clients may not change: identity and server-set metadata.
    {
        let old_meta = &old_obj["metadata"];
        let meta = metadata_mut(&mut obj);
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            match old_meta.get(key) {
                Some(v) => {
                    meta.insert(key.into(), v.clone());
                }
                None => {
                    meta.remove(key);
                }
            }
        }
    }
    match part {
        Part::Main => {
            if strategy.has_status() {
                match old_obj.get("status") {
                    Some(s) => {
                        obj["status"] = s.clone();
                    }
                    None => {
                        if let Some(m) = obj.as_object_mut() {
                            m.remove("status");
                        }
                    }
                }
            }
            track(info, old_obj, &mut obj, w, server.now);
            strategy.prepare_for_update(&mut obj, old_obj);
            if strategy.tracks_generation() && strategy.spec_changed(&obj, old_obj) {
                let g = old_obj["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                metadata_mut(&mut obj).insert("generation".into(), Value::from(g));
            }
        }
        Part::Status => {
            // Only the status moves; everything else stays as stored.
            let status = obj.as_object_mut().and_then(|m| m.remove("status"));
            let mut next = old_obj.clone();
            if strategy.status_update_keeps_annotations() {
                match obj["metadata"].get("annotations") {
                    Some(a) => next["metadata"]["annotations"] = a.clone(),
                    None => {
                        if let Some(m) = next["metadata"].as_object_mut() {
                            m.remove("annotations");
                        }
                    }
                }
            }
            match status {
                Some(s) => next["status"] = s,
                None => {
                    if let Some(m) = next.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
            obj = next;
            track(info, old_obj, &mut obj, w, server.now);
        }
        Part::EphemeralContainers => {
            // Only the ephemeral containers move.
            let mut next = old_obj.clone();
            match obj["spec"].get("ephemeralContainers") {
                Some(e) => next["spec"]["ephemeralContainers"] = e.clone(),
                None => {
                    if let Some(m) = next["spec"].as_object_mut() {
                        m.remove("ephemeralContainers");
                    }
                }
            }
            if let Some(rv) = obj["metadata"].get("resourceVersion") {
                next["metadata"]["resourceVersion"] = rv.clone();
            }
            obj = next;
            track(info, old_obj, &mut obj, w, server.now);
        }
    }
    let mut errs = validate_object_meta(&obj, info.namespaced, strategy.name_rule());
    errs.extend(validate_object_meta_update(&obj, old_obj));
    if part == Part::EphemeralContainers {
        errs.extend(crate::apiserver::kinds::podspec::validation::validate_ephemeral_update(&obj, old_obj));
    } else if part == Part::Status {
        errs.extend(strategy.validate_status_update(&obj, old_obj));
    } else {
        errs.extend(strategy.validate_update(&obj, old_obj));
    }
    if !errs.is_empty() {
        return Err(ApiError::invalid(&info.group_kind(), &name, errs));
    }
    if part == Part::Main && server.at_door() {
        crate::apiserver::auth::escalation::check(&server.store, &server.requester(), &info.storage, &obj)?;
        // Pods are not warned about on update; workloads when their spec moved.
        if info.storage != "pods" && obj["metadata"]["generation"] != old_obj["metadata"]["generation"] {
            let warnings = strategy.warnings(&obj);
            server.warnings.extend(warnings);
        }
    }
    if part == Part::Main {
        use crate::apiserver::admission::podsecurity;
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
        let warnings = match info.storage.as_str() {
            "namespaces" => {
                podsecurity::validate_namespace(&obj, Some(old_obj))?;
                if server.at_door() {
                    podsecurity::existing_pods_warnings(&server.store, &obj, old_obj)
                } else {
                    Vec::new()
                }
            }
            // A pod update is looked at again only when it changes what the policy checks
            // (an image, a seccomp annotation, the containers).
            "pods" if podsecurity::significant_pod_update(&obj, old_obj) => podsecurity::admit_pod(&server.store, &ns, &obj, server.at_door())?,
            "pods" => Vec::new(),
            // Warnings are worked out only for requests at the door: in-process callers read none.
            storage if server.at_door() => podsecurity::warn_workload(&server.store, storage, &ns, &obj),
            _ => Vec::new(),
        };
        server.warnings.extend(warnings);
    }
    if info.storage == "persistentvolumeclaims" && part == Part::Main {
        crate::apiserver::admission::resize::admit(&server.store, &obj, old_obj)?;
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
        crate::apiserver::admission::limits::validate(&server.store, &info.storage, &info.group_resource(), &ns, &obj)?;
    }
    let now = server.now;
    let mut alloc = server.alloc.clone();
    {
        let mut ctx = Ctx { now, rng: &mut server.rng, store: &server.store, alloc: &mut alloc };
        strategy.allocate(&mut obj, Some(old_obj), &mut ctx)?;
    }
    // A write that changes nothing is not a write: no new resourceVersion, no event.
    // (Compared with the stored resourceVersion in place of the one sent, then put back.)
    let sent_rv = metadata_mut(&mut obj).insert("resourceVersion".into(), Value::String(old.resource_version.to_string()));
    let unchanged = obj == *old_obj;
    match sent_rv {
        Some(rv) => metadata_mut(&mut obj).insert("resourceVersion".into(), rv),
        None => metadata_mut(&mut obj).remove("resourceVersion"),
    };
    if unchanged || dry {
        return Ok(if dry { obj } else { old_obj.clone() });
    }
    server.alloc = alloc;
    match server.store.update(&info.storage, &ns, &name, obj, Some(old.resource_version)) {
        Ok(stored) => {
            // An object being deleted goes once its last finalizer is gone (pods wait for
            // their grace period, which the kubelet ends).
            let meta = &stored.object["metadata"];
            let deleting = meta["deletionTimestamp"].is_string();
            let finalizers_left = meta["finalizers"].as_array().is_some_and(|a| !a.is_empty());
            let grace_pending = meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(0) > 0;
            if deleting && !finalizers_left && !grace_pending {
                super::delete::finish_deletion(server, info, &ns, &name);
            } else if info.storage != "resourcequotas" || part == Part::Main {
                server.refresh_quotas(&ns);
            }
            Ok((*stored.object).clone())
        }
        Err(StoreError::Conflict { .. }) => Err(ApiError::stale(&info.group_resource(), &name)),
        Err(StoreError::NotFound { .. }) => Err(ApiError::not_found(&info.group_resource(), &name)),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// Writes the managers of an update into `obj` (the stored version's view of the object).
pub(super) fn track(info: &ResourceInfo, old: &Value, obj: &mut Value, w: Option<&Writer>, now: Timestamp) {
    let Some(w) = w else { return };
    let schema = Schema::v1_33();
    let ty = fields::resource_ty(schema, info, obj["apiVersion"].as_str().unwrap_or(&info.api_version()), obj["kind"].as_str().unwrap_or(&info.kind));
    fields::update(schema, ty, Some(old), obj, w, &now.rfc3339());
}
