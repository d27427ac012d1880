//! networking.k8s.io/v1: Ingress, IngressClass and NetworkPolicy.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::ip::validate_cidr;
use crate::api::object::{name, object_mut, set_default};
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::{dns1035_label, dns1123_subdomain, port_name};
use crate::apiserver::validation::selector::validate_label_selector;
use crate::sim::clock::Timestamp;

fn validate_backend(b: &Value, p: &Path, errs: &mut Vec<FieldError>) {
    let has_service = b["service"].is_object();
    let has_resource = b["resource"].is_object();
    if has_service && has_resource {
        errs.push(FieldError::invalid_str(p, "", "cannot set both resource and service backends"));
        return;
    }
    if has_service {
        let svc = &b["service"];
        let n = svc["name"].as_str().unwrap_or_default();
        if n.is_empty() {
            errs.push(FieldError::required(&p.child("service").child("name"), ""));
        } else {
            for m in dns1035_label(n) {
                errs.push(FieldError::invalid_str(&p.child("service").child("name"), n, m));
            }
        }
        let port = &svc["port"];
        let pname = port["name"].as_str().unwrap_or_default();
        let number = port["number"].as_i64().unwrap_or(0);
        if !pname.is_empty() && number != 0 {
            errs.push(FieldError::invalid_str(p, "", "cannot set both port name & port number"));
        } else if !pname.is_empty() {
            for m in port_name(pname) {
                errs.push(FieldError::invalid_str(&p.child("service").child("port").child("name"), pname, m));
            }
        } else if number != 0 {
            if !(1..=65535).contains(&number) {
                errs.push(FieldError::invalid_num(&p.child("service").child("port").child("number"), number, "must be between 1 and 65535, inclusive"));
            }
        } else {
            errs.push(FieldError::required(p, "port name or number is required"));
        }
    } else if has_resource {
        let r = &b["resource"];
        if r["kind"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::invalid_str(&p.child("resource").child("kind"), "", "kind is required"));
        }
        if r["name"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::invalid_str(&p.child("resource").child("name"), "", "name is required"));
        }
    } else {
        errs.push(FieldError::invalid_str(p, "", "resource or service backend is required"));
    }
}

