//! Secondary indexes of one resource's objects: by label (key=value), by owner uid, and by
//! chosen string fields (`spec.nodeName` of pods). Namespace order comes from the primary map.

use crate::sort::Order;
use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::ObjName;

/// What a list may narrow by before the API server filters exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// No narrowing.
    All,
    /// Every `key=value` pair must hold.
    LabelEquals(Vec<(String, String)>),
    /// An indexed field equals a value.
    FieldEquals(&'static str, String),
}

#[derive(Clone, Default, Debug)]
pub(super) struct Indexes {
    labels: HashMap<(String, String), BTreeSet<ObjName>>,
    owners: HashMap<String, BTreeSet<ObjName>>,
    /// For each owner uid with objects that name it, the resourceVersion of the latest write
    /// to one of them (or of the delete that took one away).
    owner_writes: HashMap<String, u64>,
    /// Objects no ownerReference controls: the orphans a controller may adopt.
    uncontrolled: BTreeSet<ObjName>,
    fields: HashMap<(&'static str, String), BTreeSet<ObjName>>,
}

fn field_str<'a>(obj: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.').try_fold(obj, |v, k| v.get(k))?.as_str()
}

fn owner_uids(obj: &Value) -> impl Iterator<Item = &str> {
    obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter_map(|r| r["uid"].as_str())
}

fn controlled(obj: &Value) -> bool {
    obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|r| r["controller"] == true)
}

impl Indexes {
    pub(super) fn insert(&mut self, key: &ObjName, obj: &Value, fields: &[&'static str]) {
        if let Some(labels) = obj["metadata"]["labels"].as_object() {
            for (k, v) in labels {
                let v = v.as_str().unwrap_or_default();
                self.labels.entry((k.clone(), v.to_string())).or_default().insert(key.clone());
            }
        }
        for uid in owner_uids(obj) {
            self.owners.entry(uid.to_string()).or_default().insert(key.clone());
        }
        if !controlled(obj) {
            self.uncontrolled.insert(key.clone());
        }
        for f in fields {
            if let Some(v) = field_str(obj, f) {
                self.fields.entry((f, v.to_string())).or_default().insert(key.clone());
            }
        }
    }

    pub(super) fn remove(&mut self, key: &ObjName, obj: &Value, fields: &[&'static str]) {
        fn drop_from<K: std::hash::Hash + Eq>(map: &mut HashMap<K, BTreeSet<ObjName>>, k: K, key: &ObjName) {
            if let Some(set) = map.get_mut(&k) {
                set.remove(key);
                if set.is_empty() {
                    map.remove(&k);
                }
            }
        }
        if let Some(labels) = obj["metadata"]["labels"].as_object() {
            for (k, v) in labels {
                drop_from(&mut self.labels, (k.clone(), v.as_str().unwrap_or_default().to_string()), key);
            }
        }
        for uid in owner_uids(obj) {
            drop_from(&mut self.owners, uid.to_string(), key);
        }
        self.uncontrolled.remove(key);
        for f in fields {
            if let Some(v) = field_str(obj, f) {
                drop_from(&mut self.fields, (*f, v.to_string()), key);
            }
        }
    }

    /// Notes a write at `rv` to `obj` (in the version before or after it) for the owners it
    /// names; an owner left with nothing that names it is forgotten.
    pub(super) fn touch_owners(&mut self, obj: &Value, rv: u64) {
        for uid in owner_uids(obj) {
            if self.owners.contains_key(uid) {
                self.owner_writes.insert(uid.to_string(), rv);
            } else {
                self.owner_writes.remove(uid);
            }
        }
    }

    /// The resourceVersion of the latest write to an object naming `uid` (0: none names it).
    pub(super) fn owner_write(&self, uid: &str) -> u64 {
        self.owner_writes.get(uid).copied().unwrap_or(0)
    }

    /// The objects a selection can be narrowed to, in name order; `None` when the indexes
    /// cannot help (the caller scans).
    pub(super) fn candidates(&self, selection: &Selection) -> Option<Vec<&ObjName>> {
        match selection {
            Selection::All => None,
            Selection::LabelEquals(pairs) if pairs.is_empty() => None,
            Selection::LabelEquals(pairs) => {
                let mut sets: Vec<&BTreeSet<ObjName>> = Vec::new();
                for p in pairs {
                    match self.labels.get(p) {
                        Some(s) => sets.push(s),
                        None => return Some(Vec::new()),
                    }
                }
                sets.order_by_key(|s| s.len());
                let (first, rest) = sets.split_first()?;
                Some(first.iter().filter(|k| rest.iter().all(|s| s.contains(*k))).collect())
            }
            Selection::FieldEquals(f, v) => Some(self.fields.get(&(*f, v.clone())).map(|s| s.iter().collect()).unwrap_or_default()),
        }
    }

    /// The values an indexed field takes, each once, in no particular order.
    pub(super) fn field_values<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.keys().filter(move |(f, _)| *f == field).map(|(_, v)| v.as_str())
    }

    /// The objects of a namespace no ownerReference controls, in name order.
    pub(super) fn uncontrolled_in<'a>(&'a self, ns: &str) -> impl Iterator<Item = &'a ObjName> + 'a {
        let ns = ns.to_string();
        self.uncontrolled.range((ns.clone(), String::new())..).take_while(move |(n, _)| *n == ns)
    }

    pub(super) fn owned_by<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a ObjName> + 'a {
        self.owners.get(uid).into_iter().flatten()
    }
}
