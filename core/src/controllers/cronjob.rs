//! The CronJob controller: at each scheduled time on the virtual clock it creates a Job named
//! `<cronjob>-<minutes since the epoch>`, honouring `suspend`, `concurrencyPolicy` and
//! `startingDeadlineSeconds`; it follows its active Jobs and keeps only the configured number
//! of finished ones.

use crate::sort::Order;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::cron::Schedule;
use crate::api::object::{name, namespace, uid};
use crate::sim::clock::{Duration, Timestamp};

use super::replicaset::controller_uid;
use super::{Client, Controller};

pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// More missed start times than this and the controller says so (it still starts the latest).
const MAX_MISSED: usize = 100;

pub struct CronJobController;

impl Controller for CronJobController {
    fn name(&self) -> &'static str {
        "cronjob-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for cj in c.list("cronjobs.batch", None) {
            sync_one(c, &cj);
        }
    }
}

fn with_kind(cj: &Value) -> Value {
    let mut v = cj.clone();
    v["apiVersion"] = json!("batch/v1");
    v["kind"] = json!("CronJob");
    v
}

fn finished_as(job: &Value) -> Option<&'static str> {
    job["status"]["conditions"].as_array().into_iter().flatten().find_map(|x| match (x["type"].as_str(), x["status"].as_str()) {
        (Some("Complete"), Some("True")) => Some("Complete"),
        (Some("Failed"), Some("True")) => Some("Failed"),
        _ => None,
    })
}

fn time_of(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(Timestamp::parse_rfc3339)
}

/// `Mon, 02 Jan 2006 15:04:05 +0000` (Go's RFC1123Z), for MissSchedule.
fn rfc1123z(t: Timestamp) -> String {
    let s = t.rfc3339();
    let days = t.unix_millis().div_euclid(86_400_000);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month: usize = s.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    format!("{weekday}, {} {} {} {} +0000", s.get(8..10).unwrap_or("01"), months[month.saturating_sub(1).min(11)], s.get(0..4).unwrap_or("1970"), s.get(11..19).unwrap_or("00:00:00"))
}

fn job_ref(job: &Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "name": name(job), "namespace": namespace(job), "uid": uid(job), "resourceVersion": job["metadata"]["resourceVersion"]})
}

fn sync_one(c: &mut Client, cj: &Arc<Value>) {
    let now = c.now();
    let cj_uid = uid(cj).to_string();
    let about = with_kind(cj);
    let jobs: Vec<Arc<Value>> = c.owned("jobs.batch", &cj_uid).into_iter().filter(|j| controller_uid(j) == Some(cj_uid.as_str())).collect();
    let mut active: Vec<Value> = cj["status"]["active"].as_array().cloned().unwrap_or_default();
    let mut last_successful = cj["status"]["lastSuccessfulTime"].clone();
    let mut last_schedule = cj["status"]["lastScheduleTime"].clone();

    // Follow the children: finished ones leave the active list, unknown running ones are noted.
    for job in &jobs {
        let listed = active.iter().any(|r| r["uid"] == job["metadata"]["uid"]);
        match finished_as(job) {
            Some(how) if listed => {
                active.retain(|r| r["uid"] != job["metadata"]["uid"]);
                c.event(&about, "Normal", "SawCompletedJob", &format!("Saw completed job: {}, status: {how}", name(job)));
            }
            Some("Complete") => {
                if let Some(done) = time_of(&job["status"]["completionTime"]) {
                    if time_of(&last_successful).is_none_or(|t| done > t) {
                        last_successful = json!(done.rfc3339());
                    }
                }
            }
            Some(_) => {}
            None if !listed && job["metadata"]["deletionTimestamp"].is_null() => {
                c.event(&about, "Warning", "UnexpectedJob", &format!("Saw a job that the controller did not create or forgot: {}", name(job)));
                active.push(job_ref(job));
            }
            None => {}
        }
    }
    // Active entries whose Job is gone.
    let missing: Vec<Value> = active.iter().filter(|r| !jobs.iter().any(|j| j["metadata"]["uid"] == r["uid"])).cloned().collect();
    for r in missing {
        active.retain(|x| x["uid"] != r["uid"]);
        c.event(&about, "Normal", "MissingJob", &format!("Active job went missing: {}", r["name"].as_str().unwrap_or_default()));
    }
    cleanup_history(c, cj, &jobs);

    if cj["metadata"]["deletionTimestamp"].is_null() && cj["spec"]["suspend"] != true {
        if let Ok(schedule) = Schedule::parse(cj["spec"]["schedule"].as_str().unwrap_or_default()) {
            schedule_runs(c, cj, &schedule, &mut active, &mut last_schedule, &jobs);
            // Run again at the next scheduled time.
            let from = time_of(&last_schedule).unwrap_or(now).max(now);
            if let Some(next) = schedule.next_after(from) {
                c.wake_at(next);
            }
        }
    }

    let mut status = json!({});
    if !active.is_empty() {
        status["active"] = json!(active);
    }
    if !last_schedule.is_null() {
        status["lastScheduleTime"] = last_schedule;
    }
    if !last_successful.is_null() {
        status["lastSuccessfulTime"] = last_successful;
    }
    if cj["status"] != status && !(cj["status"].is_null() && status == json!({})) {
        let mut next = (**cj).clone();
        next["status"] = status;
        let _ = c.update_status("batch/v1", "cronjobs", next);
    }
}

