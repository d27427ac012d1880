//! The apiextensions server's controllers for CustomResourceDefinitions:
//! - naming: accepts a CRD's names unless another CRD of its group already has them
//!   (`NamesAccepted`), and marks it `Established=False/Installing` until it is served;
//! - establishing: `Established=True` once the names are accepted;
//! - finalizer: a deleted CRD's custom resources are deleted, then its cleanup finalizer goes,
//!   and with it the CRD.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::apiserver::crd::{condition, set_condition, CLEANUP_FINALIZER};
use crate::apiserver::{Request, CRD_STORAGE};
use crate::sim::clock::Duration;

use super::{Client, Controller};

const API_VERSION: &str = "apiextensions.k8s.io/v1";
const RESOURCE: &str = "customresourcedefinitions";

/// How often the finalizer looks again for custom resources still there.
const RECHECK: Duration = Duration::from_secs(5);

pub struct CrdController;

impl Controller for CrdController {
    fn name(&self) -> &'static str {
        "apiextensions-controllers"
    }

    fn sync(&mut self, c: &mut Client) {
        let names: Vec<String> = c.list(CRD_STORAGE, None).iter().map(|o| o["metadata"]["name"].as_str().unwrap_or_default().to_string()).collect();
        for name in names {
            // Each against the others as they are now: names accepted a moment ago count.
            let crds: Vec<Arc<Value>> = c.list(CRD_STORAGE, None);
            let Some(crd) = crds.iter().find(|o| o["metadata"]["name"] == name.as_str()).cloned() else { continue };
            if crd["metadata"]["deletionTimestamp"].is_string() {
                finalize(c, &crd);
            } else {
                name_and_establish(c, &crd, &crds);
            }
        }
    }
}

