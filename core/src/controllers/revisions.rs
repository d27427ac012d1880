//! ControllerRevisions, the template history of DaemonSets and StatefulSets: one per distinct
//! template, named `<owner>-<hash>`, numbered; going back to an old template renumbers its
//! revision as the newest (what `kubectl rollout undo` relies on).

use crate::sort::Order;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};

use super::deployment::template_hash;
use super::replicaset::controller_uid;
use super::Client;

/// The current revision of an owner's template.
pub struct Current {
    /// `<owner>-<hash>`: the value of pods' `controller-revision-hash` label for StatefulSets.
    pub name: String,
    pub hash: String,
}

fn revision_data(template: &Value) -> Value {
    let mut t = template.clone();
    t["$patch"] = json!("replace");
    json!({"spec": {"template": t}})
}

/// The owner's revisions, oldest number first.
pub fn list(c: &Client, owner: &Value) -> Vec<Arc<Value>> {
    let owner_uid = uid(owner);
    let mut revs: Vec<Arc<Value>> = c.owned("controllerrevisions.apps", owner_uid).into_iter().filter(|r| controller_uid(r) == Some(owner_uid)).collect();
    revs.order_by_key(|r| r["revision"].as_i64().unwrap_or(0));
    revs
}

/// Makes sure the owner's current template has a revision, the newest; returns it.
pub fn ensure(c: &mut Client, owner: &Value, kind: &str) -> Current {
    let template = &owner["spec"]["template"];
    let collisions = owner["status"]["collisionCount"].as_i64().unwrap_or(0);
    let hash = template_hash(template, collisions);
    let rev_name = format!("{}-{hash}", name(owner));
    let revs = list(c, owner);
    let max = revs.last().and_then(|r| r["revision"].as_i64()).unwrap_or(0);
    let data = revision_data(template);
    if let Some(existing) = revs.iter().find(|r| name(r) == rev_name) {
        if existing["revision"].as_i64().unwrap_or(0) == max {
            return Current { name: rev_name, hash };
        }
        // An old template is current again: it becomes the newest revision.
        let mut next = (**existing).clone();
        next["revision"] = json!(max + 1);
        let _ = c.update("apps/v1", "controllerrevisions", next);
        return Current { name: rev_name, hash };
    }
    let mut labels = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    labels.insert("controller-revision-hash".to_string(), json!(hash));
    let mut meta = json!({
        "name": rev_name,
        "namespace": namespace(owner),
        "labels": labels,
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name(owner), "uid": uid(owner), "controller": true, "blockOwnerDeletion": true}],
    });
    if let Some(a) = owner["metadata"].get("annotations").filter(|a| !a.is_null()) {
        meta["annotations"] = a.clone();
    }
    let cr = json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "data": data, "revision": max + 1});
    let _ = c.create("apps/v1", "controllerrevisions", namespace(owner), cr);
    Current { name: rev_name, hash }
}

/// Deletes the oldest revisions beyond `revisionHistoryLimit` that no live pod still uses.
pub fn cleanup(c: &mut Client, owner: &Value, current: &Current, in_use: &[String]) {
    let limit = owner["spec"]["revisionHistoryLimit"].as_i64().unwrap_or(10).max(0) as usize;
    let revs = list(c, owner);
    let old: Vec<&Arc<Value>> = revs.iter().filter(|r| name(r) != current.name && !in_use.iter().any(|u| u == name(r) || Some(u.as_str()) == r["metadata"]["labels"]["controller-revision-hash"].as_str())).collect();
    if old.len() > limit {
        for r in old.iter().take(old.len() - limit) {
            let _ = c.delete("apps/v1", "controllerrevisions", namespace(r), name(r), None);
        }
    }
}
