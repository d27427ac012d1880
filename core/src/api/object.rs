//! Small, safe accessors for objects held as JSON.

use serde_json::{Map, Value};

/// The string at a path of object keys, if every step exists and it is a string.
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// The value at a path of object keys.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

pub fn name(obj: &Value) -> &str {
    str_at(obj, &["metadata", "name"]).unwrap_or_default()
}

pub fn namespace(obj: &Value) -> &str {
    str_at(obj, &["metadata", "namespace"]).unwrap_or_default()
}

pub fn uid(obj: &Value) -> &str {
    str_at(obj, &["metadata", "uid"]).unwrap_or_default()
}

/// `metadata.resourceVersion` as a number (0 when missing or not a number).
pub fn resource_version(obj: &Value) -> u64 {
    str_at(obj, &["metadata", "resourceVersion"]).and_then(|r| r.parse().ok()).unwrap_or(0)
}

pub fn labels(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata")?.get("labels")?.as_object()
}

/// `metadata`, created as an empty object when missing or not an object.
pub fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    object_mut(obj, "metadata")
}

/// The object at `key` of `obj`, created when missing or of another type. `obj` itself
/// becomes an object if it is not one.
pub fn object_mut<'a>(obj: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let map = match obj {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    };
    let entry = map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

/// Sets `key` to `value` unless it is already present (and not null).
pub fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get(key) {
        Some(v) if !v.is_null() => {}
        _ => {
            map.insert(key.to_string(), value);
        }
    }
}

/// An integer field, if present and integral.
pub fn i64_at(v: &Value, path: &[&str]) -> Option<i64> {
    at(v, path)?.as_i64()
}

/// A pod named without copying it: kind, identity and resourceVersion. What an Event's
/// involvedObject takes, and all a status write needs besides the status (the store keeps no
/// `kind`).
pub fn pod_ref(pod: &Value) -> Value {
    let meta = &pod["metadata"];
    serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"], "resourceVersion": meta["resourceVersion"]}})
}
