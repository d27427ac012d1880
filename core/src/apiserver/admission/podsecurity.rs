//! PodSecurity admission (v1.33, policy "latest"): a namespace's
//! `pod-security.kubernetes.io/enforce|warn` labels name a level — privileged, baseline or
//! restricted — and pods are held to it. Enforce refuses a pod (`pods "x" is forbidden: violates
//! PodSecurity "restricted:latest": ...`); warn lets it through with a warning, and is all that
//! applies to workloads' pod templates. Labelling a namespace says which existing pods break the
//! new level. The checks and their wording are Kubernetes' (pod-security-admission's policy
//! package); the facts are in /work/notes/podsecurity-facts.md.

use serde_json::Value;

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::meta::GroupKind;
use crate::api::status::ApiError;
use crate::sort::Order;
use crate::store::{Selection, Store};

const PREFIX: &str = "pod-security.kubernetes.io/";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A level at a policy version (`restricted:latest`, `baseline:v1.33`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct LevelVersion {
    level: Level,
    version: String,
}

impl LevelVersion {
    fn text(&self) -> String {
        format!("{}:{}", self.level.name(), self.version)
    }
}

fn valid_version(v: &str) -> bool {
    v == "latest" || v.strip_prefix("v1.").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0')))
}

/// The enforce and warn policies of a namespace's labels: an invalid enforce level counts as
/// restricted, an invalid warn level as privileged; an unset warn takes a stricter enforce.
fn policies(ns: &Value) -> (LevelVersion, LevelVersion) {
    let labels = &ns["metadata"]["labels"];
    let get = |mode: &str| labels[format!("{PREFIX}{mode}")].as_str();
    let version = |mode: &str| get(&format!("{mode}-version")).filter(|v| valid_version(v)).unwrap_or("latest").to_string();
    let enforce_label = get("enforce");
    let enforce_level = match enforce_label {
        None => Level::Privileged,
        Some(v) => Level::parse(v).unwrap_or(Level::Restricted),
    };
    let enforce = LevelVersion { level: enforce_level, version: version("enforce") };
    let mut warn = LevelVersion { level: get("warn").and_then(Level::parse).unwrap_or(Level::Privileged), version: version("warn") };
    let enforce_valid = enforce_label.is_some_and(|v| Level::parse(v).is_some());
    if get("warn").is_none() && enforce_valid && enforce.level > warn.level {
        warn.level = enforce.level;
        if get("warn-version").is_none() {
            warn.version = enforce.version.clone();
        }
    }
    (enforce, warn)
}

/// Checks each namespace label's value: `must be one of privileged, baseline, restricted`.
fn label_errors(ns: &Value) -> Vec<FieldError> {
    let labels = &ns["metadata"]["labels"];
    let mut errs = Vec::new();
    for mode in ["enforce", "audit", "warn"] {
        for (key, is_version) in [(format!("{PREFIX}{mode}"), false), (format!("{PREFIX}{mode}-version"), true)] {
            let Some(v) = labels[&key].as_str() else { continue };
            let path = Path::new("metadata").child("labels").key(&key);
            if !is_version && Level::parse(v).is_none() {
                errs.push(FieldError::invalid(&path, BadValue::Str(v.to_string()), "must be one of privileged, baseline, restricted"));
            }
            if is_version && !valid_version(v) {
                errs.push(FieldError::invalid(&path, BadValue::Str(v.to_string()), "must be \"latest\" or \"v1.x\""));
            }
        }
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// The checks.

/// `"a", "b"`.
fn join_quote(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    format!("\"{}\"", items.join("\", \""))
}

fn plural<'a>(one: &'a str, many: &'a str, n: usize) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[String]) -> String {
    format!("{} {}", plural("container", "containers", names.len()), join_quote(names))
}

/// A sorted, deduplicated list (Go's sets.String.List()).
fn set(mut items: Vec<String>) -> Vec<String> {
    items.order();
    items.dedup();
    items
}

/// Every container, init ones first, then the app ones, then the ephemeral ones.
fn containers(spec: &Value) -> Vec<&Value> {
    ["initContainers", "containers", "ephemeralContainers"].iter().flat_map(|k| spec[*k].as_array().into_iter().flatten()).collect()
}

fn cname(c: &Value) -> String {
    c["name"].as_str().unwrap_or_default().to_string()
}

fn windows(spec: &Value) -> bool {
    spec["os"]["name"] == "windows"
}

type Finding = (String, String);

/// Who sets a forbidden value: `pod` (its securityContext), then the containers whose own
/// securityContext does — `pod and containers "a", "b"` once joined.
fn setters(spec: &Value, bad: impl Fn(&Value) -> bool) -> Vec<String> {
    let mut who = Vec::new();
    if bad(&spec["securityContext"]) {
        who.push("pod".to_string());
    }
    let names: Vec<String> = containers(spec).into_iter().filter(|c| bad(&c["securityContext"])).map(cname).collect();
    if !names.is_empty() {
        who.push(containers_phrase(&names));
    }
    who
}

fn app_armor(spec: &Value, meta: &Value) -> Option<Finding> {
    let (mut setters, mut values) = bad_profiles(spec, "appArmorProfile");
    let mut annotations: Vec<String> = meta["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("container.apparmor.security.beta.kubernetes.io/"))
        .filter_map(|(k, v)| {
            let v = v.as_str().unwrap_or_default();
            (!(v.is_empty() || v == "runtime/default" || v.starts_with("localhost/"))).then(|| format!("{k}={}", crate::api::field::go_quote(v)))
        })
        .collect();
    if !annotations.is_empty() {
        setters.push(plural("annotation", "annotations", annotations.len()).to_string());
        annotations = set(annotations);
        values.extend(annotations);
    }
    if setters.is_empty() {
        return None;
    }
    Some((plural("forbidden AppArmor profile", "forbidden AppArmor profiles", values.len()).to_string(), format!("{} must not set AppArmor profile type to {}", setters.join(" and "), join_quote(&values))))
}

const BASELINE_CAPABILITIES: [&str; 13] = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

/// Containers that add capabilities outside `allowed`, and those capabilities.
fn added_beyond(spec: &Value, allowed: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut caps = Vec::new();
    for c in containers(spec) {
        let bad: Vec<String> = c["securityContext"]["capabilities"]["add"].as_array().into_iter().flatten().filter_map(Value::as_str).filter(|cap| !allowed.contains(cap)).map(str::to_string).collect();
        if !bad.is_empty() {
            names.push(cname(c));
            caps.extend(bad);
        }
    }
    (names, set(caps))
}

fn capabilities_baseline(spec: &Value) -> Option<Finding> {
    let (names, caps) = added_beyond(spec, &BASELINE_CAPABILITIES);
    (!names.is_empty()).then(|| ("non-default capabilities".into(), format!("{} must not include {} in securityContext.capabilities.add", containers_phrase(&names), join_quote(&caps))))
}

fn host_namespaces(spec: &Value) -> Option<Finding> {
    let on: Vec<&str> = [("hostNetwork", "hostNetwork=true"), ("hostPID", "hostPID=true"), ("hostIPC", "hostIPC=true")].iter().filter(|(k, _)| spec[*k] == true).map(|(_, t)| *t).collect();
    (!on.is_empty()).then(|| ("host namespaces".into(), on.join(", ")))
}

fn host_path_volumes(spec: &Value) -> Option<Finding> {
    let names: Vec<String> = spec["volumes"].as_array().into_iter().flatten().filter(|v| v["hostPath"].is_object()).map(cname).collect();
    (!names.is_empty()).then(|| ("hostPath volumes".into(), format!("{} {}", plural("volume", "volumes", names.len()), join_quote(&names))))
}

fn host_ports(spec: &Value) -> Option<Finding> {
    let mut names = Vec::new();
    let mut ports = Vec::new();
    for c in containers(spec) {
        let used: Vec<String> = c["ports"].as_array().into_iter().flatten().filter_map(|p| p["hostPort"].as_i64()).filter(|p| *p != 0).map(|p| p.to_string()).collect();
        if !used.is_empty() {
            names.push(cname(c));
            ports.extend(used);
        }
    }
    let ports = set(ports);
    (!names.is_empty()).then(|| ("hostPort".into(), format!("{} {} {} {}", containers_phrase(&names), plural("uses", "use", names.len()), plural("hostPort", "hostPorts", ports.len()), ports.join(", "))))
}

fn privileged(spec: &Value) -> Option<Finding> {
    let names: Vec<String> = containers(spec).into_iter().filter(|c| c["securityContext"]["privileged"] == true).map(cname).collect();
    (!names.is_empty()).then(|| ("privileged".into(), format!("{} must not set securityContext.privileged=true", containers_phrase(&names))))
}

fn proc_mount(spec: &Value) -> Option<Finding> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    for c in containers(spec) {
        if let Some(t) = c["securityContext"]["procMount"].as_str().filter(|t| *t != "Default") {
            names.push(cname(c));
            types.push(t.to_string());
        }
    }
    (!names.is_empty()).then(|| ("procMount".into(), format!("{} must not set securityContext.procMount to {}", containers_phrase(&names), join_quote(&set(types)))))
}

fn se_linux(spec: &Value) -> Option<Finding> {
    const TYPES: [&str; 5] = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
    let (mut types, mut user, mut role) = (Vec::new(), false, false);
    let mut bad = |o: &Value| -> bool {
        let mut any = false;
        if let Some(t) = o["type"].as_str().filter(|t| !TYPES.contains(t)) {
            types.push(t.to_string());
            any = true;
        }
        if o["user"].as_str().is_some_and(|u| !u.is_empty()) {
            user = true;
            any = true;
        }
        if o["role"].as_str().is_some_and(|r| !r.is_empty()) {
            role = true;
            any = true;
        }
        any
    };
    let mut setters = Vec::new();
    if bad(&spec["securityContext"]["seLinuxOptions"]) {
        setters.push("pod".to_string());
    }
    let names: Vec<String> = containers(spec).into_iter().filter(|c| bad(&c["securityContext"]["seLinuxOptions"])).map(cname).collect();
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    if setters.is_empty() {
        return None;
    }
    let types = set(types);
    let mut parts = Vec::new();
    if !types.is_empty() {
        parts.push(format!("{} {}", plural("type", "types", types.len()), join_quote(&types)));
    }
    if user {
        parts.push("user may not be set".to_string());
    }
    if role {
        parts.push("role may not be set".to_string());
    }
    Some(("seLinuxOptions".into(), format!("{} set forbidden securityContext.seLinuxOptions: {}", setters.join(" and "), parts.join("; "))))
}

/// Who sets a profile type (`securityContext.<field>.type`) other than RuntimeDefault or
/// Localhost — the pod, and the containers in kubectl's phrase — and the types they set
/// (AppArmor and seccomp have the same rule).
fn bad_profiles(spec: &Value, field: &str) -> (Vec<String>, Vec<String>) {
    let bad = |t: &Value| t.as_str().is_some_and(|t| t != "RuntimeDefault" && t != "Localhost");
    let mut setters = Vec::new();
    let mut values = Vec::new();
    let pod_t = &spec["securityContext"][field]["type"];
    if bad(pod_t) {
        setters.push("pod".to_string());
        values.push(pod_t.as_str().unwrap_or_default().to_string());
    }
    let names: Vec<String> = containers(spec)
        .into_iter()
        .filter(|c| {
            let t = &c["securityContext"][field]["type"];
            if bad(t) {
                values.push(t.as_str().unwrap_or_default().to_string());
            }
            bad(t)
        })
        .map(cname)
        .collect();
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    (setters, set(values))
}

/// Pod and containers with a seccomp profile type other than RuntimeDefault or Localhost.
fn seccomp_bad(spec: &Value) -> Option<(Vec<String>, Vec<String>)> {
    let (setters, values) = bad_profiles(spec, "seccompProfile");
    (!setters.is_empty()).then_some((setters, values))
}

fn seccomp_baseline(spec: &Value) -> Option<Finding> {
    let (setters, values) = seccomp_bad(spec)?;
    Some(("seccompProfile".into(), format!("{} must not set securityContext.seccompProfile.type to {}", setters.join(" and "), join_quote(&values))))
}

const SAFE_SYSCTLS: [&str; 12] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

fn sysctls(spec: &Value) -> Option<Finding> {
    let bad: Vec<&str> = spec["securityContext"]["sysctls"].as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).filter(|n| !SAFE_SYSCTLS.contains(n)).collect();
    (!bad.is_empty()).then(|| ("forbidden sysctls".into(), bad.join(", ")))
}

fn host_process(spec: &Value) -> Option<Finding> {
    let setters = setters(spec, |sc| sc["windowsOptions"]["hostProcess"] == true);
    (!setters.is_empty()).then(|| ("hostProcess".into(), format!("{} must not set securityContext.windowsOptions.hostProcess=true", setters.join(" and "))))
}

fn privilege_escalation(spec: &Value) -> Option<Finding> {
    if windows(spec) {
        return None;
    }
    let names: Vec<String> = containers(spec).into_iter().filter(|c| c["securityContext"]["allowPrivilegeEscalation"] != false).map(cname).collect();
    (!names.is_empty()).then(|| ("allowPrivilegeEscalation != false".into(), format!("{} must set securityContext.allowPrivilegeEscalation=false", containers_phrase(&names))))
}

fn capabilities_restricted(spec: &Value) -> Option<Finding> {
    if windows(spec) {
        return None;
    }
    let no_drop: Vec<String> = containers(spec).into_iter().filter(|c| !c["securityContext"]["capabilities"]["drop"].as_array().is_some_and(|d| d.iter().any(|x| x == "ALL"))).map(cname).collect();
    let (adders, caps) = added_beyond(spec, &["NET_BIND_SERVICE"]);
    let mut parts = Vec::new();
    if !no_drop.is_empty() {
        parts.push(format!("{} must set securityContext.capabilities.drop=[\"ALL\"]", containers_phrase(&no_drop)));
    }
    if !adders.is_empty() {
        parts.push(format!("{} must not include {} in securityContext.capabilities.add", containers_phrase(&adders), join_quote(&caps)));
    }
    (!parts.is_empty()).then(|| ("unrestricted capabilities".into(), parts.join("; ")))
}

const ALLOWED_VOLUMES: [&str; 9] = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];
const VOLUME_TYPES: [&str; 22] = [
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos", "unknown",
];

