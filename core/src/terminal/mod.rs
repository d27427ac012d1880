//! The learner's terminal, without the browser: keystrokes in (as xterm.js reports them), text
//! with ANSI control sequences out. A line editor with history and Tab completion feeds a bash-
//! like shell (the same small shell containers run) whose extra programs are `kubectl` (also
//! `k`), `history`, `clear` and `help`; files it writes are the ones `kubectl -f` reads.
//! The app only moves bytes between this and xterm.js; tests drive it natively.

mod jobs;
pub mod line;
pub mod width;

use crate::sort::Order;
use crate::kubectl::running::{self, Running};
use crate::kubectl::{Kubectl, Output, Stream, Transport};
use crate::kubelet::fs::Fs;
use crate::kubelet::heredoc;
use crate::kubelet::shell::{self, Flavor, Host, Outcome, Shell};
use crate::sim::clock::Duration;

use line::LineEditor;
use width::width;

/// A port a command in the terminal listens on: the address, the port, and the command line
/// (empty for the command in the foreground).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Forward {
    pub address: String,
    pub port: u16,
    pub command: String,
}

/// A page the learner's browser got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The browser the app stands for, as servers log it.
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// How much history is kept.
const MAX_HISTORY: usize = 1000;
/// How many commands (with their output) the transcript keeps, and how much of each output.
const MAX_TRANSCRIPT: usize = 200;
const MAX_TRANSCRIPT_OUTPUT: usize = 64 * 1024;

/// A command the learner ran at the prompt and what it printed at once (lessons check these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub line: String,
    pub output: String,
    pub code: i64,
}
/// The longest a typed command may keep the clock running (`sleep`), in seconds.
const MAX_SLEEP: f64 = 3600.0;

const BANNER: &str = "Hakoniwa: a simulated Kubernetes v1.33 cluster in this tab.\r\nType `help` to see what runs here.\r\n\r\n";

const HELP: &str = "\
kubectl (or k)   the real kubectl's commands, flags and output, against this cluster
stern            logs of many pods at once, one colour per pod (stern web, stern -l app=web,
                 stern deploy/web --tail 5); Ctrl+C stops it, --no-follow prints and exits
history          the commands typed so far (up/down arrows recall them, Tab completes)
clear            clears the screen (Ctrl+L does too; Ctrl+C drops the line)
curl             HTTP from this machine, on the nodes' network: node ports and load
                 balancer addresses answer (pods and cluster IPs answer inside the
                 cluster: kubectl exec POD -- wget / curl), and localhost the ports of
                 kubectl port-forward
jobs, fg, kill   commands ended with & go on in the background (kubectl port-forward
                 svc/web 8080:80 &); jobs lists them, fg brings one back, kill %1 stops it
shell            echo, printf, cat, ls, rm, touch, mkdir, cd, pwd, grep, head, tail, wc,
                 env, export, date, sleep, test, if/for/while, pipes, redirections and
                 here-documents (kubectl apply -f - <<EOF ... EOF) over this tab's files
";

/// Programs the shell has beyond its built-in ones.
const PROGRAMS: &[&str] = &["kubectl", "k", "stern", "history", "clear", "help", "curl", "jobs", "fg", "kill"];
const BUILTINS: &[&str] = &["cd", "export", "exit", "for", "if", "while"];

/// An endless shell loop in the foreground (`while true; do kubectl get pods; sleep 2; done`):
/// its body runs again each `period` seconds of cluster time.
#[derive(Debug, Clone)]
struct ShellLoop {
    body: String,
    period: f64,
    next: crate::sim::clock::Timestamp,
}

/// Holds the foreground for a shell loop (or `sleep infinity`), so Ctrl+C and the prompt work
/// as for any command that goes on; the terminal itself runs the loop's turns.
#[derive(Debug)]
struct LoopInForeground;

impl Running for LoopInForeground {
    fn poll(&mut self, _api: &mut dyn Transport, _out: &mut Output) -> Option<Result<(), crate::kubectl::Failure>> {
        None
    }
}

/// How a script comes to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Typed at the prompt; `simple` when it is one command alone.
    Typed { simple: bool },
    /// To its end, as a script (`Terminal::run`).
    Script,
    /// A turn of a shell loop in the foreground.
    Turn,
}

/// The most turns of a shell loop one clock step runs (a fast clock skips the rest).
const MAX_TURNS_PER_TICK: usize = 20;

