//! The review resources that answer instead of storing: `SelfSubjectAccessReview`,
//! `SubjectAccessReview`, `LocalSubjectAccessReview`, `SelfSubjectRulesReview` (may I?) and
//! `SelfSubjectReview` (who am I?). The simulated cluster has one user, the cluster
//! administrator of the kubeconfig (kind's `kubernetes-admin` in `kubeadm:cluster-admins`), whom
//! RBAC allows everything through the `cluster-admin` ClusterRole.

use serde_json::{json, Value};

use crate::api::status::ApiError;
use crate::apiserver::registry::ResourceInfo;
use crate::apiserver::{ApiServer, Request, Response};

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
    let (user, groups) = server.admin_user();
    let groups: Vec<String> = groups.to_vec();
    obj["apiVersion"] = json!(info.api_version());
    obj["kind"] = json!(info.kind);
    if obj["metadata"].is_null() {
        obj["metadata"] = json!({});
    }
    obj["metadata"]["creationTimestamp"] = Value::Null;
    if info.resource == "localsubjectaccessreviews" {
        obj["metadata"]["namespace"] = json!(ns);
    }
    let allowed_reason = format!("RBAC: allowed by ClusterRoleBinding \"kubeadm:cluster-admins\" of ClusterRole \"cluster-admin\" to Group \"{}\"", groups.first().map_or("system:masters", String::as_str));
    match info.resource.as_str() {
        "selfsubjectreviews" => {
            obj["status"] = json!({"userInfo": {"username": user, "groups": groups}});
        }
        "selfsubjectrulesreviews" => {
            obj["status"] = json!({
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}, {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}, {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
                "incomplete": false,
            });
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
            // For a SubjectAccessReview about another user, only the administrator's own
            // groups are known to RBAC here.
            let about_admin = info.resource != "subjectaccessreviews" || spec["user"] == json!(user) || spec["groups"].as_array().is_some_and(|g| g.iter().any(|x| x == "system:masters" || x == "kubeadm:cluster-admins"));
            obj["status"] = if about_admin { json!({"allowed": true, "reason": allowed_reason}) } else { json!({"allowed": false}) };
        }
    }
    Ok(Response::object(201, obj))
}
