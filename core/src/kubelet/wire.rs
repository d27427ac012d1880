//! The network as a command run in a container (`kubectl exec`) reaches it: DNS questions go to
//! the cluster DNS when they are sent to its Service (or one of its pods) and it has a ready
//! endpoint; connections follow kube-proxy's rules to a pod, where the container listening on
//! the port answers over the files it sees and writes its access log.

use crate::network::dns::{QType, Rcode, Reply};
use crate::network::http::{nginx_error, serve, Pages, Request, Served};
use crate::network::ingress::PortRef;
use crate::network::proxy::usable;
use crate::network::proxy::{Client, Dial};
use crate::network::tools::{ConnError, Net};
use crate::network::Network;
use crate::sim::clock::Timestamp;

use super::fs::Fs;
use super::images::Catalog;
use super::{Kubelets, State};

/// A line a server wrote to its log, for the API server's log store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessLog {
    pub pod_uid: String,
    pub container: String,
    pub at: Timestamp,
    pub line: String,
}

/// A server in the client's own pod (reached at `localhost`), with a copy of its files.
pub(super) struct Local {
    pub container: String,
    pub image: String,
    pub ports: Vec<i64>,
    pub fs: Fs,
    pub docroot: Option<String>,
}

pub(super) struct Wire<'a> {
    /// The other pods' kubelets (the client's pod is taken out while its command runs).
    pub kubelets: &'a mut Kubelets,
    pub net: &'a Network,
    pub client_ip: String,
    pub client_node: String,
    pub client_uid: String,
    pub hostname: String,
    pub local: Vec<Local>,
    pub now: Timestamp,
    pub logs: Vec<AccessLog>,
    /// The client is outside the cluster (the learner's machine), not a pod.
    pub outside: bool,
}

impl Wire<'_> {
    #[allow(clippy::too_many_arguments)]
    fn answer(&mut self, image: &str, fs: &Fs, docroot: Option<&str>, hostname: &str, req: &Request, uid: &str, container: &str, own_ip: &str) -> Served {
        let Some(http) = Catalog::builtin().find(image).and_then(|i| i.http.as_ref()) else { return Served::Closed };
        let served = if http.ingress { self.ingress(&http.server, req, own_ip) } else { serve(http, docroot, fs, hostname, req, self.now) };
        if let Served::Http { log, .. } = &served {
            self.logs.push(AccessLog { pod_uid: uid.to_string(), container: container.to_string(), at: self.now, line: log.clone() });
        }
        served
    }
}

impl Net for Wire<'_> {
    fn dns(&mut self, server: &str, name: &str, qtype: QType) -> Option<Reply> {
        let dns = self.net.service("kube-system", "kube-dns");
        let at_service = dns.is_some_and(|s| s.cluster_ip.as_deref() == Some(server));
        let at_pod = dns.is_some_and(|s| self.net.endpoints_of(s).iter().any(|e| e.ip == server));
        if at_service || at_pod {
            // The Service must have a ready CoreDNS behind it.
            let up = dns.is_some_and(|s| self.net.endpoints_of(s).iter().any(|e| e.ready && (at_service || e.ip == server)));
            return up.then(|| self.net.query(name, qtype, (self.now.unix_millis() / 1000) as u32));
        }
        // A node's resolver (the network's gateway, `dnsPolicy: Default`) knows no cluster
        // names and has no Internet to ask.
        let gateway = self.net.nodes.iter().any(|(_, ip)| server == crate::network::gateway(ip));
        gateway.then(|| Reply { rcode: Rcode::NxDomain, authoritative: false, answers: Vec::new(), authority: Vec::new(), additional: Vec::new() })
    }

    fn http(&mut self, ip: &str, port: i64, req: &Request) -> Result<Served, ConnError> {
        let client = Client { ip: &self.client_ip, node: &self.client_node };
        let dial = {
            let (rng, aff) = self.kubelets.rng_and_affinity();
            if self.outside {
                self.net.dial_outside(client.ip, ip, port, rng, aff, self.now)
            } else {
                self.net.dial(client, ip, port, rng, aff, self.now)
            }
        };
        let mut req = req.clone();
        req.client_ip = self.net.masquerade(client, ip, port).unwrap_or_else(|| self.client_ip.clone());
        match dial {
            Dial::Refused => Err(ConnError::Refused),
            Dial::Timeout => Err(ConnError::Timeout),
            // Through a Service back to the client's own pod: kube-proxy's hairpin rule
            // masquerades it, so the pod sees its node's address.
            Dial::Pod { ip, port } if ip == self.client_ip && !self.outside => {
                req.client_ip = self.net.nodes.iter().find(|(n, _)| *n == self.client_node).map_or_else(|| self.client_ip.clone(), |(_, a)| a.clone());
                self.reach_own_pod(port, &req)
            }
            Dial::Loopback { port } => {
                req.client_ip = "127.0.0.1".into();
                self.reach_own_pod(port, &req)
            }
            Dial::Pod { ip, port } => self.reach_pod(&ip, port, &req),
        }
    }
}

