//! The network programs of the simulated images, as the learner runs them in `kubectl exec`:
//! `curl` (Debian's curl 7.88), BusyBox's `wget` and `nslookup`, bind's `nslookup` and `dig`.
//! They reach the cluster through a [`Net`]: DNS questions to a server and HTTP requests to an
//! address; name resolution (`/etc/hosts`, then the search list of `/etc/resolv.conf`) is
//! done here as the C library does it.

use std::net::Ipv4Addr;

use super::dns::{from_hosts, QType, Rcode, Reply, ResolvConf};
use super::http::{Request, Served};
use crate::kubelet::fs::Fs;

mod curl;
mod dig;
mod nslookup;
mod wget;

/// Why a connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnError {
    Refused,
    /// Nobody answered: the client gives up after its timeout.
    Timeout,
}

/// The network as a program in a container reaches it.
pub trait Net {
    /// Asks the DNS server at `server` (port 53); `None` when it does not answer.
    fn dns(&mut self, server: &str, name: &str, qtype: QType) -> Option<Reply>;
    /// Connects to `ip:port` and sends one HTTP request.
    fn http(&mut self, ip: &str, port: i64, req: &Request) -> Result<Served, ConnError>;
}

pub use crate::kubelet::shell::Outcome as Ran;

impl Ran {
    fn out(&mut self, s: impl Into<String>) {
        self.out.push((false, s.into()));
    }
    fn err(&mut self, s: impl Into<String>) {
        self.out.push((true, s.into()));
    }
    fn exit(mut self, code: i64) -> Ran {
        self.code = code;
        self
    }
}

/// Where a program runs: its container's files and whether its output is a terminal.
pub struct Place<'a> {
    pub fs: &'a mut Fs,
    pub cwd: &'a str,
    pub tty: bool,
}

impl Place<'_> {
    fn resolv(&self) -> ResolvConf {
        ResolvConf::parse(self.fs.read("/etc/resolv.conf").unwrap_or_default())
    }
}

/// How a name resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Vec<Ipv4Addr>),
    NotFound,
    /// No name server answered.
    NoServer,
}

/// `getaddrinfo`: an address as written, `/etc/hosts`, then DNS over the search list.
pub fn resolve(net: &mut dyn Net, place: &Place, name: &str) -> Lookup {
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return Lookup::Found(vec![ip]);
    }
    if let Some(ip) = from_hosts(place.fs.read("/etc/hosts").unwrap_or_default(), name) {
        return Lookup::Found(vec![ip]);
    }
    // The C library knows localhost even without a hosts file.
    if name.eq_ignore_ascii_case("localhost") {
        return Lookup::Found(vec![Ipv4Addr::LOCALHOST]);
    }
    let conf = place.resolv();
    let Some(server) = conf.nameservers.first().cloned() else { return Lookup::NotFound };
    let mut answered = false;
    for candidate in conf.candidates(name) {
        let Some(reply) = net.dns(&server, &candidate, QType::A) else { continue };
        answered = true;
        let ips = reply.addresses();
        if reply.rcode == Rcode::NoError && !ips.is_empty() {
            return Lookup::Found(ips);
        }
    }
    if answered {
        Lookup::NotFound
    } else {
        Lookup::NoServer
    }
}

/// Runs `argv` when it is one of the network programs; `bind` selects bind9's `nslookup`
/// (Debian and Ubuntu images) over BusyBox's.
pub fn run(net: &mut dyn Net, place: &mut Place, argv: &[String], bind: bool, now: crate::sim::clock::Timestamp) -> Option<Ran> {
    let prog = argv.first()?.rsplit('/').next().unwrap_or_default();
    let args = &argv[1..];
    Some(match prog {
        "curl" => curl::run(net, place, args),
        "wget" => wget::run(net, place, args),
        "nslookup" if bind => nslookup::bind(net, place, args),
        "nslookup" => nslookup::busybox(net, place, args),
        "dig" => dig::run(net, place, args, now),
        _ => return None,
    })
}

/// Sets a request header as `-H`/`--header` does: replacing one of that name (case
/// insensitive), else added at the end.
fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    match headers.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(name)) {
        Some(h) => h.1 = value.to_string(),
        None => headers.push((name.to_string(), value.to_string())),
    }
}

/// A URL as the tools take it: scheme, host, port and path with query.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Url {
    scheme: String,
    host: String,
    port: i64,
    /// Whether the port was written (it then shows in the Host header).
    explicit_port: bool,
    target: String,
}

