//! Discovery: `/version`, `/api`, `/apis`, `/apis/{group}`, and the resource lists of each
//! group version, from the versioned discovery data.

use serde_json::{json, Map, Value};

use super::registry::{ApiResource, Discovery, GroupInfo, Registry};
use super::request::Response;

pub fn version() -> Response {
    Response::object(200, Value::Object(Discovery::v1_33().server_version.clone()))
}

pub fn core_versions() -> Response {
    Response::object(
        200,
        json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "172.18.0.3:6443"}],
        }),
    )
}

fn group_json(name: &str, versions: &[String], preferred: &str) -> Value {
    let vs: Vec<Value> = versions.iter().map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v})).collect();
    json!({
        "name": name,
        "versions": vs,
        "preferredVersion": {"groupVersion": format!("{name}/{preferred}"), "version": preferred},
    })
}

/// Built-in groups first, then the groups CRDs add (their APIServices' lower priority puts
/// them last, by name), then those APIServices hand to Services (lower still: metrics.k8s.io's
/// is 100).
pub fn groups(registry: &Registry, aggregated: &[GroupInfo]) -> Response {
    let d = Discovery::v1_33();
    let served = |g: &&GroupInfo| !d.groups.iter().chain(registry.custom_groups()).any(|b| b.name == g.name);
    let gs: Vec<Value> = d.groups.iter().chain(registry.custom_groups()).chain(aggregated.iter().filter(served)).map(|g| group_json(&g.name, &g.versions, &g.preferred_version)).collect();
    Response::object(200, json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": gs}))
}

pub fn group(registry: &Registry, aggregated: &[GroupInfo], name: &str) -> Option<Response> {
    let d = Discovery::v1_33();
    let g = d.groups.iter().chain(registry.custom_groups()).chain(aggregated).find(|g| g.name == name)?;
    let mut body = group_json(&g.name, &g.versions, &g.preferred_version);
    let map = body.as_object_mut()?;
    let mut out = Map::new();
    out.insert("kind".into(), json!("APIGroup"));
    out.insert("apiVersion".into(), json!("v1"));
    out.append(map);
    Some(Response::object(200, Value::Object(out)))
}

pub fn group_version(registry: &Registry, group: &str, version: &str) -> Option<Response> {
    let d = Discovery::v1_33();
    let gv = crate::api::meta::api_version(group, version);
    let custom: Vec<ApiResource>;
    let resources = match d.resources.get(&gv) {
        Some(r) => r,
        None => {
            custom = registry.custom_discoverable(group, version).flat_map(|r| std::iter::once(entry_of(r)).chain(r.subresources.iter().cloned())).collect();
            if custom.is_empty() {
                return None;
            }
            &custom
        }
    };
    let list: Vec<Value> = resources
        .iter()
        .map(|r| {
            let mut m = Map::new();
            m.insert("name".into(), json!(r.name));
            m.insert("singularName".into(), json!(r.singular_name));
            m.insert("namespaced".into(), json!(r.namespaced));
            if let Some(g) = &r.group {
                m.insert("group".into(), json!(g));
            }
            if let Some(v) = &r.version {
                m.insert("version".into(), json!(v));
            }
            m.insert("kind".into(), json!(r.kind));
            m.insert("verbs".into(), json!(r.verbs));
            if !r.short_names.is_empty() {
                m.insert("shortNames".into(), json!(r.short_names));
            }
            if !r.categories.is_empty() {
                m.insert("categories".into(), json!(r.categories));
            }
            if let Some(h) = &r.storage_version_hash {
                m.insert("storageVersionHash".into(), json!(h));
            }
            Value::Object(m)
        })
        .collect();
    let mut body = json!({"kind": "APIResourceList", "groupVersion": gv, "resources": list});
    if !group.is_empty() {
        body["apiVersion"] = json!("v1");
    }
    Some(Response::object(200, body))
}

/// A served custom resource as its discovery entry.
pub(super) fn entry_of(r: &super::registry::ResourceInfo) -> ApiResource {
    ApiResource {
        name: r.resource.clone(),
        singular_name: r.singular.clone(),
        namespaced: r.namespaced,
        group: None,
        version: None,
        kind: r.kind.clone(),
        // While its CRD is deleted, discovery offers only what empties it.
        verbs: if r.strategy.terminating() { ["delete", "deletecollection", "get", "list", "watch"].iter().map(|s| s.to_string()).collect() } else { r.verbs.clone() },
        short_names: r.short_names.clone(),
        categories: r.categories.clone(),
        storage_version_hash: r.storage_version_hash.clone(),
    }
}
