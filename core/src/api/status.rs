//! API errors as typed values, and the `Status` objects Kubernetes sends for them
//! (apimachinery `pkg/api/errors`).

use serde_json::{json, Map, Value};

use super::field::{aggregate, go_quote, FieldError};
use super::meta::{GroupKind, GroupResource};

/// The message of a 409 on a stale `resourceVersion`.
pub const OPTIMISTIC_LOCK_MESSAGE: &str = "the object has been modified; please apply your changes to the latest version and try again";

/// Everything the API can answer with other than success. Each variant becomes one `Status`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 404: `pods "nope" not found`.
    #[error("{resource} {} not found", go_quote(name))]
    NotFound { resource: GroupResource, name: String },
    /// 404 for a path that names nothing the server serves.
    #[error("the server could not find the requested resource")]
    NoRoute,
    /// 409: `configmaps "x" already exists`.
    #[error("{resource} {} already exists", go_quote(name))]
    AlreadyExists { resource: GroupResource, name: String },
    /// 409: `Operation cannot be fulfilled on deployments.apps "web": <why>`.
    #[error("Operation cannot be fulfilled on {resource} {}: {why}", go_quote(name))]
    Conflict { resource: GroupResource, name: String, why: String },
    /// 409 from server-side apply: `Apply failed with 1 conflict: conflict with "kubectl-edit"
    /// using apps/v1: .spec.replicas`, each conflict a cause (field path, `conflict with ...`).
    #[error("{message}")]
    ApplyConflict { message: String, causes: Vec<(String, String)> },
    /// 422: `Pod "p" is invalid: <causes>`.
    #[error("{}", invalid_message(kind, name, errors))]
    Invalid { kind: GroupKind, name: String, errors: Vec<FieldError> },
    /// 401: the credentials are not ones the server accepts.
    #[error("Unauthorized")]
    Unauthorized,
    /// 403: `pods "p" is forbidden: <why>`.
    #[error("{}", forbidden_message(resource, name, why))]
    Forbidden { resource: GroupResource, name: String, why: String },
    /// 400 with a free-form message.
    #[error("{0}")]
    BadRequest(String),
    /// 405: `<verb> is not supported on resources of kind "<resource>"`.
    #[error("{verb} is not supported on resources of kind {}", go_quote(&resource.to_string()))]
    MethodNotSupported { resource: GroupResource, verb: String },
    /// 405 with the server's own reason (`create not allowed while custom resource definition
    /// is terminating`).
    #[error("{message}")]
    MethodNotAllowed { resource: GroupResource, message: String },
    /// 406: the client asked for a representation the server cannot produce.
    #[error("{0}")]
    NotAcceptable(String),
    /// 410 Expired: `too old resource version: 5 (10)`, or an expired continue token.
    #[error("{0}")]
    Expired(String),
    /// 413: `Request entity too large: limit is 3145728`.
    #[error("Request entity too large: {0}")]
    RequestEntityTooLarge(String),
    /// 415: the body's content type is not one the server reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422 for a JSON patch that cannot be applied (the server's generic wording).
    #[error("the server rejected our request due to an error in our request")]
    UnprocessablePatch,
    /// 429 with a message (an eviction a disruption budget forbids).
    #[error("{0}")]
    TooManyRequests(String),
    /// 500: `Internal error occurred: <why>`.
    #[error("Internal error occurred: {0}")]
    Internal(String),
}

fn invalid_message(kind: &GroupKind, name: &str, errors: &[FieldError]) -> String {
    if errors.is_empty() {
        format!("{kind} {} is invalid", go_quote(name))
    } else {
        format!("{kind} {} is invalid: {}", go_quote(name), aggregate(errors))
    }
}

fn forbidden_message(resource: &GroupResource, name: &str, why: &str) -> String {
    if resource.resource.is_empty() && resource.group.is_empty() {
        format!("forbidden: {why}")
    } else if name.is_empty() {
        format!("{resource} is forbidden: {why}")
    } else {
        format!("{resource} {} is forbidden: {why}", go_quote(name))
    }
}

