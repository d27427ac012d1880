//! `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE...`: listens on ports of the learner's machine
//! and carries each connection, through the kubelet, to `localhost:REMOTE` inside one pod. The
//! pod is chosen as kubectl chooses it (a Service, Deployment, ReplicaSet, StatefulSet,
//! DaemonSet or Job names its most active pod); a Service's port becomes its target port in that
//! pod. The command goes on ([`Forwarding`]) until it is stopped or a connection fails; the
//! terminal sends it the connections made to its ports (`curl localhost:8080`).

use serde_json::Value;

use super::args::{flag, Flag, Parsed, Takes};
use super::running::Running;
use super::{Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;
use crate::network::http::{Request as HttpRequest, Served};
use crate::network::tools::ConnError;
use crate::sim::clock::Duration;

pub const FLAGS: &[Flag] = &[flag("address", None, Takes::Values), flag("pod-running-timeout", None, Takes::Value)];

const USAGE: &str = "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n";

/// The first port the machine hands out for `:REMOTE` (Linux's ephemeral range).
const EPHEMERAL: u16 = 32768;

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let args = &p.args[1..];
    if args.len() < 2 {
        return Err(Failure::Raw(USAGE.into()));
    }
    let timeout = match p.value("pod-running-timeout") {
        None => Duration::from_secs(60),
        Some(t) => match super::rollout::go_duration(t).filter(|d| d.as_millis() > 0) {
            Some(d) => d,
            None => return Err(Failure::Raw(format!("error: {}\nSee 'kubectl port-forward -h' for help and examples\n", timeout_error(t)))),
        },
    };
    let (target, ports) = (&args[0], &args[1..]);
    let (kind, name) = target.split_once('/').unwrap_or(("pods", target.as_str()));
    let r = k.resolve(api, kind).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {kind:?}")))?;
    let obj = super::get_object(api, &r.object_path(Some(&ns), name))?;
    let pod = attachable_pod(api, &ns, &r.kind, &obj, timeout)?;
    let ports = if r.kind == "Service" {
        check_udp(ports, &service_protocols(&obj), |n| service_port_by_name(&obj, n))?;
        service_to_target(ports, &obj, &pod)?
    } else {
        check_udp(ports, &pod_protocols(&pod), |n| container_port_by_name(&pod, n))?;
        named_to_numbers(ports, &pod)?
    };
    // RunPortForward: the pod as it is now.
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let pod = super::get_object(api, &format!("/api/v1/namespaces/{ns}/pods/{pod_name}", ns = super::paths::segment(&ns), pod_name = super::paths::segment(&pod_name)))?;
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if phase != "Running" {
        return Err(Failure::client(format!("unable to forward port because pod is not running. Current status={phase}")));
    }
    let addresses = parse_addresses(&p.list("address"))?;
    let mut forwards = parse_ports(&ports)?;
    // Listen: each port on each address, as client-go does (localhost needs one of its two).
    let mut listening = Vec::new();
    let mut any = false;
    for f in forwards.iter_mut() {
        if f.local == 0 {
            f.local = (EPHEMERAL..=60999).find(|n| !k.busy_ports.iter().chain(&listening).any(|(_, b)| b == n)).unwrap_or(EPHEMERAL);
        }
        let mut errors = Vec::new();
        let (mut ok_all, mut fail_all, mut fail_any) = (0, 0, 0);
        for a in &addresses {
            let taken = k.busy_ports.iter().chain(&listening).any(|(addr, port)| *port == f.local && (addr == &a.address || addr == "0.0.0.0" || addr == "::" || a.address == "0.0.0.0" || a.address == "::"));
            if taken {
                errors.push(format!("unable to create listener: Error listen {} {}: bind: address already in use", a.protocol, join_host_port(&a.address, f.local)));
                if a.all { fail_all += 1 } else { fail_any += 1 }
            } else {
                out.out(format!("Forwarding from {} -> {}\n", join_host_port(&a.address, f.local), f.remote));
                listening.push((a.address.clone(), f.local));
                if a.all {
                    ok_all += 1;
                }
            }
        }
        if (ok_all == 0 && fail_all > 0) || fail_any > 0 {
            out.err(format!("Unable to listen on port {}: Listeners failed to create with the following errors: [{}]\n", f.local, errors.join(" ")));
            listening.retain(|(_, p)| *p != f.local);
        } else {
            any = true;
        }
    }
    if !any {
        let list: Vec<String> = forwards.iter().map(|f| format!("{{{} {}}}", f.local, f.remote)).collect();
        return Err(Failure::client(format!("unable to listen on any of the requested ports: [{}]", list.join(" "))));
    }
    let ports = forwards.into_iter().filter(|f| listening.iter().any(|(_, p)| *p == f.local)).collect();
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default().to_string();
    let pid = super::errors::pid_at(api.now());
    k.launched = Some(Box::new(Forwarding { pod_uid: uid, ports, listening, lost: false, pid }));
    Ok(())
}

