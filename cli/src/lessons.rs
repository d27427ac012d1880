//! The lessons folder read from disk: the same bundle the page fetches (`{"chapters",
//! "lessons": [{"id", "lesson", "en", "ja"}]}`, made for the page by
//! scripts/lessons-bundle.mjs), and `hakoniwa lessons check`, which runs every lesson's
//! solutions from its start state (what the lesson tests do) so lesson writers see at once
//! what does not hold.

use std::path::Path;

use hakoniwa_core::lessons::{self, Catalog};
use hakoniwa_core::Timestamp;
use serde_json::{json, Value};

/// The moment lessons start at in checks (any fixed moment: the cluster is deterministic).
pub fn check_start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-25T09:00:00Z").unwrap_or_default()
}

/// The bundle of the lessons in `dir`: every folder holding a `lesson.yaml`.
pub fn bundle(dir: &Path) -> Result<String, String> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let chapters = read(&dir.join("chapters.yaml"))?;
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join("lesson.yaml").is_file()).collect();
    entries.sort();
    let mut list = Vec::new();
    for p in entries {
        let id = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        list.push(json!({ "id": id, "lesson": read(&p.join("lesson.yaml"))?, "en": read(&p.join("en.md"))?, "ja": read(&p.join("ja.md"))? }));
    }
    Ok(json!({ "chapters": chapters, "lessons": Value::Array(list) }).to_string())
}

pub fn load(dir: &Path) -> Result<Catalog, String> {
    Catalog::parse_bundle(&bundle(dir)?).map_err(|e| e.to_string())
}

/// `hakoniwa lessons check [--dir DIR] [ID ...]`: a line per lesson, and what is wrong with it.
/// False when any lesson has a problem.
pub fn check(dir: &Path, only: &[String]) -> bool {
    let catalog = match load(dir) {
        Ok(c) => c,
        Err(e) => {
            println!("error: {e}");
            return false;
        }
    };
    let mut ok = true;
    for l in catalog.lessons.iter().filter(|l| only.is_empty() || only.iter().any(|o| o == l.id())) {
        let problems = lessons::verify(l, check_start());
        if problems.is_empty() {
            println!("ok   {} ({} steps)", l.id(), l.def.steps.len());
        } else {
            ok = false;
            println!("FAIL {}", l.id());
            for p in problems {
                println!("     {p}");
            }
        }
    }
    ok
}
