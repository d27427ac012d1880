//! Scripts of kubectl commands, the format the scenario tests and `hakoniwa script` share:
//!
//! ```text
//! $ kubectl get pods              one command per `$ ` line
//! $ kubectl apply -f - <<EOF      a heredoc is the command's standard input
//! ...
//! EOF
//! NAME   READY ...                expected output (stdout and stderr together), then
//! [exit 1]                        the exit code when it is not 0
//! @ advance 30                    directives: move the clock, change the machines
//! ```
//!
//! `hakoniwa script` also reads bare command lines (without `$ `) and `# advance 30s`,
//! `# settle`, `# preset kind`, `# seed 7` directives.

use hakoniwa_core::cluster::Preset;
use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Duration, Timestamp};

/// One command or directive, and the output recorded for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub command: String,
    pub stdin: Option<String>,
    pub expected: String,
    /// `$ COMMAND #sorted`: output lines compare in sorted order.
    pub sorted: bool,
    /// `$ COMMAND #ages`: ages kubectl computes from its own clock (describe's event and pod
    /// ages) compare as `<age>`: the real kubectl's clock is the wall's, ours the simulation's.
    pub ages: bool,
}

impl Step {
    pub fn is_directive(&self) -> bool {
        self.command.starts_with("@ ")
    }
}

/// Reads a script. With `bare`, lines that are not `$ ` commands, directives or `EOF` are
/// commands too (the `hakoniwa script` form) instead of expected output.
pub fn parse(text: &str, bare: bool) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let directive = if let Some(d) = line.strip_prefix("@ ") {
            Some(d.to_string())
        } else if bare {
            line.strip_prefix("# ").and_then(|d| {
                let w: Vec<&str> = d.split_whitespace().collect();
                match w.as_slice() {
                    ["advance", t] => Some(format!("advance {}", seconds(t)?)),
                    ["settle"] => Some("advance 0".to_string()),
                    ["preset", p] => Some(format!("preset {p}")),
                    ["seed", s] => Some(format!("seed {s}")),
                    _ => None,
                }
            })
        } else {
            None
        };
        if let Some(d) = directive {
            steps.push(Step { command: format!("@ {d}"), stdin: None, expected: String::new(), sorted: false, ages: false });
            continue;
        }
        let cmd = match line.strip_prefix("$ ") {
            Some(c) => c,
            None if bare && !line.trim().is_empty() && !line.trim_start().starts_with('#') => line,
            None => {
                if let Some(last) = steps.last_mut() {
                    last.expected.push_str(line);
                    last.expected.push('\n');
                }
                continue;
            }
        };
        let (command, stdin) = match cmd.split_once(" <<EOF") {
            Some((c, _)) => {
                let mut body = String::new();
                for l in lines.by_ref() {
                    if l == "EOF" {
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                (c.to_string(), Some(body))
            }
            None => (cmd.to_string(), None),
        };
        let (command, ages) = match command.strip_suffix(" #ages") {
            Some(c) => (c.to_string(), true),
            None => (command, false),
        };
        let (command, sorted) = match command.strip_suffix(" #sorted") {
            Some(c) => (c.to_string(), true),
            None => (command, false),
        };
        steps.push(Step { command, stdin, expected: String::new(), sorted, ages });
    }
    steps
}

/// `30s`, `2m`, `1h`, `30` → seconds.
fn seconds(t: &str) -> Option<String> {
    let (num, mult) = match t.chars().last()? {
        's' => (&t[..t.len() - 1], 1.0),
        'm' => (&t[..t.len() - 1], 60.0),
        'h' => (&t[..t.len() - 1], 3600.0),
        _ => (t, 1.0),
    };
    let n: f64 = num.parse().ok()?;
    Some(format!("{}", n * mult))
}

/// Writes steps back with their outputs (the scenario format).
pub fn render(steps: &[Step], outputs: &[String]) -> String {
    let mut out = String::new();
    for (s, o) in steps.iter().zip(outputs) {
        if s.is_directive() {
            out.push_str(&s.command);
            out.push('\n');
            out.push_str(o);
            continue;
        }
        out.push_str("$ ");
        out.push_str(&s.command);
        if s.sorted {
            out.push_str(" #sorted");
        }
        if s.ages {
            out.push_str(" #ages");
        }
        if let Some(body) = &s.stdin {
            out.push_str(" <<EOF\n");
            out.push_str(body);
            out.push_str("EOF");
        }
        out.push('\n');
        out.push_str(o);
    }
    out
}

