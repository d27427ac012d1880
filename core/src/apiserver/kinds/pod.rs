//! Pod: defaults, admission (service account, priority, default tolerations), status on create,
//! validation of create and update, the `kubectl get pods` table, and field selectors.

use serde_json::{json, Value};

use crate::api::field::{FieldError, Path};
use crate::api::object::{name, object_mut};
use crate::api::quantity::Quantity;
use crate::api::status::ApiError;
use crate::apiserver::strategy::{Ctx, Strategy};
use crate::apiserver::tables::{format, Column};
use crate::sim::clock::Timestamp;

use super::podspec::{defaults::default_pod_spec, validation::validate_pod_spec};

pub struct PodStrategy;

const SA_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

const COLUMNS: &[Column] = &[
    Column::name(),
    Column::string("Ready"),
    Column::string("Status"),
    Column::string("Restarts"),
    Column::age(),
    Column::string("IP").wide(),
    Column::string("Node").wide(),
    Column::string("Nominated Node").wide(),
    Column::string("Readiness Gates").wide(),
];

impl Strategy for PodStrategy {
    fn warnings(&self, obj: &Value) -> Vec<String> {
        super::podspec::warnings::warnings(None, &obj["spec"], &obj["metadata"])
    }

    fn has_status(&self) -> bool {
        true
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        if let Some(spec) = obj.get_mut("spec") {
            default_pod_spec(spec, true);
        }
        // The deprecated serviceAccount mirrors serviceAccountName in v1.
        let spec = object_mut(obj, "spec");
        if let Some(sa) = spec.get("serviceAccountName").cloned() {
            spec.insert("serviceAccount".into(), sa);
        }
    }