/// One terminal session.
#[derive(Debug)]
pub struct Terminal {
    /// A command going on in the foreground (`get -w`, `logs -f`, `rollout status`).
    job: Option<Box<dyn Running>>,
    shell_loop: Option<ShellLoop>,
    pub kubectl: Kubectl,
    editor: LineEditor,
    history: Vec<String>,
    /// Where ↑/↓ are in the history, and the line being typed before they moved.
    recall: Option<(usize, String)>,
    /// Lines of a command still being typed (an open here-document or quote).
    pending: String,
    env: Vec<(String, String)>,
    cwd: String,
    /// The last key was Tab (a second one lists the candidates).
    tabbed: bool,
    /// An escape sequence split across two inputs.
    partial: String,
    /// The last commands run at the prompt, with their output, and how many ran in all.
    transcript: Vec<Ran>,
    ran_total: u64,
    /// Commands going on in the background (`&`).
    jobs: jobs::Jobs,
}

/// The shell's view of the cluster and the session's own programs.
struct Programs<'t> {
    kubectl: &'t mut Kubectl,
    api: &'t mut dyn Transport,
    history: &'t [String],
    /// Shell time already given to the cluster.
    slept: f64,
    /// A command that goes on may stay in the foreground (the line was just that command).
    foreground: bool,
    job: Option<Box<dyn Running>>,
    jobs: &'t mut jobs::Jobs,
    /// The statement now running was ended by `&`.
    background: Option<String>,
}

/// The network as the learner's machine reaches it: no cluster DNS, requests through the
/// transport; its own addresses reach the background jobs that listen (`port-forward`), and
/// what they print about it is kept in the output.
struct Outside<'a> {
    api: &'a mut dyn Transport,
    jobs: &'a mut jobs::Jobs,
    printed: Output,
}

impl crate::network::tools::Net for Outside<'_> {
    fn dns(&mut self, _server: &str, _name: &str, _qtype: crate::network::dns::QType) -> Option<crate::network::dns::Reply> {
        None
    }
    fn http(&mut self, ip: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, crate::network::tools::ConnError> {
        if jobs::is_local(ip) {
            let port = u16::try_from(port).map_err(|_| crate::network::tools::ConnError::Refused)?;
            return self.jobs.connect(self.api, ip, port, req, &mut self.printed);
        }
        self.api.http(ip, port, req)
    }
}

impl Programs<'_> {
    /// `jobs`, `fg` and `kill`, over the background jobs.
    fn job_control(&mut self, argv: &[String]) -> Outcome {
        let fail = |msg: String, code: i64| Outcome { out: vec![(true, msg)], code, took: 0.0 };
        match argv[0].as_str() {
            "jobs" => Outcome { out: vec![(false, self.jobs.listing())], ..Outcome::default() },
            "fg" => match self.jobs.find(argv.get(1).map(String::as_str)) {
                Err(e) => fail(format!("bash: fg: {}: {e}\n", argv.get(1).map_or("current", String::as_str)), 1),
                Ok(i) => {
                    let job = self.jobs.take(i);
                    let mut out = Output::default();
                    out.out(format!("{}\n", job.line));
                    let mut run = job.run;
                    if self.foreground && self.job.is_none() {
                        self.job = Some(run);
                    } else {
                        running::drive(self.api, run.as_mut(), &mut out);
                    }
                    Outcome { out: out.pieces.into_iter().map(|(s, t)| (s == Stream::Err, t)).collect(), code: 0, took: 0.0 }
                }
            },
            _ => {
                let specs: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-') || a.parse::<i64>().is_ok()).collect();
                if specs.is_empty() {
                    return fail("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n".into(), 2);
                }
                let mut result = Outcome::default();
                for spec in specs {
                    match self.jobs.find(Some(spec)) {
                        Ok(i) => self.jobs.terminate(i),
                        Err(e) if spec.starts_with('%') => {
                            result.out.push((true, format!("bash: kill: {spec}: {e}\n")));
                            result.code = 1;
                        }
                        Err(_) => {
                            result.out.push((true, format!("bash: kill: ({spec}) - No such process\n")));
                            result.code = 1;
                        }
                    }
                }
                result
            }
        }
    }
}

