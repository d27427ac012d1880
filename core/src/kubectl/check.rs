//! What the editor marks in a manifest, at its line: YAML mistakes (see
//! [`manifests::problems`]), kinds the cluster does not serve, and what the API server would
//! refuse — found by the same server dry run `kubectl diff` makes, each cause's field path
//! (`spec.template.spec.containers[0].image`) traced back to the line that holds it.

use crate::sort::Order;
use serde_json::Value;

use super::manifests::{self, Problem};
use super::{Kubectl, Transport};

impl Kubectl {
    /// Every problem of a YAML text, in line order.
    pub fn problems(&mut self, api: &mut dyn Transport, text: &str) -> Vec<Problem> {
        let mut out = manifests::problems(text);
        if !out.is_empty() {
            return out;
        }
        let ns = self.config.namespace().to_string();
        for (first, doc) in manifests::documents_at(text) {
            let Ok((obj, _)) = crate::apiserver::dup::yaml_with_duplicates(&doc) else { continue };
            let (av, kind) = (obj["apiVersion"].as_str().unwrap_or_default(), obj["kind"].as_str().unwrap_or_default());
            let Some(r) = self.by_kind(api, av, kind) else {
                let line = locate(&doc, "kind").unwrap_or(0);
                out.push(Problem { line: first + line, column: 1, message: format!("no matches for kind {kind:?} in version {av:?}") });
                continue;
            };
            let ns = obj["metadata"]["namespace"].as_str().filter(|s| !s.is_empty()).unwrap_or(&ns).to_string();
            let (_, resp) = super::diff::dry_run_apply(api, &r, &ns, &obj);
            if resp.status < 400 {
                continue;
            }
            let status = resp.into_value().unwrap_or(Value::Null);
            let causes = status["details"]["causes"].as_array().cloned().unwrap_or_default();
            if causes.is_empty() {
                out.push(Problem { line: first, column: 1, message: status["message"].as_str().unwrap_or_default().to_string() });
            }
            for c in causes {
                let field = c["field"].as_str().unwrap_or_default();
                let line = locate(&doc, field).unwrap_or(0);
                let column = doc.lines().nth(line).map_or(1, |l| l.len() - l.trim_start().len() + 1);
                out.push(Problem { line: first + line, column, message: format!("{field}: {}", c["message"].as_str().unwrap_or_default()) });
            }
        }
        out.order_by_key(|p| (p.line, p.column));
        out
    }
}

