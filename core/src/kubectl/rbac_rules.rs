//! Policy rules as kubectl prints them (`describe role`, `auth can-i --list`): each rule broken
//! down to one verb, group, resource and name; rules that differ only by verb joined again;
//! sorted by their protobuf text (verbs first: `[*]` before `[create]`); one row each with the
//! resource as `resource.group/subresource` and Go's `[a b]` lists.

use serde_json::Value;

/// A rule's lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub groups: Vec<String>,
    pub resources: Vec<String>,
    pub names: Vec<String>,
    pub urls: Vec<String>,
}

fn list(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

impl Rule {
    pub fn from_json(v: &Value) -> Rule {
        Rule { verbs: list(&v["verbs"]), groups: list(&v["apiGroups"]), resources: list(&v["resources"]), names: list(&v["resourceNames"]), urls: list(&v["nonResourceURLs"]) }
    }

    /// The generated `String()` of rbac/v1 PolicyRule, which kubectl sorts by.
    fn proto_text(&self) -> String {
        format!("&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}", go_list(&self.verbs), go_list(&self.groups), go_list(&self.resources), go_list(&self.names), go_list(&self.urls))
    }
}

/// Go's `%v` of a string slice.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// One rule per group × resource × verb (× name), and per URL × verb.
fn breakdown(r: &Rule) -> Vec<Rule> {
    let mut out = Vec::new();
    for g in &r.groups {
        for res in &r.resources {
            for v in &r.verbs {
                let one = |names: Vec<String>| Rule { verbs: vec![v.clone()], groups: vec![g.clone()], resources: vec![res.clone()], names, urls: Vec::new() };
                if r.names.is_empty() {
                    out.push(one(Vec::new()));
                } else {
                    out.extend(r.names.iter().map(|n| one(vec![n.clone()])));
                }
            }
        }
    }
    for u in &r.urls {
        for v in &r.verbs {
            out.push(Rule { verbs: vec![v.clone()], urls: vec![u.clone()], ..Rule::default() });
        }
    }
    out
}

/// The rules as kubectl shows them: broken down, compacted, sorted.
pub fn shown(rules: &[Rule]) -> Vec<Rule> {
    let mut complex: Vec<Rule> = Vec::new();
    // Rules of one group, one resource and at most one name, joined over their verbs (in the
    // order they came; Go keeps them in a map, whose order the sort below makes moot).
    let mut simple: Vec<Rule> = Vec::new();
    for r in rules.iter().flat_map(breakdown) {
        let is_simple = r.names.len() <= 1 && r.urls.is_empty() && r.groups.len() == 1 && r.resources.len() == 1;
        if !is_simple {
            complex.push(r);
            continue;
        }
        match simple.iter_mut().find(|s| s.groups == r.groups && s.resources == r.resources && s.names == r.names) {
            Some(s) => {
                for v in r.verbs {
                    if !s.verbs.contains(&v) {
                        s.verbs.push(v);
                    }
                }
            }
            None => simple.push(r),
        }
    }
    complex.extend(simple);
    let keyed: Vec<(String, Rule)> = complex.into_iter().map(|r| (r.proto_text(), r)).collect();
    let mut keyed = keyed;
    {
        use crate::sort::Order;
        keyed.order_by(|a, b| a.0.cmp(&b.0));
    }
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// `pods`, `deployments.apps`, `deployments.apps/scale`: the first resource with the first group.
pub fn resource_cell(r: &Rule) -> String {
    let Some(first) = r.resources.first() else { return String::new() };
    let (res, sub) = first.split_once('/').map_or((first.as_str(), None), |(a, b)| (a, Some(b)));
    let mut s = res.to_string();
    if let Some(g) = r.groups.first().filter(|g| !g.is_empty()) {
        s.push('.');
        s.push_str(g);
    }
    if let Some(sub) = sub {
        s.push('/');
        s.push_str(sub);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_broken_down_joined_by_verb_and_sorted_by_their_text() {
        let rules = [
            Rule::from_json(&json!({"apiGroups": ["", "apps"], "resources": ["pods", "deployments/scale"], "verbs": ["get", "list"]})),
            Rule::from_json(&json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["watch", "get"]})),
            Rule::from_json(&json!({"nonResourceURLs": ["/healthz"], "verbs": ["get"]})),
            Rule::from_json(&json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})),
        ];
        let rows: Vec<String> = shown(&rules).iter().map(|r| format!("{}|{}|{}|{}", resource_cell(r), go_list(&r.urls), go_list(&r.names), go_list(&r.verbs))).collect();
        // `[get list watch]` sorts before `[get list]` (a space before `]`), and `[get]` after both.
        assert_eq!(rows, ["*.*|[]|[]|[*]", "pods|[]|[]|[get list watch]", "deployments/scale|[]|[]|[get list]", "deployments.apps/scale|[]|[]|[get list]", "pods.apps|[]|[]|[get list]", "|[/healthz]|[]|[get]"]);
    }
}
