//! POST: create an object (the generic registry's BeforeCreate, admission, validation, store).

use serde_json::{json, Value};

use crate::api::meta::GroupResource;
use crate::api::object::{metadata_mut, name};
use crate::api::status::ApiError;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Request, Response};
use crate::apiserver::strategy::Ctx;
use crate::apiserver::validation::meta::validate_object_meta;
use crate::apiserver::fields::{self, Writer};
use crate::apiserver::ApiServer;
use crate::schema::Schema;
use crate::store::StoreError;

use super::decode_body::read_object;
use super::{dry_run, in_version};

/// How many times a generated name is retried when it collides.
const GENERATE_NAME_ATTEMPTS: usize = 8;

pub(super) fn create(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str) -> Result<Response, ApiError> {
    if super::reviews::is_review(info) {
        return super::reviews::review(server, req, info, ns);
    }
    let dry = dry_run(req, "CreateOptions")?;
    let incoming = read_object(req, info)?;
    let mut obj = incoming.object;
    reconcile_namespace(&mut obj, info, ns)?;
    let w = super::writer(req, info, super::update::Part::Main);
    let stored = create_object(server, info, obj, dry, Some(&w))?;
    let mut resp = Response::object(201, in_version(info, &stored));
    for w in incoming.warnings {
        resp.add_warning(&w);
    }
    Ok(resp)
}

/// The namespace of the object against the one in the URL: filled in when empty, an error when
/// different; cleared for cluster-scoped kinds.
pub(super) fn reconcile_namespace(obj: &mut Value, info: &ResourceInfo, url_ns: &str) -> Result<(), ApiError> {
    let meta = metadata_mut(obj);
    if !info.namespaced {
        meta.remove("namespace");
        return Ok(());
    }
    match meta.get("namespace").and_then(Value::as_str) {
        None | Some("") => {
            meta.insert("namespace".into(), json!(url_ns));
        }
        Some(n) if n != url_ns => {
            return Err(ApiError::BadRequest("the namespace of the provided object does not match the namespace sent on the request".into()));
        }
        Some(_) => {}
    }
    Ok(())
}

/// NamespaceLifecycle: no objects in a namespace that does not exist or is going away.
pub(super) fn check_namespace_open(server: &ApiServer, info: &ResourceInfo, ns: &str, name: &str) -> Result<(), ApiError> {
    if !info.namespaced || ns.is_empty() {
        return Ok(());
    }
    match server.store.get("namespaces", "", ns) {
        None => Err(ApiError::not_found(&GroupResource::new("", "namespaces"), ns)),
        Some(n) if n.object["status"]["phase"] == "Terminating" || n.object["metadata"]["deletionTimestamp"].is_string() => {
            Err(ApiError::Forbidden {
                resource: info.group_resource(),
                name: name.to_string(),
                why: format!("unable to create new content in namespace {ns} because it is being terminated"),
            })
        }
        Some(_) => Ok(()),
    }
}