/// The names a CRD asks for that no other CRD of its group has been given, and the reason
/// for the last one refused.
fn accepted_names(crd: &Value, all: &[Arc<Value>]) -> (Value, Option<(&'static str, String)>) {
    let group = &crd["spec"]["group"];
    let others: Vec<&Value> = all.iter().map(|o| &**o).filter(|o| o["spec"]["group"] == *group && o["metadata"]["name"] != crd["metadata"]["name"]).map(|o| &o["status"]["acceptedNames"]).collect();
    let taken_resource = |n: &str| others.iter().any(|o| o["plural"] == n || o["singular"] == n || o["shortNames"].as_array().is_some_and(|s| s.iter().any(|x| x == n)));
    let taken_kind = |n: &str| others.iter().any(|o| o["kind"] == n || o["listKind"] == n);
    let names = &crd["spec"]["names"];
    let current = &crd["status"]["acceptedNames"];
    let mut out = json!({});
    let mut refused: Option<(&'static str, String)> = None;
    // One name: the one asked for, or (taken) the one accepted before, and why.
    let pick = |key: &str, reason: &'static str, taken: &dyn Fn(&str) -> bool, out: &mut Value, refused: &mut Option<(&'static str, String)>| {
        let want = names[key].as_str().unwrap_or_default().to_string();
        if !want.is_empty() && taken(&want) {
            *refused = Some((reason, format!("\"{want}\" is already in use")));
            out[key] = current[key].clone();
        } else {
            out[key] = json!(want);
        }
    };
    pick("plural", "PluralConflict", &taken_resource, &mut out, &mut refused);
    pick("singular", "SingularConflict", &taken_resource, &mut out, &mut refused);
    if let Some(short) = names["shortNames"].as_array() {
        let clashes: Vec<String> = short.iter().filter_map(Value::as_str).filter(|n| taken_resource(n)).map(|n| format!("\"{n}\" is already in use")).collect();
        if clashes.is_empty() {
            out["shortNames"] = json!(short);
        } else {
            refused = Some(("ShortNamesConflict", if clashes.len() == 1 { clashes[0].clone() } else { format!("[{}]", clashes.join(", ")) }));
            if current["shortNames"].is_array() {
                out["shortNames"] = current["shortNames"].clone();
            }
        }
    }
    pick("kind", "KindConflict", &taken_kind, &mut out, &mut refused);
    pick("listKind", "ListKindConflict", &taken_kind, &mut out, &mut refused);
    if names["categories"].is_array() {
        out["categories"] = names["categories"].clone();
    }
    // Field order as the API writes it.
    let mut ordered = json!({"plural": out["plural"], "singular": out["singular"]});
    for k in ["shortNames", "kind", "listKind", "categories"] {
        if !out[k].is_null() && out[k] != "" {
            ordered[k] = out[k].clone();
        }
    }
    if ordered["singular"] == "" {
        if let Some(m) = ordered.as_object_mut() {
            m.remove("singular");
        }
    }
    (ordered, refused)
}

fn name_and_establish(c: &mut Client, crd: &Arc<Value>, all: &[Arc<Value>]) {
    let now = c.now().rfc3339();
    let (names, refused) = accepted_names(crd, all);
    let established = condition(crd, "Established");
    let current = crd["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "NamesAccepted").cloned().unwrap_or(Value::Null);
    let wanted = match &refused {
        None => ("True", "NoConflicts".to_string(), "no conflicts found".to_string()),
        Some((reason, message)) => ("False", reason.to_string(), message.clone()),
    };
    let condition_moves = current["status"] != wanted.0 || current["reason"] != wanted.1.as_str() || current["message"] != wanted.2.as_str();
    if crd["status"]["acceptedNames"] != names || condition_moves {
        let mut next = (**crd).clone();
        next["status"]["acceptedNames"] = names;
        match &refused {
            None => set_condition(&mut next, "NamesAccepted", "True", "NoConflicts", "no conflicts found", &now),
            Some((reason, message)) => set_condition(&mut next, "NamesAccepted", "False", reason, message, &now),
        }
        if !established {
            match refused {
                None => set_condition(&mut next, "Established", "False", "Installing", "the initial names have been accepted", &now),
                Some(_) if !next["status"]["conditions"].as_array().is_some_and(|l| l.iter().any(|c| c["type"] == "Established")) => {
                    set_condition(&mut next, "Established", "False", "NotAccepted", "not all names are accepted", &now)
                }
                Some(_) => {}
            }
        }
        match c.update_status(API_VERSION, RESOURCE, next) {
            Ok(_) => {}
            Err(_) => return,
        }
    }
    // Establishing: once the names are accepted, the resources are served.
    let Some(fresh) = c.get(CRD_STORAGE, "", crd["metadata"]["name"].as_str().unwrap_or_default()) else { return };
    if condition(&fresh, "NamesAccepted") && !condition(&fresh, "Established") {
        let mut next = (*fresh).clone();
        set_condition(&mut next, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", &now);
        let _ = c.update_status(API_VERSION, RESOURCE, next);
    }
}

/// The collection path of a CRD's storage version in a namespace (or cluster-wide).
fn instances_path(crd: &Value, ns: Option<&str>) -> Option<String> {
    let group = crd["spec"]["group"].as_str()?;
    let plural = crd["spec"]["names"]["plural"].as_str()?;
    // The storage version if served, else any served one.
    let versions = crd["spec"]["versions"].as_array()?;
    let version = versions.iter().find(|v| v["storage"] == true && v["served"] == true).or_else(|| versions.iter().find(|v| v["served"] == true))?["name"].as_str()?;
    Some(match ns {
        Some(ns) if !ns.is_empty() => format!("/apis/{group}/{version}/namespaces/{ns}/{plural}"),
        _ => format!("/apis/{group}/{version}/{plural}"),
    })
}

fn finalize(c: &mut Client, crd: &Arc<Value>) {
    let has_finalizer = crd["metadata"]["finalizers"].as_array().is_some_and(|f| f.iter().any(|x| x == CLEANUP_FINALIZER));
    if !has_finalizer {
        return;
    }
    let now = c.now().rfc3339();
    let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let terminating_reason = crd["status"]["conditions"].as_array().into_iter().flatten().find(|x| x["type"] == "Terminating").and_then(|x| x["reason"].as_str()).unwrap_or_default().to_string();
    if terminating_reason == "InstanceDeletionPending" {
        let mut next = (**crd).clone();
        set_condition(&mut next, "Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress", &now);
        if c.update_status(API_VERSION, RESOURCE, next).is_err() {
            return;
        }
    }
    let (status, reason, message) = if condition(crd, "Established") {
        let storage = crate::apiserver::registry::storage_key(crd["spec"]["group"].as_str().unwrap_or_default(), crd["spec"]["names"]["plural"].as_str().unwrap_or_default());
        let left: Vec<Arc<Value>> = c.list(&storage, None);
        if !left.is_empty() {
            let mut namespaces: Vec<String> = left.iter().map(|o| o["metadata"]["namespace"].as_str().unwrap_or_default().to_string()).collect();
            namespaces.dedup();
            for ns in namespaces {
                if let Some(path) = instances_path(crd, Some(&ns)) {
                    let _ = c.api.call(&Request::delete(&path));
                }
            }
            if !c.list(&storage, None).is_empty() {
                // Their own finalizers hold some: look again soon.
                let at = c.now().plus(RECHECK);
                c.wake_at(at);
                return;
            }
        }
        ("False", "InstanceDeletionCompleted", "removed all instances")
    } else {
        ("False", "NeverEstablished", "resource was never established")
    };
    let Some(fresh) = c.get(CRD_STORAGE, "", &name) else { return };
    let mut next = (*fresh).clone();
    set_condition(&mut next, "Terminating", status, reason, message, &now);
    let Ok(updated) = c.update_status(API_VERSION, RESOURCE, next) else { return };
    let mut next = updated;
    if let Some(list) = next["metadata"]["finalizers"].as_array_mut() {
        list.retain(|f| f != CLEANUP_FINALIZER);
    }
    let _ = c.update(API_VERSION, RESOURCE, next);
}
