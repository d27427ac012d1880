//! Golden tests of what only a simulated cluster can answer — `exec` into simulated
//! containers, `logs` of simulated programs — through Hakoniwa's kubectl against an in-process
//! cluster. The expected output in `cli/tests/golden/*.txt` was written by the emulator and
//! reviewed by hand against how the real programs behave; `HAKONIWA_GOLDEN_UPDATE=1` rewrites it
//! (review the diff).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hakoniwa_cli::script::{self, Session};

#[test]
fn simulated_containers_answer_as_recorded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    let update = std::env::var("HAKONIWA_GOLDEN_UPDATE").is_ok();
    let mut failures = Vec::new();
    for file in files {
        let steps = script::parse(&std::fs::read_to_string(&file).unwrap(), false);
        let (preset, seed) = script::preset_and_seed(&steps);
        let mut session = Session::boot(&preset, seed).unwrap();
        session.load_files(&dir);
        let outputs: Vec<String> = steps.iter().map(|s| session.step(s)).collect();
        for (s, got) in steps.iter().zip(&outputs) {
            if !script::matches(s, got) {
                failures.push(format!("{} $ {}\n--- recorded\n{}--- now\n{got}", file.display(), s.command, s.expected));
            }
        }
        if update {
            std::fs::write(&file, script::render(&steps, &outputs)).unwrap();
        }
    }
    assert!(update || failures.is_empty(), "{}", failures.join("\n"));
}
