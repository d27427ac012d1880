//! `kubectl debug`: an ephemeral container added to a running pod (pods/ephemeralcontainers),
//! a copy of a pod with a debugging container (`--copy-to`), or a pod on a node with the node's
//! namespaces and root file system (`node/NAME`); `-it` attaches to it. Profiles shape the
//! container's securityContext as kubectl v1.33's do (`legacy`, the default, warns).

use serde_json::{json, Map, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::{get_object, patch_request, send_ok, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;
use crate::sim::clock::Duration;

pub const FLAGS: &[Flag] = &[
    flag("image", None, Takes::Value),
    flag("container", Some('c'), Takes::Value),
    flag("target", None, Takes::Value),
    flag("stdin", Some('i'), Takes::Bool),
    flag("tty", Some('t'), Takes::Bool),
    flag("quiet", Some('q'), Takes::Bool),
    flag("attach", None, Takes::Bool),
    flag("profile", None, Takes::Value),
    flag("copy-to", None, Takes::Value),
    flag("replace", None, Takes::Bool),
    flag("same-node", None, Takes::Bool),
    flag("set-image", None, Takes::Values),
    flag("share-processes", None, Takes::Bool),
    flag("keep-labels", None, Takes::Bool),
    flag("keep-annotations", None, Takes::Bool),
    flag("keep-liveness", None, Takes::Bool),
    flag("keep-readiness", None, Takes::Bool),
    flag("keep-startup", None, Takes::Bool),
    flag("keep-init-containers", None, Takes::Bool),
    flag("env", None, Takes::Values),
    flag("image-pull-policy", None, Takes::Value),
    flag("arguments-only", None, Takes::Bool),
    flag("filename", Some('f'), Takes::Values),
];

const PROFILES: [&str; 6] = ["legacy", "general", "baseline", "netadmin", "restricted", "sysadmin"];

/// What `utilrand.String` draws from.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// How long `-i` waits for the container to run before giving up (kubectl waits for ever;
/// the simulated clock moves while it does).
const ATTACH_WAIT_SECONDS: i64 = 300;

/// Five characters for a generated name: from the simulation's state, so the same cluster at
/// the same time names the same way.
fn suffix(seed: &str, attempt: u32) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(attempt);
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (0..5)
        .map(|i| {
            let x = (h >> (i * 11)) ^ (h >> 53);
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// The parsed command line.
struct Opts<'a> {
    image: &'a str,
    container: &'a str,
    target: &'a str,
    stdin: bool,
    tty: bool,
    quiet: bool,
    attach: bool,
    profile: &'a str,
    pull: &'a str,
    env: Vec<(String, String)>,
    words: Vec<String>,
    arguments_only: bool,
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let names: Vec<String> = p.args[1..p.before_dash.max(1)].to_vec();
    let words: Vec<String> = p.args.get(p.before_dash.max(1)..).map(<[String]>::to_vec).unwrap_or_default();
    let profile = p.value("profile").unwrap_or("legacy");
    if !PROFILES.contains(&profile) {
        return Err(Failure::client(format!("unknown profile: {profile}")));
    }
    let env: Vec<(String, String)> = p.values("env").iter().flat_map(|e| e.split(',')).filter_map(|kv| kv.split_once('=')).map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let o = Opts {
        image: p.value("image").unwrap_or_default(),
        container: p.value("container").unwrap_or_default(),
        target: p.value("target").unwrap_or_default(),
        stdin: p.bool("stdin"),
        tty: p.bool("tty"),
        quiet: p.bool("quiet"),
        attach: if p.has("attach") { p.bool("attach") } else { p.bool("stdin") },
        profile,
        pull: p.value("image-pull-policy").unwrap_or_default(),
        env,
        words,
        arguments_only: p.bool("arguments-only"),
    };
    let copy_to = p.value("copy-to").unwrap_or_default();
    let set_image = p.values("set-image");
    // kubectl's checks, in its order.
    if p.has("attach") && o.image.is_empty() && o.container.is_empty() {
        return Err(Failure::client("you must specify --container or create a new container using --image in order to attach."));
    }
    if !copy_to.is_empty() {
        if o.image.is_empty() && set_image.is_empty() && o.words.is_empty() {
            return Err(Failure::client("you must specify --image, --set-image or command arguments."));
        }
        if !o.words.is_empty() && o.container.is_empty() && o.image.is_empty() {
            return Err(Failure::client("you must specify an existing container or a new image when specifying args."));
        }
    } else {
        for (f, what) in [("replace", "--replace"), ("same-node", "--same-node")] {
            if p.bool(f) {
                return Err(Failure::client(format!("{what} may only be used with --copy-to.")));
            }
        }
        if !set_image.is_empty() {
            return Err(Failure::client("--set-image may only be used with --copy-to."));
        }
        if o.image.is_empty() {
            return Err(Failure::client("you must specify --image when not using --copy-to."));
        }
    }
    if !o.image.is_empty() && !valid_reference(o.image) {
        return Err(Failure::client(format!("invalid image name {:?}: invalid reference format", o.image)));
    }
    if names.is_empty() && p.values("filename").is_empty() {
        return Err(Failure::client("NAME or filename is required for debug"));
    }
    if !matches!(o.pull, "" | "Always" | "IfNotPresent" | "Never") {
        return Err(Failure::client(format!("invalid image pull policy: {}", o.pull)));
    }
    if !o.target.is_empty() {
        if !copy_to.is_empty() {
            return Err(Failure::client("--target is incompatible with --copy-to. Use --share-processes instead."));
        }
        if !o.quiet {
            out.out(format!("Targeting container {:?}. If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n", o.target));
        }
    }
    if o.tty && !o.stdin {
        return Err(Failure::client("-i/--stdin is required for containers with -t/--tty=true"));
    }
    if o.profile == "legacy" {
        out.err("--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example \"--profile=general\".\n");
    }
    for name in &names {
        let (kind, obj_name) = match name.split_once('/') {
            None => ("pods".to_string(), name.clone()),
            Some((t, n)) => {
                let r = k.resolve(api, t).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {t:?}")))?;
                (if r.group.is_empty() { r.name.clone() } else { format!("{}.{}", r.name, r.group) }, n.to_string())
            }
        };
        match kind.as_str() {
            "pods" => {
                let pod = get_object(api, &format!("/api/v1/namespaces/{ns}/pods/{obj_name}", ns = super::paths::segment(&ns), obj_name = super::paths::segment(&obj_name)))?;
                if copy_to.is_empty() {
                    ephemeral(k, api, &ns, &pod, &o, out)?;
                } else {
                    copy(k, api, &ns, &pod, copy_to, &set_image, p, &o, out)?;
                }
            }
            "nodes" => {
                let node = get_object(api, &format!("/api/v1/nodes/{obj_name}", obj_name = super::paths::segment(&obj_name)))?;
                on_node(k, api, &ns, &node, &o, out)?;
            }
            other => {
                let r = k.resolve(api, other.split('.').next().unwrap_or(other)).ok_or_else(|| Failure::client("unknown type"))?;
                get_object(api, &r.object_path(Some(&ns), &obj_name))?;
                let gv = if r.group.is_empty() { format!("/{}", r.version) } else { format!("{}/{}", r.group, r.version) };
                return Err(Failure::client(format!("\"{gv}, Kind={}\" not supported by debug", r.kind)));
            }
        }
    }
    Ok(())
}

/// Docker's reference grammar, loosely: lowercase repository path, optional tag and digest.
fn valid_reference(image: &str) -> bool {
    let (name, _) = image.split_once('@').unwrap_or((image, ""));
    let last = name.rsplit('/').next().unwrap_or(name);
    let repo = match last.rsplit_once(':') {
        Some((_, tag)) if !tag.is_empty() && tag.len() <= 128 && tag.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) => &name[..name.len() - tag.len() - 1],
        Some(_) => return false,
        None => name,
    };
    // Only a registry host (a first part followed by more) may have capitals or a port.
    let parts: Vec<&str> = repo.split('/').collect();
    !repo.is_empty()
        && parts.iter().enumerate().all(|(i, part)| {
            let host = i == 0 && parts.len() > 1;
            !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c) || (host && (c == ':' || c.is_ascii_uppercase())))
        })
}

