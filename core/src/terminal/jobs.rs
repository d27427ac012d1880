//! Background jobs, as bash keeps them: `kubectl port-forward svc/web 8080:80 &` prints
//! `[1] 4242` and goes on while the prompt comes back; `jobs` lists what runs, `fg` brings a
//! job back to the foreground, `kill %1` stops it, and the next prompt says when one ended
//! (`[1]+  Exit 1                  kubectl port-forward ...`). Connections the learner's
//! machine makes to `localhost` reach the jobs that listen there.

use crate::kubectl::running::Running;
use crate::kubectl::{Output, Transport};
use crate::network::http::{Request, Served};
use crate::network::tools::ConnError;

/// The process ids the machine hands out start here.
const FIRST_PID: u32 = 4242;

#[derive(Debug)]
pub(super) struct Job {
    pub id: usize,
    pub pid: u32,
    /// The statement as typed (without its `&`).
    pub line: String,
    pub run: Box<dyn Running>,
}

#[derive(Debug, Default)]
pub(super) struct Jobs {
    pub list: Vec<Job>,
    next_pid: u32,
    /// What the next prompt says first: jobs that ended.
    pub notices: Vec<String>,
}

/// bash's status column is this wide.
const STATUS_WIDTH: usize = 24;

impl Jobs {
    /// Puts a started command in the background: its number and process id.
    pub fn add(&mut self, line: &str, run: Box<dyn Running>) -> (usize, u32) {
        let id = self.list.iter().map(|j| j.id).max().unwrap_or(0) + 1;
        let pid = self.pid();
        self.list.push(Job { id, pid, line: line.trim().to_string(), run });
        (id, pid)
    }

    /// A new process id (also for background commands that end at once).
    pub fn pid(&mut self) -> u32 {
        if self.next_pid < FIRST_PID {
            self.next_pid = FIRST_PID;
        }
        self.next_pid += 1;
        self.next_pid - 1
    }

    /// `+` for the current job (the newest), `-` for the one before, as `jobs` marks them.
    fn mark(&self, id: usize) -> char {
        let n = self.list.len();
        match self.list.iter().position(|j| j.id == id) {
            Some(i) if i + 1 == n => '+',
            Some(i) if i + 2 == n => '-',
            _ => ' ',
        }
    }

    fn line(&self, id: usize, status: &str, text: &str) -> String {
        format!("[{id}]{}  {status:<STATUS_WIDTH$}{text}\n", self.mark(id))
    }

    /// `jobs`: one line per job.
    pub fn listing(&self) -> String {
        self.list.iter().map(|j| self.line(j.id, "Running", &format!("{} &", j.line))).collect()
    }

    /// Which job `%N`, `%%`, `%+`, `%-` or a process id names (the current one when `None`).
    pub fn find(&self, spec: Option<&str>) -> Result<usize, String> {
        let by_index = |i: Option<usize>| i.ok_or_else(|| "no such job".to_string());
        match spec {
            None | Some("%%" | "%+" | "%") => by_index(self.list.len().checked_sub(1)),
            Some("%-") => by_index(self.list.len().checked_sub(2)),
            Some(s) => match s.strip_prefix('%') {
                Some(n) => by_index(n.parse::<usize>().ok().and_then(|n| self.list.iter().position(|j| j.id == n))),
                None => by_index(s.parse::<u32>().ok().and_then(|p| self.list.iter().position(|j| j.pid == p))),
            },
        }
    }

    /// Ends a job (`kill`): the next prompt says it was terminated.
    pub fn terminate(&mut self, index: usize) {
        let id = self.list[index].id;
        let notice = self.line(id, "Terminated", &self.list[index].line);
        self.list.remove(index);
        self.notices.push(notice);
    }

    /// Takes a job out of the list (`fg`).
    pub fn take(&mut self, index: usize) -> Job {
        self.list.remove(index)
    }

    /// A command run with `&` that ended at once (it does not go on): its number and process
    /// id; the next prompt says it is done.
    pub fn ended_at_once(&mut self, line: &str, code: i32) -> (usize, u32) {
        #[derive(Debug)]
        struct Ended;
        impl Running for Ended {
            fn poll(&mut self, _api: &mut dyn Transport, _out: &mut Output) -> Option<Result<(), crate::kubectl::Failure>> {
                Some(Ok(()))
            }
        }
        let (id, pid) = self.add(line, Box::new(Ended));
        self.ended(self.list.len() - 1, code);
        (id, pid)
    }

    /// A job ended by itself with this exit status.
    fn ended(&mut self, index: usize, code: i32) {
        let id = self.list[index].id;
        let status = if code == 0 { "Done".to_string() } else { format!("Exit {code}") };
        let notice = self.line(id, &status, &self.list[index].line);
        self.list.remove(index);
        self.notices.push(notice);
    }

    /// Lets every job look at the cluster again; what they print goes to `out`.
    pub fn poll(&mut self, api: &mut dyn Transport, out: &mut Output) {
        let mut i = 0;
        while i < self.list.len() {
            let mut o = Output::default();
            let done = self.list[i].run.poll(api, &mut o);
            out.pieces.append(&mut o.pieces);
            match done {
                Some(r) => {
                    let mut o = Output::default();
                    if let Err(f) = r {
                        f.print(&mut o);
                    }
                    out.pieces.append(&mut o.pieces);
                    self.ended(i, o.exit);
                }
                None => i += 1,
            }
        }
    }

    /// The addresses and ports the jobs listen on.
    pub fn listening(&self) -> Vec<(String, u16)> {
        self.list.iter().flat_map(|j| j.run.listens()).collect()
    }

    /// A connection from the learner's machine to one of its own addresses: the job that
    /// listens there takes it (and may end because of it); refused when none does.
    pub fn connect(&mut self, api: &mut dyn Transport, address: &str, port: u16, req: &Request, out: &mut Output) -> Result<Served, ConnError> {
        for i in 0..self.list.len() {
            if let Some(r) = self.list[i].run.connect(api, address, port, req, out) {
                self.poll(api, out);
                return r;
            }
        }
        Err(ConnError::Refused)
    }
}

/// Whether an address is the machine's own (where `port-forward` listens).
pub(super) fn is_local(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1" || ip == "0.0.0.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Forever;
    impl Running for Forever {
        fn poll(&mut self, _api: &mut dyn Transport, _out: &mut Output) -> Option<Result<(), crate::kubectl::Failure>> {
            None
        }
    }

    #[test]
    fn jobs_are_numbered_and_listed_as_bash_lists_them() {
        let mut jobs = Jobs::default();
        assert_eq!(jobs.add("sleep 100", Box::new(Forever)), (1, 4242));
        assert_eq!(jobs.add("kubectl get pods -w ", Box::new(Forever)), (2, 4243));
        assert_eq!(jobs.listing(), "[1]-  Running                 sleep 100 &\n[2]+  Running                 kubectl get pods -w &\n");
        assert_eq!(jobs.find(Some("%1")), Ok(0));
        assert_eq!(jobs.find(Some("4243")), Ok(1));
        assert_eq!(jobs.find(None), Ok(1));
        assert_eq!(jobs.find(Some("%7")), Err("no such job".into()));
        jobs.terminate(0);
        assert_eq!(jobs.notices, ["[1]-  Terminated              sleep 100\n"]);
        assert_eq!(jobs.add("x", Box::new(Forever)).0, 3);
    }
}
