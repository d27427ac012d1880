//! PATCH: JSON patch, merge patch and strategic merge patch, applied to the stored object (or
//! to its Scale) and then written as an update with every check of one; and server-side apply
//! (`application/apply-patch+yaml`), which creates the object when it is absent.

use serde_json::Value;

use crate::api::field::{FieldError, Path};
use crate::api::meta::GroupKind;
use crate::api::status::ApiError;
use crate::apiserver::fields;
use crate::apiserver::decode::{decode_typed, parse_body, FieldValidation};
use crate::apiserver::patch::{json_patch, merge, strategic};
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::{Request, Response};
use crate::schema::Schema;
use crate::apiserver::ApiServer;

use super::update::{update_object, Part};
use super::{dry_run, in_version};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

fn patch_type(req: &Request) -> Result<PatchType, ApiError> {
    let ct = req.header("content-type").unwrap_or_default();
    match ct.split(';').next().unwrap_or("").trim() {
        "application/json-patch+json" => Ok(PatchType::Json),
        "application/merge-patch+json" => Ok(PatchType::Merge),
        "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
        "application/apply-patch+yaml" => Ok(PatchType::Apply),
        _ => Err(ApiError::UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml".into(),
        )),
    }
}

fn invalid_patch(why: String) -> ApiError {
    // The API server answers a patch it cannot apply with a generic 422.
    let _ = why;
    ApiError::UnprocessablePatch
}

fn apply(kind: PatchType, def: Option<&str>, target: &Value, patch: &Value) -> Result<Value, ApiError> {
    match kind {
        PatchType::Json => json_patch::apply(target, patch).map_err(invalid_patch),
        PatchType::Merge => merge::apply(target, patch).map_err(ApiError::BadRequest),
        PatchType::Strategic => strategic::apply(Schema::v1_33(), def, target, patch).map_err(ApiError::BadRequest),
        PatchType::Apply => Err(ApiError::UnsupportedMediaType("apply patches are not supported for this resource".into())),
    }
}

/// A patch's result decoded as its kind, with the unknown fields it dropped (refused when
/// Strict), and its name still the one on the URL.
fn decode_result(schema: &Schema, info: &ResourceInfo, def: Option<&str>, value: Value, mode: FieldValidation, name: &str) -> Result<(Value, Vec<String>), ApiError> {
    let prefix = format!("{} in version {} cannot be handled as a {}", info.kind, crate::api::field::go_quote(&info.version), info.kind);
    let mut value = value;
    let custom = info.strategy.prune(&mut value).transpose().map_err(|e| ApiError::BadRequest(format!("{prefix}: {e}")))?;
    let (object, unknown) = match def {
        _ if custom.is_some() => (value, custom.unwrap_or_default()),
        Some(d) => {
            let decoded = decode_typed(schema, d, value).map_err(|e| ApiError::BadRequest(format!("{prefix}: {e}")))?;
            (decoded.object, decoded.unknown)
        }
        None => (value, Vec::new()),
    };
    if mode == FieldValidation::Strict && !unknown.is_empty() {
        return Err(ApiError::BadRequest(format!("{prefix}: strict decoding error: {}", unknown.join(", "))));
    }
    if object["metadata"]["name"].as_str() != Some(name) {
        return Err(ApiError::BadRequest(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            object["metadata"]["name"].as_str().unwrap_or_default()
        )));
    }
    Ok((object, unknown))
}

pub(super) fn patch(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str, part: Part) -> Result<Response, ApiError> {
    let dry = dry_run(req, "PatchOptions")?;
    let kind = patch_type(req)?;
    if kind == PatchType::Strategic && !info.strategy.strategic_merge() {
        return Err(ApiError::UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml".into(),
        ));
    }
    check_options(req, kind)?;
    let mode = FieldValidation::from_request(req)?;
    let body = parse_body(req)?;
    if kind == PatchType::Apply {
        return apply_patch(server, req, info, ns, name, part, dry, mode, body);
    }
    let stored = server.store.get(&info.storage, ns, name).ok_or_else(|| ApiError::not_found(&info.group_resource(), name))?;
    let current = in_version(info, &stored.object);
    let schema = Schema::v1_33();
    let def = schema.kind(&info.api_version(), &info.kind);
    let patched = apply(kind, def, &current, &body)?;
    let (object, unknown) = decode_result(schema, info, def, patched, mode, name)?;
    let object = crate::apiserver::convert::to_storage(info, object);
    let w = super::writer(req, info, part);
    let updated = update_object(server, info, object, part, dry, Some(&w))?;
    let mut resp = Response::object(200, in_version(info, &updated));
    if mode == FieldValidation::Warn {
        for w in unknown {
            resp.add_warning(&w);
        }
    }
    Ok(resp)
}

