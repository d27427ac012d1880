//! CustomResourceDefinitions: what a CRD makes the server serve. Each served version of an
//! accepted CRD becomes a resource of the registry, with a strategy built from the CRD — its
//! structural schema (pruning, defaults, validation), printer columns, and `status` and `scale`
//! subresources — so custom resources go through the same handlers as built-in ones.

pub mod columns;
pub mod schema;

use crate::sort::Order;
use std::sync::Arc;

use serde_json::Value;

use crate::api::field::FieldError;
use crate::sim::clock::Timestamp;

use super::registry::{storage_key, ApiResource, GroupInfo, ResourceInfo, StrategyRef};
use super::strategy::Strategy;
use columns::PrinterColumn;
use schema::Structural;

/// What keeps a deleted CRD until its custom resources are gone.
pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// Where the scale subresource reads and writes in a custom resource (`.spec.replicas`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePaths {
    pub spec_replicas: Vec<String>,
    pub status_replicas: Vec<String>,
    pub label_selector: Option<Vec<String>>,
}

/// `.spec.replicas` → `["spec", "replicas"]`.
fn path_of(p: &str) -> Vec<String> {
    p.trim_start_matches('.').split('.').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The strategy of one served version of a CRD.
pub struct CustomResource {
    pub kind: String,
    pub schema: Option<Structural>,
    pub columns: Vec<PrinterColumn>,
    pub status: bool,
    pub scale: Option<ScalePaths>,
    /// The CRD is being deleted: its objects can be read and deleted, not created.
    pub terminating: bool,
    /// The warning of a version marked `deprecated` (its `deprecationWarning`, or
    /// `group/version Kind is deprecated`).
    pub deprecation: Option<String>,
}

impl Strategy for CustomResource {
    fn has_status(&self) -> bool {
        self.status
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    /// Everything but metadata counts (and but status, when status is a subresource).
    fn spec_changed(&self, new: &Value, old: &Value) -> bool {
        let rest = |v: &Value| {
            let mut m = v.as_object().cloned().unwrap_or_default();
            m.remove("metadata");
            m.remove("apiVersion");
            m.remove("kind");
            if self.status {
                m.remove("status");
            }
            m
        };
        rest(new) != rest(old)
    }

    fn default(&self, obj: &mut Value) {
        if let Some(s) = &self.schema {
            schema::apply_defaults(obj, s);
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        if self.status {
            if let Some(m) = obj.as_object_mut() {
                m.remove("status");
            }
        }
    }

    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        let mut errs = match &self.schema {
            Some(s) => schema::validate(obj, s),
            None => Vec::new(),
        };
        if let Some(scale) = &self.scale {
            errs.extend(validate_scale(obj, scale));
        }
        errs
    }

    /// Validation ratcheting (on in 1.33): an error about a value the update leaves as it
    /// was does not stop the update.
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        errs.retain(|e| match (value_at(new, &e.field), value_at(old, &e.field)) {
            (Some(n), Some(o)) => n != o,
            _ => true,
        });
        errs
    }

    fn table_columns(&self) -> Vec<Value> {
        columns::definitions(&self.columns)
    }

    fn table_cells(&self, obj: &Value, now: Timestamp) -> Vec<Value> {
        columns::cells(&self.columns, obj, now)
    }

    fn prune(&self, obj: &mut Value) -> Option<Result<Vec<String>, String>> {
        let mut unknown = Vec::new();
        if let Some(meta) = obj.get_mut("metadata") {
            let schema = crate::schema::Schema::v1_33();
            match super::decode::decode_typed(schema, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", meta.take()) {
                Ok(d) => {
                    *meta = d.object;
                    unknown.extend(d.unknown.iter().map(|u| match u.strip_prefix("unknown field \"") {
                        Some(rest) => format!("unknown field \"metadata.{rest}"),
                        None => u.clone(),
                    }));
                }
                Err(e) => return Some(Err(e)),
            }
        }
        if let Some(s) = &self.schema {
            unknown.extend(schema::prune(obj, s).into_iter().map(|p| format!("unknown field {}", crate::api::field::go_quote(&p))));
        }
        Some(Ok(unknown))
    }

    fn strategic_merge(&self) -> bool {
        false
    }

    fn structural(&self) -> Option<&Structural> {
        self.schema.as_ref()
    }

    fn scale_paths(&self) -> Option<&ScalePaths> {
        self.scale.as_ref()
    }

    fn terminating(&self) -> bool {
        self.terminating
    }

    fn deprecation(&self) -> Option<&str> {
        self.deprecation.as_deref()
    }
}

/// The replicas at the spec path must be a non-negative integer that fits an int32.
fn validate_scale(obj: &Value, scale: &ScalePaths) -> Vec<FieldError> {
    let mut at = obj;
    for k in &scale.spec_replicas {
        at = &at[k.as_str()];
    }
    let path = crate::api::field::Path::new(&scale.spec_replicas.join("."));
    match at {
        Value::Null => Vec::new(),
        Value::Number(n) => match n.as_i64() {
            Some(i) if i < 0 => vec![FieldError::invalid_num(&path, i, "should be a non-negative integer")],
            Some(i) if i > i64::from(i32::MAX) => vec![FieldError::invalid_num(&path, i, "should be less than or equal to 2147483647")],
            Some(_) => Vec::new(),
            None => vec![FieldError::invalid_num(&path, n, "should be an integer")],
        },
        other => vec![FieldError::invalid(&path, crate::api::field::BadValue::from_json(other), "should be an integer")],
    }
}

/// Sets a condition of a CRD's status as the server's helper does: the transition time moves
/// only when the condition is new or its status changes; reason and message always follow.
pub fn set_condition(crd: &mut Value, ty: &str, status: &str, reason: &str, message: &str, now: &str) {
    if !crd["status"].is_object() {
        crd["status"] = serde_json::json!({});
    }
    if !crd["status"]["conditions"].is_array() {
        crd["status"]["conditions"] = serde_json::json!([]);
    }
    let Some(list) = crd["status"]["conditions"].as_array_mut() else { return };
    match list.iter_mut().find(|c| c["type"] == ty) {
        Some(c) => {
            if c["status"] != status || c["lastTransitionTime"].as_str().unwrap_or_default().is_empty() {
                c["lastTransitionTime"] = serde_json::json!(now);
            }
            c["status"] = serde_json::json!(status);
            c["reason"] = serde_json::json!(reason);
            c["message"] = serde_json::json!(message);
        }
        None => list.push(serde_json::json!({"type": ty, "status": status, "lastTransitionTime": now, "reason": reason, "message": message})),
    }
}

/// The value a field error's path (`spec.list[0].name`) names.
fn value_at<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut here = obj;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            here = here.get(key)?;
        }
        for ix in indexes.split('[').filter(|s| !s.is_empty()) {
            let i: usize = ix.trim_end_matches(']').parse().ok()?;
            here = here.get(i)?;
        }
    }
    Some(here)
}

