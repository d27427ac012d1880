//! A custom resource's Table: the Name column, then the CRD's `additionalPrinterColumns` (or a
//! single Age column when it has none), each cell found by the column's JSONPath and converted
//! to the column's type as the apiextensions table convertor does.

use serde_json::{json, Value};

use crate::kubectl::printers::jsonpath::Template;
use crate::sim::clock::Timestamp;

/// One printer column.
#[derive(Clone, Debug)]
pub struct PrinterColumn {
    pub name: String,
    /// `integer`, `number`, `string`, `boolean` or `date`.
    pub ty: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    pub path: Option<Template>,
}

impl PrinterColumn {
    pub fn parse(v: &Value) -> PrinterColumn {
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let json_path = s("jsonPath");
        PrinterColumn {
            name: s("name"),
            ty: s("type"),
            format: s("format"),
            description: match s("description") {
                d if d.is_empty() => format!("Custom resource definition column (in JSONPath format): {json_path}"),
                d => d,
            },
            priority: v["priority"].as_i64().unwrap_or(0),
            path: Template::parse(&format!("{{{json_path}}}")).ok(),
        }
    }

    /// What a CRD without printer columns shows: its objects' age.
    pub fn age() -> PrinterColumn {
        PrinterColumn {
            name: "Age".into(),
            ty: "date".into(),
            format: String::new(),
            description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata".into(),
            priority: 0,
            path: Template::parse("{.metadata.creationTimestamp}").ok(),
        }
    }

    fn definition(&self) -> Value {
        json!({"name": self.name, "type": self.ty, "format": self.format, "description": self.description, "priority": self.priority})
    }

    fn cell(&self, obj: &Value, now: Timestamp) -> Value {
        let Some(path) = &self.path else { return Value::Null };
        let Some(value) = path.values(obj).into_iter().next() else { return Value::Null };
        if self.ty == "string" {
            return match value {
                Value::String(s) => Value::String(s),
                Value::Null => Value::Null,
                other => Value::String(crate::kubectl::printers::go_sprint(&other)),
            };
        }
        typed_cell(&self.ty, &value, now)
    }
}

/// A cell of a non-string column: the value when it has the column's type, else nothing.
fn typed_cell(ty: &str, value: &Value, now: Timestamp) -> Value {
    match (ty, value) {
        ("integer", Value::Number(n)) => n.as_i64().map(Value::from).or_else(|| n.as_f64().map(|f| Value::from(f as i64))).unwrap_or(Value::Null),
        ("number", Value::Number(n)) => n.as_f64().map(Value::from).unwrap_or(Value::Null),
        ("boolean", Value::Bool(b)) => Value::Bool(*b),
        ("date", Value::String(s)) => match Timestamp::parse_rfc3339(s) {
            Some(t) => Value::String(crate::api::duration::human_duration(now.since(t))),
            None => Value::String("<invalid>".into()),
        },
        _ => Value::Null,
    }
}

/// The column definitions of a custom resource's Table.
pub fn definitions(columns: &[PrinterColumn]) -> Vec<Value> {
    let mut out = vec![json!({
        "name": "Name",
        "type": "string",
        "format": "name",
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "priority": 0,
    })];
    out.extend(columns.iter().map(PrinterColumn::definition));
    out
}

/// One row's cells.
pub fn cells(columns: &[PrinterColumn], obj: &Value, now: Timestamp) -> Vec<Value> {
    let mut out = vec![json!(obj["metadata"]["name"].as_str().unwrap_or_default())];
    out.extend(columns.iter().map(|c| c.cell(obj, now)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_take_the_columns_types() {
        let now = Timestamp::parse_rfc3339("2026-11-26T10:00:00Z").unwrap();
        let cols: Vec<PrinterColumn> = [
            json!({"name": "Type", "type": "string", "jsonPath": ".spec.dbType"}),
            json!({"name": "DiskSize", "type": "integer", "jsonPath": ".spec.diskSize"}),
            json!({"name": "Ready", "type": "boolean", "jsonPath": ".status.ready"}),
            json!({"name": "Tags", "type": "string", "jsonPath": ".spec.tags"}),
            json!({"name": "Size", "type": "integer", "jsonPath": ".spec.dbType"}),
        ]
        .iter()
        .map(PrinterColumn::parse)
        .chain([PrinterColumn::age()])
        .collect();
        let obj = json!({"metadata": {"name": "db", "creationTimestamp": "2026-11-26T09:58:00Z"}, "spec": {"dbType": "mysql", "diskSize": 20.0, "tags": ["a", "b"]}});
        assert_eq!(cells(&cols, &obj, now), vec![json!("db"), json!("mysql"), json!(20), Value::Null, json!("[a b]"), Value::Null, json!("2m")]);
        assert_eq!(definitions(&cols)[0]["format"], "name");
        assert_eq!(definitions(&cols)[6]["type"], "date");
    }
}
