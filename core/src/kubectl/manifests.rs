//! Objects read from `-f`: files, directories (`.json`, `.yaml`, `.yml`; `-R` to descend) and
//! `-` for standard input; YAML streams split at `---` lines, `List`s opened into their items.

use serde_json::Value;

use super::{Failure, Files};

/// One object and where it came from (kubectl's "source" in messages).
#[derive(Debug, Clone)]
pub struct Manifest {
    pub source: String,
    pub object: Value,
}

/// Splits a YAML stream into documents at lines that start with `---` followed by nothing but
/// a comment, as kubectl's YAML reader does.
pub fn documents(text: &str) -> Vec<String> {
    documents_at(text).into_iter().map(|(_, d)| d).collect()
}

/// The documents of a YAML stream, each with the number (from 1) of its first line.
pub fn documents_at(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut first = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix("---") {
            let t = rest.trim();
            if t.is_empty() || t.starts_with('#') {
                docs.push((first, std::mem::take(&mut cur)));
                first = i + 2;
                continue;
            }
        }
        cur.push_str(line);
    }
    docs.push((first, cur));
    docs.into_iter().filter(|(_, d)| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))).collect()
}

/// A mistake in a manifest the editor marks: where (line and column from 1) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What kubectl would refuse in a YAML manifest before sending it: YAML errors (go-yaml's
/// words, at their line) and objects without `apiVersion` or `kind`.
pub fn problems(text: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    for (first, doc) in documents_at(text) {
        match crate::apiserver::dup::yaml_with_duplicates(&doc) {
            Err(e) => {
                let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                let msg = yaml_message(&e);
                let msg = msg.split_once(": ").filter(|(l, _)| l.starts_with("line ")).map_or(msg.as_str(), |(_, m)| m).to_string();
                out.push(Problem { line: first + line.saturating_sub(1), column: column.max(1), message: format!("yaml: {msg}") });
            }
            Ok((value, _)) if value.is_object() => {
                let missing: Vec<&str> = ["apiVersion", "kind"].into_iter().filter(|k| value[*k].as_str().is_none_or(str::is_empty)).map(|k| if k == "kind" { "kind not set" } else { "apiVersion not set" }).collect();
                if !missing.is_empty() {
                    let line = doc.lines().position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).unwrap_or(0);
                    out.push(Problem { line: first + line, column: 1, message: format!("error validating data: [{}]", missing.join(", ")) });
                }
            }
            Ok(_) => {}
        }
    }
    out
}

fn parse(source: &str, text: &str, out: &mut Vec<Manifest>) -> Result<(), Failure> {
    let trimmed = text.trim_start();
    let docs: Vec<Value> = if trimmed.starts_with('{') || trimmed.starts_with('[') && !trimmed.starts_with("[ ") {
        match serde_json::Deserializer::from_str(text).into_iter::<Value>().collect::<Result<Vec<_>, _>>() {
            Ok(v) => v,
            Err(e) => return Err(Failure::client(format!("error parsing {source}: {e}"))),
        }
    } else {
        let mut v = Vec::new();
        for doc in documents(text) {
            match crate::apiserver::dup::yaml_with_duplicates(&doc) {
                Ok((value, _)) => v.push(value),
                Err(e) => return Err(Failure::client(format!("error parsing {source}: error converting YAML to JSON: yaml: {}", yaml_message(&e)))),
            }
        }
        v
    };
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        if doc["kind"].as_str().is_some_and(|k| k.ends_with("List")) && doc["items"].is_array() {
            for item in doc["items"].as_array().into_iter().flatten() {
                out.push(Manifest { source: source.to_string(), object: item.clone() });
            }
        } else {
            out.push(Manifest { source: source.to_string(), object: doc });
        }
    }
    Ok(())
}

/// go-yaml's wording for the common mistakes; serde's otherwise.
fn yaml_message(e: &serde_yaml::Error) -> String {
    let msg = e.to_string();
    match e.location() {
        Some(l) if msg.contains("mapping values are not allowed") => format!("line {}: mapping values are not allowed in this context", l.line()),
        // A parser error (not a scanner one): go-yaml prints its 0-based line.
        Some(l) if msg.contains("did not find expected key") => format!("line {}: did not find expected key", l.line().saturating_sub(1).max(1)),
        Some(l) => format!("line {}: {}", l.line(), msg.split(" at line").next().unwrap_or(&msg)),
        None => msg,
    }
}

/// Reads every `-f` argument.
pub fn read(files: &Files, paths: &[String], recursive: bool, stdin: Option<&str>) -> Result<Vec<Manifest>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            parse("STDIN", stdin.unwrap_or_default(), &mut out)?;
        } else if let Some(text) = super::remote::fetch(p) {
            parse(p, text, &mut out)?;
        } else if p.starts_with("http://") || p.starts_with("https://") {
            return Err(Failure::client(format!("unable to read URL {p:?}, server reported 404 Not Found, status code=404")));
        } else if let Some(text) = files.read(p) {
            parse(p, text, &mut out)?;
        } else if files.is_dir(p) {
            let base = p.trim_end_matches('/');
            for f in files.list(p, recursive) {
                if f.ends_with(".yaml") || f.ends_with(".yml") || f.ends_with(".json") {
                    let shown = if p.ends_with('/') { format!("{base}/{}", f.rsplit('/').next().unwrap_or(&f)) } else { f.clone() };
                    let text = files.read(&f).unwrap_or_default().to_string();
                    parse(&shown, &text, &mut out)?;
                }
            }
        } else {
            return Err(Failure::client(format!("the path {p:?} does not exist")));
        }
    }
    if out.is_empty() {
        return Err(Failure::client("no objects passed to apply"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_point_at_their_lines() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n   labels: x\n---\n# no kind\nmetadata: {name: c}\n";
        let p = super::problems(text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].line, p[0].message.as_str()), (10, "yaml: mapping values are not allowed in this context"));
        assert_eq!((p[1].line, p[1].column, p[1].message.as_str()), (13, 1, "error validating data: [apiVersion not set, kind not set]"));
        assert!(super::problems("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n").is_empty());
        // The mark is where the mistake is; kubectl's message counts as go-yaml does (checked
        // against kubectl v1.33.1: `yaml: line 3: did not find expected key`).
        let bad = "metadata:\n  name: web\n  labels: {}\n   bad: x\n";
        assert_eq!(super::problems(bad)[0].line, 4);
        let mut out = Vec::new();
        let e = match super::parse("bad.yaml", bad, &mut out) {
            Err(crate::kubectl::Failure::Client(m)) => Some(m),
            _ => None,
        };
        assert_eq!(e.as_deref(), Some("error parsing bad.yaml: error converting YAML to JSON: yaml: line 3: did not find expected key"));
    }

    #[test]
    fn streams_split_at_separators() {
        assert_eq!(documents("a: 1\n---\nb: 2\n--- # c\nc: 3\n---x: 1\n").len(), 3);
        assert_eq!(documents("---\na: 1\n---\n").len(), 1);
    }
}
