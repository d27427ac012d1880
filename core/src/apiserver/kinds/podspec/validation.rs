//! Pod spec validation (Kubernetes' `ValidatePodSpec` and its parts), with Kubernetes' field
//! paths and messages. Maps are walked in sorted key order (the real server's order is random).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::quantity::Quantity;
use crate::apiserver::validation::meta::{validate_annotations, validate_labels};
use crate::apiserver::validation::names::{config_map_key, dns1123_label, dns1123_subdomain, env_var_name, port_name, qualified_name};

use super::defaults::volume_sources;

type Errs = Vec<FieldError>;

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

fn not_supported(path: &Path, v: &str, allowed: &[&str]) -> FieldError {
    FieldError::not_supported(path, BadValue::Str(v.to_string()), allowed)
}

/// A pod template (`spec.template` of a workload, `template` of a PodTemplate).
pub fn validate_template(t: &Value, path: &Path) -> Errs {
    let mut errs = Vec::new();
    errs.extend(validate_labels(&t["metadata"]["labels"], &path.child("labels")));
    errs.extend(validate_annotations(&t["metadata"]["annotations"], &path.child("annotations")));
    errs.extend(validate_pod_spec(&t["spec"], &path.child("spec"), false));
    if t["spec"]["ephemeralContainers"].as_array().is_some_and(|a| !a.is_empty()) {
        errs.push(FieldError::forbidden(&path.child("spec").child("ephemeralContainers"), "ephemeral containers not allowed in pod template"));
    }
    errs
}

