//! kube-proxy's rules (iptables mode, as on kind and minikube): where a TCP connection to an
//! address goes. A Service address (ClusterIP, external IP, load balancer IP, or a node's IP at
//! a node port) becomes one of the Service's usable endpoints, chosen at random per connection
//! (from the simulation's seeded generator) unless session affinity keeps a client on one.
//! A Service with no usable endpoint rejects (the client sees "connection refused"); a rule
//! that drops (`internalTrafficPolicy: Local` with no endpoint on the node) or an address nobody
//! has makes the client wait until it gives up.

use std::collections::BTreeMap;

use crate::sim::clock::{Duration, Timestamp};
use crate::sim::rng::Rng;

use super::{Endpoint, Network, Service};

/// Who connects: the pod's IP and its node.
#[derive(Clone, Copy, Debug)]
pub struct Client<'a> {
    pub ip: &'a str,
    pub node: &'a str,
}

/// Where a connection ends up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dial {
    /// At a pod's (or a host-network pod's node) address and port.
    Pod { ip: String, port: i64 },
    /// At the client's own pod (`localhost`).
    Loopback { port: i64 },
    Refused,
    /// Nobody answers: the client waits for its timeout.
    Timeout,
}

/// ClientIP session affinity: which endpoint a client last reached through a Service port, and
/// when.
#[derive(Clone, Debug, Default)]
pub struct Affinity(BTreeMap<(String, String, String), (String, Timestamp)>);

/// The endpoints traffic may go to: the ready ones; only when none is ready anywhere, the
/// serving ones that are terminating (kube-proxy's fallback).
pub(crate) fn usable<'a>(eps: &'a [Endpoint], port_name: &str) -> Vec<&'a Endpoint> {
    let with_port = |e: &&Endpoint| e.ports.iter().any(|(n, _)| n == port_name);
    let ready: Vec<&Endpoint> = eps.iter().filter(with_port).filter(|e| e.ready).collect();
    if !ready.is_empty() {
        return ready;
    }
    eps.iter().filter(with_port).filter(|e| e.serving && e.terminating).collect()
}

