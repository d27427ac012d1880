//! Kubelets, one per node: they pull images, start containers in order (init containers first),
//! follow each container's plan (log lines, exits), restart by the pod's policy with
//! CrashLoopBackOff back-off, report status and conditions, and end pods being deleted after
//! their containers stop. Every change goes through the API server.

pub mod env;
pub mod fs;
pub mod heredoc;
pub mod images;
pub mod netfiles;
pub mod probes;
pub mod runtime;
pub mod shell;
pub mod static_pods;
pub mod volumes;
mod tracker;
mod wire;

pub use wire::AccessLog;

use crate::sort::Order;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, pod_ref, resource_version, uid};
use crate::controllers::Client;
use crate::sim::clock::{Duration, Timestamp};
use crate::sim::rng::Rng;
use crate::store::{obj_name, ObjName};

use images::{qualified, Catalog};
use runtime::{plan, Plan};
use tracker::{Held, Quiet, SyncInputs, Tracker};
use volumes::PodVolumes;

#[derive(Clone, Debug, PartialEq)]
enum State {
    Waiting { reason: String, message: Option<String> },
    Running { since: Timestamp },
    Terminated { code: i64, reason: String, started: Timestamp, finished: Timestamp },
}

#[derive(Clone, Debug)]
struct Container {
    name: String,
    image: String,
    init: bool,
    /// Added through pods/ephemeralcontainers (`kubectl debug`): never restarted, not part of
    /// the pod's readiness, reported in ephemeralContainerStatuses.
    ephemeral: bool,
    spec: Value,
    state: State,
    last: Option<State>,
    restarts: i64,
    id: String,
    /// The id of the container this one replaced.
    last_id: String,
    /// When the current step ends (pull done, start, exit, back-off over).
    next: Option<Timestamp>,
    step: Step,
    plan: Option<Plan>,
    logged: usize,
    ready: bool,
    backoff: i64,
    /// The running container's files, environment and host name.
    ctx: Option<runtime::Context>,
    /// How many of the plan's file changes have happened.
    applied: usize,
    probes: Vec<probes::Prober>,
    /// The startup probe has succeeded (or there is none).
    started: bool,
    /// A kill under way (liveness or startup failure): when it ends, with which exit.
    kill: Option<(Timestamp, i64, String)>,
    /// Where the image's web server serves files from.
    docroot: Option<String>,
    /// A postStart hook runs until then: the container still shows as being created.
    hook_until: Option<Timestamp>,
    /// Why the postStart hook failed (the waiting message while the container is killed).
    hook_error: Option<String>,
    /// Where this container mounts the pod's volumes.
    mounts: Vec<volumes::Mount>,
}

impl Container {
    /// Probers that run now: startup until it succeeds, then liveness and readiness.
    fn active_probes(&self) -> impl Iterator<Item = &probes::Prober> {
        self.probes.iter().filter(move |p| self.started || p.kind == probes::Kind::Startup)
    }

    /// Applies the plan's file changes due by `until`.
    fn apply_effects(&mut self, vols: &mut PodVolumes, until: Timestamp) {
        let (State::Running { since } | State::Terminated { started: since, .. }) = self.state else { return };
        let (Some(p), Some(ctx)) = (self.plan.as_ref(), self.ctx.as_mut()) else { return };
        let mut due = Vec::new();
        for _ in 0..MAX_LOG_LINES_PER_SYNC {
            match p.effect(self.applied + due.len()) {
                Some((at, e)) if since.plus(Duration::from_secs_f64(at)) <= until => due.push(e),
                _ => break,
            }
        }
        if due.is_empty() {
            return;
        }
        self.applied += due.len();
        vols.mounted(&mut ctx.fs, &self.mounts, |fs| {
            for e in &due {
                e.apply(fs);
            }
        });
    }

    /// Runs a lifecycle hook handler at `at` in the container: whether it worked (else the
    /// kubelet's message) and how long it took.
    fn run_hook(&mut self, vols: &mut PodVolumes, handler: &Value, pod_ip: &str, pod_desc: &str, at: Timestamp) -> (Result<(), String>, f64) {
        let serving: Vec<i64> = self.plan.as_ref().map(|p| p.ports.clone()).unwrap_or_default();
        let declared = self.spec["ports"].clone();
        let name = self.name.clone();
        let Some(ctx) = self.ctx.as_mut() else { return (Ok(()), 0.0) };
        let runtime::Context { fs: root, env, hostname, flavor } = ctx;
        if let Some(exec) = handler.get("exec").filter(|e| !e.is_null()) {
            let argv: Vec<String> = exec["command"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
            let (out, code, took) = vols.mounted(root, &self.mounts, |fs| probes::run_argv(fs, env, hostname, *flavor, &argv, at));
            if code == 0 {
                return (Ok(()), took);
            }
            let msg = format!("Exec lifecycle hook ([{}]) for Container {:?} in Pod {:?} failed - error: command '{}' exited with {code}: , message: {:?}", argv.join(" "), name, pod_desc, argv.join(" "), out);
            return (Err(msg), took);
        }
        let docroot = self.docroot.clone();
        let result = vols.mounted(root, &self.mounts, |fs| {
            let mut target = probes::Target { fs, env, hostname, flavor: *flavor, serving: &serving, declared: &declared, pod_ip, docroot: docroot.as_deref() };
            probes::attempt(handler, 10.0, &mut target, at, false)
        });
        match result {
            Ok(()) => (Ok(()), 0.0),
            Err(e) => {
                let path = handler["httpGet"]["path"].as_str().unwrap_or("/");
                (Err(format!("HTTP lifecycle hook ({path}) for Container {name:?} in Pod {pod_desc:?} failed - error: {e}")), 0.0)
            }
        }
    }

    /// One attempt of probe `k` at `at` (on a copy of the files when `dry`).
    fn attempt(&mut self, vols: &mut PodVolumes, k: usize, pod_ip: &str, at: Timestamp, dry: bool) -> Result<(), String> {
        let running = matches!(self.state, State::Running { .. });
        let serving: Vec<i64> = if running { self.plan.as_ref().map(|p| p.ports.clone()).unwrap_or_default() } else { Vec::new() };
        let prober = &self.probes[k];
        let (spec, timeout) = (prober.spec.clone(), prober.timeout());
        let declared = self.spec["ports"].clone();
        let docroot = self.docroot.clone();
        let Some(ctx) = self.ctx.as_mut() else { return Ok(()) };
        let runtime::Context { fs: root, env, hostname, flavor } = ctx;
        vols.mounted(root, &self.mounts, |fs| {
            let mut target = probes::Target { fs, env, hostname, flavor: *flavor, serving: &serving, declared: &declared, pod_ip, docroot: docroot.as_deref() };
            probes::attempt(&spec, timeout, &mut target, at, dry)
        })
    }

    /// Writes the log lines the running (or just exited) container has printed by `until`;
    /// returns when the next one is due while it runs (the kubelet asks to be woken then, as
    /// a pod it has nothing else to do for is not looked at again).
    fn write_logs(&mut self, c: &mut Client, pod_uid: &str, until: Timestamp) -> Option<Timestamp> {
        // A container that has ended wrote nothing after it ended.
        let (since, until) = match self.state {
            State::Running { since } => (since, until),
            State::Terminated { started, finished, .. } => (started, until.min(finished)),
            _ => return None,
        };
        let p = self.plan.as_ref()?;
        // A long jump of the clock writes at most this many lines of an endless loop at once.
        for _ in 0..MAX_LOG_LINES_PER_SYNC {
            match p.line(self.logged, since) {
                Some((at, line)) if since.plus(Duration::from_secs_f64(at)) <= until => {
                    c.api.append_log_line(pod_uid, &self.name, since.plus(Duration::from_secs_f64(at)), &line);
                    self.logged += 1;
                }
                _ => break,
            }
        }
        // When the next line is due, while the container runs.
        let next = p.line(self.logged, since).map(|(at, _)| since.plus(Duration::from_secs_f64(at)));
        next.filter(|_| matches!(self.state, State::Running { .. }))
    }
}

/// What `kubectl exec` gets back: the command's output (stdout then stderr) and exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutput {
    pub output: String,
    pub code: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    #[error("pod is not running on any node")]
    PodNotRunning,
    #[error("container not found ({0:?})")]
    NoContainer(String),
    #[error("no command given")]
    EmptyCommand,
    /// The runtime could not start the program.
    #[error("OCI runtime exec failed: exec failed: unable to start container process: exec: {0:?}: executable file not found in $PATH: unknown")]
    ExecutableNotFound(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Idle,
    Pulling,
    PullBackOff,
    Starting,
    Running,
    BackOff,
    Done,
}

#[derive(Clone)]
struct PodRuntime {
    /// The pod's volumes (built when the pod first starts on the node).
    volumes: PodVolumes,
    volumes_ready: bool,
    /// When the kubelet last brought the pod's configMap/secret/downwardAPI files up to date.
    volumes_synced: Timestamp,
    node: String,
    ip: String,
    host_ip: String,
    started: Timestamp,
    containers: Vec<Container>,
    stopping_since: Option<Timestamp>,
    /// Since when an emptyDir has held more than its sizeLimit.
    over_since: Option<Timestamp>,
    /// Why the kubelet evicted the pod.
    evicted: Option<String>,
}

#[derive(Clone, Default)]
pub struct Kubelets {
    pods: BTreeMap<String, PodRuntime>,
    /// Images present on each node.
    cached: BTreeMap<String, BTreeSet<String>>,
    /// The last pod IP handed out on each node.
    last_ip: BTreeMap<String, u32>,
    rng: Option<Rng>,
    /// Static pod manifests by node.
    static_pods: BTreeMap<String, Vec<Value>>,
    /// Images every node has from the start (qualified references).
    preloaded: BTreeSet<String>,
    /// Nodes whose kubelet is stopped (the machine is off or unreachable).
    down: BTreeSet<String>,
    /// Data that outlives pods: what they wrote to PersistentVolumes (by PV name) and the
    /// nodes' own files (`node/<name>`, where hostPath volumes point).
    disks: BTreeMap<String, fs::Fs>,
    /// Nodes whose `status.images` are behind what they have pulled.
    images_changed: BTreeSet<String>,
    /// kube-proxy's ClientIP session affinity.
    affinity: crate::network::proxy::Affinity,
    /// What each pod was last synced against (see [`SyncInputs`]), and which pods a pass must
    /// look at.
    synced: Tracker,
    /// Moves whenever something outside the API objects changes what a pod sync would do: a
    /// command run in a container, a request from outside, a shared disk written, a node
    /// stopped or started.
    epoch: u64,
    /// After a pass in which every pod's last sync still held: what the pass saw, until the
    /// earliest periodic sync, with the earliest wake-up the pods asked for. While it holds, the
    /// next pass over the pods is skipped as a whole.
    quiet: Option<Held<Quiet>>,
    /// Heartbeats that found nothing to do, by node, with what they read: the next is skipped
    /// while the node, its Lease and whether the Lease is due stay as they were. (Every round
    /// looked at every node's conditions and Lease; natively the saving was within noise at
    /// 334 nodes, the lookups it skips cost more in wasm.)
    beats: crate::controllers::unchanged::Unchanged<String>,
}

/// What a pod sync reads besides its pod and node (volumes' sources, Services for the
/// environment).
const POD_SYNC_READS: [&str; 4] = ["configmaps", "secrets", "persistentvolumeclaims", "services"];

/// The kubelet reports at most this many images in the node's status (the biggest).
const NODE_STATUS_MAX_IMAGES: usize = 50;

/// How often the kubelet brings mounted ConfigMaps, Secrets and downward API files up to date
/// (its periodic pod sync, `syncFrequency`).
const VOLUME_SYNC: Duration = Duration::from_secs(60);

/// How often the kubelet's eviction manager looks at what pods use.
const EVICTION_MONITORING: Duration = Duration::from_secs(10);

/// How often a kubelet renews its node's Lease.
const LEASE_RENEW: Duration = Duration::from_secs(10);

/// `2026-11-25T11:00:00.000000Z`: a Lease's MicroTime.
fn micro_time(t: Timestamp) -> String {
    let s = t.rfc3339();
    format!("{}.{:06}Z", s.trim_end_matches('Z'), t.unix_millis().rem_euclid(1000) * 1000)
}

const MAX_LOG_LINES_PER_SYNC: usize = 10_000;
/// A long jump of the clock replays at most this many probe attempts of a container at once.
const MAX_PROBE_ATTEMPTS_PER_SYNC: usize = 2_000;

/// The kubelet's view of ConfigMaps, Secrets and Services, through its client.
struct ApiLookup<'c, 'a>(&'c Client<'a>);

impl volumes::Source for ApiLookup<'_, '_> {
    fn claim(&self, ns: &str, name: &str) -> Option<Value> {
        self.0.get("persistentvolumeclaims", ns, name).map(|v| (*v).clone())
    }
    fn config_map(&self, ns: &str, name: &str) -> Option<Value> {
        self.0.get("configmaps", ns, name).map(|v| (*v).clone())
    }
    fn secret(&self, ns: &str, name: &str) -> Option<Value> {
        self.0.get("secrets", ns, name).map(|v| (*v).clone())
    }
}

impl env::Lookup for ApiLookup<'_, '_> {
    fn config_map(&self, ns: &str, name: &str) -> Option<Value> {
        self.0.get("configmaps", ns, name).map(|v| (*v).clone())
    }
    fn secret(&self, ns: &str, name: &str) -> Option<Value> {
        self.0.get("secrets", ns, name).map(|v| (*v).clone())
    }
    fn services(&self, ns: &str) -> Vec<Value> {
        let mut v: Vec<Value> = self.0.list("services", Some(ns)).into_iter().map(|s| (*s).clone()).collect();
        if ns != "default" {
            v.extend(self.0.get("services", "default", "kubernetes").map(|s| (*s).clone()));
        }
        v
    }
}

/// What every container has mounted before its volumes: its image's layers, /dev and its
/// shared memory, and the files the kubelet writes (on the node's disk).
fn base_mounts() -> Vec<fs::MountPoint> {
    let m = |path: &str, device: &str, size: u64| fs::MountPoint { path: path.into(), device: device.into(), size };
    vec![m("/", "overlay", 0), m("/dev", "tmpfs", 64 << 20), m("/dev/shm", "shm", 64 << 20), m("/etc/hosts", "/dev/vda1", 0), m("/etc/hostname", "/dev/vda1", 0), m("/etc/resolv.conf", "/dev/vda1", 0)]
}

/// A disk of `disks`, made the first time a pod looks: a node's from the node image (with its
/// name in /etc/hostname), a provisioned volume as a directory anyone may write (local-path
/// makes it 0777).
fn disk<'d>(disks: &'d mut BTreeMap<String, fs::Fs>, key: &str) -> &'d mut fs::Fs {
    disks.entry(key.to_string()).or_insert_with(|| match key.strip_prefix("node/") {
        Some(node) => {
            let mut fs = images::Catalog::builtin().node_filesystem();
            let _ = fs.write("/etc/hostname", &format!("{node}\n"), false);
            fs
        }
        None => {
            let mut fs = fs::Fs::default();
            fs.set_mode("/", 0o777);
            fs
        }
    })
}

