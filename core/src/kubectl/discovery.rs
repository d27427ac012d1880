//! What kubectl learns from the server's discovery documents, and how it turns what a user
//! types (`po`, `deploy`, `deployments.apps`, `Deployment`, `deployments.v1.apps`) into a
//! resource: the core group first, then the groups in the server's order, preferred versions
//! before the others.

use crate::sort::Order;
use serde_json::Value;

use super::Transport;
use crate::apiserver::Request;

/// One resource of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub group: String,
    pub version: String,
    /// Plural: `deployments`.
    pub name: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub verbs: Vec<String>,
    pub categories: Vec<String>,
    /// Whether this is the group's preferred version.
    pub preferred: bool,
}

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// `deployments.apps`, `pods`: how kubectl names a resource in messages.
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.name, self.group)
        }
    }
    /// `deployment.apps`, `pod`: the prefix of `-o name` and of success messages.
    pub fn kind_group(&self) -> String {
        let kind = self.kind.to_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }
    /// The collection path in a namespace (or cluster-wide when `ns` is None).
    pub fn path(&self, ns: Option<&str>) -> String {
        let root = if self.group.is_empty() { format!("/api/{}", self.version) } else { format!("/apis/{}/{}", self.group, self.version) };
        match ns {
            Some(ns) if self.namespaced => format!("{root}/namespaces/{}/{}", super::paths::segment(ns), self.name),
            _ => format!("{root}/{}", self.name),
        }
    }
    /// The path of one object, its name escaped as one segment.
    pub fn object_path(&self, ns: Option<&str>, name: &str) -> String {
        format!("{}/{}", self.path(ns), super::paths::segment(name))
    }
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// The server's resources, in kubectl's priority order.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub resources: Vec<Resource>,
    /// `group/version` strings, as `kubectl api-versions` lists them.
    pub group_versions: Vec<String>,
}

fn get_json(api: &mut dyn Transport, path: &str) -> Option<Value> {
    let resp = api.send(&Request::get(path));
    if resp.status != 200 {
        return None;
    }
    resp.into_value()
}

fn resources_of(list: &Value, group: &str, version: &str, preferred: bool, out: &mut Vec<Resource>) {
    let strings = |v: &Value| -> Vec<String> { v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect() };
    for r in list["resources"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default();
        if name.contains('/') {
            continue;
        }
        out.push(Resource {
            group: group.to_string(),
            version: version.to_string(),
            name: name.to_string(),
            singular: r["singularName"].as_str().filter(|s| !s.is_empty()).map_or_else(|| r["kind"].as_str().unwrap_or_default().to_lowercase(), str::to_string),
            kind: r["kind"].as_str().unwrap_or_default().to_string(),
            namespaced: r["namespaced"].as_bool().unwrap_or(false),
            short_names: strings(&r["shortNames"]),
            verbs: strings(&r["verbs"]),
            categories: strings(&r["categories"]),
            preferred,
        });
    }
}

impl Discovery {
    /// Reads `/api`, `/apis` and each group version, as kubectl's discovery client does.
    pub fn load(api: &mut dyn Transport) -> Discovery {
        let mut d = Discovery::default();
        if let Some(core) = get_json(api, "/api") {
            for v in core["versions"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                d.group_versions.push(v.to_string());
                if let Some(list) = get_json(api, &format!("/api/{v}")) {
                    resources_of(&list, "", v, true, &mut d.resources);
                }
            }
        }
        let mut others = Vec::new();
        if let Some(groups) = get_json(api, "/apis") {
            for g in groups["groups"].as_array().into_iter().flatten() {
                let name = g["name"].as_str().unwrap_or_default();
                let preferred = g["preferredVersion"]["version"].as_str().unwrap_or_default();
                for v in g["versions"].as_array().into_iter().flatten() {
                    let version = v["version"].as_str().unwrap_or_default();
                    d.group_versions.push(format!("{name}/{version}"));
                    if let Some(list) = get_json(api, &format!("/apis/{name}/{version}")) {
                        let target = if version == preferred { &mut d.resources } else { &mut others };
                        resources_of(&list, name, version, version == preferred, target);
                    }
                }
            }
        }
        d.resources.extend(others);
        d.group_versions.order();
        d
    }

    /// The resource a user's word names.
    pub fn resolve(&self, word: &str) -> Option<&Resource> {
        let lower = word.to_lowercase();
        let plain = |r: &&Resource| r.name == lower || r.singular == lower || r.short_names.contains(&lower) || r.kind.to_lowercase() == lower;
        if let Some(r) = self.resources.iter().find(plain) {
            return Some(r);
        }
        // `deployments.apps`, `deployments.v1.apps`, `deploy.apps`.
        let (res, rest) = lower.split_once('.')?;
        self.resources.iter().find(|r| {
            let name_ok = r.name == res || r.singular == res || r.short_names.iter().any(|s| s == res) || r.kind.to_lowercase() == res;
            name_ok && (r.group == rest || format!("{}.{}", r.version, r.group) == rest)
        })
    }

    /// The preferred resources of a category (`all`).
    pub fn category(&self, name: &str) -> Vec<&Resource> {
        self.resources.iter().filter(|r| r.preferred && r.categories.iter().any(|c| c == name)).collect()
    }

    /// The resource for an object's apiVersion and kind.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&Resource> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        self.resources.iter().find(|r| r.group == group && r.version == version && r.kind == kind)
    }
}
