//! The object store: every object of the cluster, each with a resourceVersion taken from one
//! global, strictly increasing counter.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::meta::ObjectKey;

/// What can go wrong in the store itself (the API server turns these into `Status` errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// An object with this key exists already.
    #[error("{0} already exists")]
    AlreadyExists(ObjectKey),
    /// No object has this key.
    #[error("{0} not found")]
    NotFound(ObjectKey),
}

#[derive(Debug, Default)]
pub struct Store {
    resource_version: u64,
    objects: BTreeMap<ObjectKey, Value>,
}

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    /// The resourceVersion of the latest write.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// Stores a new object and stamps it with the next resourceVersion.
    pub fn create(&mut self, key: ObjectKey, mut object: Value) -> Result<&Value, StoreError> {
        if self.objects.contains_key(&key) {
            return Err(StoreError::AlreadyExists(key));
        }
        self.resource_version += 1;
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(self.resource_version.to_string()));
        }
        Ok(self.objects.entry(key).or_insert(object))
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key)
    }

    /// Every object of one resource, optionally in one namespace, ordered by namespace and name.
    pub fn list<'a>(&'a self, resource: &'a str, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects
            .iter()
            .filter(move |(k, _)| k.resource == resource && (namespace.is_none() || k.namespace.as_deref() == namespace))
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_stamps_increasing_versions_and_refuses_duplicates() {
        let mut s = Store::new();
        let a = ObjectKey::cluster("namespaces", "a");
        let b = ObjectKey::cluster("namespaces", "b");
        let rv_a = s.create(a.clone(), json!({"metadata": {"name": "a"}})).unwrap()["metadata"]["resourceVersion"].clone();
        let rv_b = s.create(b, json!({"metadata": {"name": "b"}})).unwrap()["metadata"]["resourceVersion"].clone();
        assert_eq!((rv_a.as_str(), rv_b.as_str()), (Some("1"), Some("2")));
        assert_eq!(s.create(a.clone(), json!({"metadata": {}})), Err(StoreError::AlreadyExists(a)));
        assert_eq!(s.resource_version(), 2);
        assert_eq!(s.list("namespaces", None).count(), 2);
        assert_eq!(s.list("pods", None).count(), 0);
    }
}
