//! No command line makes the kubectl emulator panic: seeded random lines built from kubectl's
//! words, flags and hostile values, with random manifests on standard input and in files.
//! Every failure says something and exits 1; every success exits 0.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::sim::rng::Rng;
use hakoniwa_core::{Cluster, Duration, Timestamp};

const COMMANDS: &[&str] = &[
    "get", "get", "get", "exec tools --", "exec web -c x -- ls", "logs --timestamps --since=1m", "logs -f", "create", "apply", "delete", "label", "annotate", "scale", "cordon", "uncordon", "patch", "set image", "taint nodes", "rollout status", "rollout history",
    "rollout undo", "rollout restart", "rollout pause", "rollout resume", "logs", "drain", "run", "version", "api-versions", "config get-contexts", "config set-context", "kustomize", "kustomize manifests", "apply -k manifests",
    "config use-context", "create deployment", "create configmap", "create secret generic", "create service nodeport", "create job", "create cronjob", "create role", "create rolebinding",
    "create quota", "create pdb", "create namespace", "describe", "gett", "",
    "cp web:/etc/hosts h", "cp h web:/tmp", "cp", "explain", "explain pods.spec", "top pod", "top node", "top", "debug", "debug web --image=busybox", "debug node/kind-worker", "apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml",
];

const WORDS: &[&str] = &[
    "pods", "po", "deploy", "deployment/web", "svc", "cm", "ns", "nodes", "node/kind-worker", "kind-worker", "kind-worker2", "rs", "ds", "sts", "jobs", "cj", "all", "pods,svc",
    "web", "x", "", "-", "--", "a=b", "a-", "app=web", "nginx=nginx:1.28", "*=busybox", "dedicated=gpu:NoSchedule", "dedicated-", "foo/bar", "deployment.apps", "deployments.v1.apps",
    "crd", "events", "-f", "-", "manifests/a.yaml", "manifests", "nope.yaml", "'{.metadata.name}'", "'{range .items[*]}{.x}{end}'", "\"unterminated", "é漢字", "%2F", "..", "0",
    "-1", "99999999999999999999", "pods.spec.containers", "deploy.spec..x", "pods[0]", "crd.spec.versions.schema",
];

const FLAGS: &[&str] = &[
    "-n", "-nkube-system", "--namespace=default", "-A", "-o", "-oyaml", "-ojson", "-o=name", "-owide", "-o=jsonpath={.items[0]}", "-o=custom-columns=N:.metadata.name,X:.spec",
    "-o=go-template={{.metadata.name}}", "-l", "-lapp=web", "--selector=app!=web", "--show-labels", "-L", "app", "--no-headers", "--sort-by=.metadata.name",
    "--sort-by={.status}", "--replicas=3", "--replicas=x", "--image=nginx", "--image=", "--from-literal=k=v", "--from-literal", "--tcp=80:8080", "--tcp=x", "--schedule=*/1 * * * *",
    "--schedule=bad", "--verb=get", "--resource=pods", "--role=r", "--hard=pods=2", "--min-available=50%", "--type=json", "-p", "'{\"spec\":{}}'", "-p='[{\"op\":\"x\"}]'",
    "--overwrite", "--all", "--ignore-not-found", "--cascade=orphan", "--timeout=2s", "--ignore-daemonsets", "--force", "--previous", "--tail=1", "-c", "nope", "--dry-run=client",
    "--dry-run=server", "--restart=Never", "--current", "--to-revision=9", "-w=false", "--foo", "-z", "--", "-it",
    "--recursive", "--api-version=apps/v1", "--api-version=a/b/c", "--output=plaintext-openapiv2", "--containers", "--sum", "--sort-by=cpu", "--show-capacity",
    "--profile=general", "--profile=restricted", "--copy-to=c", "--target=web", "--image=busybox", "-q", "--set-image=*=busybox", "--same-node",
];