impl Wire<'_> {
    /// A connection to the client's own pod: one of its containers answers from the copy of
    /// its files taken when the command started.
    fn reach_own_pod(&mut self, port: i64, req: &Request) -> Result<Served, ConnError> {
        let Some(i) = self.local.iter().position(|l| l.ports.contains(&port)) else { return Err(ConnError::Refused) };
        let l = &self.local[i];
        let (image, fs, docroot, container) = (l.image.clone(), l.fs.clone(), l.docroot.clone(), l.container.clone());
        let (hostname, uid, own) = (self.hostname.clone(), self.client_uid.clone(), self.client_ip.clone());
        Ok(self.answer(&image, &fs, docroot.as_deref(), &hostname, req, &uid, &container, &own))
    }
}

impl Wire<'_> {
    /// A connection that reached a pod's address and port: the container listening there
    /// answers (the pod resets it when none listens).
    pub(super) fn reach_pod(&mut self, ip: &str, port: i64, req: &Request) -> Result<Served, ConnError> {
        let found = self.kubelets.pods.iter_mut().find_map(|(uid, rt)| {
            if rt.ip != ip {
                return None;
            }
            let k = rt.containers.iter().position(|c| matches!(c.state, State::Running { .. }) && c.plan.as_ref().is_some_and(|p| p.ports.contains(&port)))?;
            let ct = &mut rt.containers[k];
            let ctx = ct.ctx.as_mut()?;
            let hostname = ctx.hostname.clone();
            let fs = rt.volumes.mounted(&mut ctx.fs, &ct.mounts, |fs| fs.clone());
            Some((uid.clone(), ct.name.clone(), ct.image.clone(), ct.docroot.clone(), hostname, fs))
        });
        match found {
            Some((uid, container, image, docroot, hostname, fs)) => Ok(self.answer(&image, &fs, docroot.as_deref(), &hostname, req, &uid, &container, ip)),
            // The pod is there but nothing listens on the port: it resets.
            None if self.kubelets.pods.values().any(|rt| rt.ip == ip) => Err(ConnError::Refused),
            None => Err(ConnError::Timeout),
        }
    }

    /// ingress-nginx at `own_ip`: the request goes to a ready endpoint of the Service its
    /// Ingress rule names, with the client in `X-Forwarded-For`; the controller answers 404
    /// when no rule takes the request, 503 when the Service has no endpoint, 502 when the pod
    /// does not answer. Its access log line is in ingress-nginx's `upstreaminfo` format.
    fn ingress(&mut self, server: &str, req: &Request, own_ip: &str) -> Served {
        let host = req.host_name().to_string();
        let route = self.net.route(&host, &req.target).map(|(i, b)| (i.namespace.clone(), b.clone()));
        let connection = if req.header("Connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) { "close" } else { "keep-alive" };
        let mut upstream_name = "upstream-default-backend".to_string();
        let mut upstream_addr = "127.0.0.1:8181".to_string();
        // A rule that leads back to the controller goes round until nginx gives up.
        let hops = req.headers.iter().filter(|(k, _)| k == "X-Request-ID").count();
        let response = match route {
            _ if hops >= 4 => nginx_error(server, 502, self.now, connection),
            None => nginx_error(server, 404, self.now, connection),
            Some((ns, b)) => {
                let svc = self.net.service(&ns, &b.service);
                let port = svc.and_then(|s| {
                    s.ports.iter().find(|p| match &b.port {
                        PortRef::Number(n) => p.port == *n,
                        PortRef::Name(n) => &p.name == n,
                    })
                });
                upstream_name = format!("{ns}-{}-{}", b.service, port.map_or_else(|| "80".to_string(), |p| p.port.to_string()));
                let chosen = match (svc, port) {
                    (Some(s), Some(p)) => {
                        let eps = usable(self.net.endpoints_of(s), &p.name);
                        let pick = if eps.is_empty() { None } else { Some(self.kubelets.rng_and_affinity().0.below(eps.len() as u64) as usize) };
                        pick.map(|k| (eps[k].ip.clone(), eps[k].ports.iter().find(|(n, _)| *n == p.name).map_or(0, |(_, n)| *n)))
                    }
                    _ => None,
                };
                match chosen {
                    None => nginx_error(server, 503, self.now, connection),
                    Some((ip, port)) => {
                        upstream_addr = format!("{ip}:{port}");
                        let mut forwarded = req.clone();
                        forwarded.client_ip = own_ip.to_string();
                        for (k, v) in [
                            ("X-Request-ID", request_id(self.now, &req.target)),
                            ("X-Real-IP", req.client_ip.clone()),
                            ("X-Forwarded-For", req.client_ip.clone()),
                            ("X-Forwarded-Host", host.clone()),
                            ("X-Forwarded-Port", "80".to_string()),
                            ("X-Forwarded-Proto", "http".to_string()),
                            ("X-Scheme", "http".to_string()),
                        ] {
                            forwarded.headers.push((k.to_string(), v));
                        }
                        match self.reach_pod(&ip, port, &forwarded) {
                            Ok(Served::Http { mut response, .. }) => {
                                for (k, v) in response.headers.iter_mut() {
                                    if k.eq_ignore_ascii_case("Server") {
                                        *v = server.to_string();
                                    } else if k.eq_ignore_ascii_case("Date") {
                                        *v = crate::network::http::http_date(self.now);
                                    } else if k.eq_ignore_ascii_case("Connection") {
                                        *v = connection.to_string();
                                    }
                                }
                                response
                            }
                            _ => nginx_error(server, 502, self.now, connection),
                        }
                    }
                }
            }
        };
        let mut response = response;
        response.head_only = req.method == "HEAD";
        let size = response.sent_body().len();
        let request_length = req.method.len() + req.target.len() + 11 + req.headers.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 2;
        let log = format!(
            "{} - - [{}] \"{} {} HTTP/1.1\" {} {size} \"-\" \"{}\" {request_length} 0.001 [{upstream_name}] [] {upstream_addr} {size} 0.001 {} {}",
            req.client_ip,
            crate::network::http::log_time(self.now),
            req.method,
            req.target,
            response.status,
            req.header("User-Agent").unwrap_or("-"),
            response.status,
            request_id(self.now, &req.target)
        );
        Served::Http { pages: Pages::Nginx, response, log }
    }
}

/// A request id as ingress-nginx makes one (32 hex digits), stable for the moment and path.
fn request_id(now: Timestamp, target: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in target.bytes().chain(now.unix_millis().to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}{:016x}", h.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15)
}

/// The image's network programs, as the shell's host.
pub(super) struct Programs<'w, 'a> {
    pub wire: &'w mut Wire<'a>,
    pub tools: &'w [String],
    /// Debian/Ubuntu's bind9 `nslookup` rather than BusyBox's.
    pub bind: bool,
    pub tty: bool,
    pub start: Timestamp,
}

impl super::shell::Host for Programs<'_, '_> {
    fn run(&mut self, fs: &mut Fs, cwd: &str, t: f64, argv: &[String], _stdin: Option<String>) -> Option<super::shell::Outcome> {
        let prog = argv.first()?.rsplit('/').next().unwrap_or_default();
        if !self.tools.iter().any(|x| x == prog) {
            return None;
        }
        let now = self.start.plus(crate::sim::clock::Duration::from_secs_f64(t));
        self.wire.now = now;
        let mut place = crate::network::tools::Place { fs, cwd, tty: self.tty };
        crate::network::tools::run(self.wire, &mut place, argv, self.bind, now)
    }
}
