//! RBAC's guard against escalation: a user may write a Role or ClusterRole only with rules
//! they hold themselves (or with the `escalate` verb on it), and a binding only to a role
//! whose rules they hold (or with the `bind` verb on it) — so nobody grants more than they
//! have. The refusal lists what is missing, one compact rule per line.

use crate::sort::Order;
use serde_json::Value;

use crate::api::status::ApiError;
use crate::api::meta::GroupResource;
use crate::store::Store;

use super::{authorize, Attributes, Target, User, PRIVILEGED_GROUP};

const GROUP: &str = "rbac.authorization.k8s.io";

/// One rule with a single group, resource, verb and name (or a single path and verb).
struct Sub {
    group: String,
    resource: String,
    verb: String,
    name: Option<String>,
    path: Option<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

/// A rule broken into single grants, in Kubernetes' order (groups, resources, verbs, names;
/// then paths and verbs).
fn breakdown(rule: &Value) -> Vec<Sub> {
    let (groups, resources, verbs, names, paths) = (strings(&rule["apiGroups"]), strings(&rule["resources"]), strings(&rule["verbs"]), strings(&rule["resourceNames"]), strings(&rule["nonResourceURLs"]));
    let mut out = Vec::new();
    for g in &groups {
        for r in &resources {
            for v in &verbs {
                if names.is_empty() {
                    out.push(Sub { group: g.clone(), resource: r.clone(), verb: v.clone(), name: None, path: None });
                }
                for n in &names {
                    out.push(Sub { group: g.clone(), resource: r.clone(), verb: v.clone(), name: Some(n.clone()), path: None });
                }
            }
        }
    }
    for p in &paths {
        for v in &verbs {
            out.push(Sub { group: String::new(), resource: String::new(), verb: v.clone(), name: None, path: Some(p.clone()) });
        }
    }
    out
}

/// Go's `%q` of a string list: `["a" "b"]`.
fn quoted(list: &[String]) -> String {
    format!("[{}]", list.iter().map(|s| crate::api::field::go_quote(s)).collect::<Vec<_>>().join(" "))
}

/// Whether the user holds the single grant, in the namespace (`""`: cluster-wide only).
fn holds(store: &Store, user: &User, ns: &str, s: &Sub) -> bool {
    let target = match &s.path {
        Some(p) => Target::Path(p.clone()),
        None => {
            let (resource, subresource) = s.resource.split_once('/').map_or((s.resource.clone(), String::new()), |(r, sub)| (r.to_string(), sub.to_string()));
            Target::Resource { group: s.group.clone(), resource, subresource, namespace: ns.to_string(), name: s.name.clone().unwrap_or_default() }
        }
    };
    authorize(store, &Attributes { user, verb: &s.verb, target }).allowed
}

/// The rules of `rules` the user does not hold, compacted (a group/resource's verbs gathered
/// in one rule) and written as Kubernetes writes them, sorted.
fn missing(store: &Store, user: &User, ns: &str, rules: &[Value]) -> Vec<String> {
    // (group, resource, name) → verbs, in the order first met; paths and named rules apart.
    let mut simple: Vec<((String, String, Option<String>), Vec<String>)> = Vec::new();
    let mut paths: Vec<(String, String)> = Vec::new();
    for rule in rules {
        for s in breakdown(rule) {
            if holds(store, user, ns, &s) {
                continue;
            }
            match s.path {
                Some(p) => paths.push((p, s.verb)),
                None => {
                    let key = (s.group, s.resource, s.name);
                    match simple.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, verbs)) => verbs.push(s.verb),
                        None => simple.push((key, vec![s.verb])),
                    }
                }
            }
        }
    }
    let mut out: Vec<String> = simple
        .into_iter()
        .map(|((g, r, n), verbs)| match n {
            Some(n) => format!("{{APIGroups:{}, Resources:{}, ResourceNames:{}, Verbs:{}}}", quoted(&[g]), quoted(&[r]), quoted(&[n]), quoted(&verbs)),
            None => format!("{{APIGroups:{}, Resources:{}, Verbs:{}}}", quoted(&[g]), quoted(&[r]), quoted(&verbs)),
        })
        .chain(paths.into_iter().map(|(p, v)| format!("{{NonResourceURLs:{}, Verbs:{}}}", quoted(&[p]), quoted(&[v]))))
        .collect();
    out.order();
    out.dedup();
    out
}

fn refusal(resource: &str, name: &str, user: &User, missing: &[String]) -> ApiError {
    ApiError::Forbidden {
        resource: GroupResource::new(GROUP, resource),
        name: name.to_string(),
        why: format!("user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}", crate::api::field::go_quote(&user.name), quoted(&user.groups), missing.join("\n")),
    }
}

/// Whether the user may `verb` the object `name` of `resource` in `ns` (escalate, bind).
fn may(store: &Store, user: &User, verb: &str, resource: &str, ns: &str, name: &str) -> bool {
    authorize(store, &Attributes { user, verb, target: Target::Resource { group: GROUP.into(), resource: resource.into(), subresource: String::new(), namespace: ns.into(), name: name.into() } }).allowed
}

/// The check for a write of an RBAC object by `user` (`storage` is where it is stored).
pub fn check(store: &Store, user: &User, storage: &str, obj: &Value) -> Result<(), ApiError> {
    if user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
        return Ok(());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
    let rules_of = |v: &Value| v["rules"].as_array().cloned().unwrap_or_default();
    match storage {
        "roles.rbac.authorization.k8s.io" | "clusterroles.rbac.authorization.k8s.io" => {
            let resource = storage.trim_end_matches(".rbac.authorization.k8s.io");
            if may(store, user, "escalate", resource, ns, name) {
                return Ok(());
            }
            let gone = missing(store, user, ns, &rules_of(obj));
            if gone.is_empty() { Ok(()) } else { Err(refusal(resource, name, user, &gone)) }
        }
        "rolebindings.rbac.authorization.k8s.io" | "clusterrolebindings.rbac.authorization.k8s.io" => {
            let resource = storage.trim_end_matches(".rbac.authorization.k8s.io");
            let role_ref = &obj["roleRef"];
            let (kind, role) = (role_ref["kind"].as_str().unwrap_or_default(), role_ref["name"].as_str().unwrap_or_default());
            let (role_resource, role_ns) = if kind == "Role" { ("roles", ns) } else { ("clusterroles", "") };
            if may(store, user, "bind", role_resource, ns, role) {
                return Ok(());
            }
            let Some(stored) = store.get(&format!("{role_resource}.{GROUP}"), role_ns, role) else {
                return Err(ApiError::Forbidden { resource: GroupResource::new(GROUP, resource), name: name.to_string(), why: format!("{role_resource}.{GROUP} {} not found", crate::api::field::go_quote(role)) });
            };
            let gone = missing(store, user, ns, &rules_of(&stored.object));
            if gone.is_empty() { Ok(()) } else { Err(refusal(resource, name, user, &gone)) }
        }
        _ => Ok(()),
    }
}
