//! The aggregator's availability controller: an APIService served by a Service is Available
//! while the Service has a ready endpoint whose pod answers for the group version; the
//! condition says why not otherwise (`MissingEndpoints`, `ServiceNotFound`, ...).

use serde_json::{json, Value};

use crate::apiserver::aggregator::{self, Check};

use super::{Client, Controller};

pub struct AvailabilityController;

impl Controller for AvailabilityController {
    fn name(&self) -> &'static str {
        "apiservice-availability"
    }

    fn sync(&mut self, c: &mut Client) {
        let services = aggregator::list(c.api_store());
        for a in services {
            let (status, reason, message) = match aggregator::check(c.api_store(), &a) {
                Check::Passed { .. } => ("True", "Passed", "all checks passed".to_string()),
                Check::Failed { reason, message } => ("False", reason, message),
            };
            let conditions = a.object["status"]["conditions"].as_array().cloned().unwrap_or_default();
            let current = conditions.iter().find(|x| x["type"] == "Available");
            if current.is_some_and(|x| x["status"] == status && x["reason"] == reason && x["message"] == message.as_str()) {
                continue;
            }
            // The transition time moves only when the status does.
            let since = match current {
                Some(x) if x["status"] == status => x["lastTransitionTime"].clone(),
                _ => json!(c.now().rfc3339()),
            };
            let condition = json!({"type": "Available", "status": status, "lastTransitionTime": since, "reason": reason, "message": message});
            let mut next: Value = (*a.object).clone();
            let mut rest: Vec<Value> = conditions.into_iter().filter(|x| x["type"] != "Available").collect();
            rest.insert(0, condition);
            next["status"]["conditions"] = Value::Array(rest);
            let _ = c.update_status("apiregistration.k8s.io/v1", "apiservices", next);
        }
    }
}
