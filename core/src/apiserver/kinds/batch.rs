//! batch/v1: Job (generated selector and labels, completions, the Status/Completions/Duration
//! table) and CronJob (cron schedules, concurrency policy, history limits).

use serde_json::{json, Value};

use crate::api::cron::Schedule;
use crate::api::duration::human_duration;
use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::{metadata_mut, name, object_mut, set_default, uid};
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::selector::{go_label_selector, selector_matches_template, template_mismatch, validate_label_selector};
use crate::sim::clock::Timestamp;

use super::podspec::defaults::default_template;
use super::podspec::validation::validate_template;
use super::workload::nonnegative;

/// The label the generated Job selector uses.
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";

fn default_job_spec(spec: &mut Value) {
    let Some(s) = spec.as_object_mut() else { return };
    if s.get("completions").is_none_or(Value::is_null) && s.get("parallelism").is_none_or(Value::is_null) {
        s.insert("completions".into(), json!(1));
    }
    set_default(s, "parallelism", json!(1));
    let per_index = s.get("backoffLimitPerIndex").is_some_and(|v| !v.is_null());
    set_default(s, "backoffLimit", json!(if per_index { i32::MAX as i64 } else { 6 }));
    set_default(s, "completionMode", json!("NonIndexed"));
    set_default(s, "suspend", json!(false));
    let pfp = s.get("podFailurePolicy").is_some_and(|v| !v.is_null());
    set_default(s, "podReplacementPolicy", json!(if pfp { "Failed" } else { "TerminatingOrFailed" }));
    if let Some(t) = s.get_mut("template") {
        default_template(t);
    }
}

/// Job spec checks at `path` (a Job's `spec`, or a CronJob's `spec.jobTemplate.spec`).
fn validate_job_spec(spec: &Value, path: &Path, errs: &mut Vec<FieldError>) {
    nonnegative(spec, &["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"], path, errs);
    let mode = spec["completionMode"].as_str().unwrap_or("NonIndexed");
    match mode {
        "NonIndexed" => {
            for f in ["backoffLimitPerIndex", "maxFailedIndexes"] {
                if !spec[f].is_null() {
                    errs.push(FieldError::invalid(&path.child(f), BadValue::from_json(&spec[f]), "requires indexed completion mode"));
                }
            }
        }
        "Indexed" => {
            if spec["completions"].is_null() {
                errs.push(FieldError::required(&path.child("completions"), "when completion mode is Indexed"));
            }
            if let Some(p) = spec["parallelism"].as_i64() {
                if p > 100_000 {
                    errs.push(FieldError::invalid_num(&path.child("parallelism"), p, "must be less than or equal to 100000 when completion mode is Indexed"));
                }
            }
        }
        other => errs.push(FieldError::not_supported(&path.child("completionMode"), BadValue::Str(other.into()), &["NonIndexed", "Indexed"])),
    }
    let tp = path.child("template");
    errs.extend(validate_template(&spec["template"], &tp));
    let rp = tp.child("spec").child("restartPolicy");
    match spec["template"]["spec"]["restartPolicy"].as_str() {
        None | Some("") | Some("Always") => errs.push(FieldError::required(&rp, "valid values: \"OnFailure\", \"Never\"")),
        Some("OnFailure") if !spec["podFailurePolicy"].is_null() => {
            errs.push(FieldError::invalid_str(&rp, "OnFailure", "only \"Never\" is supported when podFailurePolicy is specified"))
        }
        Some("OnFailure" | "Never") => {}
        Some(o) => errs.push(FieldError::not_supported(&rp, BadValue::Str(o.into()), &["OnFailure", "Never"])),
    }
}

pub struct JobStrategy;

const JOB_COLUMNS: &[Column] = &[
    Column::name(),
    Column::string("Status"),
    Column::string("Completions"),
    Column::string("Duration"),
    Column::age(),
    Column::string("Containers").wide(),
    Column::string("Images").wide(),
    Column::string("Selector").wide(),
];