/// Starts the most recent scheduled run that has not started, if the policy allows.
fn schedule_runs(c: &mut Client, cj: &Value, schedule: &Schedule, active: &mut Vec<Value>, last_schedule: &mut Value, jobs: &[Arc<Value>]) {
    let now = c.now();
    let about = with_kind(cj);
    let created = time_of(&cj["metadata"]["creationTimestamp"]).unwrap_or(now);
    let mut earliest = time_of(last_schedule).unwrap_or(created);
    let deadline = cj["spec"]["startingDeadlineSeconds"].as_i64();
    if let Some(sds) = deadline {
        let floor = Timestamp::from_unix_millis(now.unix_millis() - sds * 1000);
        earliest = earliest.max(floor);
    }
    // The latest scheduled time at or before now that has not been started.
    let mut missed = 0;
    let mut latest: Option<Timestamp> = None;
    let mut t = earliest;
    while let Some(next) = schedule.next_after(t) {
        if next > now {
            break;
        }
        latest = Some(next);
        missed += 1;
        t = next;
        if missed > 10_000 {
            break;
        }
    }
    let Some(scheduled) = latest else { return };
    if missed > MAX_MISSED {
        c.event(&about, "Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    }
    let job_name = format!("{}-{}", name(cj), scheduled.unix_millis().div_euclid(60_000));
    if active.iter().any(|r| r["name"] == job_name.as_str()) || time_of(last_schedule) == Some(scheduled) {
        return;
    }
    if let Some(sds) = deadline {
        if scheduled.plus(Duration::from_secs(sds)) < now {
            c.event(&about, "Warning", "MissSchedule", &format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled)));
            return;
        }
    }
    match cj["spec"]["concurrencyPolicy"].as_str().unwrap_or("Allow") {
        "Forbid" if !active.is_empty() => {
            c.event(&about, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return;
        }
        "Replace" => {
            for r in std::mem::take(active) {
                let jn = r["name"].as_str().unwrap_or_default().to_string();
                let still = jobs.iter().any(|j| name(j) == jn && j["metadata"]["deletionTimestamp"].is_null());
                if still && c.delete_with("batch/v1", "jobs", namespace(cj), &jn, json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})).is_ok() {
                    c.event(&about, "Normal", "SuccessfulDelete", &format!("Deleted job {jn}"));
                }
            }
        }
        _ => {}
    }
    let tpl = &cj["spec"]["jobTemplate"];
    let mut meta = json!({
        "name": job_name,
        "namespace": namespace(cj),
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name(cj), "uid": uid(cj), "controller": true, "blockOwnerDeletion": true}],
    });
    if let Some(l) = tpl["metadata"].get("labels").filter(|v| !v.is_null()) {
        meta["labels"] = l.clone();
    }
    let mut annotations = tpl["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    annotations.insert(SCHEDULED_TIMESTAMP.to_string(), json!(scheduled.rfc3339()));
    meta["annotations"] = json!(annotations);
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": tpl["spec"]});
    match c.create("batch/v1", "jobs", namespace(cj), job) {
        Ok(created) => {
            c.event(&about, "Normal", "SuccessfulCreate", &format!("Created job {}", name(&created)));
            active.push(job_ref(&created));
            *last_schedule = json!(scheduled.rfc3339());
        }
        Err(e) => c.event(&about, "Warning", "FailedCreate", &format!("Error creating job: {e}")),
    }
}

/// Keeps `successfulJobsHistoryLimit` finished and `failedJobsHistoryLimit` failed Jobs, oldest
/// deleted first.
fn cleanup_history(c: &mut Client, cj: &Value, jobs: &[Arc<Value>]) {
    let about = with_kind(cj);
    for (how, key, default) in [("Complete", "successfulJobsHistoryLimit", 3), ("Failed", "failedJobsHistoryLimit", 1)] {
        let limit = cj["spec"][key].as_i64().unwrap_or(default).max(0) as usize;
        let mut done: Vec<&Arc<Value>> = jobs.iter().filter(|j| finished_as(j) == Some(how) && j["metadata"]["deletionTimestamp"].is_null()).collect();
        if done.len() <= limit {
            continue;
        }
        done.order_by_key(|j| (time_of(&j["status"]["startTime"]).map_or(i64::MAX, |t| t.unix_millis()), name(j).to_string()));
        for j in done.iter().take(done.len() - limit) {
            let options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"});
            if c.delete_with("batch/v1", "jobs", namespace(j), name(j), options).is_ok() {
                c.event(&about, "Normal", "SuccessfulDelete", &format!("Deleted job {}", name(j)));
            }
        }
    }
}
