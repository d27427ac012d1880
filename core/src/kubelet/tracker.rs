//! Which pods a pass of the kubelets must look at. A pod's last sync holds while its inputs (the
//! pod, its node, what it reads, the kubelets' epoch) are unchanged and its time has not come (a
//! wake-up it asked for, or the periodic sync). A pass looked at every pod to find the few whose
//! sync no longer held: at 10,000 pods that look alone took some 70 ms, every round, however
//! little had changed. The tracker finds them as the real kubelet does, from what happened since
//! the last look: the writes to pods and nodes since then (the store's watch log), the syncs
//! whose time has come (kept in time order), and the pods a pass cut short did not reach. A
//! change the watch log cannot narrow (a node added or removed, what pods read, the epoch, a log
//! compacted past the last look) makes the next pass look at every pod again.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::object::{name, uid};
use crate::sim::clock::Timestamp;
use crate::store::{EventType, ObjName, Selection, Store};

/// What every pod's sync inputs come from: the latest writes to pods, nodes and what pods read,
/// and the kubelets' epoch.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Quiet {
    pub pods: u64,
    pub nodes: u64,
    pub deps: u64,
    pub epoch: u64,
}

/// The inputs of a pod sync: the pod's and its node's resourceVersions, the latest write to
/// what its volumes and environment read, and the kubelets' epoch. Between two syncs with the
/// same inputs only the time moves, and a sync asks to be woken when the time will matter (a
/// container's next step, a probe, an eviction). So a sync with the same inputs as the last is
/// skipped until that wake-up, or until the periodic sync ([`super::VOLUME_SYNC`], which
/// refreshes mounted ConfigMaps and Secrets) is due, and the wake-up is asked for again.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct SyncInputs {
    pub pod_rv: u64,
    pub node_rv: u64,
    pub deps: u64,
    pub epoch: u64,
}

/// What a sync (of one pod, or of every pod) saw, until when that holds without a new look (the
/// periodic sync), and the wake-up it asked for.
#[derive(Clone, Debug)]
pub(super) struct Held<I> {
    pub inputs: I,
    pub until: Timestamp,
    pub wake: Option<Timestamp>,
}

impl<I: PartialEq> Held<I> {
    /// Whether a sync now, with `inputs`, would do nothing new.
    pub fn covers(&self, inputs: &I, now: Timestamp) -> bool {
        self.inputs == *inputs && now < self.until && self.wake.is_none_or(|w| now < w)
    }
}

/// What a pass saw when it looked: the store's resourceVersion, and what every pod's inputs
/// share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Look {
    rv: u64,
    deps: u64,
    epoch: u64,
}

/// The pods a pass must look at, found from what changed since the last look.
pub(super) struct Plan {
    /// In name order (namespace, then name), as a pass over every pod goes.
    pub keys: BTreeSet<ObjName>,
    /// The uids of pods deleted since.
    pub gone: BTreeSet<String>,
}

/// A pod's last sync, where it lives, and when it stops holding.
#[derive(Clone, Debug)]
struct Entry {
    key: ObjName,
    held: Held<SyncInputs>,
}

type Timer = (Timestamp, ObjName, String);

#[derive(Clone, Debug, Default)]
pub(super) struct Tracker {
    /// Each pod's last sync, by uid.
    synced: BTreeMap<String, Entry>,
    /// The same, by when each one's periodic sync is due.
    untils: BTreeSet<Timer>,
    /// The same, by the wake-up each asked for.
    wakes: BTreeSet<Timer>,
    /// The last look; `None` until a pass has looked at every pod.
    seen: Option<Look>,
    /// Pods a pass cut short by its budget did not reach.
    pending: BTreeSet<ObjName>,
}

impl Tracker {
    /// The last sync of the pod with this uid.
    pub fn get(&self, uid: &str) -> Option<&Held<SyncInputs>> {
        self.synced.get(uid).map(|e| &e.held)
    }

    /// Records a pod's sync.
    pub fn hold(&mut self, uid: String, key: ObjName, held: Held<SyncInputs>) {
        self.release(&uid);
        self.untils.insert((held.until, key.clone(), uid.clone()));
        if let Some(w) = held.wake {
            self.wakes.insert((w, key.clone(), uid.clone()));
        }
        self.synced.insert(uid, Entry { key, held });
    }

    /// Forgets a pod's sync.
    pub fn release(&mut self, uid: &str) {
        if let Some(e) = self.synced.remove(uid) {
            self.untils.remove(&(e.held.until, e.key.clone(), uid.to_string()));
            if let Some(w) = e.held.wake {
                self.wakes.remove(&(w, e.key, uid.to_string()));
            }
        }
    }

    /// Forgets the syncs of pods `live` says are gone.
    pub fn retain(&mut self, live: impl Fn(&str) -> bool) {
        let gone: Vec<String> = self.synced.keys().filter(|id| !live(id)).cloned().collect();
        for id in gone {
            self.release(&id);
        }
    }

    /// The earliest periodic sync due among the pods.
    pub fn earliest_until(&self) -> Option<Timestamp> {
        self.untils.first().map(|t| t.0)
    }

    /// The earliest wake-up after `now` the pods asked for.
    pub fn earliest_wake_after(&self, now: Timestamp) -> Option<Timestamp> {
        self.wakes.iter().map(|t| t.0).find(|w| *w > now)
    }

    /// Notes what a pass looked at: later passes start from here.
    pub fn looked(&mut self, rv: u64, deps: u64, epoch: u64) {
        self.seen = Some(Look { rv, deps, epoch });
        self.pending.clear();
    }

    /// Whether the last pass was cut short with pods left to look at.
    pub fn cut_short(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Keeps pods a pass cut short did not reach for the next.
    pub fn defer(&mut self, mut keys: BTreeSet<ObjName>) {
        keys.append(&mut self.pending);
        self.pending = keys;
    }

    /// The pods whose last sync may no longer hold at `now`, or `None` when every pod must be
    /// looked at.
    pub fn plan(&mut self, store: &Store, deps: u64, epoch: u64, now: Timestamp) -> Option<Plan> {
        let look = self.seen.filter(|l| l.deps == deps && l.epoch == epoch)?;
        let events = store.events_since(look.rv).ok()?;
        let mut keys = std::mem::take(&mut self.pending);
        let mut gone = BTreeSet::new();
        let mut nodes = BTreeSet::new();
        for e in events {
            match e.resource.as_str() {
                "pods" => {
                    if e.kind == EventType::Deleted {
                        gone.insert(uid(&e.object).to_string());
                    }
                    keys.insert((e.namespace.clone(), name(&e.object).to_string()));
                }
                // A node's pods' syncs no longer hold when it changes; a node come or gone
                // changes which pods the kubelets run.
                "nodes" if e.kind == EventType::Modified => {
                    nodes.insert(name(&e.object).to_string());
                }
                "nodes" => return None,
                _ => {}
            }
        }
        for node in nodes {
            keys.extend(store.scan("pods", None, &Selection::FieldEquals("spec.nodeName", node), None).map(|s| (s.object["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), name(&s.object).to_string())));
        }
        for set in [&self.untils, &self.wakes] {
            keys.extend(set.iter().take_while(|t| t.0 <= now).map(|t| t.1.clone()));
        }
        Some(Plan { keys, gone })
    }
}
