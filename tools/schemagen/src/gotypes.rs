//! Reads Kubernetes' Go API types (types.go) for one fact: which fields are plain values marked
//! `omitempty`, so that their zero value is left out of JSON (pointers keep theirs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn package_of(path: &Path, root: &Path, prefix: &str) -> Option<String> {
    let rel = path.parent()?.strip_prefix(root).ok()?;
    Some(format!("{prefix}.{}", rel.to_string_lossy().replace('/', ".")))
}

/// What the Go types say about one definition's fields.
#[derive(Default)]
pub struct Facts {
    /// Plain (non-pointer) `omitempty` fields.
    pub omit_zero: BTreeSet<String>,
    /// Strategic merge patch: field → `merge` with its merge key (`merge:name`), `merge` for
    /// primitive lists, `retainKeys`, or both (`merge:name,retainKeys`).
    pub patch: BTreeMap<String, String>,
}

fn tag_value<'a>(tags: &'a str, key: &str) -> Option<&'a str> {
    let start = tags.find(&format!("{key}:\""))? + key.len() + 2;
    let rest = &tags[start..];
    Some(&rest[..rest.find('"')?])
}

fn parse(text: &str, package: &str, out: &mut BTreeMap<String, Facts>) {
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("type ") {
            if let Some(name) = rest.strip_suffix("struct {").map(str::trim) {
                current = Some(format!("{package}.{name}"));
                continue;
            }
        }
        if line == "}" {
            current = None;
            continue;
        }
        let Some(def) = &current else { continue };
        let Some(tag_start) = line.find("`json:\"") else { continue };
        let decl: Vec<&str> = line[..tag_start].split_whitespace().collect();
        if decl.len() != 2 {
            continue; // embedded or unusual
        }
        let ty = decl[1];
        let tag = &line[tag_start + 7..];
        let Some(end) = tag.find('"') else { continue };
        let mut parts = tag[..end].split(',');
        let json_name = parts.next().unwrap_or("");
        let omitempty = parts.any(|p| p == "omitempty");
        let plain = !ty.starts_with('*') && !ty.starts_with("[]") && !ty.starts_with("map[");
        if omitempty && plain && !json_name.is_empty() {
            out.entry(def.clone()).or_default().omit_zero.insert(json_name.to_string());
        }
        let tags = &line[tag_start..];
        if let Some(strategy) = tag_value(tags, "patchStrategy") {
            let mut parts: Vec<String> = Vec::new();
            for s in strategy.split(',') {
                match (s, tag_value(tags, "patchMergeKey")) {
                    ("merge", Some(key)) => parts.push(format!("merge:{key}")),
                    (other, _) => parts.push(other.to_string()),
                }
            }
            out.entry(def.clone()).or_default().patch.insert(json_name.to_string(), parts.join(","));
        }
    }
}

/// `(dir, definition prefix)` pairs: `(".../api", "io.k8s.api")`.
pub fn read(roots: &[(String, &str)]) -> BTreeMap<String, Facts> {
    let mut out = BTreeMap::new();
    for (root, prefix) in roots {
        let root = Path::new(root);
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "go") {
                    if let (Ok(text), Some(pkg)) = (std::fs::read_to_string(&p), package_of(&p, root, prefix)) {
                        parse(&text, &pkg, &mut out);
                    }
                }
            }
        }
    }
    out
}