impl Host for Programs<'_> {
    fn run(&mut self, fs: &mut Fs, cwd: &str, t: f64, argv: &[String], stdin: Option<String>) -> Option<Outcome> {
        match argv[0].as_str() {
            "kubectl" | "k" | "stern" => {
                // `sleep 5; kubectl get pods` sees the cluster five seconds later.
                if t > self.slept {
                    self.api.sleep(Duration::from_secs_f64((t - self.slept).min(MAX_SLEEP)));
                    self.slept = t;
                }
                std::mem::swap(&mut self.kubectl.files.fs, fs);
                self.kubectl.files.cwd = cwd.to_string();
                self.kubectl.busy_ports = self.jobs.listening();
                let (mut out, job) = if argv[0] == "stern" {
                    // Colours when it writes to the terminal itself, not into a pipe or file.
                    let tty = self.foreground && self.background.is_none();
                    self.kubectl.start_stern(self.api, &argv[1..], tty)
                } else {
                    self.kubectl.start(self.api, &argv[1..], stdin.as_deref())
                };
                std::mem::swap(&mut self.kubectl.files.fs, fs);
                if let Some(line) = self.background.clone() {
                    // bash says the job's number and process id first.
                    let (id, pid) = match job {
                        Some(job) => self.jobs.add(&line, job),
                        None => self.jobs.ended_at_once(&line, out.exit),
                    };
                    out.pieces.insert(0, (Stream::Err, format!("[{id}] {pid}\n")));
                    return Some(Outcome { out: out.pieces.into_iter().map(|(s, t)| (s == Stream::Err, t)).collect(), code: 0, took: 0.0 });
                }
                if let Some(mut job) = job {
                    if self.foreground && self.job.is_none() {
                        self.job = Some(job);
                    } else {
                        running::drive(self.api, job.as_mut(), &mut out);
                    }
                }
                Some(Outcome { out: out.pieces.into_iter().map(|(s, t)| (s == Stream::Err, t)).collect(), code: i64::from(out.exit), took: 0.0 })
            }
            // The learner's machine has curl: node ports and load balancers answer it.
            "curl" => {
                if t > self.slept {
                    self.api.sleep(Duration::from_secs_f64((t - self.slept).min(MAX_SLEEP)));
                    self.slept = t;
                }
                let now = self.api.now();
                let mut outside = Outside { api: self.api, jobs: self.jobs, printed: Output::default() };
                let mut place = crate::network::tools::Place { fs, cwd, tty: true };
                let mut ran = crate::network::tools::run(&mut outside, &mut place, argv, false, now);
                // What a background job printed about the connection comes first (it writes
                // to the terminal, not to curl's output).
                if let Some(r) = ran.as_mut() {
                    let printed: Vec<(bool, String)> = outside.printed.pieces.into_iter().map(|(_, t)| (true, t)).collect();
                    r.out.splice(0..0, printed);
                }
                ran
            }
            "jobs" | "fg" | "kill" => Some(self.job_control(argv)),
            "history" => {
                let text = self.history.iter().enumerate().map(|(i, h)| format!("{:>5}  {h}\n", i + 1)).collect();
                Some(Outcome { out: vec![(false, text)], ..Outcome::default() })
            }
            "clear" => Some(Outcome { out: vec![(false, "\x1b[H\x1b[2J\x1b[3J".to_string())], ..Outcome::default() }),
            "help" => Some(Outcome { out: vec![(false, HELP.to_string())], ..Outcome::default() }),
            _ => None,
        }
    }

    fn background(&mut self, statement: Option<&str>) {
        self.background = statement.map(str::to_string);
    }
}

/// Output as the terminal shows it before a prompt: `\n` → `\r\n`, and a last line without
/// its line end finished (the prompt redraws its own line; zsh does the same).
fn shown(text: &str) -> String {
    let mut t = crlf(text);
    if !t.is_empty() && !t.ends_with('\n') {
        t.push_str("\r\n");
    }
    t
}

/// `\n` → `\r\n`, as a terminal needs.
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// The longest prefix every candidate shares.
fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else { return String::new() };
    let mut end = first.len();
    for it in &items[1..] {
        end = first.char_indices().zip(it.chars()).take_while(|((_, a), b)| a == b).last().map_or(0, |((i, a), _)| i + a.len_utf8()).min(end);
    }
    first[..end].to_string()
}

/// Candidates laid out in columns down then across, as bash lists them.
fn columns(items: &[String], cols: usize) -> String {
    let w = items.iter().map(|s| width(s)).max().unwrap_or(0) + 2;
    let per_row = (cols / w.max(1)).max(1);
    let rows = items.len().div_ceil(per_row);
    let mut out = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for c in 0..per_row {
            if let Some(it) = items.get(c * rows + r) {
                line.push_str(it);
                line.push_str(&" ".repeat(w - width(it)));
            }
        }
        out.push_str(line.trim_end());
        out.push_str("\r\n");
    }
    out
}

