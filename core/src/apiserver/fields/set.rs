//! Sets of field paths, as structured-merge-diff keeps them and `fieldsV1` writes them: a tree
//! of path elements (`f:name`, `k:{"name":"web"}`, `v:"x"`), each node a member of the set or
//! only on the way to members below it (`.: {}` marks a node that is both).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A set of paths. Children are keyed by their path element as `fieldsV1` spells it, so the
/// order is the order of `fieldsV1`'s keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Set {
    pub children: BTreeMap<String, Node>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Node {
    /// The path to this node is itself in the set.
    pub member: bool,
    pub set: Set,
}

impl Set {
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// Adds a path (empty paths are not members of anything).
    pub fn insert(&mut self, path: &[String]) {
        let Some((last, parents)) = path.split_last() else { return };
        let mut cur = self;
        for p in parents {
            cur = &mut cur.children.entry(p.clone()).or_default().set;
        }
        cur.children.entry(last.clone()).or_default().member = true;
    }

    /// Whether the path is a member.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn has(&self, path: &[String]) -> bool {
        let Some((last, parents)) = path.split_last() else { return false };
        let mut cur = self;
        for p in parents {
            match cur.children.get(p) {
                Some(n) => cur = &n.set,
                None => return false,
            }
        }
        cur.children.get(last).is_some_and(|n| n.member)
    }

    pub fn union_with(&mut self, other: &Set) {
        for (k, n) in &other.children {
            let mine = self.children.entry(k.clone()).or_default();
            mine.member |= n.member;
            mine.set.union_with(&n.set);
        }
    }

    /// Takes out the members of `other` (not what lies below them: structured-merge-diff's
    /// `Difference`).
    pub fn subtract(&mut self, other: &Set) {
        for (k, n) in &other.children {
            let Some(mine) = self.children.get_mut(k) else { continue };
            if n.member {
                mine.member = false;
            }
            mine.set.subtract(&n.set);
            if !mine.member && mine.set.is_empty() {
                self.children.remove(k);
            }
        }
    }

    /// The members found in both.
    pub fn intersection(&self, other: &Set) -> Set {
        let mut out = Set::default();
        for (k, n) in &self.children {
            let Some(o) = other.children.get(k) else { continue };
            let node = Node { member: n.member && o.member, set: n.set.intersection(&o.set) };
            if node.member || !node.set.is_empty() {
                out.children.insert(k.clone(), node);
            }
        }
        out
    }

    /// Every member, parents' members before those below them, in `fieldsV1` order.
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        for (k, n) in &self.children {
            if n.member {
                let mut p = prefix.clone();
                p.push(k.clone());
                out.push(p);
            }
        }
        for (k, n) in &self.children {
            prefix.push(k.clone());
            n.set.collect(prefix, out);
            prefix.pop();
        }
    }

    /// Reads `fieldsV1`. Anything that is not an object of objects is left out.
    pub fn from_fields_v1(v: &Value) -> Set {
        let mut out = Set::default();
        if let Value::Object(m) = v {
            for (k, child) in m {
                if k == "." {
                    continue;
                }
                let Value::Object(cm) = child else { continue };
                let member = cm.is_empty() || cm.contains_key(".");
                out.children.insert(k.clone(), Node { member, set: Set::from_fields_v1(child) });
            }
        }
        out
    }

    /// Writes `fieldsV1`.
    pub fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        for (k, n) in &self.children {
            let mut child = match n.set.to_fields_v1() {
                Value::Object(c) => c,
                _ => Map::new(),
            };
            if n.member && !child.is_empty() {
                child.insert(".".into(), Value::Object(Map::new()));
            }
            m.insert(k.clone(), Value::Object(child));
        }
        Value::Object(m)
    }
}

/// A path as structured-merge-diff prints it: `.spec.template.spec.containers[name="web"].image`.
pub(crate) fn path_string(path: &[String]) -> String {
    let mut out = String::new();
    for p in path {
        if let Some(f) = p.strip_prefix("f:") {
            out.push('.');
            out.push_str(f);
        } else if let Some(k) = p.strip_prefix("k:") {
            let fields: Vec<String> = match serde_json::from_str::<Value>(k) {
                Ok(Value::Object(m)) => m.iter().map(|(name, v)| format!("{name}={}", value_string(v))).collect(),
                _ => vec![k.to_string()],
            };
            out.push_str(&format!("[{}]", fields.join(",")));
        } else if let Some(v) = p.strip_prefix("v:") {
            let shown = serde_json::from_str::<Value>(v).map(|v| value_string(&v)).unwrap_or_else(|_| v.to_string());
            out.push_str(&format!("[={shown}]"));
        } else if let Some(i) = p.strip_prefix("i:") {
            out.push_str(&format!("[{i}]"));
        }
    }
    out
}

/// A value as structured-merge-diff prints it in a path: strings quoted as Go does.
fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => crate::api::field::go_quote(s),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_v1_round_trip() {
        let v = json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}});
        let s = Set::from_fields_v1(&v);
        assert!(s.has(&p(&["f:metadata", "f:labels"])));
        assert!(!s.has(&p(&["f:metadata"])));
        assert!(s.has(&p(&["f:spec", "f:replicas"])));
        assert_eq!(s.to_fields_v1(), v);
        let mut t = s.clone();
        let mut minus = Set::default();
        minus.insert(&p(&["f:spec", "f:replicas"]));
        t.subtract(&minus);
        assert!(!t.has(&p(&["f:spec", "f:replicas"])));
        assert!(t.has(&p(&["f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}"])));
        assert_eq!(s.intersection(&minus).paths(), vec![p(&["f:spec", "f:replicas"])]);
    }

    #[test]
    fn paths_print_like_structured_merge_diff() {
        let path = p(&["f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}", "f:ports", "k:{\"containerPort\":80,\"protocol\":\"TCP\"}", "f:name"]);
        assert_eq!(path_string(&path), ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].name");
        assert_eq!(path_string(&p(&["f:metadata", "f:finalizers", "v:\"x\""])), ".metadata.finalizers[=\"x\"]");
    }
}
