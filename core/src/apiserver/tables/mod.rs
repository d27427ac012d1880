//! Server-side tables (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the columns
//! and cells `kubectl get` prints. The server always fills the wide (priority 1) cells;
//! kubectl hides them without `-o wide`. Column descriptions are left empty.

pub mod format;

use serde_json::{json, Value};

use crate::api::object::str_at;
use crate::api::status::ApiError;
use crate::sim::clock::Timestamp;

use super::strategy::Strategy;

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub format: &'static str,
    pub priority: u8,
}

impl Column {
    pub const fn name() -> Column {
        Column { name: "Name", kind: "string", format: "name", priority: 0 }
    }
    pub const fn string(name: &'static str) -> Column {
        Column { name, kind: "string", format: "", priority: 0 }
    }
    pub const fn integer(name: &'static str) -> Column {
        Column { name, kind: "integer", format: "", priority: 0 }
    }
    pub const fn boolean(name: &'static str) -> Column {
        Column { name, kind: "boolean", format: "", priority: 0 }
    }
    pub const fn age() -> Column {
        Column::string("Age")
    }
    /// Shown only with `-o wide`.
    pub const fn wide(self) -> Column {
        Column { priority: 1, ..self }
    }
}

const DEFAULT_COLUMNS: &[Column] = &[Column::name(), Column { name: "Created At", kind: "date", format: "", priority: 0 }];

/// What each row carries besides its cells (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn parse(v: Option<&str>) -> Result<Self, ApiError> {
        match v {
            None | Some("") | Some("Metadata") => Ok(IncludeObject::Metadata),
            Some("None") => Ok(IncludeObject::None),
            Some("Object") => Ok(IncludeObject::Object),
            Some(other) => Err(ApiError::BadRequest(format!("unrecognized includeObject value: {}", crate::api::field::go_quote(other)))),
        }
    }
}

/// Whether an Accept header asks for a Table, and of which version (`v1` or `v1beta1`).
pub fn wants_table(accept: Option<&str>) -> Option<&'static str> {
    let accept = accept?;
    for part in accept.split(',') {
        let params: Vec<&str> = part.split(';').map(str::trim).collect();
        if !params.iter().any(|p| *p == "as=Table") {
            continue;
        }
        let g = params.iter().find_map(|p| p.strip_prefix("g="));
        let v = params.iter().find_map(|p| p.strip_prefix("v="));
        if g == Some("meta.k8s.io") {
            match v {
                Some("v1") => return Some("v1"),
                Some("v1beta1") => return Some("v1beta1"),
                _ => {}
            }
        }
    }
    None
}

/// Column definitions of compile-time columns (the default Name / Created At without any).
pub fn definitions(columns: Option<&[Column]>) -> Vec<Value> {
    columns
        .unwrap_or(DEFAULT_COLUMNS)
        .iter()
        .map(|c| json!({"name": c.name, "type": c.kind, "format": c.format, "description": "", "priority": c.priority}))
        .collect()
}

/// The cells of the default columns: the name and the creation time.
pub fn default_cells(obj: &Value) -> Vec<Value> {
    vec![json!(str_at(obj, &["metadata", "name"]).unwrap_or_default()), json!(str_at(obj, &["metadata", "creationTimestamp"]).unwrap_or("0001-01-01T00:00:00Z"))]
}

/// Builds a Table from objects. `list_meta` is the list's metadata (resourceVersion,
/// continue); `headers` false leaves the column definitions out (`noHeaders`).
pub fn build(
    strategy: &dyn Strategy,
    objects: &[&Value],
    now: Timestamp,
    include: IncludeObject,
    table_version: &str,
    list_meta: Value,
    headers: bool,
) -> Value {
    // Built from moved values: `json!` would copy each value it is given by serializing it.
    let object = |pairs: Vec<(&str, Value)>| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    let partial_version = Value::String(format!("meta.k8s.io/{table_version}"));
    let rows: Vec<Value> = objects
        .iter()
        .map(|obj| {
            let included = match include {
                IncludeObject::None => Value::Null,
                IncludeObject::Metadata => object(vec![
                    ("kind", Value::String("PartialObjectMetadata".into())),
                    ("apiVersion", partial_version.clone()),
                    ("metadata", obj.get("metadata").cloned().unwrap_or_else(|| json!({}))),
                ]),
                IncludeObject::Object => (*obj).clone(),
            };
            let mut row = vec![("cells", Value::Array(strategy.table_cells(obj, now))), ("object", included)];
            if let Some(conds) = row_conditions(obj) {
                row.push(("conditions", conds));
            }
            object(row)
        })
        .collect();
    object(vec![
        ("kind", Value::String("Table".into())),
        ("apiVersion", partial_version),
        ("metadata", list_meta),
        ("columnDefinitions", if headers { Value::Array(strategy.table_columns()) } else { Value::Null }),
        ("rows", Value::Array(rows)),
    ])
}

/// Pods that have finished carry a `Completed` row condition (kubectl hides them with it).
fn row_conditions(obj: &Value) -> Option<Value> {
    if obj["kind"] != "Pod" {
        return None;
    }
    match obj["status"]["phase"].as_str() {
        Some("Succeeded") => Some(json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}])),
        Some("Failed") => Some(json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_table_requests() {
        assert_eq!(wants_table(Some("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")), Some("v1"));
        assert_eq!(wants_table(Some("application/json")), None);
        assert_eq!(wants_table(None), None);
    }
}
