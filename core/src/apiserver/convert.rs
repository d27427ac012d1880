//! Versions of one resource that share storage: objects are stored in one version and
//! converted on the way in and out. Events (core/v1 stored; events.k8s.io/v1 served too) and
//! HorizontalPodAutoscalers (autoscaling/v2 stored; autoscaling/v1 served too).

use serde_json::{json, Map, Value};

use super::registry::ResourceInfo;

/// Converts an object in the request's version into the storage version.
pub fn to_storage(info: &ResourceInfo, obj: Value) -> Value {
    match (info.group.as_str(), info.version.as_str(), info.kind.as_str()) {
        ("events.k8s.io", "v1", "Event") => event_to_core(obj),
        ("autoscaling", "v1", "HorizontalPodAutoscaler") => {
            let mut v2 = hpa_v1_to_v2(obj);
            v2["apiVersion"] = json!("autoscaling/v2");
            v2
        }
        _ => obj,
    }
}

/// Converts a stored object into the version of the request, with its apiVersion and kind.
pub fn from_storage(info: &ResourceInfo, obj: &Value) -> Value {
    let mut out = match (info.group.as_str(), info.version.as_str(), info.kind.as_str()) {
        ("events.k8s.io", "v1", "Event") => event_from_core(obj),
        ("autoscaling", "v1", "HorizontalPodAutoscaler") => hpa_v2_to_v1(obj),
        _ => obj.clone(),
    };
    if let Some(m) = out.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(info.api_version()));
        m.insert("kind".into(), Value::String(info.kind.clone()));
    }
    // A custom resource takes its schema's defaults on every read too (a default added to
    // the CRD later shows on objects stored before).
    if matches!(info.strategy, super::registry::StrategyRef::Custom(_)) {
        info.strategy.default(&mut out);
    }
    out
}

fn rename(from: &Map<String, Value>, to: &mut Map<String, Value>, pairs: &[(&str, &str)]) {
    for (a, b) in pairs {
        if let Some(v) = from.get(*a) {
            to.insert((*b).to_string(), v.clone());
        }
    }
}

const EVENT_FIELDS: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("related", "related"),
    ("note", "message"),
    ("reason", "reason"),
    ("type", "type"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
    ("series", "series"),
    ("reportingController", "reportingComponent"),
    ("reportingInstance", "reportingInstance"),
    ("eventTime", "eventTime"),
    ("action", "action"),
    ("metadata", "metadata"),
];

fn event_to_core(obj: Value) -> Value {
    let Some(m) = obj.as_object() else { return obj };
    let mut out = Map::new();
    rename(m, &mut out, EVENT_FIELDS);
    out.insert("apiVersion".into(), json!("v1"));
    out.insert("kind".into(), json!("Event"));
    Value::Object(out)
}

fn event_from_core(obj: &Value) -> Value {
    let Some(m) = obj.as_object() else { return obj.clone() };
    let mut out = Map::new();
    let reversed: Vec<(&str, &str)> = EVENT_FIELDS.iter().map(|(a, b)| (*b, *a)).collect();
    rename(m, &mut out, &reversed);
    Value::Object(out)
}

fn hpa_v1_to_v2(obj: Value) -> Value {
    let mut out = obj.clone();
    let Some(spec) = out.get_mut("spec").and_then(Value::as_object_mut) else { return out };
    if let Some(cpu) = spec.remove("targetCPUUtilizationPercentage") {
        if !cpu.is_null() {
            spec.insert("metrics".into(), json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}}}]));
        }
    }
    if let Some(status) = out.get_mut("status").and_then(Value::as_object_mut) {
        if let Some(cur) = status.remove("currentCPUUtilizationPercentage") {
            if !cur.is_null() {
                status.insert("currentMetrics".into(), json!([{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": cur}}}]));
            }
        }
    }
    out
}

fn hpa_v2_to_v1(obj: &Value) -> Value {
    let mut out = obj.clone();
    let cpu = obj["spec"]["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["type"] == "Resource" && m["resource"]["name"] == "cpu")
        .and_then(|m| m["resource"]["target"]["averageUtilization"].as_i64());
    if let Some(spec) = out.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("metrics");
        spec.remove("behavior");
        if let Some(c) = cpu {
            spec.insert("targetCPUUtilizationPercentage".into(), json!(c));
        }
    }
    let current = obj["status"]["currentMetrics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["type"] == "Resource" && m["resource"]["name"] == "cpu")
        .and_then(|m| m["resource"]["current"]["averageUtilization"].as_i64());
    if let Some(status) = out.get_mut("status").and_then(Value::as_object_mut) {
        status.remove("currentMetrics");
        status.remove("conditions");
        if let Some(c) = current {
            status.insert("currentCPUUtilizationPercentage".into(), json!(c));
        }
    }
    out
}
