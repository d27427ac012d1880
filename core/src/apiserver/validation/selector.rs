//! Label selectors in objects (`matchLabels`, `matchExpressions`), workload selectors against
//! their templates, and the Go-syntax dumps Kubernetes prints for them in messages.

use serde_json::Value;

use crate::api::field::{go_quote, FieldError, Path};
use crate::api::labels::Selector;

use super::meta::validate_labels;
use super::names::{label_value, qualified_name};

/// `matchLabels` and `matchExpressions` of a metav1.LabelSelector.
pub fn validate_label_selector(sel: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_labels(&sel["matchLabels"], &path.child("matchLabels"));
    for (i, e) in sel["matchExpressions"].as_array().into_iter().flatten().enumerate() {
        let p = path.child("matchExpressions").index(i);
        let op = e["operator"].as_str().unwrap_or_default();
        let values = e["values"].as_array().cloned().unwrap_or_default();
        match op {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(&p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(&p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                }
            }
            other => errs.push(FieldError::invalid_str(&p.child("operator"), other, "not a valid selector operator")),
        }
        let key = e["key"].as_str().unwrap_or_default();
        for m in qualified_name(key) {
            errs.push(FieldError::invalid_str(&p.child("key"), key, m));
        }
        for (j, v) in values.iter().enumerate() {
            let v = v.as_str().unwrap_or_default();
            for m in label_value(v) {
                errs.push(FieldError::invalid_str(&p.child("values").index(j), v, m));
            }
        }
    }
    errs
}

/// Whether a selector is present but selects on nothing.
pub fn is_empty_selector(sel: &Value) -> bool {
    sel.is_object() && sel["matchLabels"].as_object().is_none_or(|m| m.is_empty()) && sel["matchExpressions"].as_array().is_none_or(|a| a.is_empty())
}

/// Whether the selector selects the template's labels (a missing selector selects nothing).
pub fn selector_matches_template(sel: &Value, template: &Value) -> bool {
    if sel.is_null() {
        return false;
    }
    match Selector::from_label_selector(sel) {
        Ok(s) => s.matches(template["metadata"]["labels"].as_object()),
        Err(_) => false,
    }
}

/// The error for a template whose labels the selector does not select.
pub fn template_mismatch(template: &Value, path: &Path) -> FieldError {
    FieldError::invalid(
        &path.child("metadata").child("labels"),
        crate::api::field::BadValue::Raw(go_string_map(&template["metadata"]["labels"])),
        "`selector` does not match template `labels`",
    )
}

/// A map of strings as Go's `%#v` prints it: `map[string]string{"a":"1", "b":"2"}`.
pub fn go_string_map(v: &Value) -> String {
    match v.as_object() {
        None => "map[string]string(nil)".to_string(),
        Some(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v.as_str().unwrap_or_default()))).collect();
            format!("map[string]string{{{}}}", parts.join(", "))
        }
    }
}

/// A LabelSelector as Go's `%#v` prints it.
pub fn go_label_selector(sel: &Value) -> String {
    let labels = if sel["matchLabels"].is_object() { go_string_map(&sel["matchLabels"]) } else { "map[string]string(nil)".to_string() };
    let exprs = match sel["matchExpressions"].as_array() {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(list) => {
            let items: Vec<String> = list
                .iter()
                .map(|e| {
                    let values = match e["values"].as_array() {
                        None => "[]string(nil)".to_string(),
                        Some(vs) => format!("[]string{{{}}}", vs.iter().map(|v| go_quote(v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(", ")),
                    };
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{values}}}",
                        go_quote(e["key"].as_str().unwrap_or_default()),
                        go_quote(e["operator"].as_str().unwrap_or_default())
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
}

/// An int-or-string as Go's `%#v` prints it.
pub fn go_int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}", go_quote(s)),
        other => format!("intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}", other.as_i64().unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dumps_like_go() {
        assert_eq!(go_string_map(&json!({"b": "2", "a": "1"})), "map[string]string{\"a\":\"1\", \"b\":\"2\"}");
        assert_eq!(
            go_label_selector(&json!({"matchLabels": {"app": "new"}})),
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"new\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        );
        assert_eq!(go_int_or_string(&json!("x")), "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x\"}");
    }

    #[test]
    fn selectors() {
        let sel = json!({"matchLabels": {"app": "web"}});
        assert!(selector_matches_template(&sel, &json!({"metadata": {"labels": {"app": "web", "x": "y"}}})));
        assert!(!selector_matches_template(&sel, &json!({"metadata": {"labels": {"app": "db"}}})));
        assert!(!selector_matches_template(&Value::Null, &json!({"metadata": {"labels": {}}})));
        let e = validate_label_selector(&json!({"matchExpressions": [{"key": "a", "operator": "In"}]}), &Path::new("spec.selector"));
        assert_eq!(e[0].to_string(), "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
    }
}