/// Whether `ip` is in `cidr` (`10.0.0.0/8`; a bare address is a /32).
pub fn in_cidr(ip: &str, cidr: &str) -> bool {
    let (base, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let (Ok(ip), Ok(base), Ok(bits)) = (ip.parse::<std::net::Ipv4Addr>(), base.trim().parse::<std::net::Ipv4Addr>(), bits.trim().parse::<u32>()) else { return false };
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
    u32::from(ip) & mask == u32::from(base) & mask
}

impl Network {
    /// Where a TCP connection from `client` to `ip:port` goes.
    pub fn dial(&self, client: Client, ip: &str, port: i64, rng: &mut Rng, affinity: &mut Affinity, now: Timestamp) -> Dial {
        if ip.starts_with("127.") || ip == client.ip {
            return Dial::Loopback { port };
        }
        // A Service's virtual addresses.
        for svc in &self.services {
            let internal = svc.cluster_ip.as_deref() == Some(ip);
            let balancer = svc.lb_ips.iter().any(|e| e == ip);
            if !internal && !balancer && !svc.external_ips.iter().any(|e| e == ip) {
                continue;
            }
            let Some(sp) = svc.ports.iter().find(|p| p.port == port && p.protocol == "TCP") else { return Dial::Timeout };
            // The load balancer's firewall drops sources outside its ranges.
            if balancer && !svc.source_ranges.is_empty() && !svc.source_ranges.iter().any(|r| in_cidr(client.ip, r)) {
                return Dial::Timeout;
            }
            // Traffic from inside the cluster to an external address is short-circuited to
            // the whole Service (kube-proxy's masquerade rule), so only the internal policy counts.
            let local = internal && svc.internal_local;
            return self.balance(svc, &sp.name, client, local.then_some(client.node), rng, affinity, now);
        }
        // A node's address: a node port, else whatever the node itself listens on.
        if let Some(node) = self.node_of_ip(ip) {
            for svc in self.services.iter().filter(|s| matches!(s.kind.as_str(), "NodePort" | "LoadBalancer")) {
                if let Some(sp) = svc.ports.iter().find(|p| p.node_port == Some(port) && p.protocol == "TCP") {
                    // Pods' traffic to a node port goes to the whole Service (kube-proxy's
                    // "pod traffic for external destinations" rule); from outside, a Local
                    // policy keeps it on the node.
                    let local = svc.external_local && client.node.is_empty();
                    return self.balance(svc, &sp.name, client, local.then_some(node), rng, affinity, now);
                }
            }
            return Dial::Pod { ip: ip.to_string(), port };
        }
        if self.pods.contains_key(ip) {
            return Dial::Pod { ip: ip.to_string(), port };
        }
        Dial::Timeout
    }

    /// Where a connection from outside the cluster (the learner's machine, on the nodes'
    /// network) goes: node addresses and load balancer addresses are reachable there; pod and
    /// cluster IPs are not routed to it.
    pub fn dial_outside(&self, from: &str, ip: &str, port: i64, rng: &mut Rng, affinity: &mut Affinity, now: Timestamp) -> Dial {
        let client = Client { ip: from, node: "" };
        if ip.starts_with("127.") {
            // Nothing of the cluster listens on the learner's own machine.
            return Dial::Refused;
        }
        // Only node and external (load balancer) addresses are routed to the nodes' network;
        // from there the rules are those a pod's connection meets, without a node of its own.
        let external = self.services.iter().any(|s| s.lb_ips.iter().chain(&s.external_ips).any(|e| e == ip));
        if !external && self.node_of_ip(ip).is_none() {
            return Dial::Timeout;
        }
        self.dial(client, ip, port, rng, affinity, now)
    }

    /// The source address the server sees when kube-proxy masquerades the connection: traffic
    /// to a node port, an external or a load balancer address of a Service whose
    /// `externalTrafficPolicy` is Cluster leaves from a node (the one dialled, or the client's
    /// own for the Service's external addresses). `None`: the client's own address is kept.
    pub fn masquerade(&self, client: Client, ip: &str, port: i64) -> Option<String> {
        let external = self.services.iter().find(|s| s.lb_ips.iter().chain(&s.external_ips).any(|e| e == ip));
        if let Some(svc) = external {
            let own_node = self.nodes.iter().find(|(n, _)| n == client.node).map(|(_, a)| a.clone());
            return (!svc.external_local).then_some(own_node).flatten();
        }
        self.node_of_ip(ip)?;
        let svc = self.services.iter().find(|s| matches!(s.kind.as_str(), "NodePort" | "LoadBalancer") && s.ports.iter().any(|p| p.node_port == Some(port)))?;
        (!svc.external_local).then(|| ip.to_string())
    }

    #[allow(clippy::too_many_arguments)]
    fn balance(&self, svc: &Service, port_name: &str, client: Client, only_node: Option<&str>, rng: &mut Rng, affinity: &mut Affinity, now: Timestamp) -> Dial {
        let all = usable(self.endpoints_of(svc), port_name);
        if all.is_empty() {
            return Dial::Refused;
        }
        let eps: Vec<&Endpoint> = all.into_iter().filter(|e| only_node.is_none_or(|n| e.node.as_deref() == Some(n))).collect();
        if eps.is_empty() {
            return Dial::Timeout;
        }
        let key = (format!("{}/{}", svc.namespace, svc.name), port_name.to_string(), client.ip.to_string());
        let sticky = svc.affinity_seconds.and_then(|secs| {
            affinity.0.get(&key).filter(|(_, at)| now.since(*at) <= Duration::from_secs(secs)).and_then(|(ip, _)| eps.iter().find(|e| &e.ip == ip).copied())
        });
        let chosen = sticky.unwrap_or_else(|| eps[rng.below(eps.len() as u64) as usize]);
        if svc.affinity_seconds.is_some() {
            affinity.0.insert(key, (chosen.ip.clone(), now));
        }
        let number = chosen.ports.iter().find(|(n, _)| n == port_name).map_or(0, |(_, p)| *p);
        Dial::Pod { ip: chosen.ip.clone(), port: number }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::network;
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap().plus(Duration::from_secs(s))
    }

    #[test]
    fn services_balance_over_ready_endpoints() {
        let net = network();
        let me = Client { ip: "10.244.1.9", node: "n1" };
        let mut rng = Rng::seeded(1);
        let mut aff = Affinity::default();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..40 {
            match net.dial(me, "10.96.23.49", 8080, &mut rng, &mut aff, at(0)) {
                Dial::Pod { ip, port } => {
                    assert_eq!(port, 80);
                    seen.insert(ip);
                }
                other => panic!("{other:?}"),
            }
        }
        // Both ready pods, never the one that is not ready.
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["10.244.1.3", "10.244.2.4"]);
        assert_eq!(net.dial(me, "10.96.23.49", 80, &mut rng, &mut aff, at(0)), Dial::Timeout);
        assert_eq!(net.dial(me, "10.96.5.5", 80, &mut rng, &mut aff, at(0)), Dial::Refused);
        assert_eq!(net.dial(me, "10.244.2.5", 80, &mut rng, &mut aff, at(0)), Dial::Pod { ip: "10.244.2.5".into(), port: 80 });
        assert_eq!(net.dial(me, "127.0.0.1", 80, &mut rng, &mut aff, at(0)), Dial::Loopback { port: 80 });
        assert_eq!(net.dial(me, "192.0.2.1", 80, &mut rng, &mut aff, at(0)), Dial::Timeout);
    }

    #[test]
    fn affinity_and_local_policies() {
        let mut net = network();
        let me = Client { ip: "10.244.1.9", node: "n1" };
        let mut rng = Rng::seeded(7);
        let mut aff = Affinity::default();
        net.services[1].affinity_seconds = Some(10);
        let first = net.dial(me, "10.96.23.49", 8080, &mut rng, &mut aff, at(0));
        for s in 1..20 {
            assert_eq!(net.dial(me, "10.96.23.49", 8080, &mut rng, &mut aff, at(s / 2)), first);
        }
        net.services[1].affinity_seconds = None;
        net.services[1].internal_local = true;
        assert_eq!(net.dial(me, "10.96.23.49", 8080, &mut rng, &mut aff, at(0)), Dial::Pod { ip: "10.244.1.3".into(), port: 80 });
        let elsewhere = Client { ip: "10.244.3.3", node: "n3" };
        assert_eq!(net.dial(elsewhere, "10.96.23.49", 8080, &mut rng, &mut aff, at(0)), Dial::Timeout);
        // A load balancer with source ranges lets only those in.
        net.services[1].lb_ips = vec!["172.18.255.200".into()];
        net.services[1].source_ranges = vec!["10.244.0.0/16".into()];
        net.services[1].internal_local = false;
        assert!(matches!(net.dial(me, "172.18.255.200", 8080, &mut rng, &mut aff, at(0)), Dial::Pod { port: 80, .. }));
        net.services[1].source_ranges = vec!["192.168.0.0/24".into()];
        assert_eq!(net.dial(me, "172.18.255.200", 8080, &mut rng, &mut aff, at(0)), Dial::Timeout);
        assert!(in_cidr("10.1.2.3", "10.0.0.0/8") && !in_cidr("11.1.2.3", "10.0.0.0/8") && in_cidr("1.2.3.4", "1.2.3.4"));
        net.services[1].internal_local = true;
        // A node port on any node reaches the Service.
        net.services[1].kind = "NodePort".into();
        net.services[1].ports[0].node_port = Some(30080);
        assert!(matches!(net.dial(me, "172.18.0.3", 30080, &mut rng, &mut aff, at(0)), Dial::Pod { port: 80, .. }));
        assert_eq!(net.masquerade(me, "172.18.0.3", 30080), Some("172.18.0.3".to_string()));
        assert_eq!(net.masquerade(me, "10.96.23.49", 8080), None);
        net.services[1].external_local = true;
        assert_eq!(net.dial_outside("172.18.0.1", "172.18.0.2", 30080, &mut rng, &mut aff, at(0)), Dial::Pod { ip: "10.244.1.3".into(), port: 80 });
        for _ in 0..10 {
            assert!(matches!(net.dial(me, "172.18.0.2", 30080, &mut rng, &mut aff, at(0)), Dial::Pod { .. }));
        }
        assert_eq!(net.masquerade(me, "172.18.0.2", 30080), None);
    }
}
