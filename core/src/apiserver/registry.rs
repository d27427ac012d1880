//! Which resources the server serves: read from versioned discovery data
//! (`core/data/discovery/v1.33.json`), each bound to the strategy of its kind.

use crate::sort::Order;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde_json::Value;

use super::kinds;
use super::strategy::Strategy;

/// The discovery format this build reads.
pub const DISCOVERY_FORMAT_VERSION: u32 = 1;

const DISCOVERY_V1_33: &str = include_str!("../../data/discovery/v1.33.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResource {
    pub name: String,
    #[serde(default)]
    pub singular_name: String,
    pub namespaced: bool,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    pub kind: String,
    pub verbs: Vec<String>,
    #[serde(default)]
    pub short_names: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub storage_version_hash: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupInfo {
    pub name: String,
    pub versions: Vec<String>,
    pub preferred_version: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discovery {
    pub version: u32,
    pub server_version: serde_json::Map<String, Value>,
    pub groups: Vec<GroupInfo>,
    /// `v1`, `apps/v1`, ... → resources and subresources in discovery order.
    pub resources: HashMap<String, Vec<ApiResource>>,
}

impl Discovery {
    pub fn v1_33() -> &'static Discovery {
        static D: OnceLock<Discovery> = OnceLock::new();
        D.get_or_init(|| {
            let d: Discovery = serde_json::from_str(DISCOVERY_V1_33).unwrap_or_else(|e| panic!("built-in discovery data is broken: {e}"));
            assert_eq!(d.version, DISCOVERY_FORMAT_VERSION, "built-in discovery data has an unknown format version");
            d
        })
    }
}

/// A served resource (not a subresource), with what the server needs to handle it.
pub struct ResourceInfo {
    pub group: String,
    pub version: String,
    /// Plural name: `deployments`.
    pub resource: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Subresources served under this resource (`status`, `scale`, `log`, ...).
    pub subresources: Vec<ApiResource>,
    /// Where objects live in the store; versions of one resource share it
    /// (`horizontalpodautoscalers.autoscaling`), and so do core and events.k8s.io events.
    pub storage: String,
    pub strategy: StrategyRef,
    /// Discovery's `storageVersionHash`.
    pub storage_version_hash: Option<String>,
}

/// The strategy of a served resource: a built-in kind's, or the one a CustomResourceDefinition
/// describes.
#[derive(Clone)]
pub enum StrategyRef {
    Builtin(&'static dyn Strategy),
    Custom(Arc<dyn Strategy + Send>),
}

impl std::ops::Deref for StrategyRef {
    type Target = dyn Strategy;
    fn deref(&self) -> &(dyn Strategy + 'static) {
        match self {
            StrategyRef::Builtin(s) => *s,
            StrategyRef::Custom(s) => &**s,
        }
    }
}

impl ResourceInfo {
    pub fn api_version(&self) -> String {
        crate::api::meta::api_version(&self.group, &self.version)
    }
    pub fn group_resource(&self) -> crate::api::meta::GroupResource {
        crate::api::meta::GroupResource::new(&self.group, &self.resource)
    }
    pub fn group_kind(&self) -> crate::api::meta::GroupKind {
        crate::api::meta::GroupKind::new(&self.group, &self.kind)
    }
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
    pub fn subresource(&self, name: &str) -> Option<&ApiResource> {
        self.subresources.iter().find(|s| s.name.split_once('/').map(|(_, sub)| sub) == Some(name))
    }
}

#[derive(Clone)]
pub struct Registry {
    /// The built-in resources, then those the CRDs add.
    resources: Vec<Arc<ResourceInfo>>,
    builtin: usize,
    by_gvr: HashMap<(String, String, String), usize>,
    by_gvk: HashMap<(String, String, String), usize>,
    /// Which custom resources discovery lists (their CRD is Established), by index.
    discoverable: Vec<bool>,
    /// The groups the CRDs add, in discovery order.
    custom_groups: Vec<GroupInfo>,
}

impl Registry {
    pub fn builtin() -> Registry {
        let d = Discovery::v1_33();
        let mut resources = Vec::new();
        let mut gvs: Vec<&String> = d.resources.keys().collect();
        gvs.order();
        for gv in gvs {
            let (group, version) = crate::api::meta::split_api_version(gv);
            let list = &d.resources[gv];
            for r in list.iter().filter(|r| !r.name.contains('/')) {
                let prefix = format!("{}/", r.name);
                let storage = storage_key(group, &r.name);
                resources.push(ResourceInfo {
                    group: group.to_string(),
                    version: version.to_string(),
                    resource: r.name.clone(),
                    singular: r.singular_name.clone(),
                    kind: r.kind.clone(),
                    namespaced: r.namespaced,
                    verbs: r.verbs.clone(),
                    short_names: r.short_names.clone(),
                    categories: r.categories.clone(),
                    subresources: list.iter().filter(|s| s.name.starts_with(&prefix)).cloned().collect(),
                    storage,
                    strategy: StrategyRef::Builtin(kinds::strategy_for(group, &r.kind)),
                    storage_version_hash: r.storage_version_hash.clone(),
                });
            }
        }
        let mut reg = Registry { resources: Vec::new(), builtin: 0, by_gvr: HashMap::new(), by_gvk: HashMap::new(), discoverable: Vec::new(), custom_groups: Vec::new() };
        for r in resources {
            reg.add(r);
        }
        reg.builtin = reg.resources.len();
        reg
    }

    /// Serves what the CustomResourceDefinitions define, in place of what they defined before.
    /// A custom resource never shadows a built-in one.
    pub fn set_custom(&mut self, crds: &[std::sync::Arc<Value>]) {
        let builtin_groups = &Discovery::v1_33().groups;
        let mut custom: Vec<(ResourceInfo, bool)> = crds.iter().flat_map(|c| super::crd::served(c)).collect();
        // A built-in group is the server's own: nothing there is a CRD's (its storage and
        // kinds would be the built-in ones').
        custom.retain(|(r, _)| !builtin_groups.iter().any(|g| g.name == r.group));
        self.resources.truncate(self.builtin);
        self.by_gvr.retain(|_, i| *i < self.builtin);
        self.by_gvk.retain(|_, i| *i < self.builtin);
        self.custom_groups = super::crd::groups(&custom);
        self.discoverable = custom.iter().map(|(_, d)| *d).collect();
        for (r, _) in custom {
            self.add(r);
        }
    }

    /// The groups the CRDs add (only those with an Established CRD).
    pub fn custom_groups(&self) -> &[GroupInfo] {
        &self.custom_groups
    }

    /// The custom resources of a group version that discovery lists.
    pub fn custom_discoverable<'a>(&'a self, group: &'a str, version: &'a str) -> impl Iterator<Item = &'a Arc<ResourceInfo>> + 'a {
        self.resources[self.builtin..].iter().zip(&self.discoverable).filter(move |(r, d)| **d && r.group == group && r.version == version).map(|(r, _)| r)
    }

    fn add(&mut self, r: ResourceInfo) {
        let i = self.resources.len();
        self.by_gvr.insert((r.group.clone(), r.version.clone(), r.resource.clone()), i);
        self.by_gvk.insert((r.group.clone(), r.version.clone(), r.kind.clone()), i);
        self.resources.push(Arc::new(r));
    }

    /// Whether the server itself serves a group version (built in or from a CRD).
    pub fn get_group_version(&self, group: &str, version: &str) -> bool {
        self.resources.iter().any(|r| r.group == group && r.version == version)
    }

    pub fn get(&self, group: &str, version: &str, resource: &str) -> Option<Arc<ResourceInfo>> {
        self.by_gvr.get(&(group.to_string(), version.to_string(), resource.to_string())).map(|i| self.resources[*i].clone())
    }

    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<Arc<ResourceInfo>> {
        self.by_gvk.get(&(group.to_string(), version.to_string(), kind.to_string())).map(|i| self.resources[*i].clone())
    }

    /// Every served resource, grouped by group version in a stable order.
    pub fn all(&self) -> impl Iterator<Item = &Arc<ResourceInfo>> {
        self.resources.iter()
    }

    /// The resource a storage key belongs to, in its group's preferred version.
    pub fn by_storage(&self, storage: &str) -> Option<Arc<ResourceInfo>> {
        let d = Discovery::v1_33();
        self.resources.iter().filter(|r| r.storage == storage).min_by_key(|r| {
            let preferred = d.groups.iter().chain(&self.custom_groups).find(|g| g.name == r.group).map(|g| g.preferred_version.as_str()).unwrap_or("v1");
            (r.version != preferred, !r.group.is_empty() && storage == "events")
        }).cloned()
    }
}

/// The storage key of a resource: the plural qualified by group, except for events, which
/// the core and events.k8s.io groups share.
pub fn storage_key(group: &str, resource: &str) -> String {
    if group.is_empty() || (group == "events.k8s.io" && resource == "events") {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_the_discovered_resources() {
        let r = Registry::builtin();
        let deploy = r.get("apps", "v1", "deployments").expect("deployments");
        assert_eq!(deploy.kind, "Deployment");
        assert_eq!(deploy.short_names, ["deploy"]);
        assert!(deploy.subresource("scale").is_some());
        assert!(deploy.subresource("status").is_some());
        let pods = r.by_kind("", "v1", "Pod").expect("pods");
        assert!(pods.subresource("log").is_some() && pods.subresource("eviction").is_some());
        assert!(r.get("batch", "v1beta1", "cronjobs").is_none());
        assert_eq!(r.get("autoscaling", "v1", "horizontalpodautoscalers").unwrap().storage, r.get("autoscaling", "v2", "horizontalpodautoscalers").unwrap().storage);
        assert_eq!(r.get("events.k8s.io", "v1", "events").unwrap().storage, "events");
        assert_eq!(r.by_storage("horizontalpodautoscalers.autoscaling").unwrap().version, "v2");
        assert_eq!(r.by_storage("events").unwrap().group, "");
    }
}