/// A name for a new debug container not used by any container of the pod.
fn debugger_name(pod: &Value) -> String {
    let used: Vec<&str> = ["containers", "initContainers", "ephemeralContainers"].iter().flat_map(|l| pod["spec"][*l].as_array().into_iter().flatten()).filter_map(|c| c["name"].as_str()).collect();
    let seed = format!("{}{}", pod["metadata"]["uid"].as_str().unwrap_or_default(), pod["metadata"]["resourceVersion"].as_str().unwrap_or_default());
    (0..).map(|i| format!("debugger-{}", suffix(&seed, i))).find(|n| !used.contains(&n.as_str())).unwrap_or_default()
}

/// `-c`, or a generated name kubectl announces.
fn debug_container_name(pod: &Value, o: &Opts, out: &mut Output) -> String {
    if !o.container.is_empty() {
        return o.container.to_string();
    }
    let n = debugger_name(pod);
    if !o.quiet {
        out.out(format!("Defaulting debug container name to {n}.\n"));
    }
    n
}

/// A new debug container: its name, what the flags set, stdin and tty when asked for.
fn new_container(name: &str, o: &Opts) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("name".into(), json!(name));
    fill(&mut c, o);
    if o.stdin {
        c.insert("stdin".into(), json!(true));
    }
    if o.tty {
        c.insert("tty".into(), json!(true));
    }
    c.insert("terminationMessagePolicy".into(), json!("File"));
    c
}