/// Brings a pod's shared volumes (PersistentVolumes, hostPath) up to what their disks hold
/// now; a hostPath that is not there yet is made (`DirectoryOrCreate`, `FileOrCreate`).
fn pull_shared(disks: &mut BTreeMap<String, fs::Fs>, vols: &mut PodVolumes) {
    for (vol, at) in vols.shared.clone() {
        let disk = disk(disks, &at.disk);
        if !disk.is_dir(&at.path) {
            disk.mkdir_p(&at.path);
        }
        if let Some(file) = vols.file_of(&vol) {
            let path = format!("{}/{file}", at.path.trim_end_matches('/'));
            if !disk.exists(&path) {
                let _ = disk.write(&path, "", false);
            }
        }
        vols.restore(&vol, disk.subtree(&at.path));
    }
}

/// Writes what a pod's shared volumes hold back to their disks.
/// Returns whether a disk changed.
fn push_shared(disks: &mut BTreeMap<String, fs::Fs>, vols: &PodVolumes) -> bool {
    let mut changed = false;
    for (vol, at) in &vols.shared {
        let (Some(data), Some(disk)) = (vols.files(vol), disks.get_mut(&at.disk)) else { continue };
        if at.path == "/" {
            if disk != data {
                *disk = data.clone();
                changed = true;
            }
        } else if disk.subtree(&at.path) != *data {
            let _ = disk.remove(&at.path, true);
            disk.put_subtree(&at.path, data.clone());
            changed = true;
        }
    }
    changed
}

/// A node's allocatable memory in bytes.
fn node_memory(node: Option<&Value>) -> u64 {
    node.and_then(|n| n["status"]["allocatable"]["memory"].as_str()).and_then(|q| crate::api::quantity::Quantity::parse(q).ok()).map_or(8 << 30, |q| q.value().max(0) as u64)
}

fn node_ip(node: &Value) -> String {
    node["status"]["addresses"].as_array().into_iter().flatten().find(|a| a["type"] == "InternalIP").and_then(|a| a["address"].as_str()).unwrap_or("").to_string()
}

impl Kubelets {
    fn rng(&mut self) -> &mut Rng {
        self.rng.get_or_insert_with(|| Rng::seeded(0x6b75_6265_6c65_7473))
    }

    fn rng_and_affinity(&mut self) -> (&mut Rng, &mut crate::network::proxy::Affinity) {
        let rng = self.rng.get_or_insert_with(|| Rng::seeded(0x6b75_6265_6c65_7473));
        (rng, &mut self.affinity)
    }

    /// A node's own files, made from the node image the first time a pod looks.
    fn node_disk(&mut self, node: &str) -> &fs::Fs {
        disk(&mut self.disks, &format!("node/{node}"))
    }

    fn allocate_ip(&mut self, node: &Value) -> String {
        let cidr = node["spec"]["podCIDR"].as_str().unwrap_or("10.244.0.0/24");
        let base = cidr.split('/').next().and_then(|b| b.parse::<std::net::Ipv4Addr>().ok()).map_or(0, u32::from);
        let n = self.last_ip.entry(node["metadata"]["name"].as_str().unwrap_or_default().to_string()).or_insert(1);
        *n += 1;
        if *n > 254 {
            *n = 2;
        }
        std::net::Ipv4Addr::from(base + *n).to_string()
    }

    /// Runs a command in a running container (`kubectl exec`), against its files as they are
    /// now; `tty` when its output is a terminal (`exec -it`). The image's network programs
    /// reach `net`; what the servers they reached logged comes back with the output.
    pub fn exec(&mut self, pod_uid: &str, container: &str, argv: &[String], now: Timestamp, net: &crate::network::Network, tty: bool) -> Result<(ExecOutput, Vec<AccessLog>), ExecError> {
        // The pod steps out of the map while its command runs, so that the command can reach
        // the other pods' servers.
        let mut rt = self.pods.remove(pod_uid).ok_or(ExecError::PodNotRunning)?;
        pull_shared(&mut self.disks, &mut rt.volumes);
        let result = self.exec_in(&mut rt, pod_uid, container, argv, now, net, tty);
        push_shared(&mut self.disks, &rt.volumes);
        self.epoch += 1;
        self.pods.insert(pod_uid.to_string(), rt);
        result
    }

