//! How kubectl reports failures: `error: ...` for its own, `Error from server (Reason): ...`
//! for the server's, and `The Kind "name" is invalid:` with one `* field: message` line per
//! cause for validation errors.

use serde_json::Value;

use super::Output;

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
}

impl Failure {
    pub fn client(msg: impl Into<String>) -> Failure {
        Failure::Client(msg.into())
    }

    /// The text kubectl prints for a server Status.
    pub fn server_message(status: &Value) -> String {
        let reason = status["reason"].as_str().unwrap_or_default();
        let message = status["message"].as_str().unwrap_or_default();
        if reason == "Invalid" {
            let details = &status["details"];
            let causes = details["causes"].as_array().cloned().unwrap_or_default();
            if !causes.is_empty() {
                let mut s = format!("The {} {:?} is invalid: \n", details["kind"].as_str().unwrap_or_default(), details["name"].as_str().unwrap_or_default());
                let lines: Vec<String> = causes
                    .iter()
                    .map(|c| match c["field"].as_str().filter(|f| !f.is_empty()) {
                        Some(f) => format!("* {f}: {}", c["message"].as_str().unwrap_or_default()),
                        None => format!("* {}", c["message"].as_str().unwrap_or_default()),
                    })
                    .collect();
                s.push_str(&lines.join("\n"));
                return s;
            }
        }
        match reason {
            "" | "Unknown" => format!("Error from server: {message}"),
            r => format!("Error from server ({r}): {message}"),
        }
    }

    pub fn print(&self, out: &mut Output) {
        match self {
            Failure::Client(m) => out.err(format!("error: {m}\n")),
            Failure::Raw(m) => out.err(m.clone()),
            Failure::Server(status) => out.err(format!("{}\n", Failure::server_message(status))),
            Failure::Exit(_) => {}
        }
        out.exit = match self {
            Failure::Exit(code) => *code,
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
