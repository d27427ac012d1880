//! Reads Kubernetes' generated.proto files for one fact: each message field's number (and, for
//! fields holding another message, which one), keyed by the JSON schema definition name.

use std::collections::BTreeMap;
use std::path::Path;

pub struct Field {
    pub name: String,
    pub number: u32,
    /// The definition name of a message-typed field (`io.k8s.api.core.v1.LocalObjectReference`).
    pub message: Option<String>,
}

fn def_name(package: &str, message: &str) -> String {
    format!("{}.{message}", package.replacen("k8s.io.", "io.k8s.", 1))
}

const SCALARS: &[&str] = &["string", "int32", "int64", "bool", "bytes", "double", "float", "uint32", "uint64", "fixed64", "sfixed64"];

fn parse(text: &str, out: &mut BTreeMap<String, Vec<Field>>) {
    let mut package = String::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with("//") || line.is_empty() {
            continue;
        }
        if let Some(p) = line.strip_prefix("package ") {
            package = p.trim_end_matches(';').to_string();
            continue;
        }
        if let Some(m) = line.strip_prefix("message ") {
            let name = m.trim_end_matches('{').trim().to_string();
            let def = def_name(&package, &name);
            out.entry(def.clone()).or_default();
            current = Some(def);
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        let Some(def) = current.clone() else { continue };
        let Some((lhs, rhs)) = line.split_once('=') else { continue };
        let number: u32 = match rhs.trim().trim_end_matches(';').split_whitespace().next().and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => continue,
        };
        let words: Vec<&str> = lhs.split_whitespace().collect();
        let (ty, name) = match words.as_slice() {
            [map_head, map_tail, name] if map_head.starts_with("map<") => (format!("{map_head} {map_tail}"), name.to_string()),
            [_, ty, name] => (ty.to_string(), name.to_string()),
            [ty, name] => (ty.to_string(), name.to_string()),
            _ => continue,
        };
        let message = if ty.starts_with("map<") || SCALARS.contains(&ty.as_str()) {
            None
        } else if let Some(q) = ty.strip_prefix('.') {
            let (pkg, msg) = q.rsplit_once('.').unwrap_or(("", q));
            Some(def_name(pkg, msg))
        } else {
            Some(def_name(&package, &ty))
        };
        if let Some(fields) = out.get_mut(&def) {
            fields.push(Field { name, number, message });
        }
    }
}

pub fn read_dirs(dirs: &[String]) -> BTreeMap<String, Vec<Field>> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<std::path::PathBuf> = dirs.iter().map(|d| Path::new(d).to_path_buf()).collect();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "generated.proto") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    parse(&text, &mut out);
                }
            }
        }
    }
    out
}
