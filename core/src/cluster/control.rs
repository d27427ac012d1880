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

/// Rounds at one instant cut short by a budget, before the loops are taken to be fighting
/// each other. Such a round is finished by the next and does not count towards `MAX_ROUNDS`:
/// counted, a budget of 16 writes would leave a 10,000-pod scale-up at about a thousand pods
/// with nothing due, and "max" speed would stand still. This bounds loops whose every round
/// writes more than the budget (at least 16 writes each in the app: a million writes).
const MAX_CUT_ROUNDS: usize = 1 << 16;

/// Moments visited in one `advance`, so a loop that keeps asking to run again cannot hang the tab.
const MAX_STEPS: usize = 100_000;

/// How much work a call may do before it hands back: writes to the store plus settle rounds
/// (a round costs one even when it writes nothing, so moments where nothing changes are not
/// free) plus the kubelets' pod syncs that wrote nothing. Work is cut only between two items
/// of a loop; what is left is found on the next pass.
#[derive(Clone, Copy, Debug)]
struct Budget {
    /// The store's resource version when the call began.
    from: u64,
    units: u64,
    /// Work that wrote nothing: rounds, and pod syncs.
    rounds: u64,
}

impl Budget {
    fn new(api: &ApiServer, units: u64) -> Self {
        Budget { from: api.store().resource_version(), units: units.max(1), rounds: 0 }
    }

    /// The resource version at which a loop of the coming round must stop.
    fn until(&self) -> u64 {
        self.from.saturating_add(self.units.saturating_sub(self.rounds))
    }

    fn spent(&self, api: &ApiServer) -> bool {
        crate::controllers::client::budget_spent(api, Some(self.until()))
    }
}

/// The rounds run at one instant: whole ones, and ones cut short by a budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Rounds {
    whole: usize,
    cut: usize,
    /// Where the next round begins: 0 with the kubelets, `i + 1` with the `i`th controller, one
    /// past the controllers with the scheduler. A round cut short by the budget is taken up
    /// where it stopped, so every loop gets its turn however small the budget: begun again
    /// from the kubelets, the loops after them waited while pods had work to do, and then
    /// caught up on all of it in one long call.
    resume: usize,
}

#[derive(Clone, Default)]
pub struct ControlPlane {
    controllers: ControllerManager,
    scheduler: Scheduler,
    kubelets: Kubelets,
    recorder: Recorder,
    /// The earliest moment some loop asked to run again.
    wake: Option<Timestamp>,
    /// A settle cut short by its budget: the moment it was at and the rounds it had run. The
    /// next call finishes that moment before time moves on.
    unfinished: Option<(Timestamp, Rounds)>,
}

impl ControlPlane {
    /// Runs every loop at the API server's current time until nothing changes.
    pub fn settle(&mut self, api: &mut ApiServer) {
        self.settle_within(api, None);
    }

    /// [`ControlPlane::settle`] with at most `units` of work (see [`Budget`]); returns whether
    /// the moment is done. One not done goes on at the next call.
    pub fn settle_for(&mut self, api: &mut ApiServer, units: Option<u64>) -> bool {
        let mut budget = units.map(|u| Budget::new(api, u));
        self.settle_within(api, budget.as_mut())
    }

