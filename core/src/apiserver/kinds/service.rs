//! Service (defaults, validation, cluster IP and node port allocation, table), Endpoints and
//! EndpointSlice.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::ip::{validate_endpoint_ip, validate_ip};
use crate::api::meta::GroupKind;
use crate::api::object::{name, object_mut, set_default};
use crate::api::status::ApiError;
use crate::apiserver::alloc::Allocators;
use crate::apiserver::strategy::{Ctx, Strategy};
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::meta::validate_labels;
use crate::apiserver::validation::names::{dns1123_label, dns1123_subdomain, port_name, qualified_name, NameRule};
use crate::sim::clock::Timestamp;

pub struct ServiceStrategy;

const COLUMNS: &[Column] = &[
    Column::name(),
    Column::string("Type"),
    Column::string("Cluster-IP"),
    Column::string("External-IP"),
    Column::string("Port(s)"),
    Column::age(),
    Column::string("Selector").wide(),
];

fn svc_type(s: &Value) -> &str {
    s["spec"]["type"].as_str().unwrap_or("ClusterIP")
}

fn is_headless(s: &Value) -> bool {
    s["spec"]["clusterIP"] == "None"
}

fn external(s: &Value) -> bool {
    matches!(svc_type(s), "NodePort" | "LoadBalancer") || s["spec"]["externalIPs"].as_array().is_some_and(|a| !a.is_empty())
}

