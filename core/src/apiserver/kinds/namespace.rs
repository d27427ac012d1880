//! Namespace: cluster-scoped, named by a DNS label, Active until deleted, then Terminating.

use serde_json::{json, Value};

use crate::api::object::{metadata_mut, name, object_mut};
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::NameRule;
use crate::sim::clock::Timestamp;

pub struct NamespaceStrategy;

const COLUMNS: &[Column] = &[Column::name(), Column::string("Status"), Column::age()];

impl Strategy for NamespaceStrategy {
    fn name_rule(&self) -> NameRule {
        NameRule::Label
    }

    fn has_status(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        // Every namespace carries its own name as a label (set on every write).
        let n = name(obj).to_string();
        if !n.is_empty() {
            let meta = metadata_mut(obj);
            let labels = meta.entry("labels").or_insert_with(|| json!({}));
            if let Some(l) = labels.as_object_mut() {
                l.insert("kubernetes.io/metadata.name".into(), json!(n));
            }
        }
        let status = object_mut(obj, "status");
        if !status.contains_key("phase") {
            status.insert("phase".into(), json!("Active"));
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"phase": "Active"});
        object_mut(obj, "spec").insert("finalizers".into(), json!(["kubernetes"]));
    }

    fn prepare_for_update(&self, new: &mut Value, old: &Value) {
        // spec.finalizers change only through the finalize subresource.
        new["spec"] = old.get("spec").cloned().unwrap_or_else(|| json!({}));
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(COLUMNS)
    }

    fn row(&self, ns: &Value, now: Timestamp) -> Vec<Value> {
        vec![json!(name(ns)), json!(ns["status"]["phase"].as_str().unwrap_or_default()), json!(format::age(ns, now))]
    }

    fn field_label(&self, ns: &Value, label: &str) -> Option<String> {
        match label {
            "status.phase" => Some(ns["status"]["phase"].as_str().unwrap_or_default().to_string()),
            _ => None,
        }
    }
}
