//! The object in a create or update request, decoded as the server decodes it: version and
//! kind checked against the endpoint, types checked, unknown fields handled by the
//! `fieldValidation` mode.

use serde_json::Value;

use crate::api::field::go_quote;
use crate::api::status::ApiError;
use crate::schema::Schema;

use crate::apiserver::decode::{decode_typed, parse_body_tracking, FieldValidation};
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::request::Request;

pub(super) struct Incoming {
    pub object: Value,
    /// `Warning` headers to send (unknown fields in Warn mode).
    pub warnings: Vec<String>,
}

pub(super) fn read_object(req: &Request, info: &ResourceInfo) -> Result<Incoming, ApiError> {
    let mode = FieldValidation::from_request(req)?;
    let (mut body, duplicates) = parse_body_tracking(req)?;
    let expected_version = info.api_version();
    let Some(map) = body.as_object_mut() else {
        return Err(ApiError::BadRequest(format!(
            "the object provided is unrecognized (must be of type {}): json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            info.kind,
            match body {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "bool",
                _ => "null",
            }
        )));
    };
    let data_version = map.get("apiVersion").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(&expected_version).to_string();
    let data_kind = map.get("kind").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(&info.kind).to_string();
    if data_version != expected_version {
        return Err(ApiError::BadRequest(format!(
            "the API version in the data ({data_version}) does not match the expected API version ({expected_version})"
        )));
    }
    let prefix = format!("{data_kind} in version {} cannot be handled as a {}", go_quote(&info.version), info.kind);
    if data_kind != info.kind {
        return Err(ApiError::BadRequest(format!("{prefix}: converting (v1.{data_kind}) to ({}.{}): unknown conversion", info.version, info.kind)));
    }
    map.insert("apiVersion".into(), Value::String(expected_version.clone()));
    map.insert("kind".into(), Value::String(info.kind.clone()));
    if let Some(pruned) = info.strategy.prune(&mut body) {
        // A custom resource: its CRD's schema pruned it; types are checked by validation.
        let unknown = pruned.map_err(|e| ApiError::BadRequest(format!("{prefix}: {e}")))?;
        return finish(body, unknown, duplicates, mode, &prefix, info);
    }
    let schema = Schema::v1_33();
    let Some(def) = schema.kind(&expected_version, &info.kind) else {
        // No schema (should not happen for built-in kinds): take the object as it is.
        return Ok(Incoming { object: body, warnings: Vec::new() });
    };
    let decoded = decode_typed(schema, def, body).map_err(|e| ApiError::BadRequest(format!("{prefix}: {e}")))?;
    finish(decoded.object, decoded.unknown, duplicates, mode, &prefix, info)
}

/// Unknown and duplicate fields, as the field validation mode says: an error, warnings, or
/// nothing.
fn finish(object: Value, unknown: Vec<String>, duplicates: Vec<String>, mode: FieldValidation, prefix: &str, info: &ResourceInfo) -> Result<Incoming, ApiError> {
    let mut warnings = Vec::new();
    let mut strict_errors = unknown;
    for d in duplicates {
        // A key both unknown and repeated is reported once, as unknown.
        let unknown = format!("unknown field {}", go_quote(&d));
        if !strict_errors.contains(&unknown) {
            strict_errors.push(format!("duplicate field {}", go_quote(&d)));
        }
    }
    if !strict_errors.is_empty() {
        match mode {
            FieldValidation::Strict => {
                let listed: Vec<&String> = strict_errors.iter().take(100).collect();
                return Err(ApiError::BadRequest(format!(
                    "{prefix}: strict decoding error: {}",
                    listed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
            FieldValidation::Warn => warnings = strict_errors,
            FieldValidation::Ignore => {}
        }
    }
    Ok(Incoming { object: crate::apiserver::convert::to_storage(info, object), warnings })
}
