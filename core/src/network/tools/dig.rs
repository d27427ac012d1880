//! bind9's `dig` (Debian bookworm): `dig [@SERVER] NAME [TYPE]`, `-x ADDRESS`, `-t TYPE`,
//! `+short`, `+search`. The name is asked as written unless `+search`; the reply is printed in
//! dig's sections with its column layout, flags and message size.

use super::{Net, Place, Ran};
use crate::network::dns::{Data, QType, Rcode, Record};
use crate::sim::clock::Timestamp;

const VERSION: &str = "9.18.33-1~deb12u2-Debian";

/// Pads `text` (already at column `col`) with tabs and spaces to reach `to`, as dig does.
fn pad_to(line: &mut String, col: &mut usize, to: usize) {
    let target = to.max(*col + 1);
    let tabs = target / 8 - *col / 8;
    if tabs > 0 {
        line.push_str(&"\t".repeat(tabs));
        *col = 8 * (target / 8);
    }
    line.push_str(&" ".repeat(target - *col));
    *col = target;
}

fn push(line: &mut String, col: &mut usize, s: &str) {
    line.push_str(s);
    *col += s.len();
}

fn rdata(d: &Data) -> String {
    match d {
        Data::A(ip) => ip.to_string(),
        Data::Cname(t) | Data::Ptr(t) => format!("{t}."),
        Data::Srv { priority, weight, port, target } => format!("{priority} {weight} {port} {target}."),
        Data::Txt(t) => format!("\"{t}\""),
        Data::Soa { mname, rname, serial } => format!("{mname}. {rname}. {serial} 7200 1800 86400 30"),
    }
}

fn record_line(r: &Record) -> String {
    let mut line = String::new();
    let mut col = 0;
    push(&mut line, &mut col, &format!("{}.", r.name));
    pad_to(&mut line, &mut col, 24);
    push(&mut line, &mut col, &r.ttl.to_string());
    pad_to(&mut line, &mut col, 32);
    push(&mut line, &mut col, "IN");
    pad_to(&mut line, &mut col, 40);
    push(&mut line, &mut col, r.data.qtype().name());
    pad_to(&mut line, &mut col, 48);
    line.push_str(&rdata(&r.data));
    line.push('\n');
    line
}

fn wire_len(name: &str) -> usize {
    name.trim_end_matches('.').split('.').filter(|l| !l.is_empty()).map(|l| l.len() + 1).sum::<usize>() + 1
}

