//! The garbage collector: dependents whose owners are all gone are deleted (those with an owner
//! left lose the references to the ones gone); an owner deleted with `orphan` lets its
//! dependents go free; one deleted in the foreground waits for them.

use crate::sort::Order;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::meta::split_api_version;
use crate::api::object::{name, namespace, uid};

use super::{Client, Controller};

/// What it looks at depends on the store alone, so a kind with no write since its last full
/// look, when nothing was deleted meanwhile, has nothing new for it: it is not listed again.
#[derive(Default)]
pub struct GarbageCollector {
    /// Per storage, its latest write when the last pass began.
    seen: BTreeMap<String, u64>,
    /// The latest delete when the last pass began (an owner gone may leave dependents anywhere).
    deletes_seen: u64,
    /// The last pass left something to look at again whatever changes: an owner waiting in the
    /// foreground for its dependents, a reference to a kind not served, a pass cut short.
    again: bool,
}

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
        // Owners being deleted with an orphan or foreground finalizer.
        let all: Vec<String> = {
            let mut s: Vec<String> = c.api.registry().all().map(|r| r.storage.clone()).collect();
            s.order();
            s.dedup();
            s
        };
        let store = c.api.store();
        let deletes = store.last_delete();
        let full = self.again || deletes != self.deletes_seen;
        let writes: BTreeMap<String, u64> = all.iter().map(|s| (s.clone(), store.last_write(s))).collect();
        let storages: Vec<&String> = all.iter().filter(|s| full || self.seen.get(*s) != writes.get(*s)).collect();
        self.seen = writes;
        self.deletes_seen = deletes;
        // Until this pass has looked at everything, the next one looks at everything.
        self.again = true;
        let mut again = false;
        for storage in &storages {
            for owner in c.list(storage, None) {
                if owner["metadata"]["deletionTimestamp"].is_null() {
                    continue;
                }
                let finalizers: Vec<String> = owner["metadata"]["finalizers"].as_array().into_iter().flatten().filter_map(|f| f.as_str().map(String::from)).collect();
                let Some((api_version, resource)) = resource_of(c, &owner) else {
                    again = true;
                    continue;
                };
                if finalizers.iter().any(|f| f == "orphan") {
                    for d in dependents(c, uid(&owner)) {
                        let Some((dv, dr)) = resource_of(c, &d) else { continue };
                        let refs: Vec<Value> = d["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|r| r["uid"] != owner["metadata"]["uid"]).cloned().collect();
                        let patch = if refs.is_empty() { json!({"metadata": {"ownerReferences": null}}) } else { json!({"metadata": {"ownerReferences": refs}}) };
                        let _ = c.merge_patch(&dv, &dr, namespace(&d), name(&d), "", &patch);
                    }
                    remove_finalizer(c, &owner, &api_version, &resource, "orphan");
                } else if finalizers.iter().any(|f| f == "foregroundDeletion") {
                    let deps = dependents(c, uid(&owner));
                    let blocking: Vec<&Arc<Value>> = deps.iter().filter(|d| d["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|r| r["uid"] == owner["metadata"]["uid"] && r["blockOwnerDeletion"] == true)).collect();
                    for d in &deps {
                        if d["metadata"]["deletionTimestamp"].is_null() {
                            if let Some((dv, dr)) = resource_of(c, d) {
                                let path = format!("{}/{}?propagationPolicy=Foreground", super::client::collection_path(&dv, &dr, namespace(d)), name(d));
                                let _ = c.api.call(&crate::apiserver::Request::delete(&path));
                            }
                        }
                    }
                    if blocking.is_empty() {
                        remove_finalizer(c, &owner, &api_version, &resource, "foregroundDeletion");
                    } else {
                        again = true;
                    }
                }
            }
        }
        // Dependents whose owners are all gone. Whether an owner exists is looked up once a
        // pass (10,000 pods of one ReplicaSet name the same owner), by its uid and namespace.
        // Keyed by namespace, then uid, so that a hit is looked up without allocating.
        let mut exists: HashMap<String, HashMap<String, Option<bool>>> = HashMap::new();
        for storage in &storages {
            for obj in c.list(storage, None) {
                if c.spent() {
                    return;
                }
                let Some(refs) = obj["metadata"]["ownerReferences"].as_array().filter(|r| !r.is_empty()) else { continue };
                if obj["metadata"]["deletionTimestamp"].is_string() {
                    continue;
                }
                let found: Option<Vec<bool>> = refs
                    .iter()
                    .map(|r| {
                        let (ns, uid) = (namespace(&obj), r["uid"].as_str().unwrap_or_default());
                        if let Some(known) = exists.get(ns).and_then(|by_uid| by_uid.get(uid)) {
                            return *known;
                        }
                        let found = owner_exists(c, &obj, r);
                        exists.entry(ns.to_string()).or_default().insert(uid.to_string(), found);
                        found
                    })
                    .collect();
                let Some(found) = found else {
                    again = true;
                    continue;
                };
                if found.iter().all(|f| *f) {
                    continue;
                }
                let solid: Vec<Value> = refs.iter().zip(&found).filter(|(_, f)| **f).map(|(r, _)| r.clone()).collect();
                let Some((v, r)) = resource_of(c, &obj) else {
                    again = true;
                    continue;
                };
                if solid.is_empty() {
                    let _ = c.delete(&v, &r, namespace(&obj), name(&obj), None);
                } else if solid.len() < refs.len() {
                    // Some owners remain: the references to the ones gone are removed.
                    let _ = c.merge_patch(&v, &r, namespace(&obj), name(&obj), "", &json!({"metadata": {"ownerReferences": solid}}));
                }
            }
        }
        self.again = again;
    }
}

fn remove_finalizer(c: &mut Client, owner: &Value, api_version: &str, resource: &str, finalizer: &str) {
    let left: Vec<Value> = owner["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != finalizer).cloned().collect();
    let patch = json!({"metadata": {"finalizers": if left.is_empty() { Value::Null } else { Value::Array(left) }}});
    let _ = c.merge_patch(api_version, resource, namespace(owner), name(owner), "", &patch);
}
