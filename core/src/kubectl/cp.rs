//! `kubectl cp`: files between the learner's workspace and a container. kubectl streams a tar
//! archive through exec (`tar cf -` in the container, or `tar xmf -` with the archive on
//! standard input); here the same exec connection reads and writes the container's files with
//! its shell, and what the container's tar would say (its leading-`/` notice, a path it cannot
//! find) is said in that tar's words.

use super::args::{flag, Flag, Parsed, Takes};
use super::{get_object, Failure, Kubectl, Output, Transport};

pub const FLAGS: &[Flag] = &[
    flag("container", Some('c'), Takes::Value),
    flag("no-preserve", None, Takes::Bool),
    flag("retries", None, Takes::Value),
];

/// One side of the copy.
#[derive(Debug, PartialEq)]
enum Spec {
    Local(String),
    Remote { namespace: Option<String>, pod: String, path: String },
}

/// `[[namespace/]pod:]path`, split at the first `:` (kubectl v1.33 has no drive letters: `C:\x`
/// names pod `C`); one trailing `/` is dropped.
fn parse_spec(s: &str) -> Result<Spec, Failure> {
    let trim = |p: &str| if p.len() > 1 { p.strip_suffix('/').unwrap_or(p).to_string() } else { p.to_string() };
    let canonical = || Failure::client("filespec must match the canonical format: [[namespace/]pod:]file/path");
    match s.split_once(':') {
        None => Ok(Spec::Local(trim(s))),
        Some(("", _)) => Err(canonical()),
        Some((left, path)) => {
            let parts: Vec<&str> = left.split('/').collect();
            let (namespace, pod) = match parts.as_slice() {
                [pod] => (None, pod.to_string()),
                [ns, pod] => (Some(ns.to_string()), pod.to_string()),
                _ => return Err(canonical()),
            };
            Ok(Spec::Remote { namespace, pod, path: trim(&path.replace('\\', "/")) })
        }
    }
}

/// A word for the container's shell, single-quoted.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn exec(api: &mut dyn Transport, ns: &str, pod: &str, container: &str, script: &str) -> Result<(String, i64), Failure> {
    let argv = vec!["sh".to_string(), "-c".to_string(), script.to_string()];
    api.exec(ns, pod, container, &argv, false).map_err(|e| Failure::client(format!("unable to upgrade connection: {e}")))
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let args = &p.args[1..];
    if args.len() != 2 {
        return Err(Failure::client("source and destination are required"));
    }
    let (src, dst) = (parse_spec(&args[0])?, parse_spec(&args[1])?);
    let path_of = |s: &Spec| match s {
        Spec::Local(p) => p.is_empty(),
        Spec::Remote { path, .. } => path.is_empty(),
    };
    if matches!((&src, &dst), (Spec::Remote { .. }, Spec::Remote { .. })) {
        return Err(Failure::client("one of src or dest must be a local file specification"));
    }
    if path_of(&src) || path_of(&dst) {
        return Err(Failure::client("filepath can not be empty"));
    }
    let current = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    match (src, dst) {
        (Spec::Remote { namespace, pod, path }, Spec::Local(local)) => {
            let ns = namespace.unwrap_or(current);
            // The exec's error stream is kubectl's standard output here.
            let container = container_of(api, p, &ns, &pod, out, true)?;
            from_pod(k, api, &ns, &pod, &container, &path, &local, out)
        }
        (Spec::Local(local), Spec::Remote { namespace, pod, path }) => {
            let ns = namespace.unwrap_or(current);
            if !k.files.is_dir(&local) && k.files.read(&local).is_none() {
                return Err(Failure::client(format!("{local} doesn't exist in local filesystem")));
            }
            let container = container_of(api, p, &ns, &pod, out, false)?;
            to_pod(k, api, &ns, &pod, &container, &local, &path, out)
        }
        _ => Err(Failure::client("one of src or dest must be a remote file specification")),
    }
}