    fn admit(&self, obj: &mut Value, ctx: &mut Ctx) -> Result<(), ApiError> {
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
        let pod_name = name(obj).to_string();
        let forbidden = |why: String| ApiError::Forbidden { resource: crate::api::meta::GroupResource::new("", "pods"), name: pod_name.clone(), why };
        // ServiceAccount: the account must exist; its token is projected into every container.
        let spec = object_mut(obj, "spec");
        let sa = spec.get("serviceAccountName").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or("default").to_string();
        spec.insert("serviceAccountName".into(), json!(sa));
        let account = ctx.store.get("serviceaccounts", &ns, &sa);
        let Some(account) = account else {
            return Err(forbidden(format!("error looking up service account {ns}/{sa}: serviceaccount \"{sa}\" not found")));
        };
        let automount = spec
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
            .or_else(|| account.object["automountServiceAccountToken"].as_bool())
            .unwrap_or(true);
        if automount {
            let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
            let existing = volumes
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|v| v["name"].as_str().filter(|n| n.starts_with("kube-api-access-")).map(String::from));
            let vol_name = match existing {
                Some(n) => n,
                None => {
                    let n = format!("kube-api-access-{}", ctx.rng.name_suffix(5));
                    if let Some(list) = volumes.as_array_mut() {
                        list.push(json!({
                            "name": n,
                            "projected": {
                                "defaultMode": 420,
                                "sources": [
                                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                                    {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                                    {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}},
                                ],
                            },
                        }));
                    }
                    n
                }
            };
            for list in ["initContainers", "containers"] {
                for c in spec.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
                    let mounts = c.as_object_mut().map(|m| m.entry("volumeMounts").or_insert_with(|| json!([])));
                    if let Some(Value::Array(ms)) = mounts {
                        if !ms.iter().any(|m| m["mountPath"] == SA_MOUNT_PATH) {
                            ms.push(json!({"mountPath": SA_MOUNT_PATH, "name": vol_name, "readOnly": true}));
                        }
                    }
                }
            }
        }
        if spec.get("imagePullSecrets").is_none() {
            if let Some(secrets) = account.object["imagePullSecrets"].as_array().filter(|a| !a.is_empty()) {
                spec.insert("imagePullSecrets".into(), Value::Array(secrets.clone()));
            }
        }
        // Priority: from the named PriorityClass, else 0.
        match spec.get("priorityClassName").and_then(Value::as_str).filter(|s| !s.is_empty()).map(String::from) {
            Some(class) => {
                let pc = match class.as_str() {
                    "system-cluster-critical" => Some((2_000_000_000, "PreemptLowerPriority".to_string())),
                    "system-node-critical" => Some((2_000_001_000, "PreemptLowerPriority".to_string())),
                    _ => ctx.store.get("priorityclasses.scheduling.k8s.io", "", &class).map(|pc| {
                        (pc.object["value"].as_i64().unwrap_or(0), pc.object["preemptionPolicy"].as_str().unwrap_or("PreemptLowerPriority").to_string())
                    }),
                };
                let Some((value, policy)) = pc else {
                    return Err(forbidden(format!("no PriorityClass with name {class} was found")));
                };
                if let Some(given) = spec.get("priority").and_then(Value::as_i64) {
                    if given != value {
                        return Err(forbidden(format!(
                            "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"
                        )));
                    }
                }
                spec.insert("priority".into(), json!(value));
                spec.entry("preemptionPolicy").or_insert(json!(policy));
            }
            None => {
                spec.insert("priority".into(), json!(0));
                spec.entry("preemptionPolicy").or_insert(json!("PreemptLowerPriority"));
            }
        }
        // DefaultTolerationSeconds: pods ride out a not-ready or unreachable node for 5 minutes.
        let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
        if let Some(list) = tolerations.as_array_mut() {
            for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
                let covered = list.iter().any(|t| {
                    let k = t["key"].as_str().unwrap_or_default();
                    let effect = t["effect"].as_str().unwrap_or_default();
                    (k == key || (k.is_empty() && t["operator"] == "Exists")) && (effect.is_empty() || effect == "NoExecute")
                });
                if !covered {
                    list.push(json!({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": 300}));
                }
            }
        }
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        let qos = qos_class(&obj["spec"]);
        let mut status = json!({"phase": "Pending", "qosClass": qos});
        if obj["spec"]["schedulingGates"].as_array().is_some_and(|g| !g.is_empty()) {
            status["conditions"] = json!([{
                "type": "PodScheduled", "status": "False", "reason": "SchedulingGated",
                "message": "Scheduling is blocked due to non-empty scheduling gates", "lastProbeTime": null, "lastTransitionTime": null,
            }]);
        }
        obj["status"] = status;
    }

    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        let spec = &obj["spec"];
        let mut errs = validate_pod_spec(spec, &Path::new("spec"), true);
        for list in ["containers", "initContainers"] {
            for (i, c) in spec[list].as_array().into_iter().flatten().enumerate() {
                let image = c["image"].as_str().unwrap_or_default();
                if !image.is_empty() && image.trim() != image {
                    errs.push(FieldError::invalid_str(&Path::new("spec").child(list).index(i).child("image"), image, "must not have leading or trailing whitespace"));
                }
            }
        }
        if spec["ephemeralContainers"].as_array().is_some_and(|a| !a.is_empty()) {
            errs.push(FieldError::forbidden(&Path::new("spec").child("ephemeralContainers"), "cannot be set on create"));
        }
        errs
    }

    /// A status write keeps the stored spec, so the spec's rules have nothing new to check
    /// (kube-apiserver's pod status strategy does not look at the spec either).
    fn validate_status_update(&self, _new: &Value, _old: &Value) -> Vec<FieldError> {
        Vec::new()
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = validate_pod_spec(&new["spec"], &Path::new("spec"), true);
        let spec_path = Path::new("spec");
        for list in ["containers", "initContainers"] {
            let n = new["spec"][list].as_array().map_or(0, Vec::len);
            let o = old["spec"][list].as_array().map_or(0, Vec::len);
            if n != o {
                errs.push(FieldError::forbidden(&spec_path.child(list), "pod updates may not add or remove containers"));
                return errs;
            }
        }
        // Everything but images, activeDeadlineSeconds, added tolerations and
        // terminationGracePeriodSeconds is fixed once the pod exists.
        let mut a = new["spec"].clone();
        let mut b = old["spec"].clone();
        for s in [&mut a, &mut b] {
            for list in ["containers", "initContainers"] {
                for c in s.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
                    if let Some(m) = c.as_object_mut() {
                        m.remove("image");
                    }
                }
            }
            if let Some(m) = s.as_object_mut() {
                m.remove("activeDeadlineSeconds");
                m.remove("terminationGracePeriodSeconds");
                m.remove("tolerations");
            }
        }
        let old_tol = old["spec"]["tolerations"].as_array().cloned().unwrap_or_default();
        let new_tol = new["spec"]["tolerations"].as_array().cloned().unwrap_or_default();
        let strip_secs = |t: &Value| {
            let mut t = t.clone();
            if let Some(m) = t.as_object_mut() {
                m.remove("tolerationSeconds");
            }
            t
        };
        let tolerations_ok = old_tol.iter().all(|o| new_tol.iter().any(|n| strip_secs(n) == strip_secs(o)));
        if !tolerations_ok {
            errs.push(FieldError::forbidden(&spec_path.child("tolerations"), "existing toleration can not be modified except its tolerationSeconds"));
        }
        if a != b {
            errs.push(FieldError::forbidden(
                &spec_path,
                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
            ));
        }
        if let (Some(n), Some(o)) = (new["spec"]["activeDeadlineSeconds"].as_i64(), old["spec"]["activeDeadlineSeconds"].as_i64()) {
            if n > o {
                errs.push(FieldError::invalid_num(&spec_path.child("activeDeadlineSeconds"), n, "must be less than or equal to previous value"));
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        Some(COLUMNS)
    }

    fn row(&self, pod: &Value, now: Timestamp) -> Vec<Value> {
        let (ready, total, reason, restarts) = pod_status(pod, now);
        let ip = pod["status"]["podIPs"][0]["ip"].as_str().or_else(|| pod["status"]["podIP"].as_str()).filter(|s| !s.is_empty()).unwrap_or("<none>");
        let node = pod["spec"]["nodeName"].as_str().filter(|s| !s.is_empty()).unwrap_or("<none>");
        let nominated = pod["status"]["nominatedNodeName"].as_str().filter(|s| !s.is_empty()).unwrap_or("<none>");
        let gates = match pod["spec"]["readinessGates"].as_array().filter(|g| !g.is_empty()) {
            None => "<none>".to_string(),
            Some(gs) => {
                let conds: &[Value] = pod["status"]["conditions"].as_array().map_or(&[], Vec::as_slice);
                let met = gs
                    .iter()
                    .filter(|g| conds.iter().find(|c| c["type"] == g["conditionType"]).is_some_and(|c| c["status"] == "True"))
                    .count();
                format!("{met}/{}", gs.len())
            }
        };
        vec![
            json!(name(pod)),
            json!(format!("{ready}/{total}")),
            json!(reason),
            json!(restarts),
            json!(format::age(pod, now)),
            json!(ip),
            json!(node),
            json!(nominated),
            json!(gates),
        ]
    }

    fn field_label(&self, pod: &Value, label: &str) -> Option<String> {
        let st = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Some(match label {
            "spec.nodeName" | "spec.host" => st(&pod["spec"]["nodeName"]),
            "spec.restartPolicy" => st(&pod["spec"]["restartPolicy"]),
            "spec.schedulerName" => st(&pod["spec"]["schedulerName"]),
            "spec.serviceAccountName" => st(&pod["spec"]["serviceAccountName"]),
            "spec.hostNetwork" => (pod["spec"]["hostNetwork"] == true).to_string(),
            "status.phase" => st(&pod["status"]["phase"]),
            "status.podIP" => st(&pod["status"]["podIP"]),
            "status.nominatedNodeName" => st(&pod["status"]["nominatedNodeName"]),
            _ => return None,
        })
    }
}

