//! A small POSIX-like shell over a container's files: what the simulated images run for their
//! command and args, for exec probes and for `kubectl exec`. It knows the handful of commands
//! the guide's examples use (echo, cat, ls, rm, touch, mkdir, test, sleep, date, env, ...),
//! `;` `&&` `||` `|`, redirections, here-documents, `$VAR` and `$(...)`, `if`, `for` and endless
//! `while` loops. The learner's terminal runs the same shell, with kubectl added by a [`Host`].
//! Time only moves with `sleep`: output and file changes are stamped with the second they
//! happen at, so a container's plan can replay them as the clock moves.

use crate::sim::clock::{Duration, Timestamp};

use super::fs::{normalize, Fs};
use super::heredoc;

mod files;
pub use files::glob_match;
mod text;

/// Marks a `$` inside double quotes for the expander: what it gives stays one word.
const QUOTED_DOLLAR: char = '\u{1}';
/// Marks an unquoted `$`: what it gives is split into words at blanks.
const BARE_DOLLAR: char = '\u{2}';

/// Programs the shell's host adds to the built-in ones (the learner's terminal adds kubectl).
pub trait Host {
    /// Runs `argv` when it is one of the host's programs, with the shell's files, working
    /// directory and time (`t` seconds after the shell started): what it wrote, its exit status
    /// and how long it took. `None` when the program is not the host's.
    fn run(&mut self, fs: &mut Fs, cwd: &str, t: f64, argv: &[String], stdin: Option<String>) -> Option<Outcome>;

    /// The next command is a statement ended by `&` (its text), or no longer: a host that has
    /// jobs runs its program in the background. Others run it at once, as if `;` ended it.
    fn background(&mut self, _statement: Option<&str>) {}
}

/// What a program wrote, in order (`true`: to standard error), its exit status and how many
/// seconds it took.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub out: Vec<(bool, String)>,
    pub code: i64,
    pub took: f64,
}

/// Whose wording errors use: BusyBox (busybox, alpine), GNU/Debian's `sh` (nginx, ubuntu,
/// debian), or an interactive bash (the learner's terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    #[default]
    Busybox,
    Gnu,
    Bash,
}

/// A change to the files, stamped so a plan can apply it when it happens.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Write { path: String, content: String, append: bool },
    Remove { path: String, recursive: bool },
    Mkdir { path: String },
    /// Zeros appended to a file (`dd if=/dev/zero`).
    Zeros { path: String, bytes: u64 },
}

impl Effect {
    pub fn apply(&self, fs: &mut Fs) {
        match self {
            Effect::Write { path, content, append } => {
                let _ = fs.write(path, content, *append);
            }
            Effect::Remove { path, recursive } => {
                let _ = fs.remove(path, *recursive);
            }
            Effect::Mkdir { path } => fs.mkdir_p(path),
            Effect::Zeros { path, bytes } => {
                let _ = fs.append_zeros(path, *bytes);
            }
        }
    }
}

/// An endless loop's body: its output and effects for one turn, every `period` seconds from
/// `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Loop {
    pub from: f64,
    pub period: f64,
    pub output: Vec<(f64, String)>,
    pub effects: Vec<(f64, Effect)>,
    /// The turn writes the time (`date`): its lines are computed per turn.
    pub dated: bool,
    pub body: String,
}

pub struct Shell<'a> {
    pub fs: &'a mut Fs,
    pub env: Vec<(String, String)>,
    /// The time at `t = 0`.
    pub start: Timestamp,
    pub t: f64,
    pub flavor: Flavor,
    pub hostname: String,
    pub cwd: String,
    /// Standard output and error, in order, stamped.
    pub out: Vec<(f64, String)>,
    pub effects: Vec<(f64, Effect)>,
    /// Set by `exit`.
    pub exited: Option<i64>,
    /// The script never ends (an endless loop, `sleep infinity`).
    pub forever: Option<Loop>,
    pub endless: bool,
    last: i64,
    depth: u32,
    /// Output of the current command substitution or pipe stage, when captured.
    capture: Option<String>,
    stdin: Option<String>,
    heredocs: Vec<heredoc::Body>,
    /// Programs beyond the built-in ones.
    pub host: Option<&'a mut dyn Host>,
    /// Standard output is a terminal (`kubectl exec -t`): `ls` prints columns.
    pub tty: bool,
}

const MAX_DEPTH: u32 = 16;
const MAX_FOR_ITEMS: usize = 1000;

/// Splits a line into words, honouring quotes; `$(...)` stays one piece for later expansion.
/// Each word remembers whether it was quoted (quoted words are not split or treated as operators).
fn tokenize(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('"'), '"') => quote = None,
            (Some('"'), '\\') => {
                if let Some(&n) = chars.peek() {
                    if matches!(n, '"' | '\\' | '$' | '`') {
                        cur.push(n);
                        chars.next();
                        continue;
                    }
                }
                cur.push('\\');
            }
            (Some(q), c) => {
                // Inside double quotes `$` still expands: mark it for the expander.
                if q == '"' && c == '$' {
                    cur.push(QUOTED_DOLLAR);
                } else {
                    cur.push(c);
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                quoted = true;
                any = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    quoted = true;
                }
            }
            (None, '$') if chars.peek() == Some(&'(') => {
                // Keep $( ... ) together, nested parentheses included.
                cur.push(BARE_DOLLAR);
                chars.next();
                let (inner, closed) = balanced(&mut chars);
                cur.push('(');
                cur.push_str(&inner);
                if closed {
                    cur.push(')');
                }
            }
            (None, '$') => cur.push(BARE_DOLLAR),
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push((std::mem::take(&mut cur), quoted));
                    quoted = false;
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push((cur, quoted));
    }
    out
}

