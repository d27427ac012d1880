//! The garbage collector: dependents whose owners are all gone are deleted (those with an owner
//! left lose the references to the ones gone); an owner deleted with `orphan` lets its
//! dependents go free; one deleted in the foreground waits for them.

use crate::sort::Order;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::meta::split_api_version;
use crate::api::object::{name, namespace, uid};

use super::{Client, Controller};

/// What it looks at depends on the store alone, as the real collector's graph follows its
/// informers: a pass looks at what was written since the last one (and at the dependents of
/// what was deleted), not at every object again.
#[derive(Default)]
pub struct GarbageCollector {
    /// The store's resourceVersion when the last pass that finished began: the next pass looks
    /// at the writes after it. `None`: everything is looked at.
    since: Option<u64>,
    /// What the last pass left to look at again whatever changes: owners waiting in the
    /// foreground for their dependents, dependents naming a kind not served.
    pending: Vec<Key>,
}

/// A stored object's place: its storage, namespace and name.
type Key = (String, String, String);

/// Whether the object an owner reference points to still exists with that uid; `None` when
/// the reference names a kind the server does not serve (the collector then leaves the
/// dependent alone and tries again later, as Kubernetes' does on a mapping error).
fn owner_exists(c: &Client, dependent: &Value, r: &Value) -> Option<bool> {
    let (g, v) = split_api_version(r["apiVersion"].as_str().unwrap_or_default());
    let info = c.api.registry().by_kind(g, v, r["kind"].as_str().unwrap_or_default())?;
    let ns = if info.namespaced { namespace(dependent) } else { "" };
    Some(c.get(&info.storage, ns, r["name"].as_str().unwrap_or_default()).is_some_and(|o| uid(&o) == r["uid"].as_str().unwrap_or_default()))
}

fn resource_of(c: &Client, obj: &Value) -> Option<(String, String)> {
    let (g, v) = split_api_version(obj["apiVersion"].as_str().unwrap_or_default());
    let info = c.api.registry().by_kind(g, v, obj["kind"].as_str().unwrap_or_default())?;
    Some((info.api_version(), info.resource.clone()))
}

fn dependents(c: &Client, owner_uid: &str) -> Vec<Arc<Value>> {
    c.api
        .store()
        .dependents(owner_uid)
        .into_iter()
        .filter_map(|(r, (ns, n))| c.api.store().get(&r, &ns, &n).map(|s| s.object))
        .collect()
}

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbage-collector-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let store = c.api.store();
        let began = store.resource_version();
        // What to look at: what was written since the last pass (the objects as they are now),
        // the dependents of what was deleted, and what the last pass left; everything on the
        // first pass, or when the store's log no longer reaches back so far. Objects are kept
        // with the index of their storage in `storages`: a key is made only for what is left
        // pending.
        let mut storages: Vec<String> = Vec::new();
        let mut objects: Vec<(usize, Arc<Value>)> = Vec::new();
        {
            let incremental = self.since.and_then(|since| store.events_since(since).ok());
            match incremental {
                Some(events) => {
                    // Few kinds are written between two passes: a short list to look through.
                    let at = |r: &str, storages: &mut Vec<String>| match storages.iter().position(|s| s == r) {
                        Some(i) => i,
                        None => {
                            storages.push(r.to_string());
                            storages.len() - 1
                        }
                    };
                    // Newest first: an object's latest write is its stored state (or its deletion).
                    let events: Vec<&crate::store::WatchEvent> = events.collect();
                    let mut seen: HashSet<(&str, &str, &str)> = HashSet::new();
                    for e in events.iter().rev() {
                        if !seen.insert((e.resource.as_str(), e.namespace.as_str(), name(&e.object))) {
                            continue;
                        }
                        if e.kind != crate::store::EventType::Deleted {
                            let i = at(&e.resource, &mut storages);
                            objects.push((i, e.object.clone()));
                        }
                    }
                    // In the order they were written.
                    objects.reverse();
                    let mut more: Vec<Key> = self.pending.clone();
                    for e in events.iter().filter(|e| e.kind == crate::store::EventType::Deleted) {
                        for (resource, (ns, n)) in store.dependents(uid(&e.object)) {
                            more.push((resource, ns, n));
                        }
                    }
                    let mut taken: HashSet<Key> = HashSet::new();
                    for (r, ns, n) in more {
                        if seen.contains(&(r.as_str(), ns.as_str(), n.as_str())) || !taken.insert((r.clone(), ns.clone(), n.clone())) {
                            continue;
                        }
                        if let Some(stored) = store.get(&r, &ns, &n) {
                            let i = at(&r, &mut storages);
                            objects.push((i, stored.object));
                        }
                    }
                }
                None => {
                    let mut all: Vec<String> = c.api.registry().all().map(|r| r.storage.clone()).collect();
                    all.order();
                    all.dedup();
                    for s in all {
                        let listed = c.list(&s, None);
                        storages.push(s);
                        objects.extend(listed.into_iter().map(|o| (storages.len() - 1, o)));
                    }
                }
            }
        }
        let key = |i: usize, o: &Value| -> Key { (storages[i].clone(), namespace(o).to_string(), name(o).to_string()) };
        let mut pending: Vec<Key> = Vec::new();
        // Owners being deleted with an orphan or foreground finalizer.
        for (i, owner) in objects.iter().filter(|(_, o)| o["metadata"]["deletionTimestamp"].is_string()) {
            if finalize_owner(c, owner) {
                pending.push(key(*i, owner));
            }
        }
        // Dependents whose owners are all gone. Whether an owner exists is looked up once a
        // pass (10,000 pods of one ReplicaSet name the same owner), by its uid and namespace.
        // Keyed by namespace, then uid, so that a hit is looked up without allocating.
        let mut exists: HashMap<String, HashMap<String, Option<bool>>> = HashMap::new();
        for (i, obj) in &objects {
            // Cut short: the next pass looks at the same writes again.
            if c.spent() {
                return;
            }
            if collect_dependent(c, obj, &mut exists) {
                pending.push(key(*i, obj));
            }
        }
        self.since = Some(began);
        self.pending = pending;
    }
}