fn restricted_volumes(spec: &Value) -> Option<Finding> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    for v in spec["volumes"].as_array().into_iter().flatten() {
        if ALLOWED_VOLUMES.iter().any(|k| v[*k].is_object()) {
            continue;
        }
        names.push(cname(v));
        types.push(VOLUME_TYPES.iter().find(|k| v[**k].is_object()).copied().unwrap_or("unknown").to_string());
    }
    let types = set(types);
    (!names.is_empty()).then(|| {
        (
            "restricted volume types".into(),
            format!("{} {} {} {} {}", plural("volume", "volumes", names.len()), join_quote(&names), plural("uses", "use", names.len()), plural("restricted volume type", "restricted volume types", types.len()), join_quote(&types)),
        )
    })
}

fn run_as_non_root(spec: &Value) -> Option<Finding> {
    let pod = &spec["securityContext"]["runAsNonRoot"];
    let setters = setters(spec, |sc| sc["runAsNonRoot"] == false);
    if !setters.is_empty() {
        return Some(("runAsNonRoot != true".into(), format!("{} must not set securityContext.runAsNonRoot=false", setters.join(" and "))));
    }
    if *pod == true {
        return None;
    }
    let unset: Vec<String> = containers(spec).into_iter().filter(|c| c["securityContext"]["runAsNonRoot"].is_null()).map(cname).collect();
    (!unset.is_empty()).then(|| ("runAsNonRoot != true".into(), format!("pod or {} must set securityContext.runAsNonRoot=true", containers_phrase(&unset))))
}

