//! The cluster DNS as CoreDNS's `kubernetes` plugin answers it (the Kubernetes DNS
//! specification, schema 1.1.0), and name resolution as a program's C library does it over
//! `/etc/hosts` and `/etc/resolv.conf`.
//!
//! Names outside `cluster.local` go to the upstream resolver, which the simulation does not
//! have: they do not exist (NXDOMAIN, not authoritative).

use std::net::Ipv4Addr;

use super::{Network, Service, CLUSTER_DOMAIN};

/// Seconds cluster answers live (the Corefile's `ttl 30`).
pub const TTL: u32 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QType {
    A,
    Aaaa,
    Cname,
    Srv,
    Ptr,
    Txt,
    Soa,
    Ns,
    Mx,
    Any,
}

impl QType {
    pub fn parse(s: &str) -> Option<QType> {
        Some(match s.to_ascii_lowercase().as_str() {
            "a" => QType::A,
            "aaaa" => QType::Aaaa,
            "cname" => QType::Cname,
            "srv" => QType::Srv,
            "ptr" => QType::Ptr,
            "txt" => QType::Txt,
            "soa" => QType::Soa,
            "ns" => QType::Ns,
            "mx" => QType::Mx,
            "any" => QType::Any,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Cname => "CNAME",
            QType::Srv => "SRV",
            QType::Ptr => "PTR",
            QType::Txt => "TXT",
            QType::Soa => "SOA",
            QType::Ns => "NS",
            QType::Mx => "MX",
            QType::Any => "ANY",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rcode {
    NoError,
    ServFail,
    NxDomain,
}

impl Rcode {
    pub fn name(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::ServFail => "SERVFAIL",
            Rcode::NxDomain => "NXDOMAIN",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    A(Ipv4Addr),
    Cname(String),
    Ptr(String),
    Srv { priority: u16, weight: u16, port: u16, target: String },
    Txt(String),
    Soa { mname: String, rname: String, serial: u32 },
}

impl Data {
    pub fn qtype(&self) -> QType {
        match self {
            Data::A(_) => QType::A,
            Data::Cname(_) => QType::Cname,
            Data::Ptr(_) => QType::Ptr,
            Data::Srv { .. } => QType::Srv,
            Data::Txt(_) => QType::Txt,
            Data::Soa { .. } => QType::Soa,
        }
    }
}

/// A resource record; names are written without the final dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub ttl: u32,
    pub data: Data,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub rcode: Rcode,
    pub authoritative: bool,
    pub answers: Vec<Record>,
    pub authority: Vec<Record>,
    pub additional: Vec<Record>,
}

impl Reply {
    fn new(rcode: Rcode) -> Reply {
        Reply { rcode, authoritative: true, answers: Vec::new(), authority: Vec::new(), additional: Vec::new() }
    }

    /// The addresses the answer gives (after any CNAME).
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.answers.iter().filter_map(|r| if let Data::A(ip) = r.data { Some(ip) } else { None }).collect()
    }
}

fn record(name: &str, data: Data) -> Record {
    Record { name: name.to_string(), ttl: TTL, data }
}

/// The zone's SOA, sent with NXDOMAIN and empty answers.
fn soa(serial: u32) -> Record {
    record(CLUSTER_DOMAIN, Data::Soa { mname: format!("ns.dns.{CLUSTER_DOMAIN}"), rname: format!("hostmaster.{CLUSTER_DOMAIN}"), serial })
}

/// `10.244.1.3` → `10-244-1-3`, an endpoint's DNS label when it has no hostname.
pub fn dashed(ip: &str) -> String {
    ip.replace('.', "-")
}

/// An endpoint's DNS label: its hostname, else its address with dashes.
fn endpoint_label(e: &super::Endpoint) -> String {
    e.hostname.clone().unwrap_or_else(|| dashed(&e.ip))
}

/// The endpoints a headless Service's name returns: the ready ones (all of them with
/// `publishNotReadyAddresses`, which the controller already marks ready).
fn ready_endpoints<'a>(net: &'a Network, svc: &Service) -> impl Iterator<Item = &'a super::Endpoint> {
    net.endpoints_of(svc).iter().filter(|e| e.ready)
}

impl Network {
    /// What the cluster DNS answers for `name` (any case, final dot optional). `serial` is the
    /// SOA serial (CoreDNS uses the time of its last change).
    pub fn query(&self, name: &str, qtype: QType, serial: u32) -> Reply {
        let qname = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(reverse) = qname.strip_suffix(".in-addr.arpa") {
            return self.reverse(&qname, reverse, qtype, serial);
        }
        if qname == CLUSTER_DOMAIN {
            // The zone's apex: it exists, with no data of these types.
            let mut r = Reply::new(Rcode::NoError);
            r.authority.push(soa(serial));
            return r;
        }
        let Some(inner) = qname.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) else {
            // Forwarded upstream: the simulated cluster has no Internet.
            let mut r = Reply::new(Rcode::NxDomain);
            r.authoritative = false;
            return r;
        };
        let labels: Vec<&str> = inner.split('.').collect();
        let mut reply = Reply::new(Rcode::NoError);
        let found = match labels.as_slice() {
            ["dns-version"] => {
                if qtype == QType::Txt {
                    reply.answers.push(Record { name: qname.clone(), ttl: 28_800, data: Data::Txt("1.1.0".into()) });
                }
                true
            }
            // `pods insecure`: any well-formed address, whether or not a pod has it.
            [ip, _, "pod"] => match ip.replace('-', ".").parse::<Ipv4Addr>() {
                Ok(ip) => {
                    if matches!(qtype, QType::A | QType::Any) {
                        reply.answers.push(record(&qname, Data::A(ip)));
                    }
                    true
                }
                Err(_) => false,
            },
            ["svc"] | ["pod"] => true,
            [ns, "svc"] => self.namespaces.contains(*ns),
            [svc, ns, "svc"] => self.service_answer(&mut reply, &qname, ns, svc, qtype),
            [port, proto, svc, ns, "svc"] if port.starts_with('_') && proto.starts_with('_') => self.srv_answer(&mut reply, &qname, ns, svc, &port[1..], &proto[1..], qtype),
            // An endpoint's name answers under any Service with a selector's endpoints.
            [host, svc, ns, "svc"] => match self.service(ns, svc).filter(|s| s.external_name.is_none()) {
                Some(s) => {
                    let eps: Vec<_> = ready_endpoints(self, s).filter(|e| endpoint_label(e) == *host).collect();
                    for e in &eps {
                        if matches!(qtype, QType::A | QType::Any) {
                            if let Ok(ip) = e.ip.parse() {
                                reply.answers.push(record(&qname, Data::A(ip)));
                            }
                        }
                    }
                    !eps.is_empty()
                }
                None => false,
            },
            _ => false,
        };
        if !found {
            reply.rcode = Rcode::NxDomain;
        }
        // CoreDNS's kubernetes plugin answers ANY with no data.
        if qtype == QType::Any {
            reply.answers.clear();
            reply.additional.clear();
        }
        if reply.answers.is_empty() {
            reply.authority.push(soa(serial));
        }
        reply
    }