/// A pod spec at `path`. `is_pod` is false for templates.
pub fn validate_pod_spec(spec: &Value, path: &Path, is_pod: bool) -> Errs {
    let mut errs = Vec::new();
    if spec["terminationGracePeriodSeconds"].is_null() {
        errs.push(FieldError::required(&path.child("terminationGracePeriodSeconds"), ""));
    }
    let volumes = validate_volumes(&spec["volumes"], &path.child("volumes"), &mut errs);
    validate_containers(spec, &volumes, path, &mut errs);
    validate_init_containers(spec, &volumes, path, &mut errs);
    if is_pod {
        validate_ephemeral_containers(spec, &volumes, path, &mut errs);
    }
    if spec["hostNetwork"] == true && is_pod {
        for (i, c) in spec["containers"].as_array().into_iter().flatten().enumerate() {
            for (j, p) in c["ports"].as_array().into_iter().flatten().enumerate() {
                let hp = p["hostPort"].as_i64().unwrap_or(0);
                if hp != p["containerPort"].as_i64().unwrap_or(0) {
                    errs.push(FieldError::invalid_num(
                        &path.child("containers").index(i).child("ports").index(j).child("hostPort"),
                        hp,
                        "must match `containerPort` when `hostNetwork` is true",
                    ));
                }
            }
        }
    }
    match spec["restartPolicy"].as_str() {
        None | Some("") => errs.push(FieldError::required(&path.child("restartPolicy"), "")),
        Some("Always" | "OnFailure" | "Never") => {}
        Some(other) => errs.push(not_supported(&path.child("restartPolicy"), other, &["Always", "OnFailure", "Never"])),
    }
    match spec["dnsPolicy"].as_str() {
        None | Some("") => errs.push(FieldError::required(&path.child("dnsPolicy"), "")),
        Some("ClusterFirstWithHostNet" | "ClusterFirst" | "Default") => {}
        Some("None") => {
            if spec["dnsConfig"].is_null() {
                errs.push(FieldError::required(&path.child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
            } else if spec["dnsConfig"]["nameservers"].as_array().is_none_or(|a| a.is_empty()) {
                errs.push(FieldError::required(
                    &path.child("dnsConfig").child("nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                ));
            }
        }
        Some(other) => errs.push(not_supported(&path.child("dnsPolicy"), other, &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"])),
    }
    if let Some(ns) = spec["dnsConfig"]["nameservers"].as_array() {
        if ns.len() > 3 {
            errs.push(FieldError::invalid(&path.child("dnsConfig").child("nameservers"), BadValue::Raw(format!("{ns:?}")), "must not have more than 3 nameservers"));
        }
    }
    errs.extend(validate_labels(&spec["nodeSelector"], &path.child("nodeSelector")));
    validate_tolerations(&spec["tolerations"], &path.child("tolerations"), &mut errs);
    for (key, rule) in [("serviceAccountName", 0), ("nodeName", 0), ("priorityClassName", 0), ("runtimeClassName", 0), ("hostname", 1), ("subdomain", 1)] {
        let v = s(spec, key);
        if !v.is_empty() {
            let msgs = if rule == 0 { dns1123_subdomain(v) } else { dns1123_label(v) };
            for m in msgs {
                errs.push(FieldError::invalid_str(&path.child(key), v, m));
            }
        }
    }
    if let Some(ads) = spec["activeDeadlineSeconds"].as_i64() {
        if !(1..=i32::MAX as i64).contains(&ads) {
            errs.push(FieldError::invalid_num(&path.child("activeDeadlineSeconds"), ads, "must be between 1 and 2147483647, inclusive"));
        }
    }
    if let Some(p) = spec["preemptionPolicy"].as_str() {
        if !matches!(p, "PreemptLowerPriority" | "Never") {
            errs.push(not_supported(&path.child("preemptionPolicy"), p, &["PreemptLowerPriority", "Never"]));
        }
    }
    errs
}

/// Volumes: source checks first, then the name; returns the names of valid volumes.
fn validate_volumes(vols: &Value, path: &Path, errs: &mut Errs) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, v) in vols.as_array().into_iter().flatten().enumerate() {
        let p = path.index(i);
        let before = errs.len();
        let mut found = 0;
        for src in volume_sources() {
            if v.get(*src).is_some_and(|x| !x.is_null()) {
                found += 1;
                if found > 1 {
                    let field = if *src == "downwardAPI" { "downwarAPI" } else { src };
                    errs.push(FieldError::forbidden(&p.child(field), "may not specify more than 1 volume type"));
                } else {
                    validate_volume_source(src, &v[*src], &p.child(src), errs);
                }
            }
        }
        if found == 0 {
            errs.push(FieldError::required(&p, "must specify a volume type"));
        }
        let name = s(v, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&p.child("name"), ""));
        } else {
            for m in dns1123_label(name) {
                errs.push(FieldError::invalid_str(&p.child("name"), name, m));
            }
        }
        if !name.is_empty() && names.contains(name) {
            errs.push(FieldError::duplicate(&p.child("name"), BadValue::Str(name.to_string())));
        }
        if errs.len() == before {
            names.insert(name.to_string());
        }
    }
    names
}

fn validate_mode(mode: &Value, path: &Path, errs: &mut Errs) {
    if let Some(m) = mode.as_i64() {
        if !(0..=0o777).contains(&m) {
            errs.push(FieldError::invalid_num(path, m, "must be a number between 0 and 0777 (octal), both inclusive"));
        }
    }
}

fn validate_key_to_paths(items: &Value, path: &Path, errs: &mut Errs) {
    for (j, it) in items.as_array().into_iter().flatten().enumerate() {
        let p = path.index(j);
        if s(it, "key").is_empty() {
            errs.push(FieldError::required(&p.child("key"), ""));
        }
        validate_local_path(s(it, "path"), &p.child("path"), errs);
        validate_mode(&it["mode"], &p.child("mode"), errs);
    }
}

fn validate_local_path(target: &str, path: &Path, errs: &mut Errs) {
    if target.is_empty() {
        errs.push(FieldError::required(path, ""));
        return;
    }
    if target.starts_with('/') {
        errs.push(FieldError::invalid_str(path, target, "must be a relative path"));
    }
    if target.split('/').any(|seg| seg == "..") {
        errs.push(FieldError::invalid_str(path, target, "must not contain '..'"));
    }
    if target.starts_with("..") {
        errs.push(FieldError::invalid_str(path, target, "must not start with '..'"));
    }
}

fn validate_volume_source(kind: &str, src: &Value, path: &Path, errs: &mut Errs) {
    match kind {
        "emptyDir" => {
            if let Some(q) = src["sizeLimit"].as_str().and_then(|q| Quantity::parse(q).ok()) {
                if q.is_negative() {
                    errs.push(FieldError::forbidden(&path.child("sizeLimit"), "SizeLimit field must be a valid resource quantity"));
                }
            }
        }
        "hostPath" => {
            let p = s(src, "path");
            if p.is_empty() {
                errs.push(FieldError::required(&path.child("path"), ""));
                return;
            }
            if p.split('/').any(|seg| seg == "..") {
                errs.push(FieldError::invalid_str(&path.child("path"), p, "must not contain '..'"));
            }
            let t = s(src, "type");
            if !["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"].contains(&t) {
                errs.push(not_supported(&path.child("type"), t, &["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]));
            }
        }
        "secret" => {
            if s(src, "secretName").is_empty() {
                errs.push(FieldError::required(&path.child("secretName"), ""));
            }
            validate_mode(&src["defaultMode"], &path.child("defaultMode"), errs);
            validate_key_to_paths(&src["items"], &path.child("items"), errs);
        }
        "configMap" => {
            if s(src, "name").is_empty() {
                errs.push(FieldError::required(&path.child("name"), ""));
            }
            validate_mode(&src["defaultMode"], &path.child("defaultMode"), errs);
            validate_key_to_paths(&src["items"], &path.child("items"), errs);
        }
        "persistentVolumeClaim" => {
            if s(src, "claimName").is_empty() {
                errs.push(FieldError::required(&path.child("claimName"), ""));
            }
        }
        "nfs" => {
            if s(src, "server").is_empty() {
                errs.push(FieldError::required(&path.child("server"), ""));
            }
            let p = s(src, "path");
            if p.is_empty() {
                errs.push(FieldError::required(&path.child("path"), ""));
            } else if !p.starts_with('/') {
                errs.push(FieldError::invalid_str(&path.child("path"), p, "must be an absolute path"));
            }
        }
        "downwardAPI" => {
            validate_mode(&src["defaultMode"], &path.child("defaultMode"), errs);
            for (j, it) in src["items"].as_array().into_iter().flatten().enumerate() {
                validate_local_path(s(it, "path"), &path.child("items").index(j).child("path"), errs);
            }
        }
        "projected" => {
            validate_mode(&src["defaultMode"], &path.child("defaultMode"), errs);
            for (j, source) in src["sources"].as_array().into_iter().flatten().enumerate() {
                let p = path.child("sources").index(j);
                let kinds = ["secret", "downwardAPI", "configMap", "serviceAccountToken", "clusterTrustBundle"];
                let present = kinds.iter().filter(|k| source.get(**k).is_some_and(|x| !x.is_null())).count();
                if present > 1 {
                    errs.push(FieldError::forbidden(&p, "may not specify more than 1 volume type per source"));
                }
                if let Some(t) = source["serviceAccountToken"].as_object() {
                    if let Some(e) = t.get("expirationSeconds").and_then(Value::as_i64) {
                        if e < 600 {
                            errs.push(FieldError::invalid_num(&p.child("serviceAccountToken").child("expirationSeconds"), e, "may not specify a duration less than 10 minutes"));
                        } else if e > 1 << 32 {
                            errs.push(FieldError::invalid_num(&p.child("serviceAccountToken").child("expirationSeconds"), e, "may not specify a duration larger than 2^32 seconds"));
                        }
                    }
                }
            }
        }
        "ephemeral" => {
            if src["volumeClaimTemplate"].is_null() {
                errs.push(FieldError::required(&path.child("volumeClaimTemplate"), ""));
            }
        }
        _ => {}
    }
}

fn validate_containers(spec: &Value, volumes: &BTreeSet<String>, path: &Path, errs: &mut Errs) {
    let p = path.child("containers");
    let Some(list) = spec["containers"].as_array().filter(|a| !a.is_empty()) else {
        errs.push(FieldError::required(&p, ""));
        return;
    };
    let mut names = BTreeSet::new();
    for (i, c) in list.iter().enumerate() {
        let cp = p.index(i);
        validate_container_common(c, volumes, &cp, errs);
        let name = s(c, "name");
        if !name.is_empty() && !names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(&cp.child("name"), BadValue::Str(name.to_string())));
        }
        validate_lifecycle(&c["lifecycle"], &cp.child("lifecycle"), errs);
        for (probe, liveness_like) in [("livenessProbe", true), ("readinessProbe", false), ("startupProbe", true)] {
            if !c[probe].is_null() {
                validate_probe(&c[probe], &cp.child(probe), errs);
                if liveness_like {
                    if let Some(st) = c[probe]["successThreshold"].as_i64() {
                        if st != 1 {
                            errs.push(FieldError::invalid_num(&cp.child(probe).child("successThreshold"), st, "must be 1"));
                        }
                    }
                } else if !c[probe]["terminationGracePeriodSeconds"].is_null() {
                    errs.push(FieldError::invalid(
                        &cp.child(probe).child("terminationGracePeriodSeconds"),
                        BadValue::from_json(&c[probe]["terminationGracePeriodSeconds"]),
                        "must not be set for readinessProbes",
                    ));
                }
            }
        }
        if !c["restartPolicy"].is_null() {
            errs.push(FieldError::forbidden(&cp.child("restartPolicy"), "may not be set for non-init containers"));
        }
    }
}

fn validate_ephemeral_containers(spec: &Value, volumes: &BTreeSet<String>, path: &Path, errs: &mut Errs) {
    let p = path.child("ephemeralContainers");
    let others: BTreeSet<&str> = crate::sort::set(["containers", "initContainers"].iter().flat_map(|l| spec[*l].as_array().into_iter().flatten()).map(|c| s(c, "name")));
    let mut all = others.clone();
    for (i, c) in spec["ephemeralContainers"].as_array().into_iter().flatten().enumerate() {
        let cp = p.index(i);
        validate_container_common(c, volumes, &cp, errs);
        let name = s(c, "name");
        if !all.insert(name) {
            errs.push(FieldError::duplicate(&cp.child("name"), BadValue::Str(name.to_string())));
        }
        if let Some(target) = c["targetContainerName"].as_str().filter(|t| !t.is_empty()) {
            if !others.contains(target) {
                errs.push(FieldError::not_found(&cp.child("targetContainerName"), BadValue::Str(target.to_string())));
            }
        }
        // What only workloads' containers may have (Kubernetes lists what ephemeral ones may:
        // name, image, command, args, workingDir, env, envFrom, volume mounts and devices,
        // termination message, pull policy, securityContext, stdin, tty), in the Go type's
        // order, when set to anything but its zero value.
        for field in ["ports", "resources", "resizePolicy", "restartPolicy", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"] {
            let v = &c[field];
            let zero = v.is_null() || v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(|o| o.is_empty() || o.values().all(|x| x.as_object().is_some_and(|m| m.is_empty()))) || v.as_str() == Some("");
            if !zero {
                errs.push(FieldError::forbidden(&cp.child(field), "cannot be set for an Ephemeral Container"));
            }
        }
        for (j, m) in c["volumeMounts"].as_array().into_iter().flatten().enumerate() {
            for sub in ["subPath", "subPathExpr"] {
                if m[sub].as_str().is_some_and(|x| !x.is_empty()) {
                    errs.push(FieldError::forbidden(&cp.child("volumeMounts").index(j).child(sub), "cannot be set for an Ephemeral Container"));
                }
            }
        }
    }
}

/// An update through pods/ephemeralcontainers: the pod stays valid, and the ephemeral
/// containers already there stay as they are (new ones may only be added).
pub fn validate_ephemeral_update(new: &Value, old: &Value) -> Errs {
    let mut errs = validate_pod_spec(&new["spec"], &Path::new("spec"), true);
    if old["metadata"]["annotations"].get("kubernetes.io/config.mirror").is_some() {
        return vec![FieldError::forbidden(&Path::new(""), "static pods do not support ephemeral containers")];
    }
    let p = Path::new("spec").child("ephemeralContainers");
    let news = new["spec"]["ephemeralContainers"].as_array().cloned().unwrap_or_default();
    for o in old["spec"]["ephemeralContainers"].as_array().into_iter().flatten() {
        let name = s(o, "name");
        match news.iter().find(|n| s(n, "name") == name) {
            None => errs.push(FieldError::forbidden(&p, format!("existing ephemeral containers {name:?} may not be removed\n"))),
            Some(n) if n != o => errs.push(FieldError::forbidden(&p.key(name), format!("existing ephemeral containers {name:?} may not be changed\n"))),
            Some(_) => {}
        }
    }
    errs
}

fn validate_init_containers(spec: &Value, volumes: &BTreeSet<String>, path: &Path, errs: &mut Errs) {
    let p = path.child("initContainers");
    let regular: BTreeSet<&str> = crate::sort::set(spec["containers"].as_array().into_iter().flatten().map(|c| s(c, "name")));
    let mut seen = BTreeSet::new();
    for (i, c) in spec["initContainers"].as_array().into_iter().flatten().enumerate() {
        let cp = p.index(i);
        validate_container_common(c, volumes, &cp, errs);
        let sidecar = c["restartPolicy"] == "Always";
        if let Some(rp) = c["restartPolicy"].as_str() {
            if rp != "Always" {
                errs.push(not_supported(&cp.child("restartPolicy"), rp, &["Always"]));
            }
        }
        let name = s(c, "name");
        if !name.is_empty() && (regular.contains(name) || !seen.insert(name.to_string())) {
            errs.push(FieldError::duplicate(&cp.child("name"), BadValue::Str(name.to_string())));
        }
        for field in ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] {
            if c[field].is_null() {
                continue;
            }
            if sidecar {
                if field == "lifecycle" {
                    validate_lifecycle(&c[field], &cp.child(field), errs);
                } else {
                    validate_probe(&c[field], &cp.child(field), errs);
                }
            } else {
                errs.push(FieldError::forbidden(&cp.child(field), "may not be set for init containers without restartPolicy=Always"));
            }
        }
    }
}

fn validate_container_common(c: &Value, volumes: &BTreeSet<String>, p: &Path, errs: &mut Errs) {
    let name = s(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(&p.child("name"), ""));
    } else {
        for m in dns1123_label(name) {
            errs.push(FieldError::invalid_str(&p.child("name"), name, m));
        }
    }
    if s(c, "image").is_empty() {
        errs.push(FieldError::required(&p.child("image"), ""));
    }
    match c["terminationMessagePolicy"].as_str() {
        None | Some("") => errs.push(FieldError::required(&p.child("terminationMessagePolicy"), "")),
        Some("File" | "FallbackToLogsOnError") => {}
        Some(o) => errs.push(not_supported(&p.child("terminationMessagePolicy"), o, &["File", "FallbackToLogsOnError"])),
    }
    validate_ports(&c["ports"], &p.child("ports"), errs);
    validate_env(&c["env"], &p.child("env"), errs);
    validate_env_from(&c["envFrom"], &p.child("envFrom"), errs);
    validate_mounts(&c["volumeMounts"], volumes, p, errs);
    match c["imagePullPolicy"].as_str() {
        None | Some("") => errs.push(FieldError::required(&p.child("imagePullPolicy"), "")),
        Some("Always" | "IfNotPresent" | "Never") => {}
        Some(o) => errs.push(not_supported(&p.child("imagePullPolicy"), o, &["Always", "IfNotPresent", "Never"])),
    }
    validate_resources(&c["resources"], &p.child("resources"), errs);
}

fn validate_ports(ports: &Value, p: &Path, errs: &mut Errs) {
    let mut names = BTreeSet::new();
    for (j, port) in ports.as_array().into_iter().flatten().enumerate() {
        let pp = p.index(j);
        let name = s(port, "name");
        if !name.is_empty() {
            let msgs = port_name(name);
            if msgs.is_empty() {
                if !names.insert(name.to_string()) {
                    errs.push(FieldError::duplicate(&pp.child("name"), BadValue::Str(name.to_string())));
                }
            } else {
                for m in msgs {
                    errs.push(FieldError::invalid_str(&pp.child("name"), name, m));
                }
            }
        }
        let cp = port["containerPort"].as_i64().unwrap_or(0);
        if cp == 0 {
            errs.push(FieldError::required(&pp.child("containerPort"), ""));
        } else if !(1..=65535).contains(&cp) {
            errs.push(FieldError::invalid_num(&pp.child("containerPort"), cp, "must be between 1 and 65535, inclusive"));
        }
        let hp = port["hostPort"].as_i64().unwrap_or(0);
        if hp != 0 && !(1..=65535).contains(&hp) {
            errs.push(FieldError::invalid_num(&pp.child("hostPort"), hp, "must be between 1 and 65535, inclusive"));
        }
        match port["protocol"].as_str() {
            None | Some("") => errs.push(FieldError::required(&pp.child("protocol"), "")),
            Some("TCP" | "UDP" | "SCTP") => {}
            Some(o) => errs.push(not_supported(&pp.child("protocol"), o, &["SCTP", "TCP", "UDP"])),
        }
    }
}

const FIELD_REF_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

const RESOURCE_FIELD_REFS: &[&str] =
    &["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];

fn validate_env(env: &Value, p: &Path, errs: &mut Errs) {
    for (j, e) in env.as_array().into_iter().flatten().enumerate() {
        let ep = p.index(j);
        let name = s(e, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&ep.child("name"), ""));
        } else {
            for m in env_var_name(name) {
                errs.push(FieldError::invalid_str(&ep.child("name"), name, m));
            }
        }
        let vf = &e["valueFrom"];
        if vf.is_null() {
            continue;
        }
        let vp = ep.child("valueFrom");
        let mut count = 0;
        if let Some(fr) = vf.get("fieldRef").filter(|x| !x.is_null()) {
            count += 1;
            let frp = vp.child("fieldRef");
            if s(fr, "apiVersion").is_empty() {
                errs.push(FieldError::required(&frp.child("apiVersion"), ""));
            } else if s(fr, "fieldPath").is_empty() {
                errs.push(FieldError::required(&frp.child("fieldPath"), ""));
            } else {
                let path = s(fr, "fieldPath");
                let subscripted = path.starts_with("metadata.labels['") || path.starts_with("metadata.annotations['");
                if !subscripted && !FIELD_REF_PATHS.contains(&path) {
                    errs.push(not_supported(&frp.child("fieldPath"), path, FIELD_REF_PATHS));
                }
            }
        }
        if let Some(rf) = vf.get("resourceFieldRef").filter(|x| !x.is_null()) {
            count += 1;
            let rp = vp.child("resourceFieldRef");
            let res = s(rf, "resource");
            if res.is_empty() {
                errs.push(FieldError::required(&rp.child("resource"), ""));
            } else if !RESOURCE_FIELD_REFS.contains(&res) && !res.starts_with("limits.hugepages-") && !res.starts_with("requests.hugepages-") {
                errs.push(not_supported(&rp.child("resource"), res, RESOURCE_FIELD_REFS));
            }
        }
        for (key, label) in [("configMapKeyRef", "configMapKeyRef"), ("secretKeyRef", "secretKeyRef")] {
            if let Some(r) = vf.get(key).filter(|x| !x.is_null()) {
                count += 1;
                let rp = vp.child(label);
                let n = s(r, "name");
                for m in dns1123_subdomain(n) {
                    errs.push(FieldError::invalid_str(&rp.child("name"), n, m));
                }
                let k = s(r, "key");
                if k.is_empty() {
                    errs.push(FieldError::required(&rp.child("key"), ""));
                } else {
                    for m in config_map_key(k) {
                        errs.push(FieldError::invalid_str(&rp.child("key"), k, m));
                    }
                }
            }
        }
        if count == 0 {
            errs.push(FieldError::invalid_str(&vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        } else if !s(e, "value").is_empty() {
            errs.push(FieldError::invalid_str(&vp, "", "may not be specified when `value` is not empty"));
        } else if count > 1 {
            errs.push(FieldError::invalid_str(&vp, "", "may not have more than one field specified at a time"));
        }
    }
}

fn validate_env_from(list: &Value, p: &Path, errs: &mut Errs) {
    for (j, e) in list.as_array().into_iter().flatten().enumerate() {
        let ep = p.index(j);
        let prefix = s(e, "prefix");
        if !prefix.is_empty() {
            for m in env_var_name(prefix) {
                errs.push(FieldError::invalid_str(&ep.child("prefix"), prefix, m));
            }
        }
        let mut count = 0;
        for key in ["configMapRef", "secretRef"] {
            if let Some(r) = e.get(key).filter(|x| !x.is_null()) {
                count += 1;
                let n = s(r, "name");
                if n.is_empty() {
                    errs.push(FieldError::required(&ep.child(key).child("name"), ""));
                } else {
                    for m in dns1123_subdomain(n) {
                        errs.push(FieldError::invalid_str(&ep.child(key).child("name"), n, m));
                    }
                }
            }
        }
        if count == 0 {
            errs.push(FieldError::invalid_str(p, "", "must specify one of: `configMapRef` or `secretRef`"));
        } else if count > 1 {
            errs.push(FieldError::invalid_str(p, "", "may not have more than one field specified at a time"));
        }
    }
}

fn validate_mounts(mounts: &Value, volumes: &BTreeSet<String>, cp: &Path, errs: &mut Errs) {
    let p = cp.child("volumeMounts");
    let mut paths = BTreeSet::new();
    for (j, m) in mounts.as_array().into_iter().flatten().enumerate() {
        let mp = p.index(j);
        let name = s(m, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&mp.child("name"), ""));
        }
        if !volumes.contains(name) {
            errs.push(FieldError::not_found(&mp.child("name"), BadValue::Str(name.to_string())));
        }
        let path = s(m, "mountPath");
        if path.is_empty() {
            errs.push(FieldError::required(&mp.child("mountPath"), ""));
        } else if !paths.insert(path.to_string()) {
            errs.push(FieldError::invalid_str(&mp.child("mountPath"), path, "must be unique"));
        }
        let sub = s(m, "subPath");
        if !sub.is_empty() {
            if sub.starts_with('/') {
                errs.push(FieldError::invalid_str(&p.child("subPath"), sub, "must be a relative path"));
            }
            if sub.split('/').any(|seg| seg == "..") {
                errs.push(FieldError::invalid_str(&p.child("subPath"), sub, "must not contain '..'"));
            }
            if !s(m, "subPathExpr").is_empty() {
                errs.push(FieldError::invalid_str(&p.child("subPathExpr"), s(m, "subPathExpr"), "subPathExpr and subPath are mutually exclusive"));
            }
        }
        if let Some(prop) = m["mountPropagation"].as_str() {
            if !["Bidirectional", "HostToContainer", "None"].contains(&prop) {
                errs.push(not_supported(&p.child("mountPropagation"), prop, &["Bidirectional", "HostToContainer", "None"]));
            }
        }
    }
}

const STANDARD_CONTAINER_RESOURCES: &[&str] = &["cpu", "memory", "ephemeral-storage"];

fn validate_resources(res: &Value, p: &Path, errs: &mut Errs) {
    for part in ["limits", "requests"] {
        let Some(map) = res[part].as_object() else { continue };
        for (k, v) in map {
            let rp = p.child(part).key(k);
            let qmsgs = qualified_name(k);
            if !qmsgs.is_empty() {
                for m in qmsgs {
                    errs.push(FieldError::invalid_str(&rp, k, m));
                }
                continue;
            }
            if !k.contains('/') && !STANDARD_CONTAINER_RESOURCES.contains(&k.as_str()) && !k.starts_with("hugepages-") {
                errs.push(FieldError::invalid_str(&rp, k, "must be a standard resource type or fully qualified"));
                errs.push(FieldError::invalid_str(&rp, k, "must be a standard resource for containers"));
                continue;
            }
            if let Some(q) = v.as_str().and_then(|q| Quantity::parse(q).ok()) {
                if q.is_negative() {
                    errs.push(FieldError::invalid_str(&rp, &q.canonical(), "must be greater than or equal to 0"));
                }
            }
        }
    }
    if let (Some(req), Some(lim)) = (res["requests"].as_object(), res["limits"].as_object()) {
        for (k, rv) in req {
            let (Some(r), Some(l)) = (rv.as_str().and_then(|x| Quantity::parse(x).ok()), lim.get(k).and_then(Value::as_str).and_then(|x| Quantity::parse(x).ok())) else {
                continue;
            };
            if r > l {
                errs.push(FieldError::invalid_str(&p.child("requests"), &r.canonical(), format!("must be less than or equal to {k} limit of {}", l.canonical())));
            }
        }
    }
}

fn validate_handler(h: &Value, p: &Path, errs: &mut Errs, allow_sleep: bool) {
    let mut kinds = vec!["exec", "httpGet", "tcpSocket", "grpc"];
    if allow_sleep {
        kinds.push("sleep");
    }
    let mut found = 0;
    for k in kinds {
        let Some(v) = h.get(k).filter(|x| !x.is_null()) else { continue };
        found += 1;
        if found > 1 {
            errs.push(FieldError::forbidden(&p.child(k), "may not specify more than 1 handler type"));
            continue;
        }
        let kp = p.child(k);
        match k {
            "exec" => {
                if v["command"].as_array().is_none_or(|a| a.is_empty()) {
                    errs.push(FieldError::required(&kp.child("command"), ""));
                }
            }
            "httpGet" => {
                if s(v, "path").is_empty() {
                    errs.push(FieldError::required(&kp.child("path"), ""));
                }
                validate_probe_port(&v["port"], &kp.child("port"), errs);
                if let Some(scheme) = v["scheme"].as_str() {
                    if scheme != "HTTP" && scheme != "HTTPS" {
                        errs.push(not_supported(&kp.child("scheme"), scheme, &["HTTP", "HTTPS"]));
                    }
                }
            }
            "tcpSocket" | "grpc" => validate_probe_port(&v["port"], &kp.child("port"), errs),
            _ => {}
        }
    }
    if found == 0 {
        errs.push(FieldError::required(p, "must specify a handler type"));
    }
}

fn validate_probe_port(port: &Value, p: &Path, errs: &mut Errs) {
    match port {
        Value::Number(n) => {
            let n = n.as_i64().unwrap_or(0);
            if !(1..=65535).contains(&n) {
                errs.push(FieldError::invalid_num(p, n, "must be between 1 and 65535, inclusive"));
            }
        }
        Value::String(name) => {
            for m in port_name(name) {
                errs.push(FieldError::invalid_str(p, name, m));
            }
        }
        _ => errs.push(FieldError::invalid_num(p, 0, "must be between 1 and 65535, inclusive")),
    }
}

fn validate_probe(probe: &Value, p: &Path, errs: &mut Errs) {
    validate_handler(probe, p, errs, false);
    for k in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
        if let Some(v) = probe[k].as_i64() {
            if v < 0 {
                errs.push(FieldError::invalid_num(&p.child(k), v, "must be greater than or equal to 0"));
            }
        }
    }
    if let Some(g) = probe["terminationGracePeriodSeconds"].as_i64() {
        if g <= 0 {
            errs.push(FieldError::invalid_num(&p.child("terminationGracePeriodSeconds"), g, "must be greater than 0"));
        }
    }
}

