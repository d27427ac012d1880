//! Strategic merge patch: like a merge patch, but lists with a merge strategy merge element by
//! element (containers by `name`, ports by `containerPort`, ...), lists of primitives with one
//! union, and the directives `$patch` (replace, delete, merge), `$retainKeys`,
//! `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` are honoured.

use serde_json::{Map, Value};

use crate::schema::{Definition, FieldType, PatchStrategy, Schema};

use super::MAX_DEPTH;

/// Applies a strategic merge patch to an object of the schema definition `def` (`None` for
/// objects the schema does not describe: merged as a plain merge patch).
pub fn apply(schema: &Schema, def: Option<&str>, target: &Value, patch: &Value) -> Result<Value, String> {
    match merge_map(schema, def, target, patch, 0)? {
        Some(v) => Ok(v),
        None => Ok(Value::Object(Map::new())),
    }
}

fn field_info<'a>(schema: &'a Schema, def: Option<&str>, field: &str) -> (Option<&'a FieldType>, Option<&'a PatchStrategy>) {
    match def.and_then(|d| schema.definition(d)) {
        Some(Definition::Object { props, patch, .. }) => (props.get(field), patch.get(field)),
        _ => (None, None),
    }
}

/// The definition an object-valued field holds (directly or as list items).
fn element_def(schema: &Schema, t: Option<&FieldType>) -> Option<String> {
    match t.map(|t| schema.resolve(t)) {
        Some(FieldType::Ref(r)) => Some(r.clone()),
        Some(FieldType::Array(inner)) | Some(FieldType::Map(inner)) => match &**inner {
            FieldType::Ref(r) => Some(r.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Merges a patch map into a target map. `Ok(None)` means the map is deleted (`$patch: delete`).
fn merge_map(schema: &Schema, def: Option<&str>, target: &Value, patch: &Value, depth: usize) -> Result<Option<Value>, String> {
    if depth > MAX_DEPTH {
        return Err("patch nesting too deep".into());
    }
    let Value::Object(p) = patch else { return Ok(Some(patch.clone())) };
    match p.get("$patch").and_then(Value::as_str) {
        Some("delete") => return Ok(None),
        Some("replace") => {
            let mut out = p.clone();
            out.remove("$patch");
            return Ok(Some(Value::Object(out)));
        }
        Some("merge") | None => {}
        Some(other) => return Err(format!("Unexpected patch directive: {other}")),
    }
    let mut out = match target {
        Value::Object(t) => t.clone(),
        _ => Map::new(),
    };
    if let Some(keep) = p.get("$retainKeys") {
        let keep: Vec<&str> = keep.as_array().ok_or("invalid patch: $retainKeys must be a list")?.iter().filter_map(Value::as_str).collect();
        out.retain(|k, _| keep.contains(&k.as_str()));
    }
    let mut orders: Vec<(String, Vec<Value>)> = Vec::new();
    for (k, v) in p {
        if k == "$patch" || k == "$retainKeys" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$setElementOrder/") {
            orders.push((field.to_string(), v.as_array().cloned().unwrap_or_default()));
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            let drop: Vec<Value> = v.as_array().cloned().unwrap_or_default();
            if let Some(Value::Array(list)) = out.get_mut(field) {
                list.retain(|x| !drop.contains(x));
            }
            continue;
        }
        if v.is_null() {
            out.remove(k);
            continue;
        }
        let (ftype, strategy) = field_info(schema, def, k);
        let sub = element_def(schema, ftype);
        let current = out.get(k).cloned().unwrap_or(Value::Null);
        let merged = match (&current, v) {
            (Value::Object(_), Value::Object(_)) | (Value::Null, Value::Object(_)) => {
                let is_map_of_strings = matches!(ftype.map(|t| schema.resolve(t)), Some(FieldType::Map(_)));
                if is_map_of_strings && sub.is_none() {
                    super::merge::apply(&current, v)?.into()
                } else {
                    merge_map(schema, sub.as_deref(), &current, v, depth + 1)?
                }
            }
            (Value::Array(cur), Value::Array(pl)) if strategy.is_some_and(|s| s.merge) => {
                Some(Value::Array(merge_list(schema, sub.as_deref(), cur, pl, strategy.and_then(|s| s.merge_key.as_deref()), depth)?))
            }
            (_, Value::Array(pl)) => Some(Value::Array(strip_directives(pl))),
            _ => Some(v.clone()),
        };
        match merged {
            Some(m) => {
                out.insert(k.clone(), m);
            }
            None => {
                out.remove(k);
            }
        }
    }
    for (field, order) in orders {
        let (_, strategy) = field_info(schema, def, &field);
        let key = strategy.and_then(|s| s.merge_key.clone());
        if let Some(Value::Array(list)) = out.get_mut(&field) {
            reorder(list, &order, key.as_deref());
        }
    }
    Ok(Some(Value::Object(out)))
}

fn strip_directives(list: &[Value]) -> Vec<Value> {
    list.iter().filter(|x| !(x.is_object() && x.get("$patch").is_some() && x.as_object().is_some_and(|m| m.len() == 1))).cloned().collect()
}

fn merge_list(schema: &Schema, def: Option<&str>, current: &[Value], patch: &[Value], key: Option<&str>, depth: usize) -> Result<Vec<Value>, String> {
    let Some(key) = key else {
        // A list of primitives: the union, original order first.
        let mut out = current.to_vec();
        for v in patch {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        return Ok(out);
    };
    if patch.iter().any(|e| e.get("$patch").and_then(Value::as_str) == Some("replace")) {
        return Ok(strip_directives(patch));
    }
    let mut out = current.to_vec();
    for item in patch {
        let Some(id) = item.get(key) else {
            return Err(format!("map: {item} does not contain declared merge key: {key}"));
        };
        let pos = out.iter().position(|e| e.get(key) == Some(id));
        match (item.get("$patch").and_then(Value::as_str), pos) {
            (Some("delete"), Some(i)) => {
                out.remove(i);
            }
            (Some("delete"), None) => {}
            (_, Some(i)) => match merge_map(schema, def, &out[i], item, depth + 1)? {
                Some(m) => out[i] = m,
                None => {
                    out.remove(i);
                }
            },
            (_, None) => {
                if let Some(m) = merge_map(schema, def, &Value::Null, item, depth + 1)? {
                    out.push(m);
                }
            }
        }
    }
    Ok(out)
}

/// Puts list elements in the order `$setElementOrder` gives; others keep their place after.
fn reorder(list: &mut Vec<Value>, order: &[Value], key: Option<&str>) {
    let id = |v: &Value| -> Value {
        match key {
            Some(k) => v.get(k).cloned().unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let mut ordered = Vec::with_capacity(list.len());
    for o in order {
        let want = match key {
            Some(k) => o.get(k).cloned().unwrap_or(Value::Null),
            None => o.clone(),
        };
        if let Some(i) = list.iter().position(|v| id(v) == want) {
            ordered.push(list.remove(i));
        }
    }
    ordered.append(list);
    *list = ordered;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod_def() -> &'static str {
        Schema::v1_33().kind("v1", "Pod").unwrap()
    }

    #[test]
    fn containers_merge_by_name() {
        let s = Schema::v1_33();
        let pod = json!({"spec": {"containers": [{"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}]}, {"name": "b", "image": "y"}]}});
        let patch = json!({"spec": {"containers": [{"name": "a", "image": "x2", "env": [{"name": "B", "value": "2"}]}, {"name": "c", "image": "z"}]}});
        let out = apply(s, Some(pod_def()), &pod, &patch).unwrap();
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "a", "image": "x2", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}, {"name": "b", "image": "y"}, {"name": "c", "image": "z"}])
        );
    }

    #[test]
    fn directives() {
        let s = Schema::v1_33();
        let pod = json!({"metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x"]}, "spec": {"containers": [{"name": "a"}, {"name": "b"}], "tolerations": [{"key": "k"}]}});
        let patch = json!({
            "metadata": {"labels": {"a": null}, "finalizers": ["y"]},
            "spec": {"containers": [{"name": "b", "$patch": "delete"}], "tolerations": [{"key": "n"}]},
        });
        let out = apply(s, Some(pod_def()), &pod, &patch).unwrap();
        assert_eq!(out["metadata"]["labels"], json!({"b": "2"}));
        assert_eq!(out["metadata"]["finalizers"], json!(["x", "y"]));
        assert_eq!(out["spec"]["containers"], json!([{"name": "a"}]));
        assert_eq!(out["spec"]["tolerations"], json!([{"key": "n"}]), "tolerations have no strategy: replaced");
        let replaced = apply(s, Some(pod_def()), &pod, &json!({"spec": {"$patch": "replace", "containers": [{"name": "z"}]}})).unwrap();
        assert_eq!(replaced["spec"], json!({"containers": [{"name": "z"}]}));
        let ordered = apply(s, Some(pod_def()), &pod, &json!({"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}})).unwrap();
        assert_eq!(ordered["spec"]["containers"], json!([{"name": "b"}, {"name": "a"}]));
        assert!(apply(s, Some(pod_def()), &pod, &json!({"spec": {"containers": [{"image": "no-name"}]}})).is_err());
    }
}