fn timeout_error(t: &str) -> String {
    if super::rollout::go_duration(t).is_some() {
        "--pod-running-timeout must be higher than zero".into()
    } else {
        format!("invalid argument {t:?} for \"--pod-running-timeout\" flag: time: invalid duration {}", crate::api::field::go_quote(t))
    }
}

/// A pod to forward to, as kubectl's AttachablePodForObject picks it: the pod itself, or the
/// most active pod its selector matches, waiting (up to the timeout) for one to exist.
pub(super) fn attachable_pod(api: &mut dyn Transport, ns: &str, kind: &str, obj: &Value, timeout: Duration) -> Result<Value, Failure> {
    let selector = match kind {
        "Pod" => return Ok(obj.clone()),
        "Service" => match obj["spec"]["selector"].as_object() {
            Some(m) if !m.is_empty() => m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(","),
            _ => {
                let name = obj["metadata"]["name"].as_str().unwrap_or_default();
                return Err(Failure::client(format!("cannot attach to *v1.Service: invalid service '{name}': Service is defined without a selector")));
            }
        },
        "ReplicationController" => obj["spec"]["selector"].as_object().map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(",")).unwrap_or_default(),
        "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Deployment" | "Job" => {
            let s = crate::apiserver::tables::format::label_selector(&obj["spec"]["selector"]);
            if s == "<none>" { String::new() } else { s }
        }
        other => {
            let t = if obj["apiVersion"].as_str().is_some_and(|v| v.contains('.')) && !matches!(other, "CronJob") { "*unstructured.Unstructured".to_string() } else { format!("*v1.{other}") };
            return Err(Failure::client(format!("cannot attach to {t}: selector for {t} not implemented")));
        }
    };
    let path = format!("/api/v1/namespaces/{ns}/pods?labelSelector={}", super::get::encode(&selector), ns = super::paths::segment(ns));
    let deadline = api.now().plus(timeout);
    loop {
        let list = super::send_ok(api, &Request::get(&path))?;
        let mut pods: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
        if !pods.is_empty() {
            use crate::sort::Order;
            pods.order_by(most_active_first);
            return Ok(pods.swap_remove(0));
        }
        if api.now() >= deadline {
            return Err(Failure::client("timed out waiting for the condition"));
        }
        let left = deadline.since(api.now());
        super::wait_a_moment(api, left.min(Duration::from_secs(1)));
    }
}

