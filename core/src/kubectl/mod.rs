//! kubectl, emulated: what kubectl v1.33 prints for a command line, computed by sending the
//! requests the real kubectl sends to the cluster's one API door. It runs in the browser (no
//! processes, no host files): files come from a small in-memory file system that the editor and
//! lessons fill, and `-f -` reads the text given as standard input.

pub mod args;
mod apply_server;
mod check;
mod commands;
mod complete;
mod cp;
mod debug;
mod describe;
pub mod discovery;
mod diff;
mod drain;
mod edit;
mod edit_session;
mod errors;
mod explain;
mod exec;
mod files;
mod generators;
mod get;
mod help;
mod gojson;
pub mod kubeconfig;
pub mod kustomize;
mod logs;
mod paths;
mod portforward;
mod prune;
mod rbac_rules;
mod remote;
mod rollout;
mod stern;
mod top;
pub mod running;
mod watch;
pub mod manifests;
mod more;
pub mod printers;
pub mod tabwriter;

use crate::apiserver::{Request, Response};
use crate::sim::clock::{Duration, Timestamp};

pub use errors::Failure;
pub use files::Files;
pub use kubeconfig::KubeConfig;

/// The emulator's way to the cluster: the API door, and the clock for commands that wait.
pub trait Transport {
    fn send(&mut self, req: &Request) -> Response;
    /// Lets `by` of simulated time pass (commands that wait: `rollout status`, `wait`).
    fn sleep(&mut self, by: Duration);
    fn now(&self) -> Timestamp;
    /// The next moment the cluster has something to do (commands that wait jump to it).
    fn next_wake(&self) -> Option<Timestamp> {
        None
    }
    /// Runs a command in a container (`kubectl exec`; `tty` with `-it`): its output and exit
    /// code, or why the kubelet could not run it.
    fn exec(&mut self, namespace: &str, pod: &str, container: &str, argv: &[String], tty: bool) -> Result<(String, i64), String> {
        let _ = (namespace, pod, container, argv, tty);
        Err("exec is not available on this connection".into())
    }
    /// An HTTP request from the machine kubectl runs on to `ip:port` (the learner's `curl`).
    fn http(&mut self, ip: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, crate::network::tools::ConnError> {
        let _ = (ip, port, req);
        Err(crate::network::tools::ConnError::Timeout)
    }
    /// One connection of `kubectl port-forward`, carried by the kubelet to `localhost:port`
    /// inside the pod with this uid: the answer, or what the error stream said.
    fn forward(&mut self, pod_uid: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, String> {
        let _ = (pod_uid, port, req);
        Err("port-forward is not available on this connection".into())
    }
}

impl Transport for crate::Cluster {
    fn send(&mut self, req: &Request) -> Response {
        self.handle(req)
    }
    fn sleep(&mut self, by: Duration) {
        self.advance(by);
    }
    fn now(&self) -> Timestamp {
        crate::Cluster::now(self)
    }
    fn next_wake(&self) -> Option<Timestamp> {
        crate::Cluster::next_wake(self)
    }
    fn http(&mut self, ip: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, crate::network::tools::ConnError> {
        self.request_from_outside(ip, port, req)
    }
    fn exec(&mut self, namespace: &str, pod: &str, container: &str, argv: &[String], tty: bool) -> Result<(String, i64), String> {
        crate::Cluster::exec(self, namespace, pod, Some(container), argv, tty).map(|o| (o.output, o.code)).map_err(|e| e.to_string())
    }
    fn forward(&mut self, pod_uid: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, String> {
        self.port_forward(pod_uid, port, req)
    }
}

/// The API server alone, with no control loops: what is created stays as created. For
/// benchmarks of the API and of kubectl's printing.
pub struct ApiOnly(pub crate::apiserver::ApiServer);

impl Transport for ApiOnly {
    fn send(&mut self, req: &Request) -> Response {
        self.0.handle(req)
    }
    fn sleep(&mut self, _by: Duration) {}
    fn now(&self) -> Timestamp {
        self.0.now()
    }
}

/// What kubectl says it is (`User-Agent`). The server names a write's field manager after its
/// first part when the command sets none (`kubectl scale` is `kubectl`, subresource `scale`).
pub const USER_AGENT: &str = "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0";

/// The transport as kubectl uses it: every write says who sends it, and the server's warnings
/// are kept for printing, each message once per command (client-go deduplicates them).
struct AsKubectl<'a>(&'a mut dyn Transport, std::rc::Rc<std::cell::RefCell<Vec<String>>>, std::collections::HashSet<String>, std::sync::Arc<std::sync::atomic::AtomicBool>, bool);

impl AsKubectl<'_> {
    fn keep_warnings(&mut self, resp: &Response) {
        for w in resp.warnings().map(commands::warning_text) {
            if self.2.insert(w.clone()) {
                self.1.borrow_mut().push(w);
            }
        }
    }
}

impl Transport for AsKubectl<'_> {
    fn send(&mut self, req: &Request) -> Response {
        if !matches!(req.method, crate::apiserver::Method::Get | crate::apiserver::Method::Head) {
            self.3.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let mut req = std::borrow::Cow::Borrowed(req);
        if req.method != crate::apiserver::Method::Get && req.header("user-agent").is_none() {
            req.to_mut().headers.push(("user-agent".into(), USER_AGENT.into()));
        }
        if let Some(refused) = paths::refusal(&req.path) {
            return Response::object(400, refused);
        }
        let resp = self.0.send(&req);
        if resp.status == 401 {
            self.4 = true;
        }
        self.keep_warnings(&resp);
        resp
    }
    fn sleep(&mut self, by: Duration) {
        self.0.sleep(by);
    }
    fn now(&self) -> Timestamp {
        self.0.now()
    }
    fn next_wake(&self) -> Option<Timestamp> {
        self.0.next_wake()
    }
    fn http(&mut self, ip: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, crate::network::tools::ConnError> {
        self.0.http(ip, port, req)
    }
    fn exec(&mut self, namespace: &str, pod: &str, container: &str, argv: &[String], tty: bool) -> Result<(String, i64), String> {
        self.0.exec(namespace, pod, container, argv, tty)
    }
    fn forward(&mut self, pod_uid: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, String> {
        self.0.forward(pod_uid, port, req)
    }
}

/// Sends a request; a server error becomes the command's failure, anything else its body.
pub(crate) fn send_ok(api: &mut dyn Transport, req: &Request) -> Result<serde_json::Value, Failure> {
    let resp = api.send(req);
    let status = resp.status;
    let v = resp.into_value().unwrap_or(serde_json::Value::Null);
    if status >= 400 {
        return Err(Failure::Server(v));
    }
    Ok(v)
}

/// GETs one object; a server error becomes the command's failure.
pub(crate) fn get_object(api: &mut dyn Transport, path: &str) -> Result<serde_json::Value, Failure> {
    send_ok(api, &Request::get(path))
}

/// A PATCH of `target` (path and query) with a JSON body of the given patch type.
pub(crate) fn patch_request(target: &str, content_type: &str, body: &serde_json::Value) -> Request {
    Request::new(crate::apiserver::Method::Patch, target).with_bytes(content_type, serde_json::to_vec(body).unwrap_or_default())
}

/// Lets simulated time pass until the next moment something is due, at most `max`.
pub(crate) fn wait_a_moment(api: &mut dyn Transport, max: Duration) {
    let now = api.now();
    let by = match api.next_wake() {
        Some(w) if w > now => w.since(now).min(max),
        _ => max,
    };
    api.sleep(by);
}

/// Which stream a piece of output went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// What a command printed, in order, and its exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub pieces: Vec<(Stream, String)>,
    pub exit: i32,
    /// The server's warnings not printed yet, shared with the transport while a command runs:
    /// they come out before what the command prints next, as client-go's handler prints them
    /// when the response arrives.
    warnings: Option<std::rc::Rc<std::cell::RefCell<Vec<String>>>>,
}

impl Output {
    fn flush_warnings(&mut self) {
        let pending: Vec<String> = self.warnings.as_ref().map(|w| w.borrow_mut().drain(..).collect()).unwrap_or_default();
        for w in pending {
            self.pieces.push((Stream::Err, w));
        }
    }
    pub fn out(&mut self, text: impl Into<String>) {
        self.flush_warnings();
        self.pieces.push((Stream::Out, text.into()));
    }
    pub fn err(&mut self, text: impl Into<String>) {
        self.flush_warnings();
        self.pieces.push((Stream::Err, text.into()));
    }
    /// Both streams together, as a terminal shows them.
    pub fn text(&self) -> String {
        self.pieces.iter().map(|(_, t)| t.as_str()).collect()
    }
    pub fn stdout(&self) -> String {
        self.pieces.iter().filter(|(s, _)| *s == Stream::Out).map(|(_, t)| t.as_str()).collect()
    }
}

/// One learner's kubectl: the kubeconfig, the files, and what discovery found.
#[derive(Debug)]
pub struct Kubectl {
    pub config: KubeConfig,
    pub files: Files,
    discovery: Option<discovery::Discovery>,
    /// Whether the command being run has written anything: until it has, a resource type or
    /// kind discovery does not know makes kubectl read discovery again (CRDs come and go),
    /// as its mapper does before a command's first request.
    wrote: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Manifests of the command being run whose kind did not map, reported at its end.
    unmapped: Vec<String>,
    /// A command that started and goes on (`get -w`, `logs -f`, `rollout status`), handed to
    /// whoever started it.
    pub(crate) launched: Option<Box<dyn running::Running>>,
    /// Addresses and ports already listened on, on the learner's machine (other commands'
    /// `port-forward`s): the terminal keeps it up to date.
    pub busy_ports: Vec<(String, u16)>,
}

impl Clone for Kubectl {
    /// A copy without any command still going on.
    fn clone(&self) -> Self {
        Kubectl { config: self.config.clone(), files: self.files.clone(), discovery: self.discovery.clone(), wrote: Default::default(), unmapped: Vec::new(), launched: None, busy_ports: self.busy_ports.clone() }
    }
}

impl Kubectl {
    /// A kubectl whose kubeconfig points at a cluster with this context name (`kind-kind`).
    pub fn new(context: &str) -> Kubectl {
        Kubectl { config: KubeConfig::single(context), files: Files::default(), discovery: None, wrote: Default::default(), unmapped: Vec::new(), launched: None, busy_ports: Vec::new() }
    }

    /// Runs one command line (`kubectl get pods`, or `get pods`); `stdin` is what `-f -`
    /// reads.
    pub fn run(&mut self, api: &mut dyn Transport, line: &str, stdin: Option<&str>) -> Output {
        let mut out = Output::default();
        let words = match args::split(line) {
            Ok(w) => w,
            Err(e) => {
                out.err(format!("error: {e}\n"));
                out.exit = 1;
                return out;
            }
        };
        let words: &[String] = match words.first().map(String::as_str) {
            Some("kubectl" | "k") => &words[1..],
            Some("stern") => {
                let (mut out, job) = self.start_stern(api, &words[1..], false);
                if let Some(mut job) = job {
                    running::drive(api, job.as_mut(), &mut out);
                }
                return out;
            }
            _ => &words[..],
        };
        self.run_words(api, words, stdin)
    }

    /// Starts stern, the multi-pod log tailer, through kubectl's client and kubeconfig: what
    /// it printed at once, and the tailer when it follows on. `tty`: its output is a terminal
    /// (stern colours lines only then).
    pub fn start_stern(&mut self, api: &mut dyn Transport, words: &[String], tty: bool) -> (Output, Option<Box<dyn running::Running>>) {
        let mut out = Output::default();
        let mut api = AsKubectl(api, std::rc::Rc::default(), std::collections::HashSet::new(), self.wrote.clone(), false);
        match stern::start(self, &mut api, words, tty, &mut out) {
            Ok(job) => (out, job),
            Err(f) => {
                f.print(&mut out);
                (out, None)
            }
        }
    }

    /// Runs kubectl with these arguments (the words after `kubectl`) to its end: a command
    /// that goes on (`get -w`, `logs -f`) runs on simulated time until it ends or its limit.
    pub fn run_words(&mut self, api: &mut dyn Transport, words: &[String], stdin: Option<&str>) -> Output {
        let (mut out, job) = self.start(api, words, stdin);
        if let Some(mut job) = job {
            running::drive(api, job.as_mut(), &mut out);
        }
        out
    }

    /// Starts kubectl with these arguments: what it printed at once, and the command itself if
    /// it goes on (the terminal polls it as its clock runs).
    pub fn start(&mut self, api: &mut dyn Transport, words: &[String], stdin: Option<&str>) -> (Output, Option<Box<dyn running::Running>>) {
        let warnings = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut out = Output { warnings: Some(warnings.clone()), ..Output::default() };
        self.launched = None;
        self.wrote.store(false, std::sync::atomic::Ordering::Relaxed);
        let mut api = AsKubectl(api, warnings, std::collections::HashSet::new(), self.wrote.clone(), false);
        if let Err(f) = commands::dispatch(self, &mut api, words, stdin, &mut out) {
            f.print(&mut out);
            self.launched = None;
        }
        // Credentials the server refuses end the command, whatever it was doing (discovery
        // read with them is not kept).
        if api.4 {
            self.discovery = None;
            self.unmapped.clear();
            out = Output { warnings: out.warnings.take(), ..Output::default() };
            out.err("error: You must be logged in to the server (Unauthorized)\n");
            out.exit = 1;
            self.launched = None;
        }
        // One error is kubectl's `error: ...`; several, one per line as an aggregate prints.
        let unmapped = std::mem::take(&mut self.unmapped);
        match unmapped.len() {
            0 => {}
            1 => out.err(format!("error: {}\n", unmapped[0])),
            _ => {
                for m in unmapped {
                    out.err(format!("{m}\n"));
                }
            }
        }
        out.flush_warnings();
        out.warnings = None;
        (out, self.launched.take())
    }

    /// Runs a command line as a program in a pod does with the pod's service account token
    /// (in-cluster configuration): every request is that account's.
    pub fn run_as(&mut self, api: &mut dyn Transport, user: &str, argv: &[String]) -> Output {
        let mut as_them = commands::WithHeaders::impersonating(api, user, &[]);
        let (mut out, job) = self.start(&mut as_them, argv.get(1..).unwrap_or_default(), None);
        if let Some(mut job) = job {
            running::drive(&mut as_them, job.as_mut(), &mut out);
        }
        out
    }

    /// Discovery, read once and kept (forgotten when resources may have changed).
    pub(crate) fn discovery(&mut self, api: &mut dyn Transport) -> &discovery::Discovery {
        self.discovery.get_or_insert_with(|| discovery::Discovery::load(api))
    }

    /// Discovery that knows what `known` asks about, read again if it does not and the
    /// command has not written yet.
    pub(crate) fn discovery_knowing(&mut self, api: &mut dyn Transport, known: impl Fn(&discovery::Discovery) -> bool) -> &discovery::Discovery {
        if !self.wrote.load(std::sync::atomic::Ordering::Relaxed) && self.discovery.as_ref().is_some_and(|d| !known(d)) {
            self.discovery = None;
        }
        self.discovery(api)
    }

    /// The resource a user's word names (`po`, `deployments.apps`, a CRD's short name).
    pub(crate) fn resolve(&mut self, api: &mut dyn Transport, word: &str) -> Option<discovery::Resource> {
        self.discovery_knowing(api, |d| d.resolve(word).is_some()).resolve(word).cloned()
    }

    /// The resource of a manifest's apiVersion and kind.
    pub(crate) fn by_kind(&mut self, api: &mut dyn Transport, api_version: &str, kind: &str) -> Option<discovery::Resource> {
        self.discovery_knowing(api, |d| d.by_kind(api_version, kind).is_some()).by_kind(api_version, kind).cloned()
    }

    /// Forgets discovery (after CRDs change).
    pub fn invalidate_discovery(&mut self) {
        self.discovery = None;
    }
}

#[cfg(test)]
mod user_agent_tests {
    use super::*;

    #[test]
    fn writes_without_a_field_manager_are_kubectls_as_the_server_names_it() {
        let start = Timestamp::parse_rfc3339("2026-11-25T09:00:00Z").unwrap_or_default();
        let mut c = crate::Cluster::boot_default(1, start).expect("boots");
        let mut k = Kubectl::new(&c.preset().context.clone());
        assert_eq!(k.run(&mut c, "kubectl create deployment web --image=nginx:1.27", None).exit, 0);
        assert_eq!(k.run(&mut c, "kubectl scale deployment web --replicas=3", None).exit, 0);
        let out = k.run(&mut c, "kubectl get deployment web -o json --show-managed-fields", None).stdout();
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let entries = v["metadata"]["managedFields"].as_array().cloned().unwrap_or_default();
        let scale = entries.iter().find(|e| e["subresource"] == "scale").expect("the scale's entry");
        assert_eq!(scale["manager"], "kubectl");
        assert!(scale["fieldsV1"]["f:spec"]["f:replicas"].is_object(), "{scale}");
        // The create named its own manager; it no longer owns the replicas.
        let create = entries.iter().find(|e| e["manager"] == "kubectl-create").expect("create's entry");
        assert!(create["fieldsV1"]["f:spec"].get("f:replicas").is_none(), "{create}");
    }
}
