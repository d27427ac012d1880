//! Ingress routing as ingress-nginx does it: the Ingresses of its class (by `ingressClassName`
//! naming an IngressClass of controller `k8s.io/ingress-nginx`, or the old
//! `kubernetes.io/ingress.class: nginx` annotation) become one virtual server per host — exact
//! hosts first, then `*.` wildcards, then rules without a host — whose locations are the rules'
//! paths: an Exact path, else the longest matching Prefix (by whole path elements) or
//! ImplementationSpecific (a plain prefix, as an nginx location) path. A request no rule takes
//! goes to an Ingress's `defaultBackend`, else to the controller's own default backend (404).

use serde_json::Value;

use super::Network;

/// The controller the simulated ingress-nginx is, and its class name.
pub const CONTROLLER: &str = "k8s.io/ingress-nginx";
pub const CLASS: &str = "nginx";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    pub service: String,
    pub port: PortRef,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathType {
    Exact,
    Prefix,
    ImplementationSpecific,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathRule {
    pub path: String,
    pub kind: PathType,
    pub backend: Backend,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub host: Option<String>,
    pub paths: Vec<PathRule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ingress {
    pub namespace: String,
    pub name: String,
    pub class: Option<String>,
    pub rules: Vec<Rule>,
    pub default_backend: Option<Backend>,
}

/// An IngressClass: its name, controller and whether it is the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressClass {
    pub name: String,
    pub controller: String,
    pub default: bool,
}

fn backend(b: &Value) -> Option<Backend> {
    let svc = &b["service"];
    let name = svc["name"].as_str()?.to_string();
    let port = match (svc["port"]["number"].as_i64(), svc["port"]["name"].as_str()) {
        (Some(n), _) => PortRef::Number(n),
        (None, Some(n)) => PortRef::Name(n.to_string()),
        _ => return None,
    };
    Some(Backend { service: name, port })
}

impl Ingress {
    pub fn from_object(ing: &Value) -> Ingress {
        let spec = &ing["spec"];
        let rules = spec["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| Rule {
                host: r["host"].as_str().filter(|h| !h.is_empty()).map(str::to_ascii_lowercase),
                paths: r["http"]["paths"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| {
                        let kind = match p["pathType"].as_str() {
                            Some("Exact") => PathType::Exact,
                            Some("Prefix") => PathType::Prefix,
                            _ => PathType::ImplementationSpecific,
                        };
                        Some(PathRule { path: p["path"].as_str().unwrap_or("/").to_string(), kind, backend: backend(&p["backend"])? })
                    })
                    .collect(),
            })
            .collect();
        Ingress {
            namespace: ing["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
            name: ing["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            class: spec["ingressClassName"].as_str().or_else(|| ing["metadata"]["annotations"]["kubernetes.io/ingress.class"].as_str()).map(str::to_string),
            rules,
            default_backend: backend(&spec["defaultBackend"]),
        }
    }
}

impl IngressClass {
    pub fn from_object(c: &Value) -> IngressClass {
        IngressClass {
            name: c["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            controller: c["spec"]["controller"].as_str().unwrap_or_default().to_string(),
            default: c["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true",
        }
    }
}

/// Whether `path` (of a request) falls under a rule's path.
fn matches(rule: &PathRule, path: &str) -> Option<usize> {
    match rule.kind {
        PathType::Exact => (path == rule.path).then_some(usize::MAX),
        PathType::Prefix => {
            let p = if rule.path == "/" { "" } else { rule.path.trim_end_matches('/') };
            (path == p || path.starts_with(&format!("{p}/")) || p.is_empty()).then_some(p.len())
        }
        PathType::ImplementationSpecific => path.starts_with(&rule.path).then_some(rule.path.len()),
    }
}

fn host_matches(rule_host: &str, host: &str) -> bool {
    match rule_host.strip_prefix("*.") {
        Some(suffix) => host.strip_suffix(suffix).and_then(|h| h.strip_suffix('.')).is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => rule_host == host,
    }
}

impl Network {
    /// Whether ingress-nginx handles an Ingress.
    pub fn handles(&self, ing: &Ingress) -> bool {
        match &ing.class {
            Some(c) => c == CLASS || self.ingress_classes.iter().any(|k| &k.name == c && k.controller == CONTROLLER),
            None => self.ingress_classes.iter().any(|k| k.default && k.controller == CONTROLLER),
        }
    }

    /// Which Ingress and backend a request for `host` (without port) and `path` goes to.
    pub fn route(&self, host: &str, path: &str) -> Option<(&Ingress, &Backend)> {
        let host = host.to_ascii_lowercase();
        let path = path.split('?').next().unwrap_or("/");
        let ours: Vec<&Ingress> = self.ingresses.iter().filter(|i| self.handles(i)).collect();
        let rules_for = |pick: &dyn Fn(Option<&str>) -> bool| -> Vec<(&Ingress, &Rule)> { ours.iter().flat_map(|i| i.rules.iter().filter(|r| pick(r.host.as_deref())).map(move |r| (*i, r))).collect() };
        let exact = rules_for(&|h| h == Some(host.as_str()));
        let server = if !exact.is_empty() {
            exact
        } else {
            let wild = rules_for(&|h| h.is_some_and(|h| h.starts_with("*.") && host_matches(h, &host)));
            if !wild.is_empty() {
                wild
            } else {
                rules_for(&|h| h.is_none())
            }
        };
        let best = server.iter().flat_map(|(i, r)| r.paths.iter().filter_map(move |p| matches(p, path).map(|len| (len, *i, p)))).max_by_key(|(len, _, _)| *len);
        if let Some((_, ing, p)) = best {
            return Some((ing, &p.backend));
        }
        // No location. A host's server takes the default backend of the Ingress that made it;
        // the catch-all server takes one only from an Ingress without rules.
        match server.first() {
            Some((i, r)) if r.host.is_some() => i.default_backend.as_ref().map(|b| (*i, b)),
            _ => ours.iter().filter(|i| i.rules.is_empty()).find_map(|i| i.default_backend.as_ref().map(|b| (*i, b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn net() -> Network {
        let mut n = Network::default();
        n.ingress_classes.push(IngressClass { name: "nginx".into(), controller: CONTROLLER.into(), default: false });
        let ing = json!({"metadata": {"namespace": "default", "name": "web"}, "spec": {"ingressClassName": "nginx",
            "defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}},
            "rules": [
                {"host": "shop.example.com", "http": {"paths": [
                    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "front", "port": {"number": 80}}}},
                    {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"name": "http"}}}},
                    {"path": "/api/v2", "pathType": "Exact", "backend": {"service": {"name": "v2", "port": {"number": 80}}}}]}},
                {"host": "*.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "wild", "port": {"number": 80}}}}]}},
                {"http": {"paths": [{"path": "/path1/", "pathType": "ImplementationSpecific", "backend": {"service": {"name": "one", "port": {"number": 8888}}}}]}}
            ]}});
        n.ingresses.push(Ingress::from_object(&ing));
        let other = json!({"metadata": {"namespace": "default", "name": "other"}, "spec": {"ingressClassName": "traefik",
            "rules": [{"host": "x.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "nope", "port": {"number": 80}}}}]}}]}});
        n.ingresses.push(Ingress::from_object(&other));
        n
    }

    fn to(n: &Network, host: &str, path: &str) -> Option<String> {
        n.route(host, path).map(|(_, b)| b.service.clone())
    }

    #[test]
    fn hosts_and_paths() {
        let n = net();
        assert_eq!(to(&n, "shop.example.com", "/").as_deref(), Some("front"));
        assert_eq!(to(&n, "SHOP.example.com", "/api").as_deref(), Some("api"));
        assert_eq!(to(&n, "shop.example.com", "/api/items?x=1").as_deref(), Some("api"));
        // Prefix matches whole elements: /apix is not under /api.
        assert_eq!(to(&n, "shop.example.com", "/apix").as_deref(), Some("front"));
        assert_eq!(to(&n, "shop.example.com", "/api/v2").as_deref(), Some("v2"));
        assert_eq!(to(&n, "shop.example.com", "/api/v2/x").as_deref(), Some("api"));
        assert_eq!(to(&n, "a.example.com", "/").as_deref(), Some("wild"));
        // A wildcard covers one label only; the other class's host is not ours.
        assert_eq!(to(&n, "a.b.example.com", "/path1/x").as_deref(), Some("one"));
        assert_eq!(to(&n, "x.example.com", "/").as_deref(), Some("wild"));
        assert_eq!(to(&n, "10.96.0.5", "/path1/").as_deref(), Some("one"));
        // The Ingress has rules: its default backend is its hosts' root, not the catch-all's.
        assert_eq!(to(&n, "10.96.0.5", "/elsewhere").as_deref(), None);
        let mut n = n;
        n.ingresses[0].rules[0].paths.remove(0);
        assert_eq!(to(&n, "shop.example.com", "/else").as_deref(), Some("fallback"));
        n.ingresses.push(Ingress { name: "catch".into(), rules: vec![], default_backend: Some(Backend { service: "all".into(), port: PortRef::Number(80) }), ..n.ingresses[0].clone() });
        assert_eq!(to(&n, "10.96.0.5", "/elsewhere").as_deref(), Some("all"));
    }
}
