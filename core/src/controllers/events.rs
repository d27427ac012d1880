//! The event correlator of client-go's legacy recorder (`tools/record`), which the kubelet and
//! kube-controller-manager write their Events through. Before an Event reaches the API server
//! it decides whether the Event is new, a repeat that raises an existing Event's count, or
//! dropped:
//!
//! - **Counting.** An Event the same as an earlier one (same source, object, type, reason and
//!   message) raises the earlier Event's `count` and `lastTimestamp` instead of adding one.
//! - **Combining.** Once 10 different messages for one source, object, type and reason have
//!   been seen, each less than 600 s after the one before, every further new message goes into
//!   one Event whose message is `(combined from similar events): ` and the latest message.
//!   A Deployment scaled to 10,000 shows 9 `SuccessfulCreate` Events and one combined Event,
//!   not 10,000.
//! - **Spam filtering.** Each source may write 25 Events about one object, and one more every
//!   300 s after that (a token bucket). What it drops is still counted: the next write that
//!   gets through carries the whole count.
//!
//! The three memories are bounded as client-go's LRU caches of 4,096 are (see [`Recent`]), and
//! remember hashes of what they tell apart, not the strings. Everything here is in virtual
//! time and deterministic.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use crate::sim::clock::{Duration, Timestamp};

/// Different messages of one source, object, type and reason before they are combined.
pub const COMBINE_AFTER: usize = 10;
/// How long after the last similar Event a new one starts a fresh count of messages.
pub const COMBINE_WITHIN: Duration = Duration(600_000);
/// The prefix of a combined Event's message.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";
/// Events a source may write about one object at once.
pub const SPAM_BURST: f64 = 25.0;
/// How often a source earns one more Event about an object once its burst is spent.
pub const SPAM_REFILL: Duration = Duration(300_000);
/// How many entries a generation of the memory holds: client-go's three LRU caches hold 4,096
/// each.
pub const GENERATION: usize = 3 * 4096;

/// Who writes an Event and what it is about: the part of an Event every key starts with.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Origin {
    /// The source's component (`kubelet`, `replicaset-controller`).
    pub component: &'static str,
    /// The source's host (the kubelet's node), if any.
    pub host: Option<String>,
    /// The involved object: kind, namespace, name, uid and apiVersion, joined.
    pub object: String,
}

/// One Event as a recorder is asked to write it.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub origin: Origin,
    pub field_path: Option<String>,
    /// `Normal` or `Warning`.
    pub kind: String,
    pub reason: String,
    pub message: String,
}

/// What the API server is to be asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing: the source has used up its Events about the object for now.
    Dropped,
    /// A new Event named `name` (if a repeat's Event has gone from the API server, it is made
    /// again under its old name with the count reached).
    Create(Write),
    /// The Event `name` exists: set its count, lastTimestamp and message.
    Patch(Write),
}

/// The Event an [`Outcome`] writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub name: String,
    pub count: i64,
    pub first: Timestamp,
    /// The message, with the combined prefix if combined.
    pub message: String,
    /// Whether this is a combined Event (which, as client-go makes them, has no field path
    /// and no reporting component or instance).
    pub combined: bool,
}

/// A map that keeps its recent entries: those put since the current generation began, and
/// those of the generation before (from [`GENERATION`] to twice that). An entry taken and put
/// back counts as recent, as a hit in an LRU cache does.
#[derive(Clone, Debug)]
pub struct Recent<K, V> {
    current: HashMap<K, V>,
    older: HashMap<K, V>,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent { current: HashMap::new(), older: HashMap::new() }
    }
}

impl<K: Hash + Eq, V> Recent<K, V> {
    /// Removes and returns the entry for `key` (put it back to keep it).
    pub fn take(&mut self, key: &K) -> Option<V> {
        self.current.remove(key).or_else(|| self.older.remove(key))
    }

    pub fn put(&mut self, key: K, value: V) {
        if self.current.len() >= GENERATION {
            self.older = std::mem::take(&mut self.current);
        }
        self.current.insert(key, value);
    }

