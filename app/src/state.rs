//! The one handle through which the UI reaches the simulated cluster.

use hakoniwa_core::{Cluster, ClusterError, Duration, Timestamp};
use leptos::prelude::*;

/// The seed the playground uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 1;

/// A cheap, copyable handle on the cluster plus a revision counter that views subscribe to.
/// Components read the cluster with [`SimHandle::read`] and re-render when the revision moves.
#[derive(Clone, Copy)]
pub struct SimHandle {
    cluster: StoredValue<Cluster>,
    revision: RwSignal<u64>,
}

impl SimHandle {
    pub fn new(cluster: Cluster) -> Self {
        SimHandle { cluster: StoredValue::new(cluster), revision: RwSignal::new(0) }
    }

    /// Boots the default preset at the browser's current time.
    pub fn boot_now() -> Result<Self, ClusterError> {
        Ok(SimHandle::new(Cluster::boot_default(DEFAULT_SEED, wall_clock_now())?))
    }

    /// Reads the cluster without subscribing to changes.
    pub fn with<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.cluster.with_value(f)
    }

    /// Reads the cluster and re-runs the calling view whenever the cluster changes.
    pub fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.revision.track();
        self.cluster.with_value(f)
    }

    /// Changes the cluster and tells every reader.
    /// Returns `None` only if the handle's owner has been disposed.
    pub fn update<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> Option<R> {
        let r = self.cluster.try_update_value(f);
        self.revision.update(|n| *n += 1);
        r
    }

    /// Moves the simulation clock forward.
    pub fn advance(&self, by: Duration) {
        self.update(|c| c.advance(by));
    }

    /// Keeps virtual time in step with wall time (1×) while the page is open.
    pub fn follow_wall_clock(self) {
        let last = StoredValue::new(wall_clock_now());
        set_interval(
            move || {
                let now = wall_clock_now();
                let elapsed = now.since(last.get_value());
                last.set_value(now);
                self.advance(elapsed);
            },
            std::time::Duration::from_secs(1),
        );
    }
}

fn wall_clock_now() -> Timestamp {
    Timestamp::from_unix_millis(js_sys::Date::now() as i64)
}
