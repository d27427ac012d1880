//! A whole simulated cluster: the clock, the randomness and the store, booted from a preset.

mod nodes;
pub mod preset;

use serde_json::{json, Value};

use crate::api::duration::human_duration;
use crate::api::meta::ObjectKey;
use crate::sim::clock::{Clock, Timestamp};
use crate::sim::rng::Rng;
use crate::store::{Store, StoreError};

pub use preset::{Preset, PresetError};

/// The namespaces every cluster starts with.
pub const INITIAL_NAMESPACES: [&str; 4] = ["default", "kube-node-lease", "kube-public", "kube-system"];

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The preset's data could not be read.
    #[error(transparent)]
    Preset(#[from] PresetError),
    /// Booting tried to store an object twice (a preset naming two nodes alike, say).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One line of `kubectl get nodes`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeRow {
    pub name: String,
    pub status: String,
    pub roles: String,
    pub age: String,
    pub version: String,
}

pub struct Cluster {
    clock: Clock,
    rng: Rng,
    store: Store,
    preset: Preset,
}

impl Cluster {
    /// Boots a cluster from a preset; `start` is the virtual time at which it comes up.
    pub fn boot(preset: Preset, seed: u64, start: Timestamp) -> Result<Self, ClusterError> {
        let mut cluster = Cluster { clock: Clock::starting_at(start), rng: Rng::seeded(seed), store: Store::new(), preset };
        for ns in INITIAL_NAMESPACES {
            let obj = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": ns,
                    "uid": cluster.rng.uuid_v4(),
                    "creationTimestamp": start.rfc3339(),
                    "labels": {"kubernetes.io/metadata.name": ns},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            cluster.store.create(ObjectKey::cluster("namespaces", ns), obj)?;
        }
        for spec in cluster.preset.nodes.clone() {
            let uid = cluster.rng.uuid_v4();
            let obj = nodes::node_object(&cluster.preset, &spec, uid, start);
            cluster.store.create(ObjectKey::cluster("nodes", &spec.name), obj)?;
        }
        Ok(cluster)
    }

    /// Boots the default preset (kind-like: one control plane, two workers).
    pub fn boot_default(seed: u64, start: Timestamp) -> Result<Self, ClusterError> {
        Cluster::boot(Preset::builtin("kind")?, seed, start)
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn clock_mut(&mut self) -> &mut Clock {
        &mut self.clock
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn preset(&self) -> &Preset {
        &self.preset
    }

    pub fn namespaces(&self) -> Vec<String> {
        self.store.list("namespaces", None).filter_map(|ns| str_at(ns, &["metadata", "name"])).map(str::to_string).collect()
    }

    /// The nodes as `kubectl get nodes` shows them, ordered by name.
    pub fn node_rows(&self) -> Vec<NodeRow> {
        self.store.list("nodes", None).map(|n| nodes::node_row(n, self.clock.now())).collect()
    }
}

/// A string found by following object keys, if every step exists.
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

pub(crate) fn age_since(created: Option<&str>, now: Timestamp) -> String {
    match created.and_then(Timestamp::parse_rfc3339) {
        Some(t) => human_duration(now.since(t)),
        None => "<unknown>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::Duration;

    fn boot() -> Cluster {
        Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()
    }

    #[test]
    fn boots_three_ready_nodes_and_the_initial_namespaces() {
        let mut c = boot();
        c.clock_mut().advance(Duration::from_secs(75));
        let rows = c.node_rows();
        let shown: Vec<(&str, &str, &str, &str, &str)> =
            rows.iter().map(|r| (&*r.name, &*r.status, &*r.roles, &*r.age, &*r.version)).collect();
        assert_eq!(
            shown,
            [
                ("kind-control-plane", "Ready", "control-plane", "75s", "v1.33.1"),
                ("kind-worker", "Ready", "<none>", "75s", "v1.33.1"),
                ("kind-worker2", "Ready", "<none>", "75s", "v1.33.1"),
            ]
        );
        assert_eq!(c.namespaces(), ["default", "kube-node-lease", "kube-public", "kube-system"]);
    }

    #[test]
    fn same_seed_same_cluster() {
        let a = boot();
        let b = boot();
        let uid = |c: &Cluster| c.store().get(&ObjectKey::cluster("nodes", "kind-worker")).cloned();
        assert_eq!(uid(&a), uid(&b));
        let other = Cluster::boot_default(2, a.now()).unwrap();
        assert_ne!(uid(&a), uid(&other));
    }
}