const HOSTILE: &[&str] = &["", "\u{0}", "{", "[", "'", "\"", "\\", "$(x)", "|", ";", "a: b: c", "---", "- - -", "*x", "&a [*a, *a]", "\t", "\r\n", "🙂"];

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len() as u64) as usize]
}

fn random_line(rng: &mut Rng) -> String {
    // One line in twelve is stern (it follows for ever unless told not to).
    let mut parts = if rng.below(12) == 0 {
        vec!["stern".to_string(), "--no-follow".to_string(), pick(rng, &["web", "-l", "deploy/web", "pod/web", "-A", "-n", "-o", "-t", "-c", "--tail", "-e", "-i"]).to_string()]
    } else {
        vec!["kubectl".to_string(), pick(rng, COMMANDS).to_string()]
    };
    for _ in 0..rng.below(6) {
        let w = match rng.below(10) {
            0..=4 => pick(rng, WORDS).to_string(),
            5..=8 => pick(rng, FLAGS).to_string(),
            _ => pick(rng, HOSTILE).to_string(),
        };
        parts.push(w);
    }
    parts.join(" ")
}

fn random_manifest(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n".to_string(),
        1 => "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n".to_string(),
        2 => format!("kind: {}\napiVersion: {}\nmetadata: {}\n", pick(rng, WORDS), pick(rng, WORDS), pick(rng, HOSTILE)),
        3 => "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: n1}\n---\n--- # x\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}\n".to_string(),
        4 => (0..rng.below(20)).map(|_| pick(rng, HOSTILE)).collect::<Vec<_>>().join("\n"),
        _ => "a: &a [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n".to_string(),
    }
}

/// Lines per fresh cluster: a cluster that has lived through thousands of random commands
/// gets big, and the point here is breadth, not load.
const LINES_PER_CLUSTER: usize = 2000;

#[test]
fn random_command_lines_never_panic() {
    let booted = Cluster::boot_default(5, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    let mut rng = Rng::seeded(std::env::var("HAKONIWA_KUBECTL_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(20261125));
    // `HAKONIWA_KUBECTL_FUZZ_SECONDS=600` runs for ten minutes instead of a fixed count.
    let seconds: Option<u64> = std::env::var("HAKONIWA_KUBECTL_FUZZ_SECONDS").ok().and_then(|n| n.parse().ok());
    let lines: usize = std::env::var("HAKONIWA_KUBECTL_FUZZ_LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(3000);
    let started = std::time::Instant::now();
    let mut total = 0usize;
    loop {
        let mut cluster = booted.clone();
        let mut k = Kubectl::new("kind-kind");
        k.files.write("manifests/a.yaml", random_manifest(&mut rng));
        k.files.write("manifests/b.json", "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"from-json\"}}");
        for i in 0..LINES_PER_CLUSTER {
            let line = random_line(&mut rng);
            let stdin = random_manifest(&mut rng);
            if i % 97 == 0 {
                k.files.write("manifests/a.yaml", random_manifest(&mut rng));
            }
            let at = std::time::Instant::now();
            let out = k.run(&mut cluster, &line, Some(&stdin));
            // A line that takes long is a hang in the making: say which.
            if at.elapsed().as_secs() >= 2 {
                eprintln!("slow ({:.1} s): {line}", at.elapsed().as_secs_f64());
            }
            // exec passes the command's own exit code on; everything else is 0 or 1.
            assert!(out.exit == 0 || out.exit == 1 || line.contains(" exec ") && (0..=255).contains(&out.exit), "{line}: exit {}", out.exit);
            if out.exit != 0 {
                assert!(!out.text().is_empty(), "{line}: failed without a word");
            }
            if i % 50 == 0 {
                cluster.advance(Duration::from_secs(5));
            }
            total += 1;
            let done = match seconds {
                Some(s) => started.elapsed().as_secs() >= s,
                None => total >= lines,
            };
            if done {
                eprintln!("kubectl emulator: {total} random command lines, no panic");
                return;
            }
        }
    }
}
