//! `metadata.managedFields`: who set which fields, by which operation, as Kubernetes' field
//! manager keeps them. An update gives its writer the fields it changed and takes them from
//! everyone else; an apply gives its manager exactly the fields it applied, removes the fields
//! it applied before and applies no more (unless someone else owns them), and refuses to
//! change fields others own unless forced.

use crate::sort::Order;
use serde_json::{json, Map, Value};

use crate::schema::Schema;

use super::set::{path_string, Set};
use super::types::{old_or_zero, Ty};
use super::walk::{compare, field_set, merge, remove_path, Scope};

/// One entry of `metadata.managedFields`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    pub api_version: String,
    pub time: Option<String>,
    pub subresource: String,
    pub set: Set,
}

impl Entry {
    fn same_identity(&self, manager: &str, operation: &str, api_version: &str, subresource: &str) -> bool {
        // Appliers are one manager whatever version they apply in.
        self.manager == manager && self.operation == operation && self.subresource == subresource && (operation == "Apply" || self.api_version == api_version)
    }

    /// How a conflict names the manager: `"kubectl-edit" using apps/v1`, `"kubectl"`.
    fn display(&self) -> String {
        let mut s = crate::api::field::go_quote(&self.manager);
        if !self.subresource.is_empty() {
            s = format!("{s} with subresource {}", crate::api::field::go_quote(&self.subresource));
        }
        if self.operation == "Update" {
            // The manager's identity never holds the time.
            s = format!("{s} using {}", self.api_version);
        }
        s
    }
}

/// Who writes and through which door.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    pub manager: String,
    /// The version of the request (`apps/v1`).
    pub api_version: String,
    pub scope: Scope,
    /// `""`, `status` or `scale`.
    pub subresource: &'static str,
}

/// Reads `metadata.managedFields`; `None` when there are none or they cannot be read.
pub(crate) fn decode(obj: &Value) -> Option<Vec<Entry>> {
    let list = obj["metadata"]["managedFields"].as_array()?;
    if list.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        let operation = e["operation"].as_str()?;
        if operation != "Apply" && operation != "Update" {
            return None;
        }
        if e.get("fieldsType").is_some_and(|t| t != "FieldsV1") {
            return None;
        }
        out.push(Entry {
            manager: e["manager"].as_str().unwrap_or_default().to_string(),
            operation: operation.to_string(),
            api_version: e["apiVersion"].as_str().unwrap_or_default().to_string(),
            time: e["time"].as_str().map(str::to_string),
            subresource: e["subresource"].as_str().unwrap_or_default().to_string(),
            set: Set::from_fields_v1(&e["fieldsV1"]),
        });
    }
    Some(out)
}

/// Writes `metadata.managedFields` in Kubernetes' order (Apply before Update, then oldest
/// first, then by manager), or removes it when no one manages anything.
pub(crate) fn encode(obj: &mut Value, mut entries: Vec<Entry>) {
    entries.retain(|e| !e.set.is_empty());
    entries.order_by(|p, q| {
        p.operation
            .cmp(&q.operation)
            .then_with(|| p.time.as_deref().unwrap_or("").cmp(q.time.as_deref().unwrap_or("")))
            .then_with(|| p.manager.cmp(&q.manager))
            .then_with(|| p.api_version.cmp(&q.api_version))
            .then_with(|| p.subresource.cmp(&q.subresource))
    });
    let list: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("manager".into(), json!(e.manager));
            m.insert("operation".into(), json!(e.operation));
            m.insert("apiVersion".into(), json!(e.api_version));
            if let Some(t) = e.time {
                m.insert("time".into(), json!(t));
            }
            m.insert("fieldsType".into(), json!("FieldsV1"));
            m.insert("fieldsV1".into(), e.set.to_fields_v1());
            if !e.subresource.is_empty() {
                m.insert("subresource".into(), json!(e.subresource));
            }
            Value::Object(m)
        })
        .collect();
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    if list.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

