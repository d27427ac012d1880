//! The book's sample manifests (../shared/corpus/kubernetes-perfect-guide) against the API
//! server: each document gets the outcome a real v1.33 API server gives it, as recorded in
//! tests/data/corpus_expected.tsv (file, document index, outcome, and why for rejections).
//!
//! Each file is created, document by document, into a fresh cluster (as `kubectl create -f
//! FILE` with strict field validation) where the namespaces the file names exist. The corpus is
//! read from disk and never copied into the repository; without it the test passes with a note.
//! `HAKONIWA_CORPUS_PRINT=1` prints the current outcomes in the expected file's format.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hakoniwa_core::api::meta::split_api_version;
use hakoniwa_core::apiserver::Request;
use hakoniwa_core::{Cluster, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/kubernetes-perfect-guide")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn documents(text: &str) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        let v = Value::deserialize(de).map_err(|e| e.to_string())?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

fn outcome(c: &mut Cluster, doc: &Value) -> String {
    let (Some(api_version), Some(kind)) = (doc["apiVersion"].as_str(), doc["kind"].as_str()) else {
        return "not-an-object".into();
    };
    let (group, version) = split_api_version(api_version);
    let Some(info) = c.api_ref().registry().by_kind(group, version, kind) else {
        return "no-match".into();
    };
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    let path = if info.namespaced {
        let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default");
        format!("{prefix}/namespaces/{ns}/{}", info.resource)
    } else {
        format!("{prefix}/{}", info.resource)
    };
    let resp = c.api().handle(&Request::post(&path, doc.clone()).with_query("fieldValidation", "Strict"));
    if resp.status == 201 {
        return "created".into();
    }
    let status = resp.json().cloned().unwrap_or(Value::Null);
    format!("{}: {}", status["reason"].as_str().unwrap_or("?"), status["message"].as_str().unwrap_or("?"))
}

fn run_file(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let docs = if path.extension().is_some_and(|x| x == "json") {
        match serde_json::from_str::<Value>(&text) {
            Ok(v) => vec![v],
            Err(e) => return vec![format!("unparsable: {e}")],
        }
    } else {
        match documents(&text) {
            Ok(d) => d,
            Err(e) => return vec![format!("unparsable: {e}")],
        }
    };
    let mut c = booted();
    for d in &docs {
        if let Some(ns) = d["metadata"]["namespace"].as_str() {
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            c.api().handle(&Request::post("/api/v1/namespaces", body));
            let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
            c.api().handle(&Request::post(&format!("/api/v1/namespaces/{ns}/serviceaccounts"), sa));
        }
    }
    docs.iter().map(|d| outcome(&mut c, d)).collect()
}

#[test]
fn every_corpus_manifest_gets_the_outcome_of_a_real_server() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!("corpus not found at {}: skipped", dir.display());
        return;
    }
    let expected_text = include_str!("data/corpus_expected.tsv");
    let mut expected: BTreeMap<(String, usize), String> = BTreeMap::new();
    for line in expected_text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 3, "bad expected line: {line}");
        expected.insert((cols[0].to_string(), cols[1].parse().unwrap()), cols[2].to_string());
    }
    let print = std::env::var("HAKONIWA_CORPUS_PRINT").is_ok();
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for f in files(&dir) {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().to_string();
        if expected.get(&(rel.clone(), 0)).is_some_and(|o| o == "skip") {
            continue;
        }
        for (i, got) in run_file(&f).into_iter().enumerate() {
            if print {
                println!("{rel}\t{i}\t{got}");
            }
            checked += 1;
            match expected.get(&(rel.clone(), i)) {
                Some(want) if *want == got => {}
                Some(want) => mismatches.push(format!("{rel} #{i}\n    want: {want}\n    got:  {got}")),
                None => mismatches.push(format!("{rel} #{i}: no expected outcome (got: {got})")),
            }
        }
    }
    eprintln!("corpus: {checked} documents checked, {} mismatches", mismatches.len());
    assert!(mismatches.is_empty(), "{} of {checked} corpus documents differ:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// A kind cluster booted once per test binary; each test works on its own fork.
fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}
