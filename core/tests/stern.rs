//! stern through the emulated client: which containers it follows, the lines it prints as the
//! cluster moves, and what it says when pods come and go.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Duration, Timestamp};

fn cluster() -> (Cluster, Kubectl) {
    let mut c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    let mut k = Kubectl::new("kind-kind");
    let out = k.run(&mut c, "kubectl run talk --image=busybox:1.36 --labels=app=talk -- sh -c 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 2; done; sleep 3600'", None);
    assert_eq!(out.exit, 0, "{}", out.text());
    c.advance(Duration::from_secs(5));
    (c, k)
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

#[test]
fn it_follows_new_lines_and_pods_that_come_and_go() {
    let (mut c, mut k) = cluster();
    let (out, job) = k.start_stern(&mut c, &words("-l app=talk"), false);
    let mut job = job.expect("stern follows on");
    let first = out.text();
    assert!(first.starts_with("+ talk › talk\n"), "{first}");
    let shown = first.matches("talk talk tick").count();
    assert!(shown >= 1, "{first}");
    // Simulated time passes: the rest of the ticks arrive, in order, once each.
    let mut later = hakoniwa_core::kubectl::Output::default();
    for _ in 0..20 {
        c.advance(Duration::from_secs(1));
        assert!(job.poll(&mut c, &mut later).is_none());
    }
    let all = format!("{first}{}", later.text());
    let ticks: Vec<&str> = all.lines().filter(|l| l.starts_with("talk talk tick")).collect();
    assert_eq!(ticks, ["talk talk tick 1", "talk talk tick 2", "talk talk tick 3", "talk talk tick 4", "talk talk tick 5", "talk talk tick 6"]);
    // A second pod with the label joins; the first one's deletion is announced.
    let out = k.run(&mut c, "kubectl run more --image=nginx:1.27 --labels=app=talk", None);
    assert_eq!(out.exit, 0);
    let out = k.run(&mut c, "kubectl delete pod talk --wait=false", None);
    assert_eq!(out.exit, 0);
    let mut more = hakoniwa_core::kubectl::Output::default();
    for _ in 0..40 {
        c.advance(Duration::from_secs(1));
        job.poll(&mut c, &mut more);
    }
    let text = more.text();
    assert!(text.contains("+ more › more\n"), "{text}");
    assert!(text.contains("- talk › talk\n"), "{text}");
    assert!(text.contains("more more /docker-entrypoint.sh"), "{text}");
}

#[test]
fn lines_are_coloured_by_pod_only_on_a_terminal_and_filters_apply() {
    let (mut c, mut k) = cluster();
    let (out, _) = k.start_stern(&mut c, &words("talk --no-follow --color always -i tick.2"), false);
    assert_eq!(out.stdout(), "\u{1b}[92mtalk\u{1b}[0m \u{1b}[32mtalk\u{1b}[0m tick 2\n");
    // raw lines carry the message alone, coloured or not.
    let (out, job) = k.start_stern(&mut c, &words("talk --no-follow -o raw -e tick.1"), true);
    assert!(job.is_none());
    assert_eq!(out.stdout(), "tick 2\n");
    // On a terminal (colour auto) names are coloured; into a file or pipe they are not.
    let (out, _) = k.start_stern(&mut c, &words("talk --no-follow --tail 1"), true);
    assert_eq!(out.stdout(), "\u{1b}[92mtalk\u{1b}[0m \u{1b}[32mtalk\u{1b}[0m tick 2\n");
    let (out, _) = k.start_stern(&mut c, &words("talk --no-follow --tail 1"), false);
    assert_eq!(out.stdout(), "talk talk tick 2\n");
}