/// Whether a CRD's condition of this type is True.
pub fn condition(crd: &Value, ty: &str) -> bool {
    crd["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == ty && c["status"] == "True")
}

/// The resources a CRD has the server serve: one per served version, once its names are
/// accepted. `discoverable` (in discovery documents) waits for Established.
pub fn served(crd: &Value) -> Vec<(ResourceInfo, bool)> {
    if !condition(crd, "NamesAccepted") && !condition(crd, "Established") {
        return Vec::new();
    }
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or_default().to_string();
    let names = &crd["status"]["acceptedNames"];
    let spec_names = &spec["names"];
    let plural = spec_names["plural"].as_str().unwrap_or_default().to_string();
    if plural.is_empty() || group.is_empty() {
        return Vec::new();
    }
    let pick = |k: &str| names[k].as_str().filter(|s| !s.is_empty()).or(spec_names[k].as_str()).unwrap_or_default().to_string();
    let strings = |v: &Value| -> Vec<String> { v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect() };
    let kind = pick("kind");
    let singular = pick("singular");
    let short_names = strings(if names["shortNames"].is_array() { &names["shortNames"] } else { &spec_names["shortNames"] });
    let categories = strings(if names["categories"].is_array() { &names["categories"] } else { &spec_names["categories"] });
    let namespaced = spec["scope"] != "Cluster";
    let established = condition(crd, "Established");
    let terminating = crd["metadata"]["deletionTimestamp"].is_string();
    let storage_version = spec["versions"].as_array().into_iter().flatten().find(|v| v["storage"] == true).and_then(|v| v["name"].as_str()).unwrap_or_default();
    let hash = storage_version_hash(&group, storage_version, &kind);
    let mut out = Vec::new();
    for v in spec["versions"].as_array().into_iter().flatten().filter(|v| v["served"] == true) {
        let version = v["name"].as_str().unwrap_or_default().to_string();
        let schema = v["schema"]["openAPIV3Schema"].as_object().map(|_| Structural::parse(&v["schema"]["openAPIV3Schema"]));
        let mut cols: Vec<PrinterColumn> = v["additionalPrinterColumns"].as_array().into_iter().flatten().map(PrinterColumn::parse).collect();
        if cols.is_empty() {
            cols.push(PrinterColumn::age());
        }
        let subs = &v["subresources"];
        let status = subs["status"].is_object();
        let scale = subs["scale"].as_object().map(|s| ScalePaths {
            spec_replicas: path_of(s.get("specReplicasPath").and_then(Value::as_str).unwrap_or_default()),
            status_replicas: path_of(s.get("statusReplicasPath").and_then(Value::as_str).unwrap_or_default()),
            label_selector: s.get("labelSelectorPath").and_then(Value::as_str).map(path_of),
        });
        let mut subresources = Vec::new();
        let sub = |name: &str, group: Option<&str>, version: Option<&str>, kind: &str| ApiResource {
            name: format!("{plural}/{name}"),
            singular_name: String::new(),
            namespaced,
            group: group.map(str::to_string),
            version: version.map(str::to_string),
            kind: kind.to_string(),
            verbs: vec!["get".into(), "patch".into(), "update".into()],
            short_names: Vec::new(),
            categories: Vec::new(),
            storage_version_hash: None,
        };
        if status {
            subresources.push(sub("status", None, None, &kind));
        }
        if scale.is_some() {
            subresources.push(sub("scale", Some("autoscaling"), Some("v1"), "Scale"));
        }
        let deprecation = (v["deprecated"] == true).then(|| v["deprecationWarning"].as_str().map_or_else(|| format!("{group}/{version} {kind} is deprecated"), str::to_string));
        let strategy = CustomResource { kind: kind.clone(), schema, columns: cols, status, scale, terminating, deprecation };
        out.push((
            ResourceInfo {
                group: group.clone(),
                version,
                resource: plural.clone(),
                singular: singular.clone(),
                kind: kind.clone(),
                namespaced,
                verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"].iter().map(|s| s.to_string()).collect(),
                short_names: short_names.clone(),
                categories: categories.clone(),
                subresources,
                storage: storage_key(&group, &plural),
                strategy: StrategyRef::Custom(Arc::new(strategy)),
                storage_version_hash: Some(hash.clone()),
            },
            established,
        ));
    }
    out
}

/// Discovery's `storageVersionHash`: the first 8 bytes of the SHA-256 of
/// `group/version/kind` of the storage version, in base64.
pub fn storage_version_hash(group: &str, version: &str, kind: &str) -> String {
    let digest = crate::api::sha256::digest(format!("{group}/{version}/{kind}").as_bytes());
    crate::api::base64::encode(&digest[..8])
}

/// Orders versions as Kubernetes does (`v2` > `v1` > `v1beta2` > `v1beta1` > `v1alpha1` >
/// anything else, which sorts by name): the first is the group's preferred version.
pub fn version_priority(a: &str, b: &str) -> std::cmp::Ordering {
    fn parse(v: &str) -> Option<(u64, u8, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.starts_with('0') {
            return None;
        }
        let major: u64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((major, 2, 0));
        }
        let (level, n) = if let Some(n) = tail.strip_prefix("beta") { (1, n) } else { (0, tail.strip_prefix("alpha")?) };
        if n.is_empty() || n.starts_with('0') || !n.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some((major, level, n.parse().ok()?))
    }
    match (parse(a), parse(b)) {
        (Some((ma, la, na)), Some((mb, lb, nb))) => lb.cmp(&la).then(mb.cmp(&ma)).then(nb.cmp(&na)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The API groups the CRDs add, each with its versions in priority order; groups by name.
pub fn groups(resources: &[(ResourceInfo, bool)]) -> Vec<GroupInfo> {
    let mut groups: Vec<GroupInfo> = Vec::new();
    for (r, discoverable) in resources {
        if !discoverable {
            continue;
        }
        match groups.iter_mut().find(|g| g.name == r.group) {
            Some(g) => {
                if !g.versions.contains(&r.version) {
                    g.versions.push(r.version.clone());
                }
            }
            None => groups.push(GroupInfo { name: r.group.clone(), versions: vec![r.version.clone()], preferred_version: String::new() }),
        }
    }
    for g in &mut groups {
        g.versions.order_by(|a, b| version_priority(a, b));
        g.preferred_version = g.versions.first().cloned().unwrap_or_default();
    }
    groups.order_by(|a, b| a.name.cmp(&b.name));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_as_kubernetes_sorts_them() {
        let mut v = vec!["v1alpha1", "foo", "v1", "v2beta1", "v1beta1", "v11alpha2", "v2", "v12", "bar", "v10beta3"];
        v.order_by(|a, b| version_priority(a, b));
        assert_eq!(v, ["v12", "v2", "v1", "v10beta3", "v2beta1", "v1beta1", "v11alpha2", "v1alpha1", "bar", "foo"]);
    }
}