impl ApiError {
    pub fn not_found(resource: &GroupResource, name: &str) -> Self {
        ApiError::NotFound { resource: resource.clone(), name: name.to_string() }
    }
    pub fn already_exists(resource: &GroupResource, name: &str) -> Self {
        ApiError::AlreadyExists { resource: resource.clone(), name: name.to_string() }
    }
    pub fn stale(resource: &GroupResource, name: &str) -> Self {
        ApiError::Conflict { resource: resource.clone(), name: name.to_string(), why: OPTIMISTIC_LOCK_MESSAGE.to_string() }
    }
    pub fn invalid(kind: &GroupKind, name: &str, errors: Vec<FieldError>) -> Self {
        ApiError::Invalid { kind: kind.clone(), name: name.to_string(), errors }
    }

    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict { .. } | ApiError::ApplyConflict { .. } => 409,
            ApiError::Invalid { .. } | ApiError::UnprocessablePatch => 422,
            ApiError::Unauthorized => 401,
            ApiError::Forbidden { .. } => 403,
            ApiError::BadRequest(_) => 400,
            ApiError::MethodNotSupported { .. } | ApiError::MethodNotAllowed { .. } => 405,
            ApiError::NotAcceptable(_) => 406,
            ApiError::Expired(_) => 410,
            ApiError::RequestEntityTooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::TooManyRequests(_) => 429,
            ApiError::Internal(_) => 500,
        }
    }

    /// The `reason` of the Status.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Conflict { .. } | ApiError::ApplyConflict { .. } => "Conflict",
            ApiError::Invalid { .. } | ApiError::UnprocessablePatch => "Invalid",
            ApiError::Unauthorized => "Unauthorized",
            ApiError::Forbidden { .. } => "Forbidden",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::MethodNotSupported { .. } | ApiError::MethodNotAllowed { .. } => "MethodNotAllowed",
            ApiError::NotAcceptable(_) => "NotAcceptable",
            ApiError::Expired(_) => "Expired",
            ApiError::RequestEntityTooLarge(_) => "RequestEntityTooLarge",
            ApiError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            ApiError::TooManyRequests(_) => "TooManyRequests",
            ApiError::Internal(_) => "InternalError",
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound { .. })
    }
    pub fn is_conflict(&self) -> bool {
        matches!(self, ApiError::Conflict { .. })
    }
    pub fn is_already_exists(&self) -> bool {
        matches!(self, ApiError::AlreadyExists { .. })
    }

    fn details(&self) -> Option<Value> {
        let gr = |r: &GroupResource, name: &str| {
            let mut d = Map::new();
            if !name.is_empty() {
                d.insert("name".into(), json!(name));
            }
            if !r.group.is_empty() {
                d.insert("group".into(), json!(r.group));
            }
            if !r.resource.is_empty() {
                d.insert("kind".into(), json!(r.resource));
            }
            Value::Object(d)
        };
        match self {
            ApiError::NotFound { resource, name }
            | ApiError::AlreadyExists { resource, name }
            | ApiError::Conflict { resource, name, .. }
            | ApiError::Forbidden { resource, name, .. } => Some(gr(resource, name)),
            ApiError::MethodNotSupported { resource, .. } | ApiError::MethodNotAllowed { resource, .. } => Some(gr(resource, "")),
            ApiError::NoRoute | ApiError::UnprocessablePatch => Some(json!({})),
            ApiError::Invalid { kind, name, errors } => {
                let mut d = Map::new();
                if !name.is_empty() {
                    d.insert("name".into(), json!(name));
                }
                if !kind.group.is_empty() {
                    d.insert("group".into(), json!(kind.group));
                }
                d.insert("kind".into(), json!(kind.kind));
                let causes: Vec<Value> = errors
                    .iter()
                    .map(|e| json!({"reason": e.kind.cause_type(), "message": e.body(), "field": e.field}))
                    .collect();
                if !causes.is_empty() {
                    d.insert("causes".into(), Value::Array(causes));
                }
                Some(Value::Object(d))
            }
            ApiError::Internal(why) => Some(json!({"causes": [{"message": why}]})),
            ApiError::ApplyConflict { causes, .. } => {
                let causes: Vec<Value> = causes.iter().map(|(field, message)| json!({"reason": "FieldManagerConflict", "message": message, "field": field})).collect();
                Some(json!({"causes": causes}))
            }
            _ => None,
        }
    }

    /// The `Status` object sent as the response body.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": self.reason(),
            "code": self.code(),
        });
        if let Some(d) = self.details() {
            s["details"] = d;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::field::Path;

    #[test]
    fn not_found_matches_kubernetes() {
        let e = ApiError::not_found(&GroupResource::new("", "pods"), "nope");
        assert_eq!(
            e.to_status(),
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                   "message": "pods \"nope\" not found", "reason": "NotFound",
                   "details": {"name": "nope", "kind": "pods"}, "code": 404})
        );
    }

    #[test]
    fn conflict_and_invalid_messages() {
        let e = ApiError::stale(&GroupResource::new("apps", "deployments"), "web");
        assert_eq!(e.to_string(), "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again");
        let errs = vec![FieldError::required(&Path::new("spec.containers[0].image"), "")];
        let e = ApiError::invalid(&GroupKind::new("", "Pod"), "p", errs);
        assert_eq!(e.to_string(), "Pod \"p\" is invalid: spec.containers[0].image: Required value");
        assert_eq!(e.code(), 422);
        assert_eq!(e.to_status()["details"]["causes"][0], json!({"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"}));
    }
}
