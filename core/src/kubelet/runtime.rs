//! What a container does once started: its program (from the image catalog) and its command
//! and args, read with a very small shell, become a plan: log lines at times, and whether and
//! when it exits with which code.

use serde_json::Value;

use crate::sim::clock::{Duration, Timestamp};

use super::images::{Image, Program};

/// A container's behaviour from its start.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Log lines and the second (from start) at which each is written.
    pub logs: Vec<(f64, String)>,
    /// When it exits (seconds from start) and with which code; `None` runs until stopped.
    pub exit: Option<(f64, i64)>,
    /// Ports it answers on.
    pub ports: Vec<i64>,
    /// Stops promptly on SIGTERM (else it is killed when the grace period ends).
    pub handles_term: bool,
    /// Killed for memory after this many seconds (OOMKilled).
    pub oom_after: Option<f64>,
    /// A loop that runs until the container stops (`while true; do date; sleep 1; done`): its
    /// lines follow `logs`, computed when due, never stored ahead.
    pub repeat: Option<Repeat>,
}

/// One turn of an endless loop, repeated every `period` seconds from `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Repeat {
    pub from: f64,
    pub period: f64,
    pub body: Vec<(f64, Line)>,
}

/// A log line a loop writes: fixed text, or the time (`date`).
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    Text(String),
    Date,
}

impl Plan {
    /// A plan that does nothing and runs until stopped.
    pub fn idle() -> Plan {
        Plan { logs: Vec::new(), exit: None, ports: Vec::new(), handles_term: true, oom_after: None, repeat: None }
    }

    /// The `n`th log line of a container started at `start`, and when (seconds from start).
    pub fn line(&self, n: usize, start: Timestamp) -> Option<(f64, String)> {
        if let Some((at, l)) = self.logs.get(n) {
            return Some((*at, l.clone()));
        }
        let r = self.repeat.as_ref()?;
        if r.body.is_empty() {
            return None;
        }
        let k = n - self.logs.len();
        let (turn, j) = (k / r.body.len(), k % r.body.len());
        let (offset, line) = &r.body[j];
        let at = r.from + turn as f64 * r.period + offset;
        let text = match line {
            Line::Text(t) => t.clone(),
            Line::Date => date(start.plus(Duration::from_millis((at * 1000.0) as i64))),
        };
        Some((at, text))
    }
}

fn env_value(container: &Value, name: &str) -> Option<String> {
    container["env"].as_array()?.iter().find(|e| e["name"] == name).map(|e| e["value"].as_str().unwrap_or_default().to_string())
}

fn expand(word: &str, container: &Value) -> String {
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let braced = chars.peek() == Some(&'{');
        if braced {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphanumeric() || n == '_' {
                name.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if braced && chars.peek() == Some(&'}') {
            chars.next();
        }
        if name.is_empty() {
            out.push('$');
        } else {
            out.push_str(&env_value(container, &name).unwrap_or_default());
        }
    }
    out
}

/// Splits a command line into words, honouring single and double quotes.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// `Wed Nov 25 11:00:00 UTC 2026`, as `date` prints.
pub fn date(t: Timestamp) -> String {
    let s = t.rfc3339();
    let (y, rest) = s.split_at(4);
    let month: usize = rest[1..3].parse().unwrap_or(1);
    let day: i64 = rest[4..6].parse().unwrap_or(1);
    let time = &rest[7..15];
    let days = t.unix_millis().div_euclid(86_400_000);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{weekday} {} {day:>2} {time} UTC {y}", months[month.saturating_sub(1).min(11)])
}

/// Runs a tiny shell script: echo, sleep, date, exit, true, false, infinite loops.
fn shell(script: &str, container: &Value, start: Timestamp, plan: &mut Plan) {
    let mut t = 0.0;
    let normalized = script.replace("&&", ";").replace('\n', ";");
    if normalized.contains("while true") || normalized.contains("while :") || normalized.contains("tail -f") || normalized.contains("sleep infinity") {
        // Runs forever; the statements before the loop still run once, then the loop's body
        // turns until the container is stopped.
        let stmts: Vec<&str> = normalized.split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
        let loop_at = stmts.iter().position(|s| s.starts_with("while")).unwrap_or(stmts.len());
        for stmt in &stmts[..loop_at] {
            run_statement(stmt, container, start, &mut t, plan);
            if plan.exit.is_some() {
                return;
            }
        }
        plan.exit = None;
        let body: Vec<&str> = stmts[loop_at..]
            .iter()
            .skip(1)
            .map(|s| s.strip_prefix("do ").unwrap_or(s).trim())
            .take_while(|s| *s != "done")
            .filter(|s| *s != "do")
            .collect();
        if !body.is_empty() {
            let mut turn = Plan::idle();
            let mut lines = Vec::new();
            let mut bt = 0.0;
            for stmt in body {
                if words(stmt).first().is_some_and(|w| w == "date") {
                    lines.push((bt, Line::Date));
                    continue;
                }
                let before = turn.logs.len();
                run_statement(stmt, container, start, &mut bt, &mut turn);
                lines.extend(turn.logs[before..].iter().map(|(at, l)| (*at, Line::Text(l.clone()))));
                if turn.exit.is_some() || bt.is_infinite() {
                    break;
                }
            }
            if bt.is_finite() {
                // A loop without a sleep would flood the log: count it as a turn a second.
                plan.repeat = Some(Repeat { from: t, period: if bt > 0.0 { bt } else { 1.0 }, body: lines });
            }
        }
        return;
    }
    let mut last_code = 0;
    for stmt in normalized.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        last_code = run_statement(stmt, container, start, &mut t, plan);
        if plan.exit.is_some() {
            return;
        }
    }
    plan.exit = Some((t, last_code));
}

