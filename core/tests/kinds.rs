//! Table-driven checks of each kind's defaults and validation: tests/data/kinds/*.yaml hold
//! cases (an object, and either the fields the stored object must have or the exact error).
//! Each case runs in a fresh cluster after its optional `setup` objects.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::api::meta::split_api_version;
use hakoniwa_core::apiserver::Request;
use hakoniwa_core::{Cluster, Timestamp};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    setup: Vec<Value>,
    object: Value,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
    #[serde(default)]
    absent: Vec<String>,
    error: Option<String>,
}

fn collection(c: &Cluster, obj: &Value) -> String {
    let (g, v) = split_api_version(obj["apiVersion"].as_str().unwrap());
    let info = c.api_ref().registry().by_kind(g, v, obj["kind"].as_str().unwrap()).unwrap_or_else(|| panic!("kind of {obj}"));
    let prefix = if g.is_empty() { format!("/api/{v}") } else { format!("/apis/{g}/{v}") };
    if info.namespaced {
        format!("{prefix}/namespaces/{}/{}", obj["metadata"]["namespace"].as_str().unwrap_or("default"), info.resource)
    } else {
        format!("{prefix}/{}", info.resource)
    }
}

/// Follows `a.b[0].c` (a segment in `{...}` is one key, for keys holding dots).
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    let mut rest = path;
    while !rest.is_empty() {
        let (seg, next) = if let Some(r) = rest.strip_prefix('{') {
            let end = r.find('}')?;
            (&r[..end], r[end + 1..].trim_start_matches('.'))
        } else {
            match rest.find('.') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            }
        };
        let (key, index) = match seg.find('[') {
            Some(i) => (&seg[..i], Some(seg[i + 1..seg.len() - 1].parse::<usize>().ok()?)),
            None => (seg, None),
        };
        cur = cur.get(key)?;
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
        rest = next;
    }
    Some(cur)
}

#[test]
fn every_kind_defaults_and_validates_like_kubernetes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kinds");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for f in files {
        let cases: Vec<Case> = serde_yaml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for case in cases {
            count += 1;
            let label = format!("{} / {}", f.file_name().unwrap().to_string_lossy(), case.name);
            let mut c = booted();
            for s in &case.setup {
                let path = collection(&c, s);
                if let Err(e) = c.api().call(&Request::post(&path, s.clone())) {
                    failures.push(format!("{label}: setup failed: {e}"));
                }
            }
            let path = collection(&c, &case.object);
            let got = c.api().call(&Request::post(&path, case.object.clone()).with_query("fieldValidation", "Strict"));
            match (&case.error, got) {
                (Some(want), Err(e)) if e.to_string() == *want => {}
                (Some(want), Err(e)) => failures.push(format!("{label}:\n    want error: {want}\n    got error:  {e}")),
                (Some(want), Ok(_)) => failures.push(format!("{label}: want error {want}, but it was created")),
                (None, Err(e)) => failures.push(format!("{label}: unexpected error {e}")),
                (None, Ok(obj)) => {
                    for (path, want) in &case.fields {
                        let got = lookup(&obj, path);
                        if got != Some(want) {
                            failures.push(format!("{label}: {path}: want {want}, got {}", got.map_or("(absent)".into(), Value::to_string)));
                        }
                    }
                    for path in &case.absent {
                        if let Some(v) = lookup(&obj, path) {
                            failures.push(format!("{label}: {path} should be absent, got {v}"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} cases failed:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= 60, "only {count} cases");
}

/// A kind cluster booted once per test binary; each test works on its own fork.
fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}
