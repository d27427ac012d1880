//! Probes as the kubelet's prober workers run them: startup first (liveness and readiness wait
//! for it), each at its initial delay and then every period, a result published only after
//! `successThreshold` or `failureThreshold` equal attempts in a row, and every failed attempt an
//! `Unhealthy` event. The checks run against the simulated container: exec in its shell and
//! files, HTTP against the image's document root, TCP and gRPC against the ports it serves.

use serde_json::Value;

use crate::sim::clock::{Duration, Timestamp};

use super::fs::Fs;
use super::shell::{Flavor, Shell};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Startup,
    Liveness,
    Readiness,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Startup => "Startup",
            Kind::Liveness => "Liveness",
            Kind::Readiness => "Readiness",
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Kind::Startup => "startupProbe",
            Kind::Liveness => "livenessProbe",
            Kind::Readiness => "readinessProbe",
        }
    }
}

/// One probe of one container.
#[derive(Clone, Debug)]
pub struct Prober {
    pub kind: Kind,
    pub spec: Value,
    /// When it runs next.
    pub next: Timestamp,
    period: Duration,
    success_threshold: i64,
    failure_threshold: i64,
    /// The last attempt's result and how many times in a row it came.
    last: Option<bool>,
    run: i64,
    /// The published result (`None` until a threshold is met).
    pub result: Option<bool>,
}

/// What a threshold crossing changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Published {
    Success,
    Failure,
}

impl Prober {
    pub fn new(kind: Kind, spec: &Value, started: Timestamp) -> Prober {
        let int = |k: &str, d: i64| spec[k].as_i64().unwrap_or(d);
        let period = Duration::from_secs(int("periodSeconds", 10).max(1));
        Prober {
            kind,
            spec: spec.clone(),
            next: started.plus(Duration::from_secs(int("initialDelaySeconds", 0).max(0))),
            period,
            success_threshold: int("successThreshold", 1).max(1),
            failure_threshold: int("failureThreshold", 3).max(1),
            last: None,
            run: 0,
            result: None,
        }
    }

    /// Starts the schedule again from `at` (after startup succeeds, the others begin).
    pub fn begin_at(&mut self, at: Timestamp) {
        if self.next < at {
            self.next = at;
        }
    }

    /// Counts an attempt; returns the result it publishes, if it crosses a threshold.
    pub fn record(&mut self, ok: bool) -> Option<Published> {
        self.next = self.next.plus(self.period);
        if self.last == Some(ok) {
            self.run += 1;
        } else {
            self.last = Some(ok);
            self.run = 1;
        }
        let threshold = if ok { self.success_threshold } else { self.failure_threshold };
        if self.run >= threshold && self.result != Some(ok) {
            self.result = Some(ok);
            return Some(if ok { Published::Success } else { Published::Failure });
        }
        None
    }

    /// Whether an attempt with this verdict would change anything: a different published result,
    /// or a run still counting towards a threshold.
    pub fn would_change(&self, ok: bool) -> bool {
        self.result != Some(ok) || self.last != Some(ok)
    }

    /// Forgets results after the container is replaced (the worker waits for the new one).
    pub fn timeout(&self) -> f64 {
        self.spec["timeoutSeconds"].as_i64().unwrap_or(1).max(1) as f64
    }
}

/// What a probe checks: the container as it is at the moment of the attempt.
pub struct Target<'a> {
    pub fs: &'a mut Fs,
    pub env: &'a [(String, String)],
    pub hostname: &'a str,
    pub flavor: Flavor,
    /// Ports the container answers on (none while it is not running).
    pub serving: &'a [i64],
    /// The container's declared ports, for named probe ports.
    pub declared: &'a Value,
    pub pod_ip: &'a str,
    /// Where the image serves HTTP files from (`None`: every path answers 200).
    pub docroot: Option<&'a str>,
}