impl Strategy for JobStrategy {
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
        if let Some(spec) = obj.get_mut("spec") {
            default_job_spec(spec);
        }
        let manual = obj["spec"]["manualSelector"] == true;
        if !manual {
            set_default(object_mut(obj, "spec"), "manualSelector", json!(false));
        }
        // A Job without labels takes its template's.
        let template_labels = obj["spec"]["template"]["metadata"]["labels"].clone();
        let meta = metadata_mut(obj);
        if meta.get("labels").and_then(Value::as_object).is_none_or(|l| l.is_empty()) && template_labels.as_object().is_some_and(|l| !l.is_empty()) {
            meta.insert("labels".into(), template_labels);
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({});
        if obj["spec"]["manualSelector"] == true {
            return;
        }
        let (id, job) = (uid(obj).to_string(), name(obj).to_string());
        let template = object_mut(object_mut(obj, "spec").entry("template").or_insert_with(|| json!({})), "metadata");
        let labels = template.entry("labels").or_insert_with(|| json!({}));
        if let Some(l) = labels.as_object_mut() {
            for (k, v) in [("controller-uid", &id), ("job-name", &job), (CONTROLLER_UID_LABEL, &id), (JOB_NAME_LABEL, &job)] {
                l.entry(k).or_insert(json!(v));
            }
        }
        object_mut(obj, "spec").insert("selector".into(), json!({"matchLabels": {CONTROLLER_UID_LABEL: id}}));
        // Labels copied from the template now include the generated ones (as after the
        // server's second defaulting pass).
        let template_labels = obj["spec"]["template"]["metadata"]["labels"].clone();
        let meta = metadata_mut(obj);
        if let (Some(l), Some(t)) = (meta.get_mut("labels").and_then(Value::as_object_mut), template_labels.as_object()) {
            for (k, v) in t {
                if matches!(k.as_str(), "controller-uid" | "job-name" | CONTROLLER_UID_LABEL | JOB_NAME_LABEL) {
                    l.entry(k.clone()).or_insert(v.clone());
                }
            }
        }
    }

