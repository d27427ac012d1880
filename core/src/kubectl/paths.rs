//! Request paths as client-go builds them: namespace and name escaped into one path segment
//! each, and refused before anything is sent when they cannot be one
//! (`invalid resource name "a%": [may not contain '%']`).

use serde_json::{Value, json};

use crate::apiserver::request::percent_encode;

/// The Status reason that marks a refusal made on the client side: it never comes from the
/// server, and kubectl prints its message as its own error (`error: ...`), not as
/// `Error from server`.
pub(crate) const CLIENT_SIDE: &str = "hakoniwa:ClientSide";

/// One path segment, escaped.
pub(crate) fn segment(s: &str) -> String {
    percent_encode(s)
}

/// What client-go's `IsValidPathSegmentName` finds wrong with a namespace or name, in its words.
fn segment_problems(s: &str) -> Vec<&'static str> {
    match s {
        "." => vec!["may not be '.'"],
        ".." => vec!["may not be '..'"],
        _ => {
            let mut found = Vec::new();
            if s.contains('/') {
                found.push("may not contain '/'");
            }
            if s.contains('%') {
                found.push("may not contain '%'");
            }
            found
        }
    }
}

/// The namespace and object name a request path addresses
/// (`/apis/apps/v1/namespaces/NS/deployments/NAME/scale` → NS, NAME).
fn addressed(path: &str) -> (Option<&str>, Option<&str>) {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rest = match parts.first() {
        Some(&"api") if parts.len() >= 2 => &parts[2..],
        Some(&"apis") if parts.len() >= 3 => &parts[3..],
        _ => return (None, None),
    };
    match rest {
        ["namespaces", ns, _resource, rest @ ..] => (Some(ns), rest.first().copied()),
        ["namespaces", name] => (None, Some(name)),
        [_resource, name, ..] => (None, Some(name)),
        _ => (None, None),
    }
}

/// The refusal client-go's request builder makes for this path, as a Status marked
/// [`CLIENT_SIDE`]: the namespace is checked before the name.
pub(crate) fn refusal(path: &str) -> Option<Value> {
    let (ns, name) = addressed(path);
    let message = [(ns, "invalid namespace"), (name, "invalid resource name")].into_iter().find_map(|(v, what)| {
        let v = v?;
        let problems = segment_problems(v);
        (!problems.is_empty()).then(|| format!("{what} {}: [{}]", crate::api::field::go_quote(v), problems.join(" ")))
    })?;
    Some(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": CLIENT_SIDE, "code": 400}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_cannot_be_one_segment_are_refused_in_client_gos_words() {
        let msg = |p: &str| refusal(p).map(|s| s["message"].as_str().unwrap_or_default().to_string());
        assert_eq!(msg("/api/v1/namespaces/default/configmaps/%2F"), Some(r#"invalid resource name "%2F": [may not contain '%']"#.into()));
        assert_eq!(msg("/api/v1/namespaces/%/configmaps/a%"), Some(r#"invalid namespace "%": [may not contain '%']"#.into()));
        assert_eq!(msg("/api/v1/namespaces/../configmaps"), Some(r#"invalid namespace "..": [may not be '..']"#.into()));
        assert_eq!(msg("/apis/apps/v1/namespaces/d/deployments/./scale"), Some(r#"invalid resource name ".": [may not be '.']"#.into()));
        assert_eq!(msg("/api/v1/namespaces/a%"), Some(r#"invalid resource name "a%": [may not contain '%']"#.into()));
        assert_eq!(msg("/api/v1/nodes/n%"), Some(r#"invalid resource name "n%": [may not contain '%']"#.into()));
        assert_eq!(msg("/api/v1/namespaces/default/configmaps/a b"), None);
        assert_eq!(msg("/apis/apps/v1/namespaces/default/deployments"), None);
        assert_eq!(msg("/version"), None);
    }

    #[test]
    fn segments_are_escaped() {
        assert_eq!(segment("a b%"), "a%20b%25");
        assert_eq!(segment("web-1.x"), "web-1.x");
    }
}
