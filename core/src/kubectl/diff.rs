//! `kubectl diff -f FILE`: what applying would change. For each object, the live one and the
//! one a server-side dry run of the apply returns (managed fields left out) are written as
//! YAML and compared as `diff -u -N` does: kubectl's header lines naming both files, then
//! unified hunks with three lines of context. Exit code 1 when something differs, 2 on an
//! error (output and codes checked against kubectl v1.33.1 on `hakoniwa serve`). The
//! temporary directory names and file times are made from the simulated clock (kubectl's are
//! random and the wall clock's).

use crate::sort::Order;
use serde_json::{json, Value};

use super::args::Parsed;
use super::commands::{applied_form, merge_diff, read_manifests, resolve_manifest, with_namespace, LAST_APPLIED};
use super::{printers, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

/// Lines of context around a change, as `diff -u`.
const CONTEXT: usize = 3;
/// Beyond this many line pairs the comparison gives one hunk replacing everything.
const MAX_CELLS: usize = 4_000_000;

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    if !p.has("filename") && !p.has("kustomize") {
        return Err(Failure::Raw("error: must specify one of -f and -k\n".into()));
    }
    let ms = read_manifests(k, p, stdin)?;
    let mut failed = false;
    let mut differs = false;
    for m in ms {
        let Some((r, ns)) = resolve_manifest(k, api, p, &m, out, &mut failed)? else { continue };
        let name = m.object["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let (live, resp) = dry_run_apply(api, &r, &ns, &m.object);
        let status = resp.status;
        let merged = resp.into_value().unwrap_or(Value::Null);
        if status >= 400 {
            Failure::Server(merged).print(out);
            failed = true;
            continue;
        }
        let shown = |v: &Value| {
            let mut v = v.clone();
            printers::hide_managed_fields(&mut v);
            printers::to_yaml(&v)
        };
        let before = live.as_ref().map(shown).unwrap_or_default();
        let after = shown(&merged);
        if before == after {
            continue;
        }
        differs = true;
        let group = if r.group.is_empty() { String::new() } else { format!("{}.", r.group) };
        let file = format!("{group}{}.{}.{ns}.{name}", r.version, r.kind);
        let file = if r.namespaced { file } else { format!("{group}{}.{}.{name}", r.version, r.kind) };
        let now = api.now();
        let seed = stamp(&format!("{}{file}", now.rfc3339()));
        let (live_dir, merged_dir) = (format!("/tmp/LIVE-{}", seed % 4_294_967_296), format!("/tmp/MERGED-{}", (seed >> 32) % 4_294_967_296));
        let time = file_time(&now.rfc3339());
        out.out(format!("diff -u -N {live_dir}/{file} {merged_dir}/{file}\n--- {live_dir}/{file}\t{time}\n+++ {merged_dir}/{file}\t{time}\n"));
        out.out(unified(&before, &after));
    }
    // diff's own codes: 1 for differences, more for trouble (kubectl v1.33.1 exits 2).
    if failed {
        return Err(Failure::Exit(2));
    }
    if differs {
        return Err(Failure::Exit(1));
    }
    Ok(())
}

/// What applying `object` would give, by a server dry run (the last-applied configuration
/// not recorded, as kubectl diff does): the live object, if any, and the server's answer.
pub(super) fn dry_run_apply(api: &mut dyn Transport, r: &super::discovery::Resource, ns: &str, object: &Value) -> (Option<Value>, crate::apiserver::Response) {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let desired = applied_form(&with_namespace(object, r.namespaced, ns));
    let collection = r.path(Some(ns));
    let live = api.send(&Request::get(&format!("{collection}/{name}")));
    let live = (live.status < 400 && !name.is_empty()).then(|| live.into_value().unwrap_or(Value::Null));
    let resp = match &live {
        None => api.send(&Request::post(&format!("{collection}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict&dryRun=All"), desired)),
        Some(cur) => {
            let original: Value = cur["metadata"]["annotations"][LAST_APPLIED].as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(json!({}));
            let patch = merge_diff(&original, &desired);
            api.send(&super::patch_request(&format!("{collection}/{name}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict&dryRun=All"), "application/merge-patch+json", &patch))
        }
    };
    (live, resp)
}

/// A stable number from text (for the temporary directory names).
fn stamp(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// `2026-11-25T19:10:50Z` as diff prints a file's time: `2026-11-25 19:10:50.000000000 +0000`.
fn file_time(rfc3339: &str) -> String {
    let t = rfc3339.trim_end_matches('Z').replacen('T', " ", 1);
    let (secs, frac) = t.split_once('.').unwrap_or((&t, ""));
    format!("{secs}.{frac:0<9} +0000")
}

/// One edit of a line: kept, removed from the old text, or added.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Keep,
    Del,
    Add,
}

/// The line edits turning `a` into `b` (a longest common subsequence).
fn edits(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_CELLS {
        return std::iter::repeat_n(Op::Del, n).chain(std::iter::repeat_n(Op::Add, m)).collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] { lcs[(i + 1) * w + j + 1] + 1 } else { lcs[(i + 1) * w + j].max(lcs[i * w + j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Keep);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j]) {
            ops.push(Op::Add);
            j += 1;
        } else {
            ops.push(Op::Del);
            i += 1;
        }
    }
    // diff lists a change's removals before its additions.
    let mut k = 0;
    while k < ops.len() {
        if ops[k] == Op::Keep {
            k += 1;
            continue;
        }
        let end = ops[k..].iter().position(|o| *o == Op::Keep).map_or(ops.len(), |p| k + p);
        ops[k..end].order_by_key(|o| if *o == Op::Del { 0 } else { 1 });
        k = end;
    }
    ops
}