/// Runs one attempt of a probe handler at `at`: `Ok` or the failure text the kubelet reports.
/// With `dry`, an exec probe runs on a copy of the files (to see what it would say).
pub fn attempt(handler: &Value, timeout: f64, target: &mut Target, at: Timestamp, dry: bool) -> Result<(), String> {
    if let Some(exec) = handler.get("exec").filter(|e| !e.is_null()) {
        let argv: Vec<String> = exec["command"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
        let mut scratch;
        let fs: &mut Fs = if dry {
            scratch = target.fs.clone();
            &mut scratch
        } else {
            target.fs
        };
        let (out, code, took) = run_argv(fs, target.env, target.hostname, target.flavor, &argv, at);
        if took > timeout {
            return Err(format!("command timed out: \"{}\" timed out after {}s", argv.join(" "), timeout));
        }
        return if code == 0 { Ok(()) } else { Err(out) };
    }
    let port_of = |p: &Value| -> Option<i64> {
        match p {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok().or_else(|| target.declared.as_array().into_iter().flatten().find(|d| d["name"] == s.as_str()).and_then(|d| d["containerPort"].as_i64())),
            _ => None,
        }
    };
    if let Some(http) = handler.get("httpGet").filter(|e| !e.is_null()) {
        let port = port_of(&http["port"]).unwrap_or(0);
        let host = http["host"].as_str().filter(|h| !h.is_empty()).unwrap_or(target.pod_ip);
        let path = http["path"].as_str().unwrap_or("/");
        let scheme = http["scheme"].as_str().unwrap_or("HTTP").to_lowercase();
        if !target.serving.contains(&port) {
            return Err(format!("Get \"{scheme}://{host}:{port}{path}\": dial tcp {host}:{port}: connect: connection refused"));
        }
        let Some(root) = target.docroot else { return Ok(()) };
        let clean = path.split('?').next().unwrap_or("/");
        let mut file = super::fs::normalize(&format!("{root}/{clean}"), "/");
        if target.fs.is_dir(&file) {
            file = format!("{}/index.html", file.trim_end_matches('/'));
        }
        return if target.fs.is_file(&file) { Ok(()) } else { Err("HTTP probe failed with statuscode: 404".to_string()) };
    }
    if let Some(tcp) = handler.get("tcpSocket").filter(|e| !e.is_null()) {
        let port = port_of(&tcp["port"]).unwrap_or(0);
        let host = tcp["host"].as_str().filter(|h| !h.is_empty()).unwrap_or(target.pod_ip);
        return if target.serving.contains(&port) { Ok(()) } else { Err(format!("dial tcp {host}:{port}: connect: connection refused")) };
    }
    if let Some(grpc) = handler.get("grpc").filter(|e| !e.is_null()) {
        let port = grpc["port"].as_i64().unwrap_or(0);
        return if target.serving.contains(&port) {
            Ok(())
        } else {
            Err(format!("timeout: failed to connect service \"{}:{port}\" within {timeout}s: context deadline exceeded", target.pod_ip))
        };
    }
    Ok(())
}

/// Runs a command (not through a shell unless it is one); returns output, exit code and how
/// long it took.
pub fn run_argv(fs: &mut Fs, env: &[(String, String)], hostname: &str, flavor: Flavor, argv: &[String], at: Timestamp) -> (String, i64, f64) {
    run_argv_with(fs, env, hostname, flavor, argv, at, None, false)
}

/// [`run_argv`] with programs beyond the shell's own (`kubectl exec` adds the image's network
/// tools).
#[allow(clippy::too_many_arguments)]
pub fn run_argv_with<'a>(fs: &'a mut Fs, env: &[(String, String)], hostname: &str, flavor: Flavor, argv: &[String], at: Timestamp, host: Option<&'a mut dyn super::shell::Host>, tty: bool) -> (String, i64, f64) {
    let mut sh = Shell::new(fs, env.to_vec(), at, flavor, hostname);
    sh.host = host;
    sh.tty = tty;
    let line: Vec<String> = argv
        .iter()
        .map(|a| if a.is_empty() || a.chars().any(|c| c.is_whitespace() || "'\"$;&|<>()".contains(c)) { format!("'{}'", a.replace('\'', "'\\''")) } else { a.clone() })
        .collect();
    let code = sh.run(&line.join(" "));
    let code = sh.exited.unwrap_or(code);
    (sh.output(), code, sh.t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thresholds_publish_after_runs_in_a_row() {
        let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap();
        let mut p = Prober::new(Kind::Readiness, &json!({"successThreshold": 2, "failureThreshold": 1, "initialDelaySeconds": 5, "periodSeconds": 3}), start);
        assert_eq!(p.next, start.plus(Duration::from_secs(5)));
        assert_eq!(p.record(true), None);
        assert_eq!(p.record(true), Some(Published::Success));
        assert_eq!(p.next, start.plus(Duration::from_secs(11)));
        assert_eq!(p.record(false), Some(Published::Failure));
        assert!(!p.would_change(false));
        assert!(p.would_change(true));
    }

    #[test]
    fn handlers_check_the_container() {
        let mut fs = Fs::with(&[("/usr/share/nginx/html/index.html".into(), "hi".into())], &["/root".into()]);
        let at = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap();
        let declared = json!([{"name": "http", "containerPort": 80}]);
        let mut t = Target { fs: &mut fs, env: &[], hostname: "web", flavor: Flavor::Gnu, serving: &[80], declared: &declared, pod_ip: "10.244.1.5", docroot: Some("/usr/share/nginx/html") };
        assert_eq!(attempt(&json!({"httpGet": {"path": "/index.html", "port": 80}}), 1.0, &mut t, at, false), Ok(()));
        assert_eq!(attempt(&json!({"httpGet": {"path": "/", "port": "http"}}), 1.0, &mut t, at, false), Ok(()));
        assert_eq!(attempt(&json!({"httpGet": {"path": "/nope", "port": 80}}), 1.0, &mut t, at, false), Err("HTTP probe failed with statuscode: 404".into()));
        assert_eq!(
            attempt(&json!({"httpGet": {"path": "/healthz", "port": 8080}}), 1.0, &mut t, at, false),
            Err("Get \"http://10.244.1.5:8080/healthz\": dial tcp 10.244.1.5:8080: connect: connection refused".into())
        );
        assert_eq!(attempt(&json!({"tcpSocket": {"port": 81}}), 1.0, &mut t, at, false), Err("dial tcp 10.244.1.5:81: connect: connection refused".into()));
        assert_eq!(attempt(&json!({"exec": {"command": ["ls", "/usr/share/nginx/html/50x.html"]}}), 1.0, &mut t, at, false), Err("ls: cannot access '/usr/share/nginx/html/50x.html': No such file or directory\n".into()));
        assert_eq!(attempt(&json!({"exec": {"command": ["sh", "-c", "sleep 5"]}}), 1.0, &mut t, at, false), Err("command timed out: \"sh -c sleep 5\" timed out after 1s".into()));
        // A dry run leaves no trace; a real one does.
        let probe = json!({"exec": {"command": ["sh", "-c", "echo [$(date)] startup >> /root/log; test -e /root/startup"]}});
        assert!(attempt(&probe, 1.0, &mut t, at, true).is_err());
        assert!(!t.fs.exists("/root/log"));
        assert!(attempt(&probe, 1.0, &mut t, at, false).is_err());
        assert_eq!(t.fs.read("/root/log"), Ok("[Wed Nov 25 11:00:00 UTC 2026] startup\n"));
    }
}
