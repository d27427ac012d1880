//! The Job controller: runs pods until enough succeed (or one does, in work-queue mode), with
//! `parallelism` at a time, indexes for Indexed jobs, a back-off after failures, `backoffLimit`
//! and `activeDeadlineSeconds`, and suspension. Finished pods are counted once, through the
//! `batch.kubernetes.io/job-tracking` finalizer, as Kubernetes does (a pod being deleted counts
//! as failed; pods the controller deletes lose the finalizer first); a finished Job first gets
//! its interim condition (`SuccessCriteriaMet` / `FailureTarget`), lets go of every pod it still
//! holds, and gets the final condition once no pod is still terminating.

use crate::sort::Order;
use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};
use crate::sim::clock::{Duration, Timestamp};
use crate::store::{obj_name, EventType, ObjName};

use super::replicaset::{controller_uid, is_ready, pod_from_template};
use super::unchanged::{writes, Unchanged};
use super::{Client, Controller};

/// The finalizer that keeps a Job's pod until the controller has counted it.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// The completion index of a pod of an Indexed Job (label and annotation).
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";

/// Back-off after failed pods: 10 s doubling, at most 10 minutes.
const BACKOFF_BASE: i64 = 10;
const BACKOFF_MAX: i64 = 600;

/// Pods left holding the tracking finalizer are looked for again only when pods or Jobs changed,
/// and then only among the pods that changed and those of the Jobs that changed.
#[derive(Default)]
pub struct JobController {
    orphans: Unchanged<()>,
    /// The store's resourceVersion at the last look for them; `None`: look at every pod.
    looked: Option<u64>,
}

impl Controller for JobController {
    fn name(&self) -> &'static str {
        "job-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for job in c.list("jobs.batch", None) {
            if job["metadata"]["deletionTimestamp"].is_null() {
                sync_job(c, &job);
            }
        }
        let inputs = writes(c, &["pods", "jobs.batch"]);
        let looked = &mut self.looked;
        self.orphans.run(c, (), inputs, |c| release_orphans(c, looked));
    }
}

fn condition_true(job: &Value, kind: &str) -> bool {
    job["status"]["conditions"].as_array().into_iter().flatten().any(|x| x["type"] == kind && x["status"] == "True")
}

fn is_terminal(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

/// A pod being deleted whose containers have stopped (the kubelet ended its grace period).
fn is_gone(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_string() && pod["metadata"]["deletionGracePeriodSeconds"].as_i64().unwrap_or(0) == 0
}

fn has_tracking(pod: &Value) -> bool {
    pod["metadata"]["finalizers"].as_array().into_iter().flatten().any(|f| f == TRACKING_FINALIZER)
}

fn is_active(pod: &Value) -> bool {
    !is_terminal(pod) && pod["metadata"]["deletionTimestamp"].is_null()
}

/// Whether a pod counts as failed: it failed, or it is being deleted before it succeeded
/// (unless the Job replaces only failed pods, where it waits for the Failed phase).
fn counts_as_failed(pod: &Value, spec: &Value) -> bool {
    if pod["status"]["phase"] == "Failed" {
        return true;
    }
    let only_failed = spec["podReplacementPolicy"] == "Failed" || !spec["podFailurePolicy"].is_null();
    !only_failed && pod["metadata"]["deletionTimestamp"].is_string() && pod["status"]["phase"] != "Succeeded"
}

/// The interim condition of a Job that is done (`FailureTarget` or `SuccessCriteriaMet`).
fn finish_target(conditions: &[Value]) -> Option<&str> {
    conditions.iter().find(|x| matches!(x["type"].as_str(), Some("FailureTarget" | "SuccessCriteriaMet")) && x["status"] == "True").and_then(|x| x["type"].as_str())
}

/// When a pod finished: its last container's exit, else its deletion, else its creation.
fn finish_time(pod: &Value) -> Timestamp {
    let exits = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|k| pod["status"][*k].as_array().into_iter().flatten())
        .filter_map(|s| s["state"]["terminated"]["finishedAt"].as_str().and_then(Timestamp::parse_rfc3339))
        .max();
    exits
        .or_else(|| pod["metadata"]["deletionTimestamp"].as_str().and_then(Timestamp::parse_rfc3339))
        .or_else(|| pod["metadata"]["creationTimestamp"].as_str().and_then(Timestamp::parse_rfc3339))
        .unwrap_or_default()
}

