//! Cell formats shared by the printers: ages, label maps, label selectors, container lists.

use crate::sort::Order;
use serde_json::Value;

use crate::api::duration::human_duration;
use crate::sim::clock::Timestamp;

/// AGE: `<unknown>` without a timestamp, else Kubernetes' human duration since then.
pub fn age(obj: &Value, now: Timestamp) -> String {
    since(obj["metadata"]["creationTimestamp"].as_str(), now)
}

/// A human duration since an RFC 3339 time, `<unknown>` when absent or unreadable.
pub fn since(t: Option<&str>, now: Timestamp) -> String {
    match t.and_then(Timestamp::parse_rfc3339) {
        Some(t) => human_duration(now.since(t)),
        None => "<unknown>".to_string(),
    }
}

/// `k=v,k2=v2` with keys sorted, or `<none>`.
pub fn labels(map: &Value) -> String {
    match map.as_object() {
        Some(m) if !m.is_empty() => m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(","),
        _ => "<none>".to_string(),
    }
}

/// A LabelSelector (`matchLabels` and `matchExpressions`) as text, requirements sorted by key;
/// `<none>` when empty.
pub fn label_selector(sel: &Value) -> String {
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = sel["matchLabels"].as_object() {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())));
        }
    }
    if let Some(exprs) = sel["matchExpressions"].as_array() {
        for e in exprs {
            let key = e["key"].as_str().unwrap_or_default();
            let mut values: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            values.order();
            let text = match e["operator"].as_str().unwrap_or_default() {
                "In" => format!("{key} in ({})", values.join(",")),
                "NotIn" => format!("{key} notin ({})", values.join(",")),
                "Exists" => key.to_string(),
                "DoesNotExist" => format!("!{key}"),
                _ => return "<error>".to_string(),
            };
            reqs.push((key.to_string(), text));
        }
    }
    if reqs.is_empty() {
        return "<none>".to_string();
    }
    reqs.order_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// Container names and images of a pod spec, each comma-joined.
pub fn containers(pod_spec: &Value) -> (String, String) {
    let list = pod_spec["containers"].as_array();
    let names: Vec<&str> = list.into_iter().flatten().map(|c| c["name"].as_str().unwrap_or_default()).collect();
    let images: Vec<&str> = list.into_iter().flatten().map(|c| c["image"].as_str().unwrap_or_default()).collect();
    (names.join(","), images.join(","))
}

/// The first `max` items, then ` + N more...`.
pub fn more(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(",")
    } else {
        format!("{} + {} more...", items[..max].join(","), items.len() - max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_and_labels() {
        let sel = json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}, {"key": "gone", "operator": "DoesNotExist"}]});
        assert_eq!(label_selector(&sel), "app=web,!gone,tier in (a,b)");
        assert_eq!(label_selector(&json!({})), "<none>");
        assert_eq!(labels(&json!({"b": "2", "a": "1"})), "a=1,b=2");
        assert_eq!(more(&["a".into(), "b".into(), "c".into()], 2), "a,b + 1 more...");
    }
}