fn run_as_user(spec: &Value) -> Option<Finding> {
    let setters = setters(spec, |sc| sc["runAsUser"] == 0);
    (!setters.is_empty()).then(|| ("runAsUser=0".into(), format!("{} must not set runAsUser=0", setters.join(" and "))))
}

fn seccomp_restricted(spec: &Value) -> Option<Finding> {
    if windows(spec) {
        return None;
    }
    if let Some((setters, values)) = seccomp_bad(spec) {
        return Some(("seccompProfile".into(), format!("{} must not set securityContext.seccompProfile.type to {}", setters.join(" and "), join_quote(&values))));
    }
    if spec["securityContext"]["seccompProfile"]["type"].is_string() {
        return None;
    }
    let unset: Vec<String> = containers(spec).into_iter().filter(|c| !c["securityContext"]["seccompProfile"]["type"].is_string()).map(cname).collect();
    (!unset.is_empty()).then(|| ("seccompProfile".into(), format!("pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"", containers_phrase(&unset))))
}

/// What a pod breaks at a level, in the order Kubernetes lists it.
fn evaluate(level: Level, spec: &Value, meta: &Value) -> Vec<Finding> {
    let found: Vec<Option<Finding>> = match level {
        Level::Privileged => return Vec::new(),
        Level::Baseline => vec![
            app_armor(spec, meta),
            capabilities_baseline(spec),
            host_namespaces(spec),
            host_path_volumes(spec),
            host_ports(spec),
            privileged(spec),
            proc_mount(spec),
            se_linux(spec),
            seccomp_baseline(spec),
            sysctls(spec),
            host_process(spec),
        ],
        Level::Restricted => vec![
            app_armor(spec, meta),
            host_namespaces(spec),
            host_ports(spec),
            privileged(spec),
            proc_mount(spec),
            se_linux(spec),
            sysctls(spec),
            host_process(spec),
            privilege_escalation(spec),
            capabilities_restricted(spec),
            restricted_volumes(spec),
            run_as_non_root(spec),
            run_as_user(spec),
            seccomp_restricted(spec),
        ],
    };
    found.into_iter().flatten().collect()
}

fn detail(findings: &[Finding]) -> String {
    findings.iter().map(|(r, d)| if d.is_empty() { r.clone() } else { format!("{r} ({d})") }).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------
// Admission.

fn namespace(store: &Store, ns: &str) -> Option<std::sync::Arc<Value>> {
    store.get("namespaces", "", ns).map(|s| s.object)
}

/// A new pod: refused when it breaks the enforce level; else warnings for the warn level
/// (`warn_too`: someone will read them).
/// Whether a pod update is one PodSecurity evaluates (its `isSignificantPodUpdate`): a
/// container added or removed, an image changed, or a seccomp annotation changed.
pub fn significant_pod_update(new: &Value, old: &Value) -> bool {
    let ann = |v: &Value, k: &str| v["metadata"]["annotations"][k].clone();
    let seccomp_pod = "seccomp.security.alpha.kubernetes.io/pod";
    if ann(new, seccomp_pod) != ann(old, seccomp_pod) {
        return true;
    }
    for list in ["containers", "initContainers"] {
        let (n, o) = (new["spec"][list].as_array().cloned().unwrap_or_default(), old["spec"][list].as_array().cloned().unwrap_or_default());
        if n.len() != o.len() {
            return true;
        }
        for (a, b) in n.iter().zip(&o) {
            let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", a["name"].as_str().unwrap_or_default());
            if a["image"] != b["image"] || ann(new, &key) != ann(old, &key) {
                return true;
            }
        }
    }
    // An ephemeral container added, or one whose image changed.
    let old_ephemeral = old["spec"]["ephemeralContainers"].as_array().cloned().unwrap_or_default();
    new["spec"]["ephemeralContainers"].as_array().into_iter().flatten().any(|c| match old_ephemeral.iter().find(|o| o["name"] == c["name"]) {
        None => true,
        Some(o) => o["image"] != c["image"],
    })
}

pub fn admit_pod(store: &Store, ns: &str, pod: &Value, warn_too: bool) -> Result<Vec<String>, ApiError> {
    let Some(nsobj) = namespace(store, ns) else { return Ok(Vec::new()) };
    let (enforce, warn) = policies(&nsobj);
    let spec = &pod["spec"];
    let meta = &pod["metadata"];
    let broken = evaluate(enforce.level, spec, meta);
    if !broken.is_empty() {
        return Err(ApiError::Forbidden {
            resource: crate::api::meta::GroupResource::new("", "pods"),
            name: meta["name"].as_str().unwrap_or_default().to_string(),
            why: format!("violates PodSecurity \"{}\": {}", enforce.text(), detail(&broken)),
        });
    }
    if !warn_too {
        return Ok(Vec::new());
    }
    let warned = evaluate(warn.level, spec, meta);
    Ok(if warned.is_empty() { Vec::new() } else { vec![format!("would violate PodSecurity \"{}\": {}", warn.text(), detail(&warned))] })
}

/// The pod template of a workload, if the resource has one.
fn template(storage: &str, obj: &Value) -> Option<Value> {
    let t = match storage {
        "deployments.apps" | "replicasets.apps" | "statefulsets.apps" | "daemonsets.apps" | "jobs.batch" | "replicationcontrollers" => &obj["spec"]["template"],
        "cronjobs.batch" => &obj["spec"]["jobTemplate"]["spec"]["template"],
        "podtemplates" => &obj["template"],
        _ => return None,
    };
    t.is_object().then(|| t.clone())
}

/// A workload written: warnings (never a refusal) for what its pods would break.
pub fn warn_workload(store: &Store, storage: &str, ns: &str, obj: &Value) -> Vec<String> {
    let Some(t) = template(storage, obj) else { return Vec::new() };
    let Some(nsobj) = namespace(store, ns) else { return Vec::new() };
    let (_, warn) = policies(&nsobj);
    let broken = evaluate(warn.level, &t["spec"], &t["metadata"]);
    if broken.is_empty() {
        Vec::new()
    } else {
        vec![format!("would violate PodSecurity \"{}\": {}", warn.text(), detail(&broken))]
    }
}

/// A namespace's labels checked: a new invalid value is a 422.
pub fn validate_namespace(ns: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    let errs = label_errors(ns);
    if errs.is_empty() {
        return Ok(());
    }
    if let Some(old) = old {
        let before = label_errors(old);
        if !before.is_empty() && before == errs {
            return Ok(());
        }
    }
    Err(ApiError::invalid(&GroupKind::new("", "Namespace"), ns["metadata"]["name"].as_str().unwrap_or_default(), errs))
}

/// A namespace's enforce level made stricter: which existing pods break it, grouped by what
/// they break.
pub fn existing_pods_warnings(store: &Store, ns: &Value, old: &Value) -> Vec<String> {
    let (new_enforce, _) = policies(ns);
    let (old_enforce, _) = policies(old);
    if new_enforce == old_enforce || new_enforce.level == Level::Privileged || (new_enforce.version == old_enforce.version && new_enforce.level <= old_enforce.level) {
        return Vec::new();
    }
    let name = ns["metadata"]["name"].as_str().unwrap_or_default();
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in store.list("pods", Some(name), &Selection::All, None) {
        let pod = &p.object;
        let broken = evaluate(new_enforce.level, &pod["spec"], &pod["metadata"]);
        if broken.is_empty() {
            continue;
        }
        let reasons = broken.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>().join(", ");
        let pname = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
        match groups.iter_mut().find(|(r, _)| *r == reasons) {
            Some((_, names)) => names.push(pname),
            None => groups.push((reasons, vec![pname])),
        }
    }
    if groups.is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<String> = groups
        .into_iter()
        .map(|(reasons, mut names)| {
            names.order();
            let others = names.len() - 1;
            let prefix = match others {
                0 => names[0].clone(),
                1 => format!("{} (and 1 other pod)", names[0]),
                n => format!("{} (and {n} other pods)", names[0]),
            };
            format!("{prefix}: {reasons}")
        })
        .collect();
    lines.order();
    let mut out = vec![format!("existing pods in namespace \"{name}\" violate the new PodSecurity enforce level \"{}\"", new_enforce.text())];
    out.extend(lines);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nginx() -> Value {
        json!({"containers": [{"name": "nginx", "image": "nginx:1.27"}]})
    }

    #[test]
    fn a_plain_pod_breaks_restricted_four_ways_in_kubernetes_order() {
        let found = evaluate(Level::Restricted, &nginx(), &json!({}));
        assert_eq!(
            detail(&found),
            "allowPrivilegeEscalation != false (container \"nginx\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"nginx\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"nginx\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"nginx\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        );
        assert!(evaluate(Level::Baseline, &nginx(), &json!({})).is_empty());
    }

    #[test]
    fn baseline_names_host_access_and_privilege() {
        let spec = json!({"hostNetwork": true, "hostPID": true, "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
            "containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81, "hostPort": 10000}], "securityContext": {"privileged": true, "capabilities": {"add": ["NET_ADMIN", "CHOWN", "SYS_TIME"]}}},
                           {"name": "b", "image": "x", "securityContext": {"privileged": true}}]});
        assert_eq!(
            detail(&evaluate(Level::Baseline, &spec, &json!({}))),
            "non-default capabilities (container \"a\" must not include \"NET_ADMIN\", \"SYS_TIME\" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume \"root\"), hostPort (container \"a\" uses hostPorts 10000, 8080), privileged (containers \"a\", \"b\" must not set securityContext.privileged=true)"
        );
    }

    #[test]
    fn baseline_names_who_sets_forbidden_profiles() {
        let spec = json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}, "appArmorProfile": {"type": "Unconfined"}},
            "containers": [{"name": "a", "image": "x", "securityContext": {"seccompProfile": {"type": "Unconfined"}, "appArmorProfile": {"type": "RuntimeDefault"}}},
                           {"name": "b", "image": "x", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p"}, "appArmorProfile": {"type": "Unconfined"}}}]});
        let meta = json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/b": "unconfined"}});
        assert_eq!(
            detail(&evaluate(Level::Baseline, &spec, &meta)),
            "forbidden AppArmor profiles (pod and container \"b\" and annotation must not set AppArmor profile type to \"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/b=\"unconfined\"\"), seccompProfile (pod and container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\")"
        );
    }

    #[test]
    fn labels_pick_levels_and_bad_values_are_refused() {
        let ns = json!({"metadata": {"name": "x", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}});
        let (e, w) = policies(&ns);
        assert_eq!((e.text(), w.text()), ("baseline:latest".to_string(), "baseline:latest".to_string()));
        let bad = json!({"metadata": {"name": "x", "labels": {"pod-security.kubernetes.io/enforce": "strict"}}});
        let err = validate_namespace(&bad, None).unwrap_err();
        assert_eq!(err.to_string(), "Namespace \"x\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted");
        assert!(validate_namespace(&bad, Some(&bad)).is_ok());
    }
}
