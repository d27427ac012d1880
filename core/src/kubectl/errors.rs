//! How kubectl reports failures: `error: ...` for its own, `Error from server (Reason): ...`
//! for the server's, and `The Kind "name" is invalid:` with one `* field: message` line per
//! cause for validation errors.

use serde_json::Value;

use super::Output;
use crate::sim::clock::Timestamp;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// kubectl's own error: printed as `error: <message>`.
    Client(String),
    /// Printed as given (already in kubectl's words, e.g. with a usage hint).
    Raw(String),
    /// A `Status` from the server.
    Server(Value),
    /// The command printed its errors already; only the exit code is left.
    Exit(i32),
    /// Printed as given, with this exit code (`command terminated with exit code 3`).
    RawWithCode(String, i32),
}

/// kubectl's text for an Invalid status: `The Kind "name" is invalid: ...` with the causes
/// on one line (one cause) or as `* ` lines (several).
fn invalid_message(status: &Value) -> String {
    let details = &status["details"];
    if details.is_null() {
        let m = status["message"].as_str().unwrap_or_default();
        return if m.is_empty() { "The request is invalid".into() } else { format!("The request is invalid: {m}") };
    }
    let kind = details["kind"].as_str().unwrap_or_default();
    let name = details["name"].as_str().unwrap_or_default();
    let group = details["group"].as_str().unwrap_or_default();
    let s = if !kind.is_empty() || !name.is_empty() {
        format!("The {kind} {} is invalid", crate::api::field::go_quote(name))
    } else if !group.is_empty() {
        format!("The {group} {} is invalid", crate::api::field::go_quote(name))
    } else {
        "The request is invalid".to_string()
    };
    let causes: Vec<String> = details["causes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{}: {}", c["field"].as_str().unwrap_or_default(), c["message"].as_str().unwrap_or_default()))
        .collect();
    let generic = kind.is_empty() && name.is_empty() && group.is_empty();
    let m = status["message"].as_str().unwrap_or_default();
    match causes.len() {
        0 if generic && !m.is_empty() => format!("{s}: {m}"),
        0 => s,
        1 => format!("{s}: {}", causes[0]),
        _ => format!("{s}: \n{}", causes.iter().map(|c| format!("* {c}")).collect::<Vec<_>>().join("\n")),
    }
}

impl Failure {
    /// The same message with another exit code.
    pub fn with_exit(self, code: i64) -> Failure {
        let code = i32::try_from(code).unwrap_or(1);
        match self {
            Failure::Raw(m) => Failure::RawWithCode(m, code),
            other => other,
        }
    }

    /// Printed as one of several errors (kubectl's aggregate): kubectl's own errors lose
    /// their `error: ` prefix there.
    pub fn print_among_several(&self, out: &mut Output) {
        match self {
            Failure::Client(m) => out.err(format!("{m}\n")),
            Failure::Server(status) => out.err(format!("{}\n", Failure::server_message(status))),
            other => other.print(out),
        }
        out.exit = 1;
    }

    pub fn client(msg: impl Into<String>) -> Failure {
        Failure::Client(msg.into())
    }

    /// The text kubectl prints for a server Status.
    pub fn server_message(status: &Value) -> String {
        let reason = status["reason"].as_str().unwrap_or_default();
        let message = status["message"].as_str().unwrap_or_default();
        if reason == "Invalid" {
            return invalid_message(status);
        }
        if reason == super::paths::CLIENT_SIDE {
            return message.to_string();
        }
        match reason {
            "" | "Unknown" => format!("Error from server: {message}"),
            "Unauthorized" => format!("error: You must be logged in to the server ({message})"),
            r => format!("Error from server ({r}): {message}"),
        }
    }

    pub fn print(&self, out: &mut Output) {
        match self {
            Failure::Client(m) => out.err(format!("error: {m}\n")),
            Failure::Raw(m) => out.err(m.clone()),
            Failure::Server(status) if status["reason"] == super::paths::CLIENT_SIDE => out.err(format!("error: {}\n", Failure::server_message(status))),
            Failure::Server(status) => out.err(format!("{}\n", Failure::server_message(status))),
            Failure::Exit(_) => {}
            Failure::RawWithCode(m, _) => out.err(m.clone()),
        }
        out.exit = match self {
            Failure::Exit(code) | Failure::RawWithCode(_, code) => *code,
            _ => 1,
        };
    }
}

/// A server error Status with `error when <verb> "<source>": ` put before its message, as
/// kubectl does for objects read from files.
pub fn with_source(mut status: Value, verb: &str, source: &str) -> Value {
    if !source.is_empty() {
        let m = status["message"].as_str().unwrap_or_default().to_string();
        status["message"] = Value::String(format!("error when {verb} {source:?}: {m}"));
    }
    status
}

/// klog's header: `E1126 04:30:12.345678   12345 file:line] ` (level, month and day, time,
/// process id, source line).
pub(super) fn klog_header(level: char, at: Timestamp, pid: u32, place: &str) -> String {
    let t = at.rfc3339();
    let micros = (at.unix_millis().rem_euclid(1000) * 1000) as u32;
    format!("{level}{}{} {}.{micros:06} {pid:>7} {place}] ", &t[5..7], &t[8..10], &t[11..19])
}

/// The process id a kubectl started at `at` shows in its log lines (a real one differs per run).
pub(super) fn pid_at(at: Timestamp) -> u32 {
    10_000 + (at.unix_millis().rem_euclid(50_000)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn klog_lines_carry_the_date_time_and_process() {
        let at = Timestamp::parse_rfc3339("2026-11-26T04:30:12.345Z").unwrap_or_default();
        assert_eq!(klog_header('E', at, 12345, "portforward.go:424"), "E1126 04:30:12.345000   12345 portforward.go:424] ");
    }
}
