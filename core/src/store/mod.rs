//! The object store: every object of the cluster, versioned by one global, strictly increasing
//! resourceVersion, with indexes (namespace, labels, owners, chosen fields) and a bounded watch
//! log. It knows nothing of validation or defaults: the API server decides what to write.

mod index;
mod watch;

use crate::sort::Order;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use serde_json::Value;

pub use index::Selection;
pub use watch::{EventType, WatchEvent, DEFAULT_WATCH_LOG_CAPACITY};

use index::Indexes;
use watch::WatchLog;

/// What can go wrong in the store itself (the API server turns these into `Status` errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// An object with this name exists already.
    #[error("{resource} {namespace}/{name} already exists")]
    AlreadyExists { resource: String, namespace: String, name: String },
    /// No object has this name.
    #[error("{resource} {namespace}/{name} not found")]
    NotFound { resource: String, namespace: String, name: String },
    /// The caller's resourceVersion is not the stored one.
    #[error("{resource} {namespace}/{name}: resourceVersion {expected} is stale (stored: {actual})")]
    Conflict { resource: String, namespace: String, name: String, expected: u64, actual: u64 },
    /// Watch history before this point has been compacted away.
    #[error("too old resource version: {requested} ({oldest})")]
    Expired { requested: u64, oldest: u64 },
}

/// An object as stored: the JSON with `metadata.resourceVersion` filled in, and that version.
#[derive(Clone, Debug)]
pub struct Stored {
    pub object: Arc<Value>,
    pub resource_version: u64,
}

/// Namespace and name: where an object lives within its resource. Cluster-scoped objects have
/// an empty namespace.
pub type ObjName = (String, String);

/// Where an object lives: its namespace and name.
pub fn obj_name(obj: &Value) -> ObjName {
    (crate::api::object::namespace(obj).to_string(), crate::api::object::name(obj).to_string())
}

#[derive(Clone, Default, Debug)]
struct Table {
    objects: BTreeMap<ObjName, Stored>,
    indexes: Indexes,
    /// The resourceVersion of the latest write (create, update or delete) to the resource.
    last_write: u64,
}

#[derive(Clone, Debug)]
pub struct Store {
    resource_version: u64,
    tables: HashMap<String, Table>,
    log: WatchLog,
    /// Field paths indexed per resource (e.g. `pods` → `spec.nodeName`).
    field_indexes: HashMap<String, Vec<&'static str>>,
}