    fn validate(&self, job: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &job["spec"];
        let p = Path::new("spec");
        validate_job_spec(spec, &p, &mut errs);
        let sel = &spec["selector"];
        if sel.is_null() {
            errs.push(FieldError::required(&p.child("selector"), ""));
        } else {
            errs.extend(validate_label_selector(sel, &p.child("selector")));
            if !spec["template"].is_null() && !selector_matches_template(sel, &spec["template"]) {
                errs.push(template_mismatch(&spec["template"], &p.child("template")));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        let p = Path::new("spec");
        let (n, o) = (&new["spec"], &old["spec"]);
        if n["completions"] != o["completions"] && n["completionMode"] != "Indexed" {
            errs.push(FieldError::invalid(&p.child("completions"), BadValue::from_json(&n["completions"]), "field is immutable"));
        }
        if n["selector"] != o["selector"] {
            errs.push(FieldError::invalid(&p.child("selector"), BadValue::Raw(go_label_selector(&n["selector"])), "field is immutable"));
        }
        if n["template"] != o["template"] && n["suspend"] != true {
            errs.push(FieldError::invalid(&p.child("template"), BadValue::Raw("core.PodTemplateSpec{...}".into()), "field is immutable"));
        }
        for f in ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] {
            if n[f] != o[f] {
                errs.push(FieldError::invalid(&p.child(f), BadValue::from_json(&n[f]), "field is immutable"));
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(JOB_COLUMNS)
    }

    fn row(&self, job: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &job["spec"];
        let st = &job["status"];
        let conds = st["conditions"].as_array().cloned().unwrap_or_default();
        let holds = |t: &str| conds.iter().find(|c| c["type"] == t).is_some_and(|c| c["status"] == "True");
        let status = if holds("Complete") {
            "Complete"
        } else if holds("Failed") {
            "Failed"
        } else if job["metadata"]["deletionTimestamp"].is_string() {
            "Terminating"
        } else if holds("Suspended") {
            "Suspended"
        } else if holds("FailureTarget") {
            "FailureTarget"
        } else {
            "Running"
        };
        let succeeded = st["succeeded"].as_i64().unwrap_or(0);
        let completions = match spec["completions"].as_i64() {
            Some(c) => format!("{succeeded}/{c}"),
            None => match spec["parallelism"].as_i64().filter(|p| *p > 1) {
                Some(p) => format!("{succeeded}/1 of {p}"),
                None => format!("{succeeded}/1"),
            },
        };
        let start = st["startTime"].as_str().and_then(Timestamp::parse_rfc3339);
        let end = st["completionTime"].as_str().and_then(Timestamp::parse_rfc3339);
        let duration = match (start, end) {
            (None, _) => String::new(),
            (Some(s), None) => human_duration(now.since(s)),
            (Some(s), Some(e)) => human_duration(e.since(s)),
        };
        let (containers, images) = format::containers(&spec["template"]["spec"]);
        vec![
            json!(name(job)),
            json!(status),
            json!(completions),
            json!(duration),
            json!(format::age(job, now)),
            json!(containers),
            json!(images),
            json!(format::label_selector(&spec["selector"])),
        ]
    }

    fn field_label(&self, job: &Value, label: &str) -> Option<String> {
        (label == "status.successful").then(|| job["status"]["succeeded"].as_i64().unwrap_or(0).to_string())
    }
}

pub struct CronJobStrategy;

const CRONJOB_COLUMNS: &[Column] = &[
    Column::name(),
    Column::string("Schedule"),
    Column::string("Timezone"),
    Column::boolean("Suspend"),
    Column::integer("Active"),
    Column::string("Last Schedule"),
    Column::age(),
    Column::string("Containers").wide(),
    Column::string("Images").wide(),
    Column::string("Selector").wide(),
];

impl Strategy for CronJobStrategy {
    fn warnings(&self, obj: &Value) -> Vec<String> {
        let at = crate::api::field::Path::new("spec").child("jobTemplate").child("spec").child("template");
        let t = &obj["spec"]["jobTemplate"]["spec"]["template"];
        super::podspec::warnings::warnings(Some(&at), &t["spec"], &t["metadata"])
    }
    fn has_status(&self) -> bool {
        true
    }
    fn tracks_generation(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let spec = object_mut(obj, "spec");
        set_default(spec, "concurrencyPolicy", json!("Allow"));
        set_default(spec, "suspend", json!(false));
        set_default(spec, "successfulJobsHistoryLimit", json!(3));
        set_default(spec, "failedJobsHistoryLimit", json!(1));
        let jt = spec.entry("jobTemplate").or_insert_with(|| json!({}));
        let jt_meta = object_mut(jt, "metadata");
        jt_meta.entry("creationTimestamp").or_insert(Value::Null);
        if let Some(t) = jt.get_mut("spec").and_then(|s| s.get_mut("template")) {
            default_template(t);
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({});
    }

    fn validate(&self, cj: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &cj["spec"];
        let p = Path::new("spec");
        let schedule = spec["schedule"].as_str().unwrap_or_default();
        if schedule.is_empty() {
            errs.push(FieldError::required(&p.child("schedule"), ""));
        } else if schedule.contains("TZ") {
            errs.push(FieldError::invalid_str(&p.child("schedule"), schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        } else if let Err(e) = Schedule::parse(schedule) {
            errs.push(FieldError::invalid_str(&p.child("schedule"), schedule, e));
        }
        nonnegative(spec, &["startingDeadlineSeconds"], &p, &mut errs);
        if let Some(tz) = spec["timeZone"].as_str() {
            if tz.is_empty() {
                errs.push(FieldError::invalid_str(&p.child("timeZone"), tz, "timeZone must be nil or non-empty string"));
            } else if tz != "UTC" && tz != "Etc/UTC" && !tz.contains('/') {
                errs.push(FieldError::invalid_str(&p.child("timeZone"), tz, format!("unknown time zone {tz}")));
            }
        }
        match spec["concurrencyPolicy"].as_str() {
            None | Some("") => errs.push(FieldError::required(&p.child("concurrencyPolicy"), "")),
            Some("Allow" | "Forbid" | "Replace") => {}
            Some(o) => errs.push(FieldError::not_supported(&p.child("concurrencyPolicy"), BadValue::Str(o.into()), &["Allow", "Forbid", "Replace"])),
        }
        let jp = p.child("jobTemplate").child("spec");
        let job_spec = &spec["jobTemplate"]["spec"];
        validate_job_spec(job_spec, &jp, &mut errs);
        if !job_spec["selector"].is_null() {
            errs.push(FieldError::invalid(&jp.child("selector"), BadValue::Raw(go_label_selector(&job_spec["selector"])), "`selector` will be auto-generated"));
        }
        if job_spec["manualSelector"] == true {
            errs.push(FieldError::not_supported(&jp.child("manualSelector"), BadValue::Num("true".into()), &["nil", "false"]));
        }
        nonnegative(spec, &["successfulJobsHistoryLimit", "failedJobsHistoryLimit"], &p, &mut errs);
        let n = name(cj);
        if n.len() > 52 {
            errs.push(FieldError::invalid_str(&Path::new("metadata").child("name"), n, "must be no more than 52 characters"));
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        // The name limit applies to new CronJobs only.
        errs.retain(|e| !(e.field == "metadata.name" && e.detail == "must be no more than 52 characters"));
        let _ = old;
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(CRONJOB_COLUMNS)
    }

    fn row(&self, cj: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &cj["spec"];
        let suspend = match spec["suspend"].as_bool() {
            Some(true) => "True",
            Some(false) => "False",
            None => "<unset>",
        };
        let last = match cj["status"]["lastScheduleTime"].as_str() {
            Some(t) => format::since(Some(t), now),
            None => "<none>".to_string(),
        };
        let pod_spec = &spec["jobTemplate"]["spec"]["template"]["spec"];
        let (containers, images) = format::containers(pod_spec);
        vec![
            json!(name(cj)),
            json!(spec["schedule"].as_str().unwrap_or_default()),
            json!(spec["timeZone"].as_str().unwrap_or("<none>")),
            json!(suspend),
            json!(cj["status"]["active"].as_array().map_or(0, Vec::len)),
            json!(last),
            json!(format::age(cj, now)),
            json!(containers),
            json!(images),
            json!(format::label_selector(&spec["jobTemplate"]["spec"]["selector"])),
        ]
    }
}