/// The container: `-c`, else the default one (saying so when the pod has several).
fn container_of(api: &mut dyn Transport, p: &Parsed, ns: &str, pod: &str, out: &mut Output, to_stdout: bool) -> Result<String, Failure> {
    let obj = get_object(api, &format!("/api/v1/namespaces/{ns}/pods/{pod}", ns = super::paths::segment(ns), pod = super::paths::segment(pod)))?;
    let phase = obj["status"]["phase"].as_str().unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(Failure::client(format!("cannot exec into a container in a completed pod; current phase is {phase}")));
    }
    if let Some(c) = p.value("container") {
        return Ok(c.to_string());
    }
    let names: Vec<String> = obj["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
    let default = obj["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str().map(str::to_string).filter(|d| names.contains(d));
    let chosen = default.clone().or_else(|| names.first().cloned()).unwrap_or_default();
    let others = |l: &str, tag: &str| -> Vec<String> { obj["spec"][l].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str()).map(|n| format!("{n} ({tag})")).collect() };
    let (ephemeral, init) = (others("ephemeralContainers", "ephem"), others("initContainers", "init"));
    if default.is_none() && (names.len() > 1 || !ephemeral.is_empty() || !init.is_empty()) {
        let all: Vec<String> = names.iter().cloned().chain(ephemeral).chain(init).collect();
        let line = format!("Defaulted container {chosen:?} out of: {}\n", all.join(", "));
        if to_stdout {
            out.out(line);
        } else {
            out.err(line);
        }
    }
    Ok(chosen)
}

/// What a path in the container is: `dir`, `file` or `none`.
fn kind_of(api: &mut dyn Transport, ns: &str, pod: &str, container: &str, path: &str) -> Result<&'static str, Failure> {
    let q = quote(path);
    if exec(api, ns, pod, container, &format!("test -d {q}"))?.1 == 0 {
        return Ok("dir");
    }
    Ok(if exec(api, ns, pod, container, &format!("test -e {q}"))?.1 == 0 { "file" } else { "none" })
}

/// Whether the container's userland is BusyBox (its tar words things its own way).
fn busybox(api: &mut dyn Transport, ns: &str, pod: &str, container: &str) -> bool {
    exec(api, ns, pod, container, "hakoniwa-probe").map(|(t, _)| !t.contains(": 1: ")).unwrap_or(true)
}

/// What the container's tar says while archiving (on kubectl's standard output), then the
/// files: a file to exactly the destination, a directory's contents into it. A path that is not
/// there leaves nothing and, as kubectl v1.33 ends before it hears tar's exit code, exits 0.
#[allow(clippy::too_many_arguments)]
fn from_pod(k: &mut Kubectl, api: &mut dyn Transport, ns: &str, pod: &str, container: &str, path: &str, local: &str, out: &mut Output) -> Result<(), Failure> {
    let bb = busybox(api, ns, pod, container);
    let q = quote(path);
    let kind = kind_of(api, ns, pod, container, path)?;
    let absolute = path.starts_with('/');
    if absolute && (!bb || kind != "none") {
        out.out(if bb { "tar: removing leading '/' from member names\n" } else { "tar: Removing leading `/' from member names\n" });
    }
    match kind {
        "file" => {
            if k.files.is_dir(local) {
                return Err(Failure::client(format!("open {local}: is a directory")));
            }
            let (text, _) = exec(api, ns, pod, container, &format!("cat {q}"))?;
            k.files.write(local, text);
        }
        "dir" => {
            let (list, _) = exec(api, ns, pod, container, &format!("find {q} -type f"))?;
            let base = path.trim_end_matches('/');
            k.files.fs.mkdir_p(&crate::kubelet::fs::normalize(local, &k.files.cwd));
            for file in list.lines().filter(|l| !l.is_empty()) {
                let rel = file.strip_prefix(base).unwrap_or(file).trim_start_matches('/');
                let (text, code) = exec(api, ns, pod, container, &format!("cat {}", quote(file)))?;
                if code == 0 {
                    k.files.write(&format!("{}/{rel}", local.trim_end_matches('/')), text);
                }
            }
        }
        _ if bb => out.out(format!("tar: {path}: No such file or directory\ntar: error exit delayed from previous errors\n")),
        _ => out.out(format!("tar: {path}: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n")),
    }
    Ok(())
}