/// An update (create, PUT, patch) by `w` from `old` (`None`: a create) to `new`: the fields it
/// changed become its own and no one else's, removed fields no one's. Writes `new`'s
/// `metadata.managedFields`. The managers come from `new` when a client sent some (and not
/// through a subresource), else from `old`.
pub(crate) fn update(schema: &Schema, ty: Ty<'_>, old: Option<&Value>, new: &mut Value, w: &Writer, now: &str) {
    let sent = if w.subresource.is_empty() { decode(new) } else { None };
    let from_new = sent.is_some();
    let mut entries = match sent {
        Some(e) => e,
        None => old.and_then(decode).unwrap_or_default(),
    };
    let before = old_or_zero(schema, ty, old);
    let cmp = compare(schema, ty, &before, new, w.scope);
    if cmp.is_same() {
        if !from_new {
            // Nothing moved: the managers stay exactly as they were.
            let kept = old.and_then(|o| o["metadata"].get("managedFields")).cloned();
            if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                match kept {
                    Some(k) => meta.insert("managedFields".into(), k),
                    None => meta.remove("managedFields"),
                };
            }
            return;
        }
        encode(new, entries);
        return;
    }
    let mut changed = cmp.modified;
    changed.union_with(&cmp.added);
    for e in &mut entries {
        e.set.subtract(&changed);
        e.set.subtract(&cmp.removed);
    }
    if !w.manager.is_empty() {
        match entries.iter_mut().find(|e| e.same_identity(&w.manager, "Update", &w.api_version, w.subresource)) {
            Some(e) => {
                e.set.union_with(&changed);
                e.time = Some(now.to_string());
            }
            None => entries.push(Entry {
                manager: w.manager.clone(),
                operation: "Update".into(),
                api_version: w.api_version.clone(),
                time: Some(now.to_string()),
                subresource: w.subresource.to_string(),
                set: changed,
            }),
        }
    }
    encode(new, entries);
}

/// Fields an apply would take from other managers.
#[derive(Debug)]
pub(crate) struct Conflicts(pub Vec<(String, String)>);

impl Conflicts {
    /// Kubernetes' message: `Apply failed with 1 conflict: conflict with "x" using apps/v1:
    /// .spec.replicas`, or per manager for several.
    pub fn message(&self) -> String {
        if let [(manager, path)] = self.0.as_slice() {
            return format!("Apply failed with 1 conflict: conflict with {manager}: {path}");
        }
        let mut managers: Vec<&String> = self.0.iter().map(|(m, _)| m).collect();
        managers.order();
        managers.dedup();
        let mut lines = Vec::new();
        for m in managers {
            lines.push(format!("conflicts with {m}:"));
            for (_, p) in self.0.iter().filter(|(mm, _)| mm == m) {
                lines.push(format!("- {p}"));
            }
        }
        format!("Apply failed with {} conflicts: {}", self.0.len(), lines.join("\n"))
    }

    /// The Status causes: (field, message).
    pub fn causes(&self) -> Vec<(String, String)> {
        self.0.iter().map(|(m, p)| (p.clone(), format!("conflict with {m}"))).collect()
    }
}

/// A server-side apply of `config` by `w` onto `live` (`None`: the object is created). Returns
/// the object to store, its `metadata.managedFields` written, or the conflicts.
pub(crate) fn apply(schema: &Schema, ty: Ty<'_>, live: Option<&Value>, config: &Value, w: &Writer, force: bool, now: &str) -> Result<Value, Conflicts> {
    let mut entries = live.and_then(decode).unwrap_or_default();
    let mut config = config.clone();
    if let Some(meta) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    let empty = Value::Object(Map::new());
    let base = live.unwrap_or(&empty);
    let mut merged = merge(schema, ty, Some(base), &config, 0);
    let applied = field_set(schema, ty, &config, w.scope);
    let mine = entries.iter().position(|e| e.same_identity(&w.manager, "Apply", "", w.subresource));
    let last = mine.map(|i| entries[i].set.clone());
    let previous_time = mine.and_then(|i| entries[i].time.clone());
    if let Some(i) = mine {
        entries.remove(i);
    }
    // Fields applied before and no more go, unless someone else (or this apply) has them.
    if let Some(last) = &last {
        let mut gone = last.clone();
        gone.subtract(&applied);
        // Shortest first: an item of a keyed list goes whole before its fields (its key fields
        // gone first would leave it unfindable).
        let mut paths = gone.paths();
        paths.order_by_key(|p| p.len());
        for p in paths {
            // An item's key fields stay while the item does (another manager keeps it).
            if let [.., item, field] = p.as_slice() {
                if let (Some(keys), Some(name)) = (item.strip_prefix("k:"), field.strip_prefix("f:")) {
                    if serde_json::from_str::<Value>(keys).is_ok_and(|k| k.get(name).is_some()) {
                        continue;
                    }
                }
            }
            // As structured-merge-diff prunes: what no one else has as a member goes, with
            // everything under it (an item another manager only added to goes whole).
            let owned = applied.has(&p) || entries.iter().any(|e| e.set.has(&p));
            if !owned {
                remove_path(schema, ty, &mut merged, &p);
            }
        }
    }
    let before = old_or_zero(schema, ty, live);
    let cmp = compare(schema, ty, &before, &merged, w.scope);
    let mut changed = cmp.modified;
    changed.union_with(&cmp.added);
    let mut conflicts = Vec::new();
    for e in &entries {
        for p in e.set.intersection(&changed).paths() {
            conflicts.push((e.display(), path_string(&p)));
        }
    }
    if !conflicts.is_empty() && !force {
        conflicts.order();
        return Err(Conflicts(conflicts));
    }
    for e in &mut entries {
        e.set.subtract(&changed);
        e.set.subtract(&cmp.removed);
    }
    // The time moves only when the object does.
    let same = live.is_some() && without_managed(&before) == without_managed(&merged);
    entries.push(Entry {
        manager: w.manager.clone(),
        operation: "Apply".into(),
        api_version: w.api_version.clone(),
        time: if same { previous_time } else { Some(now.to_string()) },
        subresource: w.subresource.to_string(),
        set: applied,
    });
    encode(&mut merged, entries);
    Ok(merged)
}