impl Strategy for ServiceStrategy {
    fn name_rule(&self) -> NameRule {
        NameRule::Dns1035
    }
    fn has_status(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let is_external = external(obj);
        let spec = object_mut(obj, "spec");
        set_default(spec, "type", json!("ClusterIP"));
        set_default(spec, "sessionAffinity", json!("None"));
        match spec.get("sessionAffinity").and_then(Value::as_str) {
            Some("ClientIP") => {
                let cfg = spec.entry("sessionAffinityConfig").or_insert_with(|| json!({}));
                let client = object_mut(cfg, "clientIP");
                set_default(client, "timeoutSeconds", json!(10800));
            }
            _ => {
                spec.remove("sessionAffinityConfig");
            }
        }
        let ty = spec.get("type").and_then(Value::as_str).unwrap_or("ClusterIP").to_string();
        if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
            for p in ports {
                if let Some(m) = p.as_object_mut() {
                    set_default(m, "protocol", json!("TCP"));
                    let unset = match m.get("targetPort") {
                        None | Some(Value::Null) => true,
                        Some(Value::String(s)) => s.is_empty(),
                        Some(Value::Number(n)) => n.as_i64() == Some(0),
                        _ => false,
                    };
                    if unset {
                        let port = m.get("port").cloned().unwrap_or(json!(0));
                        m.insert("targetPort".into(), port);
                    }
                }
            }
        }
        if is_external {
            set_default(spec, "externalTrafficPolicy", json!("Cluster"));
        }
        if ty != "ExternalName" {
            set_default(spec, "internalTrafficPolicy", json!("Cluster"));
        }
        if ty == "LoadBalancer" {
            set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
        }
        let status = object_mut(obj, "status");
        status.entry("loadBalancer").or_insert(json!({}));
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"loadBalancer": {}});
    }

    fn validate(&self, svc: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &svc["spec"];
        let p = Path::new("spec");
        let ty = svc_type(svc);
        let ports = spec["ports"].as_array().cloned().unwrap_or_default();
        if ports.is_empty() && !is_headless(svc) && ty != "ExternalName" {
            errs.push(FieldError::required(&p.child("ports"), ""));
        }
        match ty {
            "LoadBalancer" | "NodePort" if is_headless(svc) => {
                errs.push(FieldError::invalid_str(&p.child("clusterIPs").index(0), "None", format!("may not be set to 'None' for {ty} services")));
            }
            "ExternalName" => {
                for f in ["clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                    let set = match &spec[f] {
                        Value::Null => false,
                        Value::Array(a) => !a.is_empty(),
                        Value::String(s) => !s.is_empty(),
                        _ => true,
                    };
                    if set {
                        errs.push(FieldError::forbidden(&p.child(f), "may not be set for ExternalName services"));
                    }
                }
                let en = spec["externalName"].as_str().unwrap_or_default();
                let trimmed = en.strip_suffix('.').unwrap_or(en);
                if trimmed.is_empty() {
                    errs.push(FieldError::required(&p.child("externalName"), ""));
                } else {
                    for m in dns1123_subdomain(trimmed) {
                        errs.push(FieldError::invalid_str(&p.child("externalName"), en, m));
                    }
                }
            }
            _ => {}
        }
        let mut names = BTreeSet::new();
        let mut seen_ports = BTreeSet::new();
        let mut seen_node_ports = BTreeSet::new();
        for (i, port) in ports.iter().enumerate() {
            let pp = p.child("ports").index(i);
            let pname = port["name"].as_str().unwrap_or_default();
            if pname.is_empty() {
                if ports.len() > 1 {
                    errs.push(FieldError::required(&pp.child("name"), ""));
                }
            } else {
                let msgs = dns1123_label(pname);
                if msgs.is_empty() {
                    if !names.insert(pname.to_string()) {
                        errs.push(FieldError::duplicate(&pp.child("name"), BadValue::Str(pname.to_string())));
                    }
                } else {
                    for m in msgs {
                        errs.push(FieldError::invalid_str(&pp.child("name"), pname, m));
                    }
                }
            }
            let number = port["port"].as_i64().unwrap_or(0);
            if !(1..=65535).contains(&number) {
                errs.push(FieldError::invalid_num(&pp.child("port"), number, "must be between 1 and 65535, inclusive"));
            }
            let protocol = port["protocol"].as_str().unwrap_or_default();
            match protocol {
                "" => errs.push(FieldError::required(&pp.child("protocol"), "")),
                "TCP" | "UDP" | "SCTP" => {}
                o => errs.push(FieldError::not_supported(&pp.child("protocol"), BadValue::Str(o.into()), &["SCTP", "TCP", "UDP"])),
            }
            match &port["targetPort"] {
                Value::Number(n) => {
                    let t = n.as_i64().unwrap_or(0);
                    if !(1..=65535).contains(&t) {
                        errs.push(FieldError::invalid_num(&pp.child("targetPort"), t, "must be between 1 and 65535, inclusive"));
                    }
                }
                Value::String(s) => {
                    for m in port_name(s) {
                        errs.push(FieldError::invalid_str(&pp.child("targetPort"), s, m));
                    }
                }
                _ => {}
            }
            if let Some(ap) = port["appProtocol"].as_str() {
                for m in qualified_name(ap) {
                    errs.push(FieldError::invalid_str(&pp.child("appProtocol"), ap, m));
                }
            }
            let node_port = port["nodePort"].as_i64().unwrap_or(0);
            if ty == "ClusterIP" && node_port != 0 {
                errs.push(FieldError::forbidden(&pp.child("nodePort"), "may not be used when `type` is 'ClusterIP'"));
            }
            if node_port != 0 && !seen_node_ports.insert((protocol.to_string(), node_port)) {
                errs.push(FieldError::duplicate(&pp.child("nodePort"), BadValue::Num(node_port.to_string())));
            }
            if !seen_ports.insert((protocol.to_string(), number)) {
                errs.push(FieldError::duplicate(
                    &pp,
                    BadValue::Raw(format!(
                        "core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{number}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                        crate::api::field::go_quote(protocol)
                    )),
                ));
            }
        }
        errs.extend(validate_labels(&spec["selector"], &p.child("selector")));
        match spec["sessionAffinity"].as_str().unwrap_or_default() {
            "" => errs.push(FieldError::required(&p.child("sessionAffinity"), "")),
            "None" => {
                if !spec["sessionAffinityConfig"].is_null() {
                    errs.push(FieldError::forbidden(&p.child("sessionAffinityConfig"), "must not be set when session affinity is None"));
                }
            }
            "ClientIP" => {
                let t = spec["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"].as_i64().unwrap_or(0);
                if !(1..=86400).contains(&t) {
                    errs.push(FieldError::invalid_num(
                        &p.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"),
                        t,
                        "must be greater than 0 and less than 86400",
                    ));
                }
            }
            o => errs.push(FieldError::not_supported(&p.child("sessionAffinity"), BadValue::Str(o.into()), &["ClientIP", "None"])),
        }
        if ty != "ExternalName" {
            let cip = spec["clusterIP"].as_str().unwrap_or_default();
            if !cip.is_empty() && cip != "None" {
                for m in validate_ip(cip) {
                    errs.push(FieldError::invalid_str(&p.child("clusterIPs").index(0), cip, m));
                }
            }
        }
        for (i, ip) in spec["externalIPs"].as_array().into_iter().flatten().enumerate() {
            let ip = ip.as_str().unwrap_or_default();
            let msgs = validate_ip(ip);
            if msgs.is_empty() {
                if let Ok(addr) = ip.parse::<IpAddr>() {
                    for m in validate_endpoint_ip(&addr) {
                        errs.push(FieldError::invalid_str(&p.child("externalIPs").index(i), ip, m));
                    }
                }
            }
            for m in msgs {
                errs.push(FieldError::invalid_str(&p.child("externalIPs").index(i), ip, m));
            }
        }
        match spec["type"].as_str().unwrap_or_default() {
            "" => errs.push(FieldError::required(&p.child("type"), "")),
            "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName" => {}
            o => errs.push(FieldError::not_supported(&p.child("type"), BadValue::Str(o.into()), &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])),
        }
        if ty != "LoadBalancer" && spec["loadBalancerSourceRanges"].as_array().is_some_and(|a| !a.is_empty()) {
            errs.push(FieldError::forbidden(&p.child("LoadBalancerSourceRanges"), "may only be used when `type` is 'LoadBalancer'"));
        }
        if let Some(etp) = spec["externalTrafficPolicy"].as_str() {
            if !external(svc) {
                errs.push(FieldError::invalid_str(&p.child("externalTrafficPolicy"), etp, "may only be set for externally-accessible services"));
            } else if etp != "Cluster" && etp != "Local" {
                errs.push(FieldError::not_supported(&p.child("externalTrafficPolicy"), BadValue::Str(etp.into()), &["Cluster", "Local"]));
            }
        }
        if let Some(itp) = spec["internalTrafficPolicy"].as_str() {
            if itp != "Cluster" && itp != "Local" {
                errs.push(FieldError::not_supported(&p.child("internalTrafficPolicy"), BadValue::Str(itp.into()), &["Cluster", "Local"]));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let (n, o) = (&new["spec"]["clusterIP"], &old["spec"]["clusterIP"]);
        if o.as_str().is_some_and(|s| !s.is_empty()) && n.as_str().is_some_and(|s| !s.is_empty()) && n != o {
            errs.push(FieldError::invalid(&Path::new("spec").child("clusterIPs").index(0), BadValue::Raw(format!("[]string{{{}}}", crate::api::field::go_quote(n.as_str().unwrap_or_default()))), "may not change once set"));
        }
        errs.extend(self.validate(new));
        errs
    }

    fn allocate(&self, obj: &mut Value, old: Option<&Value>, ctx: &mut Ctx) -> Result<(), ApiError> {
        let kind = GroupKind::new("", "Service");
        let svc_name = name(obj).to_string();
        let invalid = |path: Path, value: BadValue, why: String| ApiError::invalid(&kind, &svc_name, vec![FieldError::invalid(&path, value, why)]);
        let ty = svc_type(obj).to_string();
        let spec = object_mut(obj, "spec");
        if ty == "ExternalName" {
            return Ok(());
        }
        // Keep what the old object had when the update leaves it out.
        if let Some(old) = old {
            if spec.get("clusterIP").and_then(Value::as_str).is_none_or(str::is_empty) {
                for k in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                    if let Some(v) = old["spec"].get(k) {
                        spec.insert(k.into(), v.clone());
                    }
                }
            }
        }
        let headless = spec.get("clusterIP") == Some(&json!("None"));
        let has_selector = spec.get("selector").and_then(Value::as_object).is_some_and(|m| !m.is_empty());
        let policy = if headless && !has_selector { "RequireDualStack" } else { "SingleStack" };
        set_default(spec, "ipFamilyPolicy", json!(policy));
        let families = if spec.get("ipFamilyPolicy") != Some(&json!("SingleStack")) && headless && !has_selector { json!(["IPv4", "IPv6"]) } else { json!(["IPv4"]) };
        set_default(spec, "ipFamilies", families);
        let old_ip = old.and_then(|o| o["spec"]["clusterIP"].as_str()).unwrap_or_default().to_string();
        match spec.get("clusterIP").and_then(Value::as_str).unwrap_or_default().to_string() {
            ip if ip == "None" => {
                spec.insert("clusterIPs".into(), json!(["None"]));
            }
            ip if ip.is_empty() => {
                let got = ctx.alloc.next_ip(ctx.rng).map_err(|e| ApiError::Internal(format!("failed to allocate a serviceIP: {e}")))?;
                spec.insert("clusterIP".into(), json!(got.to_string()));
                spec.insert("clusterIPs".into(), json!([got.to_string()]));
            }
            ip => {
                if ip != old_ip {
                    let addr: Ipv4Addr = ip.parse().map_err(|_| invalid(Path::new("spec").child("clusterIPs"), BadValue::Raw(format!("[]string{{{}}}", crate::api::field::go_quote(&ip))), format!("failed to allocate IP {ip}: invalid IP")))?;
                    ctx.alloc.take_ip(addr).map_err(|e| {
                        let why = match e {
                            // 1.33's allocator (ServiceCIDR objects) words it this way.
                            crate::apiserver::alloc::AllocError::IpOutOfRange(_) => format!("failed to allocate IP {ip}: the provided network does not match the current range"),
                            other => format!("failed to allocate IP {ip}: {other}"),
                        };
                        invalid(Path::new("spec").child("clusterIPs"), BadValue::Raw(format!("[]string{{{}}}", crate::api::field::go_quote(&ip))), why)
                    })?;
                }
                spec.insert("clusterIPs".into(), json!([ip]));
            }
        }
        // Node ports for NodePort and LoadBalancer services; ports with the same number share one.
        let wants_node_ports = ty == "NodePort" || (ty == "LoadBalancer" && spec.get("allocateLoadBalancerNodePorts") != Some(&json!(false)));
        let old_ports: Vec<(i64, String, i64)> = old
            .and_then(|o| o["spec"]["ports"].as_array())
            .into_iter()
            .flatten()
            .map(|p| (p["port"].as_i64().unwrap_or(0), p["protocol"].as_str().unwrap_or("TCP").to_string(), p["nodePort"].as_i64().unwrap_or(0)))
            .collect();
        let mut kept = BTreeSet::new();
        if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
            let mut by_port: Vec<(i64, i64)> = Vec::new();
            for (i, p) in ports.iter_mut().enumerate() {
                let number = p["port"].as_i64().unwrap_or(0);
                let protocol = p["protocol"].as_str().unwrap_or("TCP").to_string();
                let mut node_port = p["nodePort"].as_i64().unwrap_or(0);
                if !wants_node_ports && node_port == 0 {
                    continue;
                }
                if node_port == 0 {
                    if let Some((_, _, np)) = old_ports.iter().find(|(n, pr, np)| *n == number && *pr == protocol && *np != 0) {
                        node_port = *np;
                        kept.insert(node_port);
                    } else if let Some((_, np)) = by_port.iter().find(|(n, _)| *n == number) {
                        node_port = *np;
                    } else {
                        node_port = i64::from(ctx.alloc.next_port(ctx.rng).map_err(|e| ApiError::Internal(format!("failed to allocate a nodePort: {e}")))?);
                    }
                } else if old_ports.iter().any(|(_, _, np)| *np == node_port) {
                    kept.insert(node_port);
                } else if !by_port.iter().any(|(_, np)| *np == node_port) {
                    let np16 = u16::try_from(node_port).unwrap_or(0);
                    ctx.alloc.take_port(np16).map_err(|e| invalid(Path::new("spec").child("ports").index(i).child("nodePort"), BadValue::Num(node_port.to_string()), e.to_string()))?;
                }
                by_port.push((number, node_port));
                if let Some(m) = p.as_object_mut() {
                    m.insert("nodePort".into(), json!(node_port));
                }
            }
        }
        // Node ports the update dropped go back to the pool.
        for (_, _, np) in old_ports {
            if np != 0 && !kept.contains(&np) {
                let still = spec.get("ports").and_then(Value::as_array).into_iter().flatten().any(|p| p["nodePort"].as_i64() == Some(np));
                if !still {
                    ctx.alloc.release_port(u16::try_from(np).unwrap_or(0));
                }
            }
        }
        Ok(())
    }

    fn release(&self, obj: &Value, alloc: &mut Allocators) {
        if let Some(ip) = obj["spec"]["clusterIP"].as_str().and_then(|s| s.parse::<Ipv4Addr>().ok()) {
            alloc.release_ip(ip);
        }
        for p in obj["spec"]["ports"].as_array().into_iter().flatten() {
            if let Some(np) = p["nodePort"].as_i64().and_then(|n| u16::try_from(n).ok()) {
                alloc.release_port(np);
            }
        }
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(COLUMNS)
    }

    fn row(&self, svc: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &svc["spec"];
        let ty = spec["type"].as_str().unwrap_or_default();
        let cluster_ip = spec["clusterIPs"][0].as_str().or_else(|| spec["clusterIP"].as_str()).filter(|s| !s.is_empty()).unwrap_or("<none>");
        let external_ips: Vec<String> = spec["externalIPs"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
        let external = match ty {
            "ClusterIP" | "NodePort" => {
                if external_ips.is_empty() {
                    "<none>".to_string()
                } else {
                    external_ips.join(",")
                }
            }
            "LoadBalancer" => {
                let lb: BTreeSet<String> = crate::sort::set(
                    svc["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str().filter(|s| !s.is_empty()).or_else(|| i["hostname"].as_str()).map(String::from)),
                );
                let mut all: Vec<String> = lb.into_iter().collect();
                if !external_ips.is_empty() {
                    all.extend(external_ips);
                }
                if all.is_empty() {
                    "<pending>".to_string()
                } else {
                    all.join(",")
                }
            }
            "ExternalName" => spec["externalName"].as_str().unwrap_or_default().to_string(),
            _ => "<unknown>".to_string(),
        };
        let ports: Vec<String> = spec["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let proto = p["protocol"].as_str().unwrap_or_default();
                match p["nodePort"].as_i64().filter(|n| *n > 0) {
                    Some(np) => format!("{}:{np}/{proto}", p["port"].as_i64().unwrap_or(0)),
                    None => format!("{}/{proto}", p["port"].as_i64().unwrap_or(0)),
                }
            })
            .collect();
        vec![
            json!(name(svc)),
            json!(ty),
            json!(cluster_ip),
            json!(external),
            json!(if ports.is_empty() { "<none>".to_string() } else { ports.join(",") }),
            json!(format::age(svc, now)),
            json!(format::labels(&spec["selector"])),
        ]
    }

    fn field_label(&self, svc: &Value, label: &str) -> Option<String> {
        match label {
            "spec.clusterIP" => Some(svc["spec"]["clusterIP"].as_str().unwrap_or_default().to_string()),
            "spec.type" => Some(svc["spec"]["type"].as_str().unwrap_or_default().to_string()),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------

pub struct EndpointsStrategy;

impl Strategy for EndpointsStrategy {
    fn deprecation(&self) -> Option<&str> {
        Some("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
    }

    fn default(&self, obj: &mut Value) {
        for subset in obj.get_mut("subsets").and_then(Value::as_array_mut).into_iter().flatten() {
            for p in subset.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(m) = p.as_object_mut() {
                    set_default(m, "protocol", json!("TCP"));
                }
            }
        }
    }

    fn validate(&self, ep: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (i, subset) in ep["subsets"].as_array().into_iter().flatten().enumerate() {
            let sp = Path::new("subsets").index(i);
            for list in ["addresses", "notReadyAddresses"] {
                for (j, a) in subset[list].as_array().into_iter().flatten().enumerate() {
                    let ip = a["ip"].as_str().unwrap_or_default();
                    let msgs = validate_ip(ip);
                    let msgs = if msgs.is_empty() { ip.parse::<IpAddr>().map(|x| validate_endpoint_ip(&x)).unwrap_or_default() } else { msgs };
                    for m in msgs {
                        errs.push(FieldError::invalid_str(&sp.child(list).index(j).child("ip"), ip, m));
                    }
                }
            }
            for (j, p) in subset["ports"].as_array().into_iter().flatten().enumerate() {
                let port = p["port"].as_i64().unwrap_or(0);
                if !(1..=65535).contains(&port) {
                    errs.push(FieldError::invalid_num(&sp.child("ports").index(j).child("port"), port, "must be between 1 and 65535, inclusive"));
                }
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Endpoints"), Column::age()];
        Some(C)
    }

    fn row(&self, ep: &Value, now: Timestamp) -> Vec<Value> {
        let subsets = ep["subsets"].as_array().cloned().unwrap_or_default();
        let cell = if subsets.is_empty() {
            "<none>".to_string()
        } else {
            let mut items = Vec::new();
            let mut count = 0;
            for s in &subsets {
                let addrs: Vec<&str> = s["addresses"].as_array().into_iter().flatten().filter_map(|a| a["ip"].as_str()).collect();
                let ports = s["ports"].as_array().cloned().unwrap_or_default();
                if ports.is_empty() {
                    count += addrs.len();
                    for a in &addrs {
                        if items.len() < 3 {
                            items.push(a.to_string());
                        }
                    }
                } else {
                    for p in &ports {
                        count += addrs.len();
                        for a in &addrs {
                            if items.len() < 3 {
                                let port = p["port"].as_i64().unwrap_or(0);
                                items.push(if a.contains(':') { format!("[{a}]:{port}") } else { format!("{a}:{port}") });
                            }
                        }
                    }
                }
            }
            let mut text = items.join(",");
            if count > items.len() {
                text.push_str(&format!(" + {} more...", count - items.len()));
            }
            text
        };
        vec![json!(name(ep)), json!(cell), json!(format::age(ep, now))]
    }
}

// ---------------------------------------------------------------------------------------------

pub struct EndpointSliceStrategy;

impl Strategy for EndpointSliceStrategy {
    fn tracks_generation(&self) -> bool {
        true
    }
    fn spec_changed(&self, new: &Value, old: &Value) -> bool {
        new["endpoints"] != old["endpoints"] || new["ports"] != old["ports"]
    }

    fn default(&self, obj: &mut Value) {
        for p in obj.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(m) = p.as_object_mut() {
                m.entry("name").or_insert(json!(""));
                set_default(m, "protocol", json!("TCP"));
            }
        }
    }

    fn validate(&self, es: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        match es["addressType"].as_str().unwrap_or_default() {
            "" => errs.push(FieldError::required(&Path::new("addressType"), "")),
            "IPv4" | "IPv6" | "FQDN" => {}
            o => errs.push(FieldError::not_supported(&Path::new("addressType"), BadValue::Str(o.into()), &["FQDN", "IPv4", "IPv6"])),
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("AddressType"), Column::string("Ports"), Column::string("Endpoints"), Column::age()];
        Some(C)
    }

    fn row(&self, es: &Value, now: Timestamp) -> Vec<Value> {
        let ports: Vec<String> = es["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| match (p["port"].as_i64(), p["name"].as_str().filter(|n| !n.is_empty())) {
                (Some(n), _) => n.to_string(),
                (None, Some(name)) => name.to_string(),
                _ => "*".to_string(),
            })
            .collect();
        let addrs: Vec<String> = es["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|e| e["addresses"].as_array().cloned().unwrap_or_default())
            .filter_map(|a| a.as_str().map(String::from))
            .collect();
        let list = |v: &Vec<String>| if v.is_empty() { "<unset>".to_string() } else { format::more(v, 3) };
        vec![json!(name(es)), json!(es["addressType"].as_str().unwrap_or_default()), json!(list(&ports)), json!(list(&addrs)), json!(format::age(es, now))]
    }
}
