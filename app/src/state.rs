//! The one handle through which the UI reaches the simulated cluster and the learner's terminal
//! session (its kubectl, files and history).

use hakoniwa_core::terminal::Terminal;
use hakoniwa_core::{Cluster, ClusterError, Duration, Timestamp};
use leptos::prelude::*;

/// The seed the playground uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 1;

/// Simulated seconds per wall second the clock offers (0 is paused).
pub const SPEEDS: &[f64] = &[0.0, 1.0, 10.0, 100.0];

/// A cheap, copyable handle on the cluster plus a revision counter that views subscribe to.
/// Components read the cluster with [`SimHandle::read`] and re-render when the revision moves.
#[derive(Clone, Copy)]
pub struct SimHandle {
    cluster: StoredValue<Cluster>,
    terminal: StoredValue<Terminal>,
    revision: RwSignal<u64>,
    speed: RwSignal<f64>,
}

impl SimHandle {
    pub fn new(cluster: Cluster) -> Self {
        let context = cluster.preset().context.clone();
        SimHandle {
            cluster: StoredValue::new(cluster),
            terminal: StoredValue::new(Terminal::new(&context, 80)),
            revision: RwSignal::new(0),
            speed: RwSignal::new(1.0),
        }
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

    /// The terminal session, to read or change outside of keystrokes (history, files).
    pub fn terminal<R>(&self, f: impl FnOnce(&mut Terminal) -> R) -> Option<R> {
        self.terminal.try_update_value(f)
    }

    /// Keystrokes for the terminal; returns what the terminal should show.
    pub fn type_keys(&self, data: &str) -> String {
        let terminal = self.terminal;
        self.update(|c| terminal.try_update_value(|t| t.input(c, data)).unwrap_or_default()).unwrap_or_default()
    }

    /// Simulated seconds per wall second (0 when paused).
    pub fn speed(&self) -> f64 {
        self.speed.get()
    }

    pub fn set_speed(&self, x: f64) {
        self.speed.set(x);
    }

    /// Keeps virtual time in step with wall time, times the speed, while the page is open.
    pub fn follow_wall_clock(self) {
        let last = StoredValue::new(wall_clock_now());
        set_interval(
            move || {
                let now = wall_clock_now();
                let elapsed = now.since(last.get_value());
                last.set_value(now);
                let x = self.speed.get_untracked();
                if x > 0.0 {
                    self.advance(Duration::from_millis((elapsed.as_millis() as f64 * x) as i64));
                }
            },
            std::time::Duration::from_secs(1),
        );
    }
}

fn wall_clock_now() -> Timestamp {
    Timestamp::from_unix_millis(js_sys::Date::now() as i64)
}
