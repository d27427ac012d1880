//! Tab completion: what the terminal offers for the word under the cursor — commands,
//! subcommands, flags, flag values (namespaces, contexts, output formats), resource types and
//! the names of objects, read from the cluster through the same door.

use crate::sort::Order;
use serde_json::Value;

use super::{Kubectl, Transport};
use crate::apiserver::Request;

const COMMANDS: &[&str] = &[
    "annotate", "api-resources", "api-versions", "apply", "cordon", "create", "delete", "describe", "drain", "exec", "expose", "get", "label", "logs", "patch", "replace", "rollout", "run",
    "scale", "set", "taint", "uncordon", "version", "wait", "config", "kustomize", "auth", "events", "top", "diff", "edit",
];

const CREATE: &[&str] = &["configmap", "cronjob", "deployment", "job", "namespace", "poddisruptionbudget", "priorityclass", "quota", "role", "rolebinding", "clusterrole", "clusterrolebinding", "secret", "service", "serviceaccount"];
const ROLLOUT: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];
const CONFIG: &[&str] = &["current-context", "get-contexts", "set-context", "use-context"];
const OUTPUTS: &[&str] = &["custom-columns=", "go-template=", "json", "jsonpath=", "name", "wide", "yaml"];

/// Commands whose next word is a resource type, then names of that type.
const TYPED: &[&str] = &["get", "describe", "delete", "edit", "label", "annotate", "scale", "patch", "expose", "wait", "rollout"];

fn flags_of(cmd: &str) -> &'static [super::args::Flag] {
    match cmd {
        "get" => super::get::FLAGS,
        "logs" => super::logs::FLAGS,
        "exec" => super::exec::FLAGS,
        "describe" => super::describe::FLAGS,
        "rollout" => super::rollout::FLAGS,
        "drain" => super::drain::FLAGS,
        "run" => super::generators::RUN_FLAGS,
        "create" | "apply" | "replace" | "diff" => super::commands::FILE_FLAGS,
        "patch" => super::edit::PATCH_FLAGS,
        "set" => super::edit::SET_FLAGS,
        "taint" => super::edit::TAINT_FLAGS,
        "expose" => super::more::EXPOSE_FLAGS,
        "wait" => super::more::WAIT_FLAGS,
        "api-resources" => super::more::API_RESOURCES_FLAGS,
        "explain" => super::explain::FLAGS,
        "debug" => super::debug::FLAGS,
        "cp" => super::cp::FLAGS,
        _ => &[],
    }
}

fn names(api: &mut dyn Transport, path: &str) -> Vec<String> {
    let list = api.send(&Request::get(path)).into_value().unwrap_or(Value::Null);
    list["items"].as_array().into_iter().flatten().filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string)).collect()
}

impl Kubectl {
    /// The kube-ps1 style prompt: `(⎈|kind-kind:default)`.
    pub fn prompt(&self) -> String {
        format!("(⎈|{}:{})", self.config.current, self.config.namespace())
    }

    /// Candidates for the last word of `line` (a new word when `line` ends with a space),
    /// sorted; each is the whole word.
    pub fn complete(&mut self, api: &mut dyn Transport, line: &str) -> Vec<String> {
        let mut words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if words.first().is_some_and(|w| w == "kubectl" || w == "k") {
            words.remove(0);
        }
        let partial = if line.ends_with(char::is_whitespace) || words.is_empty() { String::new() } else { words.pop().unwrap_or_default() };
        let ns = words
            .windows(2)
            .find(|w| w[0] == "-n" || w[0] == "--namespace")
            .map(|w| w[1].clone())
            .or_else(|| words.iter().find_map(|w| w.strip_prefix("--namespace=").map(str::to_string)))
            .unwrap_or_else(|| self.config.namespace().to_string());
        // Positional words so far (flags and their values left out).
        let mut positional: Vec<&str> = Vec::new();
        let mut skip = false;
        for w in &words {
            if skip {
                skip = false;
                continue;
            }
            if w.starts_with('-') {
                skip = matches!(w.as_str(), "-n" | "--namespace" | "-o" | "--output" | "-l" | "--selector" | "-c" | "--container" | "--context" | "-f" | "--filename");
                continue;
            }
            positional.push(w);
        }
        let previous = words.last().map(String::as_str).unwrap_or_default();
        let mut out: Vec<String> = match previous {
            "-n" | "--namespace" => names(api, "/api/v1/namespaces"),
            "-o" | "--output" => OUTPUTS.iter().map(|s| s.to_string()).collect(),
            "--context" => self.config.contexts.iter().map(|c| c.name.clone()).collect(),
            "-f" | "--filename" => self.files.paths().map(str::to_string).collect(),
            _ if partial.starts_with("--") || partial == "-" => {
                let cmd = positional.first().copied().unwrap_or_default();
                let extra: &[super::args::Flag] = if cmd == "create" { super::generators::CREATE_FLAGS } else { &[] };
                flags_of(cmd).iter().chain(extra).chain(super::args::GLOBAL).map(|f| format!("--{}", f.name)).collect()
            }
            _ => self.positional(api, &positional, &partial, &ns),
        };
        out.retain(|c| c.starts_with(&partial));
        out.order();
        out.dedup();
        out
    }