impl Terminal {
    /// A session whose kubectl's kubeconfig names this context; `cols` is the terminal width.
    pub fn new(context: &str, cols: usize) -> Terminal {
        Terminal {
            job: None,
            shell_loop: None,
            kubectl: Kubectl::new(context),
            editor: LineEditor::new(cols),
            history: Vec::new(),
            recall: None,
            pending: String::new(),
            env: vec![("HOME".into(), "/".into()), ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()), ("TERM".into(), "xterm-256color".into())],
            cwd: "/".into(),
            tabbed: false,
            partial: String::new(),
            transcript: Vec::new(),
            ran_total: 0,
            jobs: jobs::Jobs::default(),
        }
    }

    /// What the terminal shows first: a greeting and the prompt.
    pub fn start(&mut self) -> String {
        self.start_with(BANNER)
    }

    /// The prompt after a greeting of the caller's (in the page's language).
    pub fn start_with(&mut self, greeting: &str) -> String {
        let mut out = greeting.to_string();
        out.push_str(&self.prompt());
        out
    }

    /// How many columns wide the terminal is.
    pub fn cols(&self) -> usize {
        self.editor.cols()
    }

    /// The terminal changed width.
    pub fn resize(&mut self, cols: usize) {
        self.editor.set_cols(cols);
    }

    /// The workspace file a command waits for the learner to edit (`kubectl edit`).
    pub fn editing(&self) -> Option<&str> {
        self.job.as_ref().and_then(|j| j.edits_file())
    }

    /// Writes the file a command asks for into the workspace.
    fn write_job_file(&mut self) {
        if let Some((path, text)) = self.job.as_mut().and_then(|j| j.take_file()) {
            self.kubectl.files.write(&path, text);
        }
    }

    /// Nothing is typed at the prompt, no command waits for more lines or runs.
    pub fn is_clean(&self) -> bool {
        self.pending.is_empty() && self.editor.is_empty() && self.job.is_none()
    }

    /// The clock moved: a command going on prints what is new, and the prompt comes back when
    /// it ends.
    pub fn tick(&mut self, api: &mut dyn Transport) -> String {
        let background = self.poll_background(api);
        background + &self.tick_foreground(api)
    }

    /// What the background jobs printed since the last look, above the prompt when one shows
    /// (it is drawn again below).
    fn poll_background(&mut self, api: &mut dyn Transport) -> String {
        let mut out = Output::default();
        self.jobs.poll(api, &mut out);
        self.above_prompt(&out.text())
    }

    /// Output that does not come from the command at the prompt: above the prompt when one
    /// shows (it is drawn again below), else where the output goes on.
    fn above_prompt(&mut self, text: &str) -> String {
        if text.is_empty() {
            return String::new();
        }
        if self.job.as_ref().is_none_or(|j| j.interactive()) {
            let mut s = self.editor.erase();
            s.push_str(&shown(text));
            s.push_str(&self.editor.render());
            s
        } else {
            crlf(text)
        }
    }

    /// The ports commands in this terminal listen on (`kubectl port-forward`, in the
    /// foreground or the background), with the command that listens.
    pub fn forwards(&self) -> Vec<Forward> {
        let foreground = self.job.iter().flat_map(|j| j.listens().into_iter().map(|(a, p)| (a, p, String::new())));
        let background = self.jobs.list.iter().flat_map(|j| j.run.listens().into_iter().map(|(a, p)| (a, p, j.line.clone())));
        foreground.chain(background).map(|(address, port, command)| Forward { address, port, command }).collect()
    }

    /// The learner's browser asks for `http://localhost:PORT/TARGET` (the app's view of a
    /// forwarded port): what the terminal shows about it (the command's `Handling
    /// connection`), and the page or the browser's error.
    pub fn visit(&mut self, api: &mut dyn Transport, port: u16, target: &str) -> (String, Result<Page, String>) {
        use crate::network::http::{Request, Served};
        use crate::network::tools::ConnError;
        let target = if target.starts_with('/') { target.to_string() } else { format!("/{target}") };
        let host = format!("localhost:{port}");
        let headers = vec![("Host".to_string(), host.clone()), ("User-Agent".to_string(), BROWSER.to_string()), ("Accept".to_string(), "text/html,*/*".to_string())];
        let req = Request { method: "GET".into(), target, host, headers, client_ip: String::new() };
        let mut out = Output::default();
        let in_foreground = self.job.as_ref().is_some_and(|j| j.listens().iter().any(|(_, p)| *p == port));
        let (result, text) = if in_foreground {
            let r = self.job.as_mut().and_then(|j| j.connect(api, "127.0.0.1", port, &req, &mut out)).unwrap_or(Err(ConnError::Refused));
            let mut text = crlf(&out.text());
            // A failed connection ends the command: the prompt comes back.
            text.push_str(&self.tick_foreground(api));
            (r, text)
        } else {
            let r = self.jobs.connect(api, "127.0.0.1", port, &req, &mut out);
            let text = self.above_prompt(&out.text());
            (r, text)
        };
        let page = match result {
            Ok(Served::Http { pages, response, .. }) => Ok(Page { status: response.status, reason: response.reason(pages).to_string(), headers: response.headers, body: response.body }),
            Ok(Served::Closed) => Err("ERR_EMPTY_RESPONSE".to_string()),
            Err(ConnError::Refused) => Err("ERR_CONNECTION_REFUSED".to_string()),
            Err(ConnError::Timeout) => Err("ERR_CONNECTION_TIMED_OUT".to_string()),
        };
        (text, page)
    }

    /// The prompt, after what bash says first: the background jobs that ended.
    fn prompt_after_notices(&mut self) -> String {
        let mut s: String = self.jobs.notices.drain(..).map(|n| crlf(&n)).collect();
        s.push_str(&self.prompt());
        s
    }

    fn tick_foreground(&mut self, api: &mut dyn Transport) -> String {
        if self.job.is_none() {
            self.shell_loop = None;
        }
        if let Some(mut l) = self.shell_loop.take() {
            let mut text = String::new();
            let mut turns = 0;
            let period = Duration::from_secs_f64(l.period);
            while api.now() >= l.next && turns < MAX_TURNS_PER_TICK {
                text.push_str(&self.execute(api, &l.body, Run::Turn).0);
                l.next = l.next.plus(period);
                turns += 1;
            }
            // A fast clock: the turns it skipped are not owed.
            if api.now() >= l.next {
                l.next = api.now().plus(period);
            }
            self.shell_loop = Some(l);
            return crlf(&text);
        }
        let Some(job) = self.job.as_mut() else { return String::new() };
        let mut out = Output::default();
        let done = job.poll(api, &mut out);
        if let Some(r) = done {
            if let Err(f) = r {
                f.print(&mut out);
            }
            self.job = None;
        }
        if self.job.is_some() {
            return crlf(&out.text());
        }
        let mut text = shown(&out.text());
        text.push_str(&self.prompt_after_notices());
        text
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// How many commands have been run at the prompt so far.
    pub fn ran_total(&self) -> u64 {
        self.ran_total
    }

    /// The commands run at the prompt since `mark` (a `ran_total` taken earlier), as many of
    /// them as the transcript still holds.
    pub fn ran_since(&self, mark: u64) -> &[Ran] {
        let first_kept = self.ran_total - self.transcript.len() as u64;
        let skip = mark.saturating_sub(first_kept).min(self.transcript.len() as u64) as usize;
        &self.transcript[skip..]
    }

    /// The kube-ps1 prompt in its colours (symbol blue, context red, namespace cyan), or `> `
    /// while a command continues on more lines.
    fn prompt(&mut self) -> String {
        if let Some(p) = self.job.as_ref().and_then(|j| j.prompt()) {
            return self.editor.start(&p, width(&p));
        }
        if !self.pending.is_empty() {
            return self.editor.start("> ", 2);
        }
        let ctx = self.kubectl.config.current.clone();
        let ns = self.kubectl.config.namespace().to_string();
        let plain = format!("(⎈|{ctx}:{ns}) $ ");
        let coloured = format!("(\x1b[34m⎈\x1b[0m|\x1b[31m{ctx}\x1b[0m:\x1b[36m{ns}\x1b[0m) $ ");
        self.editor.start(&coloured, width(&plain))
    }

    /// Keystrokes in, as xterm.js's `onData` gives them (typed text, pasted text, control
    /// characters, escape sequences); what to write to the terminal out.
    ///
    /// Input split anywhere gives the same result as in one piece (the saved journal joins
    /// keystrokes), so every character is taken on its own, in the state the ones before left.
    pub fn input(&mut self, api: &mut dyn Transport, data: &str) -> String {
        let data = std::mem::take(&mut self.partial) + data;
        let mut out = String::new();
        let mut rest = data.as_str();
        while let Some(c) = rest.chars().next() {
            if self.job.as_ref().is_some_and(|j| !j.interactive()) {
                // A command runs in the foreground: only Ctrl+C (stop it) and Ctrl+L count.
                rest = &rest[c.len_utf8()..];
                match c {
                    '\x0c' => out.push_str("\x1b[H\x1b[2J"),
                    '\x03' => {
                        self.job = None;
                        out.push_str("^C\r\n");
                        out.push_str(&self.prompt());
                    }
                    _ => {}
                }
                continue;
            }
            let was_tab = std::mem::replace(&mut self.tabbed, false);
            if c == '\x1b' {
                let (len, key) = escape(rest);
                if len == 0 {
                    // An incomplete sequence: keep it for the next input.
                    self.partial = rest.to_string();
                    break;
                }
                rest = &rest[len..];
                out.push_str(&match key {
                    Key::Up => self.history_step(true),
                    Key::Down => self.history_step(false),
                    Key::Left => self.editor.left(),
                    Key::Right => self.editor.right(),
                    Key::Home => self.editor.home(),
                    Key::End => self.editor.end(),
                    Key::Delete => self.editor.delete(),
                    Key::WordLeft => self.editor.word_left(),
                    Key::WordRight => self.editor.word_right(),
                    Key::Other => String::new(),
                });
                continue;
            }
            rest = &rest[c.len_utf8()..];
            out.push_str(&match c {
                '\r' | '\n' => {
                    // A pasted `\r\n` is one line end.
                    if c == '\r' && rest.starts_with('\n') {
                        rest = &rest[1..];
                    }
                    self.enter(api)
                }
                '\x7f' | '\x08' => self.editor.backspace(),
                '\x04' if self.editor.is_empty() && self.job.as_ref().is_some_and(|j| j.interactive()) => {
                    // Ctrl+D at an empty prompt ends the shell, as `exit` does.
                    self.editor.insert("exit");
                    self.enter(api)
                }
                '\t' if self.job.is_some() => String::new(),
                '\t' => {
                    self.tabbed = true;
                    self.complete(api, was_tab)
                }
                '\x01' => self.editor.home(),
                '\x05' => self.editor.end(),
                '\x02' => self.editor.left(),
                '\x06' => self.editor.right(),
                '\x04' => self.editor.delete(),
                '\x0b' => self.editor.kill_to_end(),
                '\x15' => self.editor.kill_to_start(),
                '\x17' => self.editor.kill_word(),
                '\x03' => {
                    // Ctrl+C gives up an edit (an `exec -it` shell only drops the line).
                    if let Some(path) = self.editing().map(str::to_string) {
                        self.job = None;
                        self.kubectl.files.remove(&path);
                    }
                    self.pending.clear();
                    self.recall = None;
                    let mut s = self.editor.end();
                    s.push_str("^C");
                    s.push_str(&self.editor.finish());
                    s.push_str(&self.prompt());
                    s
                }
                '\x0c' => {
                    let mut s = "\x1b[H\x1b[2J".to_string();
                    s.push_str(&self.editor.render());
                    s
                }
                c if (c as u32) < 0x20 => String::new(),
                c => {
                    // Take the whole run of plain text at once (typing, pasting, IME).
                    let run = rest.find(|ch: char| (ch as u32) < 0x20 || ch == '\x7f').unwrap_or(rest.len());
                    let text = format!("{c}{}", &rest[..run]);
                    rest = &rest[run..];
                    self.editor.insert(&text)
                }
            });
        }
        out
    }

    /// Enter: run the command, or wait for the rest of it.
    fn enter(&mut self, api: &mut dyn Transport) -> String {
        let line = self.editor.text();
        let mut out = self.editor.finish();
        self.recall = None;
        if let Some(job) = self.job.as_mut().filter(|j| j.interactive()) {
            // A line for the program that reads the terminal (an `exec -it` shell), or, for
            // `kubectl edit`, the text of the file it waits for.
            let edited = job.edits_file().map(str::to_string);
            let line = match &edited {
                Some(path) => self.kubectl.files.read(path).unwrap_or_default().to_string(),
                None => line,
            };
            let mut o = Output::default();
            if let Some(end) = job.input(api, &line, &mut o) {
                let ok = end.is_ok();
                if let Err(f) = end {
                    f.print(&mut o);
                }
                self.job = None;
                if let (Some(path), true) = (edited, ok) {
                    self.kubectl.files.remove(&path);
                }
            }
            self.write_job_file();
            out.push_str(&shown(&o.text()));
            out.push_str(&self.prompt());
            return out;
        }
        if !self.pending.is_empty() {
            self.pending.push('\n');
        }
        self.pending.push_str(&line);
        if heredoc::incomplete(&self.pending) {
            out.push_str(&self.prompt());
            return out;
        }
        let script = std::mem::take(&mut self.pending);
        if !script.trim().is_empty() {
            self.history.push(script.clone());
            let extra = self.history.len().saturating_sub(MAX_HISTORY);
            self.history.drain(..extra);
            let (text, code) = self.execute(api, &script, Run::Typed { simple: shell::is_simple_command(&script) });
            out.push_str(&shown(&text));
            let mut output = text;
            if output.len() > MAX_TRANSCRIPT_OUTPUT {
                let mut cut = MAX_TRANSCRIPT_OUTPUT;
                while !output.is_char_boundary(cut) {
                    cut -= 1;
                }
                output.truncate(cut);
            }
            self.transcript.push(Ran { line: script, output, code });
            self.ran_total += 1;
            let extra = self.transcript.len().saturating_sub(MAX_TRANSCRIPT);
            self.transcript.drain(..extra);
        }
        if self.job.as_ref().is_none_or(|j| j.interactive()) {
            out.push_str(&self.prompt_after_notices());
        }
        out
    }

    /// Runs a whole command (one or more lines) to its end, as a script would: what it printed
    /// and its status.
    pub fn run(&mut self, api: &mut dyn Transport, script: &str) -> (String, i64) {
        self.execute(api, script, Run::Script)
    }

    /// Runs a command. Typed at the prompt, a kubectl command alone that goes on stays as the
    /// job, and so does an endless shell loop (the terminal runs its next turns as the clock
    /// moves). Except in a loop's turn (the clock already moved), `sleep` moves the cluster's
    /// clock.
    fn execute(&mut self, api: &mut dyn Transport, script: &str, how: Run) -> (String, i64) {
        let foreground = matches!(how, Run::Typed { simple: true });
        let mut fs = std::mem::take(&mut self.kubectl.files.fs);
        let start = api.now();
        let slept = if how == Run::Turn { f64::INFINITY } else { 0.0 };
        let mut programs = Programs { kubectl: &mut self.kubectl, api, history: &self.history, slept, foreground, job: None, jobs: &mut self.jobs, background: None };
        let (mut text, code, t, forever, endless) = {
            let mut sh = Shell::new(&mut fs, self.env.clone(), start, Flavor::Bash, "hakoniwa");
            sh.cwd = self.cwd.clone();
            sh.host = Some(&mut programs);
            let code = sh.run(script);
            self.env = std::mem::take(&mut sh.env);
            self.cwd = std::mem::take(&mut sh.cwd);
            (sh.output(), sh.exited.unwrap_or(code), sh.t, sh.forever.take(), sh.endless)
        };
        if let Some(l) = &forever {
            // The loop's first turn ran inside the shell; what it printed is shown now.
            text.extend(l.output.iter().map(|(_, s)| s.as_str()));
        }
        if t > programs.slept {
            programs.api.sleep(Duration::from_secs_f64((t - programs.slept).min(MAX_SLEEP)));
        }
        if how != Run::Turn {
            self.job = programs.job.take();
        }
        if matches!(how, Run::Typed { .. }) && endless && self.job.is_none() {
            let now = programs.api.now();
            self.shell_loop = forever.map(|l| {
                let period = l.period.max(0.1);
                ShellLoop { body: l.body, period, next: now.plus(Duration::from_secs_f64(period)) }
            });
            self.job = Some(Box::new(LoopInForeground));
        }
        self.kubectl.files.fs = fs;
        self.kubectl.files.cwd = self.cwd.clone();
        self.write_job_file();
        (text, code)
    }

    /// ↑ (older) or ↓ (newer) through the history.
    fn history_step(&mut self, older: bool) -> String {
        if self.history.is_empty() {
            return String::new();
        }
        let (pos, draft) = match self.recall.take() {
            Some(r) => r,
            None if older => (self.history.len(), self.editor.text()),
            None => return String::new(),
        };
        let pos = if older { pos.saturating_sub(1) } else { pos + 1 };
        if pos >= self.history.len() {
            return self.editor.set(&draft);
        }
        let text = self.history[pos].clone();
        self.recall = Some((pos, draft));
        self.editor.set(&text)
    }

    /// Tab: complete the word before the cursor; a second Tab lists the candidates.
    fn complete(&mut self, api: &mut dyn Transport, again: bool) -> String {
        let before = self.editor.before_cursor();
        // The simple command the cursor is in.
        let stmt_start = before.rfind(['|', ';', '&', '(']).map_or(0, |i| i + 1);
        let stmt = before[stmt_start..].trim_start();
        let partial: String = if stmt.ends_with(char::is_whitespace) { String::new() } else { stmt.split_whitespace().last().unwrap_or("").to_string() };
        let first = stmt.split_whitespace().next().unwrap_or("");
        let completing_first = !stmt.contains(char::is_whitespace);
        let mut candidates: Vec<String> = if completing_first {
            shell::COMMANDS.iter().chain(PROGRAMS).chain(BUILTINS).filter(|c| c.starts_with(partial.as_str())).map(|c| c.to_string()).collect()
        } else if first == "kubectl" || first == "k" {
            self.kubectl.files.cwd = self.cwd.clone();
            self.kubectl.complete(api, stmt)
        } else {
            self.file_candidates(&partial)
        };
        candidates.order();
        candidates.dedup();
        match candidates.len() {
            0 => String::new(),
            1 => {
                let c = &candidates[0];
                let tail = if c.ends_with('/') || c.ends_with('=') { "" } else { " " };
                self.editor.replace_back(partial.chars().count(), &format!("{c}{tail}"))
            }
            _ => {
                let prefix = common_prefix(&candidates);
                if prefix.chars().count() > partial.chars().count() {
                    self.editor.replace_back(partial.chars().count(), &prefix)
                } else if again {
                    let mut out = self.editor.finish();
                    out.push_str(&columns(&candidates, self.editor.cols()));
                    out.push_str(&self.editor.render());
                    out
                } else {
                    String::new()
                }
            }
        }
    }

    /// Files and directories (with a `/`) whose path starts with `partial`.
    fn file_candidates(&self, partial: &str) -> Vec<String> {
        let (dir, _) = partial.rsplit_once('/').map_or(("", partial), |(d, n)| (d, n));
        let abs = crate::kubelet::fs::normalize(if dir.is_empty() { "." } else { dir }, &self.cwd);
        let fs = &self.kubectl.files.fs;
        let Ok(names) = fs.list(&abs) else { return Vec::new() };
        names
            .into_iter()
            .map(|n| {
                let path = if dir.is_empty() { n.clone() } else { format!("{dir}/{n}") };
                let full = crate::kubelet::fs::normalize(&n, &abs);
                if fs.is_dir(&full) { format!("{path}/") } else { path }
            })
            .filter(|p| p.starts_with(partial))
            .collect()
    }
}