    /// One HTTP request from outside the cluster (the learner's machine at `from`, on the
    /// nodes' network): what came back, and the servers' access log lines.
    pub fn request_from_outside(&mut self, net: &crate::network::Network, from: &str, ip: &str, port: i64, req: &crate::network::http::Request, now: Timestamp) -> (Result<crate::network::http::Served, crate::network::tools::ConnError>, Vec<AccessLog>) {
        // Servers answer and log: pod syncs may see it.
        self.epoch += 1;
        use crate::network::tools::Net;
        let mut wire = wire::Wire {
            kubelets: self,
            net,
            client_ip: from.to_string(),
            client_node: String::new(),
            client_uid: String::new(),
            hostname: String::new(),
            local: Vec::new(),
            now,
            logs: Vec::new(),
            outside: true,
        };
        let result = wire.http(ip, port, req);
        (result, wire.logs)
    }

    /// A connection `kubectl port-forward` opens through the kubelet: to `localhost:port` in
    /// the pod's network namespace, so the server sees 127.0.0.1 as its client. What came back
    /// (or the runtime's reason, in containerd's words), and the servers' access log lines.
    pub fn forward(&mut self, net: &crate::network::Network, pod_uid: &str, port: i64, req: &crate::network::http::Request, now: Timestamp) -> (Result<crate::network::http::Served, String>, Vec<AccessLog>) {
        // Servers answer and log: pod syncs may see it.
        self.epoch += 1;
        let sandbox = sandbox_id(pod_uid);
        let Some(ip) = self.pods.get(pod_uid).map(|rt| rt.ip.clone()) else {
            return (Err(format!("error forwarding port {port} to pod {sandbox}, uid : failed to find sandbox \"{sandbox}\" in store: not found")), Vec::new());
        };
        let mut wire = wire::Wire {
            kubelets: self,
            net,
            client_ip: "127.0.0.1".into(),
            client_node: String::new(),
            client_uid: pod_uid.to_string(),
            hostname: String::new(),
            local: Vec::new(),
            now,
            logs: Vec::new(),
            outside: false,
        };
        let mut req = req.clone();
        req.client_ip = "127.0.0.1".into();
        let result = wire.reach_pod(&ip, port, &req).map_err(|_| {
            let h = fnv(&format!("netns/{pod_uid}"));
            let netns = format!("cni-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", (h >> 96) as u32, (h >> 80) as u16, (h >> 64) as u16, (h >> 48) as u16, h as u64 & 0xffff_ffff_ffff);
            format!(
                "error forwarding port {port} to pod {sandbox}, uid : failed to execute portforward in network namespace \"/var/run/netns/{netns}\": failed to connect to localhost:{port} inside namespace \"{sandbox}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused "
            )
        });
        (result, wire.logs)
    }

    #[allow(clippy::too_many_arguments)]
    fn exec_in(&mut self, rt: &mut PodRuntime, pod_uid: &str, container: &str, argv: &[String], now: Timestamp, net: &crate::network::Network, tty: bool) -> Result<(ExecOutput, Vec<AccessLog>), ExecError> {
        let k = rt.containers.iter().position(|c| c.name == container).ok_or_else(|| ExecError::NoContainer(container.to_string()))?;
        if !matches!(rt.containers[k].state, State::Running { .. }) {
            return Err(ExecError::NoContainer(container.to_string()));
        }
        rt.containers[k].apply_effects(&mut rt.volumes, now);
        let Some(first) = argv.first() else { return Err(ExecError::EmptyCommand) };
        let image = images::Catalog::builtin().find(&rt.containers[k].image);
        let tools: &[String] = image.map_or(&[], |i| i.tools.as_slice());
        let bind = image.is_some_and(|i| i.flavor != shell::Flavor::Busybox);
        let base = first.rsplit('/').next().unwrap_or(first);
        if !shell::is_command(first) && !tools.iter().any(|t| t == base) {
            return Err(ExecError::ExecutableNotFound(first.clone()));
        }
        // The pod's servers, as `localhost` reaches them.
        let mut local = Vec::new();
        for ct in rt.containers.iter_mut() {
            let ports = ct.plan.as_ref().map(|p| p.ports.clone()).unwrap_or_default();
            if ports.is_empty() || !matches!(ct.state, State::Running { .. }) {
                continue;
            }
            let Some(ctx) = ct.ctx.as_mut() else { continue };
            let fs = rt.volumes.mounted(&mut ctx.fs, &ct.mounts, |fs| fs.clone());
            local.push(wire::Local { container: ct.name.clone(), image: ct.image.clone(), ports, fs, docroot: ct.docroot.clone() });
        }
        let ct = &mut rt.containers[k];
        let Some(ctx) = ct.ctx.as_mut() else { return Err(ExecError::NoContainer(container.to_string())) };
        let runtime::Context { fs: root, env, hostname, flavor } = ctx;
        let mut wire = wire::Wire {
            kubelets: self,
            net,
            client_ip: rt.ip.clone(),
            client_node: rt.node.clone(),
            client_uid: pod_uid.to_string(),
            hostname: hostname.clone(),
            local,
            now,
            logs: Vec::new(),
            outside: false,
        };
        let mut programs = wire::Programs { wire: &mut wire, tools, bind, tty, start: now };
        let (output, code, _) = rt.volumes.mounted(root, &ct.mounts, |fs| probes::run_argv_with(fs, env, hostname, *flavor, argv, now, Some(&mut programs), tty));
        let logs = std::mem::take(&mut wire.logs);
        // The files may have changed: look at the probes again at the next sync.
        ct.next = None;
        Ok((ExecOutput { output, code }, logs))
    }

    /// Gives the kubelets their nodes' static pod manifests and the images their nodes start with.
    pub fn configure(&mut self, static_pods: BTreeMap<String, Vec<Value>>, preloaded: &[String]) {
        self.static_pods = static_pods;
        self.preloaded = preloaded.iter().map(|i| qualified(i)).collect();
    }

    /// Stops a node's kubelet (`down`) or starts it again.
    pub fn set_down(&mut self, node: &str, down: bool) {
        self.epoch += 1;
        if down {
            self.down.insert(node.to_string());
        } else {
            self.down.remove(node);
        }
    }

    pub fn is_down(&self, node: &str) -> bool {
        self.down.contains(node)
    }

