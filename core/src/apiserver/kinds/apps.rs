//! apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet and ControllerRevision.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::{name, object_mut, set_default};
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::NameRule;
use crate::sim::clock::Timestamp;

use super::workload::{
    containers_images_selector, default_workload_template, is_zero, nonnegative, selector_immutable, validate_int_or_percent,
    validate_selector_and_template, TemplateRules,
};

fn spec_mut(obj: &mut Value) -> &mut serde_json::Map<String, Value> {
    object_mut(obj, "spec")
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------

pub struct DeploymentStrategy;

const DEPLOYMENT_COLUMNS: &[Column] = &[
    Column::name(),
    Column::string("Ready"),
    Column::string("Up-to-date"),
    Column::string("Available"),
    Column::age(),
    Column::string("Containers").wide(),
    Column::string("Images").wide(),
    Column::string("Selector").wide(),
];

impl Strategy for DeploymentStrategy {
    fn warnings(&self, obj: &Value) -> Vec<String> {
        let at = crate::api::field::Path::new("spec").child("template");
        super::podspec::warnings::warnings(Some(&at), &obj["spec"]["template"]["spec"], &obj["spec"]["template"]["metadata"])
    }
    fn has_status(&self) -> bool {
        true
    }
    fn status_update_keeps_annotations(&self) -> bool {
        true
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn spec_changed(&self, new: &Value, old: &Value) -> bool {
        // Annotations are copied to ReplicaSets, so they count too.
        new.get("spec") != old.get("spec") || new["metadata"]["annotations"] != old["metadata"]["annotations"]
    }

    fn default(&self, obj: &mut Value) {
        let spec = spec_mut(obj);
        set_default(spec, "replicas", json!(1));
        set_default(spec, "revisionHistoryLimit", json!(10));
        set_default(spec, "progressDeadlineSeconds", json!(600));
        let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
        if let Some(st) = strategy.as_object_mut() {
            set_default(st, "type", json!("RollingUpdate"));
            if st.get("type") == Some(&json!("RollingUpdate")) {
                let ru = st.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(r) = ru.as_object_mut() {
                    set_default(r, "maxUnavailable", json!("25%"));
                    set_default(r, "maxSurge", json!("25%"));
                }
            }
        }
        default_workload_template(obj);
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({});
    }

    fn validate(&self, d: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &d["spec"];
        let p = Path::new("spec");
        nonnegative(spec, &["replicas"], &p, &mut errs);
        let rules = TemplateRules { empty_selector_kind: "deployment", deadline_kind: "ReplicaSet", selector_required: true, validate_spec: true };
        validate_selector_and_template(spec, &p, &rules, &mut errs);
        let sp = p.child("strategy");
        match spec["strategy"]["type"].as_str().unwrap_or_default() {
            "Recreate" => {
                if !spec["strategy"]["rollingUpdate"].is_null() {
                    errs.push(FieldError::forbidden(&sp.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
                }
            }
            "RollingUpdate" => {
                let ru = &spec["strategy"]["rollingUpdate"];
                let rp = sp.child("rollingUpdate");
                if ru.is_null() {
                    errs.push(FieldError::required(&rp, "this should be defaulted and never be nil"));
                } else {
                    validate_int_or_percent(&ru["maxUnavailable"], &rp.child("maxUnavailable"), &mut errs);
                    validate_int_or_percent(&ru["maxSurge"], &rp.child("maxSurge"), &mut errs);
                    if is_zero(&ru["maxUnavailable"]) && is_zero(&ru["maxSurge"]) {
                        errs.push(FieldError::invalid(
                            &rp.child("maxUnavailable"),
                            BadValue::Raw(crate::apiserver::validation::selector::go_int_or_string(&ru["maxUnavailable"])),
                            "may not be 0 when `maxSurge` is 0",
                        ));
                    }
                }
            }
            other => errs.push(FieldError::not_supported(&sp, BadValue::Str(other.to_string()), &["Recreate", "RollingUpdate"])),
        }
        nonnegative(spec, &["minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"], &p, &mut errs);
        if let Some(pds) = spec["progressDeadlineSeconds"].as_i64() {
            if pds <= i(&spec["minReadySeconds"]) {
                errs.push(FieldError::invalid_num(&p.child("progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        selector_immutable(new, old, &mut errs);
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(DEPLOYMENT_COLUMNS)
    }

    fn row(&self, d: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &d["spec"];
        let st = &d["status"];
        let [containers, images, _] = containers_images_selector(spec);
        let selector = match crate::api::labels::Selector::from_label_selector(&spec["selector"]) {
            Ok(_) => {
                let text = format::label_selector(&spec["selector"]);
                json!(if text == "<none>" { String::new() } else { text })
            }
            Err(_) => json!("<invalid>"),
        };
        vec![
            json!(name(d)),
            json!(format!("{}/{}", i(&st["readyReplicas"]), i(&spec["replicas"]))),
            json!(i(&st["updatedReplicas"])),
            json!(i(&st["availableReplicas"])),
            json!(format::age(d, now)),
            containers,
            images,
            selector,
        ]
    }
}

// ---------------------------------------------------------------------------------------------

pub struct ReplicaSetStrategy;

/// The columns of ReplicaSets and ReplicationControllers.
pub const REPLICA_COLUMNS: &[Column] = &[
    Column::name(),
    Column::integer("Desired"),
    Column::integer("Current"),
    Column::integer("Ready"),
    Column::age(),
    Column::string("Containers").wide(),
    Column::string("Images").wide(),
    Column::string("Selector").wide(),
];

impl Strategy for ReplicaSetStrategy {
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
        set_default(spec_mut(obj), "replicas", json!(1));
        default_workload_template(obj);
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"replicas": 0});
    }

    fn validate(&self, rs: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let p = Path::new("spec");
        nonnegative(&rs["spec"], &["replicas", "minReadySeconds"], &p, &mut errs);
        let rules = TemplateRules { empty_selector_kind: "deployment", deadline_kind: "ReplicaSet", selector_required: true, validate_spec: true };
        validate_selector_and_template(&rs["spec"], &p, &rules, &mut errs);
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        selector_immutable(new, old, &mut errs);
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(REPLICA_COLUMNS)
    }

    fn row(&self, rs: &Value, now: Timestamp) -> Vec<Value> {
        let [containers, images, selector] = containers_images_selector(&rs["spec"]);
        vec![
            json!(name(rs)),
            json!(i(&rs["spec"]["replicas"])),
            json!(i(&rs["status"]["replicas"])),
            json!(i(&rs["status"]["readyReplicas"])),
            json!(format::age(rs, now)),
            containers,
            images,
            selector,
        ]
    }
}

// ---------------------------------------------------------------------------------------------

pub struct DaemonSetStrategy;

/// The annotation apps/v1 shows for the DaemonSet's template generation.
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";

const DAEMONSET_COLUMNS: &[Column] = &[
    Column::name(),
    Column::integer("Desired"),
    Column::integer("Current"),
    Column::integer("Ready"),
    Column::integer("Up-to-date"),
    Column::integer("Available"),
    Column::string("Node Selector"),
    Column::age(),
    Column::string("Containers").wide(),
    Column::string("Images").wide(),
    Column::string("Selector").wide(),
];

impl Strategy for DaemonSetStrategy {
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
        let spec = spec_mut(obj);
        set_default(spec, "revisionHistoryLimit", json!(10));
        let us = spec.entry("updateStrategy").or_insert_with(|| json!({}));
        if let Some(u) = us.as_object_mut() {
            set_default(u, "type", json!("RollingUpdate"));
            if u.get("type") == Some(&json!("RollingUpdate")) {
                let ru = u.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(r) = ru.as_object_mut() {
                    set_default(r, "maxUnavailable", json!(1));
                    set_default(r, "maxSurge", json!(0));
                }
            }
        }
        default_workload_template(obj);
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"currentNumberScheduled": 0, "desiredNumberScheduled": 0, "numberMisscheduled": 0, "numberReady": 0});
        let meta = crate::api::object::metadata_mut(obj);
        let ann = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = ann.as_object_mut() {
            a.insert(TEMPLATE_GENERATION_ANNOTATION.into(), json!("1"));
        }
    }

    fn prepare_for_update(&self, new: &mut Value, old: &Value) {
        let old_gen = old["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION].as_str().and_then(|g| g.parse::<i64>().ok()).unwrap_or(1);
        let next = if new["spec"]["template"] != old["spec"]["template"] { old_gen + 1 } else { old_gen };
        let meta = crate::api::object::metadata_mut(new);
        let ann = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = ann.as_object_mut() {
            a.insert(TEMPLATE_GENERATION_ANNOTATION.into(), json!(next.to_string()));
        }
    }

    fn validate(&self, ds: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &ds["spec"];
        let p = Path::new("spec");
        let rules = TemplateRules { empty_selector_kind: "daemonset", deadline_kind: "DaemonSet", selector_required: false, validate_spec: true };
        validate_selector_and_template(spec, &p, &rules, &mut errs);
        nonnegative(spec, &["minReadySeconds", "templateGeneration"], &p, &mut errs);
        let up = p.child("updateStrategy");
        match spec["updateStrategy"]["type"].as_str().unwrap_or_default() {
            "OnDelete" => {}
            "RollingUpdate" => {
                let ru = &spec["updateStrategy"]["rollingUpdate"];
                let rp = up.child("rollingUpdate");
                if ru.is_null() {
                    errs.push(FieldError::required(&rp, ""));
                } else {
                    validate_int_or_percent(&ru["maxUnavailable"], &rp.child("maxUnavailable"), &mut errs);
                    validate_int_or_percent(&ru["maxSurge"], &rp.child("maxSurge"), &mut errs);
                    let (mu, ms) = (&ru["maxUnavailable"], &ru["maxSurge"]);
                    if !is_zero(mu) && !mu.is_null() && !is_zero(ms) && !ms.is_null() {
                        errs.push(FieldError::invalid(
                            &rp.child("maxSurge"),
                            BadValue::Raw(crate::apiserver::validation::selector::go_int_or_string(ms)),
                            "may not be set when maxUnavailable is non-zero",
                        ));
                    }
                    if (is_zero(mu) || mu.is_null()) && (is_zero(ms) || ms.is_null()) {
                        errs.push(FieldError::required(&rp.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
                    }
                }
            }
            other => errs.push(FieldError::not_supported(&up, BadValue::Str(other.to_string()), &["RollingUpdate", "OnDelete"])),
        }
        nonnegative(spec, &["revisionHistoryLimit"], &p, &mut errs);
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        selector_immutable(new, old, &mut errs);
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(DAEMONSET_COLUMNS)
    }

    fn row(&self, ds: &Value, now: Timestamp) -> Vec<Value> {
        let st = &ds["status"];
        let [containers, images, selector] = containers_images_selector(&ds["spec"]);
        vec![
            json!(name(ds)),
            json!(i(&st["desiredNumberScheduled"])),
            json!(i(&st["currentNumberScheduled"])),
            json!(i(&st["numberReady"])),
            json!(i(&st["updatedNumberScheduled"])),
            json!(i(&st["numberAvailable"])),
            json!(format::labels(&ds["spec"]["template"]["spec"]["nodeSelector"])),
            json!(format::age(ds, now)),
            containers,
            images,
            selector,
        ]
    }
}

// ---------------------------------------------------------------------------------------------

pub struct StatefulSetStrategy;

const STATEFULSET_COLUMNS: &[Column] =
    &[Column::name(), Column::string("Ready"), Column::age(), Column::string("Containers").wide(), Column::string("Images").wide()];

impl Strategy for StatefulSetStrategy {
    fn warnings(&self, obj: &Value) -> Vec<String> {
        let at = crate::api::field::Path::new("spec").child("template");
        super::podspec::warnings::warnings(Some(&at), &obj["spec"]["template"]["spec"], &obj["spec"]["template"]["metadata"])
    }
    fn name_rule(&self) -> NameRule {
        NameRule::Label
    }
    fn has_status(&self) -> bool {
        true
    }
    fn tracks_generation(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let spec = spec_mut(obj);
        set_default(spec, "replicas", json!(1));
        set_default(spec, "revisionHistoryLimit", json!(10));
        set_default(spec, "podManagementPolicy", json!("OrderedReady"));
        set_default(spec, "persistentVolumeClaimRetentionPolicy", json!({"whenDeleted": "Retain", "whenScaled": "Retain"}));
        let us = spec.entry("updateStrategy").or_insert_with(|| json!({}));
        if let Some(u) = us.as_object_mut() {
            let was_empty = u.get("type").and_then(Value::as_str).is_none_or(str::is_empty);
            set_default(u, "type", json!("RollingUpdate"));
            if u.get("type") == Some(&json!("RollingUpdate")) && (was_empty || u.contains_key("rollingUpdate")) {
                let ru = u.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(r) = ru.as_object_mut() {
                    set_default(r, "partition", json!(0));
                }
            }
        }
        if let Some(vcts) = spec.get_mut("volumeClaimTemplates").and_then(Value::as_array_mut) {
            for t in vcts {
                if let Some(m) = t.as_object_mut() {
                    set_default(m, "apiVersion", json!("v1"));
                    set_default(m, "kind", json!("PersistentVolumeClaim"));
                    let meta = m.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(mm) = meta.as_object_mut() {
                        mm.entry("creationTimestamp").or_insert(Value::Null);
                    }
                    let s = m.entry("spec").or_insert_with(|| json!({}));
                    if let Some(sm) = s.as_object_mut() {
                        set_default(sm, "volumeMode", json!("Filesystem"));
                    }
                    set_default(m, "status", json!({"phase": "Pending"}));
                }
            }
        }
        default_workload_template(obj);
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"availableReplicas": 0, "replicas": 0});
    }

    fn validate(&self, sts: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &sts["spec"];
        let p = Path::new("spec");
        match spec["podManagementPolicy"].as_str() {
            None | Some("") => errs.push(FieldError::required(&p.child("podManagementPolicy"), "")),
            Some("OrderedReady" | "Parallel") => {}
            Some(o) => errs.push(FieldError::invalid_str(&p.child("podManagementPolicy"), o, "must be 'OrderedReady' or 'Parallel'")),
        }
        let up = p.child("updateStrategy");
        match spec["updateStrategy"]["type"].as_str().unwrap_or_default() {
            "" => errs.push(FieldError::required(&up, "")),
            "OnDelete" => {
                if !spec["updateStrategy"]["rollingUpdate"].is_null() {
                    errs.push(FieldError::invalid(&up.child("rollingUpdate"), BadValue::Raw(spec["updateStrategy"]["rollingUpdate"].to_string()), "only allowed for updateStrategy 'RollingUpdate'"));
                }
            }
            "RollingUpdate" => nonnegative(&spec["updateStrategy"]["rollingUpdate"], &["partition"], &up.child("rollingUpdate"), &mut errs),
            other => errs.push(FieldError::invalid_str(&up, other, "must be 'RollingUpdate' or 'OnDelete'")),
        }
        for k in ["whenDeleted", "whenScaled"] {
            if let Some(v) = spec["persistentVolumeClaimRetentionPolicy"][k].as_str() {
                if v != "Retain" && v != "Delete" {
                    errs.push(FieldError::not_supported(&p.child("persistentVolumeClaimRetentionPolicy").child(k), BadValue::Str(v.into()), &["Retain", "Delete"]));
                }
            }
        }
        nonnegative(spec, &["replicas", "minReadySeconds"], &p, &mut errs);
        let rules = TemplateRules { empty_selector_kind: "statefulset", deadline_kind: "StatefulSet", selector_required: true, validate_spec: false };
        validate_selector_and_template(spec, &p, &rules, &mut errs);
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        let strip = |v: &Value| {
            let mut s = v["spec"].clone();
            if let Some(m) = s.as_object_mut() {
                for k in ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] {
                    m.remove(k);
                }
            }
            s
        };
        if strip(new) != strip(old) {
            errs.push(FieldError::forbidden(
                &Path::new("spec"),
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            ));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(STATEFULSET_COLUMNS)
    }

    fn row(&self, sts: &Value, now: Timestamp) -> Vec<Value> {
        let (containers, images) = format::containers(&sts["spec"]["template"]["spec"]);
        vec![
            json!(name(sts)),
            json!(format!("{}/{}", i(&sts["status"]["readyReplicas"]), i(&sts["spec"]["replicas"]))),
            json!(format::age(sts, now)),
            json!(containers),
            json!(images),
        ]
    }
}

// ---------------------------------------------------------------------------------------------

pub struct ControllerRevisionStrategy;

impl Strategy for ControllerRevisionStrategy {
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if new["data"] != old["data"] {
            errs.push(FieldError::invalid(&Path::new("data"), BadValue::Raw(new["data"].to_string()), "field is immutable"));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Controller"), Column::string("Revision"), Column::age()];
        Some(C)
    }

    fn row(&self, cr: &Value, now: Timestamp) -> Vec<Value> {
        let controller = cr["metadata"]["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["controller"] == true)
            .map(|r| {
                let (group, _) = crate::api::meta::split_api_version(r["apiVersion"].as_str().unwrap_or_default());
                let kind = r["kind"].as_str().unwrap_or_default();
                let qualified = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
                format!("{}/{}", qualified.to_lowercase(), r["name"].as_str().unwrap_or_default())
            })
            .unwrap_or_else(|| "<none>".to_string());
        vec![json!(name(cr)), json!(controller), json!(i(&cr["revision"])), json!(format::age(cr, now))]
    }
}