fn without_managed(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::fields::types::root_ty;

    fn writer(manager: &str) -> Writer {
        Writer { manager: manager.into(), api_version: "apps/v1".into(), scope: Scope::Main { status_apart: true }, subresource: "" }
    }

    fn deployment(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}}}})
    }

    #[test]
    fn create_then_update_moves_ownership() {
        let s = Schema::v1_33();
        let ty = root_ty(s, "apps/v1", "Deployment");
        let mut created = deployment(1, "nginx");
        update(s, ty, None, &mut created, &writer("kubectl-create"), "2025-01-01T00:00:00Z");
        let mf = &created["metadata"]["managedFields"][0];
        assert_eq!(mf["manager"], "kubectl-create");
        assert_eq!(mf["operation"], "Update");
        assert_eq!(mf["time"], "2025-01-01T00:00:00Z");
        let f = &mf["fieldsV1"];
        assert_eq!(f["f:metadata"]["f:labels"], json!({".": {}, "f:app": {}}));
        assert_eq!(f["f:spec"]["f:selector"], json!({}));
        assert!(f["f:spec"].get(".").is_none(), "spec is in the empty object");
        assert!(f["f:spec"]["f:template"]["f:spec"]["f:containers"].get(".").is_none(), "containers is null in the empty object");
        assert_eq!(f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"], json!({".": {}, "f:image": {}, "f:name": {}}));
        let mut edited = created.clone();
        edited["spec"]["replicas"] = json!(3);
        update(s, ty, Some(&created), &mut edited, &writer("kubectl-edit"), "2025-01-01T00:01:00Z");
        let entries = decode(&edited).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(!entries[0].set.has(&["f:spec".into(), "f:replicas".into()]));
        assert_eq!(entries[1].manager, "kubectl-edit");
        assert_eq!(entries[1].set.paths(), vec![vec!["f:spec".to_string(), "f:replicas".to_string()]]);
    }

    #[test]
    fn apply_conflicts_then_forces() {
        let s = Schema::v1_33();
        let ty = root_ty(s, "apps/v1", "Deployment");
        let mut live = deployment(1, "nginx");
        update(s, ty, None, &mut live, &writer("kubectl-client-side-apply"), "2025-01-01T00:00:00Z");
        // The same values: shared, no conflict.
        let shared = apply(s, ty, Some(&live), &deployment(1, "nginx"), &writer("kubectl"), false, "2025-01-01T00:01:00Z").unwrap();
        assert_eq!(decode(&shared).unwrap().len(), 2);
        let err = apply(s, ty, Some(&shared), &deployment(2, "nginx"), &writer("kubectl"), false, "t").unwrap_err();
        assert_eq!(err.message(), "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
        assert_eq!(err.causes(), vec![(".spec.replicas".to_string(), "conflict with \"kubectl-client-side-apply\" using apps/v1".to_string())]);
        let forced = apply(s, ty, Some(&shared), &deployment(2, "nginx"), &writer("kubectl"), true, "2025-01-01T00:02:00Z").unwrap();
        assert_eq!(forced["spec"]["replicas"], 2);
        let entries = decode(&forced).unwrap();
        let csa = entries.iter().find(|e| e.manager == "kubectl-client-side-apply").unwrap();
        assert!(!csa.set.has(&["f:spec".into(), "f:replicas".into()]));
        // Applying less removes what only this manager had.
        let mut less = deployment(2, "nginx");
        less["metadata"]["labels"] = json!({"app": "web"});
        less["metadata"]["annotations"] = json!({"a": "1"});
        let with_annotation = apply(s, ty, Some(&forced), &less, &writer("kubectl"), false, "t2").unwrap();
        assert_eq!(with_annotation["metadata"]["annotations"], json!({"a": "1"}));
        let without = apply(s, ty, Some(&with_annotation), &deployment(2, "nginx"), &writer("kubectl"), false, "t3").unwrap();
        assert!(without["metadata"].get("annotations").is_none());
    }
}