/// `start,count` of a hunk's range as diff writes it (`start` alone for one line).
fn range(start: usize, count: usize) -> String {
    match count {
        0 => format!("{},0", start.saturating_sub(1)),
        1 => start.to_string(),
        _ => format!("{start},{count}"),
    }
}

/// The unified diff of two texts (hunks only, without the file header).
pub fn unified(before: &str, after: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let ops = edits(&a, &b);
    // Positions (in `ops`) of changes, grouped into hunks that share context.
    let changed: Vec<usize> = ops.iter().enumerate().filter(|(_, o)| **o != Op::Keep).map(|(i, _)| i).collect();
    let mut out = String::new();
    let mut g = 0;
    while g < changed.len() {
        let mut last = g;
        while last + 1 < changed.len() && changed[last + 1] - changed[last] <= 2 * CONTEXT + 1 {
            last += 1;
        }
        let from = changed[g].saturating_sub(CONTEXT);
        let to = (changed[last] + CONTEXT + 1).min(ops.len());
        // Line numbers where the hunk starts.
        let a_start = ops[..from].iter().filter(|o| **o != Op::Add).count();
        let b_start = ops[..from].iter().filter(|o| **o != Op::Del).count();
        let (mut ai, mut bi) = (a_start, b_start);
        let mut body = String::new();
        for op in &ops[from..to] {
            match op {
                Op::Keep => {
                    body.push_str(&format!(" {}\n", a[ai]));
                    ai += 1;
                    bi += 1;
                }
                Op::Del => {
                    body.push_str(&format!("-{}\n", a[ai]));
                    ai += 1;
                }
                Op::Add => {
                    body.push_str(&format!("+{}\n", b[bi]));
                    bi += 1;
                }
            }
        }
        out.push_str(&format!("@@ -{} +{} @@\n", range(a_start + 1, ai - a_start), range(b_start + 1, bi - b_start)));
        out.push_str(&body);
        g = last + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_as_diff_u_writes_them() {
        let a = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n";
        let b = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\nl\nM\n";
        assert_eq!(unified(a, b), "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n@@ -10,4 +10,4 @@\n j\n k\n l\n-m\n+M\n");
        // Changes close together share a hunk.
        let c = "a\nB\nc\nd\nE\nf\n";
        assert_eq!(unified("a\nb\nc\nd\ne\nf\n", c), "@@ -1,6 +1,6 @@\n a\n-b\n+B\n c\n d\n-e\n+E\n f\n");
        // From nothing, and single-line ranges.
        assert_eq!(unified("", "x\ny\n"), "@@ -0,0 +1,2 @@\n+x\n+y\n");
        assert_eq!(unified("x\n", "y\n"), "@@ -1 +1 @@\n-x\n+y\n");
        assert_eq!(unified("same\n", "same\n"), "");
        assert_eq!(file_time("2026-11-25T19:10:50Z"), "2026-11-25 19:10:50.000000000 +0000");
    }
}