    /// A running kubelet keeps its node's Lease fresh and, after an outage, reports the node
    /// healthy again.
    fn heartbeat(&mut self, c: &mut Client, node: &Value) {
        let now = c.now();
        let node_name = name(node).to_string();
        match c.get("leases.coordination.k8s.io", "kube-node-lease", &node_name) {
            None => {
                let lease = json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": {"name": node_name, "namespace": "kube-node-lease", "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": node["metadata"]["uid"]}]},
                    "spec": {"holderIdentity": node_name, "leaseDurationSeconds": 40, "renewTime": micro_time(now)}});
                let _ = c.create("coordination.k8s.io/v1", "leases", "kube-node-lease", lease);
            }
            Some(lease) => {
                let renewed = lease["spec"]["renewTime"].as_str().and_then(Timestamp::parse_rfc3339).unwrap_or_default();
                if now >= renewed.plus(LEASE_RENEW) {
                    let mut next = (*lease).clone();
                    next["spec"]["renewTime"] = json!(micro_time(now));
                    let _ = c.update("coordination.k8s.io/v1", "leases", next);
                }
            }
        }
        let healthy = node["status"]["conditions"].as_array().into_iter().flatten().all(|x| if x["type"] == "Ready" { x["status"] == "True" } else { x["status"] == "False" });
        if !healthy {
            let ts = now.rfc3339();
            let mut next = node.clone();
            if let Some(conds) = next["status"]["conditions"].as_array_mut() {
                for cond in conds.iter_mut() {
                    let (status, reason, message) = match cond["type"].as_str().unwrap_or_default() {
                        "MemoryPressure" => ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                        "DiskPressure" => ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                        "PIDPressure" => ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                        _ => ("True", "KubeletReady", "kubelet is posting ready status"),
                    };
                    cond["status"] = json!(status);
                    cond["reason"] = json!(reason);
                    cond["message"] = json!(message);
                    cond["lastHeartbeatTime"] = json!(ts);
                    cond["lastTransitionTime"] = json!(ts);
                }
            }
            let _ = c.update_status("v1", "nodes", next);
            let mut about = node.clone();
            about["apiVersion"] = json!("v1");
            about["kind"] = json!("Node");
            c.event(&about, "Normal", "NodeReady", &format!("Node {node_name} status is now: NodeReady"));
        }
        if self.images_changed.remove(&node_name) || node["status"]["images"].is_null() {
            self.report_images(c, &node_name);
        }
    }

    /// Writes the images the node has into its status, as the kubelet's status loop does:
    /// biggest first, digest then tag, at most [`NODE_STATUS_MAX_IMAGES`].
    fn report_images(&self, c: &mut Client, node_name: &str) {
        let catalog = Catalog::builtin();
        let mut images: Vec<(i64, String)> = crate::sort::set(self.preloaded.iter().chain(self.cached.get(node_name).into_iter().flatten()))
            .into_iter()
            .filter_map(|q| catalog.find(q).map(|img| (img.size as i64, q.clone())))
            .collect();
        images.order_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        images.truncate(NODE_STATUS_MAX_IMAGES);
        let list: Vec<Value> = images
            .into_iter()
            .map(|(size, q)| json!({"names": [format!("{}@sha256:{:064x}", images::repository_of_qualified(&q), fnv(&q)), q], "sizeBytes": size}))
            .collect();
        if let Some(fresh) = c.get("nodes", "", node_name) {
            if fresh["status"]["images"] != Value::Array(list.clone()) {
                let mut next = (*fresh).clone();
                next["status"]["images"] = Value::Array(list);
                let _ = c.update_status("v1", "nodes", next);
            }
        }
    }

    /// Whether the last pass ran out of budget with pods left to look at.
    pub fn cut_short(&self) -> bool {
        self.synced.cut_short()
    }

    pub fn sync(&mut self, c: &mut Client) {
        // Where the next pass's look at what changed starts: before the nodes are read here.
        let looked = c.api.store().resource_version();
        let all_nodes: BTreeMap<String, Arc<Value>> = crate::sort::map(c.list("nodes", None).into_iter().map(|n| (name(&n).to_string(), n)));
        c.component = "kubelet";
        for (node_name, node) in &all_nodes {
            // Under a budget, the leases of 5,000 nodes are renewed over several slices.
            if c.spent() {
                break;
            }
            if !self.down.contains(node_name) {
                c.host = Some(node_name.clone());
                let lease = c.api.store().get("leases.coordination.k8s.io", "kube-node-lease", node_name);
                let due = lease.as_ref().and_then(|l| l.object["spec"]["renewTime"].as_str().and_then(Timestamp::parse_rfc3339)).is_none_or(|t| c.now() >= t.plus(LEASE_RENEW));
                let inputs = vec![resource_version(node), lease.map_or(0, |l| l.resource_version), u64::from(due), u64::from(self.images_changed.contains(node_name))];
                let mut beats = std::mem::take(&mut self.beats);
                beats.run(c, node_name.clone(), inputs, |c| self.heartbeat(c, node));
                self.beats = beats;
            } else if let Some(renewed) = c.get("leases.coordination.k8s.io", "kube-node-lease", node_name).and_then(|l| l["spec"]["renewTime"].as_str().and_then(Timestamp::parse_rfc3339)) {
                // The node controller will find this lease expired then.
                let expiry = renewed.plus(crate::controllers::NODE_MONITOR_GRACE);
                if expiry > c.now() {
                    c.wake_at(expiry);
                }
            }
        }
        // A stopped kubelet does nothing for its pods.
        let nodes: BTreeMap<String, Arc<Value>> = crate::sort::map(all_nodes.into_iter().filter(|(n, _)| !self.down.contains(n)));
        for (node_name, manifests) in &self.static_pods {
            if let Some(node) = nodes.get(node_name) {
                c.host = Some(node_name.clone());
                static_pods::ensure_mirrors(c, node, manifests);
            }
        }
        let deps = POD_SYNC_READS.iter().map(|r| c.api.store().last_write(r)).max().unwrap_or(0);
        let seen = Quiet { pods: c.api.store().last_write("pods"), nodes: c.api.store().last_write("nodes"), deps, epoch: self.epoch };
        if let Some(quiet) = self.quiet.as_ref().filter(|q| q.covers(&seen, c.now())) {
            if let Some(w) = quiet.wake {
                c.wake_at(w);
            }
            c.host = None;
            return;
        }
        self.quiet = None;
        let now = c.now();
        let on_live_node = |p: &Value| p["spec"]["nodeName"].as_str().is_some_and(|n| nodes.contains_key(n));
        let epoch = self.epoch;
        let all_pods = |c: &Client| -> Vec<Arc<Value>> { c.list("pods", None).into_iter().filter(|p| on_live_node(p)).collect() };
        // Every pod, and the end of those no longer running on a node whose kubelet runs.
        let everything = |c: &Client, synced: &mut Tracker, runtimes: &BTreeMap<String, PodRuntime>| {
            let pods = all_pods(c);
            // Only asked whether it holds a uid: not copied, not sorted (10,000 uids).
            let live: std::collections::HashSet<&str> = pods.iter().map(|p| uid(p)).collect();
            let gone: Vec<String> = runtimes.keys().filter(|k| !live.contains(k.as_str())).cloned().collect();
            synced.retain(|id| live.contains(id));
            (pods.iter().map(|p| obj_name(p)).collect::<BTreeSet<ObjName>>(), gone)
        };
        let (mut keys, gone, narrowed) = match self.synced.plan(c.api.store(), deps, epoch, now) {
            Some(plan) => {
                // (Gone from the store: a pod that was never started here has nothing to end.)
                let gone: Vec<String> = plan.gone.into_iter().filter(|id| self.pods.contains_key(id)).collect();
                (plan.keys, gone, true)
            }
            None => {
                let (keys, gone) = everything(c, &mut self.synced, &self.pods);
                (keys, gone, false)
            }
        };
        #[cfg(debug_assertions)]
        if narrowed {
            self.check_plan(c, &all_pods(c), &keys, &gone, &nodes, deps);
        }
        for uid in &gone {
            self.synced.release(uid);
            if let Some(rt) = self.pods.remove(uid) {
                // Persistent volumes and the node's directories keep what the pod wrote.
                if push_shared(&mut self.disks, &rt.volumes) {
                    self.epoch += 1;
                }
            }
            c.api.drop_logs(uid);
        }
        if narrowed && self.epoch != epoch {
            // A shared disk written by a pod gone: every pod's sync is to be looked at again.
            keys = everything(c, &mut self.synced, &self.pods).0;
        }
        self.synced.looked(looked, deps, self.epoch);
        // Whether every pod's last sync held.
        let mut all_held = true;
        // Each pod is read as it is when its turn comes.
        while let Some(key) = keys.pop_first() {
            let Some(pod) = c.api.store().get("pods", &key.0, &key.1).map(|s| s.object).filter(|p| on_live_node(p)) else { continue };
            if c.spent() {
                all_held = false;
                keys.insert(key);
                self.synced.defer(keys);
                break;
            }
            let node = nodes[pod["spec"]["nodeName"].as_str().unwrap_or_default()].clone();
            let id = uid(&pod).to_string();
            let inputs = SyncInputs { pod_rv: resource_version(&pod), node_rv: resource_version(&node), deps, epoch: self.epoch };
            if self.synced.get(&id).is_some_and(|last| last.covers(&inputs, now)) {
                continue;
            }
            all_held = false;
            c.component = "kubelet";
            c.host = Some(name(&node).to_string());
            let before = c.api.store().resource_version();
            let wake = c.wake_of(|c| self.sync_pod(c, &pod, &node));
            if c.api.store().resource_version() == before {
                c.did_unwritten_work();
            }
            // As it is now, after what the sync itself wrote.
            let store = c.api.store();
            let pod_rv = store.get("pods", &key.0, &key.1).map_or(0, |s| s.resource_version);
            let node_rv = store.get("nodes", "", name(&node)).map_or(0, |s| s.resource_version);
            self.synced.hold(id, key, Held { inputs: SyncInputs { pod_rv, node_rv, deps, epoch: self.epoch }, until: now.plus(VOLUME_SYNC), wake });
        }
        // The pods not looked at hold: their wake-ups are asked for again.
        let earliest = self.synced.earliest_wake_after(now);
        if let Some(w) = earliest {
            c.wake_at(w);
        }
        let until = self.synced.earliest_until();
        if all_held {
            self.quiet = Some(Held { inputs: seen, until: until.unwrap_or_else(|| c.now().plus(VOLUME_SYNC)), wake: earliest });
        }
        c.host = None;
    }

    /// Checks (in debug builds: every test) that a pass narrowed by the tracker looks at every
    /// pod a pass over all of them would sync, and ends every pod it would end.
    #[cfg(debug_assertions)]
    fn check_plan(&self, c: &Client, all: &[Arc<Value>], planned: &BTreeSet<ObjName>, gone: &[String], nodes: &BTreeMap<String, Arc<Value>>, deps: u64) {
        for pod in all {
            let node = &nodes[pod["spec"]["nodeName"].as_str().unwrap_or_default()];
            let inputs = SyncInputs { pod_rv: resource_version(pod), node_rv: resource_version(node), deps, epoch: self.epoch };
            let held = self.synced.get(uid(pod)).is_some_and(|last| last.covers(&inputs, c.now()));
            assert!(held || planned.contains(&obj_name(pod)), "the kubelets' tracker missed pod {}/{}: {:?} now {:?} inputs {:?}", namespace(pod), name(pod), self.synced.get(uid(pod)), c.now(), inputs);
        }
        let live: BTreeSet<&str> = all.iter().map(|p| uid(p)).collect();
        for id in self.pods.keys().filter(|id| !live.contains(id.as_str())) {
            assert!(gone.contains(id), "the kubelets' tracker missed the end of pod {id}");
        }
    }

    fn sync_pod(&mut self, c: &mut Client, pod: &Arc<Value>, node: &Value) {
        let now = c.now();
        let id = uid(pod).to_string();
        if matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) && pod["metadata"]["deletionTimestamp"].is_null() && !self.pods.contains_key(&id) {
            return;
        }
        if !self.pods.contains_key(&id) {
            let ip = if pod["spec"]["hostNetwork"] == true { node_ip(node) } else { self.allocate_ip(node) };
            let mut containers = Vec::new();
            for (list, init) in [("initContainers", true), ("containers", false)] {
                for spec in pod["spec"][list].as_array().into_iter().flatten() {
                    containers.push(self.new_container(spec, init, false));
                }
            }
            self.pods.insert(id.clone(), PodRuntime { volumes: PodVolumes::default(), volumes_ready: false, volumes_synced: now, node: name(node).to_string(), ip, host_ip: node_ip(node), started: now, containers, stopping_since: None, over_since: None, evicted: None });
        }
        // Ephemeral containers join a running pod when they are added to it.
        let added: Vec<Value> = {
            let rt = &self.pods[&id];
            pod["spec"]["ephemeralContainers"].as_array().into_iter().flatten().filter(|e| !rt.containers.iter().any(|c| c.ephemeral && e["name"] == c.name.as_str())).cloned().collect()
        };
        for spec in added {
            let ct = self.new_container(&spec, false, true);
            self.pods.get_mut(&id).expect("runtime").containers.push(ct);
        }
        self.advance(c, pod, &id);
        self.report(c, pod, &id);
    }

    /// A container as the kubelet first knows it: waiting to be created.
    fn new_container(&mut self, spec: &Value, init: bool, ephemeral: bool) -> Container {
                    let hex: String = (0..4).map(|_| format!("{:016x}", self.rng().next_u64())).collect();
                    Container {
                        name: spec["name"].as_str().unwrap_or_default().to_string(),
                        image: spec["image"].as_str().unwrap_or_default().to_string(),
                        init,
                        ephemeral,
                        spec: spec.clone(),
                        state: State::Waiting { reason: if init { "PodInitializing".into() } else { "ContainerCreating".into() }, message: None },
                        last: None,
                        restarts: 0,
                        id: format!("containerd://{hex}"),
                        last_id: String::new(),
                        next: None,
                        step: Step::Idle,
                        plan: None,
                        logged: 0,
                        ready: false,
                        backoff: 0,
                        ctx: None,
                        applied: 0,
                        probes: Vec::new(),
                        started: false,
                        kill: None,
                        docroot: None,
                        hook_until: None,
                        hook_error: None,
                        // Laid out when it starts (subPathExpr takes its environment).
                        mounts: Vec::new(),
                    }
    }

    /// Moves every container of a pod along its steps up to now, with its shared volumes as
    /// their disks hold them.
    fn advance(&mut self, c: &mut Client, pod: &Arc<Value>, id: &str) {
        if let Some(rt) = self.pods.get_mut(id) {
            pull_shared(&mut self.disks, &mut rt.volumes);
        }
        self.advance_containers(c, pod, id);
        if let Some(rt) = self.pods.get(id) {
            if push_shared(&mut self.disks, &rt.volumes) {
                self.epoch += 1;
            }
        }
    }

    fn advance_containers(&mut self, c: &mut Client, pod: &Arc<Value>, id: &str) {
        let now = c.now();
        let catalog = Catalog::builtin();
        let t = &catalog.timings;
        let restart_policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always").to_string();
        let deleting = pod["metadata"]["deletionTimestamp"].is_string();
        let grace = pod["metadata"]["deletionGracePeriodSeconds"].as_i64().unwrap_or(30);
        let pod_obj = pod_ref(pod);
        let node_name = self.pods[id].node.clone();
        let ns = namespace(pod).to_string();
        let pod_name = name(pod).to_string();
        // Volumes are set up before any container starts; a missing source keeps the pod waiting.
        if !deleting && !self.pods[id].volumes_ready {
            let memory = node_memory(c.get("nodes", "", &node_name).as_deref());
            let disk = self.node_disk(&node_name);
            match PodVolumes::build(pod, &ApiLookup(c), &volumes::Node { name: &node_name, disk, memory }, now) {
                Ok(v) => {
                    let rt = self.pods.get_mut(id).expect("runtime exists");
                    rt.volumes = v;
                    // Shared volumes start with what their disks hold.
                    pull_shared(&mut self.disks, &mut rt.volumes);
                    rt.volumes_ready = true;
                    rt.volumes_synced = now;
                }
                Err(volumes::NotReady::Failed(msg)) => {
                    c.event(&pod_obj, "Warning", "FailedMount", &msg);
                    return;
                }
                Err(volumes::NotReady::Waiting) => return,
            }
        } else if !deleting && now.since(self.pods[id].volumes_synced) >= VOLUME_SYNC {
            // Mounted ConfigMaps and Secrets follow their source at the periodic sync (their
            // values in environment variables do not).
            let memory = node_memory(c.get("nodes", "", &node_name).as_deref());
            let disk = disk(&mut self.disks, &format!("node/{node_name}"));
            let rt = self.pods.get_mut(id).expect("runtime exists");
            rt.volumes_synced = now;
            if rt.volumes.refresh(pod, &ApiLookup(c), &volumes::Node { name: &node_name, disk, memory }, now) {
                for ct in rt.containers.iter_mut() {
                    ct.next = None;
                }
            }
        }
        if deleting {
            let rt = self.pods.get_mut(id).expect("runtime exists");
            let since = *rt.stopping_since.get_or_insert(now);
            let mut all_stopped = true;
            let mut events = Vec::new();
            let pod_ip = rt.ip.clone();
            let pod_desc = format!("{pod_name}_{ns}({id})");
            let mut hook_failures = Vec::new();
            let vols = &mut rt.volumes;
            for ct in &mut rt.containers {
                if let State::Running { since: started } = ct.state {
                    if ct.step != Step::Done {
                        let handles = ct.plan.as_ref().is_some_and(|p| p.handles_term);
                        // preStop runs first (within the grace period), then SIGTERM.
                        let pre_stop = ct.spec["lifecycle"]["preStop"].clone();
                        let hook = if pre_stop.is_object() {
                            let (result, took) = ct.run_hook(vols, &pre_stop, &pod_ip, &pod_desc, since);
                            if result.is_err() {
                                hook_failures.push(ct.name.clone());
                            }
                            Some(took.min(grace as f64))
                        } else {
                            None
                        };
                        let stop_at = match hook {
                            Some(d) if handles => since.plus(Duration::from_secs_f64(d + t.stop_seconds)),
                            Some(d) => since.plus(Duration::from_secs_f64((grace as f64).max(d + 2.0))),
                            None => since.plus(if handles { Duration::from_secs_f64(t.stop_seconds) } else { Duration::from_secs(grace) }),
                        };
                        if ct.next.is_none_or(|n| n != stop_at) && ct.step != Step::Done {
                            events.push(format!("Stopping container {}", ct.name));
                        }
                        ct.next = Some(stop_at);
                        ct.step = Step::Done;
                        if now >= stop_at {
                            ct.state = State::Terminated { code: if handles { 0 } else { 137 }, reason: if handles { "Completed".into() } else { "Error".into() }, started, finished: now };
                        } else {
                            all_stopped = false;
                        }
                    }
                }
                if let (Step::Done, Some(n), State::Running { since: started }) = (ct.step, ct.next, ct.state.clone()) {
                    if now >= n {
                        let handles = ct.plan.as_ref().is_some_and(|p| p.handles_term);
                        ct.state = State::Terminated { code: if handles { 0 } else { 137 }, reason: if handles { "Completed".into() } else { "Error".into() }, started, finished: n };
                    } else {
                        all_stopped = false;
                        c.wake_at(n);
                    }
                }
            }
            for ct_name in hook_failures {
                c.event_at(&pod_obj, "Warning", "FailedPreStopHook", "PreStopHook failed", Some(&format!("spec.containers{{{ct_name}}}")));
            }
            for e in events {
                let ct_name = e.trim_start_matches("Stopping container ").to_string();
                c.event_at(&pod_obj, "Normal", "Killing", &e, Some(&format!("spec.containers{{{ct_name}}}")));
            }
            if all_stopped {
                let _ = c.delete("v1", "pods", &ns, &pod_name, Some(0));
            }
            return;
        }
        // The eviction manager: an emptyDir holding more than its sizeLimit gets its pod evicted
        // at the manager's next look.
        let rt = self.pods.get_mut(id).expect("runtime exists");
        if rt.evicted.is_none() {
            match rt.volumes.over_limit(pod) {
                Some((vol, limit)) => {
                    let due = rt.over_since.get_or_insert(now).plus(EVICTION_MONITORING);
                    if now >= due {
                        let msg = format!("Usage of EmptyDir volume {vol:?} exceeds the limit {limit:?}. ");
                        for ct in &mut rt.containers {
                            if let State::Running { since } = ct.state {
                                ct.state = State::Terminated { code: 137, reason: "ContainerStatusUnknown".into(), started: since, finished: now };
                            }
                            ct.step = Step::Done;
                            ct.next = None;
                            ct.ready = false;
                        }
                        rt.evicted = Some(msg.clone());
                        c.event(&pod_obj, "Warning", "Evicted", &msg);
                    } else {
                        c.wake_at(due);
                    }
                }
                None => rt.over_since = None,
            }
        }
        if rt.evicted.is_some() {
            return;
        }
        // Init containers run one after the other; app containers start when they are done.
        let n = self.pods[id].containers.len();
        for i in 0..n {
            let (init, blocked) = {
                let rt = &self.pods[id];
                let ct = &rt.containers[i];
                let blocked = ct.init && rt.containers[..i].iter().any(|p| p.init && !matches!(p.state, State::Terminated { code: 0, .. }))
                    || !ct.init && rt.containers.iter().any(|p| p.init && !matches!(p.state, State::Terminated { code: 0, .. }));
                (ct.init, blocked)
            };
            if blocked {
                continue;
            }
            let policy = if self.pods[id].containers[i].ephemeral { "Never" } else { restart_policy.as_str() };
            self.step_container(c, pod, &pod_obj, id, i, &node_name, policy, init, now);
        }
        // A container's next step is due then (a step that sets it may return without asking).
        for n in self.pods[id].containers.iter().filter_map(|ct| ct.next).filter(|n| *n > now) {
            c.wake_at(n);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn step_container(&mut self, c: &mut Client, pod: &Value, about: &Value, id: &str, i: usize, node: &str, restart_policy: &str, init: bool, now: Timestamp) {
        let catalog = Catalog::builtin();
        let t = &catalog.timings;
        let ns = namespace(pod).to_string();
        let pod_name = name(pod).to_string();
        // Loop while steps complete within `now`.
        for _ in 0..16 {
            let (step, next) = {
                let ct = &self.pods[id].containers[i];
                (ct.step, ct.next)
            };
            if let Some(n) = next {
                if n > now {
                    c.wake_at(n);
                    return;
                }
            }
            let field = |ct: &Container| format!("spec.{}{{{}}}", if ct.init { "initContainers" } else if ct.ephemeral { "ephemeralContainers" } else { "containers" }, ct.name);
            match step {
                Step::Idle | Step::PullBackOff => {
                    let (image, ct_field) = {
                        let ct = &self.pods[id].containers[i];
                        (ct.image.clone(), field(ct))
                    };
                    let cached = self.preloaded.contains(&qualified(&image)) || self.cached.get(node).is_some_and(|s| s.contains(&qualified(&image)));
                    match catalog.find(&image) {
                        None => {
                            let q = qualified(&image);
                            let msg = format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{q}\": failed to resolve reference \"{q}\": {q}: not found");
                            let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                            let first = step == Step::Idle;
                            ct.backoff = if first { t.backoff_initial_seconds } else { (ct.backoff * 2).min(t.backoff_max_seconds) };
                            ct.state = State::Waiting { reason: "ErrImagePull".into(), message: Some(msg.clone()) };
                            ct.step = Step::PullBackOff;
                            ct.next = Some(now.plus(Duration::from_secs(ct.backoff)));
                            c.event_at(about, "Normal", "Pulling", &format!("Pulling image \"{image}\""), Some(&ct_field));
                            c.event_at(about, "Warning", "Failed", &msg, Some(&ct_field));
                            c.event_at(about, "Warning", "Failed", "Error: ErrImagePull", Some(&ct_field));
                            if !first {
                                let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                                ct.state = State::Waiting { reason: "ImagePullBackOff".into(), message: Some(format!("Back-off pulling image \"{image}\": ErrImagePull: {msg}")) };
                                c.event_at(about, "Normal", "BackOff", &format!("Back-off pulling image \"{image}\""), Some(&ct_field));
                                c.event_at(about, "Warning", "Failed", "Error: ImagePullBackOff", Some(&ct_field));
                            }
                            return;
                        }
                        Some(img) => {
                            let policy = self.pods[id].containers[i].spec["imagePullPolicy"].as_str().unwrap_or("IfNotPresent").to_string();
                            let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                            if cached && policy != "Always" {
                                c.event_at(about, "Normal", "Pulled", &format!("Container image \"{image}\" already present on machine"), Some(&ct_field));
                                ct.step = Step::Starting;
                                ct.next = Some(now.plus(Duration::from_secs_f64(t.start_seconds)));
                            } else {
                                let pull = if cached { 0.4 } else { (img.size as f64 / 10_000_000.0 * t.pull_seconds_per10_mb).max(t.pull_min_seconds) };
                                ct.step = Step::Pulling;
                                ct.next = Some(now.plus(Duration::from_secs_f64(pull)));
                                c.event_at(about, "Normal", "Pulling", &format!("Pulling image \"{image}\""), Some(&ct_field));
                            }
                        }
                    }
                }
                Step::Pulling => {
                    let (image, ct_field, started) = {
                        let ct = &self.pods[id].containers[i];
                        (ct.image.clone(), field(ct), ct.next)
                    };
                    let size = catalog.find(&image).map_or(0, |i| i.size);
                    let began = started.map_or(now, |s| s);
                    let took = self.pods[id].started.max(began);
                    let _ = took;
                    let duration = catalog.find(&image).map_or(0.0, |img| (img.size as f64 / 10_000_000.0 * t.pull_seconds_per10_mb).max(t.pull_min_seconds));
                    c.event_at(about, "Normal", "Pulled", &format!("Successfully pulled image \"{image}\" in {}s ({}s including waiting). Image size: {size} bytes.", fmt_secs(duration), fmt_secs(duration)), Some(&ct_field));
                    if self.cached.entry(node.to_string()).or_default().insert(qualified(&image)) {
                        self.images_changed.insert(node.to_string());
                    }
                    let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                    ct.step = Step::Starting;
                    ct.next = Some(now.plus(Duration::from_secs_f64(t.start_seconds)));
                }
                Step::Starting => {
                    let (image, ct_field, ct_name) = {
                        let ct = &self.pods[id].containers[i];
                        (ct.image.clone(), field(ct), ct.name.clone())
                    };
                    let Some(img) = catalog.find(&image) else { return };
                    let start = next.unwrap_or(now);
                    // The environment first: a missing ConfigMap, Secret or key stops here.
                    let (pod_ip, host_ip) = (self.pods[id].ip.clone(), self.pods[id].host_ip.clone());
                    let spec = self.pods[id].containers[i].spec.clone();
                    let resolved = env::resolve(pod, &spec, &env::PodFacts { pod_ip: &pod_ip, host_ip: &host_ip }, &ApiLookup(c));
                    let vars = match resolved {
                        Ok(v) => v,
                        Err(msg) => {
                            let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                            let waiting = State::Waiting { reason: "CreateContainerConfigError".into(), message: Some(msg.clone()) };
                            if ct.state != waiting {
                                ct.state = waiting;
                                c.event_at(about, "Warning", "Failed", &format!("Error: {msg}"), Some(&ct_field));
                            }
                            ct.next = None;
                            return;
                        }
                    };
                    c.event_at(about, "Normal", "Created", &format!("Created container: {ct_name}"), Some(&ct_field));
                    c.event_at(about, "Normal", "Started", &format!("Started container {ct_name}"), Some(&ct_field));
                    // A restart is a new container, with a new id, fresh files and a fresh log.
                    if self.pods[id].containers[i].plan.is_some() {
                        let hex: String = (0..4).map(|_| format!("{:016x}", self.rng().next_u64())).collect();
                        c.api.rotate_log(id, &ct_name);
                        let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                        ct.last_id = std::mem::replace(&mut ct.id, format!("containerd://{hex}"));
                    }
                    let hostname = netfiles::hostname(pod);
                    let words = |k: &str| -> Vec<String> { spec[k].as_array().into_iter().flatten().filter_map(|v| v.as_str()).map(|v| env::expand(v, &vars)).collect() };
                    let (command, args) = (words("command"), words("args"));
                    let mut files = img.filesystem();
                    files.clock = start.unix_millis() / 1000;
                    files.mounts = base_mounts();
                    let _ = files.write("/etc/resolv.conf", &netfiles::resolv_conf(pod, &ns, &host_ip), false);
                    let _ = files.write("/etc/hosts", &netfiles::hosts(pod, &ns, &pod_ip), false);
                    let _ = files.write("/etc/hostname", &format!("{hostname}\n"), false);
                    // subPathExpr takes the container's variables.
                    let mut mounts: Vec<volumes::Mount> = volumes::mounts_of(&spec, pod)
                        .into_iter()
                        .map(|mut m| {
                            if m.expr {
                                m.sub_path = env::expand(&m.sub_path, &vars);
                            }
                            m
                        })
                        .collect();
                    self.pods[id].volumes.pin(&mut mounts);
                    self.pods.get_mut(id).expect("runtime").containers[i].mounts = mounts.clone();
                    let ctx = runtime::Context { fs: files, env: vars, hostname, flavor: img.flavor };
                    // The plan runs on a copy of the files with the volumes laid over them.
                    let mut scratch_vols = self.pods[id].volumes.clone();
                    let mut scratch = ctx.fs.clone();
                    let mut p = scratch_vols.mounted(&mut scratch, &mounts, |fs| plan(img, &command, &args, &runtime::Context { fs: fs.clone(), ..ctx.clone() }, start));
                    // Two servers in one pod share its network: the later one cannot bind a taken port.
                    let taken: Vec<i64> = self.pods[id]
                        .containers
                        .iter()
                        .enumerate()
                        .filter(|(j, o)| *j != i && matches!(o.state, State::Running { .. }))
                        .flat_map(|(_, o)| o.plan.as_ref().map(|p| p.ports.clone()).unwrap_or_default())
                        .collect();
                    if let (Some(conflict), Some(port)) = (&img.port_conflict, p.ports.iter().find(|port| taken.contains(port)).copied()) {
                        let mut lines: Vec<(f64, String)> = p.logs.iter().filter(|(at, _)| *at <= 0.1).cloned().collect();
                        lines.extend(conflict.logs.iter().enumerate().map(|(k, l)| ((k as f64 * 0.5).min(conflict.after_seconds), l.replace("${PORT}", &port.to_string()))));
                        p.logs = lines;
                        p.ports.clear();
                        p.exit = Some((conflict.after_seconds, 1));
                    }
                    // A shell whose standard input stays open (`stdin: true`, as kubectl debug and
                    // `kubectl run -i` make) waits for input instead of exiting.
                    if spec["stdin"] == true && lone_shell(img, &command, &args) {
                        p.exit = None;
                        p.logs.clear();
                    }
                    if let (images::Program::Leak { mebibytes_per_second }, true) = (&img.program, command.is_empty()) {
                        let limit = spec["resources"]["limits"]["memory"].as_str().and_then(|m| crate::api::quantity::Quantity::parse(m).ok()).map(|q| q.value() as f64 / (1024.0 * 1024.0));
                        p.oom_after = limit.map(|l| (l / mebibytes_per_second).max(1.0));
                    }
                    let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                    ct.state = State::Running { since: start };
                    ct.logged = 0;
                    ct.applied = 0;
                    ct.ctx = Some(ctx);
                    ct.kill = None;
                    ct.hook_until = None;
                    ct.hook_error = None;
                    ct.docroot = img.docroot.clone();
                    ct.probes = [probes::Kind::Startup, probes::Kind::Liveness, probes::Kind::Readiness]
                        .into_iter()
                        .filter(|k| spec[k.field()].is_object())
                        .map(|k| probes::Prober::new(k, &spec[k.field()], start))
                        .collect();
                    ct.started = !ct.probes.iter().any(|p| p.kind == probes::Kind::Startup);
                    ct.ready = ct.started && !ct.probes.iter().any(|p| p.kind == probes::Kind::Readiness);
                    ct.plan = Some(p);
                    ct.step = Step::Running;
                    ct.next = None;
                    // postStart runs right after the start; until it returns the kubelet reports
                    // the container as still being created.
                    let post_start = spec["lifecycle"]["postStart"].clone();
                    if post_start.is_object() {
                        let pod_desc = format!("{pod_name}_{ns}({id})");
                        let rt = self.pods.get_mut(id).expect("runtime");
                        let vols = &mut rt.volumes;
                        let ct = &mut rt.containers[i];
                        let (result, took) = ct.run_hook(vols, &post_start, &pod_ip, &pod_desc, start);
                        let done = start.plus(Duration::from_secs_f64(took));
                        match result {
                            Ok(()) => {
                                if done > start {
                                    ct.hook_until = Some(done);
                                    ct.next = Some(done);
                                }
                            }
                            Err(msg) => {
                                c.event_at(about, "Warning", "FailedPostStartHook", "PostStartHook failed", Some(&ct_field));
                                c.event_at(about, "Normal", "Killing", "FailedPostStartHook", Some(&ct_field));
                                let handles = ct.plan.as_ref().is_some_and(|p| p.handles_term);
                                let grace = pod["spec"]["terminationGracePeriodSeconds"].as_i64().unwrap_or(30);
                                let end = if handles { done.plus(Duration::from_secs_f64(t.stop_seconds)) } else { done.plus(Duration::from_secs(grace.max(2))) };
                                ct.kill = Some((end, if handles { 0 } else { 137 }, if handles { "Completed".into() } else { "Error".into() }));
                                ct.hook_error = Some(msg);
                            }
                        }
                    }
                }
                Step::Running => {
                    let (pod_ip, node_name) = (self.pods[id].ip.clone(), self.pods[id].node.clone());
                    let _ = node_name;
                    let grace = pod["spec"]["terminationGracePeriodSeconds"].as_i64().unwrap_or(30);
                    let rt = self.pods.get_mut(id).expect("runtime");
                    let vols = &mut rt.volumes;
                    let ct = &mut rt.containers[i];
                    let State::Running { since } = ct.state else { return };
                    let plan = ct.plan.clone().unwrap_or_else(Plan::idle);
                    let ct_field = field(ct);
                    let ct_name = ct.name.clone();
                    let restarts_allowed = match (restart_policy, init) {
                        ("Never", _) => false,
                        ("OnFailure", _) | (_, true) => true,
                        _ => true,
                    };
                    // Follow the container up to now: file changes, probe attempts and exits in
                    // time order.
                    let mut exit: Option<(Timestamp, i64, String)> = None;
                    for _ in 0..MAX_PROBE_ATTEMPTS_PER_SYNC {
                        let exit_at = plan
                            .exit
                            .map(|(after, code)| (since.plus(Duration::from_secs_f64(after)), code, if code == 0 { "Completed" } else { "Error" }.to_string()))
                            .into_iter()
                            .chain(plan.oom_after.map(|after| (since.plus(Duration::from_secs_f64(after)), 137, "OOMKilled".to_string())))
                            .chain(ct.kill.clone())
                            .min_by_key(|x| x.0);
                        let probe_at = if ct.kill.is_some() { None } else { ct.active_probes().map(|p| p.next).min() };
                        let t_next = [exit_at.as_ref().map(|x| x.0), probe_at].into_iter().flatten().min();
                        let horizon = t_next.map_or(now, |t| t.min(now));
                        ct.apply_effects(vols, horizon);
                        let Some(t_next) = t_next.filter(|t| *t <= now) else { break };
                        if let Some(x) = exit_at.filter(|x| x.0 == t_next) {
                            exit = Some(x);
                            break;
                        }
                        // Probe attempts due at t_next.
                        let due: Vec<usize> = ct.probes.iter().enumerate().filter(|(_, p)| p.next <= t_next && (ct.started || p.kind == probes::Kind::Startup)).map(|(k, _)| k).collect();
                        for k in due {
                            let verdict = ct.attempt(vols, k, &pod_ip, t_next, false);
                            let kind = ct.probes[k].kind;
                            if let Err(msg) = &verdict {
                                c.event_at(about, "Warning", "Unhealthy", &format!("{} probe failed: {msg}", kind.title()), Some(&ct_field));
                            }
                            match (kind, ct.probes[k].record(verdict.is_ok())) {
                                (probes::Kind::Startup, Some(probes::Published::Success)) => {
                                    ct.started = true;
                                    for p in ct.probes.iter_mut().filter(|p| p.kind != probes::Kind::Startup) {
                                        p.begin_at(t_next);
                                    }
                                    ct.ready = !ct.probes.iter().any(|p| p.kind == probes::Kind::Readiness);
                                }
                                (probes::Kind::Startup | probes::Kind::Liveness, Some(probes::Published::Failure)) => {
                                    let what = if kind == probes::Kind::Startup { "startup" } else { "liveness" };
                                    let suffix = if restarts_allowed { ", will be restarted" } else { "" };
                                    c.event_at(about, "Normal", "Killing", &format!("Container {ct_name} failed {what} probe{suffix}"), Some(&ct_field));
                                    let probe_grace = ct.probes[k].spec["terminationGracePeriodSeconds"].as_i64().unwrap_or(grace).max(2);
                                    let (done, code) = if plan.handles_term { (t_next.plus(Duration::from_secs_f64(t.stop_seconds)), 0) } else { (t_next.plus(Duration::from_secs(probe_grace)), 137) };
                                    ct.kill = Some((done, code, if code == 0 { "Completed".into() } else { "Error".into() }));
                                    ct.ready = false;
                                }
                                (probes::Kind::Readiness, Some(p)) => ct.ready = p == probes::Published::Success,
                                _ => {}
                            }
                            if ct.kill.is_some() {
                                break;
                            }
                        }
                    }
                    match exit {
                        Some((at, code, reason)) => {
                            ct.state = State::Terminated { code, reason: reason.clone(), started: since, finished: at };
                            ct.write_logs(c, id, at);
                            ct.ready = false;
                            ct.kill = None;
                            let restart = match (restart_policy, init) {
                                ("Never", _) => false,
                                ("OnFailure", _) => code != 0,
                                (_, true) => code != 0,
                                _ => true,
                            };
                            if restart {
                                // The first restart is immediate; later ones wait in CrashLoopBackOff,
                                // 10 s doubling up to 5 min.
                                ct.backoff = match ct.restarts {
                                    0 => 0,
                                    1 => t.backoff_initial_seconds,
                                    _ => (ct.backoff * 2).min(t.backoff_max_seconds),
                                };
                                let wait = ct.backoff;
                                ct.step = Step::BackOff;
                                ct.next = Some(at.plus(Duration::from_secs(wait)));
                                if wait > 0 {
                                    let backoff = ct.backoff;
                                    ct.last = Some(ct.state.clone());
                                    ct.state = State::Waiting { reason: "CrashLoopBackOff".into(), message: Some(format!("back-off {backoff}s restarting failed container={ct_name} pod={pod_name}_{ns}({id})")) };
                                    c.event_at(about, "Warning", "BackOff", &format!("Back-off restarting failed container {ct_name} in pod {pod_name}_{ns}({id})"), Some(&ct_field));
                                }
                            } else {
                                ct.step = Step::Done;
                                ct.next = None;
                                return;
                            }
                        }
                        None => {
                            // Wake for what can change something: the exit, a kill, file changes
                            // a probe may see, and attempts that would move a probe's result.
                            let mut wake: Vec<Timestamp> = Vec::new();
                            if let Some((after, _)) = plan.exit {
                                wake.push(since.plus(Duration::from_secs_f64(after)));
                            }
                            if let Some(after) = plan.oom_after {
                                wake.push(since.plus(Duration::from_secs_f64(after)));
                            }
                            if let Some(k) = &ct.kill {
                                wake.push(k.0);
                            }
                            if ct.kill.is_none() && !ct.probes.is_empty() {
                                if let Some((at, _)) = plan.effect(ct.applied) {
                                    wake.push(since.plus(Duration::from_secs_f64(at)));
                                }
                                let active: Vec<usize> = ct.probes.iter().enumerate().filter(|(_, p)| ct.started || p.kind == probes::Kind::Startup).map(|(k, _)| k).collect();
                                for k in active {
                                    let at = ct.probes[k].next;
                                    let ok = ct.attempt(vols, k, &pod_ip, at, true).is_ok();
                                    if ct.probes[k].would_change(ok) {
                                        wake.push(at);
                                    }
                                }
                            }
                            ct.next = wake.into_iter().min();
                            if let Some(n) = ct.next {
                                c.wake_at(n);
                            }
                            return;
                        }
                    }
                }
                Step::BackOff => {
                    // The back-off is over: a new container replaces the one that exited.
                    let ct = &mut self.pods.get_mut(id).expect("runtime").containers[i];
                    if matches!(ct.state, State::Terminated { .. }) {
                        ct.last = Some(ct.state.clone());
                    }
                    ct.restarts += 1;
                    ct.step = Step::Idle;
                    ct.next = None;
                }
                Step::Done => return,
            }
        }
    }

    /// Writes the pod's status (and its containers' new log lines) when it changed.
    fn report(&mut self, c: &mut Client, pod: &Arc<Value>, id: &str) {
        let Some(rt) = self.pods.get_mut(id) else { return };
        let now = c.now();
        // Logs written so far, and a wake-up for the next line.
        for ct in &mut rt.containers {
            if let Some(next) = ct.write_logs(c, id, now).filter(|n| *n > now) {
                c.wake_at(next);
            }
        }
        // While postStart runs the container still shows as being created; after it failed,
        // with the hook's error until it is killed.
        let shown = |ct: &Container| -> State {
            match (&ct.state, ct.hook_until, &ct.hook_error) {
                (State::Running { .. }, Some(until), _) if now < until => State::Waiting { reason: "ContainerCreating".into(), message: None },
                (State::Running { .. }, _, Some(msg)) => State::Waiting { reason: "PostStartHookError".into(), message: Some(msg.clone()) },
                (s, _, _) => s.clone(),
            }
        };
        let fmt_state = |s: &State| -> Value {
            match s {
                State::Waiting { reason, message } => {
                    let mut w = json!({"reason": reason});
                    if let Some(m) = message {
                        w["message"] = json!(m);
                    }
                    json!({"waiting": w})
                }
                State::Running { since } => json!({"running": {"startedAt": since.rfc3339()}}),
                State::Terminated { code, reason, started, finished } => {
                    json!({"terminated": {"containerID": "", "exitCode": code, "reason": reason, "startedAt": started.rfc3339(), "finishedAt": finished.rfc3339()}})
                }
            }
        };
        let statuses = |init: bool, ephemeral: bool| -> Vec<Value> {
            rt.containers
                .iter()
                .filter(|ct| ct.init == init && ct.ephemeral == ephemeral)
                .map(|ct| {
                    let q = qualified(&ct.image);
                    let mut s = json!({
                        "name": ct.name,
                        "image": q,
                        "imageID": "",
                        "ready": !ct.ephemeral && ct.ready && matches!(shown(ct), State::Running { .. }),
                        "restartCount": ct.restarts,
                        "started": matches!(shown(ct), State::Running { .. }),
                        "state": fmt_state(&shown(ct)),
                        "lastState": ct.last.as_ref().map_or(json!({}), fmt_state),
                    });
                    // The kubelet's prober never reports ephemeral containers as started.
                    if ct.ephemeral {
                        if let Some(m) = s.as_object_mut() {
                            m.remove("started");
                        }
                    }
                    if !matches!(ct.state, State::Waiting { .. }) || ct.last.is_some() {
                        s["containerID"] = json!(ct.id);
                        s["imageID"] = json!(format!("{}@sha256:{:064x}", images::repository_of_qualified(&q), fnv(&q)));
                        if let Some(t) = s["state"]["terminated"].as_object_mut() {
                            t.insert("containerID".into(), json!(ct.id));
                        }
                    }
                    if let Some(t) = s["lastState"]["terminated"].as_object_mut() {
                        // Waiting to restart, the last container is still the current id.
                        let last = if matches!(ct.state, State::Waiting { .. }) { &ct.id } else { &ct.last_id };
                        t.insert("containerID".into(), json!(last));
                    }
                    s
                })
                .collect()
        };
        let init_statuses = statuses(true, false);
        let app_statuses = statuses(false, false);
        let ephemeral_statuses = statuses(false, true);
        let inits_done = rt.containers.iter().filter(|c| c.init).all(|c| matches!(c.state, State::Terminated { code: 0, .. }));
        let apps: Vec<&Container> = rt.containers.iter().filter(|c| !c.init && !c.ephemeral).collect();
        let all_ready = !apps.is_empty() && apps.iter().all(|c| c.ready && matches!(shown(c), State::Running { .. }));
        let unready: Vec<&str> = apps.iter().filter(|c| !(c.ready && matches!(shown(c), State::Running { .. }))).map(|c| c.name.as_str()).collect();
        let restart_policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always");
        let all_terminated = apps.iter().all(|c| matches!(c.state, State::Terminated { .. })) && apps.iter().all(|c| c.step == Step::Done);
        let phase = if rt.evicted.is_some() {
            "Failed"
        } else if all_terminated && restart_policy != "Always" {
            if apps.iter().all(|c| matches!(c.state, State::Terminated { code: 0, .. })) {
                "Succeeded"
            } else {
                "Failed"
            }
        } else if inits_done && apps.iter().any(|c| matches!(c.state, State::Running { .. }) || c.restarts > 0) {
            "Running"
        } else if rt.containers.iter().filter(|c| c.init).any(|c| c.step == Step::Done && !matches!(c.state, State::Terminated { code: 0, .. })) {
            "Failed"
        } else {
            "Pending"
        };
        let prev = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
        let cond = |kind: &str, ok: bool, reason: Option<String>, message: Option<String>| -> Value {
            let status = if ok { "True" } else { "False" };
            let transition = prev.iter().find(|p| p["type"] == kind && p["status"] == status).map_or_else(|| json!(now.rfc3339()), |p| p["lastTransitionTime"].clone());
            let mut v = json!({"type": kind, "status": status, "lastProbeTime": null, "lastTransitionTime": transition});
            if let Some(r) = reason {
                v["reason"] = json!(r);
            }
            if let Some(m) = message {
                v["message"] = json!(m);
            }
            v
        };
        let done_reason = if phase == "Succeeded" || phase == "Failed" { Some("PodCompleted".to_string()) } else { None };
        let unready_msg = if unready.is_empty() { None } else { Some(format!("containers with unready status: [{}]", unready.join(" "))) };
        let uninit: Vec<&str> = rt.containers.iter().filter(|c| c.init && !matches!(c.state, State::Terminated { code: 0, .. })).map(|c| c.name.as_str()).collect();
        // Readiness gates: the pod is Ready only when every gate's condition is True.
        let gates_unready: Option<String> = pod["spec"]["readinessGates"].as_array().into_iter().flatten().find_map(|g| {
            let kind = g["conditionType"].as_str().unwrap_or_default();
            match prev.iter().find(|c| c["type"] == kind) {
                None => Some(format!("corresponding condition of pod readiness gate {kind:?} does not exist.")),
                Some(c) if c["status"] != "True" => Some(format!("the status of pod readiness gate {kind:?} is not \"True\", but {}", c["status"].as_str().unwrap_or_default())),
                Some(_) => None,
            }
        });
        // Conditions others own (DisruptionTarget, readiness gates) stay, ahead of the kubelet's.
        let kubelet_owned = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
        let mut conditions: Vec<Value> = prev.iter().filter(|p| !kubelet_owned.contains(&p["type"].as_str().unwrap_or_default())).cloned().collect();
        conditions.extend([
            cond("PodReadyToStartContainers", phase != "Succeeded" && phase != "Failed", None, None),
            cond(
                "Initialized",
                inits_done,
                if done_reason.is_some() && inits_done { done_reason.clone() } else if inits_done { None } else { Some("ContainersNotInitialized".into()) },
                if inits_done { None } else { Some(format!("containers with incomplete status: [{}]", uninit.join(" "))) },
            ),
            match (all_ready, &gates_unready) {
                (true, Some(msg)) => cond("Ready", false, Some("ReadinessGatesNotReady".into()), Some(msg.clone())),
                _ => cond("Ready", all_ready, done_reason.clone().or(if all_ready { None } else { Some("ContainersNotReady".into()) }), if all_ready { None } else { unready_msg.clone() }),
            },
            cond("ContainersReady", all_ready, done_reason.or(if all_ready { None } else { Some("ContainersNotReady".into()) }), if all_ready { None } else { unready_msg }),
            cond("PodScheduled", true, None, None),
        ]);
        let mut status = json!({
            "phase": phase,
            "conditions": conditions,
            "hostIP": rt.host_ip,
            "hostIPs": [{"ip": rt.host_ip}],
            "podIP": rt.ip,
            "podIPs": [{"ip": rt.ip}],
            "startTime": rt.started.rfc3339(),
            "containerStatuses": app_statuses,
            "qosClass": pod["status"]["qosClass"],
        });
        if !ephemeral_statuses.is_empty() {
            status["ephemeralContainerStatuses"] = json!(ephemeral_statuses);
        }
        if !init_statuses.is_empty() {
            status["initContainerStatuses"] = json!(init_statuses);
        }
        if let Some(msg) = &rt.evicted {
            status["reason"] = json!("Evicted");
            status["message"] = json!(msg);
        }
        if let Some(p) = pod["status"]["nominatedNodeName"].as_str() {
            status["nominatedNodeName"] = json!(p);
        }
        // The API server keeps no null fields, so what it stores lacks the nulls written here
        // (`lastProbeTime: null`): those alone are no change, and nothing is sent (an update that
        // changes nothing costs the API server a whole write path for every pod, every pass).
        if !same_but_nulls(&pod["status"], &status) {
            // The status subresource takes only the status; the rest stays as stored.
            let mut next = pod_ref(pod);
            next["status"] = status;
            let _ = c.update_status("v1", "pods", next);
        }
    }
}