/// The container's command (or arguments) and the rest of what kubectl sets.
fn fill(c: &mut Map<String, Value>, o: &Opts) {
    if !o.words.is_empty() {
        if o.arguments_only {
            c.insert("args".into(), json!(o.words));
        } else {
            c.insert("command".into(), json!(o.words));
            c.remove("args");
        }
    }
    if !o.env.is_empty() {
        let env: Vec<Value> = o.env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
        c.insert("env".into(), json!(env));
    }
    if !o.image.is_empty() {
        c.insert("image".into(), json!(o.image));
    }
    if !o.pull.is_empty() {
        c.insert("imagePullPolicy".into(), json!(o.pull));
    }
}

/// What a profile does to the debug container's securityContext.
fn profile_container(c: &mut Map<String, Value>, profile: &str) {
    let add_caps = |c: &mut Map<String, Value>, caps: &[&str]| {
        let sc = c.entry("securityContext").or_insert_with(|| json!({}));
        let list = sc["capabilities"]["add"].as_array().cloned().unwrap_or_default();
        let mut list = list;
        list.extend(caps.iter().map(|x| json!(x)));
        sc["capabilities"]["add"] = json!(list);
    };
    match profile {
        "general" => add_caps(c, &["SYS_PTRACE"]),
        "netadmin" => add_caps(c, &["NET_ADMIN", "NET_RAW"]),
        "sysadmin" => {
            c.entry("securityContext").or_insert_with(|| json!({}))["privileged"] = json!(true);
        }
        "baseline" => {
            c.remove("securityContext");
        }
        "restricted" => {
            c.insert(
                "securityContext".into(),
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}),
            );
        }
        _ => {}
    }
}

