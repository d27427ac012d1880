//! rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::name;
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::{dns1123_subdomain, path_segment_name, NameRule};
use crate::sim::clock::Timestamp;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

pub struct RoleStrategy {
    pub namespaced: bool,
}

impl Strategy for RoleStrategy {
    fn name_rule(&self) -> NameRule {
        NameRule::PathSegment
    }

    fn validate(&self, role: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (i, r) in role["rules"].as_array().into_iter().flatten().enumerate() {
            let p = Path::new("rules").index(i);
            let list = |k: &str| r[k].as_array().cloned().unwrap_or_default();
            if list("verbs").is_empty() {
                errs.push(FieldError::required(&p.child("verbs"), "verbs must contain at least one value"));
            }
            let urls = list("nonResourceURLs");
            if !urls.is_empty() {
                if self.namespaced {
                    errs.push(FieldError::invalid(&p.child("nonResourceURLs"), BadValue::Raw(format!("{urls:?}")), "namespaced rules cannot apply to non-resource URLs"));
                }
                if !list("apiGroups").is_empty() || !list("resources").is_empty() || !list("resourceNames").is_empty() {
                    errs.push(FieldError::invalid(&p.child("nonResourceURLs"), BadValue::Raw(format!("{urls:?}")), "rules cannot apply to both regular resources and non-resource URLs"));
                }
                continue;
            }
            if list("apiGroups").is_empty() {
                errs.push(FieldError::required(&p.child("apiGroups"), "resource rules must supply at least one api group"));
            }
            if list("resources").is_empty() {
                errs.push(FieldError::required(&p.child("resources"), "resource rules must supply at least one resource"));
            }
            if !list("resourceNames").is_empty() && list("resources").len() > 1 {
                errs.push(FieldError::required(&p.child("resourceNames"), "resource names cannot apply to multiple resources"));
            }
        }
        errs
    }
}

pub struct RoleBindingStrategy {
    pub cluster: bool,
}

impl Strategy for RoleBindingStrategy {
    fn name_rule(&self) -> NameRule {
        NameRule::PathSegment
    }

    fn default(&self, obj: &mut Value) {
        if let Some(r) = obj.get_mut("roleRef").and_then(Value::as_object_mut) {
            if r.get("apiGroup").and_then(Value::as_str).is_none_or(str::is_empty) {
                r.insert("apiGroup".into(), json!(RBAC_GROUP));
            }
        }
        for s in obj.get_mut("subjects").and_then(Value::as_array_mut).into_iter().flatten() {
            let kind = s["kind"].as_str().unwrap_or_default().to_string();
            if let Some(m) = s.as_object_mut() {
                if m.get("apiGroup").is_none() {
                    m.insert("apiGroup".into(), json!(if kind == "ServiceAccount" { "" } else { RBAC_GROUP }));
                }
                if m.get("apiGroup") == Some(&json!("")) && kind == "ServiceAccount" {
                    m.remove("apiGroup");
                }
            }
        }
    }

    fn validate(&self, b: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let rr = &b["roleRef"];
        let rp = Path::new("roleRef");
        let group = rr["apiGroup"].as_str().unwrap_or_default();
        if group != RBAC_GROUP {
            errs.push(FieldError::not_supported(&rp.child("apiGroup"), BadValue::Str(group.into()), &[RBAC_GROUP]));
        }
        let kind = rr["kind"].as_str().unwrap_or_default();
        let kinds: &[&str] = if self.cluster { &["ClusterRole"] } else { &["Role", "ClusterRole"] };
        if !kinds.contains(&kind) {
            errs.push(FieldError::not_supported(&rp.child("kind"), BadValue::Str(kind.into()), kinds));
        }
        let rn = rr["name"].as_str().unwrap_or_default();
        if rn.is_empty() {
            errs.push(FieldError::required(&rp.child("name"), ""));
        } else {
            for m in path_segment_name(rn) {
                errs.push(FieldError::invalid_str(&rp.child("name"), rn, m));
            }
        }
        for (i, s) in b["subjects"].as_array().into_iter().flatten().enumerate() {
            let sp = Path::new("subjects").index(i);
            let n = s["name"].as_str().unwrap_or_default();
            if n.is_empty() {
                errs.push(FieldError::required(&sp.child("name"), ""));
            }
            match s["kind"].as_str().unwrap_or_default() {
                "ServiceAccount" => {
                    if !n.is_empty() {
                        for m in dns1123_subdomain(n) {
                            errs.push(FieldError::invalid_str(&sp.child("name"), n, m));
                        }
                    }
                    if let Some(g) = s["apiGroup"].as_str().filter(|g| !g.is_empty()) {
                        errs.push(FieldError::not_supported(&sp.child("apiGroup"), BadValue::Str(g.into()), &[""]));
                    }
                    if self.cluster && s["namespace"].as_str().is_none_or(str::is_empty) {
                        errs.push(FieldError::required(&sp.child("namespace"), ""));
                    }
                }
                k @ ("User" | "Group") => {
                    if n.is_empty() {
                        errs.push(FieldError::invalid_str(&sp.child("name"), "", if k == "User" { "user name cannot be empty" } else { "group name cannot be empty" }));
                    }
                    let g = s["apiGroup"].as_str().unwrap_or_default();
                    if g != RBAC_GROUP {
                        errs.push(FieldError::not_supported(&sp.child("apiGroup"), BadValue::Str(g.into()), &[RBAC_GROUP]));
                    }
                }
                other => errs.push(FieldError::not_supported(&sp.child("kind"), BadValue::Str(other.into()), &["ServiceAccount", "User", "Group"])),
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        if new["roleRef"] != old["roleRef"] {
            errs.push(FieldError::invalid(&Path::new("roleRef"), BadValue::Raw(new["roleRef"].to_string()), "cannot change roleRef"));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::name(),
            Column::string("Role"),
            Column::age(),
            Column::string("Users").wide(),
            Column::string("Groups").wide(),
            Column::string("ServiceAccounts").wide(),
        ];
        Some(C)
    }

    fn row(&self, b: &Value, now: Timestamp) -> Vec<Value> {
        let subjects = b["subjects"].as_array().cloned().unwrap_or_default();
        let of = |kind: &str| {
            subjects
                .iter()
                .filter(|s| s["kind"] == kind)
                .map(|s| {
                    let n = s["name"].as_str().unwrap_or_default();
                    if kind == "ServiceAccount" {
                        format!("{}/{n}", s["namespace"].as_str().unwrap_or_default())
                    } else {
                        n.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        vec![
            json!(name(b)),
            json!(format!("{}/{}", b["roleRef"]["kind"].as_str().unwrap_or_default(), b["roleRef"]["name"].as_str().unwrap_or_default())),
            json!(format::age(b, now)),
            json!(of("User")),
            json!(of("Group")),
            json!(of("ServiceAccount")),
        ]
    }
}