/// Into a directory that exists the source goes by its own name; otherwise it becomes the
/// destination. tar extracts in the destination's directory, which must exist.
#[allow(clippy::too_many_arguments)]
fn to_pod(k: &mut Kubectl, api: &mut dyn Transport, ns: &str, pod: &str, container: &str, local: &str, path: &str, out: &mut Output) -> Result<(), Failure> {
    let name = local.trim_end_matches('/').rsplit('/').next().unwrap_or(local);
    let is_dir = exec(api, ns, pod, container, &format!("test -d {}", quote(path)))?.1 == 0;
    let target = if is_dir { format!("{}/{name}", path.trim_end_matches('/')) } else { path.to_string() };
    let dir = match target.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((d, _)) => d.to_string(),
        None => ".".to_string(),
    };
    let files: Vec<(String, String)> = if k.files.is_dir(local) {
        let base = local.trim_end_matches('/');
        k.files.list(local, true).into_iter().filter_map(|f| k.files.read(&f).map(|t| (f.strip_prefix(base).unwrap_or(&f).trim_start_matches('/').to_string(), t.to_string()))).collect()
    } else {
        vec![(String::new(), k.files.read(local).unwrap_or_default().to_string())]
    };
    let state = kind_of(api, ns, pod, container, &dir)?;
    if state != "dir" {
        let bb = busybox(api, ns, pod, container);
        let why = if state == "file" { "Not a directory" } else { "No such file or directory" };
        let (text, code) = if bb { (format!("tar: can't change directory to '{dir}': {why}\n"), 1) } else { (format!("tar: {dir}: Cannot open: {why}\ntar: Error is not recoverable: exiting now\n"), 2) };
        out.err(text);
        return Err(Failure::RawWithCode(format!("command terminated with exit code {code}\n"), code));
    }
    for (rel, text) in files {
        let file = if rel.is_empty() { target.clone() } else { format!("{target}/{rel}") };
        let parent = file.rsplit_once('/').map_or(".", |(d, _)| if d.is_empty() { "/" } else { d });
        // The shell takes one line: the file is written a line at a time.
        let q = quote(&file);
        let mut script = format!("mkdir -p {} && : > {q}", quote(parent));
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let (line, newline, after) = match rest.split_once('\n') {
                Some((l, a)) => (l, true, a),
                None => (rest, false, ""),
            };
            script.push_str(&format!(" && printf '{}' {} >> {q}", if newline { "%s\\n" } else { "%s" }, quote(line)));
            rest = after;
        }
        let (said, code) = exec(api, ns, pod, container, &script)?;
        if code != 0 {
            out.err(format!("tar: {}", said.trim_start_matches("sh: ")));
            return Err(Failure::RawWithCode("command terminated with exit code 2\n".into(), 2));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_container_file_or_a_local_one() {
        let remote = |ns: Option<&str>, pod: &str, path: &str| Spec::Remote { namespace: ns.map(str::to_string), pod: pod.into(), path: path.into() };
        assert_eq!(parse_spec("web:/etc/hosts").unwrap(), remote(None, "web", "/etc/hosts"));
        assert_eq!(parse_spec("dev/web:tmp").unwrap(), remote(Some("dev"), "web", "tmp"));
        assert_eq!(parse_spec("./web.yaml").unwrap(), Spec::Local("./web.yaml".into()));
        assert_eq!(parse_spec("C:\\files").unwrap(), remote(None, "C", "/files"));
        assert_eq!(parse_spec("web:/tmp/").unwrap(), remote(None, "web", "/tmp"));
        assert!(parse_spec(":x").is_err());
        assert!(parse_spec("a/b/c:x").is_err());
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
