//! Events live an hour after their last write: kube-apiserver stores them in etcd under a lease
//! of `--event-ttl` (1h0m0s by default), renewed by every write, and etcd deletes them when it
//! runs out (watches see DELETED). Nothing else in the store expires.

use std::collections::VecDeque;

use crate::sim::clock::{Duration, Timestamp};
use crate::store::{EventType, Selection, Store};

/// kube-apiserver's default `--event-ttl`.
pub const EVENT_TTL: Duration = Duration(3_600_000);

/// Events deleted at most each time the server's time moves; the rest go the next time. etcd
/// too revokes expired leases at a bounded rate (1,000 a second), and an hour after a
/// 10,000-pod scale-up its 50,000 Events would otherwise go in one long task.
pub const EXPIRE_AT_ONCE: usize = 1000;

/// The resource whose objects expire (events.k8s.io/v1 Events are stored with it).
const EXPIRING: &str = "events";

/// The Events' leases, in the order they were written (so in the order they run out).
#[derive(Clone, Debug, Default)]
pub struct EventLeases {
    /// When a write's lease runs out, the write's resourceVersion, and the Event's namespace
    /// and name. A later write of the same Event leaves its earlier entries stale.
    due: VecDeque<(Timestamp, u64, String, String)>,
    /// The store's resourceVersion up to which writes are in `due`.
    seen: u64,
}

impl EventLeases {
    /// Takes in the writes of Events since the last call, all made at `at` (the server's time
    /// until now). The server calls it after every request, so the watch log has not moved
    /// past them; if it has, every Event written since is given a lease from `at`: later than
    /// its write, never earlier.
    pub fn note_writes(&mut self, store: &Store, at: Timestamp) {
        let expires = at.plus(EVENT_TTL);
        match store.events_since(self.seen) {
            Ok(writes) => {
                for w in writes.filter(|w| w.resource == EXPIRING && w.kind != EventType::Deleted) {
                    self.due.push_back((expires, w.resource_version, w.namespace.clone(), crate::api::object::name(&w.object).to_string()));
                }
            }
            Err(_) => {
                for s in store.scan(EXPIRING, None, &Selection::All, None).filter(|s| s.resource_version > self.seen) {
                    let (ns, name) = crate::store::obj_name(&s.object);
                    self.due.push_back((expires, s.resource_version, ns, name));
                }
            }
        }
        self.seen = store.resource_version();
    }

    /// Deletes the Events whose lease has run out by `now`, at most [`EXPIRE_AT_ONCE`];
    /// returns how many.
    pub fn expire(&mut self, store: &mut Store, now: Timestamp) -> usize {
        let before = store.resource_version();
        let mut gone = 0;
        while gone < EXPIRE_AT_ONCE && self.due.front().is_some_and(|d| d.0 <= now) {
            let Some((_, rv, ns, name)) = self.due.pop_front() else { break };
            // Only the Event's latest write holds its lease.
            if store.get(EXPIRING, &ns, &name).is_some_and(|s| s.resource_version == rv) && store.delete(EXPIRING, &ns, &name, Some(rv)).is_ok() {
                gone += 1;
            }
        }
        // Its own deletions are writes too, but of nothing that expires.
        if self.seen == before {
            self.seen = store.resource_version();
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(name: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": "default"}})
    }

    #[test]
    fn an_event_goes_an_hour_after_its_last_write() {
        let t0 = Timestamp(1_795_000_000_000);
        let mut store = Store::new();
        let mut leases = EventLeases::default();
        store.create("events", "default", "a", event("a")).unwrap();
        store.create("events", "default", "b", event("b")).unwrap();
        store.create("configmaps", "default", "c", event("c")).unwrap();
        leases.note_writes(&store, t0);
        // Written again 30 minutes later: its lease starts again.
        let at = t0.plus(Duration(1_800_000));
        let rv = store.get("events", "default", "b").unwrap().resource_version;
        store.update("events", "default", "b", event("b"), Some(rv)).unwrap();
        leases.note_writes(&store, at);
        assert_eq!(leases.expire(&mut store, t0.plus(EVENT_TTL).plus(Duration(-1))), 0);
        assert_eq!(leases.expire(&mut store, t0.plus(EVENT_TTL)), 1);
        assert!(store.get("events", "default", "a").is_none());
        assert!(store.get("events", "default", "b").is_some() && store.get("configmaps", "default", "c").is_some());
        assert_eq!(leases.expire(&mut store, at.plus(EVENT_TTL)), 1);
        assert!(store.get("events", "default", "b").is_none());
        // Watches saw them go.
        assert_eq!(store.events_since(0).unwrap().filter(|e| e.kind == EventType::Deleted).count(), 2);
        assert!(leases.due.is_empty());
    }

    #[test]
    fn at_most_a_thousand_go_at_once() {
        let t0 = Timestamp(1_795_000_000_000);
        let mut store = Store::new();
        let mut leases = EventLeases::default();
        for n in 0..EXPIRE_AT_ONCE + 5 {
            let name = format!("e{n}");
            store.create("events", "default", &name, event(&name)).unwrap();
        }
        leases.note_writes(&store, t0);
        let later = t0.plus(EVENT_TTL);
        assert_eq!(leases.expire(&mut store, later), EXPIRE_AT_ONCE);
        assert_eq!(leases.expire(&mut store, later), 5);
        assert_eq!(store.count("events", None), 0);
    }

    #[test]
    fn writes_compacted_away_get_a_lease_from_when_they_are_seen() {
        let t0 = Timestamp(1_795_000_000_000);
        let mut store = Store::with_watch_capacity(2);
        let mut leases = EventLeases::default();
        for n in ["a", "b", "c", "d"] {
            store.create("events", "default", n, event(n)).unwrap();
        }
        assert!(store.events_since(0).is_err());
        leases.note_writes(&store, t0);
        assert_eq!(leases.due.len(), 4);
        assert_eq!(leases.expire(&mut store, t0.plus(EVENT_TTL)), 4);
        assert_eq!(store.count("events", None), 0);
    }
}