impl Default for Store {
    fn default() -> Self {
        Store::with_watch_capacity(DEFAULT_WATCH_LOG_CAPACITY)
    }
}

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    pub fn with_watch_capacity(capacity: usize) -> Self {
        Store { resource_version: 0, tables: HashMap::new(), log: WatchLog::new(capacity), field_indexes: HashMap::new() }
    }

    /// Indexes `field` (a dotted path to a string) of every object of `resource`.
    pub fn index_field(&mut self, resource: &str, field: &'static str) {
        self.field_indexes.entry(resource.to_string()).or_default().push(field);
    }

    /// The resourceVersion of the latest write.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The oldest resourceVersion a watch can still start from.
    pub fn oldest_watchable(&self) -> u64 {
        self.log.oldest_watchable()
    }

    fn stamp(&mut self, object: &mut Value) -> u64 {
        self.resource_version += 1;
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(self.resource_version.to_string()));
        }
        self.resource_version
    }

    /// Stores a new object and stamps it with the next resourceVersion.
    pub fn create(&mut self, resource: &str, namespace: &str, name: &str, mut object: Value) -> Result<Stored, StoreError> {
        let key = (namespace.to_string(), name.to_string());
        if self.tables.get(resource).is_some_and(|t| t.objects.contains_key(&key)) {
            return Err(StoreError::AlreadyExists { resource: resource.into(), namespace: namespace.into(), name: name.into() });
        }
        let rv = self.stamp(&mut object);
        let stored = Stored { object: Arc::new(object), resource_version: rv };
        let fields = self.field_indexes.get(resource).cloned().unwrap_or_default();
        let table = self.tables.entry(resource.to_string()).or_default();
        table.indexes.insert(&key, &stored.object, &fields);
        table.indexes.touch_owners(&stored.object, rv);
        table.objects.insert(key, stored.clone());
        table.last_write = rv;
        self.log.push(WatchEvent { kind: EventType::Added, resource: resource.into(), namespace: namespace.into(), object: stored.object.clone(), prev: None, resource_version: rv });
        Ok(stored)
    }

    /// The stored object, which must exist and, with `expected` set, be at that version.
    fn current(&self, resource: &str, namespace: &str, name: &str, expected: Option<u64>) -> Result<Stored, StoreError> {
        let current = self.get(resource, namespace, name).ok_or_else(|| StoreError::NotFound {
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
        })?;
        match expected {
            Some(e) if e != current.resource_version => Err(StoreError::Conflict {
                resource: resource.into(),
                namespace: namespace.into(),
                name: name.into(),
                expected: e,
                actual: current.resource_version,
            }),
            _ => Ok(current),
        }
    }

    /// Replaces an object. With `expected` set, the stored resourceVersion must equal it.
    pub fn update(&mut self, resource: &str, namespace: &str, name: &str, mut object: Value, expected: Option<u64>) -> Result<Stored, StoreError> {
        let key = (namespace.to_string(), name.to_string());
        let current = self.current(resource, namespace, name, expected)?;
        let rv = self.stamp(&mut object);
        let stored = Stored { object: Arc::new(object), resource_version: rv };
        let fields = self.field_indexes.get(resource).cloned().unwrap_or_default();
        let table = self.tables.entry(resource.to_string()).or_default();
        table.indexes.remove(&key, &current.object, &fields);
        table.indexes.insert(&key, &stored.object, &fields);
        table.indexes.touch_owners(&current.object, rv);
        table.indexes.touch_owners(&stored.object, rv);
        table.objects.insert(key, stored.clone());
        table.last_write = rv;
        self.log.push(WatchEvent { kind: EventType::Modified, resource: resource.into(), namespace: namespace.into(), object: stored.object.clone(), prev: Some(current.object.clone()), resource_version: rv });
        Ok(stored)
    }

    /// Removes an object. The DELETED event carries the object as it was, with a new
    /// resourceVersion (as etcd's delete revision).
    pub fn delete(&mut self, resource: &str, namespace: &str, name: &str, expected: Option<u64>) -> Result<Stored, StoreError> {
        let key = (namespace.to_string(), name.to_string());
        let current = self.current(resource, namespace, name, expected)?;
        let fields = self.field_indexes.get(resource).cloned().unwrap_or_default();
        if let Some(table) = self.tables.get_mut(resource) {
            table.indexes.remove(&key, &current.object, &fields);
            table.objects.remove(&key);
        }
        let mut last = (*current.object).clone();
        let rv = self.stamp(&mut last);
        if let Some(table) = self.tables.get_mut(resource) {
            table.last_write = rv;
            table.indexes.touch_owners(&current.object, rv);
        }
        let gone = Stored { object: Arc::new(last), resource_version: rv };
        self.log.push(WatchEvent { kind: EventType::Deleted, resource: resource.into(), namespace: namespace.into(), object: gone.object.clone(), prev: None, resource_version: rv });
        Ok(gone)
    }

    /// The resourceVersion of the latest write to `resource` (0 if none): whether anything of a
    /// kind changed since a moment, without looking at each object.
    pub fn last_write(&self, resource: &str) -> u64 {
        self.tables.get(resource).map_or(0, |t| t.last_write)
    }

    /// The resourceVersion of the latest write to an object of `resource` whose ownerReferences
    /// name (or named) `owner_uid`, 0 when none names it: whether an owner's dependents changed
    /// since a moment, without looking at each.
    pub fn last_write_owned(&self, resource: &str, owner_uid: &str) -> u64 {
        self.tables.get(resource).map_or(0, |t| t.indexes.owner_write(owner_uid))
    }

    pub fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Stored> {
        self.tables.get(resource)?.objects.get(&(namespace.to_string(), name.to_string())).cloned()
    }

    /// How many objects of a resource exist (in one namespace, or in all).
    pub fn count(&self, resource: &str, namespace: Option<&str>) -> usize {
        match (self.tables.get(resource), namespace) {
            (None, _) => 0,
            (Some(t), None) => t.objects.len(),
            (Some(t), Some(ns)) => t.objects.range(ns_range(ns)).take_while(|(k, _)| k.0 == ns).count(),
        }
    }

    /// Objects of a resource in name order (namespace, then name), narrowed by the indexes
    /// where `selection` allows, starting after `after` (for paging).
    pub fn list(&self, resource: &str, namespace: Option<&str>, selection: &Selection, after: Option<&ObjName>) -> Vec<Stored> {
        self.scan(resource, namespace, selection, after).cloned().collect()
    }

    /// What [`Store::list`] returns, in the same order, without copying: a page of a long list
    /// looks at the rest only as far as it needs to.
    pub fn scan<'a>(&'a self, resource: &str, namespace: Option<&'a str>, selection: &Selection, after: Option<&'a ObjName>) -> Box<dyn Iterator<Item = &'a Stored> + 'a> {
        let Some(table) = self.tables.get(resource) else { return Box::new(std::iter::empty()) };
        let usable = match selection {
            Selection::FieldEquals(f, _) => self.field_indexes.get(resource).is_some_and(|fs| fs.contains(f)),
            _ => true,
        };
        if let Some(candidates) = table.indexes.candidates(selection).filter(|_| usable) {
            return Box::new(
                candidates
                    .into_iter()
                    .filter(move |k| namespace.is_none_or(|ns| k.0 == ns))
                    .filter(move |k| after.is_none_or(|a| *k > a))
                    .filter_map(|k| table.objects.get(k)),
            );
        }
        let range: (Bound<ObjName>, Bound<ObjName>) = match (namespace, after) {
            (_, Some(a)) => (Bound::Excluded(a.clone()), Bound::Unbounded),
            (Some(ns), None) => ns_range(ns),
            (None, None) => (Bound::Unbounded, Bound::Unbounded),
        };
        Box::new(table.objects.range(range).take_while(move |(k, _)| namespace.is_none_or(|ns| k.0 == ns)).map(|(_, v)| v))
    }

    /// Names of objects (of any resource) whose ownerReferences name `owner_uid`.
    pub fn dependents(&self, owner_uid: &str) -> Vec<(String, ObjName)> {
        let mut out = Vec::new();
        for (resource, table) in &self.tables {
            for k in table.indexes.owned_by(owner_uid) {
                out.push((resource.clone(), k.clone()));
            }
        }
        out.order();
        out
    }

    /// The objects of one resource whose ownerReferences name `owner_uid`, ordered by
    /// namespace and name, without copying (what [`Store::dependents`] finds of that resource).
    pub fn owned<'a>(&'a self, resource: &str, owner_uid: &str) -> impl Iterator<Item = &'a Stored> + 'a {
        let table = self.tables.get(resource);
        Store::at_keys(table, table.map(|t| t.indexes.owned_by(owner_uid)))
    }

    /// The values an indexed field of a resource takes (`spec.nodeName` of pods: the nodes
    /// that have pods), ordered, each once.
    pub fn field_values(&self, resource: &str, field: &str) -> Vec<String> {
        let mut out: Vec<String> = self.tables.get(resource).into_iter().flat_map(|t| t.indexes.field_values(field)).map(String::from).collect();
        out.order();
        out
    }

    /// The objects of one resource in a namespace that no ownerReference controls (orphans),
    /// ordered by name, without copying.
    pub fn uncontrolled<'a>(&'a self, resource: &str, ns: &str) -> impl Iterator<Item = &'a Stored> + 'a {
        let table = self.tables.get(resource);
        Store::at_keys(table, table.map(|t| t.indexes.uncontrolled_in(ns)))
    }

    /// The stored objects of a resource's table at the keys one of its indexes gives.
    fn at_keys<'a, K: Iterator<Item = &'a ObjName> + 'a>(table: Option<&'a Table>, keys: Option<K>) -> impl Iterator<Item = &'a Stored> + 'a {
        table.into_iter().zip(keys).flat_map(|(t, keys)| keys.filter_map(|k| t.objects.get(k)))
    }

    /// Watch events after `since` (exclusive), oldest first, or `Expired` if compacted.
    pub fn events_since(&self, since: u64) -> Result<impl Iterator<Item = &WatchEvent>, StoreError> {
        self.log.since(since, self.resource_version)
    }
}

