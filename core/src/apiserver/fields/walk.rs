//! Walks over objects by their shape: what changed between two objects (structured-merge-diff's
//! `Compare`), the fields an applied configuration sets (`ToFieldSet`), the merge of an applied
//! configuration into the live object, and the removal of a path.

use crate::sort::Order;
use serde_json::{Map, Value};

use crate::schema::Schema;

use super::set::Set;
use super::types::{item_element, item_ty, member_ty, Ty};

/// Which part of an object a write may own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The object; without its status when the status has its own subresource.
    Main { status_apart: bool },
    /// Only `status` (the status subresource), and `metadata.annotations` for kinds whose
    /// status writes carry them (a Deployment's revision).
    Status { annotations: bool },
    /// Only `spec.replicas` (the scale subresource).
    Scale,
}

/// Metadata no manager owns (structured-merge-diff's strip set in Kubernetes).
const STRIPPED_META: [&str; 9] = ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"];

/// Nesting deeper than this is treated as one atomic value.
const MAX_DEPTH: usize = 64;

/// What changed between two objects.
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub added: Set,
    pub modified: Set,
    pub removed: Set,
}

impl Comparison {
    pub fn is_same(&self) -> bool {
        self.added.is_empty() && self.modified.is_empty() && self.removed.is_empty()
    }
}

fn keeps(scope: Scope, key: &str) -> bool {
    match key {
        "apiVersion" | "kind" => false,
        "status" => matches!(scope, Scope::Status { .. } | Scope::Main { status_apart: false }),
        "spec" => matches!(scope, Scope::Main { .. } | Scope::Scale),
        "metadata" => matches!(scope, Scope::Main { .. } | Scope::Status { annotations: true }),
        _ => matches!(scope, Scope::Main { .. }),
    }
}

fn is_object_meta(ty: Ty<'_>) -> bool {
    matches!(ty, Ty::Struct(d) if d.ends_with(".ObjectMeta"))
}

/// The members of the root object a scope walks, with their shapes.
fn root_members<'a>(schema: &'a Schema, ty: Ty<'a>, old: &'a Value, new: &'a Value, scope: Scope) -> Vec<(&'a str, Ty<'a>)> {
    let mut keys: Vec<&str> = Vec::new();
    for v in [old, new] {
        if let Value::Object(m) = v {
            for k in m.keys() {
                if keeps(scope, k) && !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
    }
    keys.order();
    keys.into_iter().map(|k| (k, member_ty(schema, ty, k))).collect()
}

/// What changed from `old` to `new` (whole objects of shape `ty`) in the part `scope` covers.
pub(crate) fn compare(schema: &Schema, ty: Ty<'_>, old: &Value, new: &Value, scope: Scope) -> Comparison {
    let mut cmp = Comparison::default();
    let mut path = Vec::new();
    for (k, kty) in root_members(schema, ty, old, new, scope) {
        path.push(format!("f:{k}"));
        let (o, n) = (old.get(k), new.get(k));
        if scope == Scope::Scale {
            // Only spec.replicas.
            let (o, n) = (o.and_then(|s| s.get("replicas")), n.and_then(|s| s.get("replicas")));
            if o.is_some() || n.is_some() {
                path.push("f:replicas".into());
                leaf(o, n, &path, &mut cmp);
                path.pop();
            }
        } else if k == "metadata" {
            // The metadata itself is no one's; some of its fields neither.
            let (om, nm) = (o.and_then(Value::as_object), n.and_then(Value::as_object));
            let status = matches!(scope, Scope::Status { .. });
            let mut keys: Vec<&String> = om.into_iter().chain(nm).flat_map(|m| m.keys()).filter(|k| !STRIPPED_META.contains(&k.as_str()) && (!status || *k == "annotations")).collect();
            keys.order();
            keys.dedup();
            for mk in keys {
                path.push(format!("f:{mk}"));
                walk_compare(schema, member_ty(schema, kty, mk), om.and_then(|m| m.get(mk)), nm.and_then(|m| m.get(mk)), &mut path, &mut cmp, 1);
                path.pop();
            }
        } else {
            walk_compare(schema, kty, o, n, &mut path, &mut cmp, 0);
        }
        path.pop();
    }
    cmp
}

fn leaf(old: Option<&Value>, new: Option<&Value>, path: &[String], cmp: &mut Comparison) {
    match (old, new) {
        (None, Some(_)) => cmp.added.insert(path),
        (Some(_), None) => cmp.removed.insert(path),
        (Some(a), Some(b)) if a != b => cmp.modified.insert(path),
        _ => {}
    }
}

/// The shape a value is walked with: `Untyped` objects merge, other untyped values do not.
fn effective<'a>(ty: Ty<'a>, a: Option<&Value>, b: Option<&Value>) -> Ty<'a> {
    match super::types::classify(ty) {
        Ty::Untyped => {
            let obj = |v: Option<&Value>| v.is_none_or(|v| v.is_object() || v.is_null());
            if obj(a) && obj(b) && (a.is_some_and(Value::is_object) || b.is_some_and(Value::is_object)) {
                Ty::Untyped
            } else {
                Ty::Atomic
            }
        }
        t => t,
    }
}