/// Equal, where a field that is null in one and missing in the other counts as the same.
fn same_but_nulls(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.iter().all(|(k, v)| same_but_nulls(v, y.get(k).unwrap_or(&Value::Null))) && y.iter().all(|(k, v)| x.contains_key(k) || v.is_null())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_but_nulls(p, q)),
        _ => a == b,
    }
}

fn fmt_secs(s: f64) -> String {
    let ms = (s * 1000.0).round() as i64;
    if ms % 1000 == 0 {
        format!("{}", ms / 1000)
    } else {
        let t = format!("{}.{:03}", ms / 1000, ms % 1000);
        t.trim_end_matches('0').to_string()
    }
}

/// The pod's sandbox id in the container runtime (what containerd's messages name).
fn sandbox_id(pod_uid: &str) -> String {
    format!("{:032x}{:032x}", fnv(&format!("sandbox/{pod_uid}")), fnv(&format!("sandbox2/{pod_uid}")))
}

fn fnv(s: &str) -> u128 {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in s.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
    }
    h
}

/// Whether a container runs a shell with no script: what it was told to run, else the image's
/// default command.
fn lone_shell(img: &images::Image, command: &[String], args: &[String]) -> bool {
    let argv: Vec<String> = if !command.is_empty() {
        command.iter().chain(args).cloned().collect()
    } else if !args.is_empty() {
        args.to_vec()
    } else {
        match &img.program {
            images::Program::Shell { default_command } => default_command.clone(),
            _ => return false,
        }
    };
    argv.len() == 1 && matches!(argv[0].rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash"))
}

#[cfg(test)]
mod tests {
    use super::same_but_nulls;
    use serde_json::json;

    #[test]
    fn a_status_differing_only_in_nulls_is_the_same() {
        let stored = json!({"conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [{"lastState": {}}]});
        let written = json!({"conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null}], "containerStatuses": [{"lastState": {"terminated": null}}]});
        assert!(same_but_nulls(&stored, &written));
        assert!(same_but_nulls(&written, &stored));
        assert!(!same_but_nulls(&stored, &json!({"conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [{"lastState": {}}]})));
        // A field gone (not null) is a change; so is an element more.
        assert!(!same_but_nulls(&json!({"reason": "Evicted"}), &json!({})));
        assert!(!same_but_nulls(&json!({"a": [1]}), &json!({"a": [1, null]})));
    }
}