fn run_statement(stmt: &str, container: &Value, start: Timestamp, t: &mut f64, plan: &mut Plan) -> i64 {
    let w: Vec<String> = words(stmt).into_iter().map(|w| expand(&w, container)).collect();
    let Some(cmd) = w.first() else { return 0 };
    let prog = cmd.rsplit('/').next().unwrap_or(cmd);
    match prog {
        "echo" => {
            plan.logs.push((*t, w[1..].join(" ")));
            0
        }
        "printenv" | "env" => {
            for e in container["env"].as_array().into_iter().flatten() {
                if w.len() > 1 && e["name"] != w[1].as_str() {
                    continue;
                }
                let line = if w.len() > 1 { e["value"].as_str().unwrap_or_default().to_string() } else { format!("{}={}", e["name"].as_str().unwrap_or_default(), e["value"].as_str().unwrap_or_default()) };
                plan.logs.push((*t, line));
            }
            0
        }
        "sleep" => {
            match w.get(1).map(String::as_str) {
                Some("infinity") | None => {
                    plan.exit = None;
                    *t = f64::INFINITY;
                }
                Some(n) => *t += n.trim_end_matches('s').parse::<f64>().unwrap_or(0.0),
            }
            if t.is_infinite() {
                plan.exit = Some((f64::INFINITY, 0));
            }
            0
        }
        "date" => {
            plan.logs.push((*t, date(start.plus(Duration::from_millis((*t * 1000.0) as i64)))));
            0
        }
        "exit" => {
            let code = w.get(1).and_then(|c| c.parse().ok()).unwrap_or(0);
            plan.exit = Some((*t, code));
            code
        }
        "true" | ":" | "cat" | "ls" | "mkdir" | "touch" | "cd" | "export" | "set" => 0,
        "false" => 1,
        "sh" | "bash" | "ash" => {
            if w.get(1).map(String::as_str) == Some("-c") {
                if let Some(script) = w.get(2) {
                    shell(script, container, start, plan);
                    return plan.exit.map_or(0, |(_, c)| c);
                }
            }
            0
        }
        other => {
            plan.logs.push((*t, format!("sh: {other}: not found")));
            127
        }
    }
}

