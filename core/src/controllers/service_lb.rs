//! A simulated cloud's load balancers (the cloud-controller-manager's service controller): a
//! Service of type LoadBalancer gets an external address in `status.loadBalancer.ingress`, and
//! loses it when it stops being one. The addresses come from the top of the nodes' network
//! (`172.18.255.200`–`172.18.255.250` on kind's Docker network), the pool kind's load balancer
//! guide gives MetalLB. `spec.loadBalancerIP` (deprecated) asks for a given address; a
//! Service with a `loadBalancerClass` belongs to another implementation and is left alone.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use super::{Client, Controller};

pub struct ServiceLbController;

/// First and last host of the pool, in the nodes' /16.
const POOL: (u8, u8) = (200, 250);

fn pool(c: &Client) -> Vec<Ipv4Addr> {
    let first_node = c.list("nodes", None).into_iter().find_map(|n| {
        n["status"]["addresses"].as_array().into_iter().flatten().find(|a| a["type"] == "InternalIP").and_then(|a| a["address"].as_str()).and_then(|a| a.parse::<Ipv4Addr>().ok())
    });
    let Some(node) = first_node else { return Vec::new() };
    let [a, b, _, _] = node.octets();
    (POOL.0..=POOL.1).map(|h| Ipv4Addr::new(a, b, 255, h)).collect()
}

fn ingress_ips(svc: &Value) -> Vec<String> {
    svc["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str().map(str::to_string)).collect()
}

impl Controller for ServiceLbController {
    fn name(&self) -> &'static str {
        "service-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let services = c.list("services", None);
        let mut used: BTreeSet<String> = crate::sort::set(services.iter().filter(|s| s["spec"]["type"] == "LoadBalancer").flat_map(|s| ingress_ips(s)));
        let mut free: Option<Vec<Ipv4Addr>> = None;
        for svc in services {
            let wants = svc["spec"]["type"] == "LoadBalancer" && svc["spec"]["loadBalancerClass"].is_null() && svc["metadata"]["deletionTimestamp"].is_null();
            let has = ingress_ips(&svc);
            if !wants {
                if !has.is_empty() && svc["spec"]["loadBalancerClass"].is_null() {
                    let mut next = (*svc).clone();
                    next["status"]["loadBalancer"] = json!({});
                    if c.update_status("v1", "services", next).is_ok() {
                        c.event(&svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer");
                    }
                }
                continue;
            }
            if !has.is_empty() {
                continue;
            }
            let pool = free.get_or_insert_with(|| pool(c));
            let asked = svc["spec"]["loadBalancerIP"].as_str().filter(|ip| !ip.is_empty());
            c.event(&svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer");
            let chosen = match asked {
                Some(ip) if pool.iter().any(|p| p.to_string() == ip) && !used.contains(ip) => Some(ip.to_string()),
                Some(ip) => {
                    let msg = format!("Error syncing load balancer: failed to ensure load balancer: requested IP {ip} is not available");
                    c.event(&svc, "Warning", "SyncLoadBalancerFailed", &msg);
                    continue;
                }
                None => pool.iter().map(Ipv4Addr::to_string).find(|ip| !used.contains(ip)),
            };
            let Some(ip) = chosen else {
                c.event(&svc, "Warning", "SyncLoadBalancerFailed", "Error syncing load balancer: failed to ensure load balancer: no available IPs");
                continue;
            };
            let mut next = (*svc).clone();
            next["status"]["loadBalancer"] = json!({"ingress": [{"ip": ip, "ipMode": "VIP"}]});
            if c.update_status("v1", "services", next).is_ok() {
                used.insert(ip);
                c.event(&svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer");
            }
        }
    }
}