fn ephemeral(k: &mut Kubectl, api: &mut dyn Transport, ns: &str, pod: &Value, o: &Opts, out: &mut Output) -> Result<(), Failure> {
    let name = debug_container_name(pod, o, out);
    let mut c = new_container(&name, o);
    if !o.target.is_empty() {
        c.insert("targetContainerName".into(), json!(o.target));
    }
    profile_container(&mut c, o.profile);
    c.insert("resources".into(), json!({}));
    let existing: Vec<Value> = pod["spec"]["ephemeralContainers"].as_array().into_iter().flatten().map(|e| json!({"name": e["name"]})).collect();
    let mut spec = json!({"ephemeralContainers": [Value::Object(c)]});
    if !existing.is_empty() {
        let mut order = existing;
        order.push(json!({"name": name}));
        spec["$setElementOrder/ephemeralContainers"] = json!(order);
    }
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let path = format!("/api/v1/namespaces/{ns}/pods/{pod_name}/ephemeralcontainers", ns = super::paths::segment(ns), pod_name = super::paths::segment(pod_name));
    let updated = send_ok(api, &patch_request(&path, "application/strategic-merge-patch+json", &json!({"spec": spec})))?;
    if o.attach {
        attach(k, api, ns, &updated, &name, o, out)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn copy(k: &mut Kubectl, api: &mut dyn Transport, ns: &str, pod: &Value, copy_to: &str, set_image: &[&str], p: &Parsed, o: &Opts, out: &mut Output) -> Result<(), Failure> {
    let mut meta = json!({"name": copy_to, "namespace": ns});
    for key in ["annotations", "labels"] {
        if let Some(v) = pod["metadata"].get(key) {
            meta[key] = v.clone();
        }
    }
    let mut spec = pod["spec"].clone();
    if let Some(m) = spec.as_object_mut() {
        m.remove("ephemeralContainers");
        if !p.bool("same-node") {
            m.remove("nodeName");
        }
        if p.has("share-processes") {
            m.insert("shareProcessNamespace".into(), json!(p.bool("share-processes")));
        }
    }
    for s in set_image {
        let (which, image) = s.split_once('=').unwrap_or(("*", s));
        for c in spec["containers"].as_array_mut().into_iter().flatten() {
            if which == "*" || c["name"] == which {
                c["image"] = json!(image);
            }
        }
    }
    // The container to debug with: one of the pod's, or a new one.
    let existing = spec["containers"].as_array().and_then(|l| l.iter().position(|c| !o.container.is_empty() && c["name"] == o.container));
    let chosen = match existing {
        Some(i) => Some(i),
        None if o.image.is_empty() && !set_image.is_empty() => None,
        None if o.image.is_empty() => return Err(Failure::client("you must specify image when creating new container")),
        None => {
            let name = debug_container_name(pod, o, out);
            let list = spec["containers"].as_array_mut().ok_or_else(|| Failure::client("the pod has no containers"))?;
            list.push(json!({"name": name, "terminationMessagePolicy": "File"}));
            Some(list.len() - 1)
        }
    };
    let mut container_name = String::new();
    if let Some(i) = chosen {
        if let Some(c) = spec["containers"][i].as_object_mut() {
            fill(c, o);
            c.insert("stdin".into(), json!(o.stdin));
            c.insert("tty".into(), json!(o.tty));
            profile_container(c, o.profile);
            container_name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        }
    }
    // What the profile keeps of the original.
    let keep = |f: &str| p.bool(f);
    if o.profile == "legacy" || !keep("keep-labels") {
        if let Some(m) = meta.as_object_mut() {
            m.remove("labels");
        }
    }
    if o.profile != "legacy" {
        if !keep("keep-annotations") {
            if let Some(m) = meta.as_object_mut() {
                m.remove("annotations");
            }
        }
        for (flag_name, probe) in [("keep-liveness", "livenessProbe"), ("keep-readiness", "readinessProbe"), ("keep-startup", "startupProbe")] {
            if !keep(flag_name) {
                for c in spec["containers"].as_array_mut().into_iter().flatten() {
                    if let Some(m) = c.as_object_mut() {
                        m.remove(probe);
                    }
                }
            }
        }
        if p.has("keep-init-containers") && !keep("keep-init-containers") {
            if let Some(m) = spec.as_object_mut() {
                m.remove("initContainers");
            }
        }
        if spec["shareProcessNamespace"].is_null() {
            spec["shareProcessNamespace"] = json!(true);
        }
    }
    let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
    let created = send_ok(api, &Request::post(&format!("/api/v1/namespaces/{ns}/pods", ns = super::paths::segment(ns)), body))?;
    if p.bool("replace") {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        send_ok(api, &Request::delete(&format!("/api/v1/namespaces/{ns}/pods/{name}?gracePeriodSeconds=0", ns = super::paths::segment(ns), name = super::paths::segment(name))))?;
    }
    if o.attach && !container_name.is_empty() {
        attach(k, api, ns, &created, &container_name, o, out)?;
    }
    Ok(())
}

fn on_node(k: &mut Kubectl, api: &mut dyn Transport, ns: &str, node: &Value, o: &Opts, out: &mut Output) -> Result<(), Failure> {
    let node_name = node["metadata"]["name"].as_str().unwrap_or_default();
    let pod_name = format!("node-debugger-{node_name}-{}", suffix(&format!("{}{}", node["metadata"]["uid"].as_str().unwrap_or_default(), api.now().unix_millis()), 0));
    let container = if o.container.is_empty() { "debugger" } else { o.container };
    let mut c = new_container(container, o);
    let mut spec = json!({"nodeName": node_name, "restartPolicy": "Never", "tolerations": [{"operator": "Exists"}]});
    let host_namespaces = matches!(o.profile, "legacy" | "general" | "netadmin" | "sysadmin");
    let host_root = matches!(o.profile, "legacy" | "general" | "sysadmin");
    if host_root {
        c.insert("volumeMounts".into(), json!([{"name": "host-root", "mountPath": "/host"}]));
        spec["volumes"] = json!([{"name": "host-root", "hostPath": {"path": "/"}}]);
    }
    if host_namespaces {
        spec["hostIPC"] = json!(true);
        spec["hostNetwork"] = json!(true);
        spec["hostPID"] = json!(true);
    }
    if o.profile != "legacy" {
        profile_container(&mut c, o.profile);
        if o.profile == "general" {
            c.remove("securityContext");
        }
    }
    spec["containers"] = json!([Value::Object(c)]);
    if !o.quiet {
        out.out(format!("Creating debugging pod {pod_name} with container {container} on node {node_name}.\n"));
    }
    let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod_name}, "spec": spec});
    let created = send_ok(api, &Request::post(&format!("/api/v1/namespaces/{ns}/pods", ns = super::paths::segment(ns)), body))?;
    if o.attach {
        attach(k, api, ns, &created, container, o, out)?;
    }
    Ok(())
}