fn validate_lifecycle(l: &Value, p: &Path, errs: &mut Errs) {
    for hook in ["postStart", "preStop"] {
        if !l[hook].is_null() {
            validate_handler(&l[hook], &p.child(hook), errs, true);
        }
    }
}

fn validate_tolerations(list: &Value, p: &Path, errs: &mut Errs) {
    for (i, t) in list.as_array().into_iter().flatten().enumerate() {
        let tp = p.index(i);
        let key = s(t, "key");
        let op = s(t, "operator");
        let effect = s(t, "effect");
        if !key.is_empty() {
            for m in qualified_name(key) {
                errs.push(FieldError::invalid_str(&tp.child("key"), key, m));
            }
        } else if op != "Exists" {
            errs.push(FieldError::invalid_str(&tp.child("operator"), op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
        }
        if !t["tolerationSeconds"].is_null() && effect != "NoExecute" {
            errs.push(FieldError::invalid_str(&tp.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
        }
        let value = s(t, "value");
        match op {
            "" | "Equal" => {
                let msgs = crate::apiserver::validation::names::label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid_str(&tp.child("operator"), value, msgs.join(";")));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid_str(&tp.child("operator"), value, "value must be empty when `operator` is 'Exists'"));
                }
            }
            other => errs.push(not_supported(&tp.child("operator"), other, &["Equal", "Exists"])),
        }
        if !effect.is_empty() && !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            errs.push(not_supported(&tp.child("effect"), effect, &["NoSchedule", "PreferNoSchedule", "NoExecute"]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::kinds::podspec::defaults::default_pod_spec;
    use serde_json::json;

    fn errors(mut spec: Value) -> Vec<String> {
        default_pod_spec(&mut spec, true);
        validate_pod_spec(&spec, &Path::new("spec"), true).iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn a_valid_spec_has_no_errors() {
        assert!(errors(json!({"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "http"}]}]})).is_empty());
    }

    #[test]
    fn container_rules() {
        assert_eq!(errors(json!({"containers": [{"name": "web"}]})), ["spec.containers[0].image: Required value"]);
        assert_eq!(errors(json!({"containers": []})), ["spec.containers: Required value"]);
        let e = errors(json!({"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 70000}]}, {"name": "a", "image": "y"}]}));
        assert_eq!(e, [
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[1].name: Duplicate value: \"a\"",
        ]);
        let e = errors(json!({"containers": [{"name": "a", "image": "x", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}));
        assert_eq!(e, ["spec.containers[0].volumeMounts[0].name: Not found: \"data\""]);
        let e = errors(json!({"containers": [{"name": "a", "image": "x", "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]}));
        assert_eq!(e, ["spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"]);
        let e = errors(json!({"containers": [{"name": "a", "image": "x", "livenessProbe": {"initialDelaySeconds": 5}}]}));
        assert_eq!(e, ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]);
    }

    #[test]
    fn pod_level_rules() {
        let e = errors(json!({"restartPolicy": "Sometimes", "containers": [{"name": "a", "image": "x"}]}));
        assert_eq!(e, ["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""]);
        let e = errors(json!({"containers": [{"name": "a", "image": "x"}], "volumes": [{"name": "v", "emptyDir": {}, "hostPath": {"path": "/x"}}]}));
        assert_eq!(e, ["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"]);
    }
}
