//! The shell's file tools that show what the filesystem holds: `ls` (long listings with modes,
//! links and dates, columns on a terminal), `find`, `df`, `du`, `readlink` and `dd` (which
//! fills files from /dev/zero). Each prints as its BusyBox or GNU coreutils original does.

use crate::sort::Order;
use super::{Effect, Flavor, Shell};
use crate::kubelet::fs::{normalize, Fs, Kind, Stat};
use crate::sim::clock::civil;

/// The node disk's size and what it holds besides the pod's volumes (1K blocks).
const DISK_BLOCKS: u64 = 102_626_232;
const DISK_USED: u64 = 38_512_440;
/// How fast `dd` writes (bytes per second of simulated time).
const DD_RATE: f64 = 1.5e9;

/// `drwxr-xr-x`, `lrwxrwxrwx`, `-r--------`, `drwxrwxrwt`.
pub fn mode_string(kind: Kind, mode: u16) -> String {
    let mut s = String::with_capacity(10);
    s.push(match kind {
        Kind::Dir => 'd',
        Kind::Link => 'l',
        Kind::File => '-',
    });
    let bits = [(0o400, 'r'), (0o200, 'w'), (0o100, 'x'), (0o040, 'r'), (0o020, 'w'), (0o010, 'x'), (0o004, 'r'), (0o002, 'w'), (0o001, 'x')];
    for (i, (bit, c)) in bits.iter().enumerate() {
        let on = mode & bit != 0;
        let special = match i {
            2 => mode & 0o4000 != 0,
            5 => mode & 0o2000 != 0,
            8 => mode & 0o1000 != 0,
            _ => false,
        };
        s.push(match (special, on, i) {
            (true, true, 8) => 't',
            (true, false, 8) => 'T',
            (true, true, _) => 's',
            (true, false, _) => 'S',
            (false, true, _) => *c,
            (false, false, _) => '-',
        });
    }
    s
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `Nov 26 02:47` for a recent time, `Mar  5  2019` for an old or (GNU) future one.
fn ls_date(t: i64, now: i64, flavor: Flavor) -> String {
    let (y, m, d) = civil(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    let month = MONTHS[(m as usize).saturating_sub(1).min(11)];
    let recent = match flavor {
        Flavor::Busybox => now - t < 15_768_000 && now - t > -900,
        _ => now - t < 15_778_476 && t <= now,
    };
    if recent {
        format!("{month} {d:>2} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
    } else {
        format!("{month} {d:>2}  {y}")
    }
}

/// Sizes as GNU prints them with `-h`: rounded up, one decimal below 10 (`4.0K`, `128M`).
fn human_gnu(bytes: u64) -> String {
    if bytes < 1024 {
        return bytes.to_string();
    }
    let (v, suffix) = scaled(bytes);
    if v < 10.0 {
        let up = (v * 10.0).ceil() / 10.0;
        if up >= 10.0 {
            return format!("10{suffix}");
        }
        format!("{up:.1}{suffix}")
    } else {
        format!("{}{suffix}", v.ceil() as u64)
    }
}

/// Sizes as BusyBox prints them with `-h`: one decimal, rounded (`128.0M`), bytes bare.
fn human_busybox(bytes: u64) -> String {
    if bytes == 0 {
        return "0".into();
    }
    if bytes < 1024 {
        return bytes.to_string();
    }
    let (v, suffix) = scaled(bytes);
    format!("{v:.1}{suffix}")
}

/// A byte count in the largest binary unit it reaches (`K`, `M`, ...).
fn scaled(bytes: u64) -> (f64, &'static str) {
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < 6 {
        v /= 1024.0;
        unit += 1;
    }
    (v, ["", "K", "M", "G", "T", "P", "E"][unit])
}

/// Whether `name` matches a shell pattern (`*`, `?`, `[...]`).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(end) = p.iter().skip(1).position(|c| *c == ']').map(|e| e + 1) else { return n.first() == Some(&'[') && go(&p[1..], &n[1..]) };
                let Some(c) = n.first() else { return false };
                let set = &p[1..end];
                let (negate, set) = match set.first() {
                    Some('!' | '^') => (true, &set[1..]),
                    _ => (false, set),
                };
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == '-' {
                        hit |= set[i] <= *c && *c <= set[i + 2];
                        i += 3;
                    } else {
                        hit |= set[i] == *c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[end + 1..], &n[1..])
            }
            Some(x) => n.first() == Some(x) && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// One entry of a listing: the name shown and what it is.
struct Entry {
    name: String,
    stat: Stat,
    links: u64,
}

/// Whether `path` is on a memory filesystem (tmpfs directories are sized by their entries).
fn on_tmpfs(fs: &Fs, path: &str) -> bool {
    fs.mount_at(path).is_some_and(|m| m.device == "tmpfs" || m.device == "shm")
}

fn entry(fs: &Fs, path: &str, name: &str, follow: bool) -> Option<Entry> {
    let mut stat = fs.stat(path, follow).ok()?;
    let mut links = 1;
    if stat.kind == Kind::Dir {
        let names = fs.list(path).unwrap_or_default();
        links = 2 + names.iter().filter(|n| fs.stat(&format!("{}/{n}", path.trim_end_matches('/')), false).is_ok_and(|s| s.kind == Kind::Dir)).count() as u64;
        if on_tmpfs(fs, path) {
            stat.size = 40 + 20 * (names.len() as u64 + 2);
        }
    }
    Some(Entry { name: name.to_string(), stat, links })
}

/// 1K blocks an entry takes (`total` of `ls -l`).
fn blocks_1k(fs: &Fs, path: &str, e: &Entry) -> u64 {
    match e.stat.kind {
        Kind::Link => 0,
        Kind::Dir if on_tmpfs(fs, path) => 0,
        _ => e.stat.size.div_ceil(4096) * 4,
    }
}

struct LsOptions {
    long: bool,
    all: bool,
    almost_all: bool,
    directory: bool,
    one: bool,
    human: bool,
}

impl Shell<'_> {
    fn now_secs(&self) -> i64 {
        self.now().unix_millis().div_euclid(1000)
    }

    fn ls_usage(&mut self, bad: char) -> i64 {
        match self.flavor {
            Flavor::Busybox => {
                self.err(&format!("ls: unrecognized option: {bad}"));
                1
            }
            _ => {
                self.err(&format!("ls: invalid option -- '{bad}'\nTry 'ls --help' for more information."));
                2
            }
        }
    }

    pub(super) fn ls(&mut self, args: &[String]) -> i64 {
        let mut o = LsOptions { long: false, all: false, almost_all: false, directory: false, one: false, human: false };
        let mut targets: Vec<String> = Vec::new();
        for a in args {
            match a.strip_prefix('-').filter(|f| !f.is_empty()) {
                Some(flags) if !a.starts_with("--") => {
                    for f in flags.chars() {
                        match f {
                            'l' => o.long = true,
                            'a' => o.all = true,
                            'A' => o.almost_all = true,
                            'd' => o.directory = true,
                            '1' => o.one = true,
                            'h' => o.human = true,
                            'F' | 'p' | 'r' | 't' | 'S' | 'R' | 'i' | 'n' | 'G' => {}
                            bad => return self.ls_usage(bad),
                        }
                    }
                }
                _ if a == "--all" => o.all = true,
                _ => targets.push(a.clone()),
            }
        }
        let many = targets.len() > 1;
        if targets.is_empty() {
            targets.push(".".into());
        }
        let mut code = 0;
        let (mut files, mut dirs) = (Vec::new(), Vec::new());
        for t in &targets {
            let p = self.path(t);
            // A link named on the command line is followed unless its own line is asked for.
            let follow = !(o.long || o.directory) || t.ends_with('/');
            match entry(self.fs, &p, t, follow) {
                Some(e) if e.stat.kind == Kind::Dir && !o.directory => dirs.push((t.clone(), p)),
                Some(e) => files.push((p, e)),
                None => {
                    self.fail("ls", format!("{t}: No such file or directory"), format!("cannot access '{t}': No such file or directory"));
                    code = if self.flavor == Flavor::Busybox { 1 } else { 2 };
                }
            }
        }
        files.order_by(|a, b| a.1.name.cmp(&b.1.name));
        dirs.order();
        let mut out = String::new();
        if !files.is_empty() {
            out.push_str(&self.ls_block(&files, &o, None));
        }
        for (i, (name, p)) in dirs.iter().enumerate() {
            if !out.is_empty() || i > 0 {
                out.push('\n');
            }
            if many {
                out.push_str(&format!("{name}:\n"));
            }
            let mut names = self.fs.list(p).unwrap_or_default();
            names.retain(|n| o.all || o.almost_all || !n.starts_with('.'));
            let base = p.trim_end_matches('/');
            let mut shown: Vec<(String, Entry)> = Vec::new();
            if o.all {
                let parent = if p == "/" { "/".to_string() } else { normalize("..", p) };
                shown.extend(entry(self.fs, p, ".", true).map(|e| (p.clone(), e)));
                shown.extend(entry(self.fs, &parent, "..", true).map(|e| (parent.clone(), e)));
            }
            for n in names {
                let full = format!("{base}/{n}");
                shown.extend(entry(self.fs, &full, &n, false).map(|e| (full.clone(), e)));
            }
            let total: u64 = shown.iter().map(|(path, e)| blocks_1k(self.fs, path, e)).sum();
            out.push_str(&self.ls_block(&shown, &o, Some(total)));
        }
        self.emit(&out);
        code
    }

    /// The lines for one group of entries (the files named, or one directory's contents).
    fn ls_block(&self, shown: &[(String, Entry)], o: &LsOptions, total: Option<u64>) -> String {
        let mut out = String::new();
        if o.long {
            if let Some(t) = total {
                out.push_str(&match (o.human, self.flavor) {
                    (true, Flavor::Busybox) => format!("total {:<7}\n", human_busybox(t * 1024)),
                    (true, _) => format!("total {}\n", human_gnu(t * 1024)),
                    _ => format!("total {t}\n"),
                });
            }
            let now = self.now_secs();
            let size = |e: &Entry| match (o.human, self.flavor) {
                (true, Flavor::Busybox) => human_busybox(e.stat.size),
                (true, _) => human_gnu(e.stat.size),
                _ => e.stat.size.to_string(),
            };
            let wl = shown.iter().map(|(_, e)| e.links.to_string().len()).max().unwrap_or(1);
            let ws = shown.iter().map(|(_, e)| size(e).len()).max().unwrap_or(1);
            for (_, e) in shown {
                let mode = mode_string(e.stat.kind, e.stat.mode);
                let date = ls_date(e.stat.mtime, now, self.flavor);
                let target = e.stat.target.as_ref().map(|t| format!(" -> {t}")).unwrap_or_default();
                let line = match self.flavor {
                    Flavor::Busybox => format!("{mode:<10} {:>4} {:<8} {:<8} {:>9} {date} {}{target}\n", e.links, "root", "root", size(e), e.name),
                    _ => format!("{mode} {:>wl$} root root {:>ws$} {date} {}{target}\n", e.links, size(e), e.name),
                };
                out.push_str(&line);
            }
            return out;
        }
        let names: Vec<&str> = shown.iter().map(|(_, e)| e.name.as_str()).collect();
        if !self.tty || o.one {
            for n in names {
                out.push_str(n);
                out.push('\n');
            }
            return out;
        }
        match self.flavor {
            Flavor::Busybox => busybox_columns(shown, &mut out),
            _ => gnu_columns(&names, &mut out),
        }
        out
    }

    pub(super) fn find(&mut self, args: &[String]) -> i64 {
        let mut starts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < args.len() && !args[i].starts_with('-') {
            starts.push(args[i].clone());
            i += 1;
        }
        let (mut kind, mut name, mut maxdepth, mut mindepth) = (None, None, usize::MAX, 0);
        while i < args.len() {
            let value = args.get(i + 1).cloned();
            match (args[i].as_str(), value) {
                ("-type", Some(v)) => kind = Some(v),
                ("-name", Some(v)) => name = Some(v),
                ("-maxdepth", Some(v)) => maxdepth = v.parse().unwrap_or(usize::MAX),
                ("-mindepth", Some(v)) => mindepth = v.parse().unwrap_or(0),
                ("-print", _) => {
                    i += 1;
                    continue;
                }
                (flag, _) => {
                    let m = match self.flavor {
                        Flavor::Busybox => format!("find: unrecognized: {flag}"),
                        _ => format!("find: unknown predicate `{flag}'"),
                    };
                    self.err(&m);
                    return 1;
                }
            }
            i += 2;
        }
        if starts.is_empty() {
            starts.push(".".into());
        }
        let mut out = String::new();
        let mut code = 0;
        for s in starts {
            let p = self.path(&s);
            if self.fs.stat(&p, false).is_err() {
                self.fail("find", format!("{s}: No such file or directory"), format!("'{s}': No such file or directory"));
                code = 1;
                continue;
            }
            // The start is followed when it is a link (as given on the command line); below it, links are not.
            let mut stack: Vec<(String, String, usize)> = vec![(p, s.clone(), 0)];
            while let Some((path, shown, depth)) = stack.pop() {
                let st = if depth == 0 { self.fs.stat(&path, true) } else { self.fs.stat(&path, false) };
                let Ok(st) = st else { continue };
                let base = shown.rsplit('/').find(|x| !x.is_empty()).unwrap_or(&shown);
                let kind_ok = kind.as_deref().is_none_or(|k| matches!((k, st.kind), ("f", Kind::File) | ("d", Kind::Dir) | ("l", Kind::Link)));
                let name_ok = name.as_deref().is_none_or(|n| glob_match(n, base));
                if kind_ok && name_ok && depth >= mindepth {
                    out.push_str(&shown);
                    out.push('\n');
                }
                if st.kind == Kind::Dir && depth < maxdepth {
                    let names = self.fs.list(&path).unwrap_or_default();
                    for n in names.iter().rev() {
                        let sep = if shown.ends_with('/') { "" } else { "/" };
                        stack.push((format!("{}/{n}", path.trim_end_matches('/')), format!("{shown}{sep}{n}"), depth + 1));
                    }
                }
            }
        }
        self.emit(&out);
        code
    }

    /// `(device, mount point, size, used)` in bytes for every filesystem shown.
    fn filesystems(&self) -> Vec<(String, String, u64, u64)> {
        let disk_used: u64 = self.fs.mounts.iter().filter(|m| m.size == 0 && m.path != "/").map(|m| self.fs.usage(&m.path)).sum::<u64>() + DISK_USED * 1024;
        let mut rows: Vec<(String, String, u64, u64)> = Vec::new();
        for m in &self.fs.mounts {
            let row = if m.size == 0 { (m.device.clone(), m.path.clone(), DISK_BLOCKS * 1024, disk_used) } else { (m.device.clone(), m.path.clone(), m.size, self.fs.usage(&m.path).min(m.size)) };
            rows.push(row);
        }
        rows
    }

    pub(super) fn df(&mut self, args: &[String]) -> i64 {
        let human = args.iter().any(|a| a.starts_with('-') && a.contains('h'));
        let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let all = self.filesystems();
        let mut rows = all.clone();
        if self.flavor != Flavor::Busybox {
            // GNU shows a disk once, at its shortest mount point.
            let mut kept: Vec<(String, String, u64, u64)> = Vec::new();
            for r in rows {
                match kept.iter_mut().find(|k| k.0 == r.0 && r.0.starts_with("/dev/")) {
                    Some(k) if r.1.len() < k.1.len() => *k = r,
                    Some(_) => {}
                    None => kept.push(r),
                }
            }
            rows = kept;
        }
        let mut code = 0;
        if !paths.is_empty() {
            let mut picked = Vec::new();
            for p in paths {
                let abs = self.path(p);
                if !self.fs.exists(&abs) {
                    let m = match self.flavor {
                        Flavor::Busybox => format!("df: {p}: can't find mount point"),
                        _ => format!("df: {p}: No such file or directory"),
                    };
                    self.err(&m);
                    code = 1;
                    continue;
                }
                // The rows are the mounts in order: the one holding the path is its row.
                if let Some(k) = self.fs.mount_at(&abs).and_then(|m| self.fs.mounts.iter().position(|x| x == m)) {
                    picked.push(all[k].clone());
                }
            }
            if picked.is_empty() && self.flavor != Flavor::Busybox {
                return code;
            }
            rows = picked;
        }
        let out = match self.flavor {
            Flavor::Busybox => {
                let mut out = format!("Filesystem           {}      Used Available Use% Mounted on\n", if human { "     Size" } else { "1K-blocks" });
                for (dev, path, size, used) in rows {
                    let avail = size - used;
                    let f = |b: u64| if human { human_busybox(b) } else { b.div_ceil(1024).to_string() };
                    let pct = (used * 100 + size / 2).checked_div(size).unwrap_or(0);
                    let dev = if dev.len() > 20 { format!("{dev}\n{:20}", "") } else { format!("{dev:<20}") };
                    out.push_str(&format!("{dev} {:>9} {:>9} {:>9} {pct:>3}% {path}\n", f(size), f(used), f(avail)));
                }
                out
            }
            _ => {
                let f = |b: u64| if human { if b == 0 { "0".to_string() } else { human_gnu(b) } } else { b.div_ceil(1024).to_string() };
                let mut table: Vec<[String; 6]> = vec![[
                    "Filesystem".into(),
                    if human { "Size" } else { "1K-blocks" }.into(),
                    "Used".into(),
                    if human { "Avail" } else { "Available" }.into(),
                    "Use%".into(),
                    "Mounted on".into(),
                ]];
                for (dev, path, size, used) in rows {
                    let avail = size - used;
                    let pct = if size == 0 { "-".to_string() } else { format!("{}%", (used * 100).div_ceil(size)) };
                    table.push([dev, f(size), f(used), f(avail), pct, path]);
                }
                let mins = [14, 5, 5, 5, 4, 0];
                let widths: Vec<usize> = (0..6).map(|c| table.iter().map(|r| r[c].len()).max().unwrap_or(0).max(mins[c])).collect();
                let mut out = String::new();
                for r in &table {
                    out.push_str(&format!("{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {}\n", r[0], r[1], r[2], r[3], r[4], r[5], w0 = widths[0], w1 = widths[1], w2 = widths[2], w3 = widths[3], w4 = widths[4]));
                }
                out
            }
        };
        self.emit(&out);
        code
    }

    pub(super) fn du(&mut self, args: &[String]) -> i64 {
        let human = args.iter().any(|a| a.starts_with('-') && a.contains('h'));
        let paths: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
        let paths = if paths.is_empty() { vec![".".to_string()] } else { paths };
        let mut code = 0;
        for p in paths {
            let abs = self.path(&p);
            let Ok(st) = self.fs.stat(&abs, true) else {
                self.fail("du", format!("{p}: No such file or directory"), format!("cannot access '{p}': No such file or directory"));
                code = 1;
                continue;
            };
            let bytes = if st.kind == Kind::Dir { self.fs.usage(&abs) + 4096 } else { st.size.div_ceil(4096) * 4096 };
            let shown = match (human, self.flavor) {
                (true, Flavor::Busybox) => human_busybox(bytes),
                (true, _) => human_gnu(bytes),
                _ => (bytes / 1024).to_string(),
            };
            self.emit(&format!("{shown}\t{p}\n"));
        }
        code
    }

    pub(super) fn readlink(&mut self, args: &[String]) -> i64 {
        let Some(p) = args.iter().find(|a| !a.starts_with('-')) else { return 1 };
        let abs = self.path(p);
        match self.fs.stat(&abs, false) {
            Ok(Stat { target: Some(t), .. }) => {
                self.emit(&format!("{t}\n"));
                0
            }
            _ => 1,
        }
    }

    /// `dd if=/dev/zero of=FILE bs=1M count=N`: writes zeros until the count or the
    /// filesystem's room runs out, and reports on standard error.
    pub(super) fn dd(&mut self, args: &[String]) -> i64 {
        let mut input = String::new();
        let mut output = None;
        let mut bs: u64 = 512;
        let mut count: Option<u64> = None;
        for a in args {
            let Some((k, v)) = a.split_once('=') else {
                let m = match self.flavor {
                    Flavor::Busybox => format!("dd: invalid argument '{a}'"),
                    _ => format!("dd: unrecognized operand '{a}'\nTry 'dd --help' for more information."),
                };
                self.err(&m);
                return 1;
            };
            match k {
                "if" => input = v.to_string(),
                "of" => output = Some(v.to_string()),
                "bs" => match size_arg(v) {
                    Some(n) if n > 0 => bs = n,
                    _ => {
                        self.err(&format!("dd: invalid number: '{v}'"));
                        return 1;
                    }
                },
                "count" => count = v.parse().ok(),
                _ => {}
            }
        }
        if input != "/dev/zero" && input != "/dev/urandom" && input != "/dev/random" {
            let shown = if input.is_empty() { "standard input".to_string() } else { input.clone() };
            let m = match self.flavor {
                Flavor::Busybox => format!("dd: can't open '{shown}': No such file or directory"),
                _ => format!("dd: failed to open '{shown}': No such file or directory"),
            };
            self.err(&m);
            return 1;
        }
        let Some(out) = output else {
            // Zeros to the terminal show as nothing.
            return 0;
        };
        let path = self.path(&out);
        let wanted = count.map_or(u64::MAX, |c| c.saturating_mul(bs));
        // dd opens its output truncated, as a write of nothing does.
        if let Err(e) = self.effect(Effect::Write { path: path.clone(), content: String::new(), append: false }) {
            self.fail("dd", format!("can't open '{out}': {}", e.text()), format!("failed to open '{out}': {}", e.text()));
            return 1;
        }
        let room = self.fs.room(&path).unwrap_or((DISK_BLOCKS - DISK_USED) * 1024);
        let written = wanted.min(room);
        if written > 0 {
            let _ = self.effect(Effect::Zeros { path: path.clone(), bytes: written });
        }
        let full = written < wanted;
        // Whole blocks only: a count stops at a block, and a short last write is not a record out
        // (the block read for it is a record in).
        let whole = written / bs;
        let secs = written as f64 / DD_RATE;
        self.t += secs;
        let mut report = String::new();
        if full {
            report.push_str(&format!("dd: error writing '{out}': No space left on device\n"));
        }
        let records_in = if full { whole + 1 } else { whole };
        report.push_str(&format!("{records_in}+0 records in\n{whole}+0 records out\n"));
        match self.flavor {
            Flavor::Busybox => report.push_str(&format!("{written} bytes ({}B) copied, {secs:.6} seconds, {}B/s\n", human_busybox(written), human_busybox((written as f64 / secs.max(1e-6)) as u64))),
            _ => report.push_str(&format!("{written} bytes {}copied, {} s, {}\n", si_iec(written), go_g(secs), si_rate(written as f64 / secs.max(1e-9)))),
        }
        // dd reports on standard error.
        self.err(report.trim_end_matches('\n'));
        i64::from(full)
    }
}

/// `1M`, `4k`, `512`: a block size.
fn size_arg(v: &str) -> Option<u64> {
    let (num, mult) = match v.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => {
            let m = match &v[i..] {
                "c" => 1,
                "w" => 2,
                "b" => 512,
                "k" | "K" | "KiB" => 1024,
                "kB" | "KB" => 1000,
                "M" | "MiB" => 1 << 20,
                "MB" => 1_000_000,
                "G" | "GiB" => 1 << 30,
                "GB" => 1_000_000_000,
                _ => return None,
            };
            (&v[..i], m)
        }
        None => (v, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

/// `(157 MB, 150 MiB) ` for GNU dd's byte count (nothing under 1000 bytes).
fn si_iec(bytes: u64) -> String {
    if bytes < 1000 {
        return String::new();
    }
    let scale = |mut v: f64, base: f64, units: &[&str]| {
        let mut u = 0;
        while v >= base && u + 1 < units.len() {
            v /= base;
            u += 1;
        }
        if v < 10.0 {
            format!("{v:.1} {}", units[u])
        } else {
            format!("{} {}", v.round() as u64, units[u])
        }
    };
    let si = scale(bytes as f64, 1000.0, &["B", "kB", "MB", "GB", "TB"]);
    let iec = scale(bytes as f64, 1024.0, &["B", "KiB", "MiB", "GiB", "TiB"]);
    format!("({si}, {iec}) ")
}

fn si_rate(rate: f64) -> String {
    let mut v = rate;
    let units = ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"];
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    if v < 10.0 {
        format!("{v:.1} {}", units[u])
    } else {
        format!("{} {}", v.round() as u64, units[u])
    }
}

/// A number as C's `%g` prints it (six significant digits, no trailing zeros).
fn go_g(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-5..6).contains(&exp) {
        let m = v / 10f64.powi(exp);
        let mant = format!("{m:.5}");
        let mant = mant.trim_end_matches('0').trim_end_matches('.');
        return format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// BusyBox's columns on a terminal: equal widths, filled down, coloured by type.
fn busybox_columns(shown: &[(String, Entry)], out: &mut String) {
    let width = 79;
    let col = shown.iter().map(|(_, e)| e.name.chars().count()).max().unwrap_or(0) + 2;
    let ncols = (width / col).max(1);
    let nrows = shown.len().div_ceil(ncols);
    for r in 0..nrows {
        let mut line = String::new();
        let mut pad = 0;
        for c in 0..ncols {
            let Some((_, e)) = shown.get(c * nrows + r) else { break };
            line.push_str(&" ".repeat(pad));
            let colour = match e.stat.kind {
                Kind::Dir => "1;34",
                Kind::Link => "1;36",
                Kind::File if e.stat.mode & 0o111 != 0 => "1;32",
                Kind::File => "0;0",
            };
            line.push_str(&format!("\x1b[{colour}m{}\x1b[m", e.name));
            pad = col - e.name.chars().count();
        }
        out.push_str(&line);
        out.push('\n');
    }
}

/// GNU's columns on a terminal: as many as fit in 80 columns, each as wide as its longest
/// name plus two, filled down, padded with tabs where a tab reaches the next column.
fn gnu_columns(names: &[&str], out: &mut String) {
    let line = 80;
    let lens: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    let mut best = (1, vec![lens.iter().copied().max().unwrap_or(0)]);
    for cols in 2..=names.len().clamp(1, line / 3) {
        let rows = names.len().div_ceil(cols);
        let widths: Vec<usize> = (0..cols).map(|c| (0..rows).filter_map(|r| lens.get(c * rows + r)).copied().max().unwrap_or(0)).collect();
        let used = names.len().div_ceil(rows);
        if used < cols {
            continue;
        }
        let total: usize = widths.iter().sum::<usize>() + 2 * (cols - 1);
        if total < line {
            best = (cols, widths);
        }
    }
    let (cols, widths) = best;
    let rows = names.len().div_ceil(cols);
    for r in 0..rows {
        let mut pos = 0;
        let mut text = String::new();
        for c in 0..cols {
            let Some(n) = names.get(c * rows + r) else { break };
            if c > 0 {
                // Pad from where the last name ended to this column's start.
                let target = widths[..c].iter().sum::<usize>() + 2 * c;
                while pos < target {
                    if target / 8 > (pos + 1) / 8 {
                        text.push('\t');
                        pos += 8 - pos % 8;
                    } else {
                        text.push(' ');
                        pos += 1;
                    }
                }
            }
            text.push_str(n);
            pos += n.chars().count();
        }
        out.push_str(&text);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::Timestamp;

    #[test]
    fn modes_dates_and_sizes() {
        assert_eq!(mode_string(Kind::File, 0o400), "-r--------");
        assert_eq!(mode_string(Kind::File, 0o755), "-rwxr-xr-x");
        assert_eq!(mode_string(Kind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(mode_string(Kind::Link, 0o777), "lrwxrwxrwx");
        let now = Timestamp::parse_rfc3339("2026-11-26T02:47:00Z").unwrap().unix_millis() / 1000;
        assert_eq!(ls_date(now - 60, now, Flavor::Gnu), "Nov 26 02:46");
        assert_eq!(ls_date(now - 400 * 86_400, now, Flavor::Gnu), "Oct 22  2025");
        assert_eq!(human_gnu(128 << 20), "128M");
        assert_eq!(human_gnu(4096), "4.0K");
        assert_eq!(human_gnu(12_626_232 * 1024), "13G");
        assert_eq!(human_busybox(128 << 20), "128.0M");
        assert_eq!(si_iec(157_286_400), "(157 MB, 150 MiB) ");
        assert_eq!(go_g(0.1048576), "0.104858");
        assert!(glob_match("*.txt", "a.txt") && !glob_match("*.txt", "a.txt.bak") && glob_match("[ab]?", "bz"));
        // `kubectl set resources -c` matches container names this way too.
        assert!(glob_match("*", "nginx") && glob_match("ng*x", "nginx") && glob_match("n?inx", "nginx"));
        assert!(!glob_match("web", "nginx") && !glob_match("ng*y", "nginx"));
    }

    fn run(flavor: Flavor, tty: bool, script: &str) -> (String, i64) {
        let start = Timestamp::parse_rfc3339("2026-11-26T02:47:00Z").unwrap();
        let mut fs = Fs::stamped(&[("/www/index.html".into(), "hello\n".into()), ("/www/app.js".into(), "x".into())], &["/www/img".into()], start.unix_millis() / 1000 - 60);
        fs.symlink("index.html", "/www/home");
        let mut sh = Shell::new(&mut fs, Vec::new(), start, flavor, "box");
        sh.tty = tty;
        let code = sh.run(script);
        (sh.output(), code)
    }

    #[test]
    fn listings_in_each_flavour() {
        assert_eq!(
            run(Flavor::Busybox, false, "ls -l /www").0,
            "total 12\n-rw-r--r--    1 root     root             1 Nov 26 02:46 app.js\nlrwxrwxrwx    1 root     root            10 Nov 26 02:46 home -> index.html\ndrwxr-xr-x    2 root     root          4096 Nov 26 02:46 img\n-rw-r--r--    1 root     root             6 Nov 26 02:46 index.html\n"
        );
        assert_eq!(run(Flavor::Gnu, false, "ls -l /www/home /www/app.js").0, "-rw-r--r-- 1 root root  1 Nov 26 02:46 /www/app.js\nlrwxrwxrwx 1 root root 10 Nov 26 02:46 /www/home -> index.html\n");
        // GNU pads with a tab where one reaches the next column.
        assert_eq!(run(Flavor::Gnu, true, "ls /www").0, "app.js\thome  img  index.html\n");
        assert_eq!(run(Flavor::Busybox, true, "ls /www").0, "\x1b[0;0mapp.js\x1b[m      \x1b[1;36mhome\x1b[m        \x1b[1;34mimg\x1b[m         \x1b[0;0mindex.html\x1b[m\n");
        assert_eq!(run(Flavor::Gnu, false, "ls /www /nope"), ("ls: cannot access '/nope': No such file or directory\n/www:\napp.js\nhome\nimg\nindex.html\n".to_string(), 2));
        assert_eq!(run(Flavor::Busybox, false, "find /www -name '*.js'; find /www -type l; du -s /www").0, "/www/app.js\n/www/home\n12\t/www\n");
        assert_eq!(run(Flavor::Gnu, false, "find /nope"), ("find: '/nope': No such file or directory\n".to_string(), 1));
    }

    #[test]
    fn dd_counts_whole_records_when_the_disk_fills() {
        let start = Timestamp::parse_rfc3339("2026-11-26T02:47:00Z").unwrap();
        let mut fs = Fs::with(&[], &["/cache".into()]);
        fs.mounts.push(crate::kubelet::fs::MountPoint { path: "/cache".into(), device: "tmpfs".into(), size: 10 << 20 });
        fs.write("/cache/used", &"x".repeat(300_000), false).unwrap();
        let mut sh = Shell::new(&mut fs, Vec::new(), start, Flavor::Gnu, "box");
        let code = sh.run("dd if=/dev/zero of=/cache/f bs=1M count=20");
        let out = sh.output();
        assert_eq!(code, 1);
        assert!(out.starts_with("dd: error writing '/cache/f': No space left on device\n10+0 records in\n9+0 records out\n10182656 bytes (10 MB, 9.7 MiB) copied, "), "{out}");
        // A second dd truncates what the first wrote.
        let mut sh = Shell::new(&mut fs, Vec::new(), start, Flavor::Gnu, "box");
        assert_eq!(sh.run("dd if=/dev/zero of=/cache/f bs=1M count=2"), 0);
        assert_eq!(fs.stat("/cache/f", true).unwrap().size, 2 << 20);
    }
}