fn validate_host(host: &str, p: &Path, errs: &mut Vec<FieldError>) {
    if host.parse::<std::net::IpAddr>().is_ok() {
        errs.push(FieldError::invalid_str(p, host, "must be a DNS name, not an IP address"));
        return;
    }
    let check = host.strip_prefix("*.").unwrap_or(host);
    if check.contains('*') {
        errs.push(FieldError::invalid_str(p, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        return;
    }
    for m in dns1123_subdomain(check) {
        errs.push(FieldError::invalid_str(p, host, m));
    }
}

pub struct IngressStrategy;

impl Strategy for IngressStrategy {
    fn has_status(&self) -> bool {
        true
    }
    fn tracks_generation(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"loadBalancer": {}});
    }

    fn default(&self, obj: &mut Value) {
        let status = object_mut(obj, "status");
        status.entry("loadBalancer").or_insert(json!({}));
    }

    fn validate(&self, ing: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &ing["spec"];
        let p = Path::new("spec");
        let rules = spec["rules"].as_array().cloned().unwrap_or_default();
        if rules.is_empty() && spec["defaultBackend"].is_null() {
            let shown = if spec["rules"].is_array() { "[]networking.IngressRule{}" } else { "[]networking.IngressRule(nil)" };
            errs.push(FieldError::invalid(&p, BadValue::Raw(shown.into()), "either `defaultBackend` or `rules` must be specified"));
        }
        if !spec["defaultBackend"].is_null() {
            validate_backend(&spec["defaultBackend"], &p.child("defaultBackend"), &mut errs);
        }
        for (i, r) in rules.iter().enumerate() {
            let rp = p.child("rules").index(i);
            if let Some(h) = r["host"].as_str().filter(|h| !h.is_empty()) {
                validate_host(h, &rp.child("host"), &mut errs);
            }
            if r["http"].is_null() {
                continue;
            }
            let paths = r["http"]["paths"].as_array().cloned().unwrap_or_default();
            if paths.is_empty() {
                errs.push(FieldError::required(&rp.child("http").child("paths"), ""));
            }
            for (j, path) in paths.iter().enumerate() {
                let pp = rp.child("http").child("paths").index(j);
                let value = path["path"].as_str().unwrap_or_default();
                match path["pathType"].as_str() {
                    None => {
                        errs.push(FieldError::required(&pp.child("pathType"), "pathType must be specified"));
                        continue;
                    }
                    Some("Exact" | "Prefix") => {
                        if !value.starts_with('/') {
                            errs.push(FieldError::invalid_str(&pp.child("path"), value, "must be an absolute path"));
                        }
                        for seq in ["//", "/./", "/../", "%2f", "%2F"] {
                            if value.contains(seq) {
                                errs.push(FieldError::invalid_str(&pp.child("path"), value, format!("must not contain '{seq}'")));
                            }
                        }
                        for suffix in ["/..", "/."] {
                            if value.ends_with(suffix) {
                                errs.push(FieldError::invalid_str(&pp.child("path"), value, format!("cannot end with '{suffix}'")));
                            }
                        }
                    }
                    Some("ImplementationSpecific") => {
                        if !value.is_empty() && !value.starts_with('/') {
                            errs.push(FieldError::invalid_str(&pp.child("path"), value, "must be an absolute path"));
                        }
                    }
                    Some(o) => errs.push(FieldError::not_supported(&pp.child("pathType"), BadValue::Str(o.into()), &["Exact", "ImplementationSpecific", "Prefix"])),
                }
                validate_backend(&path["backend"], &pp.child("backend"), &mut errs);
            }
        }
        for (i, t) in spec["tls"].as_array().into_iter().flatten().enumerate() {
            for (j, h) in t["hosts"].as_array().into_iter().flatten().enumerate() {
                validate_host(h.as_str().unwrap_or_default(), &p.child("tls").index(i).child("hosts").index(j), &mut errs);
            }
            if let Some(s) = t["secretName"].as_str().filter(|s| !s.is_empty()) {
                for m in dns1123_subdomain(s) {
                    errs.push(FieldError::invalid_str(&p.child("tls").index(i).child("secretName"), s, m));
                }
            }
        }
        if let Some(c) = spec["ingressClassName"].as_str() {
            for m in dns1123_subdomain(c) {
                errs.push(FieldError::invalid_str(&p.child("ingressClassName"), c, m));
            }
            if let Some(a) = ing["metadata"]["annotations"]["kubernetes.io/ingress.class"].as_str() {
                if a != c {
                    errs.push(FieldError::invalid_str(&Path::new("annotations.kubernetes.io/ingress.class"), a, "must match `ingressClassName` when both are specified"));
                }
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Class"), Column::string("Hosts"), Column::string("Address"), Column::string("Ports"), Column::age()];
        Some(C)
    }

    fn row(&self, ing: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &ing["spec"];
        let rules = spec["rules"].as_array().cloned().unwrap_or_default();
        let mut hosts = Vec::new();
        let mut more = false;
        for r in &rules {
            if hosts.len() == 3 {
                more = true;
                break;
            }
            if let Some(h) = r["host"].as_str().filter(|h| !h.is_empty()) {
                hosts.push(h.to_string());
            }
        }
        let hosts_cell = if hosts.is_empty() {
            "*".to_string()
        } else if more {
            format!("{} + {} more...", hosts.join(","), rules.len() - 3)
        } else {
            hosts.join(",")
        };
        let addrs: BTreeSet<String> = crate::sort::set(
            ing["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str().filter(|s| !s.is_empty()).or_else(|| i["hostname"].as_str()).map(String::from)),
        );
        let ports = if spec["tls"].as_array().is_some_and(|t| !t.is_empty()) { "80, 443" } else { "80" };
        vec![
            json!(name(ing)),
            json!(spec["ingressClassName"].as_str().unwrap_or("<none>")),
            json!(hosts_cell),
            json!(addrs.into_iter().collect::<Vec<_>>().join(",")),
            json!(ports),
            json!(format::age(ing, now)),
        ]
    }
}

pub struct IngressClassStrategy;

impl Strategy for IngressClassStrategy {
    fn default(&self, obj: &mut Value) {
        if let Some(p) = obj.get_mut("spec").and_then(|s| s.get_mut("parameters")).and_then(Value::as_object_mut) {
            set_default(p, "scope", json!("Cluster"));
        }
    }

    fn validate(&self, ic: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let c = ic["spec"]["controller"].as_str().unwrap_or_default();
        if c.len() > 250 {
            errs.push(FieldError::too_long(&Path::new("spec.controller"), 250));
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        if new["spec"]["controller"] != old["spec"]["controller"] {
            errs.push(FieldError::invalid(&Path::new("spec.controller"), BadValue::from_json(&new["spec"]["controller"]), "field is immutable"));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Controller"), Column::string("Parameters"), Column::age()];
        Some(C)
    }

    fn row(&self, ic: &Value, now: Timestamp) -> Vec<Value> {
        let params = match ic["spec"]["parameters"].as_object() {
            None => "<none>".to_string(),
            Some(p) => {
                let kind = p.get("kind").and_then(Value::as_str).unwrap_or_default();
                let group = p.get("apiGroup").and_then(Value::as_str).unwrap_or_default();
                let n = p.get("name").and_then(Value::as_str).unwrap_or_default();
                if group.is_empty() {
                    format!("{kind}/{n}")
                } else {
                    format!("{kind}.{group}/{n}")
                }
            }
        };
        vec![json!(name(ic)), json!(ic["spec"]["controller"].as_str().unwrap_or_default()), json!(params), json!(format::age(ic, now))]
    }
}

pub struct NetworkPolicyStrategy;

fn validate_np_ports(ports: &Value, p: &Path, errs: &mut Vec<FieldError>) {
    for (i, port) in ports.as_array().into_iter().flatten().enumerate() {
        let pp = p.index(i);
        if let Some(proto) = port["protocol"].as_str() {
            if !["TCP", "UDP", "SCTP"].contains(&proto) {
                errs.push(FieldError::not_supported(&pp.child("protocol"), BadValue::Str(proto.into()), &["TCP", "UDP", "SCTP"]));
            }
        }
        match &port["port"] {
            Value::Number(n) => {
                let n = n.as_i64().unwrap_or(0);
                if !(1..=65535).contains(&n) {
                    errs.push(FieldError::invalid_num(&pp.child("port"), n, "must be between 1 and 65535, inclusive"));
                }
                if let Some(end) = port["endPort"].as_i64() {
                    if end < n {
                        errs.push(FieldError::invalid_num(&pp.child("endPort"), n, "must be greater than or equal to `port`"));
                    }
                }
            }
            Value::String(s) => {
                for m in port_name(s) {
                    errs.push(FieldError::invalid_str(&pp.child("port"), s, m));
                }
                if !port["endPort"].is_null() {
                    errs.push(FieldError::invalid(&pp.child("endPort"), BadValue::from_json(&port["endPort"]), "may not be specified when `port` is non-numeric"));
                }
            }
            _ => {
                if !port["endPort"].is_null() {
                    errs.push(FieldError::invalid(&pp.child("endPort"), BadValue::from_json(&port["endPort"]), "may not be specified when `port` is not specified"));
                }
            }
        }
    }
}

fn validate_peers(peers: &Value, p: &Path, errs: &mut Vec<FieldError>) {
    for (i, peer) in peers.as_array().into_iter().flatten().enumerate() {
        let pp = p.index(i);
        let selectors = ["podSelector", "namespaceSelector"].iter().filter(|k| !peer[**k].is_null()).count();
        let ip = &peer["ipBlock"];
        if selectors == 0 && ip.is_null() {
            errs.push(FieldError::required(&pp, "must specify a peer"));
            continue;
        }
        if !ip.is_null() && selectors > 0 {
            errs.push(FieldError::forbidden(&pp, "may not specify both ipBlock and another peer"));
            continue;
        }
        for k in ["podSelector", "namespaceSelector"] {
            if !peer[k].is_null() {
                errs.extend(validate_label_selector(&peer[k], &pp.child(k)));
            }
        }
        if !ip.is_null() {
            let cidr = ip["cidr"].as_str().unwrap_or_default();
            if cidr.is_empty() {
                errs.push(FieldError::required(&pp.child("ipBlock").child("cidr"), ""));
            } else {
                for m in validate_cidr(cidr) {
                    errs.push(FieldError::invalid_str(&pp.child("ipBlock").child("cidr"), cidr, m));
                }
            }
        }
    }
}

impl Strategy for NetworkPolicyStrategy {
    fn tracks_generation(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let has_egress = obj["spec"]["egress"].as_array().is_some_and(|e| !e.is_empty());
        let spec = object_mut(obj, "spec");
        if spec.get("policyTypes").and_then(Value::as_array).is_none_or(|a| a.is_empty()) {
            let mut types = vec![json!("Ingress")];
            if has_egress {
                types.push(json!("Egress"));
            }
            spec.insert("policyTypes".into(), Value::Array(types));
        }
        for dir in ["ingress", "egress"] {
            for rule in spec.get_mut(dir).and_then(Value::as_array_mut).into_iter().flatten() {
                for port in rule.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
                    if let Some(m) = port.as_object_mut() {
                        set_default(m, "protocol", json!("TCP"));
                    }
                }
            }
        }
    }

    fn validate(&self, np: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &np["spec"];
        let p = Path::new("spec");
        errs.extend(validate_label_selector(&spec["podSelector"], &p.child("podSelector")));
        for (i, r) in spec["ingress"].as_array().into_iter().flatten().enumerate() {
            validate_np_ports(&r["ports"], &p.child("ingress").index(i).child("ports"), &mut errs);
            validate_peers(&r["from"], &p.child("ingress").index(i).child("from"), &mut errs);
        }
        for (i, r) in spec["egress"].as_array().into_iter().flatten().enumerate() {
            validate_np_ports(&r["ports"], &p.child("egress").index(i).child("ports"), &mut errs);
            validate_peers(&r["to"], &p.child("egress").index(i).child("to"), &mut errs);
        }
        let types = spec["policyTypes"].as_array().cloned().unwrap_or_default();
        if types.len() > 2 {
            errs.push(FieldError::invalid(&p.child("policyTypes"), BadValue::Raw(format!("{types:?}")), "may not specify more than two policyTypes"));
        } else {
            for (i, t) in types.iter().enumerate() {
                let t = t.as_str().unwrap_or_default();
                if t != "Ingress" && t != "Egress" {
                    errs.push(FieldError::not_supported(&p.child("policyTypes").index(i), BadValue::Str(t.into()), &["Ingress", "Egress"]));
                }
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Pod-Selector"), Column::age()];
        Some(C)
    }

    fn row(&self, np: &Value, now: Timestamp) -> Vec<Value> {
        vec![json!(name(np)), json!(format::label_selector(&np["spec"]["podSelector"])), json!(format::age(np, now))]
    }
}