/// Splits a script at `;`, newlines, `&&`, `||` and `|` outside quotes and `$( )`; returns the
/// pieces with the operator that follows each.
fn split_statements(script: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut paren = 0;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            cur.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                cur.push(c);
            }
            '(' => {
                paren += 1;
                cur.push(c);
            }
            ')' => {
                paren -= 1;
                cur.push(c);
            }
            ';' | '\n' if paren == 0 => out.push((std::mem::take(&mut cur), ";")),
            '&' if paren == 0 && chars.peek() == Some(&'&') => {
                chars.next();
                out.push((std::mem::take(&mut cur), "&&"));
            }
            '|' if paren == 0 && chars.peek() == Some(&'|') => {
                chars.next();
                out.push((std::mem::take(&mut cur), "||"));
            }
            '|' if paren == 0 => out.push((std::mem::take(&mut cur), "|")),
            // A redirection (`2>&1`, `>&2`, `&>file`), not a list operator.
            '&' if cur.ends_with(['>', '<']) || chars.peek() == Some(&'>') => cur.push(c),
            '&' if paren == 0 => out.push((std::mem::take(&mut cur), "&")),
            _ => cur.push(c),
        }
    }
    out.push((cur, ";"));
    out.into_iter().map(|(s, op)| (s.trim().to_string(), op)).filter(|(s, _)| !s.is_empty()).collect()
}

/// Whether a script is one simple command: no lists, pipes or redirections (the terminal lets
/// such a command go on in the foreground, as `kubectl get -w` does).
pub fn is_simple_command(script: &str) -> bool {
    let script = heredoc::extract(script, &mut Vec::new());
    let stmts = split_statements(&script);
    stmts.len() == 1 && stmts[0].1 == ";" && tokenize(&stmts[0].0).iter().all(|(t, quoted)| *quoted || !(t.starts_with('>') || t.starts_with('<') || t.starts_with("2>") || t.starts_with("1>")))
}