/// Guaranteed when every container limits cpu and memory with requests equal to limits;
/// BestEffort when nothing requests or limits anything; Burstable otherwise.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = ["initContainers", "containers"].iter().flat_map(|l| spec[*l].as_array().into_iter().flatten()).collect();
    let relevant = |m: &Value| -> Vec<(String, Quantity)> {
        m.as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k == "cpu" || *k == "memory")
            .filter_map(|(k, v)| Some((k.clone(), Quantity::parse(v.as_str()?).ok()?)))
            .filter(|(_, q)| !q.is_zero())
            .collect()
    };
    let mut any = false;
    let mut guaranteed = true;
    for c in &containers {
        let req = relevant(&c["resources"]["requests"]);
        let lim = relevant(&c["resources"]["limits"]);
        if !req.is_empty() || !lim.is_empty() {
            any = true;
        }
        let has = |l: &Vec<(String, Quantity)>, k: &str| l.iter().find(|(n, _)| n == k).map(|(_, q)| *q);
        for k in ["cpu", "memory"] {
            match (has(&req, k), has(&lim, k)) {
                (_, None) => guaranteed = false,
                (Some(r), Some(l)) if r != l => guaranteed = false,
                _ => {}
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// READY counts, STATUS reason and RESTARTS as `kubectl get pods` computes them.
pub fn pod_status(pod: &Value, now: Timestamp) -> (usize, usize, String, String) {
    let spec = &pod["spec"];
    let status = &pod["status"];
    let mut reason = status["phase"].as_str().unwrap_or_default().to_string();
    if let Some(r) = status["reason"].as_str().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    // Borrowed, not copied: a table of 10,000 pods reads these for every row.
    let conditions: &[Value] = status["conditions"].as_array().map_or(&[], Vec::as_slice);
    if conditions.iter().any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated") {
        reason = "SchedulingGated".into();
    }
    let init_specs: &[Value] = spec["initContainers"].as_array().map_or(&[], Vec::as_slice);
    let is_sidecar = |name: &str| init_specs.iter().any(|c| c["name"] == name && c["restartPolicy"] == "Always");
    let total = spec["containers"].as_array().map_or(0, Vec::len) + init_specs.iter().filter(|c| c["restartPolicy"] == "Always").count();
    let mut ready = 0;
    let mut restarts: i64 = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut sidecar_restarts: i64 = 0;
    let mut sidecar_last: Option<Timestamp> = None;
    let finished_at = |cs: &Value| cs["lastState"]["terminated"]["finishedAt"].as_str().and_then(Timestamp::parse_rfc3339);
    let later = |a: Option<Timestamp>, b: Option<Timestamp>| match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let mut initializing = false;
    let init_total = init_specs.len();
    for (i, cs) in status["initContainerStatuses"].as_array().into_iter().flatten().enumerate() {
        let rc = cs["restartCount"].as_i64().unwrap_or(0);
        restarts += rc;
        last_restart = later(last_restart, finished_at(cs));
        let cname = cs["name"].as_str().unwrap_or_default();
        let sidecar = is_sidecar(cname);
        if sidecar {
            sidecar_restarts += rc;
            sidecar_last = later(sidecar_last, finished_at(cs));
        }
        let term = &cs["state"]["terminated"];
        let waiting = &cs["state"]["waiting"];
        if term.is_object() && term["exitCode"].as_i64() == Some(0) {
            continue;
        }
        if sidecar && cs["started"] == true {
            if cs["ready"] == true {
                ready += 1;
            }
            continue;
        }
        if term.is_object() {
            reason = match term["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match term["signal"].as_i64().filter(|s| *s != 0) {
                    Some(sig) => format!("Init:Signal:{sig}"),
                    None => format!("Init:ExitCode:{}", term["exitCode"].as_i64().unwrap_or(0)),
                },
            };
        } else if let Some(r) = waiting["reason"].as_str().filter(|r| !r.is_empty() && *r != "PodInitializing") {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{init_total}");
        }
        initializing = true;
        break;
    }
    let initialized = conditions.iter().any(|c| c["type"] == "Initialized" && c["status"] == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = sidecar_last;
        let mut has_running = false;
        let statuses: &[Value] = status["containerStatuses"].as_array().map_or(&[], Vec::as_slice);
        for cs in statuses.iter().rev() {
            restarts += cs["restartCount"].as_i64().unwrap_or(0);
            last_restart = later(last_restart, finished_at(cs));
            let waiting = &cs["state"]["waiting"];
            let term = &cs["state"]["terminated"];
            if let Some(r) = waiting["reason"].as_str().filter(|r| !r.is_empty()) {
                reason = r.to_string();
            } else if let Some(r) = term["reason"].as_str().filter(|r| !r.is_empty()) {
                reason = r.to_string();
            } else if term.is_object() {
                reason = match term["signal"].as_i64().filter(|s| *s != 0) {
                    Some(sig) => format!("Signal:{sig}"),
                    None => format!("ExitCode:{}", term["exitCode"].as_i64().unwrap_or(0)),
                };
            } else if cs["ready"] == true && cs["state"]["running"].is_object() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions.iter().any(|c| c["type"] == "Ready" && c["status"] == "True");
            reason = if pod_ready { "Running".into() } else { "NotReady".into() };
        }
    }
    let deleting = pod["metadata"]["deletionTimestamp"].is_string();
    if deleting && status["reason"] == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && !matches!(status["phase"].as_str(), Some("Succeeded" | "Failed")) {
        reason = "Terminating".into();
    }
    let restarts_cell = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", crate::api::duration::human_duration(now.since(t))),
        _ => restarts.to_string(),
    };
    (ready, total, reason, restarts_cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_classes() {
        assert_eq!(qos_class(&json!({"containers": [{"name": "a"}]})), "BestEffort");
        assert_eq!(qos_class(&json!({"containers": [{"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}]})), "Guaranteed");
        assert_eq!(qos_class(&json!({"containers": [{"resources": {"requests": {"cpu": "1"}}}]})), "Burstable");
    }

    #[test]
    fn status_column() {
        let now = Timestamp::parse_rfc3339("2026-01-01T00:10:00Z").unwrap();
        let pending = json!({"spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Pending"}});
        assert_eq!(pod_status(&pending, now), (0, 1, "Pending".into(), "0".into()));
        let crash = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}, "status": {"phase": "Running", "containerStatuses": [
            {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
            {"name": "b", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:05:00Z"}}},
        ]}});
        assert_eq!(pod_status(&crash, now), (1, 2, "CrashLoopBackOff".into(), "3 (5m ago)".into()));
        let init = json!({"spec": {"initContainers": [{"name": "i"}], "containers": [{"name": "a"}]}, "status": {"phase": "Pending",
            "initContainerStatuses": [{"name": "i", "restartCount": 0, "state": {"running": {}}}]}});
        assert_eq!(pod_status(&init, now).2, "Init:0/1");
        let deleting = json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Running"}});
        assert_eq!(pod_status(&deleting, now).2, "Terminating");
    }
}