fn index_of(pod: &Value) -> Option<i64> {
    pod["metadata"]["annotations"][COMPLETION_INDEX].as_str().and_then(|i| i.parse().ok())
}

/// `0,2-4,7`: runs of three or more as ranges, as `status.completedIndexes` is written.
pub fn format_indexes(set: &BTreeSet<i64>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let v: Vec<i64> = set.iter().copied().collect();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}-{}", v[i], v[j]));
        } else {
            parts.extend(v[i..=j].iter().map(i64::to_string));
        }
        i = j + 1;
    }
    parts.join(",")
}

pub fn parse_indexes(s: &str) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) {
                    out.extend(a..=b.min(a + 100_000));
                }
            }
            None => {
                if let Ok(n) = part.parse() {
                    out.insert(n);
                }
            }
        }
    }
    out
}

fn with_kind(job: &Value) -> Value {
    let mut j = job.clone();
    j["apiVersion"] = json!("batch/v1");
    j["kind"] = json!("Job");
    j
}

fn condition(kind: &str, status: &str, reason: &str, message: &str, now: Timestamp) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": message, "lastProbeTime": now.rfc3339(), "lastTransitionTime": now.rfc3339()})
}

/// Sets a condition: a new type is appended, an existing one updated in place (its transition
/// time moves only when its status does).
fn set_condition(conditions: &mut Vec<Value>, cond: Value) {
    match conditions.iter_mut().find(|x| x["type"] == cond["type"]) {
        Some(existing) => {
            let moved = existing["status"] != cond["status"];
            let transition = existing["lastTransitionTime"].clone();
            *existing = cond;
            if !moved {
                existing["lastTransitionTime"] = transition;
            }
        }
        None => conditions.push(cond),
    }
}