/// Output as the scenario format records it: a final newline, sorted lines for `#sorted`,
/// `[exit N]` when N is not 0.
pub fn record(step: &Step, text: &str, code: i32) -> String {
    let mut text = text.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if step.sorted {
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        text = lines.iter().map(|l| format!("{l}\n")).collect();
    }
    if code != 0 {
        text.push_str(&format!("[exit {code}]\n"));
    }
    text
}

/// The time scenario clusters start at.
pub const START: &str = "2026-11-25T11:00:00Z";

/// A cluster and the emulated kubectl that talks to it.
pub struct Session {
    pub cluster: Cluster,
    pub kubectl: Kubectl,
}

impl Session {
    pub fn boot(preset: &str, seed: u64) -> Result<Session, String> {
        let preset = Preset::builtin(preset).map_err(|e| e.to_string())?;
        let context = preset.context.clone();
        let start = Timestamp::parse_rfc3339(START).ok_or("bad start time")?;
        let cluster = Cluster::boot(preset, seed, start).map_err(|e| e.to_string())?;
        Ok(Session { cluster, kubectl: Kubectl::new(&context) })
    }

    /// Runs one step; directives print nothing when they work.
    pub fn step(&mut self, step: &Step) -> String {
        if let Some(d) = step.command.strip_prefix("@ ") {
            return self.directive(d);
        }
        let out = self.kubectl.run(&mut self.cluster, &step.command, step.stdin.as_deref());
        record(step, &out.text(), out.exit)
    }

    fn directive(&mut self, d: &str) -> String {
        let words: Vec<&str> = d.split_whitespace().collect();
        match words.as_slice() {
            ["advance", secs] => match secs.parse::<f64>() {
                Ok(s) if s.is_finite() && s >= 0.0 => {
                    self.cluster.advance(Duration::from_secs_f64(s));
                    String::new()
                }
                _ => format!("advance failed: {secs} is not a number of seconds\n"),
            },
            // The in-process clock only moves when told (commands that wait move it).
            ["speed", _] | ["preset", _] | ["seed", _] => String::new(),
            ["add-node"] => match self.cluster.add_node() {
                Ok(_) => String::new(),
                Err(e) => format!("add-node failed: {e}\n"),
            },
            ["stop-node", n] => if self.cluster.stop_node(n) { String::new() } else { format!("stop-node failed: no node {n}\n") },
            ["start-node", n] => if self.cluster.start_node(n) { String::new() } else { format!("start-node failed: no node {n}\n") },
            _ => format!("unknown directive: @ {d}\n"),
        }
    }

    /// Puts every file under `dir` into the emulator's file system, paths relative to it.
    pub fn load_files(&mut self, dir: &std::path::Path) {
        fn walk(base: &std::path::Path, dir: &std::path::Path, k: &mut Kubectl) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, k);
                } else if let (Ok(rel), Ok(text)) = (p.strip_prefix(base), std::fs::read_to_string(&p)) {
                    k.files.write(&rel.to_string_lossy(), text);
                }
            }
        }
        walk(dir, dir, &mut self.kubectl);
    }
}

/// The preset and seed a script asks for in its first directives.
pub fn preset_and_seed(steps: &[Step]) -> (String, u64) {
    let mut preset = "kind".to_string();
    let mut seed = 1;
    for s in steps.iter().take_while(|s| s.is_directive()) {
        if let Some(p) = s.command.strip_prefix("@ preset ") {
            preset = p.trim().to_string();
        }
        if let Some(n) = s.command.strip_prefix("@ seed ").and_then(|n| n.trim().parse().ok()) {
            seed = n;
        }
    }
    (preset, seed)
}

/// Whether an output matches what a step recorded (ages normalised for `#ages` steps).
pub fn matches(step: &Step, got: &str) -> bool {
    if step.ages {
        normalize_ages(got) == normalize_ages(&step.expected)
    } else {
        got == step.expected
    }
}

/// Replaces words that are Kubernetes ages (`30s`, `5h2m`, `3d`, `<invalid>`) by `<age>` and
/// runs of spaces by one, so columns that line up around ages compare too.
pub fn normalize_ages(text: &str) -> String {
    let is_age = |w: &str| {
        let w = w.trim_end_matches([',', ')']);
        if w == "<invalid>" || w == "<unknown>" {
            return true;
        }
        !w.is_empty()
            && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_digit() || matches!(c, 'y' | 'd' | 'h' | 'm' | 's'))
            && w.chars().last().is_some_and(|c| matches!(c, 'y' | 'd' | 'h' | 'm' | 's'))
    };
    text.lines()
        .map(|l| l.split_whitespace().map(|w| if is_age(w) { "<age>" } else { w }).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}
