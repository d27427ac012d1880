//! The differential suite, emulator side: every scenario of `cli/tests/scenarios/` (recorded
//! from the real kubectl v1.33 against `hakoniwa serve`) runs through Hakoniwa's own kubectl
//! against an in-process cluster with the same preset, seed and start time, and each command's
//! output and exit code is compared with the real one's, byte for byte.
//!
//! The commands known to match are listed in `cli/tests/emulator-matching.txt`; one of them
//! not matching any more fails the test. `HAKONIWA_EMULATOR_UPDATE=1` rewrites the list (review
//! the diff: it should only grow).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hakoniwa_cli::script::{self, Session};

#[test]
fn the_emulator_prints_what_the_real_kubectl_printed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let scenarios = dir.join("scenarios");
    let list_path = dir.join("emulator-matching.txt");
    let known: Vec<String> = std::fs::read_to_string(&list_path).unwrap_or_default().lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&scenarios).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    let (mut total, mut matched) = (0, 0);
    let mut matching: Vec<String> = Vec::new();
    let mut regressions: Vec<String> = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let steps = script::parse(&std::fs::read_to_string(&file).unwrap(), false);
        let (preset, seed) = script::preset_and_seed(&steps);
        let mut session = Session::boot(&preset, seed).unwrap();
        session.load_files(&scenarios);
        for (i, s) in steps.iter().enumerate() {
            let got = session.step(s);
            if s.is_directive() {
                continue;
            }
            total += 1;
            let id = format!("{name}:{} $ {}", i + 1, s.command);
            if script::matches(s, &got) {
                matched += 1;
                matching.push(id.clone());
            } else if std::env::var("HAKONIWA_EMULATOR_SHOW").is_ok() {
                eprintln!("{id}\n--- real kubectl\n{}--- emulator\n{got}", s.expected);
            }
            if !script::matches(s, &got) && known.contains(&id) {
                regressions.push(format!("{id}\n--- real kubectl\n{}--- emulator\n{got}", s.expected));
            }
        }
    }
    eprintln!("emulator: {matched} of {total} scenario commands print exactly what the real kubectl v1.33 printed");
    if std::env::var("HAKONIWA_EMULATOR_UPDATE").is_ok() {
        let mut text = String::from("# Scenario commands whose emulator output matches the real kubectl's byte for byte\n# (file:step $ command). Written by HAKONIWA_EMULATOR_UPDATE=1 cargo test -p hakoniwa-cli --test emulator.\n");
        for m in &matching {
            text.push_str(m);
            text.push('\n');
        }
        std::fs::write(&list_path, text).unwrap();
        return;
    }
    assert!(regressions.is_empty(), "{} command(s) no longer match:\n{}", regressions.len(), regressions.join("\n"));
}
