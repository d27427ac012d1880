//! The book's workload, service, config and storage, health-check, maintenance and scheduling
//! samples (chapters 5, 6, 7, 10, 11, 12 of ../shared/corpus/kubernetes-perfect-guide) brought to life: each file is created in a
//! fresh kind cluster, the clock runs two minutes, and the state a learner would see — pods with
//! their readiness, status, restarts and node, and the workloads' tables — must equal the state
//! recorded in tests/data/corpus_states/ (reviewed against what a real v1.33 cluster does).
//! Documents the API server rejects are left out, as `kubectl create -f` would fail on them.
//! Without the corpus the test passes with a note. `HAKONIWA_CORPUS_STATES_UPDATE=1` rewrites the
//! recorded states (review the diff!).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hakoniwa_core::api::meta::split_api_version;
use hakoniwa_core::apiserver::Request;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

const CHAPTERS: [&str; 6] = ["chapter05", "chapter06", "chapter07", "chapter10", "chapter11", "chapter12"];
const RUN_FOR: i64 = 120;

fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn documents(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text).filter_map(|d| Value::deserialize(d).ok()).filter(|v| !v.is_null()).collect()
}

fn create(c: &mut Cluster, doc: &Value) -> bool {
    let (Some(api_version), Some(kind)) = (doc["apiVersion"].as_str(), doc["kind"].as_str()) else { return false };
    let (group, version) = split_api_version(api_version);
    let Some(info) = c.api_ref().registry().by_kind(group, version, kind) else { return false };
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    let path = if info.namespaced {
        format!("{prefix}/namespaces/{}/{}", doc["metadata"]["namespace"].as_str().unwrap_or("default"), info.resource)
    } else {
        format!("{prefix}/{}", info.resource)
    };
    c.handle(&Request::post(&path, doc.clone()).with_query("fieldValidation", "Strict")).status == 201
}

/// A generated name shown by its prefix (`web-*`), so recorded states do not churn.
fn shown_name(obj: &Value) -> String {
    match obj["metadata"]["generateName"].as_str().filter(|g| !g.is_empty()) {
        Some(g) if obj["metadata"]["name"].as_str().is_some_and(|n| n.starts_with(g) && n.len() == g.len() + 5) => format!("{g}*"),
        _ => obj["metadata"]["name"].as_str().unwrap_or_default().to_string(),
    }
}

fn table(c: &mut Cluster, path: &str) -> Vec<Vec<String>> {
    let resp = c.handle(&Request::get(path).with_header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io"));
    let t: Value = serde_json::from_slice(&resp.body_bytes()).unwrap_or(Value::Null);
    // The default columns without AGE (what `kubectl get` shows, minus time).
    let keep: Vec<bool> = t["columnDefinitions"].as_array().into_iter().flatten().map(|c| c["priority"].as_i64().unwrap_or(0) == 0 && c["name"] != "Age").collect();
    t["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            r["cells"].as_array().into_iter().flatten().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect()
        })
        .collect()
}

/// What a learner would see after the run, in user namespaces.
fn state(c: &mut Cluster) -> String {
    let mut out = String::new();
    let resp = c.handle(&Request::get("/api/v1/pods"));
    let pods: Value = serde_json::from_slice(&resp.body_bytes()).unwrap();
    let system = ["kube-system", "local-path-storage"];
    let mut lines: Vec<String> = Vec::new();
    let rows = table(c, "/api/v1/pods");
    for (p, row) in pods["items"].as_array().unwrap().iter().zip(rows) {
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        if system.contains(&ns) {
            continue;
        }
        let node = p["spec"]["nodeName"].as_str().unwrap_or("-");
        let restarts = row[3].split(' ').next().unwrap_or("0").to_string();
        lines.push(format!("pod {ns}/{} {} {} restarts={restarts} node={node}", shown_name(p), row[1], row[2]));
    }
    lines.sort();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    for (kind, path) in [
        ("deployment", "/apis/apps/v1/deployments"),
        ("replicaset", "/apis/apps/v1/replicasets"),
        ("statefulset", "/apis/apps/v1/statefulsets"),
        ("daemonset", "/apis/apps/v1/daemonsets"),
        ("job", "/apis/batch/v1/jobs"),
        ("cronjob", "/apis/batch/v1/cronjobs"),
        ("pdb", "/apis/policy/v1/poddisruptionbudgets"),
        ("pvc", "/api/v1/persistentvolumeclaims"),
    ] {
        let resp = c.handle(&Request::get(path));
        let items: Value = serde_json::from_slice(&resp.body_bytes()).unwrap();
        let rows = table(c, path);
        let mut lines: Vec<String> = Vec::new();
        for (o, row) in items["items"].as_array().unwrap().iter().zip(rows) {
            let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
            if system.contains(&ns) {
                continue;
            }
            // Provisioned volumes are named after a claim's uid: shown as pvc-*.
            let cells: Vec<String> = row.iter().skip(1).map(|c| if c.starts_with("pvc-") && c.len() == 40 { "pvc-*".to_string() } else { c.clone() }).collect();
            let shown = if kind == "replicaset" { format!("{}*", o["metadata"]["name"].as_str().unwrap_or_default().rsplit_once('-').map_or("", |x| x.0)) } else { shown_name(o) };
            lines.push(format!("{kind} {ns}/{shown} {}", cells.join(" ")));
        }
        lines.sort();
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_books_workloads_reach_the_state_a_real_cluster_reaches() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/kubernetes-perfect-guide");
    if !corpus.exists() {
        eprintln!("corpus not found at {}: skipped", corpus.display());
        return;
    }
    let expected_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus_states");
    let update = std::env::var("HAKONIWA_CORPUS_STATES_UPDATE").is_ok();
    let mut failures = Vec::new();
    let mut count = 0;
    for chapter in CHAPTERS {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join(chapter)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect();
        files.sort();
        for f in files {
            let mut c = booted();
            let docs = documents(&std::fs::read_to_string(&f).unwrap());
            for d in &docs {
                if let Some(ns) = d["metadata"]["namespace"].as_str() {
                    c.handle(&Request::post("/api/v1/namespaces", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})));
                }
            }
            let created = docs.iter().filter(|d| create(&mut c, d)).count();
            c.advance(Duration::from_secs(RUN_FOR));
            let got = format!("# {created} of {} documents created; after {RUN_FOR}s:\n{}", docs.len(), state(&mut c));
            let name = format!("{chapter}/{}.txt", f.file_stem().unwrap().to_string_lossy());
            let path = expected_dir.join(&name);
            count += 1;
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != got {
                failures.push(format!("{name}\n--- want\n{want}--- got\n{got}"));
            }
        }
    }
    eprintln!("corpus states: {} of {count} files as recorded", count - failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
