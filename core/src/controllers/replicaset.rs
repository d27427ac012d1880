//! The ReplicaSet controller: keeps `spec.replicas` pods that match the selector, adopting
//! orphans and releasing pods relabelled out of the selector, creating from the template,
//! deleting the surplus, and reporting status.

use crate::sort::Order;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::labels::Selector;
use crate::api::object::{name, namespace, uid};
use crate::sim::clock::Timestamp;
use crate::store::{obj_name, EventType, ObjName};

use super::unchanged::{inputs_of, Unchanged};
use super::{Client, Controller};

/// An owner's pass reads the owner and the pods, and the time only while a pod waits out
/// minReadySeconds (it then asks to be woken), so it is skipped while the owner and the pods are
/// as they were after a pass that changed nothing.
#[derive(Default)]
pub struct ReplicaSetController {
    unchanged: Unchanged<String>,
    /// What is known of each owner's pods (see `Known`), by owner uid.
    known: HashMap<String, Known>,
}

/// The kinds whose pods this controller manages (ReplicaSets and ReplicationControllers).
struct Kind {
    api_version: &'static str,
    kind: &'static str,
    storage: &'static str,
    resource: &'static str,
}

/// Pods a pass creates or deletes at most (kube-controller-manager's `burstReplicas`); the rest
/// are left to the next pass, so the scheduler and the other loops take their turns between.
const BURST_REPLICAS: usize = 500;

const KINDS: [Kind; 2] = [
    Kind { api_version: "apps/v1", kind: "ReplicaSet", storage: "replicasets.apps", resource: "replicasets" },
    Kind { api_version: "v1", kind: "ReplicationController", storage: "replicationcontrollers", resource: "replicationcontrollers" },
];

pub fn is_active(pod: &Value) -> bool {
    !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) && pod["metadata"]["deletionTimestamp"].is_null()
}

pub fn is_ready(pod: &Value) -> bool {
    ready_condition(pod).is_some()
}

/// Ready for at least `min_ready` seconds at `now`.
pub fn is_available(pod: &Value, min_ready: i64, now: crate::sim::clock::Timestamp) -> bool {
    let ready = ready_condition(pod);
    ready_long_enough(ready.is_some(), || ready.and_then(|r| r["lastTransitionTime"].as_str()).and_then(Timestamp::parse_rfc3339), min_ready, now)
}

/// The pod's `Ready` condition, if it is true.
fn ready_condition(pod: &Value) -> Option<&Value> {
    pod["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The availability rule: ready, and for at least `min_ready` seconds at `now` (when it
/// became ready is read only if that matters).
fn ready_long_enough(ready: bool, since: impl FnOnce() -> Option<Timestamp>, min_ready: i64, now: Timestamp) -> bool {
    ready && (min_ready <= 0 || since().is_some_and(|t| now.since(t).whole_secs() >= min_ready))
}

pub fn controller_uid(obj: &Value) -> Option<&str> {
    obj["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)?["uid"].as_str()
}

/// The pod a controller creates from its template.
pub fn pod_from_template(owner: &Value, api_version: &str, kind: &str, template: &Value, generate_name: &str) -> Value {
    let mut meta = json!({
        "generateName": generate_name,
        "namespace": namespace(owner),
        "ownerReferences": [{
            "apiVersion": api_version, "kind": kind, "name": name(owner), "uid": uid(owner),
            "controller": true, "blockOwnerDeletion": true,
        }],
    });
    for k in ["labels", "annotations"] {
        if let Some(v) = template["metadata"].get(k).filter(|v| !v.is_null()) {
            meta[k] = v.clone();
        }
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]})
}

/// Which surplus pod goes first: unscheduled, then pending, then not ready, then newest.
fn deletion_rank(pod: &Value) -> (u8, u8, u8, std::cmp::Reverse<String>) {
    let unscheduled = u8::from(pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty));
    let pending = u8::from(pod["status"]["phase"] == "Pending");
    let unready = u8::from(!is_ready(pod));
    (2 - unscheduled, 2 - pending, 2 - unready, std::cmp::Reverse(pod["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string()))
}

impl Controller for ReplicaSetController {
    fn name(&self) -> &'static str {
        "replicaset-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let mut live = std::collections::BTreeSet::new();
        for k in &KINDS {
            for owner in c.list(k.storage, None) {
                live.insert(uid(&owner).to_string());
                if c.spent() {
                    return;
                }
                if owner["metadata"]["deletionTimestamp"].is_string() {
                    continue;
                }
                let inputs = inputs_of(c, &owner, &["pods"]);
                let known = self.known.entry(uid(&owner).to_string()).or_default();
                self.unchanged.run(c, uid(&owner).to_string(), inputs, |c| sync_one(c, k, &owner, known));
            }
        }
        // Owners that are gone are forgotten (ReplicaSets come and go with every rollout).
        self.unchanged.retain(|k| live.contains(k));
        self.known.retain(|k, _| live.contains(k));
    }
}

fn selector_of(k: &Kind, owner: &Value) -> Value {
    if k.kind == "ReplicationController" {
        json!({"matchLabels": owner["spec"]["selector"]})
    } else {
        owner["spec"]["selector"].clone()
    }
}

/// The pod's ownerReferences with `owner_uid`'s taken out (`null` when none is left).
fn refs_without(pod: &Value, owner_uid: &str) -> Value {
    let left: Vec<Value> = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|r| r["uid"] != owner_uid).cloned().collect();
    if left.is_empty() {
        Value::Null
    } else {
        json!(left)
    }
}

/// What a pass needs to know of a pod, for one owner (its uid, selector and template).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PodFacts {
    /// The owner is its controller.
    controlled: bool,
    /// The owner's selector matches its labels.
    selected: bool,
    active: bool,
    /// It carries every label of the owner's template (`fullyLabeledReplicas`).
    labelled: bool,
    ready: bool,
    /// When it became ready, if it says.
    ready_at: Option<Timestamp>,
}

