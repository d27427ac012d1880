//! Who a request is from and whether they may make it. Every request at the door is the
//! kubeconfig's user's (kind's `kubernetes-admin`), unless it impersonates someone
//! (`Impersonate-User`, `Impersonate-Group`: `kubectl --as`, `--as-group`), which that user must
//! be allowed to do. Impersonated users are then authorized as kube-apiserver does: members of
//! `system:masters` may do anything, everyone else what RBAC allows (rbac.rs); a refusal is the
//! API's 403 with its words (`pods is forbidden: User "jane" cannot list resource "pods" in API
//! group "" in the namespace "default"`).

pub mod escalation;
pub mod rbac;

use crate::api::meta::GroupResource;
use crate::api::status::ApiError;
use crate::store::Store;

use super::request::Request;
use super::route::{ResourceRequest, Route};

/// The group whose members the server lets do anything, before RBAC is asked.
pub const PRIVILEGED_GROUP: &str = "system:masters";

/// A user as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

impl User {
    /// A user with the groups the server adds to every authenticated one (and a service
    /// account's `system:serviceaccount:NS:NAME` its own two).
    pub fn authenticated(name: &str, mut groups: Vec<String>) -> User {
        if let Some(ns) = name.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')).map(|(ns, _)| ns.to_string()) {
            let mut own = vec!["system:serviceaccounts".to_string(), format!("system:serviceaccounts:{ns}")];
            own.retain(|g| !groups.contains(g));
            own.append(&mut groups);
            groups = own;
        }
        if name != "system:anonymous" && !groups.iter().any(|g| g == "system:authenticated" || g == "system:unauthenticated") {
            groups.push("system:authenticated".to_string());
        }
        User { name: name.to_string(), groups }
    }
}

/// What a request asks for: a resource (or one of its subresources), or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Resource { group: String, resource: String, subresource: String, namespace: String, name: String },
    Path(String),
}

/// A request, as the authorizer sees it.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    pub user: &'a User,
    pub verb: &'a str,
    pub target: Target,
}

/// The verb and target of a request at the door (`None` for what needs no authorization).
pub fn attributes_of<'a>(user: &'a User, req: &Request, route: &Route) -> Attributes<'a> {
    match route {
        Route::Resource(r) => resource_attributes(user, r),
        _ => Attributes { user, verb: http_verb(req), target: Target::Path(req.path.clone()) },
    }
}

fn http_verb(req: &Request) -> &'static str {
    match req.method {
        super::Method::Get => "get",
        super::Method::Post => "post",
        super::Method::Put => "put",
        super::Method::Patch => "patch",
        super::Method::Delete => "delete",
        super::Method::Head => "head",
        super::Method::Options => "options",
    }
}

fn resource_attributes<'a>(user: &'a User, r: &ResourceRequest) -> Attributes<'a> {
    Attributes {
        user,
        verb: r.verb.as_str(),
        target: Target::Resource { group: r.group.clone(), resource: r.resource.clone(), subresource: r.subresource.clone(), namespace: r.namespace.clone(), name: r.name.clone() },
    }
}

/// Whether the user may do it, and the authorizer's reason.
pub fn authorize(store: &Store, a: &Attributes) -> rbac::Decision {
    if a.user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
        return rbac::Decision { allowed: true, reason: String::new() };
    }
    rbac::authorize(store, a)
}

/// The 403 for a refused request.
pub fn forbidden(a: &Attributes, reason: &str) -> ApiError {
    let user = &a.user.name;
    let (resource, name, message) = match &a.target {
        Target::Path(path) => (GroupResource::new("", ""), String::new(), format!("User \"{user}\" cannot {} path \"{path}\"", a.verb)),
        Target::Resource { group, resource, subresource, namespace, name } => {
            let shown = if subresource.is_empty() { resource.clone() } else { format!("{resource}/{subresource}") };
            let scope = if namespace.is_empty() { "at the cluster scope".to_string() } else { format!("in the namespace \"{namespace}\"") };
            (GroupResource::new(group, resource), name.clone(), format!("User \"{user}\" cannot {} resource \"{shown}\" in API group \"{group}\" {scope}", a.verb))
        }
    };
    let why = if reason.is_empty() { message } else { format!("{message}: {reason}") };
    ApiError::Forbidden { resource, name, why }
}