    fn service_answer(&self, reply: &mut Reply, qname: &str, ns: &str, name: &str, qtype: QType) -> bool {
        let Some(svc) = self.service(ns, name) else { return false };
        if let Some(target) = &svc.external_name {
            // CoreDNS gives no CNAME to an address.
            if target.parse::<Ipv4Addr>().is_ok() {
                return false;
            }
            if qtype != QType::Srv {
                reply.answers.push(record(qname, Data::Cname(target.clone())));
            }
            return true;
        }
        let wants_a = matches!(qtype, QType::A | QType::Any);
        match &svc.cluster_ip {
            Some(ip) => {
                if wants_a {
                    if let Ok(ip) = ip.parse() {
                        reply.answers.push(record(qname, Data::A(ip)));
                    }
                }
                if qtype == QType::Srv {
                    for p in &svc.ports {
                        reply.answers.push(record(qname, Data::Srv { priority: 0, weight: 100, port: p.port as u16, target: svc.fqdn() }));
                    }
                }
                true
            }
            None => {
                let eps: Vec<_> = ready_endpoints(self, svc).collect();
                if eps.is_empty() {
                    return false;
                }
                if wants_a {
                    for e in &eps {
                        if let Ok(ip) = e.ip.parse() {
                            reply.answers.push(record(qname, Data::A(ip)));
                        }
                    }
                }
                if qtype == QType::Srv {
                    self.endpoint_srv(reply, qname, svc, None);
                }
                true
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn srv_answer(&self, reply: &mut Reply, qname: &str, ns: &str, name: &str, port: &str, proto: &str, qtype: QType) -> bool {
        let Some(svc) = self.service(ns, name).filter(|s| s.external_name.is_none()) else { return false };
        let ports: Vec<_> = svc.ports.iter().filter(|p| p.name == port && p.protocol.eq_ignore_ascii_case(proto)).collect();
        if ports.is_empty() {
            return false;
        }
        if !matches!(qtype, QType::Srv | QType::Any) {
            return true;
        }
        match &svc.cluster_ip {
            Some(ip) => {
                for p in ports {
                    reply.answers.push(record(qname, Data::Srv { priority: 0, weight: 100, port: p.port as u16, target: svc.fqdn() }));
                    if let Ok(ip) = ip.parse() {
                        reply.additional.push(record(&svc.fqdn(), Data::A(ip)));
                    }
                }
            }
            None => self.endpoint_srv(reply, qname, svc, Some(port)),
        }
        true
    }

    /// SRV records of a headless Service: one per ready endpoint and port (the first port
    /// named `port`, or every one), the endpoints' A records in the additional section.
    fn endpoint_srv(&self, reply: &mut Reply, qname: &str, svc: &Service, port: Option<&str>) {
        let eps: Vec<_> = ready_endpoints(self, svc).collect();
        let weight = (100 / eps.len().max(1)).max(1) as u16;
        for e in eps {
            let numbers: Vec<i64> = match port {
                Some(p) => e.ports.iter().find(|(n, _)| n == p).map(|(_, n)| *n).into_iter().collect(),
                None => e.ports.iter().map(|(_, n)| *n).collect(),
            };
            if port.is_some() && numbers.is_empty() {
                continue;
            }
            let target = format!("{}.{}", endpoint_label(e), svc.fqdn());
            for number in numbers {
                reply.answers.push(record(qname, Data::Srv { priority: 0, weight, port: number as u16, target: target.clone() }));
            }
            if let Ok(ip) = e.ip.parse() {
                reply.additional.push(record(&target, Data::A(ip)));
            }
        }
    }

    fn reverse(&self, qname: &str, reverse: &str, qtype: QType, serial: u32) -> Reply {
        let mut octets: Vec<&str> = reverse.split('.').collect();
        octets.reverse();
        let ip = octets.join(".");
        // A Service's cluster IP, or a ready endpoint that has a hostname (of any Service).
        let target = self.services.iter().find(|s| s.cluster_ip.as_deref() == Some(ip.as_str())).map(Service::fqdn).or_else(|| {
            self.services.iter().find_map(|s| self.endpoints_of(s).iter().find(|e| e.ip == ip && e.ready).and_then(|e| e.hostname.as_ref()).map(|h| format!("{h}.{}", s.fqdn())))
        });
        match target {
            Some(t) => {
                let mut r = Reply::new(Rcode::NoError);
                if matches!(qtype, QType::Ptr | QType::Any) {
                    r.answers.push(record(qname, Data::Ptr(t)));
                } else {
                    r.authority.push(soa(serial));
                }
                r
            }
            // `fallthrough in-addr.arpa`: other addresses go upstream, which does not know them.
            None => {
                let mut r = Reply::new(Rcode::NxDomain);
                r.authoritative = false;
                r
            }
        }
    }
}

/// What a pod's `/etc/resolv.conf` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvConf {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
    pub ndots: usize,
}

impl ResolvConf {
    pub fn parse(text: &str) -> ResolvConf {
        let mut r = ResolvConf { ndots: 1, ..ResolvConf::default() };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => r.nameservers.extend(words.next().map(str::to_string)),
                Some("search") | Some("domain") => r.search = words.map(str::to_string).collect(),
                Some("options") => {
                    for o in words {
                        if let Some(n) = o.strip_prefix("ndots:").and_then(|n| n.parse().ok()) {
                            r.ndots = n;
                        }
                    }
                }
                _ => {}
            }
        }
        r
    }

