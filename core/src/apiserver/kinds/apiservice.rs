//! APIService (apiregistration.k8s.io/v1): which group version the aggregator hands to a
//! Service (`spec.service`) or serves itself. Its status is the availability controller's.

use serde_json::{json, Value};

use crate::api::object::name;
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::sim::clock::Timestamp;

pub struct ApiServiceStrategy;

impl Strategy for ApiServiceStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        // A Service reference without a port means 443.
        if let Some(service) = obj["spec"]["service"].as_object_mut() {
            service.entry("port").or_insert(json!(443));
        }
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Service"), Column::string("Available"), Column::age()];
        Some(C)
    }

    fn row(&self, a: &Value, now: Timestamp) -> Vec<Value> {
        let service = match a["spec"]["service"].as_object() {
            Some(s) => format!("{}/{}", s.get("namespace").and_then(Value::as_str).unwrap_or_default(), s.get("name").and_then(Value::as_str).unwrap_or_default()),
            None => "Local".into(),
        };
        let available = match a["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Available") {
            Some(c) if c["status"] == "True" => "True".to_string(),
            Some(c) => {
                let status = c["status"].as_str().unwrap_or_default();
                match c["reason"].as_str().filter(|r| !r.is_empty()) {
                    Some(reason) => format!("{status} ({reason})"),
                    None => status.to_string(),
                }
            }
            None => "Unknown".into(),
        };
        vec![json!(name(a)), json!(service), json!(available), json!(format::age(a, now))]
    }
}
