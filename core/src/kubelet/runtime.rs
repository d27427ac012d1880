//! What a container does once started: its program (from the image catalog), or its command and
//! args run by the small shell, become a plan: output lines and file changes at times from the
//! start, and whether and when it exits with which code. Endless loops repeat a turn; their
//! lines are computed when due, never stored ahead.

use crate::sim::clock::{Duration, Timestamp};

use super::fs::Fs;
use super::images::{Image, Program};
use super::shell::{Effect, Flavor, Shell};

/// What the plan runs in: the container's files, environment and host name.
#[derive(Clone, Debug)]
pub struct Context {
    pub fs: Fs,
    pub env: Vec<(String, String)>,
    pub hostname: String,
    pub flavor: Flavor,
}

/// A container's behaviour from its start.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Output lines and the second (from start) at which each is written.
    pub logs: Vec<(f64, String)>,
    /// Changes to the container's files, and when.
    pub effects: Vec<(f64, Effect)>,
    /// When it exits (seconds from start) and with which code; `None` runs until stopped.
    pub exit: Option<(f64, i64)>,
    /// Ports it answers on.
    pub ports: Vec<i64>,
    /// Stops promptly on SIGTERM (else it is killed when the grace period ends).
    pub handles_term: bool,
    /// Killed for memory after this many seconds (OOMKilled).
    pub oom_after: Option<f64>,
    /// An endless loop after `logs`.
    pub repeat: Option<Repeat>,
}

/// One turn of an endless loop, every `period` seconds from `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Repeat {
    pub from: f64,
    pub period: f64,
    pub lines: Vec<(f64, String)>,
    pub effects: Vec<(f64, Effect)>,
    /// The turn prints the time: its lines are recomputed per turn by running it again.
    pub dated: Option<DatedTurn>,
}

/// A loop turn's script, environment and host name, to run again at each turn's time.
pub type DatedTurn = (String, Vec<(String, String)>, String);

/// Splits stamped output chunks into stamped lines.
fn lines(out: &[(f64, String)]) -> Vec<(f64, String)> {
    let mut v = Vec::new();
    for (t, chunk) in out {
        for l in chunk.split_inclusive('\n') {
            v.push((*t, l.trim_end_matches('\n').to_string()));
        }
    }
    v
}

impl Plan {
    /// A plan that does nothing and runs until stopped.
    pub fn idle() -> Plan {
        Plan { logs: Vec::new(), effects: Vec::new(), exit: None, ports: Vec::new(), handles_term: true, oom_after: None, repeat: None }
    }

    /// The `n`th output line of a container started at `start`, and when (seconds from start).
    pub fn line(&self, n: usize, start: Timestamp) -> Option<(f64, String)> {
        if let Some((at, l)) = self.logs.get(n) {
            return Some((*at, l.clone()));
        }
        let r = self.repeat.as_ref()?;
        if r.lines.is_empty() {
            return None;
        }
        let k = n - self.logs.len();
        let (turn, j) = (k / r.lines.len(), k % r.lines.len());
        let turn_start = r.from + turn as f64 * r.period;
        let (offset, text) = &r.lines[j];
        let text = match &r.dated {
            // Run the turn again at its own time to get its lines.
            Some((body, env, host)) => {
                let mut scratch = Fs::default();
                let mut sh = Shell::new(&mut scratch, env.clone(), start.plus(Duration::from_millis((turn_start * 1000.0) as i64)), Flavor::Busybox, host);
                sh.run(body);
                lines(&sh.out).get(j).map_or_else(|| text.clone(), |(_, l)| l.clone())
            }
            None => text.clone(),
        };
        Some((turn_start + offset, text))
    }

    /// The `n`th change to the files, and when.
    pub fn effect(&self, n: usize) -> Option<(f64, Effect)> {
        if let Some((at, e)) = self.effects.get(n) {
            return Some((*at, e.clone()));
        }
        let r = self.repeat.as_ref()?;
        if r.effects.is_empty() {
            return None;
        }
        let k = n - self.effects.len();
        let (turn, j) = (k / r.effects.len(), k % r.effects.len());
        let (offset, e) = &r.effects[j];
        Some((r.from + turn as f64 * r.period + offset, e.clone()))
    }
}

/// Is a variable set in the container's environment?
fn has_env(ctx: &Context, name: &str) -> bool {
    ctx.env.iter().any(|(k, _)| k == name)
}

