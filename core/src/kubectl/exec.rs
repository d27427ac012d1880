//! `kubectl exec POD [-c CONTAINER] -- COMMAND [args...]`: the command runs in the simulated
//! container (its files, its shell); the output comes back, and a non-zero exit code ends
//! kubectl with that code, as over the real streaming connection. `exec -it POD -- sh` in the
//! terminal opens an interactive shell: each line runs in the container, in the directory the
//! last one left (see [`Session`]); with standard input (a here-document) the shell reads it.


use super::args::{flag, Flag, Parsed, Takes};
use super::{Failure, Kubectl, Output, Transport};

pub const FLAGS: &[Flag] = &[
    flag("container", Some('c'), Takes::Value),
    flag("stdin", Some('i'), Takes::Bool),
    flag("tty", Some('t'), Takes::Bool),
    flag("quiet", Some('q'), Takes::Bool),
    flag("filename", Some('f'), Takes::Values),
    flag("pod-running-timeout", None, Takes::Value),
];

/// Shells a learner opens with `exec -it`.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/usr/bin/bash"];

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let before: Vec<String> = p.args[1..p.before_dash.max(1)].to_vec();
    let command: Vec<String> = if p.before_dash < p.args.len() { p.args[p.before_dash..].to_vec() } else { before.get(1..).map(<[String]>::to_vec).unwrap_or_default() };
    let Some(target) = before.first() else {
        return Err(Failure::Raw("error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.\nPOD or TYPE/NAME is a required argument for the exec command\nSee 'kubectl exec -h' for help and examples\n".into()));
    };
    if command.is_empty() {
        return Err(Failure::Raw("error: you must specify at least one command for the container\n".into()));
    }
    // The pod: named, or the one kubectl attaches to for a Service or controller (the most
    // active of its pods, waiting up to --pod-running-timeout for one).
    let pod_name = match target.split_once('/') {
        None => target.clone(),
        Some((kind, name)) if matches!(kind, "pod" | "pods" | "po") => name.to_string(),
        Some((kind, name)) => {
            let r = k.resolve(api, kind).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {kind:?}")))?;
            let obj = super::get_object(api, &r.object_path(Some(&ns), name))?;
            let timeout = p.value("pod-running-timeout").and_then(super::rollout::go_duration).filter(|d| d.as_millis() > 0).unwrap_or(crate::sim::clock::Duration::from_secs(60));
            let pod = super::portforward::attachable_pod(api, &ns, &r.kind, &obj, timeout)?;
            pod["metadata"]["name"].as_str().unwrap_or_default().to_string()
        }
    };
    let pod = super::get_object(api, &format!("/api/v1/namespaces/{ns}/pods/{pod_name}", ns = super::paths::segment(&ns), pod_name = super::paths::segment(&pod_name)))?;
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(Failure::client(format!("cannot exec into a container in a completed pod; current phase is {phase}")));
    }
    let names: Vec<String> = pod["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
    let container = match p.value("container") {
        Some(c) => c.to_string(),
        None => {
            let default = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str().map(str::to_string).filter(|d| names.contains(d));
            let chosen = default.clone().or_else(|| names.first().cloned()).unwrap_or_default();
            if names.len() > 1 && default.is_none() && !p.bool("quiet") {
                out.err(format!("Defaulted container {chosen:?} out of: {}\n", names.join(", ")));
            }
            chosen
        }
    };
    if p.bool("tty") && !p.bool("stdin") && !p.bool("quiet") {
        out.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    let shell = command.len() == 1 && SHELLS.contains(&command[0].as_str());
    let command = match stdin {
        // The shell reads its script from standard input.
        Some(script) if shell && p.bool("stdin") => vec![command[0].clone(), "-c".to_string(), script.to_string()],
        None if shell && p.bool("stdin") && p.bool("tty") => {
            let session = Session::open(api, &ns, &pod_name, &container, &command[0])?;
            k.launched = Some(Box::new(session));
            return Ok(());
        }
        _ => command,
    };
    finish(api.exec(&ns, &pod_name, &container, &command, p.bool("tty") && p.bool("stdin")), &pod_name, &container, &command, out)
}

/// kubectl's answer to what an exec returned.
fn finish(result: Result<(String, i64), String>, pod_name: &str, container: &str, command: &[String], out: &mut Output) -> Result<(), Failure> {
    let (text, code) = result.map_err(|e| exec_failure(&e, pod_name, container, command))?;
    out.out(text);
    if code != 0 {
        return Err(Failure::Raw(format!("command terminated with exit code {code}\n")).with_exit(code));
    }
    Ok(())
}

/// kubectl's words when the container could not run the command.
fn exec_failure(e: &str, pod_name: &str, container: &str, command: &[String]) -> Failure {
    if e.starts_with("OCI runtime exec failed") {
        Failure::client(format!(
            "Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec {:?}: {e}",
            exec_id(pod_name, container, command)
        ))
    } else if e.starts_with("container not found") {
        Failure::client(format!("Internal error occurred: unable to upgrade connection: {e}"))
    } else {
        Failure::client(format!("unable to upgrade connection: {e}"))
    }
}

/// Marks the line that carries the shell's working directory back.
const PWD_MARK: &str = "@@hakoniwa-pwd@@";

/// An interactive shell in a container (`kubectl exec -it POD -- sh`): the terminal's lines go
/// to it one by one; `exit` (or Ctrl+D) ends it.
#[derive(Debug)]
pub struct Session {
    ns: String,
    pod: String,
    container: String,
    shell: String,
    cwd: String,
    /// BusyBox's ash shows the directory in its prompt; Debian's dash does not.
    busybox: bool,
}

impl Session {
    pub(super) fn open(api: &mut dyn Transport, ns: &str, pod: &str, container: &str, shell: &str) -> Result<Session, Failure> {
        // Which shell answers tells its wording: BusyBox says `sh: x: not found`.
        let probe = vec![shell.to_string(), "-c".to_string(), "hakoniwa-probe".to_string()];
        let busybox = match api.exec(ns, pod, container, &probe, true) {
            Ok((text, _)) => !text.contains(": 1: "),
            Err(e) => return Err(exec_failure(&e, pod, container, &probe)),
        };
        Ok(Session { ns: ns.into(), pod: pod.into(), container: container.into(), shell: shell.into(), cwd: "/".into(), busybox })
    }
}

impl super::running::Running for Session {
    fn poll(&mut self, _api: &mut dyn Transport, _out: &mut Output) -> Option<Result<(), Failure>> {
        None
    }

    fn prompt(&self) -> Option<String> {
        Some(if self.shell.ends_with("bash") {
            format!("root@{}:{}# ", self.pod, self.cwd)
        } else if self.busybox {
            format!("{} # ", self.cwd)
        } else {
            "# ".to_string()
        })
    }

    fn input(&mut self, api: &mut dyn Transport, line: &str, out: &mut Output) -> Option<Result<(), Failure>> {
        // `kubectl ...` alone, in an image that ships kubectl, talks to the API server as the
        // pod's service account; anything else is the shell's.
        let simple = !line.contains(['|', ';', '&', '>', '<', '$', '`']);
        if simple && line.trim_start().starts_with("kubectl") {
            if let Ok(words) = super::args::split(line) {
                if words.first().is_some_and(|w| w == "kubectl") {
                    if let Ok((text, _)) = api.exec(&self.ns, &self.pod, &self.container, &words, true) {
                        out.out(text);
                        return None;
                    }
                }
            }
        }
        let script = format!("cd '{}' 2>/dev/null\n{line}\necho \"{PWD_MARK}$(pwd)\"", self.cwd);
        let argv = vec![self.shell.clone(), "-c".to_string(), script];
        match api.exec(&self.ns, &self.pod, &self.container, &argv, true) {
            Ok((text, code)) => match text.rfind(PWD_MARK) {
                Some(at) => {
                    out.out(text[..at].to_string());
                    self.cwd = text[at + PWD_MARK.len()..].trim_end().to_string();
                    None
                }
                // The line ended the shell (`exit`).
                None => {
                    out.out(text);
                    if self.shell.ends_with("bash") {
                        out.out("exit\n");
                    }
                    Some(if code == 0 { Ok(()) } else { Err(Failure::Raw(format!("command terminated with exit code {code}\n")).with_exit(code)) })
                }
            },
            Err(e) => Some(Err(exec_failure(&e, &self.pod, &self.container, &argv))),
        }
    }

    fn interactive(&self) -> bool {
        true
    }

    fn without_terminal(&mut self, out: &mut Output) {
        // As kubectl says when its standard input is not a terminal; the shell then reads
        // nothing and ends.
        out.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
}

/// A stable stand-in for containerd's exec id.
fn exec_id(pod: &str, container: &str, command: &[String]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in pod.bytes().chain(container.bytes()).chain(command.join(" ").bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}{:016x}{:016x}{:016x}", h.rotate_left(13), h.rotate_left(29), h.rotate_left(47))
}