/// kubectl's ActivePods, reversed: scheduled, running, ready (longest first), fewest
/// restarts, oldest. (`logs` orders by ByLogging, which differs in the restarts.)
fn most_active_first(a: &Value, b: &Value) -> std::cmp::Ordering {
    use super::logs::{max_restarts, ready_since};
    use std::cmp::Ordering;
    let node = |p: &Value| p["spec"]["nodeName"].as_str().unwrap_or_default().is_empty();
    if node(a) != node(b) {
        return if node(a) { Ordering::Greater } else { Ordering::Less };
    }
    let phase = |p: &Value| match p["status"]["phase"].as_str() {
        Some("Running") => 0,
        Some("Unknown") => 1,
        _ => 2,
    };
    if phase(a) != phase(b) {
        return phase(a).cmp(&phase(b));
    }
    let (ra, rb) = (ready_since(a), ready_since(b));
    if ra.is_some() != rb.is_some() {
        return if ra.is_some() { Ordering::Less } else { Ordering::Greater };
    }
    if ra != rb {
        return ra.cmp(&rb);
    }
    if max_restarts(a) != max_restarts(b) {
        return max_restarts(a).cmp(&max_restarts(b));
    }
    let created = |p: &Value| p["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string();
    created(a).cmp(&created(b))
}

/// `[LOCAL:]REMOTE` split at its colon.
fn split_port(port: &str) -> (&str, &str) {
    let parts: Vec<&str> = port.split(':').collect();
    if parts.len() == 2 {
        (parts[0], parts[1])
    } else {
        (parts[0], parts[0])
    }
}

fn container_port_by_name(pod: &Value, name: &str) -> Result<i64, Failure> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find(|p| p["name"] == name)
        .and_then(|p| p["containerPort"].as_i64())
        .ok_or_else(|| Failure::client(format!("Pod '{}' does not have a named port '{name}'", pod["metadata"]["name"].as_str().unwrap_or_default())))
}

fn service_port_by_name(svc: &Value, name: &str) -> Result<i64, Failure> {
    svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name)
        .and_then(|p| p["port"].as_i64())
        .ok_or_else(|| Failure::client(format!("Service '{}' does not have a named port '{name}'", svc["metadata"]["name"].as_str().unwrap_or_default())))
}

/// The port a Service's port leads to in the pod: its targetPort (a number, or a name looked
/// up in the pod's containers); the port itself for a headless Service or no targetPort.
fn container_port_for_service_port(svc: &Value, pod: &Value, port: i64) -> Result<i64, Failure> {
    for sp in svc["spec"]["ports"].as_array().into_iter().flatten() {
        if sp["port"].as_i64() != Some(port) {
            continue;
        }
        if svc["spec"]["clusterIP"] == "None" {
            return Ok(port);
        }
        return match &sp["targetPort"] {
            Value::String(name) => container_port_by_name(pod, name),
            t => Ok(t.as_i64().filter(|n| *n != 0).unwrap_or(port)),
        };
    }
    Err(Failure::client(format!("Service {} does not have a service port {port}", svc["metadata"]["name"].as_str().unwrap_or_default())))
}

fn service_to_target(ports: &[String], svc: &Value, pod: &Value) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for port in ports {
        let (local, remote) = split_port(port);
        let mut local = local.to_string();
        let number = match remote.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                let n = service_port_by_name(svc, remote)?;
                if local == remote {
                    local = n.to_string();
                }
                n
            }
        };
        let target = container_port_for_service_port(svc, pod, number)?.to_string();
        out.push(if local != target { format!("{local}:{target}") } else { target });
    }
    Ok(out)
}

fn named_to_numbers(ports: &[String], pod: &Value) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for port in ports {
        let (local, remote) = split_port(port);
        if remote.is_empty() {
            return Err(Failure::client("remote port cannot be empty"));
        }
        let number = match remote.parse::<i64>() {
            Ok(_) => remote.to_string(),
            Err(_) => container_port_by_name(pod, remote)?.to_string(),
        };
        out.push(if local != remote { format!("{local}:{number}") } else { number });
    }
    Ok(out)
}