impl PodFacts {
    fn of(pod: &Value, owner: &Value, sel: Option<&Selector>) -> PodFacts {
        let ready = ready_condition(pod);
        PodFacts {
            controlled: controller_uid(pod) == Some(uid(owner)),
            selected: sel.is_some_and(|s| s.matches(pod["metadata"]["labels"].as_object())),
            active: is_active(pod),
            labelled: owner["spec"]["template"]["metadata"]["labels"].as_object().is_none_or(|l| l.iter().all(|(lk, lv)| pod["metadata"]["labels"][lk] == *lv)),
            ready: ready.is_some(),
            ready_at: ready.and_then(|r| r["lastTransitionTime"].as_str()).and_then(Timestamp::parse_rfc3339),
        }
    }

    /// Ready for at least `min_ready` seconds at `now` (see [`is_available`]).
    fn available(&self, min_ready: i64, now: Timestamp) -> bool {
        ready_long_enough(self.ready, || self.ready_at, min_ready, now)
    }
}

/// The pods that name an owner, with their facts, kept up to date from the store's watch log:
/// during a rollout of 10,000 replicas a pass comes after every budget's worth of writes and
/// finds few pods changed, and walking all of them through the store's owner index took some
/// 15 ms a pass. Good while the owner's selector and template labels stay as they were; a log
/// compacted past the last look means a walk again.
#[derive(Default)]
struct Known {
    basis: Value,
    /// The store's resourceVersion `pods` is complete at; `None` until a walk.
    seen: Option<u64>,
    /// In the order of their names (namespace, then name), as the owner index gives them.
    pods: BTreeMap<ObjName, (Arc<Value>, PodFacts)>,
}

impl Known {
    /// Brings `pods` up to the store's present state.
    fn refresh(&mut self, c: &Client, owner: &Value, sel: Option<&Selector>) {
        let store = c.api_store();
        let owner_uid = uid(owner);
        let names_owner = |pod: &Value| pod["metadata"]["ownerReferences"].as_array().is_some_and(|refs| refs.iter().any(|r| r["uid"] == owner_uid));
        // Nothing naming the owner was written since the last look: nothing to follow (an owner
        // whose pods stand still looks through no events, however many others wrote).
        // (0: nothing names it now, which may be news.)
        let last = store.last_write_owned("pods", owner_uid);
        let still = self.seen.is_some_and(|seen| last <= seen && (last != 0 || self.pods.is_empty()));
        let followed = self.seen.filter(|_| !still).and_then(|rv| store.events_since(rv).ok()).map(|events| {
            // Most events are of other owners' pods: those are passed over without a key made.
            for e in events.filter(|e| e.resource == "pods") {
                let names_now = e.kind != EventType::Deleted && names_owner(&e.object);
                let named = names_now || e.prev.as_deref().is_some_and(names_owner) || (e.kind == EventType::Deleted && names_owner(&e.object));
                if !named {
                    continue;
                }
                let key = (e.namespace.clone(), name(&e.object).to_string());
                if names_now {
                    let facts = PodFacts::of(&e.object, owner, sel);
                    self.pods.insert(key, (e.object.clone(), facts));
                } else {
                    self.pods.remove(&key);
                }
            }
        });
        if followed.is_none() && !still {
            self.pods = store.owned("pods", owner_uid).map(|s| (obj_name(&s.object), (s.object.clone(), PodFacts::of(&s.object, owner, sel)))).collect();
        }
        self.seen = Some(store.resource_version());
        #[cfg(debug_assertions)]
        {
            let walked: Vec<(ObjName, u64)> = store.owned("pods", owner_uid).map(|s| (obj_name(&s.object), s.resource_version)).collect();
            let known: Vec<(ObjName, u64)> = self.pods.iter().map(|(k, (p, _))| (k.clone(), crate::api::object::resource_version(p))).collect();
            assert_eq!(known, walked, "replicaset controller: the pods known to name {owner_uid} are not those the store has");
        }
    }
}