fn empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

/// Items of a list by their path elements; `None` when an item has no element (a missing key).
fn index_items<'v>(ty: Ty<'_>, list: Option<&'v Value>) -> Option<Vec<(String, &'v Value)>> {
    let Some(Value::Array(items)) = list else { return Some(Vec::new()) };
    items.iter().map(|i| item_element(ty, i).map(|pe| (pe, i))).collect()
}

fn walk_compare(schema: &Schema, ty: Ty<'_>, old: Option<&Value>, new: Option<&Value>, path: &mut Vec<String>, cmp: &mut Comparison, depth: usize) {
    if let (Some(a), Some(b)) = (old, new) {
        if a == b {
            return;
        }
    }
    let ty = effective(ty, old, new);
    let both_empty = empty(old) && empty(new);
    match ty {
        _ if both_empty || depth > MAX_DEPTH => leaf(old, new, path, cmp),
        Ty::Struct(_) | Ty::Map(_) | Ty::Untyped | Ty::NodeObject(_) | Ty::Node(_) => {
            let (om, nm) = (old.and_then(Value::as_object), new.and_then(Value::as_object));
            if (old.is_some_and(|v| !v.is_null()) && om.is_none()) || (new.is_some_and(|v| !v.is_null()) && nm.is_none()) {
                return leaf(old, new, path, cmp);
            }
            let meta = is_object_meta(ty);
            let mut keys: Vec<&String> = om.into_iter().chain(nm).flat_map(|m| m.keys()).collect();
            keys.order();
            keys.dedup();
            for k in keys {
                if meta && k == "creationTimestamp" {
                    continue;
                }
                path.push(format!("f:{k}"));
                walk_compare(schema, member_ty(schema, ty, k), om.and_then(|m| m.get(k)), nm.and_then(|m| m.get(k)), path, cmp, depth + 1);
                path.pop();
            }
            whole(old, new, path, cmp);
        }
        Ty::Keyed { .. } | Ty::NodeKeyed(_) | Ty::Set => {
            let (Some(ol), Some(nl)) = (index_items(ty, old), index_items(ty, new)) else {
                return leaf(old, new, path, cmp);
            };
            let ity = item_ty(schema, ty);
            let mut keys: Vec<&String> = ol.iter().chain(nl.iter()).map(|(k, _)| k).collect();
            keys.order();
            keys.dedup();
            for k in keys {
                let o = ol.iter().find(|(pe, _)| pe == k).map(|(_, v)| *v);
                let n = nl.iter().find(|(pe, _)| pe == k).map(|(_, v)| *v);
                path.push(k.clone());
                if matches!(ty, Ty::Set) {
                    leaf(o, n, path, cmp);
                } else {
                    walk_compare(schema, ity, o, n, path, cmp, depth + 1);
                }
                path.pop();
            }
            whole(old, new, path, cmp);
        }
        Ty::Atomic => leaf(old, new, path, cmp),
    }
}

/// A map or list that appears or goes is itself added or removed, besides what it holds.
fn whole(old: Option<&Value>, new: Option<&Value>, path: &[String], cmp: &mut Comparison) {
    match (old, new) {
        (None, Some(_)) => cmp.added.insert(path),
        (Some(_), None) => cmp.removed.insert(path),
        _ => {}
    }
}

/// The fields an applied configuration sets, in the part `scope` covers.
pub(crate) fn field_set(schema: &Schema, ty: Ty<'_>, config: &Value, scope: Scope) -> Set {
    let mut set = Set::default();
    let mut path = Vec::new();
    for (k, kty) in root_members(schema, ty, &Value::Null, config, scope) {
        let Some(v) = config.get(k) else { continue };
        path.push(format!("f:{k}"));
        if k == "metadata" {
            if let Value::Object(m) = v {
                for (mk, mv) in m {
                    if STRIPPED_META.contains(&mk.as_str()) || (matches!(scope, Scope::Status { .. }) && mk != "annotations") {
                        continue;
                    }
                    path.push(format!("f:{mk}"));
                    walk_set(schema, member_ty(schema, kty, mk), mv, &mut path, &mut set, 1);
                    path.pop();
                }
            }
        } else {
            walk_set(schema, kty, v, &mut path, &mut set, 0);
        }
        path.pop();
    }
    set
}

