//! ReplicationController: the core/v1 predecessor of ReplicaSet, with a map selector.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::{metadata_mut, name, object_mut, set_default};
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::sim::clock::Timestamp;

use super::podspec::validation::validate_template;
use super::workload::nonnegative;

pub struct ReplicationControllerStrategy;


impl Strategy for ReplicationControllerStrategy {
    fn warnings(&self, obj: &Value) -> Vec<String> {
        let at = crate::api::field::Path::new("spec").child("template");
        super::podspec::warnings::warnings(Some(&at), &obj["spec"]["template"]["spec"], &obj["spec"]["template"]["metadata"])
    }
    fn has_status(&self) -> bool {
        true
    }
    fn tracks_generation(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let template_labels = obj["spec"]["template"]["metadata"]["labels"].clone();
        let spec = object_mut(obj, "spec");
        set_default(spec, "replicas", json!(1));
        if spec.get("selector").and_then(Value::as_object).is_none_or(|m| m.is_empty()) && template_labels.is_object() {
            spec.insert("selector".into(), template_labels.clone());
        }
        let meta = metadata_mut(obj);
        if meta.get("labels").and_then(Value::as_object).is_none_or(|m| m.is_empty()) && template_labels.is_object() {
            meta.insert("labels".into(), template_labels);
        }
        if let Some(t) = obj.get_mut("spec").and_then(|s| s.get_mut("template")).filter(|t| !t.is_null()) {
            super::podspec::defaults::default_template(t);
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"replicas": 0});
    }

    fn validate(&self, rc: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &rc["spec"];
        let p = Path::new("spec");
        nonnegative(spec, &["minReadySeconds"], &p, &mut errs);
        let selector = spec["selector"].as_object().cloned().unwrap_or_default();
        if selector.is_empty() {
            errs.push(FieldError::required(&p.child("selector"), ""));
        } else {
            errs.extend(crate::apiserver::validation::meta::validate_labels(&spec["selector"], &p.child("selector")));
        }
        nonnegative(spec, &["replicas"], &p, &mut errs);
        let tp = p.child("template");
        let template = &spec["template"];
        if template.is_null() {
            errs.push(FieldError::required(&tp, ""));
            return errs;
        }
        let labels = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
        if !selector.is_empty() && !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            errs.push(crate::apiserver::validation::selector::template_mismatch(template, &tp));
        }
        errs.extend(validate_template(template, &tp));
        if let Some(policy) = template["spec"]["restartPolicy"].as_str() {
            if policy != "Always" {
                errs.push(FieldError::not_supported(&tp.child("spec").child("restartPolicy"), BadValue::Str(policy.into()), &["Always"]));
            }
        }
        if !template["spec"]["activeDeadlineSeconds"].is_null() {
            errs.push(FieldError::forbidden(&tp.child("spec").child("activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicationController is not Supported"));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(super::apps::REPLICA_COLUMNS)
    }

    fn row(&self, rc: &Value, now: Timestamp) -> Vec<Value> {
        let i = |v: &Value| v.as_i64().unwrap_or(0);
        let (containers, images) = format::containers(&rc["spec"]["template"]["spec"]);
        vec![
            json!(name(rc)),
            json!(i(&rc["spec"]["replicas"])),
            json!(i(&rc["status"]["replicas"])),
            json!(i(&rc["status"]["readyReplicas"])),
            json!(format::age(rc, now)),
            json!(containers),
            json!(images),
            json!(format::labels(&rc["spec"]["selector"])),
        ]
    }

    fn field_label(&self, rc: &Value, label: &str) -> Option<String> {
        (label == "status.replicas").then(|| rc["status"]["replicas"].as_i64().unwrap_or(0).to_string())
    }
}