/// The plan of a container of `image` started at `start`.
pub fn plan(image: &Image, container: &Value, start: Timestamp) -> Plan {
    let command: Vec<String> = container["command"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
    let args: Vec<String> = container["args"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
    let mut plan = Plan { handles_term: false, ..Plan::idle() };
    match &image.program {
        Program::Serve { ports, handles_term, require_env_any, binaries, .. }
            if command.first().is_none_or(|c| binaries.iter().any(|b| b == c.rsplit('/').next().unwrap_or(c))) =>
        {
            plan.handles_term = *handles_term;
            if !require_env_any.is_empty() && !require_env_any.iter().any(|e| env_value(container, e).is_some()) {
                plan.logs = image.fail_logs.iter().map(|l| (0.2, l.clone())).collect();
                plan.exit = Some((0.5, 1));
            } else {
                plan.ports = ports.clone();
                plan.logs = image.logs.iter().map(|l| (0.1, l.clone())).collect();
            }
        }
        Program::Exit { code, after_seconds } if command.is_empty() => {
            plan.logs = image.fail_logs.iter().map(|l| (*after_seconds, l.clone())).collect();
            plan.exit = Some((*after_seconds, *code));
        }
        Program::Leak { mebibytes_per_second } if command.is_empty() => {
            let limit = container["resources"]["limits"]["memory"].as_str().and_then(|m| crate::api::quantity::Quantity::parse(m).ok()).map(|q| q.value() as f64 / (1024.0 * 1024.0));
            plan.oom_after = limit.map(|l| (l / mebibytes_per_second).max(1.0));
        }
        other => {
            let default = match other {
                Program::Shell { default_command } => default_command.clone(),
                _ => Vec::new(),
            };
            // `command` replaces the image's entrypoint and `args` its default arguments; the
            // shell images have no entrypoint, only a default command.
            let argv: Vec<String> = if !command.is_empty() {
                command.into_iter().chain(args).collect()
            } else if !args.is_empty() {
                args
            } else {
                default
            };
            let line = argv.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { a.clone() }).collect::<Vec<_>>().join(" ");
            if argv.len() >= 3 && matches!(argv[0].rsplit('/').next(), Some("sh" | "bash" | "ash")) && argv[1] == "-c" {
                shell(&argv[2], container, start, &mut plan);
            } else if argv.first().is_some_and(|a| matches!(a.rsplit('/').next(), Some("sh" | "bash" | "ash"))) && argv.len() == 1 {
                // A shell with no script and no terminal exits at once.
                plan.exit = Some((0.0, 0));
            } else {
                shell(&line, container, start, &mut plan);
            }
            if plan.exit.is_some_and(|(t, _)| t.is_infinite()) {
                plan.exit = None;
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::images::Catalog;
    use serde_json::json;

    fn p(image: &str, container: Value) -> Plan {
        plan(Catalog::builtin().find(image).unwrap(), &container, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap())
    }

    #[test]
    fn programs() {
        assert_eq!(p("nginx", json!({})).exit, None);
        assert_eq!(p("nginx", json!({})).ports, [80]);
        assert_eq!(p("busybox", json!({})).exit, Some((0.0, 0)));
        let echo = p("busybox", json!({"command": ["sh", "-c", "echo hello $NAME; sleep 5; exit 3"], "env": [{"name": "NAME", "value": "world"}]}));
        assert_eq!(echo.logs, [(0.0, "hello world".to_string())]);
        assert_eq!(echo.exit, Some((5.0, 3)));
        assert_eq!(p("busybox", json!({"command": ["sleep", "3600"]})).exit, Some((3600.0, 0)));
        assert_eq!(p("busybox", json!({"command": ["sleep", "infinity"]})).exit, None);
        assert_eq!(p("busybox", json!({"args": ["-c", "while true; do date; sleep 1; done"], "command": ["sh"]})).exit, None);
        let mysql = p("mysql", json!({}));
        assert_eq!(mysql.exit, Some((0.5, 1)));
        assert!(p("mysql", json!({"env": [{"name": "MYSQL_ROOT_PASSWORD", "value": "x"}]})).exit.is_none());
        assert_eq!(p("busybox", json!({"command": ["nonsense"]})).exit, Some((0.0, 127)));
        assert_eq!(date(Timestamp::parse_rfc3339("2026-11-05T09:03:04Z").unwrap()), "Thu Nov  5 09:03:04 UTC 2026");
        // Arguments without a command replace busybox's default `sh`.
        let run = p("busybox", json!({"args": ["sh", "-c", "echo booting; exit 2"]}));
        assert_eq!((run.logs, run.exit), (vec![(0.0, "booting".to_string())], Some((0.0, 2))));
        let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap();
        let looping = p("busybox", json!({"command": ["sh", "-c", "echo start; while true; do echo tick; date; sleep 5; done"]}));
        assert_eq!(looping.exit, None);
        let lines: Vec<(f64, String)> = (0..5).filter_map(|n| looping.line(n, start)).collect();
        assert_eq!(
            lines,
            [
                (0.0, "start".to_string()),
                (0.0, "tick".to_string()),
                (0.0, "Wed Nov 25 11:00:00 UTC 2026".to_string()),
                (5.0, "tick".to_string()),
                (5.0, "Wed Nov 25 11:00:05 UTC 2026".to_string())
            ]
        );
    }
}
