//! The watch log: the most recent writes, in commit order, for watches to replay. Older
//! history is compacted away, as etcd compacts; a watch from before it gets 410 Expired.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::Value;

use super::StoreError;

/// How many events the log keeps by default. Each holds a version of an object that may be
/// gone from the store, and a pod's version is ~40 KB as a `Value`: at 100,000 the log held
/// most of a 10,000-pod scale-up's history, and the process peaked at 2,457 MiB against
/// 1,581 MiB at 25,000, in the same time (2026-11-27, `bench scale` at 334 nodes). The control
/// loops read the log every round and relist if it has moved past them; a round writes far
/// fewer than 25,000 events. (Kubernetes' watch cache keeps between 100 and 102,400 events per
/// resource, sized to hold the last 75 s.)
pub const DEFAULT_WATCH_LOG_CAPACITY: usize = 25_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    /// The `type` of a watch event on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

#[derive(Clone, Debug)]
pub struct WatchEvent {
    pub kind: EventType,
    pub resource: String,
    pub namespace: String,
    pub object: Arc<Value>,
    /// The object before a modification (for watches that filter by selector).
    pub prev: Option<Arc<Value>>,
    pub resource_version: u64,
}

#[derive(Clone, Debug)]
pub(super) struct WatchLog {
    events: VecDeque<WatchEvent>,
    capacity: usize,
    /// The resourceVersion of the newest event dropped by compaction (0: nothing dropped).
    compacted: u64,
}

impl WatchLog {
    pub(super) fn new(capacity: usize) -> Self {
        WatchLog { events: VecDeque::new(), capacity: capacity.max(1), compacted: 0 }
    }

    pub(super) fn push(&mut self, e: WatchEvent) {
        if self.events.len() == self.capacity {
            if let Some(old) = self.events.pop_front() {
                self.compacted = old.resource_version;
            }
        }
        self.events.push_back(e);
    }

    /// The oldest resourceVersion from which every later event is still here.
    pub(super) fn oldest_watchable(&self) -> u64 {
        self.compacted
    }

    pub(super) fn since(&self, since: u64, current: u64) -> Result<impl Iterator<Item = &WatchEvent>, StoreError> {
        if since < self.compacted {
            let oldest = self.events.front().map_or(current, |e| e.resource_version);
            return Err(StoreError::Expired { requested: since, oldest });
        }
        let start = self.events.partition_point(|e| e.resource_version <= since);
        Ok(self.events.range(start..))
    }
}
