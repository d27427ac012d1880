//! PATCH: JSON patch, merge patch and strategic merge patch, applied to the stored object (or
//! to its Scale) and then written as an update with every check of one.

use serde_json::Value;

use crate::api::status::ApiError;
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
}

fn patch_type(req: &Request) -> Result<PatchType, ApiError> {
    let ct = req.header("content-type").unwrap_or_default();
    match ct.split(';').next().unwrap_or("").trim() {
        "application/json-patch+json" => Ok(PatchType::Json),
        "application/merge-patch+json" => Ok(PatchType::Merge),
        "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
        _ => Err(ApiError::UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json".into(),
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
    }
}

pub(super) fn patch(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str, part: Part) -> Result<Response, ApiError> {
    let dry = dry_run(req)?;
    let kind = patch_type(req)?;
    let mode = FieldValidation::from_request(req)?;
    let body = parse_body(req)?;
    let stored = server.store.get(&info.storage, ns, name).ok_or_else(|| ApiError::not_found(&info.group_resource(), name))?;
    let current = in_version(info, &stored.object);
    let schema = Schema::v1_33();
    let def = schema.kind(&info.api_version(), &info.kind);
    let patched = apply(kind, def, &current, &body)?;
    // Typed decoding of the result: unknown fields are refused (Strict) or dropped.
    let prefix = format!("{} in version {} cannot be handled as a {}", info.kind, crate::api::field::go_quote(&info.version), info.kind);
    let (object, unknown) = match def {
        Some(d) => {
            let decoded = decode_typed(schema, d, patched).map_err(|e| ApiError::BadRequest(format!("{prefix}: {e}")))?;
            (decoded.object, decoded.unknown)
        }
        None => (patched, Vec::new()),
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
    let object = crate::apiserver::convert::to_storage(info, object);
    let updated = update_object(server, info, object, part, dry)?;
    let mut resp = Response::object(200, in_version(info, &updated));
    if mode == FieldValidation::Warn {
        for w in unknown {
            resp.add_warning(&w);
        }
    }
    Ok(resp)
}

/// PATCH of the scale subresource: the patch applies to the Scale, its replicas to the object.
pub(super) fn patch_scale(server: &mut ApiServer, req: &Request, info: &ResourceInfo, ns: &str, name: &str) -> Result<Response, ApiError> {
    let kind = patch_type(req)?;
    let body = parse_body(req)?;
    let scale = super::subresources::get_scale(server, info, ns, name)?.into_value().unwrap_or(Value::Null);
    let patched = apply(kind, Schema::v1_33().kind("autoscaling/v1", "Scale"), &scale, &body)?;
    let put = Request::put(&req.path, patched);
    let put = req.query.iter().fold(put, |r, (k, v)| r.with_query(k, v));
    super::subresources::update_scale(server, &put, info, ns, name)
}