impl Url {
    fn parse(s: &str) -> Option<Url> {
        let (scheme, rest) = match s.split_once("://") {
            Some((sc, r)) => (sc.to_ascii_lowercase(), r),
            None => ("http".to_string(), s),
        };
        let default = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_string()),
        };
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let (host, port, explicit) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?, true),
            None => (authority, default, false),
        };
        if host.is_empty() {
            return None;
        }
        Some(Url { scheme, host: host.to_string(), port, explicit_port: explicit, target })
    }

    fn host_header(&self) -> String {
        if self.explicit_port {
            format!("{}:{}", self.host, self.port)
        } else {
            self.host.clone()
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A [`Net`] over the fixture network whose every pod runs nginx with one page.
    use super::super::fixture::network;
    use super::super::http::{serve, HttpServer, Pages};
    use super::super::proxy::{Affinity, Client, Dial};
    use super::super::Network;
    use super::*;
    use crate::sim::clock::Timestamp;
    use crate::sim::rng::Rng;

    pub struct FakeNet {
        pub net: Network,
        rng: Rng,
        aff: Affinity,
        pub logs: Vec<String>,
        /// The methods of the requests sent.
        pub methods: Vec<String>,
    }

    impl FakeNet {
        pub fn new() -> FakeNet {
            FakeNet { net: network(), rng: Rng::seeded(3), aff: Affinity::default(), logs: Vec::new(), methods: Vec::new() }
        }
    }

    pub fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()
    }

    impl Net for FakeNet {
        fn dns(&mut self, server: &str, name: &str, qtype: QType) -> Option<Reply> {
            (server == "10.96.0.10").then(|| self.net.query(name, qtype, 1))
        }

        fn http(&mut self, ip: &str, port: i64, req: &Request) -> Result<Served, ConnError> {
            self.methods.push(req.method.clone());
            match self.net.dial(Client { ip: "10.244.1.9", node: "n1" }, ip, port, &mut self.rng, &mut self.aff, now()) {
                Dial::Pod { ip, port: 80 } => {
                    let fs = Fs::with(&[("/www/index.html".into(), format!("hello from {ip}\n"))], &[]);
                    let server = HttpServer { server: "nginx/1.27.5".into(), pages: Pages::Nginx, echo: false, built: "2025-04-16T12:01:11Z".into(), ingress: false };
                    let served = serve(&server, Some("/www"), &fs, "web", req, now());
                    if let Served::Http { log, .. } = &served {
                        self.logs.push(log.clone());
                    }
                    Ok(served)
                }
                Dial::Pod { .. } | Dial::Refused | Dial::Loopback { .. } => Err(ConnError::Refused),
                Dial::Timeout => Err(ConnError::Timeout),
            }
        }
    }

    pub const RESOLV: &str = "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n";

    /// Runs a command line in a container of the fixture network; what it wrote and its exit
    /// status.
    pub fn run_line(line: &str, tty: bool, bind: bool) -> (String, i64) {
        run_on(&mut FakeNet::new(), line, tty, bind)
    }

    /// [`run_line`] on a given network (to look at what was sent).
    pub fn run_on(net: &mut FakeNet, line: &str, tty: bool, bind: bool) -> (String, i64) {
        let mut fs = Fs::with(&[("/etc/resolv.conf".into(), RESOLV.into()), ("/etc/hosts".into(), "127.0.0.1\tlocalhost\n".into())], &["/tmp".into()]);
        let argv: Vec<String> = line.split(' ').map(str::to_string).collect();
        let mut place = Place { fs: &mut fs, cwd: "/tmp", tty };
        let ran = run(net, &mut place, &argv, bind, now()).unwrap();
        (ran.out.iter().map(|(_, s)| s.as_str()).collect(), ran.code)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("web:8080/a?b").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.target.as_str(), u.host_header()), ("web", 8080, "/a?b", "web:8080".to_string()));
        let u = Url::parse("http://10.96.0.1").unwrap();
        assert_eq!((u.port, u.target.as_str(), u.host_header()), (80, "/", "10.96.0.1".to_string()));
        assert!(Url::parse("ftp://x").is_none());
        assert!(Url::parse("http://web:port").is_none());
    }

    #[test]
    fn names_resolve_through_the_search_list() {
        let mut net = FakeNet::new();
        let mut fs = Fs::with(&[("/etc/resolv.conf".into(), RESOLV.into()), ("/etc/hosts".into(), "127.0.0.1\tlocalhost\n".into())], &[]);
        let place = Place { fs: &mut fs, cwd: "/", tty: false };
        assert_eq!(resolve(&mut net, &place, "web"), Lookup::Found(vec![Ipv4Addr::new(10, 96, 23, 49)]));
        assert_eq!(resolve(&mut net, &place, "web.default"), Lookup::Found(vec![Ipv4Addr::new(10, 96, 23, 49)]));
        assert_eq!(resolve(&mut net, &place, "localhost"), Lookup::Found(vec![Ipv4Addr::new(127, 0, 0, 1)]));
        assert_eq!(resolve(&mut net, &place, "nosuch"), Lookup::NotFound);
        let mut fs = Fs::with(&[("/etc/resolv.conf".into(), "nameserver 10.9.9.9\n".into())], &[]);
        let place = Place { fs: &mut fs, cwd: "/", tty: false };
        assert_eq!(resolve(&mut net, &place, "web"), Lookup::NoServer);
    }
}