/// Creates a decoded object: defaults, server-set metadata, admission, validation, allocation
/// and storage. Returns the stored object (or what would be stored, on a dry run). `w` is who
/// writes, for `metadata.managedFields` (`None`: already written, by an apply).
pub(crate) fn create_object(server: &mut ApiServer, info: &ResourceInfo, mut obj: Value, dry: bool, w: Option<&Writer>) -> Result<Value, ApiError> {
    let strategy = &*info.strategy;
    let now = server.now;
    strategy.default(&mut obj);
    if let Some(w) = w {
        let schema = Schema::v1_33();
        let ty = fields::resource_ty(schema, info, obj["apiVersion"].as_str().unwrap_or(&info.api_version()), obj["kind"].as_str().unwrap_or(&info.kind));
        fields::update(schema, ty, None, &mut obj, w, &now.rfc3339());
    }
    {
        let meta = metadata_mut(&mut obj);
        meta.insert("uid".into(), json!(server.rng.uuid_v4()));
        meta.insert("creationTimestamp".into(), json!(now.rfc3339()));
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("resourceVersion");
        meta.remove("selfLink");
        meta.remove("generation");
        if strategy.tracks_generation() {
            meta.insert("generation".into(), json!(1));
        }
    }
    // Names from generateName are made before anything reads the name, as the
    // generic registry does.
    let generated = name(&obj).is_empty() && obj["metadata"]["generateName"].as_str().is_some_and(|g| !g.is_empty());
    if generated {
        let prefix = obj["metadata"]["generateName"].as_str().unwrap_or_default().to_string();
        let candidate = generate_name(server, info, &prefix, obj["metadata"]["namespace"].as_str().unwrap_or_default());
        metadata_mut(&mut obj).insert("name".into(), json!(candidate));
    }
    strategy.prepare_for_create(&mut obj);
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    let obj_name = name(&obj).to_string();
    check_namespace_open(server, info, &ns, &obj_name)?;
    {
        let mut alloc = server.alloc.clone();
        let mut ctx = Ctx { now, rng: &mut server.rng, store: &server.store, alloc: &mut alloc };
        strategy.admit(&mut obj, &mut ctx)?;
    }
    // LimitRanger's defaults, before validation and quota see the pod.
    if info.storage == "pods" {
        crate::apiserver::admission::limits::default_pod(&server.store, &ns, &mut obj);
    }
    // What admission added is defaulted too (the stored object is decoded with defaults).
    strategy.default(&mut obj);
    let mut errs = validate_object_meta(&obj, info.namespaced, strategy.name_rule());
    errs.extend(strategy.validate(&obj));
    if !errs.is_empty() {
        return Err(ApiError::invalid(&info.group_kind(), &obj_name, errs));
    }
    if server.store.get(&info.storage, &ns, &obj_name).is_some() {
        return Err(ApiError::already_exists(&info.group_resource(), &obj_name));
    }
    if server.at_door() {
        crate::apiserver::auth::escalation::check(&server.store, &server.requester(), &info.storage, &obj)?;
    }
    crate::apiserver::admission::limits::validate(&server.store, &info.storage, &info.group_resource(), &ns, &obj)?;
    if server.at_door() {
        let warnings = strategy.warnings(&obj);
        server.warnings.extend(warnings);
    }
    {
        use crate::apiserver::admission::podsecurity;
        // Warnings are worked out only for requests at the door: in-process callers read none.
        let warnings = match info.storage.as_str() {
            "pods" => podsecurity::admit_pod(&server.store, &ns, &obj, server.at_door())?,
            "namespaces" => {
                podsecurity::validate_namespace(&obj, None)?;
                Vec::new()
            }
            storage if server.at_door() => podsecurity::warn_workload(&server.store, storage, &ns, &obj),
            _ => Vec::new(),
        };
        server.warnings.extend(warnings);
    }
    crate::apiserver::admission::quota::admit(&server.store, &info.storage, &info.group_resource(), &ns, &obj)?;
    if dry {
        let mut alloc = server.alloc.clone();
        let mut ctx = Ctx { now, rng: &mut server.rng, store: &server.store, alloc: &mut alloc };
        strategy.allocate(&mut obj, None, &mut ctx)?;
        return Ok(obj);
    }
    let mut ctx = Ctx { now, rng: &mut server.rng, store: &server.store, alloc: &mut server.alloc };
    strategy.allocate(&mut obj, None, &mut ctx)?;
    match server.store.create(&info.storage, &ns, &obj_name, obj) {
        Ok(stored) => {
            server.refresh_quotas(&ns);
            // The quota itself may have been refreshed: return what is stored now.
            let now = server.store.get(&info.storage, &ns, &obj_name).map_or(stored.object, |s| s.object);
            Ok((*now).clone())
        }
        Err(StoreError::AlreadyExists { .. }) => Err(ApiError::already_exists(&info.group_resource(), &obj_name)),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

fn generate_name(server: &mut ApiServer, info: &ResourceInfo, prefix: &str, ns: &str) -> String {
    // Kubernetes keeps the prefix short enough that prefix + 5 characters fit in 63.
    let max_prefix = 63 - 5;
    let base: String = prefix.chars().take(max_prefix).collect();
    let mut candidate = format!("{base}{}", server.rng.name_suffix(5));
    for _ in 0..GENERATE_NAME_ATTEMPTS {
        if server.store.get(&info.storage, ns, &candidate).is_none() {
            break;
        }
        candidate = format!("{base}{}", server.rng.name_suffix(5));
    }
    candidate
}
