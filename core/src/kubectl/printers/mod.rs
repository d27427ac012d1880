//! kubectl's printers: tables from the server's Table responses, and objects as YAML, JSON,
//! names, JSONPath templates or custom columns.

pub mod gotemplate;
pub mod jsonpath;
pub mod yaml;

use crate::sort::Order;
use serde_json::Value;

pub use yaml::to_yaml;

/// `-o json`: four-space indentation, keys sorted, `<`, `>` and `&` escaped as Go does.
pub fn to_json(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let _ = serde::Serialize::serialize(&sorted(v), &mut ser);
    let s = String::from_utf8(buf).unwrap_or_default();
    let mut out = s.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029");
    out.push('\n');
    out
}

/// A copy with every object's keys in order (serde_json keeps insertion order otherwise).
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.order();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k.as_str()]))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The List kubectl wraps several objects in for `-o yaml|json|jsonpath`.
/// Leaves `metadata.managedFields` out, as kubectl's printers do unless
/// `--show-managed-fields`.
pub fn hide_managed_fields(obj: &mut Value) {
    if let Some(meta) = obj["metadata"].as_object_mut() {
        meta.remove("managedFields");
    }
}

pub fn list_of(items: Vec<Value>) -> Value {
    // (The items move in as they are; `json!` would copy them through serialization.)
    let mut list = serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}});
    list["items"] = Value::Array(items);
    list
}

/// How a table cell prints: strings up to the first line break (then `...`), other values as
/// Go's `fmt.Sprint` prints them, nothing for null.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => match s.find(['\n', '\r', '\u{c}']) {
            Some(i) => format!("{}...", &s[..i]),
            None => s.clone(),
        },
        Value::Number(n) => n.as_i64().map(|i| i.to_string()).or_else(|| n.as_u64().map(|u| u.to_string())).unwrap_or_else(|| yaml::go_float(n.as_f64().unwrap_or(0.0))),
        Value::Bool(b) => b.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_sprint).collect::<Vec<_>>().join(" ")),
        Value::Object(_) => go_sprint(v),
    }
}

/// Go's `fmt.Sprint` of a decoded JSON value (`map[a:1 b:[x y]]`).
pub fn go_sprint(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_sprint).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.order();
            format!("map[{}]", keys.iter().map(|k| format!("{k}:{}", go_sprint(&m[k.as_str()]))).collect::<Vec<_>>().join(" "))
        }
        other => cell(other),
    }
}

/// `k=v,k2=v2` sorted by key, or `<none>`.
pub fn format_labels(labels: &Value) -> String {
    let Some(m) = labels.as_object().filter(|m| !m.is_empty()) else { return "<none>".into() };
    let mut pairs: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect();
    pairs.order();
    pairs.join(",")
}

/// Options of the table printer.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    pub wide: bool,
    pub no_headers: bool,
    pub with_namespace: bool,
    pub show_labels: bool,
    /// `-L` keys.
    pub label_columns: Vec<String>,
    /// `deployment.apps` when names print as `kind/name`.
    pub kind: Option<String>,
}

/// Renders a server Table as tab-separated lines (headers unless `no_headers`), before
/// alignment.
pub fn table_lines(table: &Value, o: &TableOptions, with_headers: bool, out: &mut String) {
    let columns: Vec<&Value> = table["columnDefinitions"].as_array().map(|c| c.iter().collect()).unwrap_or_default();
    let shown = |c: &Value| o.wide || c["priority"].as_i64().unwrap_or(0) == 0;
    if with_headers && !o.no_headers {
        let mut h: Vec<String> = Vec::new();
        if o.with_namespace {
            h.push("NAMESPACE".into());
        }
        h.extend(columns.iter().filter(|c| shown(c)).map(|c| c["name"].as_str().unwrap_or_default().to_uppercase()));
        for l in &o.label_columns {
            h.push(l.rsplit('/').next().unwrap_or(l).to_uppercase());
        }
        if o.show_labels {
            h.push("LABELS".into());
        }
        out.push_str(&h.join("\t"));
        out.push('\n');
    }
    for row in table["rows"].as_array().into_iter().flatten() {
        let meta = &row["object"]["metadata"];
        let mut cells: Vec<String> = Vec::new();
        if o.with_namespace {
            cells.push(meta["namespace"].as_str().unwrap_or_default().to_string());
        }
        for (i, c) in columns.iter().enumerate() {
            if !shown(c) {
                continue;
            }
            let value = &row["cells"][i];
            let mut text = cell(value);
            if i == 0 && c["name"] == "Name" {
                if let Some(k) = &o.kind {
                    text = format!("{k}/{text}");
                }
            }
            cells.push(text);
        }
        for l in &o.label_columns {
            cells.push(meta["labels"][l.as_str()].as_str().unwrap_or_default().to_string());
        }
        if o.show_labels {
            cells.push(format_labels(&meta["labels"]));
        }
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_indented_sorted_and_escaped() {
        assert_eq!(to_json(&json!({"b": [1, {}], "a": "<x&y>", "c": []})), "{\n    \"a\": \"\\u003cx\\u0026y\\u003e\",\n    \"b\": [\n        1,\n        {}\n    ],\n    \"c\": []\n}\n");
    }

    #[test]
    fn cells_print_as_go_prints_them() {
        assert_eq!(cell(&json!("a\nb")), "a...");
        assert_eq!(cell(&json!(3)), "3");
        assert_eq!(cell(&json!(null)), "");
        assert_eq!(go_sprint(&json!({"b": [1, "x"], "a": null})), "map[a:<nil> b:[1 x]]");
        assert_eq!(format_labels(&json!({"z": "1", "a": "2", "app.kubernetes.io/name": "w"})), "a=2,app.kubernetes.io/name=w,z=1");
    }
}
