//! Skipping work whose inputs have not changed. Many loops read only the store: a pass that
//! wrote nothing and asked for no wake-up would, given the same store, write nothing again.
//! Its inputs are named by the latest writes to the resources it reads (and the objects' own
//! resourceVersions); while they are what they were, the pass is not made. This is what
//! informers give real controllers: they are not called when nothing they watch changed.

use std::collections::BTreeMap;

use super::Client;

/// The inputs of the passes (one per key) that changed nothing.
#[derive(Clone, Default)]
pub struct Unchanged<K> {
    settled: BTreeMap<K, Vec<u64>>,
}

impl<K: Ord> Unchanged<K> {
    /// Makes the pass for `key` unless its `inputs` are those of an earlier one that changed
    /// nothing; remembers them when this one writes nothing, asks for no wake-up and is not cut
    /// short by its budget.
    pub fn run(&mut self, c: &mut Client, key: K, inputs: Vec<u64>, pass: impl FnOnce(&mut Client)) {
        if self.settled.get(&key) == Some(&inputs) {
            return;
        }
        let before = c.api_store().resource_version();
        let asked = c.wake_of(pass).is_some();
        if !asked && !c.spent() && c.api_store().resource_version() == before {
            self.settled.insert(key, inputs);
        } else {
            self.settled.remove(&key);
        }
    }

    /// Forgets every key `keep` refuses (objects that are gone).
    pub fn retain(&mut self, keep: impl Fn(&K) -> bool) {
        self.settled.retain(|k, _| keep(k));
    }
}

/// The latest write to each of `resources`.
pub fn writes(c: &Client, resources: &[&str]) -> Vec<u64> {
    resources.iter().map(|r| c.api_store().last_write(r)).collect()
}

/// The inputs of a pass over one object: its resourceVersion, then the latest write to each
/// of `resources`.
pub fn inputs_of(c: &Client, obj: &serde_json::Value, resources: &[&str]) -> Vec<u64> {
    let mut inputs = vec![crate::api::object::resource_version(obj)];
    inputs.extend(writes(c, resources));
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::Recorder;
    use crate::{Cluster, Timestamp};
    use serde_json::json;

    #[test]
    fn a_pass_that_changed_nothing_is_skipped_until_what_it_reads_changes() {
        let now = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
        let mut cluster = Cluster::boot_default(1, now).expect("boot");
        let mut recorder = Recorder::default();
        let mut unchanged: Unchanged<()> = Unchanged::default();
        let mut c = Client::new(cluster.api(), &mut recorder, "test");
        let mut passes = 0;
        let pass = |c: &mut Client, unchanged: &mut Unchanged<()>, passes: &mut i32, work: &dyn Fn(&mut Client)| {
            let inputs = writes(c, &["configmaps"]);
            unchanged.run(c, (), inputs, |c| {
                *passes += 1;
                work(c);
            });
        };
        let nothing = |_: &mut Client| {};
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        assert_eq!(passes, 1, "the second pass had the same inputs");
        // A write to what it reads: made again.
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}});
        c.create("v1", "configmaps", "default", cm).expect("create");
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        assert_eq!(passes, 2);
        // A write to something else: still skipped.
        let other = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}});
        c.create("v1", "secrets", "default", other).expect("create");
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        assert_eq!(passes, 2);
        // A pass that asked to be woken, or wrote, is not remembered.
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}});
        c.create("v1", "configmaps", "default", cm).expect("create");
        let later = now.plus(crate::sim::clock::Duration::from_secs(5));
        pass(&mut c, &mut unchanged, &mut passes, &|c: &mut Client| c.wake_at(later));
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        assert_eq!(passes, 4);
        let write = |c: &mut Client| {
            let _ = c.create("v1", "secrets", "default", json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"generateName": "s-"}}));
        };
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        c.create("v1", "configmaps", "default", cm).expect("create");
        pass(&mut c, &mut unchanged, &mut passes, &write);
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        pass(&mut c, &mut unchanged, &mut passes, &nothing);
        assert_eq!(passes, 6, "after the pass that wrote, one more, then skipped");
        assert_eq!(c.wake, Some(later), "the wake-up asked for stays asked for");
    }
}
