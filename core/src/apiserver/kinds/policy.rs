//! Smaller kinds with their own rules: PodDisruptionBudget, PriorityClass, LimitRange,
//! ResourceQuota, HorizontalPodAutoscaler, Lease, Event, CertificateSigningRequest,
//! RuntimeClass.

use serde_json::{json, Value};

use crate::api::duration::human_duration;
use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::{name, object_mut, set_default};
use crate::api::quantity::Quantity;
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::{qualified_name, NameRule};
use crate::apiserver::validation::selector::validate_label_selector;
use crate::sim::clock::{Duration, Timestamp};

use super::workload::validate_int_or_percent;

pub struct PodDisruptionBudgetStrategy;

impl Strategy for PodDisruptionBudgetStrategy {
    fn name_rule(&self) -> NameRule {
        NameRule::PathSegment
    }
    fn has_status(&self) -> bool {
        true
    }
    fn tracks_generation(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0});
    }

    fn validate(&self, pdb: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &pdb["spec"];
        let p = Path::new("spec");
        if !spec["minAvailable"].is_null() && !spec["maxUnavailable"].is_null() {
            errs.push(FieldError::invalid(&p, BadValue::Raw("policy.PodDisruptionBudgetSpec{...}".into()), "minAvailable and maxUnavailable cannot be both set"));
        }
        for f in ["minAvailable", "maxUnavailable"] {
            if !spec[f].is_null() {
                validate_int_or_percent(&spec[f], &p.child(f), &mut errs);
            }
        }
        if !spec["selector"].is_null() {
            errs.extend(validate_label_selector(&spec["selector"], &p.child("selector")));
        }
        if let Some(u) = spec["unhealthyPodEvictionPolicy"].as_str() {
            if u != "AlwaysAllow" && u != "IfHealthyBudget" {
                errs.push(FieldError::not_supported(&p.child("unhealthyPodEvictionPolicy"), BadValue::Str(u.into()), &["AlwaysAllow", "IfHealthyBudget"]));
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Min Available"), Column::string("Max Unavailable"), Column::integer("Allowed Disruptions"), Column::age()];
        Some(C)
    }

    fn row(&self, pdb: &Value, now: Timestamp) -> Vec<Value> {
        let cell = |v: &Value| match v {
            Value::Null => "N/A".to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        vec![
            json!(name(pdb)),
            json!(cell(&pdb["spec"]["minAvailable"])),
            json!(cell(&pdb["spec"]["maxUnavailable"])),
            json!(pdb["status"]["disruptionsAllowed"].as_i64().unwrap_or(0)),
            json!(format::age(pdb, now)),
        ]
    }
}

pub struct PriorityClassStrategy;

/// The priority classes every cluster has, and their values.
pub const SYSTEM_PRIORITY_CLASSES: [(&str, i64); 2] = [("system-cluster-critical", 2_000_000_000), ("system-node-critical", 2_000_001_000)];

impl Strategy for PriorityClassStrategy {
    fn default(&self, obj: &mut Value) {
        if let Some(m) = obj.as_object_mut() {
            set_default(m, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
    }

    fn validate(&self, pc: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let n = name(pc);
        let value = pc["value"].as_i64().unwrap_or(0);
        if n.starts_with("system-") {
            let why = match SYSTEM_PRIORITY_CLASSES.iter().find(|(sn, _)| *sn == n) {
                None => Some(format!("{n} is not a known system priority class")),
                Some((_, v)) if *v != value => Some(format!("value of {n} PriorityClass must be {v}")),
                Some(_) => None,
            };
            if let Some(why) = why {
                errs.push(FieldError::forbidden(&Path::new("metadata").child("name"), format!("priority class names with 'system-' prefix are reserved for system use only. error: {why}")));
            }
        } else if value > 1_000_000_000 {
            errs.push(FieldError::forbidden(&Path::new("value"), "maximum allowed value of a user defined priority is 1000000000"));
        }
        if let Some(p) = pc["preemptionPolicy"].as_str() {
            if p != "PreemptLowerPriority" && p != "Never" {
                errs.push(FieldError::not_supported(&Path::new("preemptionPolicy"), BadValue::Str(p.into()), &["PreemptLowerPriority", "Never"]));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        if new["value"] != old["value"] {
            errs.push(FieldError::forbidden(&Path::new("value"), "may not be changed in an update."));
        }
        if new["preemptionPolicy"] != old["preemptionPolicy"] {
            errs.push(FieldError::invalid(&Path::new("preemptionPolicy"), BadValue::from_json(&new["preemptionPolicy"]), "field is immutable"));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::integer("Value"), Column::boolean("Global-Default"), Column::age(), Column::string("PreemptionPolicy")];
        Some(C)
    }

    fn row(&self, pc: &Value, now: Timestamp) -> Vec<Value> {
        vec![
            json!(name(pc)),
            json!(pc["value"].as_i64().unwrap_or(0)),
            json!(pc["globalDefault"].as_bool().unwrap_or(false)),
            json!(format::age(pc, now)),
            json!(pc["preemptionPolicy"].as_str().unwrap_or_default()),
        ]
    }
}

pub struct LimitRangeStrategy;

impl Strategy for LimitRangeStrategy {
    fn default(&self, obj: &mut Value) {
        for l in obj.get_mut("spec").and_then(|s| s.get_mut("limits")).and_then(Value::as_array_mut).into_iter().flatten() {
            if l["type"] != "Container" {
                continue;
            }
            let max = l["max"].as_object().cloned().unwrap_or_default();
            let min = l["min"].as_object().cloned().unwrap_or_default();
            let m = match l.as_object_mut() {
                Some(m) => m,
                None => continue,
            };
            let default = m.entry("default").or_insert_with(|| json!({}));
            if let Some(d) = default.as_object_mut() {
                for (k, v) in &max {
                    d.entry(k.clone()).or_insert(v.clone());
                }
            }
            let default = m.get("default").and_then(Value::as_object).cloned().unwrap_or_default();
            let dr = m.entry("defaultRequest").or_insert_with(|| json!({}));
            if let Some(d) = dr.as_object_mut() {
                for (k, v) in default.iter().chain(min.iter()) {
                    d.entry(k.clone()).or_insert(v.clone());
                }
            }
            for k in ["default", "defaultRequest"] {
                if m.get(k).and_then(Value::as_object).is_some_and(|o| o.is_empty()) {
                    m.remove(k);
                }
            }
        }
    }

    fn validate(&self, lr: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let mut seen = Vec::new();
        for (i, l) in lr["spec"]["limits"].as_array().into_iter().flatten().enumerate() {
            let p = Path::new("spec").child("limits").index(i);
            let ty = l["type"].as_str().unwrap_or_default();
            if !["Pod", "Container", "PersistentVolumeClaim"].contains(&ty) && !ty.contains('/') {
                errs.push(FieldError::invalid_str(&p.child("type"), ty, "must be a standard limit type or fully qualified"));
            }
            if seen.contains(&ty) {
                errs.push(FieldError::duplicate(&p.child("type"), BadValue::Str(ty.into())));
            }
            seen.push(ty);
            if ty == "Pod" {
                for k in ["default", "defaultRequest"] {
                    if l[k].as_object().is_some_and(|o| !o.is_empty()) {
                        errs.push(FieldError::forbidden(&p.child(k), "may not be specified when `type` is 'Pod'"));
                    }
                }
            }
            let q = |k: &str, r: &str| l[k][r].as_str().and_then(|s| Quantity::parse(s).ok());
            let resources: std::collections::BTreeSet<String> = crate::sort::set(["max", "min", "default", "defaultRequest"].iter().flat_map(|k| l[*k].as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()));
            for r in resources {
                let (min, max, def, req) = (q("min", &r), q("max", &r), q("default", &r), q("defaultRequest", &r));
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        errs.push(FieldError::invalid(&p.child("min").key(&r), BadValue::Raw(a.go_dump()), format!("min value {a} is greater than max value {b}")));
                    }
                }
                if let (Some(a), Some(b)) = (min, req) {
                    if a > b {
                        errs.push(FieldError::invalid(&p.child("defaultRequest").key(&r), BadValue::Raw(b.go_dump()), format!("min value {a} is greater than default request value {b}")));
                    }
                }
                if let (Some(a), Some(b)) = (req, max) {
                    if a > b {
                        errs.push(FieldError::invalid(&p.child("defaultRequest").key(&r), BadValue::Raw(a.go_dump()), format!("default request value {a} is greater than max value {b}")));
                    }
                }
                if let (Some(a), Some(b)) = (req, def) {
                    if a > b {
                        errs.push(FieldError::invalid(&p.child("defaultRequest").key(&r), BadValue::Raw(a.go_dump()), format!("default request value {a} is greater than default limit value {b}")));
                    }
                }
                if let (Some(a), Some(b)) = (min, def) {
                    if a > b {
                        errs.push(FieldError::invalid(&p.child("default").key(&r), BadValue::Raw(b.go_dump()), format!("min value {a} is greater than default value {b}")));
                    }
                }
                if let (Some(a), Some(b)) = (def, max) {
                    if a > b {
                        errs.push(FieldError::invalid(&p.child("default").key(&r), BadValue::Raw(a.go_dump()), format!("default value {a} is greater than max value {b}")));
                    }
                }
            }
        }
        errs
    }
}

pub struct ResourceQuotaStrategy;

const QUOTA_RESOURCES: &[&str] = &[
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports",
    "services.loadbalancers", "cpu", "memory", "requests.cpu", "requests.memory", "requests.storage", "requests.ephemeral-storage", "limits.cpu",
    "limits.memory", "limits.ephemeral-storage", "ephemeral-storage",
];

impl Strategy for ResourceQuotaStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({});
    }

    fn validate(&self, rq: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (k, v) in rq["spec"]["hard"].as_object().into_iter().flatten() {
            let p = Path::new("spec").child("hard").key(k);
            let msgs = qualified_name(k);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(FieldError::invalid_str(&p, k, m));
                }
                continue;
            }
            let standard = QUOTA_RESOURCES.contains(&k.as_str()) || k.starts_with("count/") || k.starts_with("requests.") || k.contains('/');
            if !standard {
                errs.push(FieldError::invalid_str(&p, k, "must be a standard resource type or fully qualified"));
                errs.push(FieldError::invalid_str(&p, k, "must be a standard resource for quota"));
            }
            if let Some(q) = v.as_str().and_then(|s| Quantity::parse(s).ok()) {
                if q.is_negative() {
                    errs.push(FieldError::invalid_str(&p, &q.canonical(), "must be greater than or equal to 0"));
                }
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Request"), Column::string("Limit"), Column::age()];
        Some(C)
    }

    fn row(&self, rq: &Value, now: Timestamp) -> Vec<Value> {
        let hard = rq["status"]["hard"].as_object().cloned().unwrap_or_default();
        let mut request = Vec::new();
        let mut limit = Vec::new();
        for (k, v) in &hard {
            let used = rq["status"]["used"][k].as_str().unwrap_or("0");
            let entry = format!("{k}: {used}/{}", v.as_str().unwrap_or("0"));
            let parts: Vec<&str> = k.split('.').collect();
            if parts.len() >= 2 && parts[0] == "limits" {
                limit.push(entry);
            } else {
                request.push(entry);
            }
        }
        vec![json!(name(rq)), json!(request.join(", ")), json!(limit.join(", ")), json!(format::age(rq, now))]
    }
}

pub struct HorizontalPodAutoscalerStrategy;

impl Strategy for HorizontalPodAutoscalerStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let spec = object_mut(obj, "spec");
        set_default(spec, "minReplicas", json!(1));
        if spec.get("metrics").and_then(Value::as_array).is_none_or(|m| m.is_empty()) {
            spec.insert("metrics".into(), json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]));
        }
        if let Some(b) = spec.get_mut("behavior").and_then(Value::as_object_mut) {
            let up = b.entry("scaleUp").or_insert_with(|| json!({}));
            if let Some(u) = up.as_object_mut() {
                set_default(u, "stabilizationWindowSeconds", json!(0));
                set_default(u, "selectPolicy", json!("Max"));
                set_default(u, "policies", json!([{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]));
            }
            let down = b.entry("scaleDown").or_insert_with(|| json!({}));
            if let Some(d) = down.as_object_mut() {
                set_default(d, "selectPolicy", json!("Max"));
                set_default(d, "policies", json!([{"type": "Percent", "value": 100, "periodSeconds": 15}]));
            }
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"currentReplicas": 0, "desiredReplicas": 0});
    }

    fn validate(&self, hpa: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &hpa["spec"];
        let p = Path::new("spec");
        let min = spec["minReplicas"].as_i64().unwrap_or(1);
        if min < 1 {
            errs.push(FieldError::invalid_num(&p.child("minReplicas"), min, "must be greater than or equal to 1"));
        }
        let max = spec["maxReplicas"].as_i64().unwrap_or(0);
        if max < 1 {
            errs.push(FieldError::invalid_num(&p.child("maxReplicas"), max, "must be greater than 0"));
        }
        if max < min {
            errs.push(FieldError::invalid_num(&p.child("maxReplicas"), max, "must be greater than or equal to `minReplicas`"));
        }
        let target = &spec["scaleTargetRef"];
        let tp = p.child("scaleTargetRef");
        if target["kind"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::required(&tp.child("kind"), ""));
        }
        if target["name"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::required(&tp.child("name"), ""));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::name(),
            Column::string("Reference"),
            Column::string("Targets"),
            Column::string("MinPods"),
            Column::string("MaxPods"),
            Column::string("Replicas"),
            Column::age(),
        ];
        Some(C)
    }

    fn row(&self, hpa: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &hpa["spec"];
        let metrics = spec["metrics"].as_array().cloned().unwrap_or_default();
        let current = hpa["status"]["currentMetrics"].as_array().cloned().unwrap_or_default();
        let targets = if metrics.is_empty() {
            "<none>".to_string()
        } else {
            let entries: Vec<String> = metrics
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let cur = current.get(i);
                    match m["type"].as_str().unwrap_or_default() {
                        t @ ("Resource" | "ContainerResource") => {
                            let key = if t == "Resource" { "resource" } else { "containerResource" };
                            let r = &m[key];
                            let res = r["name"].as_str().unwrap_or_default();
                            if let Some(tv) = r["target"]["averageValue"].as_str() {
                                let c = cur.and_then(|c| c[key]["current"]["averageValue"].as_str()).unwrap_or("<unknown>");
                                format!("{res}: {c}/{tv}")
                            } else {
                                let c = cur.and_then(|c| c[key]["current"]["averageUtilization"].as_i64()).map_or("<unknown>".to_string(), |n| format!("{n}%"));
                                let t = r["target"]["averageUtilization"].as_i64().map_or("<auto>".to_string(), |n| format!("{n}%"));
                                format!("{res}: {c}/{t}")
                            }
                        }
                        "Pods" => {
                            let c = cur.and_then(|c| c["pods"]["current"]["averageValue"].as_str()).unwrap_or("<unknown>");
                            format!("{c}/{}", m["pods"]["target"]["averageValue"].as_str().unwrap_or_default())
                        }
                        t @ ("Object" | "External") => {
                            let key = if t == "Object" { "object" } else { "external" };
                            let target = &m[key]["target"];
                            if let Some(av) = target["averageValue"].as_str() {
                                let c = cur.and_then(|c| c[key]["current"]["averageValue"].as_str()).unwrap_or("<unknown>");
                                format!("{c}/{av} (avg)")
                            } else {
                                let c = cur.and_then(|c| c[key]["current"]["value"].as_str()).unwrap_or("<unknown>");
                                format!("{c}/{}", target["value"].as_str().unwrap_or_default())
                            }
                        }
                        _ => "<unknown type>".to_string(),
                    }
                })
                .collect();
            if entries.len() > 2 {
                format!("{} + {} more...", entries[..2].join(", "), entries.len() - 2)
            } else {
                entries.join(", ")
            }
        };
        let min = spec["minReplicas"].as_i64().map_or("<unset>".to_string(), |n| n.to_string());
        vec![
            json!(name(hpa)),
            json!(format!("{}/{}", spec["scaleTargetRef"]["kind"].as_str().unwrap_or_default(), spec["scaleTargetRef"]["name"].as_str().unwrap_or_default())),
            json!(targets),
            json!(min),
            json!(spec["maxReplicas"].as_i64().unwrap_or(0)),
            json!(hpa["status"]["currentReplicas"].as_i64().unwrap_or(0)),
            json!(format::age(hpa, now)),
        ]
    }
}

