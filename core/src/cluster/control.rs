//! The control loops that make the cluster move: kube-controller-manager's controllers, the
//! scheduler and the kubelets. Virtual time moves in jumps from one moment something is due to
//! the next; at each moment every loop runs until a whole round changes nothing.

use crate::apiserver::ApiServer;
use crate::controllers::{Client, ControllerManager, Recorder};
use crate::kubelet::Kubelets;
use crate::scheduler::{Scheduler, SCHEDULER_NAME};
use crate::sim::clock::Timestamp;

/// Rounds at one instant before the loops are taken to be fighting each other; what is left
/// waits for the next instant.
const MAX_ROUNDS: usize = 64;

/// Moments visited in one `advance`, so a loop that keeps asking to run again cannot hang the tab.
const MAX_STEPS: usize = 100_000;

#[derive(Clone, Default)]
pub struct ControlPlane {
    controllers: ControllerManager,
    scheduler: Scheduler,
    kubelets: Kubelets,
    recorder: Recorder,
    /// The earliest moment some loop asked to run again.
    wake: Option<Timestamp>,
}

impl ControlPlane {
    /// Runs every loop at the API server's current time until nothing changes.
    pub fn settle(&mut self, api: &mut ApiServer) {
        let now = api.now();
        let mut wake: Option<Timestamp> = None;
        let mut keep = |w: Option<Timestamp>| {
            if let Some(w) = w {
                wake = Some(wake.map_or(w, |x: Timestamp| x.min(w)));
            }
        };
        for round in 0..MAX_ROUNDS {
            let before = api.store().resource_version();
            // Kubelets first: their heartbeats are fresh when the node controller looks.
            let mut c = Client::new(api, &mut self.recorder, "kubelet");
            self.kubelets.sync(&mut c);
            keep(c.wake);
            keep(self.controllers.sync_all(api, &mut self.recorder));
            let mut c = Client::new(api, &mut self.recorder, SCHEDULER_NAME);
            self.scheduler.sync(&mut c);
            keep(c.wake);
            if api.store().resource_version() == before {
                break;
            }
            if round + 1 == MAX_ROUNDS && std::env::var("HAKONIWA_TRACE_ROUNDS").is_ok() {
                if let Ok(events) = api.store().events_since(before) {
                    for e in events {
                        eprintln!("still changing: {:?} {} {}", e.kind, e.resource, crate::api::object::name(&e.object));
                    }
                }
            }
        }
        // A wake at or before now has just been served by the rounds above.
        self.wake = wake.filter(|w| *w > now);
    }

    /// Moves time from the API server's clock to `target`, stopping at every moment a loop asked
    /// for; returns the time reached (always `target`).
    pub fn run_until(&mut self, api: &mut ApiServer, target: Timestamp) -> Timestamp {
        self.settle(api);
        let mut steps = 0;
        while let Some(w) = self.wake {
            if w > target || steps >= MAX_STEPS {
                break;
            }
            api.set_time(w);
            self.settle(api);
            steps += 1;
            if std::env::var("HAKONIWA_TRACE_STEPS").is_ok() {
                eprintln!("step {steps} at {} rv {}", w.rfc3339(), api.store().resource_version());
            }
        }
        if api.now() < target {
            api.set_time(target);
            self.settle(api);
        }
        target
    }

    /// The kubelets, for `exec`.
    pub fn kubelets(&mut self) -> &mut Kubelets {
        &mut self.kubelets
    }

    /// The kubelets' static pods and preloaded images.
    pub fn kubelets_mut(&mut self) -> &mut Kubelets {
        &mut self.kubelets
    }

    /// The next moment something is due, if any.
    pub fn next_wake(&self) -> Option<Timestamp> {
        self.wake
    }
}
