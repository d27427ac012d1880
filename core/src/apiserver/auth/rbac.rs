//! The RBAC authorizer over the stored Roles, ClusterRoles and their bindings: a request is
//! allowed when a ClusterRoleBinding, or a RoleBinding of the request's namespace, binds a
//! role one of whose rules covers it to the user, one of their groups, or their service
//! account. It also lists the rules that apply to a user in a namespace (the rules review).

use std::sync::Arc;

use serde_json::Value;

use super::{Attributes, Target, User};
use crate::store::{Selection, Store};

pub const CLUSTER_ROLES: &str = "clusterroles.rbac.authorization.k8s.io";
pub const CLUSTER_ROLE_BINDINGS: &str = "clusterrolebindings.rbac.authorization.k8s.io";
pub const ROLES: &str = "roles.rbac.authorization.k8s.io";
pub const ROLE_BINDINGS: &str = "rolebindings.rbac.authorization.k8s.io";

/// What RBAC said: allowed (and by which binding), or not, with the errors met on the way
/// (a binding whose role does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

fn strs(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

fn has(v: &Value, want: &str) -> bool {
    strs(v).any(|s| s == "*" || s == want)
}

/// Whether one rule covers the request.
pub fn rule_allows(rule: &Value, a: &Attributes) -> bool {
    if !has(&rule["verbs"], a.verb) {
        return false;
    }
    match &a.target {
        Target::Path(path) => strs(&rule["nonResourceURLs"]).any(|u| u == "*" || u == path || u.strip_suffix('*').is_some_and(|p| path.starts_with(p))),
        Target::Resource { group, resource, subresource, name, .. } => {
            if !has(&rule["apiGroups"], group) {
                return false;
            }
            let combined = if subresource.is_empty() { resource.clone() } else { format!("{resource}/{subresource}") };
            let resource_ok = strs(&rule["resources"]).any(|r| r == "*" || r == combined || (!subresource.is_empty() && r.strip_prefix("*/") == Some(subresource.as_str())));
            if !resource_ok {
                return false;
            }
            let names: Vec<&str> = strs(&rule["resourceNames"]).collect();
            names.is_empty() || names.contains(&name.as_str())
        }
    }
}

/// The subject of a binding the user is, described as the authorizer's reason names it.
fn matching_subject(user: &User, binding: &Value, binding_ns: &str) -> Option<String> {
    for s in binding["subjects"].as_array().into_iter().flatten() {
        let name = s["name"].as_str().unwrap_or_default();
        let kind = s["kind"].as_str().unwrap_or_default();
        let hit = match kind {
            "User" => user.name == name,
            "Group" => user.groups.iter().any(|g| g == name),
            "ServiceAccount" => {
                let ns = s["namespace"].as_str().filter(|n| !n.is_empty()).unwrap_or(binding_ns);
                user.name == format!("system:serviceaccount:{ns}:{name}")
            }
            _ => false,
        };
        if hit {
            return Some(match kind {
                "ServiceAccount" => {
                    let ns = s["namespace"].as_str().filter(|n| !n.is_empty()).unwrap_or(binding_ns);
                    format!("ServiceAccount \"{name}/{ns}\"")
                }
                _ => format!("{kind} \"{name}\""),
            });
        }
    }
    None
}

/// The rules a binding's role holds, or why they cannot be read.
fn role_rules(store: &Store, binding: &Value, binding_ns: &str) -> Result<Arc<Value>, String> {
    let kind = binding["roleRef"]["kind"].as_str().unwrap_or_default();
    let name = binding["roleRef"]["name"].as_str().unwrap_or_default();
    let found = match kind {
        "ClusterRole" => store.get(CLUSTER_ROLES, "", name).map(|s| s.object).ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io \"{name}\" not found")),
        "Role" => store.get(ROLES, binding_ns, name).map(|s| s.object).ok_or_else(|| format!("role.rbac.authorization.k8s.io \"{name}\" not found")),
        _ => Err(format!("unsupported role reference kind: \"{kind}\"")),
    };
    found
}

/// Visits each (binding description, role's rules) that applies to the user, cluster-wide
/// bindings first, then those of `ns`; stops when `visit` says so.
fn each_applying(store: &Store, user: &User, ns: &str, mut visit: impl FnMut(String, Result<Arc<Value>, String>) -> bool) {
    for b in store.list(CLUSTER_ROLE_BINDINGS, None, &Selection::All, None) {
        let b = &b.object;
        if let Some(subject) = matching_subject(user, b, "") {
            let source = format!("ClusterRoleBinding \"{}\" of {} \"{}\" to {subject}", b["metadata"]["name"].as_str().unwrap_or_default(), b["roleRef"]["kind"].as_str().unwrap_or_default(), b["roleRef"]["name"].as_str().unwrap_or_default());
            if !visit(source, role_rules(store, b, "")) {
                return;
            }
        }
    }
    if ns.is_empty() {
        return;
    }
    for b in store.list(ROLE_BINDINGS, Some(ns), &Selection::All, None) {
        let b = &b.object;
        if let Some(subject) = matching_subject(user, b, ns) {
            let source = format!("RoleBinding \"{}/{ns}\" of {} \"{}\" to {subject}", b["metadata"]["name"].as_str().unwrap_or_default(), b["roleRef"]["kind"].as_str().unwrap_or_default(), b["roleRef"]["name"].as_str().unwrap_or_default());
            if !visit(source, role_rules(store, b, ns)) {
                return;
            }
        }
    }
}

