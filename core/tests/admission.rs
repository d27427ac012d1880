//! Admission as a learner meets it: the guide's chapter 9 LimitRanges give pods their default
//! requests and limits and refuse what is out of bounds, in Kubernetes' words. Reads the
//! samples from ../shared/corpus (skipped when absent).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Timestamp};

fn chapter09() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/kubernetes-perfect-guide/chapter09");
    dir.is_dir().then_some(dir)
}

fn apply(c: &mut Cluster, k: &mut Kubectl, dir: &Path, file: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    k.files.write(file, &text);
    k.run(c, &format!("kubectl apply -f {file}"), None).text()
}

#[test]
fn the_guides_limit_ranges_default_and_refuse() {
    let Some(dir) = chapter09() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    let mut k = Kubectl::new("kind-kind");
    for f in ["sample-limitrange-container.yaml", "sample-limitrange-pvc.yaml"] {
        assert!(apply(&mut c, &mut k, &dir, f).ends_with(" created\n"));
    }
    assert_eq!(
        apply(&mut c, &mut k, &dir, "sample-pod-overrequest.yaml"),
        "Error from server (Forbidden): error when creating \"sample-pod-overrequest.yaml\": pods \"sample-pod-overrequest\" is forbidden: minimum cpu usage per Container is 125m, but request is 100m\n"
    );
    assert_eq!(
        apply(&mut c, &mut k, &dir, "sample-pod-overratio.yaml"),
        "Error from server (Forbidden): error when creating \"sample-pod-overratio.yaml\": pods \"sample-pod-overratio\" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000\n"
    );
    assert_eq!(
        apply(&mut c, &mut k, &dir, "sample-pvc-fail.yaml"),
        "Error from server (Forbidden): error when creating \"sample-pvc-fail.yaml\": persistentvolumeclaims \"sample-pvc-fail\" is forbidden: maximum storage usage per PersistentVolumeClaim is 20Gi, but request is 25Gi\n"
    );
    // A pod that asks for nothing gets the defaults, and says so.
    k.run(&mut c, "kubectl run plain --image=nginx:1.27", None);
    let out = k.run(&mut c, "kubectl get pod plain -o jsonpath={.spec.containers[0].resources}", None).text();
    assert_eq!(out, r#"{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}}"#);
    let out = k.run(&mut c, "kubectl get pod plain -o jsonpath={.metadata.annotations}", None).text();
    assert_eq!(out, r#"{"kubernetes.io/limit-ranger":"LimitRanger plugin set: cpu, memory request for container plain; cpu, memory limit for container plain"}"#);
}