fn first_word(stmt: &str) -> &str {
    stmt.split_whitespace().next().unwrap_or("")
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

impl<'a> Shell<'a> {
    pub fn new(fs: &'a mut Fs, env: Vec<(String, String)>, start: Timestamp, flavor: Flavor, hostname: &str) -> Self {
        Shell {
            fs,
            env,
            start,
            t: 0.0,
            flavor,
            hostname: hostname.to_string(),
            cwd: "/".to_string(),
            out: Vec::new(),
            effects: Vec::new(),
            exited: None,
            forever: None,
            endless: false,
            last: 0,
            depth: 0,
            capture: None,
            stdin: None,
            heredocs: Vec::new(),
            host: None,
            tty: false,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.start.plus(Duration::from_millis((self.t * 1000.0) as i64))
    }

    /// Everything written so far, as one text.
    pub fn output(&self) -> String {
        self.out.iter().map(|(_, s)| s.as_str()).collect()
    }

    fn emit(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match &mut self.capture {
            Some(buf) => buf.push_str(text),
            None => self.out.push((self.t, text.to_string())),
        }
    }

    fn err(&mut self, text: &str) {
        // Errors go to the terminal even inside a pipe or substitution.
        self.out.push((self.t, format!("{text}\n")));
    }

    fn effect(&mut self, e: Effect) -> Result<(), super::fs::FsError> {
        self.fs.clock = self.now().unix_millis().div_euclid(1000);
        let r = match &e {
            Effect::Write { path, content, append } => self.fs.write(path, content, *append),
            Effect::Remove { path, recursive } => self.fs.remove(path, *recursive),
            Effect::Mkdir { path } => {
                self.fs.mkdir_p(path);
                Ok(())
            }
            Effect::Zeros { path, bytes } => self.fs.append_zeros(path, *bytes),
        };
        if r.is_ok() {
            self.effects.push((self.t, e));
        }
        r
    }

    fn var(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.last.to_string()),
            "HOSTNAME" if !self.env.iter().any(|(k, _)| k == "HOSTNAME") => Some(self.hostname.clone()),
            _ => self.env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        }
    }

    fn set_var(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    /// Expands `$VAR`, `${VAR}`, `$?` and `$(...)` in a tokenized word, as one text (for
    /// assignments, redirections and here-documents, which are not split into words).
    fn expand(&mut self, word: &str) -> String {
        self.expand_parts(word).into_iter().map(|(text, _)| text).collect()
    }

    /// Expands a command's word into the words it makes: what an unquoted expansion gives is
    /// split at blanks (and makes no word when it is empty), quoted text stays whole.
    fn expand_fields(&mut self, word: &str, quoted: bool) -> Vec<String> {
        let mut fields = Vec::new();
        let mut cur = String::new();
        // Whether `cur` is a word even when empty (quotes were there, or text).
        let mut real = quoted;
        for (text, split) in self.expand_parts(word) {
            if !split {
                cur.push_str(&text);
                real |= !text.is_empty();
                continue;
            }
            if text.starts_with(char::is_whitespace) && (real || !cur.is_empty()) {
                fields.push(std::mem::take(&mut cur));
                real = false;
            }
            let pieces: Vec<&str> = text.split_whitespace().collect();
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    fields.push(std::mem::take(&mut cur));
                }
                cur.push_str(piece);
                real = true;
            }
            if !pieces.is_empty() && text.ends_with(char::is_whitespace) {
                fields.push(std::mem::take(&mut cur));
                real = false;
            }
        }
        if real || !cur.is_empty() {
            fields.push(cur);
        }
        fields
    }

    /// The pieces of an expanded word, each with whether it came from an unquoted expansion.
    fn expand_parts(&mut self, word: &str) -> Vec<(String, bool)> {
        let mut parts: Vec<(String, bool)> = Vec::new();
        let mut literal = String::new();
        let mut chars = word.chars().peekable();
        while let Some(c) = chars.next() {
            if c != QUOTED_DOLLAR && c != BARE_DOLLAR {
                literal.push(c);
                continue;
            }
            let value = match chars.peek() {
                Some('(') => {
                    chars.next();
                    let (inner, _) = balanced(&mut chars);
                    let captured = self.substitute(&inner.replace([QUOTED_DOLLAR, BARE_DOLLAR], "$"));
                    captured.trim_end_matches('\n').to_string()
                }
                Some('{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    self.var(&name).unwrap_or_default()
                }
                Some('?') => {
                    chars.next();
                    self.last.to_string()
                }
                _ => {
                    let mut name = String::new();
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_alphanumeric() || n == '_' {
                            name.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    if name.is_empty() {
                        literal.push('$');
                        continue;
                    }
                    self.var(&name).unwrap_or_default()
                }
            };
            if !literal.is_empty() {
                parts.push((std::mem::take(&mut literal), false));
            }
            parts.push((value, c == BARE_DOLLAR));
        }
        if !literal.is_empty() {
            parts.push((literal, false));
        }
        parts
    }

    /// Runs a command substitution and returns what it printed.
    fn substitute(&mut self, script: &str) -> String {
        let saved = self.capture.replace(String::new());
        let saved_exit = self.exited;
        self.run(script);
        self.exited = saved_exit;
        std::mem::replace(&mut self.capture, saved).unwrap_or_default()
    }

    /// Runs a script; returns the status of its last command.
    pub fn run(&mut self, script: &str) -> i64 {
        if self.depth >= MAX_DEPTH {
            self.err("sh: too deeply nested");
            return 2;
        }
        self.depth += 1;
        let script = heredoc::extract(script, &mut self.heredocs).replace("\\\n", "");
        let stmts = split_statements(&script);
        let code = self.run_list(&stmts);
        self.depth -= 1;
        code
    }

    fn done(&self) -> bool {
        self.exited.is_some() || self.endless
    }

    /// Runs a statement list with `if`/`for`/`while` blocks.
    fn run_list(&mut self, stmts: &[(String, &'static str)]) -> i64 {
        let mut i = 0;
        let mut skip_next_unless: Option<bool> = None;
        while i < stmts.len() && !self.done() {
            let (stmt, op) = (&stmts[i].0, stmts[i].1);
            let kw = first_word(stmt);
            // A block: find its end, run it as one command.
            if matches!(kw, "if" | "for" | "while" | "until") {
                let end = block_end(stmts, i);
                let run = match skip_next_unless {
                    Some(want) => (self.last == 0) == want,
                    None => true,
                };
                if run {
                    let block = &stmts[i..=end.min(stmts.len() - 1)];
                    self.last = self.run_block(block);
                }
                let op = stmts.get(end).map_or(";", |s| s.1);
                skip_next_unless = match op {
                    "&&" => Some(true),
                    "||" => Some(false),
                    _ => None,
                };
                i = end + 1;
                continue;
            }
            let run = match skip_next_unless {
                Some(want) => (self.last == 0) == want,
                None => true,
            };
            if op == "|" {
                // A pipeline: each stage's output is the next one's input.
                let mut j = i;
                while j < stmts.len() && stmts[j].1 == "|" {
                    j += 1;
                }
                let end_op = stmts.get(j).map_or(";", |s| s.1);
                if run {
                    let mut input: Option<String> = None;
                    for (k, (s, _)) in stmts[i..=j.min(stmts.len() - 1)].iter().enumerate() {
                        let last_stage = i + k == j.min(stmts.len() - 1);
                        self.stdin = input.take();
                        if last_stage {
                            self.last = self.simple(s);
                        } else {
                            let saved = self.capture.replace(String::new());
                            self.last = self.simple(s);
                            input = std::mem::replace(&mut self.capture, saved);
                        }
                    }
                    self.stdin = None;
                }
                skip_next_unless = match end_op {
                    "&&" => Some(true),
                    "||" => Some(false),
                    _ => None,
                };
                i = j + 1;
                continue;
            }
            if run {
                if op == "&" {
                    if let Some(h) = self.host.as_mut() {
                        h.background(Some(stmt));
                    }
                }
                self.last = self.simple(stmt);
                if op == "&" {
                    if let Some(h) = self.host.as_mut() {
                        h.background(None);
                    }
                    self.last = 0;
                }
            }
            skip_next_unless = match op {
                "&&" => Some(true),
                "||" => Some(false),
                _ => None,
            };
            i += 1;
        }
        self.last
    }

    fn run_block(&mut self, block: &[(String, &'static str)]) -> i64 {
        let head = &block[0].0;
        let kw = first_word(head);
        let strip = |s: &str, k: &str| s.trim().strip_prefix(k).map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        // Statements with leading keywords (`then x`, `do x`) count as `x`.
        let mut body: Vec<(String, &'static str)> = Vec::new();
        for (s, op) in &block[1..] {
            body.push((s.clone(), *op));
        }
        match kw {
            "if" => {
                // if COND; then A; [elif ...] [else B;] fi
                let mut cond = vec![(strip(head, "if").unwrap_or_default(), ";")];
                let mut then_part = Vec::new();
                let mut else_part = Vec::new();
                let mut stage = 0;
                let mut depth = 0;
                for (s, op) in body {
                    let w = first_word(&s).to_string();
                    if matches!(w.as_str(), "if" | "for" | "while" | "until") {
                        depth += 1;
                    }
                    if depth == 0 && w == "then" {
                        stage = 1;
                        if let Some(r) = strip(&s, "then") {
                            then_part.push((r, op));
                        }
                        continue;
                    }
                    if depth == 0 && w == "else" {
                        stage = 2;
                        if let Some(r) = strip(&s, "else") {
                            else_part.push((r, op));
                        }
                        continue;
                    }
                    if w == "fi" {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                    }
                    if matches!(w.as_str(), "done") && depth > 0 {
                        depth -= 1;
                    }
                    match stage {
                        0 => cond.push((s, op)),
                        1 => then_part.push((s, op)),
                        _ => else_part.push((s, op)),
                    }
                }
                cond.retain(|(s, _)| !s.is_empty());
                let c = self.run_list(&cond);
                if self.done() {
                    return c;
                }
                if c == 0 {
                    self.run_list(&then_part)
                } else if else_part.is_empty() {
                    0
                } else {
                    self.run_list(&else_part)
                }
            }
            "for" => {
                // for VAR in ITEMS; do BODY; done
                let words = tokenize(&strip(head, "for").unwrap_or_default());
                let var = words.first().map(|(w, _)| w.clone()).unwrap_or_default();
                let items: Vec<String> = words.iter().skip(2).flat_map(|(w, quoted)| self.expand_fields(w, *quoted)).take(MAX_FOR_ITEMS).collect();
                let inner = loop_body(&body);
                let mut code = 0;
                for item in items {
                    self.set_var(&var, &item);
                    code = self.run_list(&inner);
                    if self.done() {
                        break;
                    }
                }
                code
            }
            _ => {
                // while/until COND; do BODY; done
                let cond_text = strip(head, kw).unwrap_or_default();
                let inner = loop_body(&body);
                let endless = kw == "while" && matches!(cond_text.as_str(), "true" | ":" | "[ 1 ]");
                if endless {
                    self.endless_loop(&inner);
                    return 0;
                }
                let mut code = 0;
                for _ in 0..MAX_FOR_ITEMS {
                    let c = self.run(&cond_text);
                    let go = if kw == "while" { c == 0 } else { c != 0 };
                    if !go || self.done() {
                        break;
                    }
                    code = self.run_list(&inner);
                    if self.done() {
                        break;
                    }
                }
                code
            }
        }
    }

    /// `while true; do BODY; done`: one turn is run to learn what it does; the rest repeats.
    fn endless_loop(&mut self, body: &[(String, &'static str)]) {
        let from = self.t;
        let out_before = self.out.len();
        let eff_before = self.effects.len();
        let body_text: String = body.iter().map(|(s, op)| format!("{s} {op} ")).collect();
        self.run_list(body);
        if self.exited.is_some() {
            return;
        }
        let period = if self.t > from { self.t - from } else { 1.0 };
        let output: Vec<(f64, String)> = self.out[out_before..].iter().map(|(t, s)| (t - from, s.clone())).collect();
        let effects: Vec<(f64, Effect)> = self.effects[eff_before..].iter().map(|(t, e)| (t - from, e.clone())).collect();
        self.out.truncate(out_before);
        self.effects.truncate(eff_before);
        self.t = from;
        let dated = body_text.contains("date");
        self.forever = Some(Loop { from, period, output, effects, dated, body: body_text });
        self.endless = true;
    }

    fn not_found(&mut self, cmd: &str) -> i64 {
        let msg = match self.flavor {
            Flavor::Busybox => format!("sh: {cmd}: not found"),
            Flavor::Gnu => format!("sh: 1: {cmd}: not found"),
            Flavor::Bash => format!("bash: {cmd}: command not found"),
        };
        self.err(&msg);
        127
    }

    fn fail(&mut self, tool: &str, busybox: String, gnu: String) {
        let m = match self.flavor {
            Flavor::Busybox => format!("{tool}: {busybox}"),
            Flavor::Gnu | Flavor::Bash => format!("{tool}: {gnu}"),
        };
        self.err(&m);
    }

    /// One simple command with its redirections.
    fn simple(&mut self, stmt: &str) -> i64 {
        let tokens = tokenize(stmt);
        let mut words: Vec<String> = Vec::new();
        let mut redirect: Option<(String, bool)> = None;
        let mut silence_err = false;
        let mut assignments: Vec<(String, String)> = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some((tok, quoted)) = iter.next() {
            if !quoted {
                if let Some(rest) = tok.strip_prefix(">>").or_else(|| tok.strip_prefix("1>>")) {
                    let target = if rest.is_empty() { iter.next().map(|t| t.0).unwrap_or_default() } else { rest.to_string() };
                    redirect = Some((self.expand(&target), true));
                    continue;
                }
                if tok == "2>&1" || tok == ">&2" || tok == "1>&2" {
                    continue;
                }
                if let Some(rest) = tok.strip_prefix("2>") {
                    let target = if rest.is_empty() { iter.next().map(|t| t.0).unwrap_or_default() } else { rest.to_string() };
                    silence_err = target == "/dev/null";
                    continue;
                }
                if let Some(rest) = tok.strip_prefix('>').or_else(|| tok.strip_prefix("1>")) {
                    let target = if rest.is_empty() { iter.next().map(|t| t.0).unwrap_or_default() } else { rest.to_string() };
                    redirect = Some((self.expand(&target), false));
                    continue;
                }
                if let Some(n) = tok.strip_prefix("<<").and_then(|r| r.strip_prefix(heredoc::MARK)) {
                    let body = n.parse::<usize>().ok().and_then(|i| self.heredocs.get(i)).cloned();
                    self.stdin = body.map(|b| if b.expand { self.expand(&mark_dollars(&b.text)) } else { b.text });
                    continue;
                }
                if let Some(rest) = tok.strip_prefix('<') {
                    let target = if rest.is_empty() { iter.next().map(|t| t.0).unwrap_or_default() } else { rest.to_string() };
                    let path = normalize(&self.expand(&target), &self.cwd);
                    self.stdin = self.fs.read(&path).ok().map(str::to_string);
                    continue;
                }
            }
            // `NAME=value` before the command, its value quoted or not (`X='a b'`).
            if words.is_empty() {
                if let Some((k, v)) = tok.split_once('=') {
                    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        let v = self.expand(v);
                        assignments.push((k.to_string(), v));
                        continue;
                    }
                }
            }
            let fields = self.expand_fields(&tok, quoted);
            words.extend(fields);
        }
        if words.is_empty() {
            for (k, v) in assignments {
                self.set_var(&k, &v);
            }
            return 0;
        }
        let err_mark = self.out.len();
        let code = match &redirect {
            Some((target, append)) => {
                let saved = self.capture.replace(String::new());
                let code = self.command(&words);
                let text = std::mem::replace(&mut self.capture, saved).unwrap_or_default();
                let path = normalize(target, &self.cwd);
                if path == "/dev/null" {
                    code
                } else {
                    match self.effect(Effect::Write { path: path.clone(), content: text, append: *append }) {
                        Ok(()) => code,
                        Err(e) => {
                            let m = match self.flavor {
                                Flavor::Busybox => format!("sh: can't create {target}: {}", e.text()),
                                Flavor::Gnu => format!("sh: 1: cannot create {target}: {}", e.text()),
                                Flavor::Bash => format!("bash: {target}: {}", e.text()),
                            };
                            self.err(&m);
                            if self.flavor == Flavor::Gnu { 2 } else { 1 }
                        }
                    }
                }
            }
            None => self.command(&words),
        };
        if silence_err {
            self.out.truncate(err_mark.min(self.out.len()));
        }
        code
    }

    fn path(&self, p: &str) -> String {
        normalize(p, &self.cwd)
    }

    fn command(&mut self, w: &[String]) -> i64 {
        if let Some(host) = self.host.as_mut() {
            let stdin = self.stdin.take();
            match host.run(self.fs, &self.cwd, self.t, w, stdin.clone()) {
                Some(ran) => {
                    for (is_err, text) in ran.out {
                        if is_err {
                            self.out.push((self.t, text));
                        } else {
                            self.emit(&text);
                        }
                    }
                    self.t += ran.took;
                    return ran.code;
                }
                None => self.stdin = stdin,
            }
        }
        let prog = w[0].rsplit('/').next().unwrap_or(&w[0]).to_string();
        let args = &w[1..];
        match prog.as_str() {
            "echo" => {
                let (newline, rest) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    Some("-e") => (true, &args[1..]),
                    _ => (true, args),
                };
                let mut text = rest.join(" ").replace("\\n", "\n").replace("\\t", "\t");
                if newline {
                    text.push('\n');
                }
                self.emit(&text);
                0
            }
            "printf" => {
                let Some(fmt) = args.first() else { return 0 };
                let mut vals = args[1..].iter();
                let mut out = String::new();
                let mut chars = fmt.chars().peekable();
                while let Some(c) = chars.next() {
                    match (c, chars.peek()) {
                        ('%', Some('s' | 'd')) => {
                            chars.next();
                            out.push_str(vals.next().map_or("", String::as_str));
                        }
                        ('\\', Some('n')) => {
                            chars.next();
                            out.push('\n');
                        }
                        _ => out.push(c),
                    }
                }
                self.emit(&out);
                0
            }
            "cat" => {
                if args.is_empty() || args == ["-"] {
                    let input = self.stdin.take().unwrap_or_default();
                    self.emit(&input);
                    return 0;
                }
                let mut code = 0;
                for a in args {
                    let p = self.path(a);
                    match self.fs.read(&p).map(str::to_string) {
                        Ok(c) => self.emit(&c),
                        Err(e) => {
                            self.fail("cat", format!("can't open '{a}': {}", e.text()), format!("{a}: {}", e.text()));
                            code = 1;
                        }
                    }
                }
                code
            }
            "ls" => self.ls(args),
            "find" => self.find(args),
            "df" => self.df(args),
            "du" => self.du(args),
            "dd" => self.dd(args),
            "readlink" => self.readlink(args),
            "rm" => {
                let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
                let recursive = args.iter().any(|a| a.starts_with('-') && (a.contains('r') || a.contains('R')));
                let mut code = 0;
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = self.path(a);
                    if let Err(e) = self.effect(Effect::Remove { path: p, recursive }) {
                        if force && e == super::fs::FsError::NotFound {
                            continue;
                        }
                        self.fail("rm", format!("can't remove '{a}': {}", e.text()), format!("cannot remove '{a}': {}", e.text()));
                        code = 1;
                    }
                }
                code
            }
            "touch" => {
                let mut code = 0;
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = self.path(a);
                    if self.fs.is_file(&p) {
                        continue;
                    }
                    if let Err(e) = self.effect(Effect::Write { path: p, content: String::new(), append: true }) {
                        self.fail("touch", format!("{a}: {}", e.text()), format!("cannot touch '{a}': {}", e.text()));
                        code = 1;
                    }
                }
                code
            }
            "mkdir" => {
                let parents = args.iter().any(|a| a == "-p");
                let mut code = 0;
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = self.path(a);
                    if parents {
                        let _ = self.effect(Effect::Mkdir { path: p });
                    } else if self.fs.exists(&p) {
                        self.fail("mkdir", format!("can't create directory '{a}': File exists"), format!("cannot create directory '{a}': File exists"));
                        code = 1;
                    } else if self.fs.mkdir(&p).is_ok() {
                        self.effects.push((self.t, Effect::Mkdir { path: p }));
                    } else {
                        self.fail("mkdir", format!("can't create directory '{a}': No such file or directory"), format!("cannot create directory '{a}': No such file or directory"));
                        code = 1;
                    }
                }
                code
            }
            "test" | "[" => {
                let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
                if prog == "[" {
                    if a.last() != Some(&"]") {
                        self.err("sh: missing ]");
                        return 2;
                    }
                    a.pop();
                }
                i64::from(!self.test(&a))
            }
            "true" | ":" => 0,
            "false" => 1,
            "exit" => {
                let code = args.first().and_then(|c| c.parse().ok()).unwrap_or(self.last);
                self.exited = Some(code & 0xff);
                code & 0xff
            }
            "sleep" => {
                match args.first().map(String::as_str) {
                    Some("infinity") | None => self.endless = true,
                    Some(n) => {
                        let secs = n.trim_end_matches('s').parse::<f64>().unwrap_or(0.0);
                        if secs.is_finite() && secs >= 0.0 {
                            self.t += secs;
                        }
                    }
                }
                0
            }
            "tail" if args.iter().any(|a| a == "-f") => {
                self.endless = true;
                0
            }
            "date" => {
                let line = if args.first().is_some_and(|a| a == "+%s") { (self.now().unix_millis() / 1000).to_string() } else { date(self.now()) };
                self.emit(&format!("{line}\n"));
                0
            }
            "hostname" => {
                let h = self.hostname.clone();
                self.emit(&format!("{h}\n"));
                0
            }
            "whoami" => {
                self.emit("root\n");
                0
            }
            "id" => {
                self.emit("uid=0(root) gid=0(root) groups=0(root)\n");
                0
            }
            "uname" => {
                self.emit("Linux\n");
                0
            }
            "pwd" => {
                let c = self.cwd.clone();
                self.emit(&format!("{c}\n"));
                0
            }
            "cd" => {
                let target = self.path(args.first().map_or("/root", String::as_str));
                if self.fs.is_dir(&target) {
                    self.cwd = target;
                    0
                } else {
                    let a = args.first().cloned().unwrap_or_default();
                    let m = match self.flavor {
                        Flavor::Busybox => format!("sh: cd: can't cd to {a}: No such file or directory"),
                        Flavor::Gnu => format!("sh: 1: cd: can't cd to {a}"),
                        Flavor::Bash => format!("bash: cd: {a}: No such file or directory"),
                    };
                    self.err(&m);
                    if self.flavor == Flavor::Bash { 1 } else { 2 }
                }
            }
            "printenv" | "env" => {
                let mut env = self.env.clone();
                if !env.iter().any(|(k, _)| k == "HOSTNAME") {
                    env.insert(0, ("HOSTNAME".to_string(), self.hostname.clone()));
                }
                if let Some(name) = args.first().filter(|_| prog == "printenv") {
                    return match env.iter().rev().find(|(k, _)| k == name) {
                        Some((_, v)) => {
                            let v = v.clone();
                            self.emit(&format!("{v}\n"));
                            0
                        }
                        None => 1,
                    };
                }
                let text: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
                self.emit(&text);
                0
            }
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.set_var(k, v);
                    }
                }
                0
            }
            "wc" => self.wc(args),
            "head" | "tail" => {
                let n: usize = args.iter().position(|a| a == "-n").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(10);
                let file = args.iter().filter(|a| !a.starts_with('-')).find(|a| a.parse::<usize>().is_err()).cloned();
                let input = match file {
                    Some(f) => {
                        let p = self.path(&f);
                        self.fs.read(&p).map(str::to_string).unwrap_or_default()
                    }
                    None => self.stdin.take().unwrap_or_default(),
                };
                let lines: Vec<&str> = input.lines().collect();
                let pick: Vec<&str> = if prog == "head" { lines.iter().take(n).copied().collect() } else { lines[lines.len().saturating_sub(n)..].to_vec() };
                let text: String = pick.iter().map(|l| format!("{l}\n")).collect();
                self.emit(&text);
                0
            }
            "grep" => self.grep(args),
            "sh" | "bash" | "ash" | "dash" => {
                if args.first().is_some_and(|a| a == "-c") {
                    return match args.get(1) {
                        Some(script) => {
                            let s = script.clone();
                            self.run(&s)
                        }
                        None => {
                            self.err(&format!("{prog}: -c: option requires an argument"));
                            2
                        }
                    };
                }
                // A shell with no script and no terminal reads nothing and ends.
                0
            }
            _ => self.not_found(&w[0]),
        }
    }

    /// `grep [OPTION]... PATTERN [FILE]...`: standard input when no file is named (or `-`).
    /// Exit status 0 when a line was selected, 1 when none, 2 on an error (but 0 with `-q`
    /// once a line was selected).
    fn grep(&mut self, args: &[String]) -> i64 {
        const USAGE: &str = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.";
        let options = match text::GrepOptions::parse(args) {
            Ok(o) => o,
            Err(text::UsageError::NoPattern) => {
                self.err(USAGE);
                return 2;
            }
            Err(e) => {
                match self.flavor {
                    Flavor::Busybox => self.err(&format!("grep: {e}")),
                    Flavor::Gnu | Flavor::Bash => self.err(&format!("grep: {e}\n{USAGE}")),
                }
                return 2;
            }
        };
        let matcher = match options.matcher() {
            Ok(m) => m,
            Err(e) => {
                self.err(&format!("grep: {e}"));
                return 2;
            }
        };
        let files = if options.files.is_empty() { vec!["-".to_string()] } else { options.files.clone() };
        let show_names = options.with_names.unwrap_or(files.len() > 1) || options.files_with_matches;
        let (mut selected, mut trouble) = (false, false);
        for f in &files {
            let (input, label) = if f == "-" {
                (self.stdin.take().unwrap_or_default(), "(standard input)")
            } else {
                match self.fs.read(&self.path(f)) {
                    Ok(t) => (t.to_string(), f.as_str()),
                    Err(e) => {
                        if !options.no_messages {
                            self.err(&format!("grep: {f}: {}", e.text()));
                        }
                        trouble = true;
                        continue;
                    }
                }
            };
            let found = matcher.search(&input, show_names.then_some(label));
            self.emit(&found.output);
            if found.selected > 0 {
                selected = true;
                if options.quiet {
                    return 0;
                }
            }
        }
        match (trouble, selected) {
            (true, _) => 2,
            (false, true) => 0,
            (false, false) => 1,
        }
    }

    /// `wc [-lwcm] [FILE]...`: lines, words and bytes (or those asked for) of each file, with
    /// a total for several; standard input when no file is named.
    fn wc(&mut self, args: &[String]) -> i64 {
        let (columns, files) = match text::WcColumns::parse(args) {
            Ok(x) => x,
            Err(c) => {
                match self.flavor {
                    Flavor::Busybox => self.err(&format!("wc: invalid option -- '{c}'")),
                    Flavor::Gnu | Flavor::Bash => self.err(&format!("wc: invalid option -- '{c}'\nTry 'wc --help' for more information.")),
                }
                return 1;
            }
        };
        if files.is_empty() {
            let input = self.stdin.take().unwrap_or_default();
            let line = columns.line(text::Counts::of(&input), columns.width(0, true, 1), None);
            self.emit(&line);
            return 0;
        }
        let mut inputs: Vec<(String, Result<String, super::fs::FsError>)> = Vec::new();
        for f in &files {
            let read = if f == "-" { Ok(self.stdin.take().unwrap_or_default()) } else { self.fs.read(&self.path(f)).map(str::to_string) };
            inputs.push((f.clone(), read));
        }
        let regular: usize = inputs.iter().filter(|(f, _)| f != "-").filter_map(|(_, r)| r.as_ref().ok()).map(String::len).sum();
        let width = columns.width(regular, files.iter().any(|f| f == "-"), files.len());
        let mut total = text::Counts::default();
        let mut code = 0;
        for (f, read) in inputs {
            match read {
                Ok(content) => {
                    let n = text::Counts::of(&content);
                    total.add(n);
                    let line = columns.line(n, width, Some(&f));
                    self.emit(&line);
                }
                Err(e) => {
                    self.fail("wc", format!("can't open '{f}': {}", e.text()), format!("{f}: {}", e.text()));
                    code = 1;
                }
            }
        }
        if files.len() > 1 {
            let line = columns.line(total, width, Some("total"));
            self.emit(&line);
        }
        code
    }

    fn test(&mut self, a: &[&str]) -> bool {
        match a {
            [] => false,
            ["!", rest @ ..] => !self.test(rest),
            [s] => !s.is_empty(),
            ["-e", p] => self.fs.exists(&self.path(p)),
            ["-f", p] => self.fs.is_file(&self.path(p)),
            ["-d", p] => self.fs.is_dir(&self.path(p)),
            ["-s", p] => self.fs.read(&self.path(p)).is_ok_and(|c| !c.is_empty()),
            ["-r" | "-w" | "-x", p] => self.fs.exists(&self.path(p)),
            ["-z", s] => s.is_empty(),
            ["-n", s] => !s.is_empty(),
            [x, "=" | "==", y] => x == y,
            [x, "!=", y] => x != y,
            [x, op, y] => {
                let (Ok(x), Ok(y)) = (x.parse::<i64>(), y.parse::<i64>()) else { return false };
                match *op {
                    "-eq" => x == y,
                    "-ne" => x != y,
                    "-gt" => x > y,
                    "-ge" => x >= y,
                    "-lt" => x < y,
                    "-le" => x <= y,
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// The programs the simulated images have (what `exec` can start without a shell).
pub const COMMANDS: &[&str] = &[
    "echo", "printf", "cat", "ls", "rm", "touch", "mkdir", "test", "[", "true", "false", "sleep", "tail", "date", "hostname", "whoami", "id", "uname", "pwd",
    "printenv", "env", "wc", "head", "grep", "sh", "bash", "ash", "dash", "find", "df", "du", "dd", "readlink",
];

/// Whether a program exists in the simulated images.
pub fn is_command(argv0: &str) -> bool {
    COMMANDS.contains(&argv0.rsplit('/').next().unwrap_or(argv0))
}

/// Where the block starting at `start` ends (its `fi` or `done`).
fn block_end(stmts: &[(String, &'static str)], start: usize) -> usize {
    let mut depth = 0;
    for (i, (s, _)) in stmts.iter().enumerate().skip(start) {
        let words: Vec<&str> = s.split_whitespace().collect();
        for w in &words {
            match *w {
                "if" | "for" | "while" | "until" => depth += 1,
                "fi" | "done" => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
    }
    stmts.len().saturating_sub(1)
}

/// The statements between `do` and the matching `done`.
fn loop_body(body: &[(String, &'static str)]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut started = false;
    for (s, op) in body {
        let w = first_word(s);
        if !started {
            if w == "do" {
                started = true;
                if let Some(r) = s.trim().strip_prefix("do").map(str::trim).filter(|r| !r.is_empty()) {
                    out.push((r.to_string(), *op));
                }
            }
            continue;
        }
        if matches!(w, "if" | "for" | "while" | "until") {
            depth += 1;
        }
        if w == "done" || w == "fi" {
            if depth == 0 && w == "done" {
                break;
            }
            depth -= 1;
        }
        out.push((s.clone(), *op));
    }
    out
}

/// A here-document's text with its `$` marked for the expander (`\$` stays a plain `$`).
fn mark_dollars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'$') => {
                out.push('$');
                chars.next();
            }
            '$' => out.push(QUOTED_DOLLAR),
            c => out.push(c),
        }
    }
    out
}

/// The text up to the `)` that closes an already consumed `(` (nested pairs kept), and whether
/// that `)` was found.
fn balanced(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> (String, bool) {
    let mut depth = 1;
    let mut inner = String::new();
    for n in chars.by_ref() {
        match n {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (inner, true);
                }
            }
            _ => {}
        }
        inner.push(n);
    }
    (inner, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()
    }

    fn run(script: &str, fs: &mut Fs, flavor: Flavor) -> (String, i64) {
        let mut sh = Shell::new(fs, vec![("NAME".into(), "world".into())], start(), flavor, "web-0");
        let code = sh.run(script);
        (sh.output(), sh.exited.unwrap_or(code))
    }

    #[test]
    fn commands_files_and_errors() {
        let mut fs = Fs::with(&[("/usr/share/nginx/html/50x.html".into(), "x".into())], &["/root".into(), "/tmp".into()]);
        assert_eq!(run("echo hello $NAME", &mut fs, Flavor::Busybox), ("hello world\n".into(), 0));
        assert_eq!(run("ls /usr/share/nginx/html/50x.html", &mut fs, Flavor::Gnu), ("/usr/share/nginx/html/50x.html\n".into(), 0));
        assert_eq!(run("rm -f /usr/share/nginx/html/50x.html; ls /usr/share/nginx/html/50x.html", &mut fs, Flavor::Gnu), ("ls: cannot access '/usr/share/nginx/html/50x.html': No such file or directory\n".into(), 2));
        assert_eq!(run("cat /tmp/healthy", &mut fs, Flavor::Busybox), ("cat: can't open '/tmp/healthy': No such file or directory\n".into(), 1));
        assert_eq!(run("echo [$(date)] probe >> /root/log; test -e /root/startup", &mut fs, Flavor::Gnu).1, 1);
        assert_eq!(fs.read("/root/log"), Ok("[Wed Nov 25 11:00:00 UTC 2026] probe\n"));
        assert_eq!(run("touch /root/startup && test -e /root/startup && echo yes || echo no", &mut fs, Flavor::Gnu).0, "yes\n");
        assert_eq!(run("test ! -e /root/liveness", &mut fs, Flavor::Gnu).1, 0);
        assert_eq!(run("nope", &mut fs, Flavor::Busybox), ("sh: nope: not found\n".into(), 127));
        assert_eq!(run("if [ -f /root/startup ]; then echo up; else echo down; fi", &mut fs, Flavor::Busybox).0, "up\n");
        assert_eq!(run("for i in 1 2 3; do echo n$i; done", &mut fs, Flavor::Busybox).0, "n1\nn2\nn3\n");
        assert_eq!(run("echo a; echo b | wc -l", &mut fs, Flavor::Busybox).0, "a\n1\n");
        assert_eq!(run("sh -c 'exit 3'", &mut fs, Flavor::Busybox).1, 3);
        assert_eq!(run("echo 'single $NAME' \"double $NAME\"", &mut fs, Flavor::Busybox).0, "single $NAME double world\n");
        assert_eq!(run("cat <<EOF > /tmp/h\nhi $NAME \\$NAME\nEOF\ncat /tmp/h; cat <<'X' | wc -l\n$NAME\n2\nX", &mut fs, Flavor::Busybox).0, "hi world $NAME\n2\n");
        assert_eq!(run("nope", &mut fs, Flavor::Bash), ("bash: nope: command not found\n".into(), 127));
        assert_eq!(run("cd /nope", &mut fs, Flavor::Bash), ("bash: cd: /nope: No such file or directory\n".into(), 1));
        assert_eq!(run("echo x > /nope/y", &mut fs, Flavor::Bash), ("bash: /nope/y: No such file or directory\n".into(), 1));
    }

    #[test]
    fn grep_and_wc_read_files() {
        let files = [("/tmp/f1".to_string(), "a web\nb db\nc WEB\n".to_string()), ("/tmp/f2".to_string(), "web2\n".to_string())];
        let mut fs = Fs::with(&files, &["/tmp".into()]);
        let mut sh = |script: &str, flavor: Flavor| run(script, &mut fs, flavor);
        assert_eq!(sh("grep web /tmp/f1", Flavor::Busybox), ("a web\n".into(), 0));
        assert_eq!(sh("cd /tmp; grep web f1 nope", Flavor::Gnu), ("f1:a web\ngrep: nope: No such file or directory\n".into(), 2));
        assert_eq!(sh("cd /tmp; grep -c web f1 f2", Flavor::Gnu), ("f1:1\nf2:1\n".into(), 0));
        assert_eq!(sh("cd /tmp; grep -q web nope f1", Flavor::Busybox), ("grep: nope: No such file or directory\n".into(), 0));
        assert_eq!(sh("grep -n -i web /tmp/f1", Flavor::Gnu), ("1:a web\n3:c WEB\n".into(), 0));
        assert_eq!(sh("grep -v -E 'web|WEB' /tmp/f1", Flavor::Gnu), ("b db\n".into(), 0));
        assert_eq!(sh("grep nothing /tmp/f1", Flavor::Gnu), (String::new(), 1));
        assert_eq!(sh("grep -iq WEB /tmp/f2 && echo yes", Flavor::Gnu), ("yes\n".into(), 0));
        assert_eq!(sh("echo x | grep -z x", Flavor::Busybox), ("grep: invalid option -- 'z'\n".into(), 2));
        assert_eq!(sh("grep '[a' /tmp/f1", Flavor::Gnu), ("grep: Unmatched [, [^, [:, [., or [=\n".into(), 2));
        assert_eq!(sh("cat /tmp/f1 | grep -n db", Flavor::Gnu), ("2:b db\n".into(), 0));
        assert_eq!(sh("cd /tmp; wc f1; wc -l f1", Flavor::Gnu), (" 3  6 17 f1\n3 f1\n".into(), 0));
        assert_eq!(sh("cd /tmp; wc -l f1 f2", Flavor::Gnu), (" 3 f1\n 1 f2\n 4 total\n".into(), 0));
        assert_eq!(sh("echo hi | wc; echo hi | wc -l", Flavor::Gnu), ("      1       1       3\n1\n".into(), 0));
        assert_eq!(sh("wc /tmp/nope", Flavor::Gnu), ("wc: /tmp/nope: No such file or directory\n".into(), 1));
        assert_eq!(sh("wc /tmp/nope", Flavor::Busybox), ("wc: can't open '/tmp/nope': No such file or directory\n".into(), 1));
    }

    /// A host that records the argv of each `kubectl` it is asked to run.
    #[derive(Default)]
    struct Recorder(Vec<Vec<String>>);

    impl Host for Recorder {
        fn run(&mut self, _: &mut Fs, _: &str, _: f64, argv: &[String], _: Option<String>) -> Option<Outcome> {
            (argv[0] == "kubectl").then(|| {
                self.0.push(argv.to_vec());
                Outcome::default()
            })
        }
    }

    #[test]
    fn unquoted_expansions_split_into_words() {
        let argv = |script: &str| {
            let mut fs = Fs::default();
            let mut host = Recorder::default();
            let mut sh = Shell::new(&mut fs, vec![], start(), Flavor::Bash, "t");
            sh.host = Some(&mut host);
            sh.run(script);
            drop(sh);
            host.0.into_iter().map(|a| a[1..].join("|")).collect::<Vec<_>>()
        };
        assert_eq!(argv("kubectl get pods $(echo a b)"), ["get|pods|a|b"]);
        assert_eq!(argv("kubectl get pods \"$(echo a b)\""), ["get|pods|a b"]);
        assert_eq!(argv("X='a  b'; kubectl $X \"$X\""), ["a|b|a  b"]);
        assert_eq!(argv("kubectl x$(echo)y $(echo) ''"), ["xy|"]);
        assert_eq!(argv("kubectl p$(printf ' a b ')q"), ["p|a|b|q"]);
        let mut fs = Fs::default();
        assert_eq!(run("for i in $(echo 1 2) \"3 4\"; do echo $i; done", &mut fs, Flavor::Busybox).0, "1\n2\n3 4\n");
        assert_eq!(run("X=$(printf 'a   b'); echo \"$X\" $X", &mut fs, Flavor::Busybox).0, "a   b a b\n");
    }

    #[test]
    fn time_moves_with_sleep_and_loops_repeat() {
        let mut fs = Fs::with(&[], &["/tmp".into()]);
        let mut sh = Shell::new(&mut fs, vec![], start(), Flavor::Busybox, "p");
        sh.run("touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600");
        assert_eq!(sh.effects.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [0.0, 30.0]);
        assert_eq!(sh.t, 630.0);
        let mut fs = Fs::default();
        let mut sh = Shell::new(&mut fs, vec![], start(), Flavor::Busybox, "p");
        sh.run("echo start; while true; do echo tick; sleep 5; done");
        assert!(sh.endless);
        let l = sh.forever.clone().unwrap();
        assert_eq!((l.from, l.period, l.output.clone()), (0.0, 5.0, vec![(0.0, "tick\n".to_string())]));
        assert_eq!(sh.output(), "start\n");
    }
}