/// Whether the member `key` of an object of shape `ty` is a map entry (not a declared field).
fn entry_is_member(ty: Ty<'_>, key: &str) -> bool {
    match ty {
        Ty::Map(_) | Ty::Untyped => true,
        Ty::NodeObject(s) => s.property(key).is_none(),
        _ => false,
    }
}

fn walk_set(schema: &Schema, ty: Ty<'_>, v: &Value, path: &mut Vec<String>, set: &mut Set, depth: usize) {
    if v.is_null() {
        return;
    }
    let ty = effective(ty, None, Some(v));
    match ty {
        _ if depth > MAX_DEPTH => set.insert(path),
        Ty::Struct(_) | Ty::Map(_) | Ty::Untyped | Ty::NodeObject(_) | Ty::Node(_) => {
            let Value::Object(m) = v else { return set.insert(path) };
            let meta = is_object_meta(ty);
            for (k, c) in m {
                if meta && k == "creationTimestamp" {
                    continue;
                }
                path.push(format!("f:{k}"));
                walk_set(schema, member_ty(schema, ty, k), c, path, set, depth + 1);
                // As structured-merge-diff sets them: a map's entries are members themselves
                // (not only their leaves), and so is a field holding an empty object.
                if entry_is_member(ty, k) || c.as_object().is_some_and(|o| o.is_empty()) {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Ty::Keyed { .. } | Ty::NodeKeyed(_) | Ty::Set => {
            let Value::Array(items) = v else { return set.insert(path) };
            let Some(indexed) = index_items(ty, Some(v)) else { return set.insert(path) };
            let _ = items;
            let ity = item_ty(schema, ty);
            for (pe, item) in indexed {
                path.push(pe);
                if matches!(ty, Ty::Keyed { .. } | Ty::NodeKeyed(_)) {
                    walk_set(schema, ity, item, path, set, depth + 1);
                }
                set.insert(path);
                path.pop();
            }
        }
        Ty::Atomic => set.insert(path),
    }
}

/// Merges an applied configuration into the live object: structs and maps field by field,
/// keyed lists and sets item by item (live items keep their place, new ones follow the
/// configuration's order), anything atomic replaced. A `null` in the configuration removes.
pub(crate) fn merge(schema: &Schema, ty: Ty<'_>, live: Option<&Value>, config: &Value, depth: usize) -> Value {
    let ty = effective(ty, live, Some(config));
    if depth > MAX_DEPTH {
        return config.clone();
    }
    match ty {
        Ty::Struct(_) | Ty::Map(_) | Ty::Untyped | Ty::NodeObject(_) | Ty::Node(_) => {
            let Value::Object(cm) = config else { return config.clone() };
            let mut out = match live {
                Some(Value::Object(lm)) => lm.clone(),
                _ => Map::new(),
            };
            for (k, c) in cm {
                if c.is_null() {
                    out.remove(k);
                    continue;
                }
                let merged = merge(schema, member_ty(schema, ty, k), out.get(k), c, depth + 1);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        Ty::Keyed { .. } | Ty::NodeKeyed(_) | Ty::Set => {
            let (Some(l), Some(r)) = (index_items(ty, live), index_items(ty, Some(config))) else { return config.clone() };
            if !config.is_array() {
                return config.clone();
            }
            let ity = item_ty(schema, ty);
            let merge_item = |lv: Option<&Value>, rv: &Value| -> Value {
                if matches!(ty, Ty::Set) {
                    rv.clone()
                } else {
                    merge(schema, ity, lv, rv, depth + 1)
                }
            };
            Value::Array(interleave(&l, &r, merge_item))
        }
        Ty::Atomic => config.clone(),
    }
}

/// The order of a merged list (structured-merge-diff's): walks both lists; items in both are
/// merged where the configuration puts them among the shared ones, live-only items stay where
/// they were, configuration-only items come where the configuration has them.
fn interleave(l: &[(String, &Value)], r: &[(String, &Value)], merge_item: impl Fn(Option<&Value>, &Value) -> Value) -> Vec<Value> {
    let in_r = |pe: &str| r.iter().any(|(k, _)| k == pe);
    let in_l = |pe: &str| l.iter().find(|(k, _)| k == pe).map(|(_, v)| *v);
    let shared: Vec<&str> = r.iter().filter(|(k, _)| in_l(k).is_some()).map(|(k, _)| k.as_str()).collect();
    let mut shared_at = 0;
    let mut merged: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(l.len().max(r.len()));
    let (mut li, mut ri) = (0, 0);
    while li < l.len() || ri < r.len() {
        if li < l.len() && ri < r.len() {
            let pe = l[li].0.as_str();
            if pe == r[ri].0 {
                merged.push(pe);
                out.push(merge_item(Some(l[li].1), r[ri].1));
                li += 1;
                ri += 1;
                shared_at += 1;
                continue;
            }
            if in_r(pe) && shared.get(shared_at).is_some_and(|s| *s != pe) {
                li += 1;
                continue;
            }
        }
        if li < l.len() {
            let pe = l[li].0.as_str();
            if !in_r(pe) {
                out.push(l[li].1.clone());
                li += 1;
                continue;
            } else if merged.contains(&pe) {
                li += 1;
            }
        }
        if ri < r.len() {
            let pe = r[ri].0.as_str();
            merged.push(pe);
            out.push(merge_item(in_l(pe), r[ri].1));
            ri += 1;
            if shared.get(shared_at).is_some_and(|s| *s == pe) {
                shared_at += 1;
            }
        }
    }
    out
}

/// Removes the value at a path (nothing when it is not there). A map or list the removal
/// leaves empty goes too, as Go's `omitempty` would leave it out.
pub(crate) fn remove_path(schema: &Schema, ty: Ty<'_>, obj: &mut Value, path: &[String]) {
    remove_at(schema, ty, obj, path);
}

/// Returns whether `obj` is left empty by the removal.
fn remove_at(schema: &Schema, ty: Ty<'_>, obj: &mut Value, path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else { return false };
    let ty = effective(ty, Some(obj), None);
    if let Some(field) = first.strip_prefix("f:") {
        let Value::Object(m) = obj else { return false };
        let gone = if rest.is_empty() {
            m.remove(field).is_some()
        } else {
            match m.get_mut(field) {
                Some(child) => remove_at(schema, member_ty(schema, ty, field), child, rest),
                None => false,
            }
        };
        if gone && !rest.is_empty() {
            m.remove(field);
        }
        gone && m.is_empty()
    } else if first.starts_with("k:") || first.starts_with("v:") {
        let ity = item_ty(schema, ty);
        let Value::Array(items) = obj else { return false };
        let Some(i) = items.iter().position(|it| item_element(ty, it).as_deref() == Some(first.as_str())) else { return false };
        if rest.is_empty() {
            items.remove(i);
            items.is_empty()
        } else {
            let _ = remove_at(schema, ity, &mut items[i], rest);
            false
        }
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::fields::types::root_ty;
    use serde_json::json;

    fn paths(s: &Set) -> Vec<String> {
        s.paths().iter().map(|p| super::super::set::path_string(p)).collect()
    }

    #[test]
    fn compare_finds_added_maps_and_items() {
        let s = Schema::v1_33();
        let ty = root_ty(s, "apps/v1", "Deployment");
        let old = json!({"metadata": {"name": "web"}, "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}});
        let new = json!({"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80}]}]}}}});
        let c = compare(s, ty, &old, &new, Scope::Main { status_apart: true });
        assert_eq!(paths(&c.modified), vec![".spec.replicas"]);
        assert_eq!(
            paths(&c.added),
            vec![
                ".metadata.labels",
                ".metadata.labels.app",
                ".spec.template.spec.containers[name=\"a\"].ports",
                ".spec.template.spec.containers[name=\"a\"].ports[containerPort=80,protocol=\"TCP\"]",
                ".spec.template.spec.containers[name=\"a\"].ports[containerPort=80,protocol=\"TCP\"].containerPort",
            ]
        );
        assert!(c.removed.is_empty());
    }

    #[test]
    fn merge_keeps_live_items_and_replaces_atomics() {
        let s = Schema::v1_33();
        let ty = root_ty(s, "apps/v1", "Deployment");
        let live = json!({"spec": {"selector": {"matchLabels": {"a": "1", "b": "2"}}, "template": {"spec": {"containers": [{"name": "a", "image": "x", "imagePullPolicy": "Always"}, {"name": "b", "image": "y"}]}}}});
        let config = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {"spec": {"containers": [{"name": "c", "image": "z"}, {"name": "a", "image": "x2"}]}}}});
        let out = merge(s, ty, Some(&live), &config, 0);
        assert_eq!(out["spec"]["selector"], json!({"matchLabels": {"a": "1"}}));
        let names: Vec<&str> = out["spec"]["template"]["spec"]["containers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["c", "a", "b"]);
        assert_eq!(out["spec"]["template"]["spec"]["containers"][1], json!({"name": "a", "image": "x2", "imagePullPolicy": "Always"}));
        let mut pruned = out.clone();
        remove_path(s, ty, &mut pruned, &["f:spec".into(), "f:template".into(), "f:spec".into(), "f:containers".into(), "k:{\"name\":\"b\"}".into()]);
        assert_eq!(pruned["spec"]["template"]["spec"]["containers"].as_array().unwrap().len(), 2);
    }
}
