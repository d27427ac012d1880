//! The review resources that answer instead of storing: `SelfSubjectAccessReview`,
//! `SubjectAccessReview`, `LocalSubjectAccessReview`, `SelfSubjectRulesReview` (may I?) and
//! `SelfSubjectReview` (who am I?). They ask the server's own authorizer (auth/) about the
//! requester — the kubeconfig's user, or whom they impersonate — or about the user a
//! SubjectAccessReview names.

use serde_json::{json, Value};

use crate::api::status::ApiError;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::{auth, ApiServer, Request, Response};

use super::decode_body::read_object;

/// Whether a resource is one of the reviews answered here.
pub(super) fn is_review(info: &ResourceInfo) -> bool {
    matches!(
        (info.group.as_str(), info.resource.as_str()),
        ("authorization.k8s.io", "selfsubjectaccessreviews" | "subjectaccessreviews" | "localsubjectaccessreviews" | "selfsubjectrulesreviews") | ("authentication.k8s.io", "selfsubjectreviews")
    )
}

pub(super) fn review(server: &ApiServer, req: &Request, info: &ResourceInfo, ns: &str) -> Result<Response, ApiError> {
    let incoming = read_object(req, info)?;
    let mut obj = incoming.object;
    let me = server.requester();
    obj["apiVersion"] = json!(info.api_version());
    obj["kind"] = json!(info.kind);
    if obj["metadata"].is_null() {
        obj["metadata"] = json!({});
    }
    obj["metadata"]["creationTimestamp"] = Value::Null;
    if info.resource == "localsubjectaccessreviews" {
        obj["metadata"]["namespace"] = json!(ns);
    }
    match info.resource.as_str() {
        "selfsubjectreviews" => {
            obj["status"] = json!({"userInfo": {"username": me.name, "groups": me.groups}});
        }
        "selfsubjectrulesreviews" => {
            let namespace = obj["spec"]["namespace"].as_str().unwrap_or_default().to_string();
            let (rules, errors) = if me.groups.iter().any(|g| g == auth::PRIVILEGED_GROUP) {
                (vec![json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}), json!({"verbs": ["*"], "nonResourceURLs": ["*"]})], Vec::new())
            } else {
                auth::rbac::rules_for(server.store(), &me, &namespace)
            };
            let mut resource_rules = Vec::new();
            let mut non_resource_rules = Vec::new();
            for r in rules {
                if r["nonResourceURLs"].as_array().is_some_and(|u| !u.is_empty()) {
                    non_resource_rules.push(json!({"verbs": r["verbs"], "nonResourceURLs": r["nonResourceURLs"]}));
                } else {
                    let mut rule = json!({"verbs": r["verbs"], "apiGroups": r["apiGroups"], "resources": r["resources"]});
                    if r["resourceNames"].as_array().is_some_and(|n| !n.is_empty()) {
                        rule["resourceNames"] = r["resourceNames"].clone();
                    }
                    resource_rules.push(rule);
                }
            }
            obj["status"] = json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": !errors.is_empty()});
            if !errors.is_empty() {
                obj["status"]["evaluationError"] = json!(errors.join(", "));
            }
        }
        _ => {
            let spec = &obj["spec"];
            if spec["resourceAttributes"].is_null() && spec["nonResourceAttributes"].is_null() {
                return Err(ApiError::invalid(
                    &crate::api::meta::GroupKind::new(&info.group, &info.kind),
                    "",
                    vec![crate::api::field::FieldError::required(&crate::api::field::Path::new("spec").child("resourceAttributes"), "exactly one of nonResourceAttributes or resourceAttributes must be specified")],
                ));
            }
            // A SubjectAccessReview asks about the user it names, with exactly their groups.
            let subject = if info.resource == "subjectaccessreviews" || info.resource == "localsubjectaccessreviews" {
                auth::User { name: spec["user"].as_str().unwrap_or_default().to_string(), groups: spec["groups"].as_array().into_iter().flatten().filter_map(|g| g.as_str().map(str::to_string)).collect() }
            } else {
                me
            };
            let s = |k: &str, f: &str| spec[k][f].as_str().unwrap_or_default().to_string();
            let (verb, target) = if spec["resourceAttributes"].is_object() {
                let namespace = if info.resource == "localsubjectaccessreviews" { ns.to_string() } else { s("resourceAttributes", "namespace") };
                (s("resourceAttributes", "verb"), auth::Target::Resource { group: s("resourceAttributes", "group"), resource: s("resourceAttributes", "resource"), subresource: s("resourceAttributes", "subresource"), namespace, name: s("resourceAttributes", "name") })
            } else {
                (s("nonResourceAttributes", "verb"), auth::Target::Path(s("nonResourceAttributes", "path")))
            };
            let decision = auth::authorize(server.store(), &auth::Attributes { user: &subject, verb: &verb, target });
            obj["status"] = json!({"allowed": decision.allowed});
            if !decision.reason.is_empty() {
                obj["status"]["reason"] = json!(decision.reason);
            }
        }
    }
    Ok(Response::object(201, obj))
}
