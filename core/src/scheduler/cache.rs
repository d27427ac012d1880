//! The scheduler's cache: the nodes with the pods placed on them, and the queue of pods waiting
//! for a node, kept up to date from the store's watch log as kube-scheduler keeps its cache
//! and queue from informers. A pass used to rebuild both from every pod: at 10,000 pods that
//! took some 20 ms, every round, however little had changed. A change the log cannot narrow (a
//! node added or removed, a log compacted past the last look) rebuilds them.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::imagelocality::ImageStates;
use super::plugins::NodeInfo;
use crate::api::object::{name, namespace};
use crate::sort::Order;
use crate::store::{obj_name, EventType, ObjName, Selection, Store};

/// Where a waiting pod stands in the queue: highest priority first, then oldest, then by name
/// (and namespace, the order pods are listed in).
type QueueKey = (Reverse<i64>, String, String, String);

fn queue_key(pod: &Value) -> QueueKey {
    (
        Reverse(pod["spec"]["priority"].as_i64().unwrap_or(0)),
        pod["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string(),
        name(pod).to_string(),
        namespace(pod).to_string(),
    )
}


/// Whether a pod counts on the node it names (finished pods free their node).
fn counts(pod: &Value) -> bool {
    !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

fn node_of(pod: &Value) -> Option<&str> {
    pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty())
}

#[derive(Clone, Default)]
pub(super) struct Cache {
    /// The store's resourceVersion this reflects; `None` until first built.
    seen: Option<u64>,
    /// Every node, in the order of their names, with what is placed on it.
    pub nodes: Vec<NodeInfo>,
    index: HashMap<String, usize>,
    /// Each placed pod's node, and the version of it that was added there.
    placed: HashMap<ObjName, (usize, Arc<Value>)>,
    /// The pods waiting for a node, in the order they are tried.
    queue: BTreeMap<QueueKey, Arc<Value>>,
    queued: HashMap<ObjName, QueueKey>,
    /// What the nodes' images are; `None` when the nodes changed since it was worked out.
    images: Option<Arc<ImageStates>>,
    /// The resourceVersion of the last change to the nodes or to a pod placed on one: what can
    /// make a pod that did not fit fit now.
    world: u64,
}

impl Cache {
    /// Brings the cache up to the store's present state.
    pub fn refresh(&mut self, store: &Store) {
        let now = store.resource_version();
        if self.seen == Some(now) {
            return;
        }
        if !self.seen.is_some_and(|seen| self.follow(store, seen)) {
            self.rebuild(store);
        }
        self.seen = Some(now);
        #[cfg(debug_assertions)]
        self.check(store);
    }

    /// The pods waiting for a node, in the order they are tried.
    pub fn queue(&self) -> Vec<Arc<Value>> {
        self.queue.values().cloned().collect()
    }

    pub fn images(&mut self) -> Arc<ImageStates> {
        self.images.get_or_insert_with(|| Arc::new(ImageStates::of(&self.nodes))).clone()
    }

    /// A fingerprint of what can make a pod fit: it changes whenever a node, or a pod placed on
    /// one, changes.
    pub fn world(&self) -> u64 {
        self.world
    }

    /// Places `pod` on node `at` within a pass (the binding's own event settles it later).
    pub fn place(&mut self, pod: &Arc<Value>, at: usize) {
        self.nodes[at].add(pod);
        self.placed.insert(obj_name(pod), (at, pod.clone()));
    }

    fn rebuild(&mut self, store: &Store) {
        let mut nodes: Vec<NodeInfo> = store.scan("nodes", None, &Selection::All, None).map(|s| NodeInfo::of(s.object.clone())).collect();
        // (The store lists them so already; sorting a sorted list is one comparison a node.)
        nodes.order_by(|a, b| a.name.cmp(&b.name));
        self.index = nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        self.nodes = nodes;
        self.placed.clear();
        self.queue.clear();
        self.queued.clear();
        self.images = None;
        self.world = store.resource_version();
        for s in store.scan("pods", None, &Selection::All, None) {
            self.admit(&s.object);
        }
    }

    /// Takes in a pod's present version: on its node, or in the queue.
    fn admit(&mut self, pod: &Arc<Value>) {
        if let Some(&i) = node_of(pod).filter(|_| counts(pod)).and_then(|n| self.index.get(n)) {
            self.nodes[i].add(pod);
            self.nodes[i].settle_last();
            self.placed.insert(obj_name(pod), (i, pod.clone()));
        } else if super::waiting(pod) {
            let key = queue_key(pod);
            self.queued.insert(obj_name(pod), key.clone());
            self.queue.insert(key, pod.clone());
        }
    }

    /// Forgets what the cache held of the pod named `key`.
    fn drop_pod(&mut self, key: &ObjName) {
        if let Some((i, old)) = self.placed.remove(key) {
            self.nodes[i].remove(&old);
        }
        if let Some(q) = self.queued.remove(key) {
            self.queue.remove(&q);
        }
    }

    /// Applies the watch log's events since `seen`; `false` when they cannot be followed (the
    /// log was compacted past it, or a node came or went).
    fn follow(&mut self, store: &Store, seen: u64) -> bool {
        let Ok(events) = store.events_since(seen) else { return false };
        for e in events {
            match (e.resource.as_str(), e.kind) {
                ("nodes", EventType::Modified) => {
                    let Some(&i) = self.index.get(name(&e.object)) else { return false };
                    let placed = std::mem::take(&mut self.nodes[i].placed);
                    self.nodes[i] = NodeInfo::of(e.object.clone());
                    for p in &placed {
                        self.nodes[i].add(p);
                    }
                    self.images = None;
                    self.world = e.resource_version;
                }
                ("nodes", _) => return false,
                ("pods", kind) => {
                    let key = (e.namespace.clone(), name(&e.object).to_string());
                    let was_placed = self.placed.contains_key(&key) || e.prev.as_deref().and_then(node_of).is_some();
                    self.drop_pod(&key);
                    if kind != EventType::Deleted {
                        self.admit(&e.object);
                    }
                    if was_placed || node_of(&e.object).is_some() {
                        self.world = e.resource_version;
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// Debug builds: the cache must be what a rebuild from the store makes.
    #[cfg(debug_assertions)]
    fn check(&self, store: &Store) {
        let mut fresh = Cache::default();
        fresh.rebuild(store);
        assert_eq!(self.nodes.len(), fresh.nodes.len(), "scheduler cache: node count");
        for (a, b) in self.nodes.iter().zip(&fresh.nodes) {
            assert!(a.same_as(b), "scheduler cache: node {} differs from a fresh snapshot", a.name);
        }
        let names = |c: &Cache| c.queue.values().map(|p| obj_name(p)).collect::<Vec<_>>();
        assert_eq!(names(self), names(&fresh), "scheduler cache: queue");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::{Client, Recorder};
    use crate::{Cluster, Timestamp};
    use serde_json::json;

    fn pod(name: &str, critical: bool, cpu: &str) -> Value {
        let class = if critical { json!("system-cluster-critical") } else { Value::Null };
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
            "spec": {"priorityClassName": class, "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080}], "resources": {"requests": {"cpu": cpu}}}]}})
    }

    /// Every kind of change the cache follows, each checked against a rebuild (debug builds
    /// compare on every refresh; the counts are checked here too).
    #[test]
    fn follows_binds_finishes_deletes_and_node_changes() {
        let now = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
        let mut cluster = Cluster::boot_default(1, now).expect("boot");
        let mut recorder = Recorder::default();
        let mut c = Client::new(cluster.api(), &mut recorder, "test");
        let mut cache = Cache::default();
        cache.refresh(c.api_store());
        let node = cache.nodes[0].name.clone();
        let used = |cache: &Cache| (cache.nodes[0].used_pods, cache.nodes[0].used_cpu_milli, cache.nodes[0].host_ports.len());
        let base = used(&cache);
        for (name, critical) in [("b", false), ("a", false), ("high", true)] {
            c.create("v1", "pods", "default", pod(name, critical, "100m")).expect("create");
        }
        cache.refresh(c.api_store());
        let order: Vec<String> = cache.queue().iter().map(|p| name(p).to_string()).collect();
        assert_eq!(order, ["high", "a", "b"], "priority first, then age, then name");
        let world = cache.world();
        // Bound within a pass, then by the binding's own event.
        let a = cache.queue()[1].clone();
        cache.place(&a, 0);
        let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "a"}, "target": {"apiVersion": "v1", "kind": "Node", "name": node}});
        c.subresource_post("v1", "pods", "default", "a", "binding", binding).expect("bind");
        cache.refresh(c.api_store());
        assert_eq!(used(&cache), (base.0 + 1, base.1 + 100, base.2 + 1));
        assert_ne!(cache.world(), world, "a pod placed changes the world");
        let world = cache.world();
        // A waiting pod's own change leaves the world as it was.
        c.merge_patch("v1", "pods", "default", "b", "", &json!({"metadata": {"labels": {"x": "y"}}})).expect("patch");
        cache.refresh(c.api_store());
        assert_eq!(cache.world(), world);
        assert_eq!(cache.queue().len(), 2);
        // Finished: it frees the node.
        c.merge_patch("v1", "pods", "default", "a", "status", &json!({"status": {"phase": "Succeeded"}})).expect("finish");
        cache.refresh(c.api_store());
        assert_eq!(used(&cache), base);
        // The node changes: what it offers is read again, its pods kept.
        let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "b"}, "target": {"apiVersion": "v1", "kind": "Node", "name": node}});
        c.subresource_post("v1", "pods", "default", "b", "binding", binding).expect("bind");
        c.merge_patch("v1", "nodes", "", &node, "status", &json!({"status": {"allocatable": {"cpu": "3"}}})).expect("node");
        cache.refresh(c.api_store());
        assert_eq!(cache.nodes[0].cpu_milli, 3000);
        assert_eq!(used(&cache), (base.0 + 1, base.1 + 100, base.2 + 1));
        // Deleted: gone from the node.
        c.delete("v1", "pods", "default", "b", Some(0)).expect("delete");
        cache.refresh(c.api_store());
        assert!(c.api_store().get("pods", "default", "b").is_none());
        assert_eq!(used(&cache), base);
        // A node added: rebuilt, with it.
        let extra = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "zz-extra"}, "status": {"allocatable": {"cpu": "1", "memory": "1Gi", "pods": "10"}}});
        c.create("v1", "nodes", "", extra).expect("node");
        cache.refresh(c.api_store());
        assert_eq!(cache.nodes.last().map(|n| n.name.as_str()), Some("zz-extra"));
        assert_eq!(cache.queue().iter().map(|p| name(p).to_string()).collect::<Vec<_>>(), ["high"]);
    }
}