/// Ports that are UDP and not also TCP.
fn udp_only(pairs: impl Iterator<Item = (i64, String)>) -> Vec<i64> {
    let pairs: Vec<(i64, String)> = pairs.collect();
    pairs.iter().filter(|(n, p)| p == "UDP" && !pairs.iter().any(|(m, q)| m == n && q == "TCP")).map(|(n, _)| *n).collect()
}

fn protocol(p: &Value) -> String {
    p["protocol"].as_str().unwrap_or("TCP").to_string()
}

fn service_protocols(svc: &Value) -> Vec<i64> {
    udp_only(svc["spec"]["ports"].as_array().into_iter().flatten().map(|p| (p["port"].as_i64().unwrap_or(0), protocol(p))))
}

fn pod_protocols(pod: &Value) -> Vec<i64> {
    udp_only(pod["spec"]["containers"].as_array().into_iter().flatten().flat_map(|c| c["ports"].as_array().into_iter().flatten()).map(|p| (p["containerPort"].as_i64().unwrap_or(0), protocol(p))))
}

fn check_udp(ports: &[String], udp: &[i64], by_name: impl Fn(&str) -> Result<i64, Failure>) -> Result<(), Failure> {
    for port in ports {
        let (_, remote) = split_port(port);
        let n = match remote.parse::<i64>() {
            Ok(n) => n,
            Err(_) => by_name(remote)?,
        };
        if udp.contains(&n) {
            return Err(Failure::client(format!("UDP protocol is not supported for {remote}")));
        }
    }
    Ok(())
}

struct Address {
    address: String,
    protocol: &'static str,
    /// `localhost`'s two addresses: one of them is enough.
    all: bool,
}

fn parse_addresses(given: &[String]) -> Result<Vec<Address>, Failure> {
    let given = if given.is_empty() { vec!["localhost".to_string()] } else { given.to_vec() };
    let mut out: Vec<Address> = Vec::new();
    let mut add = |a: Address| {
        if let Some(i) = out.iter().position(|o| o.address == a.address) {
            if !a.all {
                out[i] = a;
            }
        } else {
            out.push(a);
        }
    };
    for a in &given {
        if a == "localhost" {
            add(Address { address: "127.0.0.1".into(), protocol: "tcp4", all: true });
            add(Address { address: "::1".into(), protocol: "tcp6", all: true });
        } else if a.parse::<std::net::Ipv4Addr>().is_ok() {
            add(Address { address: a.clone(), protocol: "tcp4", all: false });
        } else if let Ok(v6) = a.parse::<std::net::Ipv6Addr>() {
            match v6.to_ipv4_mapped() {
                Some(v4) => add(Address { address: v4.to_string(), protocol: "tcp4", all: false }),
                None => add(Address { address: a.clone(), protocol: "tcp6", all: false }),
            }
        } else {
            return Err(Failure::client(format!("{a} is not a valid IP")));
        }
    }
    {
        use crate::sort::Order;
        out.order_by(|a, b| a.address.cmp(&b.address));
    }
    Ok(out)
}

fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A local port and the pod's port it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pair {
    local: u16,
    remote: u16,
}

/// Go's `strconv.ParseUint(s, 10, 16)` error text.
fn parse_u16(s: &str) -> Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {}: invalid syntax", crate::api::field::go_quote(s)));
    }
    s.parse::<u16>().map_err(|_| format!("strconv.ParseUint: parsing {}: value out of range", crate::api::field::go_quote(s)))
}

fn parse_ports(ports: &[String]) -> Result<Vec<Pair>, Failure> {
    let mut out = Vec::new();
    for p in ports {
        let parts: Vec<&str> = p.split(':').collect();
        let (local, remote) = match parts.as_slice() {
            [one] => (*one, *one),
            [l, r] => (if l.is_empty() { "0" } else { *l }, *r),
            _ => return Err(Failure::client(format!("invalid port format '{p}'"))),
        };
        let local = parse_u16(local).map_err(|e| Failure::client(format!("error parsing local port '{local}': {e}")))?;
        let remote = parse_u16(remote).map_err(|e| Failure::client(format!("error parsing remote port '{remote}': {e}")))?;
        if remote == 0 {
            return Err(Failure::client("remote port must be > 0"));
        }
        out.push(Pair { local, remote });
    }
    Ok(out)
}