    fn settle_within(&mut self, api: &mut ApiServer, mut budget: Option<&mut Budget>) -> bool {
        let now = api.now();
        let mut rounds = match self.unfinished.take() {
            Some((at, rounds)) if at == now => rounds,
            _ => Rounds::default(),
        };
        let mut wake: Option<Timestamp> = None;
        let mut keep = |w: Option<Timestamp>| {
            if let Some(w) = w {
                wake = Some(wake.map_or(w, |x: Timestamp| x.min(w)));
            }
        };
        while rounds.whole < MAX_ROUNDS && rounds.cut < MAX_CUT_ROUNDS {
            // The loops of this round stop at `until`; a round begun always has work left in it,
            // so every call makes progress.
            let until = budget.as_deref().map(Budget::until);
            if let Some(b) = budget.as_deref_mut() {
                if b.spent(api) {
                    // Wakes asked for so far are kept; the rest come when the moment is finished.
                    self.unfinished = Some((now, rounds));
                    self.wake = wake.or(self.wake);
                    return false;
                }
                b.rounds += 1;
            }
            let before = api.store().resource_version();
            let from = std::mem::take(&mut rounds.resume);
            let controllers = self.controllers.count();
            // Kubelets first: their heartbeats are fresh when the node controller looks.
            let mut unwritten = 0;
            if from == 0 {
                let mut c = Client::new(api, &mut self.recorder, "kubelet").within(until);
                self.kubelets.sync(&mut c);
                keep(c.wake);
                // Pod syncs that wrote nothing are work too (counted only under a budget).
                unwritten = c.unwritten;
            }
            let until = match budget.as_deref_mut() {
                Some(b) => {
                    b.rounds += unwritten;
                    Some(b.until())
                }
                None => until,
            };
            let mut stopped = None;
            if from <= controllers {
                let (w, stop) = self.controllers.sync_all(api, &mut self.recorder, until, from.saturating_sub(1));
                keep(w);
                stopped = stop.map(|i| i + 1);
            }
            // (Nor does the scheduler look once the budget is spent: see `sync_all`.)
            if stopped.is_none() {
                if crate::controllers::client::budget_spent(api, until) {
                    stopped = Some(controllers + 1);
                } else {
                    let mut c = Client::new(api, &mut self.recorder, SCHEDULER_NAME).within(until);
                    self.scheduler.sync(&mut c);
                    keep(c.wake);
                }
            }
            rounds.resume = stopped.unwrap_or(0);
            // A whole round that wrote nothing ends the moment, unless write-free pod syncs spent
            // the budget and left the kubelets pods to look at. (A pod that asks to be woken now
            // is synced again every round: it must not keep the moment going.) A round taken up
            // where one stopped, or cut short before every loop had its turn, says nothing of the
            // loops it did not run: the whole round after it decides.
            let whole = from == 0 && stopped.is_none();
            if whole && api.store().resource_version() == before && !self.kubelets.cut_short() {
                break;
            }
            // (The rest of a cut round is part of it: it counts with the cut ones.)
            if !whole || budget.as_deref().is_some_and(|b| b.spent(api)) {
                rounds.cut += 1;
                continue;
            }
            rounds.whole += 1;
            if rounds.whole == MAX_ROUNDS && std::env::var("HAKONIWA_TRACE_ROUNDS").is_ok() {
                if let Ok(events) = api.store().events_since(before) {
                    for e in events {
                        eprintln!("still changing: {:?} {} {}", e.kind, e.resource, crate::api::object::name(&e.object));
                    }
                }
            }
        }
        // A wake at or before now has just been served by the rounds above.
        self.wake = wake.filter(|w| *w > now);
        true
    }

    /// Moves time from the API server's clock to `target`, stopping at every moment a loop asked
    /// for; returns the time reached (always `target`).
    pub fn run_until(&mut self, api: &mut ApiServer, target: Timestamp) -> Timestamp {
        self.run_within(api, target, None);
        target
    }

    /// [`ControlPlane::run_until`] with at most `units` of work (see [`Budget`]); returns
    /// whether `target` was reached with every moment on the way done.
    pub fn run_for(&mut self, api: &mut ApiServer, target: Timestamp, units: Option<u64>) -> bool {
        let mut budget = units.map(|u| Budget::new(api, u));
        self.run_within(api, target, budget.as_mut())
    }

    fn run_within(&mut self, api: &mut ApiServer, target: Timestamp, mut budget: Option<&mut Budget>) -> bool {
        if !self.settle_within(api, budget.as_deref_mut()) {
            return false;
        }
        let mut steps = 0;
        while let Some(w) = self.wake {
            if w > target || steps >= MAX_STEPS {
                break;
            }
            api.set_time(w.max(api.now()));
            if !self.settle_within(api, budget.as_deref_mut()) {
                return false;
            }
            steps += 1;
            if std::env::var("HAKONIWA_TRACE_STEPS").is_ok() {
                eprintln!("step {steps} at {} rv {}", w.rfc3339(), api.store().resource_version());
            }
        }
        if api.now() < target {
            api.set_time(target);
            return self.settle_within(api, budget);
        }
        true
    }

    /// Whether a settle was cut short by its budget and waits to be finished.
    pub fn unfinished(&self) -> bool {
        self.unfinished.is_some()
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
