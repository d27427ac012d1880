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
    let mut docs = Vec::new();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let t = rest.trim();
            if t.is_empty() || t.starts_with('#') {
                docs.push(std::mem::take(&mut cur));
                continue;
            }
        }
        cur.push_str(line);
    }
    docs.push(cur);
    docs.into_iter().filter(|d| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))).collect()
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
        Some(l) if msg.contains("did not find expected key") => format!("line {}: did not find expected key", l.line()),
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
    fn streams_split_at_separators() {
        assert_eq!(documents("a: 1\n---\nb: 2\n--- # c\nc: 3\n---x: 1\n").len(), 3);
        assert_eq!(documents("---\na: 1\n---\n").len(), 1);
    }
}
