//! What every replicated workload shares: the selector against the template, the template's
//! pod spec, int-or-percent fields, and the Containers / Images / Selector table cells.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::apiserver::tables::format;
use crate::apiserver::validation::selector::{
    go_int_or_string, go_label_selector, is_empty_selector, selector_matches_template, template_mismatch, validate_label_selector,
};

use super::podspec::defaults::default_template;
use super::podspec::validation::validate_template;

/// `must be greater than or equal to 0` for each named integer field of `obj` present.
pub fn nonnegative(obj: &Value, fields: &[&str], path: &Path, errs: &mut Vec<FieldError>) {
    for f in fields {
        if let Some(v) = obj[*f].as_i64() {
            if v < 0 {
                errs.push(FieldError::invalid_num(&path.child(f), v, "must be greater than or equal to 0"));
            }
        }
    }
}

/// How a workload's selector and template are checked.
pub struct TemplateRules {
    /// The kind named in `empty selector is invalid for <kind>`.
    pub empty_selector_kind: &'static str,
    /// The kind named in `activeDeadlineSeconds in <kind> is not Supported`.
    pub deadline_kind: &'static str,
    /// A missing selector is `Required value` (not for DaemonSets).
    pub selector_required: bool,
    /// The pod spec is validated (not for StatefulSets).
    pub validate_spec: bool,
}

/// Selector and template checks of Deployments, ReplicaSets, DaemonSets and StatefulSets.
pub fn validate_selector_and_template(spec: &Value, path: &Path, rules: &TemplateRules, errs: &mut Vec<FieldError>) {
    let sel = &spec["selector"];
    let sp = path.child("selector");
    if sel.is_null() {
        if rules.selector_required {
            errs.push(FieldError::required(&sp, ""));
        }
    } else {
        errs.extend(validate_label_selector(sel, &sp));
        if is_empty_selector(sel) {
            errs.push(FieldError::invalid(&sp, BadValue::Raw(go_label_selector(sel)), format!("empty selector is invalid for {}", rules.empty_selector_kind)));
        }
    }
    let tp = path.child("template");
    let template = &spec["template"];
    if template.is_null() {
        errs.push(FieldError::required(&tp, ""));
        return;
    }
    if !is_empty_selector(sel) && !selector_matches_template(sel, template) {
        errs.push(template_mismatch(template, &tp));
    }
    if rules.validate_spec {
        errs.extend(validate_template(template, &tp));
    } else {
        errs.extend(crate::apiserver::validation::meta::validate_labels(&template["metadata"]["labels"], &tp.child("labels")));
        errs.extend(crate::apiserver::validation::meta::validate_annotations(&template["metadata"]["annotations"], &tp.child("annotations")));
    }
    let rp = tp.child("spec").child("restartPolicy");
    if let Some(policy) = template["spec"]["restartPolicy"].as_str() {
        if policy != "Always" {
            errs.push(FieldError::not_supported(&rp, BadValue::Str(policy.to_string()), &["Always"]));
        }
    }
    if !template["spec"]["activeDeadlineSeconds"].is_null() {
        errs.push(FieldError::forbidden(
            &tp.child("spec").child("activeDeadlineSeconds"),
            format!("activeDeadlineSeconds in {} is not Supported", rules.deadline_kind),
        ));
    }
}

/// `spec.selector` may not change after creation (apps/v1).
pub fn selector_immutable(new: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    if new["spec"]["selector"] != old["spec"]["selector"] {
        errs.push(FieldError::invalid(&Path::new("spec").child("selector"), BadValue::Raw(go_label_selector(&new["spec"]["selector"])), "field is immutable"));
    }
}

/// Checks an int-or-percent (`maxSurge`, `maxUnavailable`); returns its value as a percent
/// string or an integer for further checks.
pub fn validate_int_or_percent(v: &Value, path: &Path, errs: &mut Vec<FieldError>) {
    match v {
        Value::String(s) => {
            let ok = s.len() > 1 && s.ends_with('%') && s[..s.len() - 1].bytes().all(|c| c.is_ascii_digit());
            if !ok {
                errs.push(FieldError::invalid(
                    path,
                    BadValue::Raw(go_int_or_string(v)),
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                ));
            } else if s[..s.len() - 1].parse::<u64>().unwrap_or(0) > 100 {
                errs.push(FieldError::invalid(path, BadValue::Raw(go_int_or_string(v)), "must not be greater than 100%"));
            }
        }
        Value::Number(n) => {
            if n.as_i64().unwrap_or(0) < 0 {
                errs.push(FieldError::invalid_num(path, n.as_i64().unwrap_or(0), "must be greater than or equal to 0"));
            }
        }
        _ => {}
    }
}

/// Whether an int-or-percent is zero (`0` or `0%`).
pub fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim_end_matches('%').parse::<u64>().ok() == Some(0),
        Value::Number(n) => n.as_i64() == Some(0),
        _ => false,
    }
}

/// Template defaults of a workload at `spec.template` (the apps kinds' template is not
/// optional: an absent one decodes as empty and is defaulted).
pub fn default_workload_template(obj: &mut Value) {
    let spec = crate::api::object::object_mut(obj, "spec");
    let t = spec.entry("template").or_insert_with(|| json!({}));
    if t.is_null() {
        *t = json!({});
    }
    default_template(t);
}

/// The wide Containers and Images cells, then the Selector cell (a LabelSelector).
pub fn containers_images_selector(spec: &Value) -> [Value; 3] {
    let (names, images) = format::containers(&spec["template"]["spec"]);
    [json!(names), json!(images), json!(format::label_selector(&spec["selector"]))]
}

/// PodTemplate: a named pod template, checked like a workload's.
pub struct PodTemplateStrategy;

impl crate::apiserver::strategy::Strategy for PodTemplateStrategy {
    fn default(&self, obj: &mut Value) {
        if let Some(t) = obj.get_mut("template") {
            default_template(t);
        }
    }

    fn validate(&self, pt: &Value) -> Vec<FieldError> {
        validate_template(&pt["template"], &Path::new("template"))
    }

    fn columns(&self) -> Option<&'static [crate::apiserver::tables::Column]> {
        use crate::apiserver::tables::Column;
        const C: &[Column] = &[Column::name(), Column::string("Containers"), Column::string("Images"), Column::string("Pod Labels")];
        Some(C)
    }

    fn row(&self, pt: &Value, _now: crate::sim::clock::Timestamp) -> Vec<Value> {
        let (names, images) = format::containers(&pt["template"]["spec"]);
        vec![json!(crate::api::object::name(pt)), json!(names), json!(images), json!(format::labels(&pt["template"]["metadata"]["labels"]))]
    }
}
