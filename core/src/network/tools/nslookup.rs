//! `nslookup NAME [SERVER]`, BusyBox's (busybox and alpine images) and bind9's (Debian and
//! Ubuntu images). BusyBox sends A and AAAA questions for the name — for a name without a dot,
//! one per search domain and never the bare name — and prints each reply as it comes; bind's
//! follows the C library's search order and stops at the first name that exists.

use super::{Net, Place, Ran};
use crate::network::dns::{Data, QType, Rcode, Record, Reply};

/// A record as nslookup prints it; bind's writes names in the answer data with their final dot.
fn rdata_line(r: &Record, bind: bool) -> String {
    let dot = if bind { "." } else { "" };
    match &r.data {
        Data::A(ip) => format!("Name:\t{}\nAddress: {ip}\n", r.name),
        Data::Cname(t) => format!("{}\tcanonical name = {t}{dot}\n", r.name),
        Data::Ptr(t) => format!("{}\tname = {t}{dot}\n", r.name),
        Data::Srv { priority, weight, port, target } => format!("{}\tservice = {priority} {weight} {port} {target}{dot}\n", r.name),
        Data::Txt(t) => format!("{}\ttext = \"{t}\"\n", r.name),
        Data::Soa { .. } => String::new(),
    }
}

fn reverse_name(ip: &str) -> Option<String> {
    let ip: std::net::Ipv4Addr = ip.parse().ok()?;
    let o = ip.octets();
    Some(format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]))
}

struct Args {
    name: String,
    server: Option<String>,
    qtype: Option<QType>,
}

fn parse(args: &[String], usage: &str) -> Result<Args, String> {
    let mut name = None;
    let mut server = None;
    let mut qtype = None;
    for a in args {
        if let Some(opt) = a.strip_prefix('-') {
            let (k, v) = opt.split_once('=').unwrap_or((opt, ""));
            match k {
                "type" | "query" | "q" => qtype = Some(QType::parse(v).ok_or_else(|| format!("nslookup: invalid query type \"{v}\"\n"))?),
                "debug" | "retry" | "timeout" | "t" | "port" | "nodebug" => {}
                _ => return Err(usage.to_string()),
            }
        } else if name.is_none() {
            name = Some(a.clone());
        } else {
            server = Some(a.clone());
        }
    }
    Ok(Args { name: name.ok_or_else(|| usage.to_string())?, server, qtype })
}

const BUSYBOX_USAGE: &str = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n";