/// The forwarding session: its listeners, the pod it reaches, and whether a connection has
/// failed (which ends it, as client-go closes the stream connection on an error).
#[derive(Debug)]
pub struct Forwarding {
    pod_uid: String,
    ports: Vec<Pair>,
    /// Addresses and ports it listens on.
    listening: Vec<(String, u16)>,
    lost: bool,
    /// The process id kubectl's log lines show.
    pid: u32,
}

impl Running for Forwarding {
    fn poll(&mut self, _api: &mut dyn Transport, _out: &mut Output) -> Option<Result<(), Failure>> {
        self.lost.then(|| Err(Failure::client("lost connection to pod")))
    }

    fn next_poll(&self, _api: &dyn Transport) -> Duration {
        Duration::from_secs(5)
    }

    fn listens(&self) -> Vec<(String, u16)> {
        if self.lost {
            return Vec::new();
        }
        self.listening.clone()
    }

    fn connect(&mut self, api: &mut dyn Transport, address: &str, port: u16, req: &HttpRequest, out: &mut Output) -> Option<Result<Served, ConnError>> {
        let any = |a: &str| a == "0.0.0.0" || a == "::";
        if self.lost || !self.listening.iter().any(|(a, p)| *p == port && (a == address || any(a))) {
            return None;
        }
        let pair = *self.ports.iter().find(|f| f.local == port)?;
        out.out(format!("Handling connection for {port}\n"));
        match api.forward(&self.pod_uid, i64::from(pair.remote), req) {
            Ok(served) => Some(Ok(served)),
            Err(message) => {
                let err = format!("an error occurred forwarding {} -> {}: {message}", pair.local, pair.remote);
                out.err(format!("{}\"Unhandled Error\" err={}\n", super::errors::klog_header('E', api.now(), self.pid, "portforward.go:424"), crate::api::field::go_quote(&err)));
                self.lost = true;
                // The connection closes without an answer.
                Some(Ok(Served::Closed))
            }
        }
    }

    fn script_limit(&self) -> Duration {
        Duration::from_secs(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_as_client_go_parses_them() {
        let p = |s: &[&str]| parse_ports(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map_err(|f| match f {
            Failure::Client(m) => m,
            _ => String::new(),
        });
        assert_eq!(p(&["8080:80"]), Ok(vec![Pair { local: 8080, remote: 80 }]));
        assert_eq!(p(&["80"]), Ok(vec![Pair { local: 80, remote: 80 }]));
        assert_eq!(p(&[":80"]), Ok(vec![Pair { local: 0, remote: 80 }]));
        assert_eq!(p(&["1:2:3"]), Err("invalid port format '1:2:3'".into()));
        assert_eq!(p(&["x:80"]), Err("error parsing local port 'x': strconv.ParseUint: parsing \"x\": invalid syntax".into()));
        assert_eq!(p(&["8080:70000"]), Err("error parsing remote port '70000': strconv.ParseUint: parsing \"70000\": value out of range".into()));
        assert_eq!(p(&["8080:0"]), Err("remote port must be > 0".into()));
    }

    #[test]
    fn localhost_listens_on_both_loopbacks_in_address_order() {
        let a = parse_addresses(&["localhost".into(), "0.0.0.0".into()]).unwrap_or_default();
        let names: Vec<&str> = a.iter().map(|a| a.address.as_str()).collect();
        assert_eq!(names, ["0.0.0.0", "127.0.0.1", "::1"]);
        assert!(matches!(parse_addresses(&["nowhere".into()]), Err(Failure::Client(m)) if m == "nowhere is not a valid IP"));
    }

}