/// Whether RBAC allows the request.
pub fn authorize(store: &Store, a: &Attributes) -> Decision {
    let ns = match &a.target {
        Target::Resource { namespace, .. } => namespace.as_str(),
        Target::Path(_) => "",
    };
    let mut allowed_by = None;
    let mut errors: Vec<String> = Vec::new();
    each_applying(store, a.user, ns, |source, rules| match rules {
        Ok(role) => {
            if role["rules"].as_array().into_iter().flatten().any(|r| rule_allows(r, a)) {
                allowed_by = Some(source);
                false
            } else {
                true
            }
        }
        Err(e) => {
            errors.push(e);
            true
        }
    });
    match allowed_by {
        Some(source) => Decision { allowed: true, reason: format!("RBAC: allowed by {source}") },
        None => Decision {
            allowed: false,
            reason: match errors.len() {
                0 => String::new(),
                1 => format!("RBAC: {}", errors[0]),
                _ => format!("RBAC: [{}]", errors.join(", ")),
            },
        },
    }
}

/// Every rule that applies to the user in `ns` (cluster-wide ones included), and the errors
/// met (a binding to a missing role makes the answer incomplete).
pub fn rules_for(store: &Store, user: &User, ns: &str) -> (Vec<Value>, Vec<String>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    each_applying(store, user, ns, |_, r| {
        match r {
            Ok(role) => rules.extend(role["rules"].as_array().into_iter().flatten().cloned()),
            Err(e) => errors.push(e),
        }
        true
    });
    (rules, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> User {
        User { name: "jane".into(), groups: vec!["dev".into(), "system:authenticated".into()] }
    }

    fn resource<'a>(u: &'a User, verb: &'a str, group: &str, resource: &str, sub: &str, name: &str) -> Attributes<'a> {
        Attributes { user: u, verb, target: Target::Resource { group: group.into(), resource: resource.into(), subresource: sub.into(), namespace: "default".into(), name: name.into() } }
    }

    #[test]
    fn rules_match_verbs_groups_resources_subresources_and_names() {
        let u = user();
        let pods = json!({"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]});
        assert!(rule_allows(&pods, &resource(&u, "get", "", "pods", "", "web")));
        assert!(rule_allows(&pods, &resource(&u, "get", "", "pods", "log", "web")));
        assert!(!rule_allows(&pods, &resource(&u, "get", "", "pods", "exec", "web")));
        assert!(!rule_allows(&pods, &resource(&u, "delete", "", "pods", "", "web")));
        assert!(!rule_allows(&pods, &resource(&u, "get", "apps", "pods", "", "web")));
        let scale = json!({"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["*"]});
        assert!(rule_allows(&scale, &resource(&u, "update", "apps", "deployments", "scale", "web")));
        assert!(!rule_allows(&scale, &resource(&u, "update", "apps", "deployments", "", "web")));
        let named = json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["settings"], "verbs": ["get", "update"]});
        assert!(rule_allows(&named, &resource(&u, "get", "", "configmaps", "", "settings")));
        assert!(!rule_allows(&named, &resource(&u, "get", "", "configmaps", "", "other")));
        assert!(!rule_allows(&named, &resource(&u, "list", "", "configmaps", "", "")));
        let urls = json!({"nonResourceURLs": ["/healthz", "/api/*"], "verbs": ["get"]});
        let path = |p: &str| Attributes { user: &u, verb: "get", target: Target::Path(p.into()) };
        assert!(rule_allows(&urls, &path("/healthz")));
        assert!(rule_allows(&urls, &path("/api/v1")));
        assert!(!rule_allows(&urls, &path("/version")));
    }

    #[test]
    fn bindings_name_users_groups_and_service_accounts() {
        let u = user();
        let by = |subject: Value| matching_subject(&u, &json!({"subjects": [subject]}), "dev");
        assert_eq!(by(json!({"kind": "User", "name": "jane"})), Some("User \"jane\"".into()));
        assert_eq!(by(json!({"kind": "Group", "name": "dev"})), Some("Group \"dev\"".into()));
        assert_eq!(by(json!({"kind": "User", "name": "bob"})), None);
        let sa = User { name: "system:serviceaccount:dev:app".into(), groups: vec![] };
        let binding = json!({"subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "dev"}]});
        assert_eq!(matching_subject(&sa, &binding, "dev"), Some("ServiceAccount \"app/dev\"".into()));
    }
}
