//! Reads Kubernetes' Go API types (types.go) for one fact: which fields are plain values marked
//! `omitempty`, so that their zero value is left out of JSON (pointers keep theirs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn package_of(path: &Path, root: &Path, prefix: &str) -> Option<String> {
    let rel = path.parent()?.strip_prefix(root).ok()?;
    Some(format!("{prefix}.{}", rel.to_string_lossy().replace('/', ".")))
}

fn parse(text: &str, package: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
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
            out.entry(def.clone()).or_default().insert(json_name.to_string());
        }
    }
}

/// `(dir, definition prefix)` pairs: `(".../api", "io.k8s.api")`.
pub fn read(roots: &[(String, &str)]) -> BTreeMap<String, BTreeSet<String>> {
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