pub fn busybox(net: &mut dyn Net, place: &mut Place, args: &[String]) -> Ran {
    let mut ran = Ran::default();
    let a = match parse(args, BUSYBOX_USAGE) {
        Ok(a) => a,
        Err(e) => {
            ran.err(e);
            return ran.exit(1);
        }
    };
    let Some(server) = a.server.clone().or_else(|| place.resolv().nameservers.first().cloned()) else {
        ran.out(";; connection timed out; no servers could be reached\n\n");
        return ran.exit(1);
    };
    let (names, types): (Vec<String>, Vec<QType>) = match reverse_name(&a.name) {
        Some(rev) => (vec![rev], vec![QType::Ptr]),
        None => {
            let conf = place.resolv();
            let names = if a.name.contains('.') || conf.search.is_empty() { vec![a.name.trim_end_matches('.').to_string()] } else { conf.search.iter().map(|d| format!("{}.{d}", a.name)).collect() };
            (names, a.qtype.map_or_else(|| vec![QType::A, QType::Aaaa], |t| vec![t]))
        }
    };
    let mut header = false;
    let mut code = 0;
    for t in types {
        for n in &names {
            let Some(reply) = net.dns(&server, n, t) else {
                ran.took += 5.0;
                continue;
            };
            if !header {
                ran.out(format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n"));
                header = true;
            }
            if reply.rcode != Rcode::NoError {
                ran.out(format!("** server can't find {n}: {}\n\n", reply.rcode.name()));
                code = 1;
                continue;
            }
            if !reply.answers.is_empty() && !reply.authoritative {
                ran.out("Non-authoritative answer:\n");
            }
            for r in &reply.answers {
                ran.out(rdata_line(r, false));
            }
            ran.out("\n");
        }
    }
    if !header {
        ran.out(";; connection timed out; no servers could be reached\n\n");
        return ran.exit(1);
    }
    ran.exit(code)
}

const BIND_USAGE: &str = "Usage: nslookup [-opt ...] host [server]\n";

pub fn bind(net: &mut dyn Net, place: &mut Place, args: &[String]) -> Ran {
    let mut ran = Ran::default();
    let a = match parse(args, BIND_USAGE) {
        Ok(a) => a,
        Err(e) => {
            ran.err(e);
            return ran.exit(1);
        }
    };
    let conf = place.resolv();
    let Some(server) = a.server.clone().or_else(|| conf.nameservers.first().cloned()) else {
        ran.out(";; connection timed out; no servers could be reached\n\n");
        return ran.exit(1);
    };
    let header = format!("Server:\t\t{server}\nAddress:\t{server}#53\n\n");
    let (candidates, types) = match reverse_name(&a.name) {
        Some(rev) => (vec![rev], vec![QType::Ptr]),
        None => (conf.candidates(&a.name), a.qtype.map_or_else(|| vec![QType::A, QType::Aaaa], |t| vec![t])),
    };
    let mut answered = false;
    for n in &candidates {
        let Some(first) = net.dns(&server, n, types[0]) else {
            ran.took += 15.0;
            continue;
        };
        answered = true;
        if first.rcode != Rcode::NoError {
            continue;
        }
        let mut replies: Vec<Reply> = vec![first];
        replies.extend(types[1..].iter().filter_map(|t| net.dns(&server, n, *t)));
        ran.out(header);
        if replies.iter().any(|r| !r.authoritative && !r.answers.is_empty()) {
            ran.out("Non-authoritative answer:\n");
        }
        for r in replies.iter().flat_map(|r| &r.answers) {
            ran.out(rdata_line(r, true));
        }
        ran.out("\n");
        return ran;
    }
    if !answered {
        ran.out(";; connection timed out; no servers could be reached\n\n");
        return ran.exit(1);
    }
    ran.out(format!("{header}** server can't find {}: NXDOMAIN\n\n", a.name));
    ran.exit(1)
}

#[cfg(test)]
mod tests {
    use super::super::testing::run_line;

    #[test]
    fn busybox_prints_every_reply() {
        let (out, code) = run_line("nslookup web.default.svc.cluster.local", false, false);
        assert_eq!(out, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.23.49\n\n\n");
        assert_eq!(code, 0);
        let (out, code) = run_line("nslookup web", false, false);
        assert_eq!(code, 1);
        assert_eq!(
            out,
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.23.49\n\n\
             ** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n\n\
             ** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n"
        );
        let (out, _) = run_line("nslookup 10.96.0.10", false, false);
        assert!(out.ends_with("\n10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local\n\n"), "{out}");
        assert_eq!(run_line("nslookup -type=x web", false, false), ("nslookup: invalid query type \"x\"\n".into(), 1));
        let (out, code) = run_line("nslookup web 10.1.1.1", false, false);
        assert_eq!((out.as_str(), code), (";; connection timed out; no servers could be reached\n\n", 1));
    }

    #[test]
    fn bind_follows_the_search_list() {
        let (out, code) = run_line("nslookup web", false, true);
        assert_eq!((out.as_str(), code), ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.23.49\n\n", 0));
        // bind writes the names in answers with their final dot.
        let (out, _) = run_line("nslookup 10.96.0.10", false, true);
        assert!(out.ends_with("\n10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local.\n\n"), "{out}");
        let (out, code) = run_line("nslookup nosuch", false, true);
        assert_eq!((out.as_str(), code), ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find nosuch: NXDOMAIN\n\n", 1));
    }
}