/// Who the request is from: `requester` (the kubeconfig's user), or whom it impersonates when
/// the requester may impersonate them.
pub fn user_of(store: &Store, requester: &User, req: &Request) -> Result<User, ApiError> {
    let as_user = req.header("impersonate-user");
    let as_groups: Vec<String> = req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("impersonate-group")).map(|(_, v)| v.clone()).collect();
    let Some(name) = as_user else {
        if !as_groups.is_empty() {
            return Err(ApiError::BadRequest("requested groups without impersonating a user".to_string()));
        }
        return Ok(requester.clone());
    };
    let check = |resource: &str, namespace: &str, object: &str| -> Result<(), ApiError> {
        let a = Attributes {
            user: requester,
            verb: "impersonate",
            target: Target::Resource { group: String::new(), resource: resource.to_string(), subresource: String::new(), namespace: namespace.to_string(), name: object.to_string() },
        };
        let d = authorize(store, &a);
        if d.allowed {
            Ok(())
        } else {
            Err(forbidden(&a, &d.reason))
        }
    };
    match name.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')) {
        Some((ns, sa)) => check("serviceaccounts", ns, sa)?,
        None => check("users", "", name)?,
    }
    for g in &as_groups {
        check("groups", "", g)?;
    }
    Ok(User::authenticated(name, as_groups))
}

/// Who a bearer token is: a service account token this cluster signed, for its API server's
/// audience, current, and of an account that still exists with the uid it names (a token of a
/// deleted and recreated account no longer works). `None`: 401.
pub fn token_user(store: &Store, token: &str, now: crate::sim::clock::Timestamp) -> Option<User> {
    let claims = crate::api::jwt::verify(token)?;
    if claims["iss"] != crate::api::jwt::ISSUER || !claims["aud"].as_array().is_some_and(|a| a.iter().any(|x| x == crate::api::jwt::ISSUER)) {
        return None;
    }
    let now_s = now.unix_millis().div_euclid(1000);
    if claims["exp"].as_i64().is_none_or(|e| e <= now_s) || claims["nbf"].as_i64().is_some_and(|n| n > now_s + 60) {
        return None;
    }
    let k = &claims["kubernetes.io"];
    let ns = k["namespace"].as_str()?;
    let name = k["serviceaccount"]["name"].as_str()?;
    let sa = store.get("serviceaccounts", ns, name)?;
    // Bound to the account's uid, or to a pod (the kubelet's projected tokens) that must
    // still be there with its uid; a token bound to neither is not one the server issues.
    let sa_uid = k["serviceaccount"]["uid"].as_str();
    if sa_uid.is_some_and(|u| sa.object["metadata"]["uid"].as_str() != Some(u)) {
        return None;
    }
    match (k["pod"]["name"].as_str(), k["pod"]["uid"].as_str()) {
        (Some(pod), Some(uid)) if store.get("pods", ns, pod).is_none_or(|p| p.object["metadata"]["uid"].as_str() != Some(uid)) => return None,
        (Some(_), Some(_)) => {}
        _ if sa_uid.is_none() => return None,
        _ => {}
    }
    Some(User::authenticated(&format!("system:serviceaccount:{ns}:{name}"), Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impersonated_users_get_the_groups_the_server_adds() {
        assert_eq!(User::authenticated("jane", vec![]).groups, ["system:authenticated"]);
        assert_eq!(User::authenticated("system:serviceaccount:dev:app", vec![]).groups, ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"]);
        assert_eq!(User::authenticated("system:anonymous", vec!["system:unauthenticated".into()]).groups, ["system:unauthenticated"]);
    }
}