    pub fn len(&self) -> usize {
        self.current.len() + self.older.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which of the correlator's three memories a key is in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Memory {
    /// What was written for an Event (client-go's `getEventKey`: every part of it).
    Exact,
    /// What was written for a combined Event (source, object, type and reason).
    Combined,
    /// The different messages of a source, object, type and reason.
    Similar,
    /// A source's token bucket for an object.
    Spam,
}

/// A key of the correlator's memory: the memory, and a 64-bit hash of the parts of an Event
/// it tells apart. One map holds all three memories (one copy of the map's code in the wasm),
/// and keys that own no strings make a generation cheap to drop: with the strings, dropping
/// 12,288 entries at once took slices of a 10,000-pod scale-up past 50 ms.
type Key = (Memory, u64);

/// Hashes the parts of an Event that a memory tells apart (the source and object always).
/// SipHash with fixed keys: the same on every run and every machine.
fn key(memory: Memory, origin: &Origin, rest: &[Option<&str>]) -> Key {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    origin.hash(&mut h);
    for part in rest {
        part.hash(&mut h);
    }
    (memory, h.finish())
}

/// A message's hash, as a group's set keeps it.
fn message_hash(message: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    message.hash(&mut h);
    h.finish()
}

/// What a key remembers.
#[derive(Clone, Debug)]
enum Remembered {
    Logged(Logged),
    Similar(Similar),
    Bucket(Bucket),
}

/// What was written for a key: client-go's `eventLog`.
#[derive(Clone, Debug)]
struct Logged {
    count: i64,
    first: Timestamp,
    name: String,
}

/// The messages seen for a group, and when the last one came.
#[derive(Clone, Debug)]
struct Similar {
    /// The messages' hashes.
    messages: BTreeSet<u64>,
    last: Timestamp,
}

/// A token bucket: `tokens` at `at`, refilling one per [`SPAM_REFILL`] up to [`SPAM_BURST`].
#[derive(Clone, Debug)]
struct Bucket {
    tokens: f64,
    at: Timestamp,
}

impl Bucket {
    fn try_take(&mut self, now: Timestamp) -> bool {
        let earned = now.since(self.at).0.max(0) as f64 / SPAM_REFILL.0 as f64;
        self.tokens = (self.tokens + earned).min(SPAM_BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The correlator's memory, shared by every component (each key starts with the source, so
/// components never see each other's entries).
#[derive(Clone, Default)]
pub struct Recorder {
    memory: Recent<Key, Remembered>,
}

impl Recorder {
    /// Decides what writing `event` at `now` does: counting, combining and spam filtering, as
    /// client-go's legacy recorder does. `fresh_name` is the name a new Event gets.
    pub fn correlate(&mut self, event: Incoming, now: Timestamp, fresh_name: String) -> Outcome {
        let spam = key(Memory::Spam, &event.origin, &[]);
        let (key, message) = self.combine(event, now);
        let write = self.observe(key, message, now, fresh_name);
        if self.spam_allows(spam, now) {
            Outcome::of(write)
        } else {
            Outcome::Dropped
        }
    }

    /// Counting alone, for writers that do not go through the legacy recorder (the
    /// scheduler's Events are events.k8s.io series in Kubernetes).
    pub fn count_only(&mut self, event: Incoming, now: Timestamp, fresh_name: String) -> Outcome {
        let exact = Recorder::exact(&event);
        Outcome::of(self.observe(exact, event.message, now, fresh_name))
    }

    /// client-go's `getEventKey`: every part of the Event.
    fn exact(e: &Incoming) -> Key {
        key(Memory::Exact, &e.origin, &[e.field_path.as_deref(), Some(&e.kind), Some(&e.reason), Some(&e.message)])
    }

    /// Combining: counts the group's different messages, and says under which key and with
    /// which message the Event is written.
    fn combine(&mut self, event: Incoming, now: Timestamp) -> (Key, String) {
        let group = |memory| key(memory, &event.origin, &[Some(&event.kind), Some(&event.reason)]);
        let similar_key = group(Memory::Similar);
        let mut similar = match self.memory.take(&similar_key) {
            Some(Remembered::Similar(s)) if now.since(s.last) <= COMBINE_WITHIN => s,
            _ => Similar { messages: BTreeSet::new(), last: now },
        };
        let message = message_hash(&event.message);
        similar.messages.insert(message);
        similar.last = now;
        let combined = similar.messages.len() >= COMBINE_AFTER;
        if combined {
            // The set stays below the threshold, so a message seen before still counts alone.
            similar.messages.remove(&message);
        }
        self.memory.put(similar_key, Remembered::Similar(similar));
        if combined {
            (group(Memory::Combined), format!("{COMBINED_PREFIX}{}", event.message))
        } else {
            (Recorder::exact(&event), event.message)
        }
    }

    /// Counting: a key written before raises that Event's count, even if the write is then
    /// dropped.
    fn observe(&mut self, key: Key, message: String, now: Timestamp, fresh_name: String) -> Write {
        let combined = key.0 == Memory::Combined;
        let write = match self.memory.take(&key) {
            Some(Remembered::Logged(l)) => Write { name: l.name, count: l.count + 1, first: l.first, message, combined },
            _ => Write { name: fresh_name, count: 1, first: now, message, combined },
        };
        self.memory.put(key, Remembered::Logged(Logged { count: write.count, first: write.first, name: write.name.clone() }));
        write
    }

    /// Spam filtering: whether the source has an Event left to write about the object.
    fn spam_allows(&mut self, key: Key, now: Timestamp) -> bool {
        let mut bucket = match self.memory.take(&key) {
            Some(Remembered::Bucket(b)) => b,
            _ => Bucket { tokens: SPAM_BURST, at: now },
        };
        let allowed = bucket.try_take(now);
        self.memory.put(key, Remembered::Bucket(bucket));
        allowed
    }
}

impl Outcome {
    fn of(write: Write) -> Outcome {
        if write.count == 1 {
            Outcome::Create(write)
        } else {
            Outcome::Patch(write)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp(1_795_000_000_000 + secs * 1000)
    }

    fn incoming(object: &str, reason: &str, message: &str) -> Incoming {
        Incoming {
            origin: Origin { component: "replicaset-controller", host: None, object: object.into() },
            field_path: None,
            kind: "Normal".into(),
            reason: reason.into(),
            message: message.into(),
        }
    }

    fn outcome(r: &mut Recorder, secs: i64, reason: &str, message: &str, name: &str) -> Outcome {
        r.correlate(incoming("rs", reason, message), at(secs), name.into())
    }

    fn write(name: &str, count: i64, first: i64, message: &str, combined: bool) -> Write {
        Write { name: name.into(), count, first: at(first), message: message.into(), combined }
    }

    #[test]
    fn repeats_count_into_the_first_event() {
        let mut r = Recorder::default();
        assert_eq!(outcome(&mut r, 0, "BackOff", "back-off", "e1"), Outcome::Create(write("e1", 1, 0, "back-off", false)));
        assert_eq!(outcome(&mut r, 5, "BackOff", "back-off", "e2"), Outcome::Patch(write("e1", 2, 0, "back-off", false)));
        // Another reason or message is another Event.
        assert_eq!(outcome(&mut r, 6, "Pulled", "back-off", "e3"), Outcome::Create(write("e3", 1, 6, "back-off", false)));
    }

    #[test]
    fn the_tenth_different_message_is_combined_and_later_ones_count_into_it() {
        let mut r = Recorder::default();
        for i in 0..9 {
            let m = format!("Created pod: web-{i}");
            assert_eq!(outcome(&mut r, i, "SuccessfulCreate", &m, &format!("e{i}")), Outcome::Create(write(&format!("e{i}"), 1, i, &m, false)));
        }
        let tenth = outcome(&mut r, 9, "SuccessfulCreate", "Created pod: web-9", "c");
        assert_eq!(tenth, Outcome::Create(write("c", 1, 9, "(combined from similar events): Created pod: web-9", true)));
        let eleventh = outcome(&mut r, 10, "SuccessfulCreate", "Created pod: web-10", "x");
        assert_eq!(eleventh, Outcome::Patch(write("c", 2, 9, "(combined from similar events): Created pod: web-10", true)));
        // A message among the first nine still counts into its own Event.
        assert_eq!(outcome(&mut r, 11, "SuccessfulCreate", "Created pod: web-3", "y"), Outcome::Patch(write("e3", 2, 3, "Created pod: web-3", false)));
        // Another reason is another group.
        assert!(matches!(outcome(&mut r, 12, "SuccessfulDelete", "Deleted pod: web-0", "d"), Outcome::Create(w) if !w.combined));
    }

    #[test]
    fn messages_more_than_600_s_apart_start_a_fresh_group() {
        let mut r = Recorder::default();
        for i in 0..9 {
            outcome(&mut r, i * 600, "Killing", &format!("m{i}"), &format!("e{i}"));
        }
        // Each came exactly 600 s after the one before: still one group, so the tenth combines.
        assert!(matches!(outcome(&mut r, 5400, "Killing", "m9", "c"), Outcome::Create(w) if w.combined));
        // 601 s later the group starts again.
        assert!(matches!(outcome(&mut r, 6001, "Killing", "m10", "f"), Outcome::Create(w) if !w.combined && w.name == "f"));
    }

    #[test]
    fn a_source_writes_25_events_about_an_object_then_one_per_300_s_carrying_the_count() {
        let mut r = Recorder::default();
        for i in 0..25 {
            assert_ne!(outcome(&mut r, 0, "BackOff", "back-off", "e"), Outcome::Dropped, "write {i}");
        }
        assert_eq!(outcome(&mut r, 0, "BackOff", "back-off", "e"), Outcome::Dropped);
        assert_eq!(outcome(&mut r, 299, "BackOff", "back-off", "e"), Outcome::Dropped);
        // Another object has a bucket of its own.
        assert!(matches!(r.correlate(incoming("other", "BackOff", "back-off"), at(299), "o".into()), Outcome::Create(_)));
        // A token earned: the write carries every repeat, dropped ones included.
        assert_eq!(outcome(&mut r, 300, "BackOff", "back-off", "e"), Outcome::Patch(write("e", 28, 0, "back-off", false)));
        assert_eq!(outcome(&mut r, 301, "BackOff", "back-off", "e"), Outcome::Dropped);
    }

    #[test]
    fn memories_keep_two_generations_at_most() {
        let mut r = Recorder::default();
        // Each Event is remembered under three keys.
        for i in 0..GENERATION {
            r.correlate(incoming(&format!("pod-{i}"), "Started", "Started container web"), at(0), format!("e{i}"));
        }
        assert!(r.memory.len() <= 2 * GENERATION);
        // The most recent are remembered; the oldest are forgotten (a repeat makes a new Event).
        let last = GENERATION - 1;
        assert!(matches!(r.correlate(incoming(&format!("pod-{last}"), "Started", "Started container web"), at(1), "n".into()), Outcome::Patch(_)));
        assert!(matches!(r.correlate(incoming("pod-0", "Started", "Started container web"), at(1), "n".into()), Outcome::Create(w) if w.name == "n"));
    }

    #[test]
    fn an_entry_taken_and_put_back_is_recent_again() {
        let mut m: Recent<usize, ()> = Recent::default();
        m.put(0, ());
        for n in 1..=GENERATION {
            m.put(n, ());
        }
        assert!(m.take(&0).is_some(), "one generation later it is still there");
        m.put(0, ());
        for n in GENERATION + 1..=2 * GENERATION {
            m.put(n, ());
        }
        assert!(m.take(&0).is_some(), "put back, it counted as new");
        assert!(m.take(&1).is_none(), "two generations without it: gone");
    }
}