/// The plan of a container of `image` with this command and args.
pub fn plan(image: &Image, command: &[String], args: &[String], ctx: &Context, start: Timestamp) -> Plan {
    let mut plan = Plan { handles_term: false, ..Plan::idle() };
    match &image.program {
        Program::Serve { ports, handles_term, require_env_any, binaries, port_env }
            if command.first().is_none_or(|c| binaries.iter().any(|b| b == c.rsplit('/').next().unwrap_or(c))) =>
        {
            plan.handles_term = *handles_term;
            if !require_env_any.is_empty() && !require_env_any.iter().any(|e| has_env(ctx, e)) {
                plan.logs = image.fail_logs.iter().map(|l| (0.2, l.clone())).collect();
                plan.exit = Some((0.5, 1));
            } else {
                plan.ports = ports.clone();
                let from_env = port_env.as_ref().and_then(|v| ctx.env.iter().rev().find(|(k, _)| k == v)).and_then(|(_, p)| p.trim().parse::<i64>().ok());
                if let (Some(p), Some(first)) = (from_env, plan.ports.first_mut()) {
                    *first = p;
                }
                plan.logs = image.logs.iter().map(|l| (0.1, l.clone())).collect();
            }
        }
        Program::Exit { code, after_seconds } if command.is_empty() => {
            plan.logs = image.fail_logs.iter().map(|l| (*after_seconds, l.clone())).collect();
            plan.exit = Some((*after_seconds, *code));
        }
        Program::Leak { .. } if command.is_empty() => {
            // The kubelet works out when the limit is reached.
        }
        other => {
            let default = match other {
                Program::Shell { default_command } => default_command.clone(),
                _ => Vec::new(),
            };
            // `command` replaces the image's entrypoint and `args` its default arguments; the
            // shell images have no entrypoint, only a default command.
            let argv: Vec<String> = if !command.is_empty() {
                command.iter().chain(args).cloned().collect()
            } else if !args.is_empty() {
                args.to_vec()
            } else {
                default
            };
            run_argv(&argv, ctx, start, &mut plan);
        }
    }
    plan
}

/// Quotes a word for a shell line when it needs it.
fn quote(w: &str) -> String {
    if w.is_empty() || w.chars().any(|c| c.is_whitespace() || "'\"$;&|<>()".contains(c)) {
        format!("'{}'", w.replace('\'', "'\\''"))
    } else {
        w.to_string()
    }
}

fn run_argv(argv: &[String], ctx: &Context, start: Timestamp, plan: &mut Plan) {
    let mut fs = ctx.fs.clone();
    let mut sh = Shell::new(&mut fs, ctx.env.clone(), start, ctx.flavor, &ctx.hostname);
    let is_shell = argv.first().is_some_and(|a| matches!(a.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash")));
    let code = if is_shell && argv.len() == 1 {
        // A shell with no script and no terminal exits at once.
        0
    } else {
        let line: Vec<String> = argv.iter().map(|a| quote(a)).collect();
        sh.run(&line.join(" "))
    };
    plan.logs = lines(&sh.out);
    plan.effects = sh.effects.clone();
    if let Some(l) = sh.forever.clone() {
        let dated = l.dated.then(|| (l.body.clone(), ctx.env.clone(), ctx.hostname.clone()));
        plan.repeat = Some(Repeat { from: l.from, period: l.period, lines: lines(&l.output), effects: l.effects, dated });
        plan.exit = None;
    } else if sh.endless {
        plan.exit = None;
    } else {
        plan.exit = Some((sh.t, sh.exited.unwrap_or(code)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::images::Catalog;

    fn p(image: &str, command: &[&str], args: &[&str], env: &[(&str, &str)]) -> Plan {
        let ctx = Context {
            fs: Fs::with(&[], &["/tmp".into(), "/root".into()]),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            hostname: "pod".into(),
            flavor: Flavor::Busybox,
        };
        let c: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        plan(Catalog::builtin().find(image).unwrap(), &c, &a, &ctx, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap())
    }

    #[test]
    fn programs() {
        assert_eq!(p("nginx", &[], &[], &[]).exit, None);
        assert_eq!(p("nginx", &[], &[], &[]).ports, [80]);
        assert_eq!(p("busybox", &[], &[], &[]).exit, Some((0.0, 0)));
        let echo = p("busybox", &["sh", "-c", "echo hello $NAME; sleep 5; exit 3"], &[], &[("NAME", "world")]);
        assert_eq!(echo.logs, [(0.0, "hello world".to_string())]);
        assert_eq!(echo.exit, Some((5.0, 3)));
        assert_eq!(p("busybox", &["sleep", "3600"], &[], &[]).exit, Some((3600.0, 0)));
        assert_eq!(p("busybox", &["sleep", "infinity"], &[], &[]).exit, None);
        assert_eq!(p("busybox", &["sh"], &["-c", "while true; do date; sleep 1; done"], &[]).exit, None);
        assert_eq!(p("mysql", &[], &[], &[]).exit, Some((0.5, 1)));
        assert!(p("mysql", &[], &[], &[("MYSQL_ROOT_PASSWORD", "x")]).exit.is_none());
        assert_eq!(p("busybox", &["nonsense"], &[], &[]).exit, Some((0.0, 127)));
        // Arguments without a command replace busybox's default `sh`.
        let run = p("busybox", &[], &["sh", "-c", "echo booting; exit 2"], &[]);
        assert_eq!((run.logs, run.exit), (vec![(0.0, "booting".to_string())], Some((0.0, 2))));
        let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap();
        let looping = p("busybox", &["sh", "-c", "echo start; while true; do echo tick; date; sleep 5; done"], &[], &[]);
        assert_eq!(looping.exit, None);
        let got: Vec<(f64, String)> = (0..5).filter_map(|n| looping.line(n, start)).collect();
        assert_eq!(
            got,
            [
                (0.0, "start".to_string()),
                (0.0, "tick".to_string()),
                (0.0, "Wed Nov 25 11:00:00 UTC 2026".to_string()),
                (5.0, "tick".to_string()),
                (5.0, "Wed Nov 25 11:00:05 UTC 2026".to_string())
            ]
        );
        // The docs' liveness example: a file that exists for 30 seconds.
        let live = p("busybox", &["sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"], &[], &[]);
        assert_eq!(live.effects.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [0.0, 30.0]);
        assert_eq!(live.exit, Some((630.0, 0)));
    }
}