/// An owner being deleted: with `orphan`, its dependents lose their references to it; in the
/// foreground, its dependents are deleted and it waits for those that block it. Returns whether
/// it must be looked at again.
fn finalize_owner(c: &mut Client, owner: &Arc<Value>) -> bool {
    let finalizers: Vec<String> = owner["metadata"]["finalizers"].as_array().into_iter().flatten().filter_map(|f| f.as_str().map(String::from)).collect();
    let Some((api_version, resource)) = resource_of(c, owner) else {
        return true;
    };
    if finalizers.iter().any(|f| f == "orphan") {
        for d in dependents(c, uid(owner)) {
            let Some((dv, dr)) = resource_of(c, &d) else { continue };
            let refs: Vec<Value> = d["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|r| r["uid"] != owner["metadata"]["uid"]).cloned().collect();
            let patch = if refs.is_empty() { json!({"metadata": {"ownerReferences": null}}) } else { json!({"metadata": {"ownerReferences": refs}}) };
            let _ = c.merge_patch(&dv, &dr, namespace(&d), name(&d), "", &patch);
        }
        remove_finalizer(c, owner, &api_version, &resource, "orphan");
    } else if finalizers.iter().any(|f| f == "foregroundDeletion") {
        let deps = dependents(c, uid(owner));
        let blocking: Vec<&Arc<Value>> = deps.iter().filter(|d| d["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|r| r["uid"] == owner["metadata"]["uid"] && r["blockOwnerDeletion"] == true)).collect();
        for d in &deps {
            if d["metadata"]["deletionTimestamp"].is_null() {
                if let Some((dv, dr)) = resource_of(c, d) {
                    let path = format!("{}/{}?propagationPolicy=Foreground", super::client::collection_path(&dv, &dr, namespace(d)), name(d));
                    let _ = c.api.call(&crate::apiserver::Request::delete(&path));
                }
            }
        }
        if !blocking.is_empty() {
            return true;
        }
        remove_finalizer(c, owner, &api_version, &resource, "foregroundDeletion");
    }
    false
}

/// A dependent whose owners are all gone is deleted; one with some left loses the references
/// to the others. Returns whether it must be looked at again (an owner of a kind not served).
fn collect_dependent(c: &mut Client, obj: &Arc<Value>, exists: &mut HashMap<String, HashMap<String, Option<bool>>>) -> bool {
    let Some(refs) = obj["metadata"]["ownerReferences"].as_array().filter(|r| !r.is_empty()) else { return false };
    if obj["metadata"]["deletionTimestamp"].is_string() {
        return false;
    }
    let found: Option<Vec<bool>> = refs
        .iter()
        .map(|r| {
            let (ns, uid) = (namespace(obj), r["uid"].as_str().unwrap_or_default());
            if let Some(known) = exists.get(ns).and_then(|by_uid| by_uid.get(uid)) {
                return *known;
            }
            let found = owner_exists(c, obj, r);
            exists.entry(ns.to_string()).or_default().insert(uid.to_string(), found);
            found
        })
        .collect();
    let Some(found) = found else { return true };
    if found.iter().all(|f| *f) {
        return false;
    }
    let solid: Vec<Value> = refs.iter().zip(&found).filter(|(_, f)| **f).map(|(r, _)| r.clone()).collect();
    let Some((v, r)) = resource_of(c, obj) else { return true };
    if solid.is_empty() {
        let _ = c.delete(&v, &r, namespace(obj), name(obj), None);
    } else if solid.len() < refs.len() {
        // Some owners remain: the references to the ones gone are removed.
        let _ = c.merge_patch(&v, &r, namespace(obj), name(obj), "", &json!({"metadata": {"ownerReferences": solid}}));
    }
    false
}

fn remove_finalizer(c: &mut Client, owner: &Value, api_version: &str, resource: &str, finalizer: &str) {
    let left: Vec<Value> = owner["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != finalizer).cloned().collect();
    let patch = json!({"metadata": {"finalizers": if left.is_empty() { Value::Null } else { Value::Array(left) }}});
    let _ = c.merge_patch(api_version, resource, namespace(owner), name(owner), "", &patch);
}
