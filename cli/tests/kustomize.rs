//! `kubectl kustomize` in the emulator against the real kubectl's output: each folder of
//! `cli/tests/kustomize/` is a kustomization whose output the real kubectl v1.33 recorded in
//! `<folder>.expected`. The emulator must print it byte for byte; when the real kubectl is on the
//! machine, the recording is checked against it too (so it cannot drift).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Timestamp};

fn load(dir: &Path, base: &Path, k: &mut Kubectl) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            load(&p, base, k);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            k.files.write(&p.strip_prefix(base).unwrap().to_string_lossy(), text);
        }
    }
}

#[test]
fn kustomizations_build_as_the_real_kubectl_builds_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize");
    let mut cluster = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    let mut k = Kubectl::new("kind-kind");
    load(&root, &root, &mut k);
    let real = Path::new("/usr/lib/google-cloud-sdk/bin/kubectl.1.33");
    let mut cases = 0;
    for e in std::fs::read_dir(&root).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(case) = name.strip_suffix(".expected") else { continue };
        cases += 1;
        let expected = std::fs::read_to_string(e.path()).unwrap();
        let out = k.run(&mut cluster, &format!("kubectl kustomize {case}"), None);
        assert_eq!(out.exit, 0, "{case}: {}", out.text());
        assert_eq!(out.stdout(), expected, "{case}");
        if real.exists() {
            let run = std::process::Command::new(real).arg("kustomize").arg(case).current_dir(&root).env("KUBECONFIG", "/nonexistent").output().unwrap();
            assert_eq!(String::from_utf8_lossy(&run.stdout), expected, "{case}: the recording no longer matches the real kubectl");
        }
    }
    assert!(cases >= 2);
}