/// One step of a field path: a key, or an index into a list.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `spec.containers[0].image` → key, key, index, key; `data[app.conf]` → key, key.
fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(Step::Key(rest[..i].to_string()));
            }
            rest = &rest[i..];
            while let Some(inner) = rest.strip_prefix('[') {
                let end = inner.find(']').unwrap_or(inner.len());
                let idx = &inner[..end];
                out.push(idx.parse().map_or_else(|_| Step::Key(idx.to_string()), Step::Index));
                rest = inner.get(end + 1..).unwrap_or("");
            }
        } else if !rest.is_empty() {
            out.push(Step::Key(rest.to_string()));
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Whether line `l` holds `key:` as an entry at column `col` (also as the first entry of a
/// list item whose dash is two columns to the left).
fn entry(l: &str, col: usize, key: &str) -> bool {
    let t = l.trim_start();
    let body = if indent(l) == col {
        t
    } else if indent(l) + 2 == col {
        match t.strip_prefix("- ") {
            Some(b) => b,
            None => return false,
        }
    } else {
        return false;
    };
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")].iter().any(|k| body.strip_prefix(k.as_str()).is_some_and(|r| r.starts_with(':')))
}

/// The line (from 0) of a block-style YAML document that holds `path`; `None` when some part
/// of it is not written there (or is in flow style).
pub fn locate(doc: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = doc.lines().collect();
    // The block being searched: lines from..to, whose entries sit at column `col`.
    let (mut from, mut to, mut col) = (0, lines.len(), 0);
    let mut found = None;
    for step in steps(path) {
        match step {
            Step::Key(key) => {
                let hit = (from..to).find(|&i| !blank(lines[i]) && entry(lines[i], col, &key))?;
                found = Some(hit);
                // The value: the lines below, more indented — or a list at the key's own column.
                let Some(n) = (hit + 1..to).find(|&i| !blank(lines[i])) else { continue };
                let child = indent(lines[n]);
                let list_here = child == col && lines[n].trim_start().starts_with("- ");
                if child <= col && !list_here {
                    from = hit + 1;
                    to = hit + 1;
                    continue;
                }
                let end = (n..to).find(|&i| !blank(lines[i]) && (indent(lines[i]) < child || (list_here && indent(lines[i]) == child && !lines[i].trim_start().starts_with("- ")))).unwrap_or(to);
                (from, to, col) = (n, end, child);
            }
            Step::Index(k) => {
                let items: Vec<usize> = (from..to).filter(|&i| indent(lines[i]) == col && lines[i].trim_start().starts_with("- ")).collect();
                let hit = *items.get(k)?;
                found = Some(hit);
                let end = items.get(k + 1).copied().unwrap_or(to);
                (from, to, col) = (hit, end, col + 2);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  template:\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n      - name: side\n        image: \"\"\n        ports:\n        - containerPort: 99999\n";

    #[test]
    fn field_paths_lead_to_their_lines() {
        assert_eq!(steps("spec.containers[0].ports[1].containerPort"), [Step::Key("spec".into()), Step::Key("containers".into()), Step::Index(0), Step::Key("ports".into()), Step::Index(1), Step::Key("containerPort".into())]);
        assert_eq!(locate(DOC, "metadata.name"), Some(3));
        assert_eq!(locate(DOC, "spec.replicas"), Some(5));
        assert_eq!(locate(DOC, "spec.template.spec.containers[0].name"), Some(9));
        assert_eq!(locate(DOC, "spec.template.spec.containers[1].image"), Some(12));
        assert_eq!(locate(DOC, "spec.template.spec.containers[1].ports[0].containerPort"), Some(14));
        // A field not written is not found (the caller marks the document's first line).
        assert_eq!(locate(DOC, "spec.template.spec.containers[1].resources"), None);
        assert_eq!(locate(DOC, "spec.selector"), None);
        let same_level = "spec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n";
        assert_eq!(locate(same_level, "spec.containers[1].name"), Some(4));
        assert_eq!(locate(same_level, "spec.containers[0].image"), Some(3));
    }

    #[test]
    fn the_servers_refusals_are_marked_where_the_field_is() {
        let mut c = crate::Cluster::boot_default(1, crate::Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap_or_default()).expect("boots");
        let mut untouched = c.clone();
        let mut k = Kubectl::new("kind-kind");
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\n".to_string() + DOC.replace("image: nginx\n", "image: nginx:1.27\n").as_str();
        let p = k.problems(&mut c, &text);
        let got: Vec<(usize, usize, &str)> = p.iter().map(|p| (p.line, p.column, p.message.as_str())).collect();
        assert!(got.contains(&(11, 3, "spec.replicas: Invalid value: -1: must be greater than or equal to 0")), "{got:?}");
        // A field the text does not have (the selector) is marked at its document's first line.
        assert!(got.contains(&(6, 1, "spec.selector: Required value")), "{got:?}");
        assert!(got.iter().any(|g| g.0 == 18 && g.2.starts_with("spec.template.spec.containers[1].image: Required value")), "{got:?}");
        assert!(got.iter().any(|g| g.0 == 20 && g.2.starts_with("spec.template.spec.containers[1].ports[0].containerPort: Invalid value: 99999")), "{got:?}");
        assert_eq!(k.problems(&mut c, "apiVersion: v1\nkind: Nope\nmetadata: {name: x}\n")[0].message, "no matches for kind \"Nope\" in version \"v1\"");
        assert!(k.problems(&mut c, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n").is_empty());
        // Nothing was created by looking, and what comes next is what would have come.
        assert_eq!(k.run(&mut c, "kubectl get cm fine", None).exit, 1);
        let (create, uid) = ("kubectl create namespace next", "kubectl get namespace next -o jsonpath={.metadata.uid}");
        let mut other = Kubectl::new("kind-kind");
        assert_eq!(k.run(&mut c, create, None).exit + other.run(&mut untouched, create, None).exit, 0);
        assert_eq!(k.run(&mut c, uid, None).text(), other.run(&mut untouched, uid, None).text());
    }
}