/// `-i`: waits for the container to run, then opens its shell in the terminal (or, when it
/// has already ended, prints its logs).
fn attach(k: &mut Kubectl, api: &mut dyn Transport, ns: &str, pod: &Value, container: &str, o: &Opts, out: &mut Output) -> Result<(), Failure> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let path = format!("/api/v1/namespaces/{ns}/pods/{pod_name}", ns = super::paths::segment(ns), pod_name = super::paths::segment(&pod_name));
    let mut state = Value::Null;
    for _ in 0..ATTACH_WAIT_SECONDS {
        let now = get_object(api, &path)?;
        let status = ["initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"]
            .iter()
            .flat_map(|l| now["status"][*l].as_array().cloned().unwrap_or_default())
            .find(|s| s["name"] == container);
        state = status.map(|s| s["state"].clone()).unwrap_or(Value::Null);
        if state.get("running").is_some() || state.get("terminated").is_some() {
            break;
        }
        if let Some(m) = state["waiting"]["message"].as_str().filter(|m| !m.is_empty() && !o.quiet) {
            out.err(format!("Warning: container {container}: {m}\n"));
        }
        api.sleep(Duration::from_secs(1));
    }
    let logs = |api: &mut dyn Transport, out: &mut Output| {
        let resp = api.send(&Request::get(&format!("{path}/log?container={container}")));
        if resp.status == 200 {
            out.out(String::from_utf8_lossy(&resp.body_bytes()).into_owned());
        }
    };
    if state.get("terminated").is_some() {
        logs(api, out);
        return Ok(());
    }
    if !o.quiet {
        out.err("If you don't see a command prompt, try pressing enter.\n");
    }
    let spec = ["initContainers", "containers", "ephemeralContainers"].iter().flat_map(|l| pod["spec"][*l].as_array().cloned().unwrap_or_default()).find(|c| c["name"] == container).unwrap_or_default();
    let command: Vec<String> = spec["command"].as_array().into_iter().flatten().chain(spec["args"].as_array().into_iter().flatten()).filter_map(|w| w.as_str().map(str::to_string)).collect();
    let shell = match command.as_slice() {
        [] => Some("sh".to_string()),
        [one] if matches!(one.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash")) => Some(one.clone()),
        _ => None,
    };
    match shell {
        Some(sh) if o.tty => {
            let session = super::exec::Session::open(api, ns, &pod_name, container, &sh)?;
            k.launched = Some(Box::new(session));
        }
        _ => logs(api, out),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_five_characters_of_kubectls_alphabet() {
        let s = suffix("uid-1", 0);
        assert_eq!(s.len(), 5);
        assert!(s.bytes().all(|b| ALPHABET.contains(&b)), "{s}");
        assert_eq!(s, suffix("uid-1", 0));
        assert_ne!(s, suffix("uid-1", 1));
    }

    #[test]
    fn references_are_checked_as_docker_parses_them() {
        assert!(valid_reference("busybox"));
        assert!(valid_reference("busybox:1.36"));
        assert!(valid_reference("registry.k8s.io/e2e-test-images/agnhost:2.53"));
        assert!(valid_reference("localhost:5000/app@sha256:abc"));
        assert!(!valid_reference("BusyBox"));
        assert!(!valid_reference("busybox:"));
        assert!(!valid_reference("a b"));
    }
}