pub struct LeaseStrategy;

impl Strategy for LeaseStrategy {
    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Holder"), Column::age()];
        Some(C)
    }

    fn row(&self, l: &Value, now: Timestamp) -> Vec<Value> {
        vec![json!(name(l)), json!(l["spec"]["holderIdentity"].as_str().unwrap_or_default()), json!(format::age(l, now))]
    }
}

pub struct EventStrategy;

impl Strategy for EventStrategy {
    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::string("Last Seen"),
            Column::string("Type"),
            Column::string("Reason"),
            Column::string("Object"),
            Column::string("Subobject").wide(),
            Column::string("Source").wide(),
            Column::string("Message"),
            Column::string("First Seen").wide(),
            Column::string("Count").wide(),
            Column { name: "Name", kind: "string", format: "name", priority: 1 },
        ];
        Some(C)
    }

    fn row(&self, e: &Value, now: Timestamp) -> Vec<Value> {
        let first = match e["firstTimestamp"].as_str().filter(|s| !s.is_empty()) {
            Some(t) => format::since(Some(t), now),
            None => format::since(e["eventTime"].as_str(), now),
        };
        let last = if !e["series"].is_null() {
            format::since(e["series"]["lastObservedTime"].as_str(), now)
        } else {
            match e["lastTimestamp"].as_str().filter(|s| !s.is_empty()) {
                Some(t) => format::since(Some(t), now),
                None => first.clone(),
            }
        };
        let count = if !e["series"].is_null() { e["series"]["count"].as_i64().unwrap_or(0) } else { e["count"].as_i64().unwrap_or(0).max(1) };
        let obj = &e["involvedObject"];
        let kind = obj["kind"].as_str().unwrap_or_default().to_lowercase();
        let object = match obj["name"].as_str().filter(|n| !n.is_empty()) {
            Some(n) => format!("{kind}/{n}"),
            None => kind,
        };
        let component = e["source"]["component"].as_str().filter(|s| !s.is_empty()).or_else(|| e["reportingComponent"].as_str()).unwrap_or_default();
        let host = e["source"]["host"].as_str().filter(|s| !s.is_empty()).or_else(|| e["reportingInstance"].as_str()).unwrap_or_default();
        let source = if host.is_empty() { component.to_string() } else { format!("{component}, {host}") };
        vec![
            json!(last),
            json!(e["type"].as_str().unwrap_or_default()),
            json!(e["reason"].as_str().unwrap_or_default()),
            json!(object),
            json!(obj["fieldPath"].as_str().unwrap_or_default()),
            json!(source),
            json!(e["message"].as_str().unwrap_or_default().trim()),
            json!(first),
            json!(count),
            json!(name(e)),
        ]
    }

    fn field_label(&self, e: &Value, label: &str) -> Option<String> {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Some(match label {
            "involvedObject.kind" => s(&e["involvedObject"]["kind"]),
            "involvedObject.namespace" => s(&e["involvedObject"]["namespace"]),
            "involvedObject.name" => s(&e["involvedObject"]["name"]),
            "involvedObject.uid" => s(&e["involvedObject"]["uid"]),
            "involvedObject.apiVersion" => s(&e["involvedObject"]["apiVersion"]),
            "involvedObject.resourceVersion" => s(&e["involvedObject"]["resourceVersion"]),
            "involvedObject.fieldPath" => s(&e["involvedObject"]["fieldPath"]),
            "reason" => s(&e["reason"]),
            "reportingComponent" => s(&e["reportingComponent"]),
            "source" => s(&e["source"]["component"]),
            "type" => s(&e["type"]),
            _ => return None,
        })
    }
}

