//! The files the kubelet writes into every container for its network identity:
//! `/etc/resolv.conf` from the pod's `dnsPolicy` and `dnsConfig`, and the Kubernetes-managed
//! `/etc/hosts` (with the pod's own name and its `hostAliases`), and `/etc/hostname`.

use serde_json::Value;

use crate::network::CLUSTER_DOMAIN;

/// The cluster DNS Service's address the kubelets are configured with (`clusterDNS`; kind and
/// minikube both use the tenth address of the service range).
pub const CLUSTER_DNS: &str = "10.96.0.10";

/// Most name servers and search domains a resolv.conf may list (kubelet's limits).
const MAX_NAMESERVERS: usize = 3;
const MAX_SEARCH: usize = 32;

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

/// What a node's own resolver configuration says (the network's gateway, as Docker gives kind
/// and minikube nodes).
fn node_resolver(node_ip: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    (vec![crate::network::gateway(node_ip)], Vec::new(), vec!["ndots:0".to_string()])
}

/// `/etc/resolv.conf` for a pod in `namespace` on a node at `node_ip`.
pub fn resolv_conf(pod: &Value, namespace: &str, node_ip: &str) -> String {
    let spec = &pod["spec"];
    let host_network = spec["hostNetwork"] == true;
    let policy = spec["dnsPolicy"].as_str().unwrap_or("ClusterFirst");
    let cluster = || {
        (
            vec![CLUSTER_DNS.to_string()],
            vec![format!("{namespace}.svc.{CLUSTER_DOMAIN}"), format!("svc.{CLUSTER_DOMAIN}"), CLUSTER_DOMAIN.to_string()],
            vec!["ndots:5".to_string()],
        )
    };
    let (mut servers, mut search, mut options) = match policy {
        "ClusterFirstWithHostNet" => cluster(),
        "ClusterFirst" if !host_network => cluster(),
        "None" => (Vec::new(), Vec::new(), Vec::new()),
        _ => node_resolver(node_ip),
    };
    let config = &spec["dnsConfig"];
    for s in strings(&config["nameservers"]) {
        if !servers.contains(&s) {
            servers.push(s);
        }
    }
    for s in strings(&config["searches"]) {
        if !search.contains(&s) {
            search.push(s);
        }
    }
    for o in config["options"].as_array().into_iter().flatten() {
        let Some(name) = o["name"].as_str() else { continue };
        let text = match o["value"].as_str() {
            Some(v) => format!("{name}:{v}"),
            None => name.to_string(),
        };
        match options.iter_mut().find(|x| x.split(':').next() == Some(name)) {
            Some(x) => *x = text,
            None => options.push(text),
        }
    }
    servers.truncate(MAX_NAMESERVERS);
    search.truncate(MAX_SEARCH);
    let mut out = String::new();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    for s in servers {
        out.push_str(&format!("nameserver {s}\n"));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

/// The pod's host name (`spec.hostname`, else its name, at most 63 characters).
pub fn hostname(pod: &Value) -> String {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    pod["spec"]["hostname"].as_str().filter(|h| !h.is_empty()).unwrap_or(name).chars().take(63).collect()
}

/// The Kubernetes-managed `/etc/hosts` of a pod at `ip`.
pub fn hosts(pod: &Value, namespace: &str, ip: &str) -> String {
    let mut out = String::from("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    let host = hostname(pod);
    match pod["spec"]["subdomain"].as_str().filter(|s| !s.is_empty()) {
        Some(sub) => out.push_str(&format!("{ip}\t{host}.{sub}.{namespace}.svc.{CLUSTER_DOMAIN}\t{host}\n")),
        None => out.push_str(&format!("{ip}\t{host}\n")),
    }
    let aliases = pod["spec"]["hostAliases"].as_array().cloned().unwrap_or_default();
    if !aliases.is_empty() {
        out.push_str("\n# Entries added by HostAliases.\n");
        for a in aliases {
            out.push_str(&format!("{}\t{}\n", a["ip"].as_str().unwrap_or_default(), strings(&a["hostnames"]).join("\t")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolv_conf_follows_the_dns_policy() {
        let pod = json!({"spec": {}});
        assert_eq!(resolv_conf(&pod, "default", "172.18.0.3"), "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
        assert_eq!(resolv_conf(&json!({"spec": {"dnsPolicy": "Default"}}), "default", "172.18.0.3"), "nameserver 172.18.0.1\noptions ndots:0\n");
        assert_eq!(resolv_conf(&json!({"spec": {"hostNetwork": true}}), "default", "192.168.49.2"), "nameserver 192.168.49.1\noptions ndots:0\n");
        let none = json!({"spec": {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["8.8.8.8"], "searches": ["example.com"], "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}}});
        assert_eq!(resolv_conf(&none, "default", "172.18.0.3"), "search example.com\nnameserver 8.8.8.8\noptions ndots:2 edns0\n");
        let merged = json!({"spec": {"dnsConfig": {"options": [{"name": "ndots", "value": "1"}]}}});
        assert!(resolv_conf(&merged, "default", "172.18.0.3").ends_with("options ndots:1\n"));
    }

    #[test]
    fn hosts_names_the_pod() {
        let pod = json!({"metadata": {"name": "web-0"}, "spec": {"subdomain": "web", "hostAliases": [{"ip": "10.1.1.1", "hostnames": ["a", "b"]}]}});
        let h = hosts(&pod, "default", "10.244.1.3");
        assert!(h.contains("\n10.244.1.3\tweb-0.web.default.svc.cluster.local\tweb-0\n"), "{h}");
        assert!(h.ends_with("\n# Entries added by HostAliases.\n10.1.1.1\ta\tb\n"), "{h}");
    }
}
