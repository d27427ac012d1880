//! `kubectl apply --prune`: once every object is applied, the objects of the allow-listed kinds
//! that match the selector, were applied before (they carry the last-applied-configuration
//! annotation) and were not applied this time are deleted, one `KIND/NAME pruned` line each.
//! Namespaced kinds are looked for in the namespaces the apply visited, the others across the
//! cluster.

use std::collections::HashSet;

use serde_json::Value;

use super::args::Parsed;
use super::discovery::Resource;
use super::{Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

/// kubectl's allow-list when `--prune-allowlist` is not given: group, version, kind, namespaced.
const DEFAULT_ALLOWLIST: &[(&str, &str, &str, bool)] = &[
    ("", "v1", "ConfigMap", true),
    ("", "v1", "Endpoints", true),
    ("", "v1", "Namespace", false),
    ("", "v1", "PersistentVolumeClaim", true),
    ("", "v1", "PersistentVolume", false),
    ("", "v1", "Pod", true),
    ("", "v1", "ReplicationController", true),
    ("", "v1", "Secret", true),
    ("", "v1", "Service", true),
    ("batch", "v1", "Job", true),
    ("batch", "v1", "CronJob", true),
    ("networking.k8s.io", "v1", "Ingress", true),
    ("apps", "v1", "DaemonSet", true),
    ("apps", "v1", "Deployment", true),
    ("apps", "v1", "ReplicaSet", true),
    ("apps", "v1", "StatefulSet", true),
];

/// What `--prune` will look through, settled before anything is applied.
pub(super) struct Plan {
    kinds: Vec<Resource>,
    /// Whether the allow-list is kubectl's own (it then warns that cluster-wide kinds will stop
    /// being pruned by default).
    default_list: bool,
}

/// The objects this apply touched.
#[derive(Default)]
pub(super) struct Visited {
    pub uids: HashSet<String>,
    /// In the order first seen (kubectl keeps a set; with one namespace the order is moot).
    pub namespaces: Vec<String>,
}

impl Visited {
    pub fn mark(&mut self, r: &Resource, ns: &str, obj: &Value) {
        if r.namespaced && !self.namespaces.iter().any(|n| n == ns) {
            self.namespaces.push(ns.to_string());
        }
        if let Some(uid) = obj["metadata"]["uid"].as_str() {
            self.uids.insert(uid.to_string());
        }
    }
}

fn resource_for(k: &mut Kubectl, api: &mut dyn Transport, group: &str, version: &str, kind: &str) -> Result<Resource, Failure> {
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    k.by_kind(api, &gv, kind).ok_or_else(|| Failure::client(format!("no matches for kind {kind:?} in version {gv:?}")))
}

/// Checks `--prune` and its companions in kubectl's order; `None` when there is nothing to prune.
pub(super) fn plan(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed) -> Result<Option<Plan>, Failure> {
    if !p.bool("prune") {
        return Ok(None);
    }
    // `group/version/kind`, `core` standing for the core group.
    let mut kinds = Vec::new();
    let given = p.values("prune-allowlist");
    for gvk in &given {
        let parts: Vec<&str> = gvk.split('/').collect();
        let [group, version, kind] = parts[..] else {
            return Err(Failure::client(format!("invalid GroupVersionKind format: {gvk}, please follow <group/version/kind>")));
        };
        let group = if group == "core" { "" } else { group };
        kinds.push(resource_for(k, api, group, version, kind)?);
    }
    if p.bool("force") {
        return Err(Failure::client("--force cannot be used with --prune"));
    }
    if !p.bool("all") && p.value("selector").is_none() {
        return Err(Failure::client(
            "all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector",
        ));
    }
    if p.bool("server-side") {
        return Err(Failure::client("--prune is in alpha and doesn't currently work on objects created by server-side apply"));
    }
    let default_list = given.is_empty();
    if default_list {
        // Namespaced kinds first, then the cluster-wide ones, each in the list's order.
        for namespaced in [true, false] {
            for (g, v, kind, _) in DEFAULT_ALLOWLIST.iter().filter(|e| e.3 == namespaced) {
                kinds.push(resource_for(k, api, g, v, kind)?);
            }
        }
    }
    Ok(Some(Plan { kinds, default_list }))
}

/// Deletes what the apply left behind and says so.
pub(super) fn run(plan: &Plan, api: &mut dyn Transport, p: &Parsed, visited: &Visited, out: &mut Output) -> Result<(), Failure> {
    if plan.default_list {
        out.err(format!(
            "{}Deprecated: kubectl apply will no longer prune non-namespaced resources by default when used with the --namespace flag in a future release. To preserve the current behaviour, list the resources you want to target explicitly in the --prune-allowlist flag.\n",
            super::errors::klog_header('W', api.now(), super::errors::pid_at(api.now()), "prune.go:71")
        ));
    }
    let dry = p.value("dry-run").unwrap_or("none");
    let suffix = super::commands::dry_run_suffix(dry);
    let selector = p.value("selector").map(|s| format!("?labelSelector={}", super::get::encode(s))).unwrap_or_default();
    // Namespace by namespace through the namespaced kinds, then the cluster-wide kinds.
    let mut scopes: Vec<(&Resource, Option<&str>)> = Vec::new();
    for ns in &visited.namespaces {
        scopes.extend(plan.kinds.iter().filter(|r| r.namespaced).map(|r| (r, Some(ns.as_str()))));
    }
    scopes.extend(plan.kinds.iter().filter(|r| !r.namespaced).map(|r| (r, None)));
    for (r, ns) in scopes {
        let list = super::send_ok(api, &Request::get(&format!("{}{selector}", r.path(ns))))
            .map_err(|f| Failure::client(format!("error pruning {} object {}/{}, Kind={}: {}", if r.namespaced { "namespaced" } else { "nonNamespaced" }, r.group, r.version, r.kind, failure_text(&f))))?;
        for obj in list["items"].as_array().into_iter().flatten() {
            let meta = &obj["metadata"];
            if meta["annotations"][super::commands::LAST_APPLIED].is_null() {
                continue;
            }
            if meta["uid"].as_str().is_some_and(|u| visited.uids.contains(u)) {
                continue;
            }
            let name = meta["name"].as_str().unwrap_or_default();
            let obj_ns = meta["namespace"].as_str();
            if dry != "client" {
                let mut path = format!("{}?propagationPolicy={}", r.object_path(obj_ns.or(ns), name), propagation(p));
                if let Some(g) = p.value("grace-period").and_then(|g| g.parse::<i64>().ok()).filter(|g| *g >= 0) {
                    path.push_str(&format!("&gracePeriodSeconds={g}"));
                }
                if dry == "server" {
                    path.push_str("&dryRun=All");
                }
                super::send_ok(api, &Request::delete(&path))?;
            }
            match p.value("output") {
                Some("name") => out.out(format!("{}/{name}\n", r.kind_group())),
                _ => out.out(format!("{}/{name} pruned{suffix}\n", r.kind_group())),
            }
        }
    }
    Ok(())
}

fn propagation(p: &Parsed) -> &'static str {
    match p.value("cascade") {
        Some("orphan" | "false") => "Orphan",
        Some("foreground") => "Foreground",
        _ => "Background",
    }
}

fn failure_text(f: &Failure) -> String {
    match f {
        Failure::Server(status) => status["message"].as_str().unwrap_or_default().to_string(),
        Failure::Client(m) | Failure::Raw(m) | Failure::RawWithCode(m, _) => m.clone(),
        Failure::Exit(_) => String::new(),
    }
}