    fn positional(&mut self, api: &mut dyn Transport, positional: &[&str], partial: &str, ns: &str) -> Vec<String> {
        let cmd = positional.first().copied();
        match (cmd, positional.len()) {
            (None, _) => COMMANDS.iter().map(|s| s.to_string()).collect(),
            (Some("create"), 1) => CREATE.iter().map(|s| s.to_string()).collect(),
            (Some("config"), 1) => CONFIG.iter().map(|s| s.to_string()).collect(),
            (Some("config"), 2) if positional[1] == "use-context" => self.config.contexts.iter().map(|c| c.name.clone()).collect(),
            (Some("set"), 1) => vec!["image".into()],
            (Some("rollout"), 1) => ROLLOUT.iter().map(|s| s.to_string()).collect(),
            (Some("logs" | "exec"), 1) => names(api, &format!("/api/v1/namespaces/{ns}/pods", ns = super::paths::segment(ns))),
            (Some("cordon" | "uncordon" | "drain"), _) => names(api, "/api/v1/nodes"),
            (Some("taint"), 1) => vec!["nodes".into()],
            (Some("taint"), 2) => names(api, "/api/v1/nodes"),
            (Some(c), n) if TYPED.contains(&c) => {
                let type_pos = if c == "rollout" { 2 } else { 1 };
                let d = self.discovery(api).clone();
                if n == type_pos {
                    // `TYPE/NAME` while typing the name.
                    if let Some((t, _)) = partial.split_once('/') {
                        return match d.resolve(t) {
                            Some(r) => names(api, &r.path(Some(ns))).into_iter().map(|n| format!("{t}/{n}")).collect(),
                            None => Vec::new(),
                        };
                    }
                    let mut types: Vec<String> = d.resources.iter().filter(|r| r.preferred && r.supports("list")).map(|r| r.name.clone()).collect();
                    if c == "rollout" {
                        types = vec!["daemonsets".into(), "deployments".into(), "statefulsets".into()];
                    }
                    types
                } else if n > type_pos {
                    match d.resolve(positional[type_pos]) {
                        Some(r) => names(api, &r.path(Some(ns))),
                        None => Vec::new(),
                    }
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kubectl::Kubectl;
    use crate::{Cluster, Timestamp};

    #[test]
    fn completion_offers_what_fits_the_word() {
        let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap_or_default()).expect("boots");
        let mut k = Kubectl::new("kind-kind");
        assert_eq!(k.prompt(), "(⎈|kind-kind:default)");
        assert_eq!(k.complete(&mut c, "kubectl ge"), ["get"]);
        assert!(k.complete(&mut c, "kubectl get ").contains(&"deployments".to_string()));
        assert_eq!(k.complete(&mut c, "kubectl get nodes kind-w"), ["kind-worker", "kind-worker2"]);
        assert_eq!(k.complete(&mut c, "kubectl get node/kind-c"), ["node/kind-control-plane"]);
        assert!(k.complete(&mut c, "kubectl get pods -n kube-s").contains(&"kube-system".to_string()));
        assert_eq!(k.complete(&mut c, "kubectl get pods -o ya"), ["yaml"]);
        assert!(k.complete(&mut c, "kubectl get pods --show-l").contains(&"--show-labels".to_string()));
        assert!(k.complete(&mut c, "kubectl logs -n kube-system etcd").contains(&"etcd-kind-control-plane".to_string()));
        assert_eq!(k.complete(&mut c, "kubectl rollout st"), ["status"]);
        assert_eq!(k.complete(&mut c, "kubectl cordon kind-control"), ["kind-control-plane"]);
        assert_eq!(k.complete(&mut c, "kubectl create deployment web --ima"), ["--image"]);
    }
}