    /// The names a C library tries for `name`, in order: with the search domains first when
    /// the name has fewer dots than `ndots`, else the name as it is first. A name ending in a
    /// dot is tried only as it is.
    pub fn candidates(&self, name: &str) -> Vec<String> {
        if let Some(abs) = name.strip_suffix('.') {
            return vec![abs.to_string()];
        }
        let searched = self.search.iter().map(|d| format!("{name}.{d}"));
        if name.matches('.').count() >= self.ndots {
            std::iter::once(name.to_string()).chain(searched).collect()
        } else {
            searched.chain(std::iter::once(name.to_string())).collect()
        }
    }
}

/// The address `/etc/hosts` gives a name, if any.
pub fn from_hosts(hosts: &str, name: &str) -> Option<Ipv4Addr> {
    hosts
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .find_map(|l| {
            let mut words = l.split_whitespace();
            let ip = words.next()?;
            words.any(|w| w.eq_ignore_ascii_case(name.trim_end_matches('.'))).then_some(ip)?.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::super::fixture::network;
    use super::*;

    fn a(net: &Network, name: &str) -> (Rcode, Vec<String>) {
        let r = net.query(name, QType::A, 1);
        (r.rcode, r.addresses().iter().map(|i| i.to_string()).collect())
    }

    #[test]
    fn services_pods_and_missing_names() {
        let net = network();
        assert_eq!(a(&net, "web.default.svc.cluster.local"), (Rcode::NoError, vec!["10.96.23.49".into()]));
        assert_eq!(a(&net, "WEB.default.svc.cluster.local."), (Rcode::NoError, vec!["10.96.23.49".into()]));
        // A ClusterIP Service answers even without endpoints.
        assert_eq!(a(&net, "empty.default.svc.cluster.local").1, ["10.96.5.5"]);
        // Headless: every ready endpoint; by hostname.
        assert_eq!(a(&net, "web-headless.default.svc.cluster.local").1, ["10.244.1.3", "10.244.2.4"]);
        assert_eq!(a(&net, "web-1.web-headless.default.svc.cluster.local").1, ["10.244.2.4"]);
        assert_eq!(a(&net, "web-9.web-headless.default.svc.cluster.local").0, Rcode::NxDomain);
        assert_eq!(a(&net, "10-244-9-9.default.pod.cluster.local").1, ["10.244.9.9"]);
        assert_eq!(a(&net, "nosuch.default.svc.cluster.local").0, Rcode::NxDomain);
        // A namespace exists: NODATA; a name that is neither: NXDOMAIN.
        assert_eq!(a(&net, "default.svc.cluster.local"), (Rcode::NoError, vec![]));
        assert_eq!(a(&net, "web.svc.cluster.local").0, Rcode::NxDomain);
        // IPv4 only: AAAA is NODATA with the SOA.
        let aaaa = net.query("web.default.svc.cluster.local", QType::Aaaa, 7);
        assert_eq!((aaaa.rcode, aaaa.answers.len(), aaaa.authority.len()), (Rcode::NoError, 0, 1));
        let outside = net.query("example.com", QType::A, 1);
        assert_eq!((outside.rcode, outside.authoritative), (Rcode::NxDomain, false));
        let cname = net.query("ext.default.svc.cluster.local", QType::A, 1);
        assert_eq!(cname.answers[0].data, Data::Cname("example.com".into()));
        // CoreDNS gives no CNAME to an address.
        let mut to_ip = network();
        to_ip.services[4].external_name = Some("192.0.2.7".into());
        assert_eq!(to_ip.query("ext.default.svc.cluster.local", QType::A, 1).rcode, Rcode::NxDomain);
    }

    #[test]
    fn srv_and_ptr() {
        let net = network();
        let srv = net.query("_http._tcp.web.default.svc.cluster.local", QType::Srv, 1);
        assert_eq!(srv.answers[0].data, Data::Srv { priority: 0, weight: 100, port: 8080, target: "web.default.svc.cluster.local".into() });
        let headless = net.query("_http._tcp.web-headless.default.svc.cluster.local", QType::Srv, 1);
        assert_eq!(headless.answers.len(), 2);
        assert_eq!(headless.answers[1].data, Data::Srv { priority: 0, weight: 50, port: 80, target: "web-1.web-headless.default.svc.cluster.local".into() });
        assert_eq!(net.query("_nope._tcp.web.default.svc.cluster.local", QType::Srv, 1).rcode, Rcode::NxDomain);
        // Without port labels: every port, of the Service or of each endpoint.
        assert_eq!(net.query("web.default.svc.cluster.local", QType::Srv, 1).answers.len(), 1);
        let plain = net.query("web-headless.default.svc.cluster.local", QType::Srv, 1);
        assert_eq!((plain.answers.len(), plain.additional.len()), (2, 2));
        let ptr = net.query("10.0.96.10.in-addr.arpa", QType::Ptr, 1);
        assert_eq!(ptr.answers[0].data, Data::Ptr("kube-dns.kube-system.svc.cluster.local".into()));
        assert_eq!(net.query("9.9.9.9.in-addr.arpa", QType::Ptr, 1).rcode, Rcode::NxDomain);
        let named = net.query("4.2.244.10.in-addr.arpa", QType::Ptr, 1);
        assert_eq!(named.answers[0].data, Data::Ptr("web-1.web-headless.default.svc.cluster.local".into()));
        // An endpoint without a hostname has no PTR; the apex exists; ANY gets no data.
        assert_eq!(net.query("5.2.244.10.in-addr.arpa", QType::Ptr, 1).rcode, Rcode::NxDomain);
        assert_eq!(net.query("cluster.local", QType::A, 1).rcode, Rcode::NoError);
        assert!(net.query("web.default.svc.cluster.local", QType::Any, 1).answers.is_empty());
        assert_eq!(net.query("10-244-1-3.web.default.svc.cluster.local", QType::A, 1).addresses().len(), 1);
    }

    #[test]
    fn resolv_conf_search_order() {
        let r = ResolvConf::parse("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
        assert_eq!(r.nameservers, ["10.96.0.10"]);
        assert_eq!(r.candidates("web")[0], "web.default.svc.cluster.local");
        assert_eq!(r.candidates("web").last().unwrap(), "web");
        assert_eq!(r.candidates("a.b.c.d.e.f")[0], "a.b.c.d.e.f");
        assert_eq!(r.candidates("web.default.svc.cluster.local."), ["web.default.svc.cluster.local"]);
        assert_eq!(from_hosts("127.0.0.1\tlocalhost\n10.244.1.3\tweb-0.web.default.svc.cluster.local\tweb-0\n", "web-0"), Some(Ipv4Addr::new(10, 244, 1, 3)));
        assert_eq!(from_hosts("# x\n", "localhost"), None);
    }
}