fn ns_range(ns: &str) -> (Bound<ObjName>, Bound<ObjName>) {
    (Bound::Included((ns.to_string(), String::new())), Bound::Unbounded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(ns: &str, name: &str, app: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": app}}})
    }

    #[test]
    fn versions_increase_and_conflicts_are_detected() {
        let mut s = Store::new();
        let a = s.create("pods", "default", "a", pod("default", "a", "web")).unwrap();
        let b = s.create("pods", "default", "b", pod("default", "b", "db")).unwrap();
        assert_eq!((a.resource_version, b.resource_version), (1, 2));
        assert_eq!(a.object["metadata"]["resourceVersion"], "1");
        assert!(matches!(s.create("pods", "default", "a", json!({})), Err(StoreError::AlreadyExists { .. })));
        assert!(matches!(s.update("pods", "default", "a", pod("default", "a", "x"), Some(7)), Err(StoreError::Conflict { expected: 7, actual: 1, .. })));
        let a2 = s.update("pods", "default", "a", pod("default", "a", "x"), Some(1)).unwrap();
        assert_eq!(a2.resource_version, 3);
        let gone = s.delete("pods", "default", "a", None).unwrap();
        assert_eq!(gone.resource_version, 4);
        assert!(s.get("pods", "default", "a").is_none());
        let kinds: Vec<EventType> = s.events_since(0).unwrap().map(|e| e.kind).collect();
        assert_eq!(kinds, [EventType::Added, EventType::Added, EventType::Modified, EventType::Deleted]);
    }

    #[test]
    fn lists_by_namespace_label_and_page() {
        let mut s = Store::new();
        for (ns, name, app) in [("a", "p1", "web"), ("b", "p2", "web"), ("b", "p3", "db"), ("c", "p4", "web")] {
            s.create("pods", ns, name, pod(ns, name, app)).unwrap();
        }
        let names = |v: Vec<Stored>| v.iter().map(|o| o.object["metadata"]["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(names(s.list("pods", Some("b"), &Selection::All, None)), ["p2", "p3"]);
        assert_eq!(names(s.list("pods", None, &Selection::All, Some(&("b".into(), "p2".into())))), ["p3", "p4"]);
        let web = Selection::LabelEquals(vec![("app".into(), "web".into())]);
        assert_eq!(names(s.list("pods", None, &web, None)), ["p1", "p2", "p4"]);
        assert_eq!(names(s.list("pods", Some("b"), &web, None)), ["p2"]);
        s.update("pods", "b", "p2", pod("b", "p2", "db"), None).unwrap();
        assert_eq!(names(s.list("pods", None, &web, None)), ["p1", "p4"]);
        assert_eq!(s.count("pods", Some("b")), 2);
    }

    #[test]
    fn indexes_owners_and_fields() {
        let mut s = Store::new();
        s.index_field("pods", "spec.nodeName");
        s.create("pods", "d", "x", json!({"metadata": {"name": "x", "ownerReferences": [{"uid": "u1"}]}, "spec": {"nodeName": "n1"}})).unwrap();
        s.create("pods", "d", "y", json!({"metadata": {"name": "y"}, "spec": {"nodeName": "n2"}})).unwrap();
        assert_eq!(s.dependents("u1"), [("pods".to_string(), ("d".to_string(), "x".to_string()))]);
        let on_n2 = Selection::FieldEquals("spec.nodeName", "n2".into());
        assert_eq!(s.list("pods", None, &on_n2, None).len(), 1);
        // Orphans: objects no ownerReference controls, by namespace.
        s.create("pods", "e", "z", json!({"metadata": {"name": "z"}})).unwrap();
        let names = |it: &mut dyn Iterator<Item = &Stored>| it.map(|o| o.object["metadata"]["name"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>();
        assert_eq!(names(&mut s.uncontrolled("pods", "d")), ["x", "y"]);
        s.update("pods", "d", "x", json!({"metadata": {"name": "x", "ownerReferences": [{"uid": "u1", "controller": true}]}}), None).unwrap();
        assert_eq!(names(&mut s.uncontrolled("pods", "d")), ["y"]);
        assert_eq!(names(&mut s.uncontrolled("pods", "e")), ["z"]);
        assert_eq!(names(&mut s.owned("pods", "u1")), ["x"]);
        assert!(s.owned("services", "u1").next().is_none());
        s.delete("pods", "d", "y", None).unwrap();
        assert!(s.uncontrolled("pods", "d").next().is_none());
        s.create("pods", "e", "w", json!({"metadata": {"name": "w"}, "spec": {"nodeName": "n1"}})).unwrap();
        assert_eq!(s.field_values("pods", "spec.nodeName"), ["n1"]);
    }

    #[test]
    fn an_owners_dependents_last_write_moves_with_each_of_theirs() {
        let owned = |name: &str, owner: &str| json!({"metadata": {"name": name, "namespace": "default", "ownerReferences": [{"uid": owner, "controller": true}]}});
        let mut s = Store::new();
        assert_eq!(s.last_write_owned("pods", "rs-1"), 0);
        let a = s.create("pods", "default", "a", owned("a", "rs-1")).unwrap();
        s.create("pods", "default", "other", owned("other", "rs-2")).unwrap();
        assert_eq!(s.last_write_owned("pods", "rs-1"), a.resource_version, "another owner's pod leaves it");
        let b = s.create("pods", "default", "b", owned("b", "rs-1")).unwrap();
        assert_eq!(s.last_write_owned("pods", "rs-1"), b.resource_version);
        // Moved to another owner: a write for both.
        let moved = s.update("pods", "default", "a", owned("a", "rs-2"), None).unwrap();
        assert_eq!((s.last_write_owned("pods", "rs-1"), s.last_write_owned("pods", "rs-2")), (moved.resource_version, moved.resource_version));
        let gone = s.delete("pods", "default", "b", None).unwrap();
        assert_eq!(s.last_write_owned("pods", "rs-1"), 0, "nothing names it any more: forgotten ({})", gone.resource_version);
        assert_eq!(s.last_write_owned("configmaps", "rs-2"), 0);
    }

    #[test]
    fn compacted_history_expires() {
        let mut s = Store::with_watch_capacity(2);
        for i in 0..5 {
            s.create("configmaps", "d", &format!("c{i}"), json!({"metadata": {}})).unwrap();
        }
        assert!(matches!(s.events_since(1), Err(StoreError::Expired { requested: 1, oldest: 4 })));
        assert_eq!(s.events_since(3).unwrap().count(), 2);
        assert_eq!(s.events_since(5).unwrap().count(), 0);
    }
}
