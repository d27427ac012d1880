//! The controllers of kube-controller-manager, run by the simulation loop. Each reads the cluster
//! (from the store, as an informer cache) and writes through the API server, until a pass
//! changes nothing; each may ask to be woken at a later time.

pub mod client;
mod clusterroles;
mod crd;
mod cronjob;
mod daemonset;
mod disruption;
mod deployment;
mod endpoints;
pub mod events;
mod gc;
mod ingress_status;
mod apiservice;
mod job;
mod namespace;
mod nodelifecycle;
mod replicaset;
mod revisions;
mod service_lb;
mod statefulset;
mod ttl;
pub(crate) mod unchanged;
mod volumes;

use crate::apiserver::ApiServer;
use crate::sim::clock::Timestamp;

pub use client::Client;
pub use events::Recorder;
pub use namespace::SIMULATED_CA;
pub use nodelifecycle::GRACE as NODE_MONITOR_GRACE;

/// One control loop.
pub trait Controller: Send + Sync {
    /// The name it writes as (`replicaset-controller`).
    fn name(&self) -> &'static str;
    /// One pass over everything it owns.
    fn sync(&mut self, c: &mut Client);
}

/// Every controller, in a fixed order.
pub struct ControllerManager {
    controllers: Vec<Box<dyn Controller>>,
}

impl Default for ControllerManager {
    fn default() -> Self {
        ControllerManager {
            controllers: vec![
                Box::new(crd::CrdController),
                Box::new(namespace::NamespaceController),
                Box::new(nodelifecycle::NodeLifecycleController::default()),
                Box::new(deployment::DeploymentController::default()),
                Box::new(replicaset::ReplicaSetController::default()),
                Box::new(daemonset::DaemonSetController::default()),
                Box::new(statefulset::StatefulSetController),
                Box::new(cronjob::CronJobController),
                Box::new(job::JobController::default()),
                Box::new(ttl::TtlAfterFinishedController),
                Box::new(endpoints::EndpointsController),
                Box::new(service_lb::ServiceLbController),
                Box::new(ingress_status::IngressStatusController),
                Box::new(apiservice::AvailabilityController),
                Box::new(disruption::DisruptionController),
                Box::new(volumes::VolumeController::default()),
                Box::new(clusterroles::ClusterRoleAggregationController::default()),
                Box::new(gc::GarbageCollector::default()),
            ],
        }
    }
}

/// Controllers keep nothing between passes but what lets them skip work (a fresh one redoes
/// it), so a copy is a fresh set.
impl Clone for ControllerManager {
    fn clone(&self) -> Self {
        ControllerManager::default()
    }
}

impl ControllerManager {
    /// How many controllers there are.
    pub fn count(&self) -> usize {
        self.controllers.len()
    }

    /// One pass of every controller from the `from`th on; returns the earliest time one asked
    /// to run again, and the first controller that did not start, if any. A controller that
    /// finds the store at resource version `until` stops at its next item (see
    /// [`Client::spent`]), and the ones after it do not start: they could write nothing, and
    /// the next round begins with them.
    pub fn sync_all(&mut self, api: &mut ApiServer, recorder: &mut Recorder, until: Option<u64>, from: usize) -> (Option<Timestamp>, Option<usize>) {
        let mut wake: Option<Timestamp> = None;
        for (i, ctl) in self.controllers.iter_mut().enumerate().skip(from) {
            // Once the budget is spent, the rest of the round could write nothing: it is left
            // for the next round, which begins with it.
            if client::budget_spent(api, until) {
                return (wake, Some(i));
            }
            let mut c = Client::new(api, recorder, ctl.name()).within(until);
            ctl.sync(&mut c);
            if let Some(w) = c.wake {
                wake = Some(wake.map_or(w, |x| x.min(w)));
            }
        }
        (wake, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cluster, Timestamp};
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Writes one ConfigMap a pass.
    struct Writer(usize);
    impl Controller for Writer {
        fn name(&self) -> &'static str {
            "writer"
        }
        fn sync(&mut self, c: &mut Client) {
            self.0 += 1;
            let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("written-{}", self.0)}});
            c.create("v1", "configmaps", "default", cm).expect("create");
        }
    }

    /// Counts the passes it was given.
    struct Counter(Arc<AtomicUsize>);
    impl Controller for Counter {
        fn name(&self) -> &'static str {
            "counter"
        }
        fn sync(&mut self, _: &mut Client) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn the_loops_after_the_one_that_spends_the_budget_do_not_start() {
        let now = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
        let mut cluster = Cluster::boot_default(1, now).expect("boot");
        let api = cluster.api();
        let mut recorder = Recorder::default();
        let passes = Arc::new(AtomicUsize::new(0));
        let mut manager = ControllerManager { controllers: vec![Box::new(Writer(0)), Box::new(Counter(passes.clone()))] };
        // One write allowed: the writer spends it, the counter is not run.
        let until = api.store().resource_version() + 1;
        assert_eq!(manager.sync_all(api, &mut recorder, Some(until), 0).1, Some(1), "the counter is where the next round begins");
        assert_eq!(passes.load(Ordering::Relaxed), 0);
        // Room for more: both run.
        let until = api.store().resource_version() + 2;
        assert_eq!(manager.sync_all(api, &mut recorder, Some(until), 0).1, None);
        assert_eq!(passes.load(Ordering::Relaxed), 1);
        // A round taken up at the counter runs it alone, when the budget leaves room.
        let until = api.store().resource_version();
        assert_eq!(manager.sync_all(api, &mut recorder, Some(until), 1).1, Some(1), "spent before it starts");
        let until = api.store().resource_version() + 1;
        assert_eq!(manager.sync_all(api, &mut recorder, Some(until), 1).1, None);
        assert_eq!(passes.load(Ordering::Relaxed), 2);
        // No budget: both run.
        manager.sync_all(api, &mut recorder, None, 0);
        assert_eq!(passes.load(Ordering::Relaxed), 3);
    }
}
