//! The TTL-after-finished controller: a finished Job with `ttlSecondsAfterFinished` is deleted
//! (foreground, so its pods go first) that long after its Complete or Failed condition.

use serde_json::json;

use crate::api::object::{name, namespace, uid};
use crate::sim::clock::{Duration, Timestamp};

use super::{Client, Controller};

pub struct TtlAfterFinishedController;

impl Controller for TtlAfterFinishedController {
    fn name(&self) -> &'static str {
        "ttl-after-finished-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let now = c.now();
        for job in c.list("jobs.batch", None) {
            let Some(ttl) = job["spec"]["ttlSecondsAfterFinished"].as_i64() else { continue };
            if job["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            let finished = job["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| matches!(x["type"].as_str(), Some("Complete" | "Failed")) && x["status"] == "True")
                .and_then(|x| x["lastTransitionTime"].as_str().and_then(Timestamp::parse_rfc3339));
            let Some(at) = finished else { continue };
            let expires = at.plus(Duration::from_secs(ttl));
            if now < expires {
                c.wake_at(expires);
                continue;
            }
            let options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground", "preconditions": {"uid": uid(&job)}});
            let _ = c.delete_with("batch/v1", "jobs", namespace(&job), name(&job), options);
        }
    }
}
