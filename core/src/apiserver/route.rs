//! From a path to what it names, following the rules of Kubernetes' RequestInfoFactory:
//! `/api/v1/...` and `/apis/{group}/{version}/...`, then `namespaces/{ns}/{resource}/{name}/{sub}`.

use super::request::{Method, Request};

/// The verb of a resource request, as RBAC and audit name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Watch,
    Create,
    Update,
    Patch,
    Delete,
    DeleteCollection,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::DeleteCollection => "deletecollection",
        }
    }
}

/// A request for a resource, a collection or a subresource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRequest {
    pub verb: Verb,
    pub group: String,
    pub version: String,
    /// Empty for cluster-wide requests and cluster-scoped resources.
    pub namespace: String,
    pub resource: String,
    pub name: String,
    pub subresource: String,
}

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/api`: the core group's versions.
    CoreVersions,
    /// `/apis`: every group.
    Groups,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1` or `/apis/{group}/{version}`: the resources of a group version.
    GroupVersion { group: String, version: String },
    Version,
    Health(String),
    /// `/openapi/v2`.
    OpenApiV2,
    /// `/openapi/v3`: where each group version's document is.
    OpenApiV3Root,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`.
    OpenApiV3(String),
    Resource(ResourceRequest),
    NotFound,
}

pub fn route(req: &Request) -> Route {
    let parts: Vec<&str> = req.path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["version"] => return Route::Version,
        ["openapi", "v2"] => return Route::OpenApiV2,
        ["openapi", "v3"] => return Route::OpenApiV3Root,
        ["openapi", "v3", rest @ ..] => return Route::OpenApiV3(rest.join("/")),
        [h @ ("healthz" | "readyz" | "livez")] => return Route::Health((*h).to_string()),
        [h @ ("healthz" | "readyz" | "livez"), _] => return Route::Health((*h).to_string()),
        ["api"] => return Route::CoreVersions,
        ["apis"] => return Route::Groups,
        ["apis", g] => return Route::Group((*g).to_string()),
        ["api", v] => return Route::GroupVersion { group: String::new(), version: (*v).to_string() },
        ["apis", g, v] => return Route::GroupVersion { group: (*g).to_string(), version: (*v).to_string() },
        _ => {}
    }
    let (group, version, rest) = match parts.as_slice() {
        ["api", v, rest @ ..] => (String::new(), (*v).to_string(), rest),
        ["apis", g, v, rest @ ..] => ((*g).to_string(), (*v).to_string(), rest),
        _ => return Route::NotFound,
    };
    let mut rest: &[&str] = rest;
    // The legacy `/watch/` prefix.
    let mut legacy_watch = false;
    if rest.first() == Some(&"watch") {
        legacy_watch = true;
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return Route::NotFound;
    }
    let mut namespace = String::new();
    if rest[0] == "namespaces" && rest.len() > 1 {
        namespace = rest[1].to_string();
        if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
            rest = &rest[2..];
        }
    }
    let resource = rest[0].to_string();
    let name = rest.get(1).map(|s| s.to_string()).unwrap_or_default();
    let subresource = rest.get(2).map(|s| s.to_string()).unwrap_or_default();
    if rest.len() > 3 {
        return Route::NotFound;
    }
    let watch_param = req.param("watch").is_some_and(|v| v.is_empty() || v == "true" || v == "1");
    let verb = match req.method {
        Method::Get | Method::Head if legacy_watch || watch_param => Verb::Watch,
        Method::Get | Method::Head if name.is_empty() => Verb::List,
        Method::Get | Method::Head => Verb::Get,
        Method::Post => Verb::Create,
        Method::Put => Verb::Update,
        Method::Patch => Verb::Patch,
        Method::Delete if name.is_empty() => Verb::DeleteCollection,
        Method::Delete => Verb::Delete,
        Method::Options => return Route::NotFound,
    };
    Route::Resource(ResourceRequest { verb, group, version, namespace, resource, name, subresource })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(method: Method, path: &str) -> ResourceRequest {
        match route(&Request::new(method, path)) {
            Route::Resource(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn routes_like_kubernetes() {
        let r = res(Method::Get, "/api/v1/namespaces/default/pods/web/log");
        assert_eq!((r.verb, r.namespace.as_str(), r.resource.as_str(), r.name.as_str(), r.subresource.as_str()), (Verb::Get, "default", "pods", "web", "log"));
        let r = res(Method::Get, "/apis/apps/v1/deployments");
        assert_eq!((r.verb, r.group.as_str(), r.namespace.as_str()), (Verb::List, "apps", ""));
        let r = res(Method::Get, "/api/v1/namespaces/kube-system");
        assert_eq!((r.resource.as_str(), r.name.as_str(), r.namespace.as_str()), ("namespaces", "kube-system", "kube-system"));
        let r = res(Method::Put, "/api/v1/namespaces/x/finalize");
        assert_eq!((r.resource.as_str(), r.name.as_str(), r.subresource.as_str()), ("namespaces", "x", "finalize"));
        assert_eq!(res(Method::Get, "/api/v1/pods?watch=true").verb, Verb::Watch);
        assert_eq!(res(Method::Get, "/api/v1/watch/namespaces/d/pods").verb, Verb::Watch);
        assert_eq!(res(Method::Delete, "/api/v1/namespaces/d/pods").verb, Verb::DeleteCollection);
        assert_eq!(route(&Request::get("/apis/apps/v1")), Route::GroupVersion { group: "apps".into(), version: "v1".into() });
        assert_eq!(route(&Request::get("/nope")), Route::NotFound);
    }
}