pub struct CertificateSigningRequestStrategy;

impl Strategy for CertificateSigningRequestStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::name(),
            Column::age(),
            Column::string("SignerName"),
            Column::string("Requestor"),
            Column::string("RequestedDuration"),
            Column::string("Condition"),
        ];
        Some(C)
    }

    fn row(&self, csr: &Value, now: Timestamp) -> Vec<Value> {
        let conds = csr["status"]["conditions"].as_array().cloned().unwrap_or_default();
        let has = |t: &str| conds.iter().any(|c| c["type"] == t);
        let mut cond = if has("Denied") { "Denied" } else if has("Approved") { "Approved" } else { "Pending" }.to_string();
        if has("Failed") {
            cond.push_str(",Failed");
        }
        if csr["status"]["certificate"].as_str().is_some_and(|c| !c.is_empty()) {
            cond.push_str(",Issued");
        }
        let duration = csr["spec"]["expirationSeconds"].as_i64().map_or("<none>".to_string(), |s| human_duration(Duration::from_secs(s)));
        vec![
            json!(name(csr)),
            json!(format::age(csr, now)),
            json!(csr["spec"]["signerName"].as_str().unwrap_or("<none>")),
            json!(csr["spec"]["username"].as_str().unwrap_or_default()),
            json!(duration),
            json!(cond),
        ]
    }

    fn field_label(&self, csr: &Value, label: &str) -> Option<String> {
        (label == "spec.signerName").then(|| csr["spec"]["signerName"].as_str().unwrap_or_default().to_string())
    }
}

pub struct RuntimeClassStrategy;

impl Strategy for RuntimeClassStrategy {
    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Handler"), Column::age()];
        Some(C)
    }

    fn row(&self, rc: &Value, now: Timestamp) -> Vec<Value> {
        vec![json!(name(rc)), json!(rc["handler"].as_str().unwrap_or_default()), json!(format::age(rc, now))]
    }
}