/// What one walk over the pods naming an owner finds (see `sync_one`).
#[derive(Default)]
struct Claimed {
    /// Pods it controls that its selector matches, by name.
    mine: Vec<(Arc<Value>, PodFacts)>,
    /// Active pods it controls that its selector no longer matches.
    unmatched: Vec<Arc<Value>>,
    /// Active pods that name it without it being their controller (status counts them).
    others: Vec<(Arc<Value>, PodFacts)>,
}

fn claimed(c: &Client, owner: &Value, selector: &Value, sel: Option<&Selector>, known: &mut Known) -> Claimed {
    let basis = json!([selector, owner["spec"]["template"]["metadata"]["labels"]]);
    if known.basis != basis {
        *known = Known { basis, ..Known::default() };
    }
    known.refresh(c, owner, sel);
    let mut out = Claimed::default();
    for (pod, f) in known.pods.values() {
        let (pod, f) = (pod.clone(), *f);
        if !f.controlled {
            if f.active {
                out.others.push((pod, f));
            }
        } else if f.selected {
            out.mine.push((pod, f));
        } else if sel.is_some() && f.active {
            out.unmatched.push(pod);
        }
    }
    out
}

/// One owner's pass. The pods that name it are walked once, with what is known of those
/// unchanged since the last pass; orphans are found through the store's index of them.
fn sync_one(c: &mut Client, k: &Kind, owner: &Arc<Value>, known: &mut Known) {
    let ns = namespace(owner).to_string();
    let owner_uid = uid(owner).to_string();
    let selector = selector_of(k, owner);
    // An empty or invalid selector selects nothing (validation keeps both out).
    let sel = Selector::from_label_selector(&selector).ok().filter(|s| !s.is_empty());
    let Claimed { mut mine, unmatched, others } = claimed(c, owner, &selector, sel.as_ref(), known);
    // Active pods it controls whose labels its selector no longer matches are released
    // (Kubernetes' ControllerRefManager): their ownerReference to it is taken off, so they
    // live on as orphans.
    for pod in &unmatched {
        let patch = json!({"metadata": {"ownerReferences": refs_without(pod, &owner_uid)}});
        let _ = c.merge_patch("v1", "pods", namespace(pod), name(pod), "", &patch);
    }
    // Active orphans that match are adopted, keeping their other owners.
    let mut adopted = false;
    let orphans = sel.as_ref().map(|sel| c.orphans_selected("pods", &ns, sel)).unwrap_or_default();
    for pod in orphans {
        if !is_active(&pod) {
            continue;
        }
        let mut refs: Vec<Value> = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|r| r["uid"] != owner_uid.as_str()).cloned().collect();
        refs.push(json!({
            "apiVersion": k.api_version, "kind": k.kind, "name": name(owner), "uid": owner_uid,
            "controller": true, "blockOwnerDeletion": true,
        }));
        let patch = json!({"metadata": {"ownerReferences": refs}});
        if let Ok(p) = c.merge_patch("v1", "pods", &ns, name(&pod), "", &patch) {
            let f = PodFacts::of(&p, owner, sel.as_ref());
            mine.push((Arc::new(p), f));
            adopted = true;
        }
    }
    if adopted {
        mine.order_by(|a, b| name(&a.0).cmp(name(&b.0)));
    }
    let active: Vec<&(Arc<Value>, PodFacts)> = mine.iter().filter(|(_, f)| f.active).collect();
    let want = owner["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    let owner_obj = with_kind(owner, k);
    // The first error of this pass (quota, admission): it becomes the ReplicaFailure condition.
    let mut failure: Option<String> = None;
    // Status counts what exists after this pass's writes: the active pods found, those
    // created, less those deleted.
    let mut created: Vec<(Arc<Value>, PodFacts)> = Vec::new();
    let mut deleted: std::collections::HashSet<String> = std::collections::HashSet::new();
    // More than a burst to do: the rest are done by the next pass, at once (that is its next
    // round; a wake-up carries it on past the rounds one instant allows).
    if active.len().abs_diff(want) > BURST_REPLICAS {
        c.wake_at(c.now().plus(crate::sim::clock::Duration::from_millis(1)));
    }
    if active.len() < want {
        for _ in active.len()..want.min(active.len() + BURST_REPLICAS) {
            // The rest are created on the next pass (status below counts what exists).
            if c.spent() {
                break;
            }
            let pod = pod_from_template(owner, k.api_version, k.kind, &owner["spec"]["template"], &format!("{}-", name(owner)));
            match c.create("v1", "pods", &ns, pod) {
                Ok(p) => {
                    c.event(&owner_obj, "Normal", "SuccessfulCreate", &format!("Created pod: {}", name(&p)));
                    let f = PodFacts::of(&p, owner, sel.as_ref());
                    created.push((Arc::new(p), f));
                }
                Err(e) => {
                    // Slow start: the first failure ends the pass.
                    c.event(&owner_obj, "Warning", "FailedCreate", &format!("Error creating: {e}"));
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
    } else if active.len() > want {
        let mut victims: Vec<&Arc<Value>> = active.iter().map(|(p, _)| p).collect();
        victims.order_by_key(|p| deletion_rank(p));
        for pod in victims.into_iter().take((active.len() - want).min(BURST_REPLICAS)) {
            if c.spent() {
                break;
            }
            if c.delete("v1", "pods", &ns, name(pod), None).is_ok() {
                c.event(&owner_obj, "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", name(pod)));
                deleted.insert(name(pod).to_string());
            }
        }
    }
    let pods: Vec<&PodFacts> = active
        .iter()
        .copied()
        .filter(|(p, _)| deleted.is_empty() || !deleted.contains(name(p)))
        .chain(&created)
        .chain(&others)
        .map(|(_, f)| f)
        .collect();
    let min_ready = owner["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let now = c.now();
    let labelled = pods.iter().filter(|f| f.labelled).count();
    let ready = pods.iter().filter(|f| f.ready).count();
    let available = pods.iter().filter(|f| f.available(min_ready, now)).count();
    let mut status = json!({
        "replicas": pods.len(),
        "fullyLabeledReplicas": labelled,
        "readyReplicas": ready,
        "availableReplicas": available,
        "observedGeneration": owner["metadata"]["generation"],
    });
    if let Some(m) = status.as_object_mut() {
        for key in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] {
            if m.get(key) == Some(&json!(0)) {
                m.remove(key);
            }
        }
    }
    // ReplicaFailure: set when creating failed, kept while it goes on failing, gone when the
    // pass succeeds.
    let previous = owner["status"]["conditions"].as_array().and_then(|cs| cs.iter().find(|x| x["type"] == "ReplicaFailure").cloned());
    let condition = match (&failure, previous) {
        (Some(msg), Some(prev)) if prev["message"] == json!(msg) => Some(prev),
        (Some(msg), _) => Some(json!({"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": msg, "lastTransitionTime": now.rfc3339()})),
        (None, _) => None,
    };
    if let (Some(cond), Some(m)) = (condition, status.as_object_mut()) {
        m.insert("conditions".into(), json!([cond]));
    }
    // Pods that become available later need another look then.
    if min_ready > 0 && pods.iter().any(|f| f.ready && !f.available(min_ready, now)) {
        c.wake_at(now.plus(crate::sim::clock::Duration::from_secs(1)));
    }
    if owner["status"] != status {
        let mut next = (**owner).clone();
        next["status"] = status;
        let _ = c.update_status(k.api_version, k.resource, next);
    }
}

/// The owner with its apiVersion and kind (stored objects have them; this is for Events).
fn with_kind(owner: &Value, k: &Kind) -> Value {
    let mut o = owner.clone();
    o["apiVersion"] = json!(k.api_version);
    o["kind"] = json!(k.kind);
    o
}
