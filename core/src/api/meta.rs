//! How objects are named: which resource, which namespace, which name.

use std::fmt;

/// The identity of a stored object: its resource (plural, with group), namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// `pods`, `deployments.apps`, ... (the resource's plural, qualified by group when it has one).
    pub resource: String,
    /// `None` for cluster-scoped resources.
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectKey {
    pub fn cluster(resource: &str, name: &str) -> Self {
        ObjectKey { resource: resource.to_string(), namespace: None, name: name.to_string() }
    }
    pub fn namespaced(resource: &str, namespace: &str, name: &str) -> Self {
        ObjectKey { resource: resource.to_string(), namespace: Some(namespace.to_string()), name: name.to_string() }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{ns}/{}", self.resource, self.name),
            None => write!(f, "{}/{}", self.resource, self.name),
        }
    }
}