/// PatchOptions' checks: an apply names its field manager; only an apply may force.
fn check_options(req: &Request, kind: PatchType) -> Result<(), ApiError> {
    let mut errs = Vec::new();
    if kind == PatchType::Apply {
        if req.param("fieldManager").unwrap_or_default().is_empty() {
            errs.push(FieldError::required(&Path::new("fieldManager"), "is required for apply patch"));
        }
    } else if req.param("force").is_some() {
        errs.push(FieldError::forbidden(&Path::new("force"), "may not be specified for non-apply patch"));
    }
    if let Some(m) = req.param("fieldManager") {
        if m.len() > fields::MAX_MANAGER_LEN {
            errs.push(FieldError::too_long(&Path::new("fieldManager"), fields::MAX_MANAGER_LEN));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&GroupKind::new("meta.k8s.io", "PatchOptions"), "", errs))
    }
}

/// Server-side apply: the configuration merged into the live object (or into nothing: a
/// create) with structured-merge semantics and ownership, then stored like any write.
#[allow(clippy::too_many_arguments)]
fn apply_patch(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str, part: Part, dry: bool, mode: FieldValidation, config: Value) -> Result<Response, ApiError> {
    if !config.is_object() {
        return Err(ApiError::BadRequest(format!("error decoding YAML: json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_kind(&config))));
    }
    let version = config["apiVersion"].as_str().unwrap_or_default();
    if version != info.api_version() {
        return Err(ApiError::BadRequest(format!("Incorrect version specified in apply patch. Specified patch version: {version}, expected: {}", info.api_version())));
    }
    if config["metadata"].get("managedFields").is_some_and(|m| !m.is_null()) {
        return Err(ApiError::BadRequest("metadata.managedFields must be nil".into()));
    }
    let force = req.param("force") == Some("true");
    let w = super::writer(req, info, part);
    let schema = Schema::v1_33();
    let ty = fields::resource_ty(schema, info, &info.api_version(), &info.kind);
    let live = server.store.get(&info.storage, ns, name).map(|s| in_version(info, &s.object));
    let now = server.now.rfc3339();
    let merged = fields::apply(schema, ty, live.as_ref(), &config, &w, force, &now).map_err(|c| ApiError::ApplyConflict { message: c.message(), causes: c.causes() })?;
    let def = schema.kind(&info.api_version(), &info.kind);
    let (mut object, unknown) = decode_result(schema, info, def, merged, mode, name)?;
    let (code, stored) = if live.is_none() {
        if part != Part::Main {
            return Err(ApiError::not_found(&info.group_resource(), name));
        }
        super::create::reconcile_namespace(&mut object, info, ns)?;
        let object = crate::apiserver::convert::to_storage(info, object);
        (201, super::create::create_object(server, info, object, dry, None)?)
    } else {
        let object = crate::apiserver::convert::to_storage(info, object);
        (200, update_object(server, info, object, part, dry, None)?)
    };
    let mut resp = Response::object(code, in_version(info, &stored));
    if mode == FieldValidation::Warn {
        for w in unknown {
            resp.add_warning(&w);
        }
    }
    Ok(resp)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

/// PATCH of the scale subresource: the patch applies to the Scale, its replicas to the object.
pub(super) fn patch_scale(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str) -> Result<Response, ApiError> {
    let kind = patch_type(req)?;
    let body = parse_body(req)?;
    let scale = super::subresources::get_scale(server, info, ns, name)?.into_value().unwrap_or(Value::Null);
    let patched = apply(kind, Schema::v1_33().kind("autoscaling/v1", "Scale"), &scale, &body)?;
    // The same request as a PUT: its query and headers (the User-Agent names the manager).
    let mut put = Request::put(&req.path, patched);
    put.query.clone_from(&req.query);
    put.headers = req.headers.iter().filter(|(k, _)| k != "content-type").cloned().collect();
    super::subresources::update_scale(server, &put, info, ns, name)
}