/// Keys that arrive as escape sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    Delete,
    WordLeft,
    WordRight,
    Other,
}

/// The length of the escape sequence `s` starts with, and its key; length 0 when it is cut
/// short.
fn escape(s: &str) -> (usize, Key) {
    let b = s.as_bytes();
    match b.get(1) {
        None => (0, Key::Other),
        Some(b'[') => {
            // CSI: parameters, then a final byte in @..~.
            let Some(end) = b[2..].iter().position(|c| (0x40..=0x7e).contains(c)) else { return (0, Key::Other) };
            let seq = &s[2..2 + end + 1];
            let key = match seq {
                "A" => Key::Up,
                "B" => Key::Down,
                "C" => Key::Right,
                "D" => Key::Left,
                "H" | "1~" | "7~" => Key::Home,
                "F" | "4~" | "8~" => Key::End,
                "3~" => Key::Delete,
                "1;5D" | "1;3D" => Key::WordLeft,
                "1;5C" | "1;3C" => Key::WordRight,
                _ => Key::Other,
            };
            (2 + end + 1, key)
        }
        Some(b'O') => match b.get(2) {
            None => (0, Key::Other),
            Some(k) => (
                2 + s[2..].chars().next().map_or(1, char::len_utf8),
                match k {
                    b'A' => Key::Up,
                    b'B' => Key::Down,
                    b'C' => Key::Right,
                    b'D' => Key::Left,
                    b'H' => Key::Home,
                    b'F' => Key::End,
                    _ => Key::Other,
                },
            ),
        },
        Some(b'b') => (2, Key::WordLeft),
        Some(b'f') => (2, Key::WordRight),
        Some(_) => (1 + s[1..].chars().next().map_or(1, char::len_utf8), Key::Other),
    }
}