fn rdlen(d: &Data) -> usize {
    match d {
        Data::A(_) => 4,
        Data::Cname(t) | Data::Ptr(t) => wire_len(t),
        Data::Srv { target, .. } => 6 + wire_len(target),
        Data::Txt(t) => 1 + t.len(),
        Data::Soa { mname, rname, .. } => wire_len(mname) + wire_len(rname) + 20,
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn when(t: Timestamp) -> String {
    // `Wed Nov 25 11:00:00 UTC 2026`, with the day of the month two digits wide.
    let http = crate::network::http::http_date(t);
    let mut w = http.split([',', ' ']).filter(|s| !s.is_empty());
    let (wd, d, m, y, time) = (w.next().unwrap_or_default(), w.next().unwrap_or_default(), w.next().unwrap_or_default(), w.next().unwrap_or_default(), w.next().unwrap_or_default());
    format!("{wd} {m} {d} {time} UTC {y}")
}

pub fn run(net: &mut dyn Net, place: &mut Place, args: &[String], now: Timestamp) -> Ran {
    let mut ran = Ran::default();
    let mut server = None;
    let mut name: Option<String> = None;
    let mut qtype = None;
    let mut short = false;
    let mut search = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if let Some(s) = a.strip_prefix('@') {
            server = Some(s.to_string());
        } else if a == "+short" {
            short = true;
        } else if a == "+search" {
            search = true;
        } else if a.starts_with('+') {
        } else if a == "-x" {
            let Some(ip) = args.get(i) else { break };
            i += 1;
            let ip: Option<std::net::Ipv4Addr> = ip.parse().ok();
            let Some(ip) = ip else {
                ran.err(format!("Invalid IP address {}\n", args[i - 1]));
                return ran.exit(1);
            };
            let o = ip.octets();
            name = Some(format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]));
            qtype = Some(QType::Ptr);
        } else if a == "-t" {
            qtype = args.get(i).and_then(|t| QType::parse(t));
            i += 1;
        } else if let Some(t) = QType::parse(a).filter(|_| qtype.is_none()) {
            // dig takes a word that names a type as the type, before or after the name.
            qtype = Some(t);
        } else {
            name = Some(a.clone());
        }
    }
    let conf = place.resolv();
    let Some(server) = server.or_else(|| conf.nameservers.first().cloned()) else {
        ran.out(";; no servers could be reached\n");
        return ran.exit(9);
    };
    let name = name.unwrap_or_else(|| ".".to_string());
    let qtype = qtype.unwrap_or(if name == "." { QType::Ns } else { QType::A });
    let cmd = args.join(" ");
    let candidates = if search { conf.candidates(&name) } else { vec![name.trim_end_matches('.').to_string()] };
    let mut reply = None;
    let mut asked = candidates[0].clone();
    for c in &candidates {
        let Some(r) = net.dns(&server, c, qtype) else {
            ran.took += 15.0;
            break;
        };
        asked = c.clone();
        let found = r.rcode == Rcode::NoError;
        reply = Some(r);
        if found {
            break;
        }
    }
    let Some(reply) = reply else {
        if short {
            ran.out(";; connection timed out; no servers could be reached\n");
        } else {
            ran.out(format!("\n; <<>> DiG {VERSION} <<>> {cmd}\n;; global options: +cmd\n;; connection timed out; no servers could be reached\n"));
        }
        return ran.exit(9);
    };
    if short {
        for r in &reply.answers {
            ran.out(format!("{}\n", rdata(&r.data)));
        }
        return ran;
    }
    let id = hash(&format!("{asked}{}", now.unix_millis())) % 65_536;
    let cookie = format!("{:016x}", hash(&format!("cookie{}", now.unix_millis())));
    let flags = if reply.authoritative { "qr aa rd" } else { "qr rd ra" };
    let mut s = format!("\n; <<>> DiG {VERSION} <<>> {cmd}\n;; global options: +cmd\n;; Got answer:\n");
    s.push_str(&format!(";; ->>HEADER<<- opcode: QUERY, status: {}, id: {id}\n", reply.rcode.name()));
    s.push_str(&format!(";; flags: {flags}; QUERY: 1, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n", reply.answers.len(), reply.authority.len(), reply.additional.len() + 1));
    if reply.authoritative {
        s.push_str(";; WARNING: recursion requested but not available\n");
    }
    s.push_str(&format!("\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n; COOKIE: {cookie} (echoed)\n;; QUESTION SECTION:\n"));
    let mut q = String::from(";");
    let mut col = 0;
    push(&mut q, &mut col, &format!("{asked}."));
    pad_to(&mut q, &mut col, 32);
    push(&mut q, &mut col, "IN");
    pad_to(&mut q, &mut col, 40);
    q.push_str(qtype.name());
    s.push_str(&q);
    s.push('\n');
    for (title, records) in [("ANSWER", &reply.answers), ("AUTHORITY", &reply.authority), ("ADDITIONAL", &reply.additional)] {
        if !records.is_empty() {
            s.push_str(&format!("\n;; {title} SECTION:\n"));
            for r in records {
                s.push_str(&record_line(r));
            }
        }
    }
    let size = 12 + wire_len(&asked) + 4 + reply.answers.iter().chain(&reply.authority).chain(&reply.additional).map(|r| wire_len(&r.name) + 10 + rdlen(&r.data)).sum::<usize>() + 23;
    s.push_str(&format!("\n;; Query time: 0 msec\n;; SERVER: {server}#53({server}) (UDP)\n;; WHEN: {}\n;; MSG SIZE  rcvd: {size}\n\n", when(now)));
    ran.out(s);
    ran
}

#[cfg(test)]
mod tests {
    use super::super::testing::run_line;

    #[test]
    fn answers_in_dig_layout() {
        let (out, code) = run_line("dig web.default.svc.cluster.local", false, false);
        assert_eq!(code, 0);
        assert!(out.contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"), "{out}");
        assert!(out.contains(";web.default.svc.cluster.local.\tIN\tA\n"), "{out}");
        assert!(out.contains("\nweb.default.svc.cluster.local. 30 IN\tA\t10.96.23.49\n"), "{out}");
        assert!(out.contains(";; MSG SIZE  rcvd: 115\n"), "{out}");
        assert!(out.contains(";; WHEN: Wed Nov 25 11:00:00 UTC 2026\n"), "{out}");
        assert_eq!(run_line("dig +short web.default.svc.cluster.local", false, false).0, "10.96.23.49\n");
        assert_eq!(run_line("dig +short -x 10.96.0.10", false, false).0, "kube-dns.kube-system.svc.cluster.local.\n");
        assert_eq!(run_line("dig +short web", false, false).0, "");
        assert_eq!(run_line("dig +short SRV _http._tcp.web.default.svc.cluster.local", false, false).0, "0 100 8080 web.default.svc.cluster.local.\n");
        assert_eq!(run_line("dig +short _http._tcp.web.default.svc.cluster.local SRV", false, false).0, "0 100 8080 web.default.svc.cluster.local.\n");
        assert_eq!(run_line("dig +short +search web", false, false).0, "10.96.23.49\n");
        let (out, _) = run_line("dig nosuch.default.svc.cluster.local", false, false);
        assert!(out.contains("status: NXDOMAIN") && out.contains("AUTHORITY: 1") && out.contains("\ncluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30\n"), "{out}");
    }
}
