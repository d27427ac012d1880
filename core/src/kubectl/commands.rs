//! kubectl's command tree: which words name which command, its flags, and the commands that
//! are small enough to live here (version, create/apply/delete from files, label, annotate,
//! scale, cordon, uncordon, api-versions, config).

use crate::sort::Order;
use serde_json::{json, Value};

use super::args::{self, flag, Flag, Parsed, Takes};
use super::errors::with_source;
use super::manifests::{self, Manifest};
use super::{get, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

/// kubectl's commands in the order it registers them (its suggestions follow this order).
const COMMANDS: &[&str] = &[
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale", "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint", "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug", "events", "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate", "completion", "api-resources", "api-versions", "config", "plugin", "version",
];

pub(crate) const FILE_FLAGS: &[Flag] = &[
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("kustomize", Some('k'), Takes::Value),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("validate", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
    flag("save-config", None, Takes::Bool),
    flag("selector", Some('l'), Takes::Value),
    flag("edit", None, Takes::Bool),
    flag("windows-line-endings", None, Takes::Bool),
    flag("raw", None, Takes::Value),
    flag("show-managed-fields", None, Takes::Bool),
    flag("template", None, Takes::Value),
    flag("allow-missing-template-keys", None, Takes::Bool),
    flag("server-side", None, Takes::Bool),
    flag("force-conflicts", None, Takes::Bool),
    flag("overwrite", None, Takes::Bool),
    flag("prune", None, Takes::Bool),
    flag("all", None, Takes::Bool),
    flag("prune-allowlist", None, Takes::Values),
    flag("force", None, Takes::Bool),
    flag("grace-period", None, Takes::Value),
    flag("timeout", None, Takes::Value),
    flag("wait", None, Takes::Bool),
    flag("cascade", None, Takes::Value),
    flag("openapi-patch", None, Takes::Bool),
];

const DELETE_FLAGS: &[Flag] = &[
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("kustomize", Some('k'), Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("field-selector", None, Takes::Value),
    flag("all", None, Takes::Bool),
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("ignore-not-found", None, Takes::Bool),
    flag("now", None, Takes::Bool),
    flag("force", None, Takes::Bool),
    flag("grace-period", None, Takes::Value),
    flag("timeout", None, Takes::Value),
    flag("wait", None, Takes::Bool),
    flag("cascade", None, Takes::Value),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("raw", None, Takes::Value),
    flag("interactive", Some('i'), Takes::Bool),
];

const META_FLAGS: &[Flag] = &[
    flag("overwrite", None, Takes::Bool),
    flag("all", None, Takes::Bool),
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("selector", Some('l'), Takes::Value),
    flag("field-selector", None, Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("kustomize", Some('k'), Takes::Value),
    flag("local", None, Takes::Bool),
    flag("list", None, Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("resource-version", None, Takes::Value),
    flag("field-manager", None, Takes::Value),
];

const SCALE_FLAGS: &[Flag] = &[
    flag("replicas", None, Takes::Value),
    flag("current-replicas", None, Takes::Value),
    flag("resource-version", None, Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("all", None, Takes::Bool),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("output", Some('o'), Takes::Value),
    flag("dry-run", None, Takes::Value),
    flag("timeout", None, Takes::Value),
];

const NODE_FLAGS: &[Flag] = &[flag("selector", Some('l'), Takes::Value), flag("dry-run", None, Takes::Value)];

const VERSION_FLAGS: &[Flag] = &[flag("client", None, Takes::Bool), flag("output", Some('o'), Takes::Value)];

const CONFIG_FLAGS: &[Flag] = &[
    flag("current", None, Takes::Bool),
    flag("namespace", None, Takes::Value),
    flag("output", Some('o'), Takes::Value),
    flag("no-headers", None, Takes::Bool),
    flag("minify", None, Takes::Bool),
    flag("raw", None, Takes::Bool),
    flag("flatten", None, Takes::Bool),
    flag("token", None, Takes::Value),
    flag("username", None, Takes::Value),
    flag("password", None, Takes::Value),
    flag("client-certificate", None, Takes::Value),
    flag("client-key", None, Takes::Value),
    flag("embed-certs", None, Takes::Bool),
];

/// Levenshtein distance, as cobra's suggestions use it (case-insensitive).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn unknown_command(word: &str) -> Failure {
    let suggestions: Vec<&str> = COMMANDS.iter().copied().filter(|c| distance(word, c) <= 2 || c.starts_with(&word.to_lowercase())).collect();
    let mut msg = format!("error: unknown command {word:?} for \"kubectl\"\n");
    if !suggestions.is_empty() {
        msg.push_str("\nDid you mean this?\n");
        for s in suggestions {
            msg.push_str(&format!("\t{s}\n"));
        }
    }
    Failure::Raw(msg)
}

fn flag_error(cmd: &str, e: &args::FlagError) -> Failure {
    Failure::Raw(format!("error: {e}\nSee 'kubectl {cmd} --help' for usage.\n"))
}

/// Runs one command given its words (without `kubectl`).
pub fn dispatch(k: &mut Kubectl, api: &mut dyn Transport, words: &[String], stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    // The command is the first word that is not a flag (global flags may come first).
    let first = args::parse(words, &[]).ok().and_then(|p| p.args.first().cloned());
    let Some(cmd) = first.or_else(|| words.iter().find(|w| !w.starts_with('-')).cloned()) else {
        super::help::top(out);
        return Ok(());
    };
    let create_flags: Vec<Flag> = FILE_FLAGS.iter().chain(super::generators::CREATE_FLAGS).copied().collect();
    let flags: &[Flag] = match cmd.as_str() {
        "help" => {
            let p = args::parse(words, &[]).map_err(|e| flag_error(&cmd, &e))?;
            return match p.args.get(1) {
                Some(topic) if super::help::is_command(topic) => dispatch(k, api, &[topic.clone(), "--help".to_string()], stdin, out),
                Some(topic) => {
                    super::help::unknown_topic(topic, out);
                    Ok(())
                }
                None => {
                    super::help::top(out);
                    Ok(())
                }
            };
        }
        "get" => get::FLAGS,
        "create" => &create_flags,
        "run" => super::generators::RUN_FLAGS,
        "apply" | "replace" => FILE_FLAGS,
        "api-resources" => super::more::API_RESOURCES_FLAGS,
        "expose" => super::more::EXPOSE_FLAGS,
        "wait" => super::more::WAIT_FLAGS,
        "describe" => super::describe::FLAGS,
        "exec" => super::exec::FLAGS,
        "port-forward" => super::portforward::FLAGS,
        "diff" => &[
            flag("filename", Some('f'), Takes::Values),
            flag("kustomize", Some('k'), Takes::Value),
            flag("recursive", Some('R'), Takes::Bool),
            flag("server-side", None, Takes::Bool),
            flag("force-conflicts", None, Takes::Bool),
            flag("field-manager", None, Takes::Value),
            flag("prune", None, Takes::Bool),
            flag("selector", Some('l'), Takes::Value),
            flag("show-managed-fields", None, Takes::Bool),
            flag("concurrency", None, Takes::Value),
        ],
        "edit" => &[
            flag("output", Some('o'), Takes::Value),
            flag("filename", Some('f'), Takes::Values),
            flag("save-config", None, Takes::Bool),
            flag("validate", None, Takes::Value),
            flag("windows-line-endings", None, Takes::Bool),
            flag("show-managed-fields", None, Takes::Bool),
            flag("field-manager", None, Takes::Value),
            flag("output-patch", None, Takes::Bool),
            flag("subresource", None, Takes::Value),
        ],
        "auth" => super::more::AUTH_FLAGS,
        "autoscale" => super::more::AUTOSCALE_FLAGS,
        "events" => super::more::EVENTS_FLAGS,
        "top" => super::top::FLAGS,
        "delete" => DELETE_FLAGS,
        "label" | "annotate" => META_FLAGS,
        "patch" => super::edit::PATCH_FLAGS,
        "set" => super::edit::SET_FLAGS,
        "taint" => super::edit::TAINT_FLAGS,
        "rollout" => super::rollout::FLAGS,
        "logs" => super::logs::FLAGS,
        "drain" => super::drain::FLAGS,
        "scale" => SCALE_FLAGS,
        "cordon" | "uncordon" => NODE_FLAGS,
        "version" => VERSION_FLAGS,
        "config" => CONFIG_FLAGS,
        "api-versions" | "cluster-info" => &[],
        "explain" => super::explain::FLAGS,
        "debug" => super::debug::FLAGS,
        "cp" => super::cp::FLAGS,
        "kustomize" => &[flag("output", Some('o'), Takes::Value), flag("enable-helm", None, Takes::Bool), flag("load-restrictor", None, Takes::Value)],
        c if COMMANDS.contains(&c) => return Err(Failure::client(format!("\"kubectl {c}\" is not available in Hakoniwa yet"))),
        other => return Err(unknown_command(other)),
    };
    let p = args::parse(words, flags).map_err(|e| flag_error(&cmd, &e))?;
    if p.bool("help") && super::help::command(&cmd, flags, out) {
        return Ok(());
    }
    // --as and --as-group: every request impersonates that user (the server decides whether
    // the kubeconfig's user may).
    let as_user = p.value("as").filter(|u| !u.is_empty()).map(str::to_string);
    let as_groups = p.list("as-group");
    if as_user.is_none() && !as_groups.is_empty() && reads_kubeconfig_context(&cmd, &p) {
        let auth_info = k.config.current_context().map_or_else(String::new, |c| c.user.clone());
        return Err(Failure::client(format!("requesting uid, groups or user-extra for {auth_info} without impersonating a user")));
    }
    if let Some(user) = as_user {
        let mut as_them = WithHeaders::impersonating(api, &user, &as_groups);
        return dispatch_parsed(k, &mut as_them, &cmd, &p, stdin, out);
    }
    dispatch_parsed(k, api, &cmd, &p, stdin, out)
}

/// The transport with `Impersonate-User` / `Impersonate-Group` on every request.
/// A transport that puts headers on every request (replacing any of the same names): the
/// impersonation headers of `--as`/`--as-group`, a kubeconfig user's bearer token.
pub(crate) struct WithHeaders<'a> {
    pub inner: &'a mut dyn Transport,
    pub headers: Vec<(String, String)>,
}

impl<'a> WithHeaders<'a> {
    /// Requests as `user` in `groups` (Impersonate-User, Impersonate-Group).
    pub(crate) fn impersonating(inner: &'a mut dyn Transport, user: &str, groups: &[String]) -> Self {
        let mut headers = vec![("impersonate-user".to_string(), user.to_string())];
        headers.extend(groups.iter().map(|g| ("impersonate-group".to_string(), g.clone())));
        WithHeaders { inner, headers }
    }
}

impl Transport for WithHeaders<'_> {
    fn send(&mut self, req: &crate::apiserver::Request) -> crate::apiserver::Response {
        let mut req = req.clone();
        req.headers.retain(|(k, _)| !self.headers.iter().any(|(h, _)| h == k));
        req.headers.extend(self.headers.iter().cloned());
        self.inner.send(&req)
    }
    fn sleep(&mut self, by: crate::sim::clock::Duration) {
        self.inner.sleep(by);
    }
    fn now(&self) -> crate::sim::clock::Timestamp {
        self.inner.now()
    }
    fn next_wake(&self) -> Option<crate::sim::clock::Timestamp> {
        self.inner.next_wake()
    }
    fn exec(&mut self, namespace: &str, pod: &str, container: &str, argv: &[String], tty: bool) -> Result<(String, i64), String> {
        self.inner.exec(namespace, pod, container, argv, tty)
    }
    fn http(&mut self, ip: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, crate::network::tools::ConnError> {
        self.inner.http(ip, port, req)
    }
    fn forward(&mut self, pod_uid: &str, port: i64, req: &crate::network::http::Request) -> Result<crate::network::http::Served, String> {
        self.inner.forward(pod_uid, port, req)
    }
}

fn dispatch_parsed(k: &mut Kubectl, api: &mut dyn Transport, cmd: &str, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    let context = p.value("context").filter(|c| !c.is_empty()).map(str::to_string);
    match context {
        Some(ctx) if reads_kubeconfig_context(cmd, p) => {
            if k.config.context(&ctx).is_none() {
                return Err(unknown_context(cmd, p, &ctx));
            }
            // The command runs as if that context were the current one (its namespace, its
            // user's credentials).
            let saved = std::mem::replace(&mut k.config.current, ctx);
            let result = run_as_context_user(k, api, cmd, p, stdin, out);
            k.config.current = saved;
            result
        }
        _ if reads_kubeconfig_context(cmd, p) => run_as_context_user(k, api, cmd, p, stdin, out),
        _ => run_command(k, api, cmd, p, stdin, out),
    }
}

/// Runs the command with the current context's user's bearer token on every request, when
/// the user has one (the cluster's own users present client certificates: nothing to add).
fn run_as_context_user(k: &mut Kubectl, api: &mut dyn Transport, cmd: &str, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    match k.config.current_token().map(str::to_string) {
        Some(token) => run_command(k, &mut WithHeaders { inner: api, headers: vec![("authorization".into(), format!("Bearer {token}"))] }, cmd, p, stdin, out),
        None => run_command(k, api, cmd, p, stdin, out),
    }
}


/// Whether the command talks to a cluster through the kubeconfig's context (`config`,
/// `kustomize` and `version --client` do not).
fn reads_kubeconfig_context(cmd: &str, p: &Parsed) -> bool {
    match cmd {
        "config" | "kustomize" | "completion" => false,
        "version" => !p.bool("client"),
        _ => true,
    }
}

/// What kubectl says when `--context` names no context of the kubeconfig. Commands whose first
/// step is the namespace (no `-n` given) fail in client-go's validation of the merged config;
/// the others when they build the client.
fn unknown_context(cmd: &str, p: &Parsed, ctx: &str) -> Failure {
    let namespace_first = match cmd {
        "get" => !p.has("raw"),
        "top" => !matches!(p.args.get(1).map(String::as_str), Some("node" | "nodes" | "no")),
        "delete" | "describe" | "logs" | "label" | "annotate" | "scale" | "edit" | "patch" | "exec" | "rollout" | "events" | "set" | "taint" | "port-forward" | "attach" | "debug" | "cp" => true,
        _ => false,
    };
    if namespace_first && !p.has("namespace") {
        return Failure::Raw(format!("Error in configuration: context was not found for specified context: {ctx}\n"));
    }
    let message = format!("error: context {ctx:?} does not exist\n");
    // `kubectl diff` exits with 2 on errors (1 means "differences found").
    if cmd == "diff" {
        Failure::RawWithCode(message, 2)
    } else {
        Failure::Raw(message)
    }
}

/// Runs `f` as a function of its own: every command's code would otherwise be inlined into
/// `run_command` (each has one caller), and the wasm's first part would hold all of them
/// because one command runs as the page starts. Apart, the commands the page does not run at
/// start load with the second part.
#[inline(never)]
fn apart<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs the command named by `cmd` with its parsed flags.
fn run_command(k: &mut Kubectl, api: &mut dyn Transport, cmd: &str, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    match cmd {
        "get" => apart(|| get::run(k, api, p, out)),
        "version" => apart(|| version(api, p, out)),
        "api-versions" => apart(|| {
            // kubectl api-versions always reads discovery afresh.
            k.invalidate_discovery();
            let d = k.discovery(api);
            let mut text = String::new();
            for gv in &d.group_versions {
                text.push_str(gv);
                text.push('\n');
            }
            out.out(text);
            Ok(())
        }),
        "create" if p.args.len() > 1 => apart(|| super::generators::create(k, api, p, out)),
        "create" => apart(|| create(k, api, p, stdin, out)),
        "run" => apart(|| super::generators::run(k, api, p, out)),
        "apply" => apart(|| apply(k, api, p, stdin, out)),
        "delete" => apart(|| delete(k, api, p, stdin, out)),
        "label" => apart(|| metadata(k, api, p, "labels", "labeled", out)),
        "annotate" => apart(|| metadata(k, api, p, "annotations", "annotated", out)),
        "scale" => apart(|| scale(k, api, p, out)),
        "patch" => apart(|| super::edit::patch(k, api, p, out)),
        "set" => apart(|| super::edit::set(k, api, p, out)),
        "taint" => apart(|| super::edit::taint(k, api, p, out)),
        "rollout" => apart(|| super::rollout::run(k, api, p, out)),
        "logs" => apart(|| super::logs::run(k, api, p, out)),
        "drain" => apart(|| super::drain::run(k, api, p, out)),
        "api-resources" => apart(|| super::more::api_resources(k, api, p, out)),
        "explain" => apart(|| super::explain::run(k, api, p, out)),
        "debug" => apart(|| super::debug::run(k, api, p, out)),
        "cp" => apart(|| super::cp::run(k, api, p, out)),
        "expose" => apart(|| super::more::expose(k, api, p, out)),
        "replace" => apart(|| super::more::replace(k, api, p, stdin, out)),
        "wait" => apart(|| super::more::wait(k, api, p, out)),
        "describe" => apart(|| super::describe::run(k, api, p, out)),
        "exec" => apart(|| super::exec::run(k, api, p, stdin, out)),
        "port-forward" => apart(|| super::portforward::run(k, api, p, out)),
        "edit" => apart(|| super::edit_session::start(k, api, p, out)),
        "diff" => apart(|| super::diff::run(k, api, p, stdin, out)),
        "auth" => apart(|| super::more::auth(k, api, p, out)),
        "autoscale" => apart(|| super::more::autoscale(k, api, p, out)),
        "events" => apart(|| super::more::events(k, api, p, out)),
        // No metrics-server runs in the simulated cluster (yet): what kubectl says then.
        "top" => apart(|| super::top::run(k, api, p, out)),
        "cordon" => apart(|| cordon(k, api, p, true, out)),
        "uncordon" => apart(|| cordon(k, api, p, false, out)),
        "config" => apart(|| config(k, p, out)),
        "cluster-info" => apart(|| cluster_info(k, api, out)),
        "kustomize" => apart(|| {
            let dir = p.args.get(1).map_or(".", String::as_str);
            let built = super::kustomize::build(&k.files, dir).map_err(|e| Failure::client(e.to_string()))?;
            for w in &built.warnings {
                out.err(format!("{w}\n"));
            }
            out.out(super::kustomize::to_stream(&built.objects));
            Ok(())
        }),
        _ => Ok(()),
    }
}

/// `version -o json`: Go's struct order and two-space indentation.
fn version_json(v: &Value) -> String {
    const INFO: &[&str] = &["major", "minor", "emulationMajor", "emulationMinor", "minCompatibilityMajor", "minCompatibilityMinor", "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"];
    let info = |i: &Value| -> String {
        let fields: Vec<String> = INFO.iter().filter_map(|k| i[*k].as_str().map(|x| format!("    {:?}: {}", k, serde_json::to_string(x).unwrap_or_default()))).collect();
        format!("{{\n{}\n  }}", fields.join(",\n"))
    };
    let mut parts = vec![format!("  \"clientVersion\": {}", info(&v["clientVersion"])), format!("  \"kustomizeVersion\": {}", serde_json::to_string(&v["kustomizeVersion"]).unwrap_or_default())];
    if v["serverVersion"].is_object() {
        parts.push(format!("  \"serverVersion\": {}", info(&v["serverVersion"])));
    }
    format!("{{\n{}\n}}", parts.join(",\n"))
}

/// The client's own version facts (kubectl v1.33.1 as released).
fn client_version() -> Value {
    json!({"major": "1", "minor": "33", "gitVersion": "v1.33.1", "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828", "gitTreeState": "clean",
        "buildDate": "2025-05-15T08:27:33Z", "goVersion": "go1.24.2", "compiler": "gc", "platform": "linux/amd64"})
}

fn version(api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let server = if p.bool("client") { None } else { api.send(&Request::get("/version")).into_value() };
    match p.value("output") {
        Some(fmt @ ("json" | "yaml")) => {
            let mut v = json!({"clientVersion": client_version(), "kustomizeVersion": "v5.6.0"});
            if let Some(s) = server {
                v["serverVersion"] = s;
            }
            if fmt == "json" {
                out.out(format!("{}\n", version_json(&v)));
            } else {
                out.out(format!("{}\n", super::printers::to_yaml(&v)));
            }
        }
        Some(other) => return Err(Failure::client(format!("--output must be 'yaml' or 'json', got {other:?}"))),
        None => {
            let mut text = String::from("Client Version: v1.33.1\nKustomize Version: v5.6.0\n");
            if let Some(v) = server {
                text.push_str(&format!("Server Version: {}\n", v["gitVersion"].as_str().unwrap_or_default()));
            }
            out.out(text);
        }
    }
    Ok(())
}

/// The namespace for an object from a file: its own, else `-n`, else the context's; an
/// explicit `-n` that disagrees with the object's is an error.
fn object_namespace(k: &Kubectl, p: &Parsed, obj: &Value) -> Result<String, Failure> {
    let flag_ns = p.value("namespace");
    match (obj["metadata"]["namespace"].as_str().filter(|s| !s.is_empty()), flag_ns) {
        (Some(o), Some(f)) if o != f => Err(Failure::client(format!("the namespace from the provided object {o:?} does not match the namespace {f:?}. You must pass '--namespace={o}' to perform this operation."))),
        (Some(o), _) => Ok(o.to_string()),
        (None, Some(f)) => Ok(f.to_string()),
        (None, None) => Ok(k.config.namespace().to_string()),
    }
}

pub(super) fn read_manifests(k: &Kubectl, p: &Parsed, stdin: Option<&str>) -> Result<Vec<Manifest>, Failure> {
    if let Some(dir) = p.value("kustomize") {
        let built = super::kustomize::build(&k.files, dir).map_err(|e| Failure::client(e.to_string()))?;
        return Ok(built.objects.into_iter().map(|object| Manifest { source: dir.to_string(), object }).collect());
    }
    let paths: Vec<String> = p.values("filename").iter().map(|s| s.to_string()).collect();
    manifests::read(&k.files, &paths, p.bool("recursive"), stdin)
}

/// The resource of a manifest's object, or kubectl's error for an unknown kind.
fn resource_of(k: &mut Kubectl, api: &mut dyn Transport, m: &Manifest) -> Result<super::discovery::Resource, Failure> {
    let av = m.object["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = m.object["kind"].as_str().unwrap_or_default().to_string();
    if av.is_empty() || kind.is_empty() {
        let mut missing = Vec::new();
        if av.is_empty() {
            missing.push("apiVersion not set");
        }
        if kind.is_empty() {
            missing.push("kind not set");
        }
        let joined = if missing.len() == 1 { missing[0].to_string() } else { format!("[{}]", missing.join(", ")) };
        return Err(Failure::client(format!("error validating {:?}: error validating data: {joined}; if you choose to ignore these errors, turn validation off with --validate=false", m.source)));
    }
    k.by_kind(api, &av, &kind).ok_or_else(|| Failure::client(format!("resource mapping not found for name: {:?} namespace: {:?} from {:?}: no matches for kind {kind:?} in version {av:?}\nensure CRDs are installed first", m.object["metadata"]["name"].as_str().unwrap_or_default(), m.object["metadata"]["namespace"].as_str().unwrap_or_default(), m.source)))
}

/// A manifest's resource and namespace; an unknown kind is reported (and counted as a
/// failure) so the command goes on with the next manifest.
pub(super) fn resolve_manifest(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, m: &Manifest, out: &mut Output, failed: &mut bool) -> Result<Option<(super::discovery::Resource, String)>, Failure> {
    match resource_of(k, api, m) {
        Ok(r) => Ok(Some((r, object_namespace(k, p, &m.object)?))),
        // kubectl maps every manifest before it sends anything and reports the ones it
        // could not map when it is done.
        Err(Failure::Client(m)) if m.starts_with("resource mapping not found") => {
            k.unmapped.push(m);
            *failed = true;
            Ok(None)
        }
        Err(e) => {
            e.print(out);
            *failed = true;
            Ok(None)
        }
    }
}

fn create(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    if !p.has("filename") && !p.has("kustomize") {
        return Err(Failure::client("must specify one of -f and -k"));
    }
    let dry = dry_run_value(p)?;
    super::generators::check_output(p)?;
    let ms = read_manifests(k, p, stdin)?;
    let mut failed = false;
    for m in ms {
        let Some((r, ns)) = resolve_manifest(k, api, p, &m, out, &mut failed)? else { continue };
        let mut object = m.object.clone();
        if p.bool("save-config") {
            // What apply would record: the object with the namespace it goes to.
            let applied = last_applied(&with_namespace(&object, r.namespaced, &ns));
            if !object["metadata"]["annotations"].is_object() {
                object["metadata"]["annotations"] = json!({});
            }
            object["metadata"]["annotations"][LAST_APPLIED] = Value::String(applied);
        }
        let name = object["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if dry == "client" {
            // Nothing is sent: the object as read, in the namespace it would go to.
            if r.namespaced {
                object["metadata"]["namespace"] = json!(ns);
            }
            super::generators::print_result(p, &r, &name, &object, "created", " (dry run)", out)?;
            continue;
        }
        let mut path = format!("{}?fieldManager={}&fieldValidation={}", r.path(Some(&ns)), p.value("field-manager").unwrap_or("kubectl-create"), field_validation(p));
        if dry == "server" {
            path.push_str("&dryRun=All");
        }
        let resp = api.send(&Request::post(&path, object));
        let status = resp.status;
        let body = resp.into_value().unwrap_or(Value::Null);
        if status >= 400 {
            Failure::Server(with_source(body, "creating", &m.source)).print(out);
            failed = true;
        } else {
            let created = body["metadata"]["name"].as_str().unwrap_or_default().to_string();
            super::generators::print_result(p, &r, &created, &body, "created", if dry == "server" { " (server dry run)" } else { "" }, out)?;
        }
    }
    if failed {
        return Err(Failure::Exit(1));
    }
    Ok(())
}

/// `--dry-run`: `none` (the default), `server` or `client`, as kubectl checks it before
/// anything else.
pub(super) fn dry_run_value(p: &Parsed) -> Result<&str, Failure> {
    match p.value("dry-run").unwrap_or("none") {
        v @ ("none" | "server" | "client") => Ok(v),
        other => Err(Failure::client(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."))),
    }
}

/// What a write's message ends with in each `--dry-run` mode.
pub(super) fn dry_run_suffix(dry: &str) -> &'static str {
    match dry {
        "client" => " (dry run)",
        "server" => " (server dry run)",
        _ => "",
    }
}

/// `299 - "message"` → `Warning: message`.
pub(super) fn warning_text(h: &str) -> String {
    let msg = h.splitn(3, ' ').nth(2).unwrap_or(h);
    let msg = msg.strip_prefix('"').and_then(|m| m.strip_suffix('"')).map_or_else(|| msg.to_string(), |m| m.replace("\\\"", "\"").replace("\\\\", "\\"));
    format!("Warning: {msg}\n")
}

pub(super) const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The object as client-side apply compares and records it: its annotations present (`{}`
/// when none) and without the last-applied one, as kubectl's unstructured objects are.
pub(super) fn applied_form(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(meta) = o["metadata"].as_object_mut() {
        let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = annotations.as_object_mut() {
            a.remove(LAST_APPLIED);
        } else {
            *annotations = json!({});
        }
    }
    o
}

/// The annotation client-side apply stores: the object's [`applied_form`] (with its
/// namespace, see [`with_namespace`]), compact JSON, keys sorted.
fn last_applied(obj: &Value) -> String {
    format!("{}\n", super::printers::jsonpath::text_of(&applied_form(obj)))
}

/// The object as kubectl sends it: a namespaced object gets the namespace it goes to.
pub(super) fn with_namespace(obj: &Value, namespaced: bool, ns: &str) -> Value {
    let mut o = obj.clone();
    if namespaced && o["metadata"]["namespace"].as_str().is_none_or(str::is_empty) {
        if let Some(meta) = o["metadata"].as_object_mut() {
            meta.insert("namespace".into(), Value::String(ns.to_string()));
        }
    }
    o
}

/// A JSON merge patch from `original` to `modified` (fields removed become null).
pub(super) fn merge_diff(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(o), Value::Object(m)) => {
            let mut patch = serde_json::Map::new();
            for (k, v) in m {
                match o.get(k) {
                    Some(ov) if ov == v => {}
                    Some(ov) if ov.is_object() && v.is_object() => {
                        let d = merge_diff(ov, v);
                        if d.as_object().is_some_and(|x| !x.is_empty()) {
                            patch.insert(k.clone(), d);
                        }
                    }
                    _ => {
                        patch.insert(k.clone(), v.clone());
                    }
                }
            }
            for k in o.keys() {
                if !m.contains_key(k) {
                    patch.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(patch)
        }
        _ => modified.clone(),
    }
}

fn apply(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    if !p.has("filename") && !p.has("kustomize") {
        return Err(Failure::Raw("error: must specify one of -f and -k\n".into()));
    }
    let prune = super::prune::plan(k, api, p);
    if p.bool("all") && p.value("selector").is_some() {
        return Err(Failure::client("cannot set --all and --selector at the same time"));
    }
    let prune = prune?;
    if p.bool("server-side") {
        return super::apply_server::apply(k, api, p, stdin, out);
    }
    if p.bool("force-conflicts") {
        return Err(Failure::client("--force-conflicts only works with --server-side"));
    }
    let mut ms = read_manifests(k, p, stdin)?;
    // `-l` applies only the objects it selects.
    if let Some(sel) = p.value("selector") {
        let selector = crate::api::labels::Selector::parse(sel).map_err(|e| Failure::client(format!("the provided selector {sel:?} is not valid: {e}")))?;
        ms.retain(|m| selector.matches(m.object["metadata"]["labels"].as_object()));
        if ms.is_empty() {
            return Err(Failure::client("no objects passed to apply"));
        }
    }
    let mut visited = super::prune::Visited::default();
    let mut failed = false;
    for m in ms {
        let Some((r, ns)) = resolve_manifest(k, api, p, &m, out, &mut failed)? else { continue };
        let name = m.object["metadata"]["name"].as_str().unwrap_or_default().to_string();
        // apply finds objects by name: one the server would name is refused (the others go on).
        if let Some(g) = m.object["metadata"]["generateName"].as_str().filter(|g| name.is_empty() && !g.is_empty()) {
            Failure::client(format!("from {g}: cannot use generate name with apply")).print(out);
            failed = true;
            continue;
        }
        // What kubectl says when it cannot read the live object (client-go's Info, then the cause).
        let q = crate::api::field::go_quote;
        let retrieving = || {
            format!(
                "error when retrieving current configuration of:\nResource: {}, GroupVersionKind: {}\nName: {}, Namespace: {}\nfrom server for: {}: ",
                q(&format!("{}/{}, Resource={}", r.group, r.version, r.name)),
                q(&format!("{}/{}, Kind={}", r.group, r.version, r.kind)),
                q(&name),
                q(if r.namespaced { &ns } else { "" }),
                q(&m.source)
            )
        };
        if name.is_empty() {
            // client-go refuses to GET an object without a name, before any request.
            Failure::client(format!("{}resource name may not be empty", retrieving())).print(out);
            failed = true;
            continue;
        }
        let object = applied_form(&with_namespace(&m.object, r.namespaced, &ns));
        let applied = last_applied(&object);
        let mut desired = object.clone();
        desired["metadata"]["annotations"][LAST_APPLIED] = Value::String(applied.clone());
        let current = api.send(&Request::get(&r.object_path(Some(&ns), &name)));
        if current.status >= 400 && current.status != 404 {
            let mut status = current.into_value().unwrap_or(Value::Null);
            status["message"] = Value::String(format!("{}{}", retrieving(), status["message"].as_str().unwrap_or_default()));
            Failure::Server(status).print(out);
            failed = true;
            continue;
        }
        let dry = p.value("dry-run").unwrap_or("none").to_string();
        let suffix = dry_run_suffix(&dry);
        let dry_param = if dry == "server" { "&dryRun=All" } else { "" };
        let (status, body, verb) = if current.status == 404 {
            if dry == "client" {
                (200, desired, "created")
            } else {
                let path = format!("{}?fieldManager={}&fieldValidation={}{dry_param}", r.path(Some(&ns)), p.value("field-manager").unwrap_or("kubectl-client-side-apply"), field_validation(p));
                let resp = api.send(&Request::post(&path, desired));
                let s = resp.status;
                (s, resp.into_value().unwrap_or(Value::Null), "created")
            }
        } else {
            let cur = current.into_value().unwrap_or(Value::Null);
            let previous = cur["metadata"]["annotations"][LAST_APPLIED].as_str().map(str::to_string);
            if previous.is_none() && dry != "client" {
                out.err(format!("Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", r.name));
            }
            let previous = previous.unwrap_or_default();
            if dry == "client" {
                // A client dry run computes no patch: the live object is "configured".
                (200, cur, "configured")
            } else if previous == applied {
                (200, cur, "unchanged")
            } else {
                let original: Value = serde_json::from_str(&previous).unwrap_or(json!({}));
                let mut patch = merge_diff(&original, &object);
                patch["metadata"]["annotations"][LAST_APPLIED] = Value::String(applied.clone());
                let req = super::patch_request(&format!("{}?fieldManager={}&fieldValidation={}{dry_param}", r.object_path(Some(&ns), &name), p.value("field-manager").unwrap_or("kubectl-client-side-apply"), field_validation(p)), "application/merge-patch+json", &patch);
                let resp = api.send(&req);
                let s = resp.status;
                (s, resp.into_value().unwrap_or(Value::Null), "configured")
            }
        };
        if status >= 400 {
            Failure::Server(with_source(body, if verb == "created" { "creating" } else { "patching" }, &m.source)).print(out);
            failed = true;
        } else {
            visited.mark(&r, &ns, &body);
            match p.value("output") {
                Some("name") => out.out(format!("{}/{name}\n", r.kind_group())),
                _ => out.out(format!("{}/{} {verb}{suffix}\n", r.kind_group(), name)),
            }
        }
    }
    if failed {
        return Err(Failure::Exit(1));
    }
    match prune {
        Some(plan) => super::prune::run(&plan, api, p, &visited, out),
        None => Ok(()),
    }
}

/// The server-side field validation `--validate` asks for (`strict`, kubectl's default; `warn`;
/// `ignore` or `false`).
pub(super) fn field_validation(p: &Parsed) -> &'static str {
    match p.value("validate").unwrap_or("strict") {
        "false" | "ignore" => "Ignore",
        "warn" => "Warn",
        _ => "Strict",
    }
}

/// Objects named on the command line (`TYPE NAME...`, `TYPE/NAME...`) or selected with `-l`.
pub(super) fn named_objects(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, args: &[String]) -> Result<Vec<(super::discovery::Resource, String, String)>, Failure> {
    let (targets, _) = get::targets(k, api, args)?;
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let (labels, fields) = (p.value("selector"), p.value("field-selector"));
    let mut out = Vec::new();
    for t in targets {
        if t.names.is_empty() {
            if !(labels.is_some() || fields.is_some() || p.bool("all")) {
                return Err(Failure::client("resource(s) were provided, but no name was specified"));
            }
            let mut path = t.resource.path(if p.bool("all-namespaces") { None } else { Some(&ns) });
            let mut query = Vec::new();
            if let Some(l) = labels {
                query.push(format!("labelSelector={}", get::encode(l)));
            }
            if let Some(f) = fields {
                query.push(format!("fieldSelector={}", get::encode(f)));
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let list = super::send_ok(api, &Request::get(&path)).map_err(|f| selector_failure(f, &t.resource, labels, fields))?;
            for item in list["items"].as_array().into_iter().flatten() {
                out.push((t.resource.clone(), item["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), item["metadata"]["name"].as_str().unwrap_or_default().to_string()));
            }
        } else if labels.is_some() || fields.is_some() {
            return Err(Failure::client("name cannot be provided when a selector is specified"));
        } else {
            for n in t.names {
                out.push((t.resource.clone(), ns.clone(), n));
            }
        }
    }
    Ok(out)
}

/// A list by selectors that the server refused (BadRequest, NotFound), with the words
/// kubectl's resource builder puts before the server's message.
pub(super) fn selector_failure(f: Failure, r: &super::discovery::Resource, labels: Option<&str>, fields: Option<&str>) -> Failure {
    let Failure::Server(mut status) = f else { return f };
    if matches!(status["reason"].as_str(), Some("BadRequest" | "NotFound")) {
        let gvr = format!("{}/{}, Resource={}", r.group, r.version, r.name);
        let m = status["message"].as_str().unwrap_or_default().to_string();
        let (l, f) = (labels.unwrap_or_default(), fields.unwrap_or_default());
        let q = crate::api::field::go_quote;
        status["message"] = Value::String(if l.is_empty() && f.is_empty() { format!("Unable to list {}: {m}", q(&gvr)) } else { format!("Unable to find {} that match label selector {}, field selector {}: {m}", q(&gvr), q(l), q(f)) });
    }
    Failure::Server(status)
}

fn delete(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    let dry = dry_run_value(p)?;
    let names_only = match p.value("output") {
        None | Some("") => false,
        Some("name") => true,
        Some(o) => return Err(Failure::client(format!("unexpected -o output mode: {o}. We only support '-o name'"))),
    };
    let mut items: Vec<(super::discovery::Resource, String, String)> = Vec::new();
    if p.has("filename") {
        for m in read_manifests(k, p, stdin)? {
            let r = resource_of(k, api, &m)?;
            let ns = object_namespace(k, p, &m.object)?;
            items.push((r, ns, m.object["metadata"]["name"].as_str().unwrap_or_default().to_string()));
        }
    } else {
        if p.args.len() < 2 {
            return Err(Failure::Raw("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".into()));
        }
        items = named_objects(k, api, p, &p.args[1..])?;
        if items.is_empty() {
            out.out("No resources found\n");
            return Ok(());
        }
    }
    let mut last_err = None;
    let mut warned_force = false;
    for (r, ns, name) in items {
        let mut path = r.object_path(Some(&ns), &name);
        match p.value("cascade") {
            Some("orphan") => path.push_str("?propagationPolicy=Orphan"),
            Some("foreground") => path.push_str("?propagationPolicy=Foreground"),
            _ => path.push_str("?propagationPolicy=Background"),
        }
        let force = p.bool("force");
        let grace: Option<i64> = if p.bool("now") { Some(1) } else { p.value("grace-period").and_then(|g| g.parse().ok()).filter(|g| *g >= 0) };
        if force && grace == Some(0) && !warned_force {
            out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
            warned_force = true;
        }
        if let Some(g) = grace {
            // --grace-period=0 without --force means 1 second, as kubectl sends it.
            let g = if g == 0 && !force { 1 } else { g };
            path.push_str(&format!("&gracePeriodSeconds={g}"));
        }
        let done = if force && grace == Some(0) { "force deleted" } else { "deleted" };
        let suffix = dry_run_suffix(dry);
        let said = if names_only { format!("{}/{name}\n", r.kind_group()) } else { format!("{} {name:?} {done}{suffix}\n", r.kind_group()) };
        // A client dry run sends nothing for a named object; a server one asks and keeps it.
        if dry == "client" {
            out.out(said);
            continue;
        }
        if dry == "server" {
            path.push_str("&dryRun=All");
        }
        let before = api.send(&Request::get(&r.object_path(Some(&ns), &name))).into_value().unwrap_or(Value::Null);
        let resp = api.send(&Request::delete(&path));
        let status = resp.status;
        let body = resp.into_value().unwrap_or(Value::Null);
        if status == 404 && p.bool("ignore-not-found") {
            continue;
        }
        if status >= 400 {
            if let Some(e) = last_err.replace(Failure::Server(body)) {
                e.print(out);
            }
            continue;
        }
        out.out(said);
        // kubectl waits until the object is gone (finalizers, graceful termination).
        if p.value("wait") != Some("false") && dry == "none" {
            let uid = before["metadata"]["uid"].clone();
            let limit = p.value("timeout").and_then(super::rollout::go_duration).filter(|d| d.as_millis() > 0).unwrap_or(crate::sim::clock::Duration::from_secs(3600));
            let start = api.now();
            loop {
                let now_obj = api.send(&Request::get(&r.object_path(Some(&ns), &name)));
                let gone = now_obj.status == 404 || now_obj.into_value().is_some_and(|o| o["metadata"]["uid"] != uid);
                if gone {
                    break;
                }
                let waited = api.now().since(start);
                if waited >= limit {
                    return Err(Failure::client(format!("timed out waiting for the condition on {}/{name}", r.name)));
                }
                super::wait_a_moment(api, crate::sim::clock::Duration::from_secs(1));
            }
        }
    }
    match last_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The annotation `kubectl annotate` lets change without `--overwrite`.
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// `kubectl label` and `kubectl annotate`: `KEY=VALUE` sets, `KEY-` removes. Without
/// `--overwrite` a key that has another value already is an error (label: one error per key;
/// annotate: all keys in one).
fn metadata(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, field: &str, verb: &str, out: &mut Output) -> Result<(), Failure> {
    let labels = field == "labels";
    let words: Vec<String> = p.args[1..].to_vec();
    let split = words.iter().position(|w| w.contains('=') || w.ends_with('-') && !w.contains('/')).unwrap_or(words.len());
    let (targets, changes) = words.split_at(split);
    if changes.is_empty() {
        return Err(Failure::client(format!("at least one {} update is required", if labels { "label" } else { "annotation" })));
    }
    // In the order given (kubectl reads them into a map; its messages follow no order).
    let mut set: Vec<(String, Value)> = Vec::new();
    for c in changes {
        let change = if let Some(key) = c.strip_suffix('-') {
            (key.to_string(), Value::Null)
        } else if let Some((key, value)) = c.split_once('=') {
            (key.to_string(), Value::String(value.to_string()))
        } else {
            continue;
        };
        set.retain(|(key, _)| *key != change.0);
        set.push(change);
    }
    let objects = named_objects(k, api, p, targets)?;
    for (r, ns, name) in objects {
        let path = r.object_path(Some(&ns), &name);
        let cur = super::get_object(api, &path)?;
        let old = &cur["metadata"][field];
        if !p.bool("overwrite") {
            let conflicts: Vec<String> = set
                .iter()
                .filter(|(key, v)| !v.is_null() && (labels || key != CHANGE_CAUSE))
                .filter_map(|(key, v)| old[key.as_str()].as_str().filter(|existing| v.as_str() != Some(existing)).map(|existing| (key, existing)))
                .map(|(key, existing)| format!("'{key}' already has a value ({existing})"))
                .collect();
            if !conflicts.is_empty() {
                if !labels {
                    return Err(Failure::client(format!("--overwrite is false but found the following declared annotation(s): {}", conflicts.join("; "))));
                }
                let errors: Vec<String> = conflicts.iter().map(|c| format!("{c}, and --overwrite is false")).collect();
                return Err(match errors.len() {
                    1 => Failure::client(errors[0].clone()),
                    // An aggregate of several errors prints one a line, without `error: `.
                    _ => Failure::Raw(errors.iter().map(|e| format!("{e}\n")).collect()),
                });
            }
        }
        let mut updated = old.as_object().cloned().unwrap_or_default();
        for (key, v) in &set {
            if v.is_null() {
                if labels && !updated.contains_key(key) {
                    out.out(format!("label {key:?} not found.\n"));
                }
                updated.remove(key);
            } else {
                updated.insert(key.clone(), v.clone());
            }
        }
        let patch = json!({"metadata": {field: Value::Object(set.iter().cloned().collect())}});
        let req = super::patch_request(&path, "application/merge-patch+json", &patch);
        super::send_ok(api, &req)?;
        // kubectl label compares the object before and after: unchanged is "not labeled", and
        // a smaller one (without --overwrite) "unlabeled". annotate always says "annotated".
        let size = |m: &serde_json::Map<String, Value>| serde_json::to_string(m).map_or(0, |t| t.len());
        let old_map = old.as_object().cloned().unwrap_or_default();
        let said = if !labels {
            verb
        } else if updated == old_map {
            "not labeled"
        } else if !p.bool("overwrite") && size(&updated) < size(&old_map) {
            "unlabeled"
        } else {
            verb
        };
        out.out(format!("{}/{name} {said}\n", r.kind_group()));
    }
    Ok(())
}

fn scale(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let Some(replicas) = p.value("replicas") else { return Err(Failure::client("required flag(s) \"replicas\" not set")) };
    let n: i64 = replicas.parse().map_err(|_| Failure::Raw(format!("error: invalid argument {replicas:?} for \"--replicas\" flag: strconv.ParseInt: parsing {replicas:?}: invalid syntax\nSee 'kubectl scale --help' for usage.\n")))?;
    let objects = named_objects(k, api, p, &p.args[1..])?;
    for (r, ns, name) in &objects {
        let found = api.send(&Request::get(&r.object_path(Some(ns), name)));
        if found.status == 404 || found.status == 400 {
            let body = found.into_value().unwrap_or(Value::Null);
            return Err(Failure::client(format!("no objects passed to scale {}", body["message"].as_str().unwrap_or_default())));
        }
    }
    for (r, ns, name) in objects {
        let path = format!("{}/scale", r.object_path(Some(&ns), &name));
        let patch = json!({"spec": {"replicas": n}});
        let req = super::patch_request(&path, "application/merge-patch+json", &patch);
        super::send_ok(api, &req)?;
        out.out(format!("{}/{name} scaled\n", r.kind_group()));
    }
    Ok(())
}

fn cordon(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, on: bool, out: &mut Output) -> Result<(), Failure> {
    let mut names: Vec<String> = p.args[1..].to_vec();
    if let Some(l) = p.value("selector") {
        let list = api.send(&Request::get(&format!("/api/v1/nodes?labelSelector={}", get::encode(l)))).into_value().unwrap_or(Value::Null);
        names.extend(list["items"].as_array().into_iter().flatten().filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string)));
    }
    let _ = k;
    for name in names {
        let path = format!("/api/v1/nodes/{name}", name = super::paths::segment(&name));
        let cur = super::get_object(api, &path)?;
        let was = cur["spec"]["unschedulable"].as_bool().unwrap_or(false);
        if was == on {
            out.out(format!("node/{name} already {}\n", if on { "cordoned" } else { "uncordoned" }));
            continue;
        }
        let patch = json!({"spec": {"unschedulable": if on { Value::Bool(true) } else { Value::Null }}});
        let req = super::patch_request(&path, "application/strategic-merge-patch+json", &patch);
        super::send_ok(api, &req)?;
        out.out(format!("node/{name} {}\n", if on { "cordoned" } else { "uncordoned" }));
    }
    Ok(())
}

fn config(k: &mut Kubectl, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let sub = p.args.get(1).map(String::as_str).unwrap_or_default();
    let names = p.args.get(2..).unwrap_or_default();
    match sub {
        "current-context" => {
            out.out(format!("{}\n", k.config.current));
            Ok(())
        }
        "get-contexts" => get_contexts(k, p, names, out),
        "use-context" => {
            let Some(name) = names.first() else { return Err(Failure::client("Unexpected args: []")) };
            if k.config.context(name).is_none() {
                return Err(Failure::client(format!("no context exists with the name: {name:?}")));
            }
            k.config.current = name.clone();
            out.out(format!("Switched to context {name:?}.\n"));
            Ok(())
        }
        "set-context" => {
            if names.len() > 1 {
                return Err(Failure::client(format!("Unexpected args: [{}]", names.join(" "))));
            }
            let name = match (names.first(), p.bool("current")) {
                (Some(_), true) => return Err(Failure::client("you cannot specify both a context name and --current")),
                (None, false) => return Err(Failure::client("you must specify a non-empty context name or --current")),
                (Some(n), false) => n.clone(),
                (None, true) if k.config.current.is_empty() => return Err(Failure::client("no current context is set")),
                (None, true) => k.config.current.clone(),
            };
            let given = |flag: &str| p.value(flag).map(str::to_string);
            let change = super::kubeconfig::ContextChange { cluster: given("cluster"), user: given("user"), namespace: given("namespace") };
            let exists = k.config.set_context(&name, change);
            out.out(format!("Context {name:?} {}.\n", if exists { "modified" } else { "created" }));
            Ok(())
        }
        "view" => config_view(k, p, out),
        "set-credentials" => {
            let [name] = names else { return Err(Failure::client(format!("Unexpected args: [{}]", names.join(" ")))) };
            k.config.set_credentials(name, p.value("token"));
            out.out(format!("User {name:?} set.\n"));
            Ok(())
        }
        "get-clusters" | "get-users" => {
            let mut list = if sub == "get-clusters" { k.config.clusters.clone() } else { k.config.users.clone() };
            list.order();
            list.dedup();
            out.out(format!("NAME\n{}", list.iter().map(|n| format!("{n}\n")).collect::<String>()));
            Ok(())
        }
        other => Err(Failure::client(format!("\"kubectl config {other}\" is not available in Hakoniwa yet"))),
    }
}

/// `kubectl config get-contexts [NAME...] [-o name]`: the contexts by name, the current one
/// starred; names not in the kubeconfig are errors after the rest is printed.
fn get_contexts(k: &Kubectl, p: &Parsed, names: &[String], out: &mut Output) -> Result<(), Failure> {
    let name_only = match p.value("output").unwrap_or_default() {
        "" => false,
        "name" => true,
        other => return Err(Failure::client(format!("--output {other} is not available in kubectl config get-contexts; resetting to default output format"))),
    };
    let mut shown: Vec<&super::kubeconfig::Context> = Vec::new();
    let mut missing = Vec::new();
    if names.is_empty() {
        shown = k.config.sorted_contexts();
    } else {
        for n in names {
            match k.config.context(n) {
                Some(c) => shown.push(c),
                None => missing.push(format!("context {n} not found")),
            }
        }
        shown.order_by(|a, b| a.name.cmp(&b.name));
    }
    let mut text = String::new();
    if !name_only && !p.bool("no-headers") {
        text.push_str("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
    }
    for c in shown {
        if name_only {
            text.push_str(&format!("{}\n", c.name));
        } else {
            let mark = if c.name == k.config.current { "*" } else { " " };
            text.push_str(&format!("{mark}\t{}\t{}\t{}\t{}\n", c.name, c.cluster, c.user, c.namespace.clone().unwrap_or_default()));
        }
    }
    out.out(super::tabwriter::align(&text));
    match missing.len() {
        0 => Ok(()),
        1 => Err(Failure::client(missing.remove(0))),
        // kubectl prints an aggregate of several errors one per line, without `error: `.
        _ => Err(Failure::Raw(missing.iter().map(|m| format!("{m}\n")).collect())),
    }
}

/// `kubectl config view [--minify] [-o yaml|json|jsonpath=|go-template=]`; with `--context`
/// and `--minify`, that context stands for the current one.
fn config_view(k: &Kubectl, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let minify = p.bool("minify");
    let mut config = k.config.clone();
    if let (Some(ctx), true) = (p.value("context"), minify) {
        if config.context(ctx).is_none() {
            return Err(Failure::client(format!("cannot locate context {ctx}")));
        }
        config.current = ctx.to_string();
    }
    let output = p.value("output").unwrap_or("yaml");
    let (format, template) = output.split_once('=').unwrap_or((output, ""));
    match format {
        "yaml" | "" => out.out(super::printers::to_yaml(&config.view(minify))),
        "json" => out.out(config.view_json(minify)),
        "jsonpath" | "jsonpath-as-json" | "go-template" | "template" if template.is_empty() => return Err(Failure::client("template format specified but no template given")),
        "jsonpath" | "jsonpath-as-json" => {
            let t = super::printers::jsonpath::Template::parse(template).map_err(|e| Failure::client(format!("error parsing jsonpath {template}, {e}")))?;
            out.out(t.render(&config.view(minify), true).map_err(|e| Failure::client(e.to_string()))?);
        }
        "go-template" | "template" => {
            let text = super::printers::gotemplate::render(template, &config.view(minify)).map_err(|e| Failure::client(format!("error parsing template {template}, {e}")))?;
            out.out(text);
        }
        _ => {
            return Err(Failure::client(format!(
                "unable to match a printer suitable for the output format {output:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
            )))
        }
    }
    Ok(())
}

/// `kubectl cluster-info`: the API server and the cluster services (`kubernetes.io/cluster-service`).
fn cluster_info(k: &Kubectl, api: &mut dyn Transport, out: &mut Output) -> Result<(), Failure> {
    let server = k.config.server.clone();
    let mut text = format!("Kubernetes control plane is running at {server}\n");
    let list = api.send(&Request::get("/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue")).into_value().unwrap_or(Value::Null);
    for svc in list["items"].as_array().into_iter().flatten() {
        let name = svc["metadata"]["name"].as_str().unwrap_or_default();
        let shown = svc["metadata"]["labels"]["kubernetes.io/name"].as_str().unwrap_or(name);
        let port = svc["spec"]["ports"][0]["name"].as_str().filter(|n| !n.is_empty()).map(|n| format!(":{n}")).unwrap_or_default();
        text.push_str(&format!("{shown} is running at {server}/api/v1/namespaces/kube-system/services/{name}{port}/proxy\n"));
    }
    text.push_str("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    out.out(text);
    Ok(())
}
