//! Commands that go on after they start: `get -w`, `logs -f`, `rollout status`. Such a command
//! prints what it can at once, then leaves a [`Running`] behind that prints more each time the
//! cluster has moved. The terminal polls it as its clock runs and drops it on Ctrl+C; a script
//! (and `Kubectl::run`) drives it by letting simulated time pass until it finishes.

use super::{Failure, Output, Transport};
use crate::sim::clock::Duration;

pub trait Running: std::fmt::Debug + Send + Sync {
    /// Looks at the cluster again and prints what is new. `Some` once the command has ended.
    fn poll(&mut self, api: &mut dyn Transport, out: &mut Output) -> Option<Result<(), Failure>>;

    /// The most simulated time to let pass before the next poll.
    fn next_poll(&self, _api: &dyn Transport) -> Duration {
        Duration::from_secs(1)
    }

    /// A program that reads lines from the terminal (an `exec -it` shell): its prompt.
    fn prompt(&self) -> Option<String> {
        None
    }

    /// A line typed into it; `Some` once it has ended.
    fn input(&mut self, _api: &mut dyn Transport, _line: &str, _out: &mut Output) -> Option<Result<(), Failure>> {
        None
    }

    /// Whether it reads the terminal's lines.
    fn interactive(&self) -> bool {
        false
    }

    /// The workspace file it works on (`kubectl edit`): on Enter the terminal hands it the
    /// file's text instead of the typed line.
    fn edits_file(&self) -> Option<&str> {
        None
    }

    /// A file to (re)write into the workspace now: path and text.
    fn take_file(&mut self) -> Option<(String, String)> {
        None
    }

    /// It was started with no terminal to read (a script, a pipeline): what it says then.
    fn without_terminal(&mut self, _out: &mut Output) {}

    /// The addresses and ports it listens on, on the learner's machine (`port-forward`).
    fn listens(&self) -> Vec<(String, u16)> {
        Vec::new()
    }

    /// A connection to `address:port` on the learner's machine: `None` when it does not
    /// listen there; otherwise what answered. What it prints about it goes to `out`.
    fn connect(&mut self, _api: &mut dyn Transport, _address: &str, _port: u16, _req: &crate::network::http::Request, _out: &mut Output) -> Option<Result<crate::network::http::Served, crate::network::tools::ConnError>> {
        None
    }

    /// How long a script lets it run before it stops it, as a terminal user would with
    /// Ctrl+C (`get -w` never ends by itself).
    fn script_limit(&self) -> Duration {
        Duration::from_secs(600)
    }
}

/// Runs a command to its end on simulated time (scripts; commands inside pipelines).
pub fn drive(api: &mut dyn Transport, job: &mut dyn Running, out: &mut Output) {
    if job.interactive() {
        // No terminal: its input is already at its end.
        job.without_terminal(out);
        return;
    }
    let start = api.now();
    loop {
        let max = job.next_poll(api);
        super::wait_a_moment(api, max);
        if let Some(r) = job.poll(api, out) {
            if let Err(f) = r {
                f.print(out);
            }
            return;
        }
        if api.now().since(start) >= job.script_limit() {
            return;
        }
    }
}