/// Takes the tracking finalizer off a pod the controller has counted.
fn release(c: &mut Client, pod: &Value) {
    let left: Vec<Value> = pod["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != TRACKING_FINALIZER).cloned().collect();
    let patch = json!({"metadata": {"finalizers": if left.is_empty() { Value::Null } else { json!(left) }}});
    let _ = c.merge_patch("v1", "pods", namespace(pod), name(pod), "", &patch);
}

/// Pods still holding the finalizer after their Job went away (or is going) are let go once
/// they are done or being deleted.
fn release_orphans(c: &mut Client, looked: &mut Option<u64>) {
    let store = c.api_store();
    // Since the last look, only a pod that changed, or a pod of a Job that changed, can have
    // become one to let go (walking every pod for none was a pass over 10,000 pods after every
    // budget's worth of writes).
    let changed: Option<BTreeSet<ObjName>> = looked.and_then(|rv| store.events_since(rv).ok()).map(|events| {
        let mut keys = BTreeSet::new();
        for e in events {
            match e.resource.as_str() {
                "pods" if e.kind != EventType::Deleted => {
                    keys.insert((e.namespace.clone(), name(&e.object).to_string()));
                }
                "jobs.batch" => keys.extend(store.owned("pods", uid(&e.object)).map(|p| obj_name(&p.object))),
                _ => {}
            }
        }
        keys
    });
    *looked = Some(store.resource_version());
    let pods: Vec<Arc<Value>> = match changed {
        Some(keys) => keys.iter().filter_map(|(ns, n)| c.get("pods", ns, n)).collect(),
        None => c.list("pods", None),
    };
    #[cfg(debug_assertions)]
    {
        let missed: Vec<String> = c.list("pods", None).iter().filter(|p| to_let_go(c, p) && !pods.iter().any(|q| Arc::ptr_eq(p, q))).map(|p| name(p).to_string()).collect();
        assert!(missed.is_empty(), "job controller: pods to let go that the look since the last one missed: {missed:?}");
    }
    for pod in pods {
        if to_let_go(c, &pod) {
            release(c, &pod);
        }
    }
}

/// A pod done or being deleted that still holds the tracking finalizer, without a live Job.
fn to_let_go(c: &Client, pod: &Value) -> bool {
    if !has_tracking(pod) || !(is_terminal(pod) || pod["metadata"]["deletionTimestamp"].is_string()) {
        return false;
    }
    let owner = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().find(|r| r["controller"] == true && r["kind"] == "Job");
    let job_alive = owner.is_some_and(|o| {
        c.get("jobs.batch", namespace(pod), o["name"].as_str().unwrap_or_default()).is_some_and(|j| j["metadata"]["uid"] == o["uid"] && j["metadata"]["deletionTimestamp"].is_null())
    });
    !job_alive
}

struct Counts {
    succeeded: i64,
    failed: i64,
    completed: BTreeSet<i64>,
}

/// Counts each pod that holds the tracking finalizer and is done, once, and takes the finalizer
/// off: succeeded and failed pods, and, once the Job has its interim condition, every other pod
/// too (counted as failed when the Job fails). Pods in `skip` were already handled this pass;
/// pods in `deleted` lost the finalizer when they were deleted.
fn count_finished(c: &mut Client, job: &Value, pods: &[Arc<Value>], target: Option<&str>, counts: &mut Counts, skip: &mut BTreeSet<String>, deleted: &BTreeSet<String>) {
    let spec = &job["spec"];
    let indexed = spec["completionMode"] == "Indexed";
    for pod in pods {
        if !has_tracking(pod) || skip.contains(uid(pod)) {
            continue;
        }
        let failed = counts_as_failed(pod, spec);
        let succeeded = pod["status"]["phase"] == "Succeeded";
        if !(succeeded || failed || target.is_some()) {
            continue;
        }
        if succeeded {
            match (indexed, index_of(pod)) {
                (true, Some(i)) => {
                    counts.completed.insert(i);
                }
                _ => counts.succeeded += 1,
            }
        } else if failed || target == Some("FailureTarget") {
            counts.failed += 1;
        }
        skip.insert(uid(pod).to_string());
        if !deleted.contains(uid(pod)) {
            release(c, pod);
        }
    }
}

fn sync_job(c: &mut Client, job: &Arc<Value>) {
    let now = c.now();
    let job_uid = uid(job).to_string();
    let spec = &job["spec"];
    let indexed = spec["completionMode"] == "Indexed";
    let pods: Vec<Arc<Value>> = c.owned("pods", &job_uid).into_iter().filter(|p| controller_uid(p) == Some(job_uid.as_str())).collect();
    let mut conditions: Vec<Value> = job["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let mut counts = Counts {
        succeeded: job["status"]["succeeded"].as_i64().unwrap_or(0),
        failed: job["status"]["failed"].as_i64().unwrap_or(0),
        completed: parse_indexes(job["status"]["completedIndexes"].as_str().unwrap_or_default()),
    };
    // Count every pod that finished since the last pass, once.
    let mut handled: BTreeSet<String> = BTreeSet::new();
    let mut deleted_now: BTreeSet<String> = BTreeSet::new();
    let target_before = finish_target(&conditions).map(str::to_string);
    count_finished(c, job, &pods, target_before.as_deref(), &mut counts, &mut handled, &deleted_now);
    if indexed {
        counts.succeeded = counts.completed.len() as i64;
    }
    let active: Vec<&Arc<Value>> = pods.iter().filter(|p| is_active(p)).collect();
    let terminating = pods.iter().filter(|p| !is_terminal(p) && p["metadata"]["deletionTimestamp"].is_string() && !is_gone(p)).count() as i64;
    let finished = condition_true(job, "Complete") || condition_true(job, "Failed");
    let suspended = spec["suspend"] == true;
    let mut start_time = job["status"]["startTime"].clone();
    let mut deleted = 0;

    if !finished {
        // Suspension: every active pod goes; resuming starts the clock again.
        let was_suspended = condition_true(job, "Suspended");
        if suspended {
            for p in &active {
                delete_pod(c, job, p, &mut deleted_now);
                deleted += 1;
            }
            if !was_suspended {
                set_condition(&mut conditions, condition("Suspended", "True", "JobSuspended", "Job suspended", now));
                c.event(&with_kind(job), "Normal", "Suspended", "Job suspended");
            }
        } else {
            if was_suspended {
                set_condition(&mut conditions, condition("Suspended", "False", "JobResumed", "Job resumed", now));
                c.event(&with_kind(job), "Normal", "Resumed", "Job resumed");
                start_time = json!(now.rfc3339());
            }
            if start_time.is_null() {
                start_time = json!(now.rfc3339());
            }
        }
        let has_target = conditions.iter().any(|x| matches!(x["type"].as_str(), Some("FailureTarget" | "SuccessCriteriaMet")) && x["status"] == "True");
        if !suspended && !has_target {
            if let Some((reason, message)) = failure(job, &pods, &counts, &start_time, now, c) {
                set_condition(&mut conditions, condition("FailureTarget", "True", reason, message, now));
                for p in &active {
                    delete_pod(c, job, p, &mut deleted_now);
                    deleted += 1;
                }
            } else if succeeded_enough(spec, &counts, active.len() as i64) {
                set_condition(&mut conditions, condition("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now));
            } else {
                deleted += manage(c, job, &pods, &active, &counts, now, &mut deleted_now);
            }
        }
        // A Job that has just become done counts and lets go of the pods it still holds (those
        // it has just deleted included), as Kubernetes does before its final condition.
        if target_before.is_none() {
            if let Some(t) = finish_target(&conditions).map(str::to_string) {
                count_finished(c, job, &pods, Some(&t), &mut counts, &mut handled, &deleted_now);
                if indexed {
                    counts.succeeded = counts.completed.len() as i64;
                }
            }
        }
    }
    let active_now = active.len() as i64 - deleted;
    let terminating_now = terminating + deleted;
    let mut completion_time = job["status"]["completionTime"].clone();
    // The final condition follows the interim one once no pod is left terminating.
    if !finished && terminating_now == 0 {
        let target = conditions.iter().find(|x| matches!(x["type"].as_str(), Some("FailureTarget" | "SuccessCriteriaMet")) && x["status"] == "True").cloned();
        if let Some(t) = target {
            let (reason, message) = (t["reason"].as_str().unwrap_or_default().to_string(), t["message"].as_str().unwrap_or_default().to_string());
            if t["type"] == "SuccessCriteriaMet" {
                set_condition(&mut conditions, condition("Complete", "True", &reason, &message, now));
                completion_time = json!(now.rfc3339());
                if let Some(want) = spec["completions"].as_i64() {
                    if counts.succeeded > want {
                        c.event(&with_kind(job), "Warning", "TooManySucceededPods", "Too many succeeded pods running after completion count reached");
                    }
                }
                c.event(&with_kind(job), "Normal", "Completed", "Job completed");
            } else {
                set_condition(&mut conditions, condition("Failed", "True", &reason, &message, now));
                c.event(&with_kind(job), "Warning", &reason, &message);
            }
        }
    }
    let ready = active.iter().filter(|p| is_ready(p)).count();
    let mut status = json!({
        "ready": ready,
        "terminating": terminating_now,
        "uncountedTerminatedPods": {},
    });
    if !conditions.is_empty() {
        status["conditions"] = json!(conditions);
    }
    if !start_time.is_null() {
        status["startTime"] = start_time;
    }
    if !completion_time.is_null() {
        status["completionTime"] = completion_time;
    }
    for (k, v) in [("active", active_now), ("succeeded", counts.succeeded), ("failed", counts.failed)] {
        if v > 0 {
            status[k] = json!(v);
        }
    }
    if indexed && !counts.completed.is_empty() {
        status["completedIndexes"] = json!(format_indexes(&counts.completed));
    }
    if job["status"] != status {
        let mut next = (**job).clone();
        next["status"] = status;
        let _ = c.update_status("batch/v1", "jobs", next);
    }
}

fn succeeded_enough(spec: &Value, counts: &Counts, active: i64) -> bool {
    match spec["completions"].as_i64() {
        Some(want) => counts.succeeded >= want,
        // Work-queue mode: done when one pod succeeded and none is left running.
        None => counts.succeeded > 0 && active == 0,
    }
}

/// Why the Job fails now, if it does.
fn failure(job: &Value, pods: &[Arc<Value>], counts: &Counts, start: &Value, now: Timestamp, c: &mut Client) -> Option<(&'static str, &'static str)> {
    let spec = &job["spec"];
    let limit = spec["backoffLimit"].as_i64().unwrap_or(6);
    let mut over = counts.failed > limit;
    if spec["template"]["spec"]["restartPolicy"] == "OnFailure" {
        // Restarts of running and pending pods count as failures.
        let restarts: i64 = pods
            .iter()
            .filter(|p| matches!(p["status"]["phase"].as_str(), Some("Running" | "Pending")))
            .flat_map(|p| ["containerStatuses", "initContainerStatuses"].into_iter().flat_map(move |k| p["status"][k].as_array().cloned().unwrap_or_default()))
            .map(|s| s["restartCount"].as_i64().unwrap_or(0))
            .sum();
        over |= if limit == 0 { restarts > 0 } else { restarts >= limit };
    }
    if over {
        return Some(("BackoffLimitExceeded", "Job has reached the specified backoff limit"));
    }
    if let (Some(deadline), Some(started)) = (spec["activeDeadlineSeconds"].as_i64(), start.as_str().and_then(Timestamp::parse_rfc3339)) {
        let at = started.plus(Duration::from_secs(deadline));
        if now >= at {
            return Some(("DeadlineExceeded", "Job was active longer than specified deadline"));
        }
        c.wake_at(at);
    }
    None
}

/// Deletes a pod, taking the tracking finalizer off first (a pod the Job deletes is let go, not
/// waited for); `deleted` remembers it for this pass.
fn delete_pod(c: &mut Client, job: &Value, pod: &Value, deleted: &mut BTreeSet<String>) {
    if has_tracking(pod) {
        release(c, pod);
    }
    deleted.insert(uid(pod).to_string());
    if c.delete("v1", "pods", namespace(pod), name(pod), None).is_ok() {
        c.event(&with_kind(job), "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", name(pod)));
    }
}

/// Creates or deletes pods towards what the Job wants running now; returns how many it deleted.
fn manage(c: &mut Client, job: &Value, pods: &[Arc<Value>], active: &[&Arc<Value>], counts: &Counts, now: Timestamp, deleted: &mut BTreeSet<String>) -> i64 {
    let spec = &job["spec"];
    let parallelism = spec["parallelism"].as_i64().unwrap_or(1).max(0);
    let n_active = active.len() as i64;
    let want = match spec["completions"].as_i64() {
        Some(completions) => (completions - counts.succeeded).min(parallelism).max(0),
        // Work-queue mode: once a pod has succeeded, no new ones start.
        None if counts.succeeded > 0 => n_active,
        None => parallelism,
    };
    if n_active > want {
        let mut surplus: Vec<&&Arc<Value>> = active.iter().collect();
        surplus.order_by_key(|p| (u8::from(is_ready(p)), std::cmp::Reverse(p["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string())));
        let extra = (n_active - want) as usize;
        for p in surplus.into_iter().take(extra) {
            delete_pod(c, job, p, deleted);
        }
        return extra as i64;
    }
    if n_active == want {
        return 0;
    }
    // After failures, wait 10 s doubling before starting replacements.
    let last_success = pods.iter().filter(|p| p["status"]["phase"] == "Succeeded").map(|p| finish_time(p)).max();
    let failures: Vec<Timestamp> = pods.iter().filter(|p| p["status"]["phase"] == "Failed" || is_gone(p)).map(|p| finish_time(p)).filter(|t| last_success.is_none_or(|s| *t > s)).collect();
    if let Some(last) = failures.iter().max() {
        let exp = (failures.len() as u32).saturating_sub(1).min(10);
        let delay = (BACKOFF_BASE << exp).min(BACKOFF_MAX);
        let ready_at = last.plus(Duration::from_secs(delay));
        if now < ready_at {
            c.wake_at(ready_at);
            return 0;
        }
    }
    let job_name = name(job).to_string();
    let mut template = spec["template"].clone();
    let finalizers = template["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
    if !finalizers.iter().any(|f| f == TRACKING_FINALIZER) {
        let mut f = finalizers;
        f.push(json!(TRACKING_FINALIZER));
        template["metadata"]["finalizers"] = json!(f);
    }
    let missing = (want - n_active) as usize;
    let mut plans: Vec<(Option<i64>, Value)> = Vec::new();
    if spec["completionMode"] == "Indexed" {
        let completions = spec["completions"].as_i64().unwrap_or(1);
        let running: BTreeSet<i64> = crate::sort::set(active.iter().filter_map(|p| index_of(p)));
        for i in (0..completions).filter(|i| !counts.completed.contains(i) && !running.contains(i)).take(missing) {
            plans.push((Some(i), template.clone()));
        }
    } else {
        plans.extend(std::iter::repeat_n((None, template.clone()), missing));
    }
    for (index, tpl) in plans {
        let generate = match index {
            Some(i) => format!("{}-{i}-", truncate_for_index(&job_name, i)),
            None => format!("{job_name}-"),
        };
        let mut pod = pod_from_template(job, "batch/v1", "Job", &tpl, &generate);
        pod["metadata"]["finalizers"] = tpl["metadata"]["finalizers"].clone();
        if let Some(i) = index {
            pod["metadata"]["annotations"][COMPLETION_INDEX] = json!(i.to_string());
            pod["metadata"]["labels"][COMPLETION_INDEX] = json!(i.to_string());
            pod["spec"]["hostname"] = json!(format!("{job_name}-{i}"));
            let env = json!({"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {"fieldPath": format!("metadata.labels['{COMPLETION_INDEX}']")}}});
            for list in ["initContainers", "containers"] {
                if let Some(cs) = pod["spec"][list].as_array_mut() {
                    for ct in cs {
                        let has = ct["env"].as_array().is_some_and(|e| e.iter().any(|v| v["name"] == "JOB_COMPLETION_INDEX"));
                        if !has {
                            match ct["env"].as_array_mut() {
                                Some(e) => e.push(env.clone()),
                                None => ct["env"] = json!([env.clone()]),
                            }
                        }
                    }
                }
            }
        }
        match c.create("v1", "pods", namespace(job), pod) {
            Ok(p) => c.event(&with_kind(job), "Normal", "SuccessfulCreate", &format!("Created pod: {}", name(&p))),
            Err(e) => c.event(&with_kind(job), "Warning", "FailedCreate", &format!("Error creating: {e}")),
        }
    }
    0
}

/// The job name part of an Indexed pod's generateName, shortened so `<name>-<i>-` fits.
fn truncate_for_index(job_name: &str, index: i64) -> &str {
    const MAX_GENERATED: usize = 58;
    let room = MAX_GENERATED.saturating_sub(index.to_string().len() + 2);
    if job_name.len() <= room {
        job_name
    } else {
        let mut cut = room;
        while !job_name.is_char_boundary(cut) {
            cut -= 1;
        }
        &job_name[..cut]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_compress_runs() {
        let set: BTreeSet<i64> = [0, 1, 3, 4, 5, 7].into_iter().collect();
        assert_eq!(format_indexes(&set), "0,1,3-5,7");
        assert_eq!(parse_indexes("0,1,3-5,7"), set);
        assert_eq!(format_indexes(&BTreeSet::new()), "");
    }
}
