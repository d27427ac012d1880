//! A container's files: what its image ships (from the catalog) and what its programs, probes
//! and `kubectl exec` write. Paths are absolute and normalised; directories are implied by the
//! files in them and kept explicitly when created empty. Entries have a mode and the second they
//! were last written; symbolic links are followed as the kernel follows them (what the kubelet's
//! `..data` links in configMap and secret volumes need). A file's bytes are its text plus, for
//! what `dd` writes from `/dev/zero`, a count of zeros that is not stored.

use std::collections::{BTreeMap, BTreeSet};

/// How much text a container may hold, so a runaway loop cannot fill the tab's memory.
const MAX_BYTES: usize = 4 << 20;
/// How many links a path may go through before it is a loop (Linux's MAXSYMLINKS).
const MAX_LINKS: usize = 40;
/// What a directory's size shows as.
const DIR_SIZE: u64 = 4096;

#[derive(Clone, Debug, PartialEq)]
struct File {
    text: String,
    zeros: u64,
    mode: u16,
    mtime: i64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Meta {
    mode: u16,
    mtime: i64,
}

#[derive(Clone, Debug, PartialEq)]
struct Link {
    target: String,
    mtime: i64,
}

/// A filesystem mounted somewhere in the tree: what `df` lists. `size` 0 is the node's disk.
#[derive(Clone, Debug, PartialEq)]
pub struct MountPoint {
    pub path: String,
    pub device: String,
    pub size: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fs {
    files: BTreeMap<String, File>,
    dirs: BTreeMap<String, Meta>,
    links: BTreeMap<String, Link>,
    bytes: usize,
    /// The second (since the epoch) new and changed entries are stamped with.
    pub clock: i64,
    /// Filesystems mounted in this tree, in mount order.
    pub mounts: Vec<MountPoint>,
}

/// Why a file operation failed, in the words of the tools that report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDirectory,
    NotDirectory,
    NotEmpty,
    NoSpace,
    Loop,
}

impl FsError {
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::IsDirectory => "Is a directory",
            FsError::NotDirectory => "Not a directory",
            FsError::NotEmpty => "Directory not empty",
            FsError::NoSpace => "No space left on device",
            FsError::Loop => "Symbolic link loop",
        }
    }
}

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Link,
}

/// What `stat` tells of an entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Stat {
    pub kind: Kind,
    /// Permission bits (with setuid/setgid/sticky).
    pub mode: u16,
    pub size: u64,
    pub mtime: i64,
    /// A link's target, as written.
    pub target: Option<String>,
}

/// `/a/./b/../c` → `/a/c`, relative paths taken from `cwd`.
pub fn normalize(path: &str, cwd: &str) -> String {
    let joined = if path.starts_with('/') { path.to_string() } else { format!("{cwd}/{path}") };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The entries of a map under `prefix` (which ends with `/`).
fn under<'m, V>(map: &'m BTreeMap<String, V>, prefix: &'m str) -> impl Iterator<Item = (&'m String, &'m V)> {
    map.range(prefix.to_string()..).take_while(move |(k, _)| k.starts_with(prefix))
}

impl Fs {
    /// An empty filesystem whose entries are stamped with `clock`.
    pub fn at(clock: i64) -> Fs {
        Fs { clock, ..Fs::default() }
    }

    /// A filesystem with these files and directories.
    pub fn with(files: &[(String, String)], dirs: &[String]) -> Fs {
        Fs::stamped(files, dirs, 0)
    }

    /// A filesystem with these files and directories, written at `clock`.
    pub fn stamped(files: &[(String, String)], dirs: &[String], clock: i64) -> Fs {
        let mut fs = Fs { clock, ..Fs::default() };
        for d in dirs {
            fs.mkdir_p(d);
        }
        for (p, c) in files {
            fs.mkdir_p(parent(p));
            let _ = fs.write(p, c, false);
        }
        fs
    }

    /// The path with every link on it followed (the last one too when `follow_last`).
    fn resolve(&self, path: &str, follow_last: bool) -> Result<String, FsError> {
        if self.links.is_empty() {
            return Ok(path.to_string());
        }
        let mut rest: Vec<String> = path.split('/').filter(|s| !s.is_empty()).rev().map(str::to_string).collect();
        let mut done = String::new();
        let mut hops = 0;
        while let Some(part) = rest.pop() {
            let here = format!("{done}/{part}");
            match self.links.get(&here) {
                Some(l) if follow_last || !rest.is_empty() => {
                    hops += 1;
                    if hops > MAX_LINKS {
                        return Err(FsError::Loop);
                    }
                    let base = if done.is_empty() { "/" } else { done.as_str() };
                    let target = normalize(&l.target, base);
                    rest.extend(target.split('/').filter(|s| !s.is_empty()).rev().map(str::to_string));
                    done.clear();
                }
                _ => done = here,
            }
        }
        Ok(if done.is_empty() { "/".to_string() } else { done })
    }

    fn real(&self, path: &str) -> String {
        self.resolve(path, true).unwrap_or_else(|_| path.to_string())
    }

    fn dir_at(&self, path: &str) -> bool {
        if path == "/" || self.dirs.contains_key(path) {
            return true;
        }
        let prefix = format!("{path}/");
        under(&self.files, &prefix).next().is_some() || under(&self.links, &prefix).next().is_some()
    }

    pub fn is_dir(&self, path: &str) -> bool {
        self.dir_at(&self.real(path))
    }

    pub fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(&self.real(path))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.is_file(path) || self.is_dir(path)
    }

    pub fn read(&self, path: &str) -> Result<&str, FsError> {
        let real = self.resolve(path, true)?;
        match self.files.get(&real) {
            Some(f) => Ok(&f.text),
            None if self.dir_at(&real) => Err(FsError::IsDirectory),
            None => Err(FsError::NotFound),
        }
    }

    /// The filesystem mounted where `path` is, if it has a size of its own, and how much of it
    /// is used.
    fn mount_of(&self, path: &str) -> Option<(&MountPoint, u64)> {
        let m = self.mount_at(path)?;
        (m.size > 0).then(|| (m, self.usage(&m.path)))
    }

    /// The filesystem mounted where `path` (already resolved) is: the deepest mount point
    /// above it.
    pub fn mount_at(&self, path: &str) -> Option<&MountPoint> {
        let holds = |m: &&MountPoint| m.path == "/" || path.strip_prefix(m.path.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        self.mounts.iter().filter(holds).max_by_key(|m| m.path.len())
    }

    /// The bytes still free on the filesystem holding `path` (`None`: as much as the node has).
    pub fn room(&self, path: &str) -> Option<u64> {
        self.mount_of(&self.real(path)).map(|(m, used)| m.size.saturating_sub(used))
    }

    /// The bytes of the files under `dir` (each at least a 4 KiB block when not empty, as
    /// filesystems allocate them).
    pub fn usage(&self, dir: &str) -> u64 {
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        under(&self.files, &prefix).map(|(_, f)| blocks(f.text.len() as u64 + f.zeros) * 4096).sum()
    }

    /// Writes (or appends to) a file; its directory must exist.
    pub fn write(&mut self, path: &str, content: &str, append: bool) -> Result<(), FsError> {
        let path = self.resolve(path, true)?;
        if self.dir_at(&path) {
            return Err(FsError::IsDirectory);
        }
        let dir = parent(&path);
        if self.files.contains_key(dir) {
            return Err(FsError::NotDirectory);
        }
        if !self.dir_at(dir) {
            // Image directories are implied; a write into a missing one fails as it would.
            return Err(FsError::NotFound);
        }
        let old = self.files.get(&path).map_or(0, |f| f.text.len());
        let new_len = if append { old + content.len() } else { content.len() };
        if self.bytes - old + new_len > MAX_BYTES || self.room(&path).is_some_and(|r| r < (new_len - old.min(new_len)) as u64) {
            return Err(FsError::NoSpace);
        }
        self.bytes = self.bytes - old + new_len;
        let clock = self.clock;
        let entry = self.files.entry(path).or_insert(File { text: String::new(), zeros: 0, mode: 0o644, mtime: clock });
        if !append {
            entry.text.clear();
            entry.zeros = 0;
        }
        entry.text.push_str(content);
        entry.mtime = clock;
        Ok(())
    }

    /// Adds `n` zero bytes to the end of a file (creating it), as `dd if=/dev/zero` does.
    pub fn append_zeros(&mut self, path: &str, n: u64) -> Result<(), FsError> {
        self.write(path, "", true)?;
        let real = self.real(path);
        let clock = self.clock;
        if let Some(f) = self.files.get_mut(&real) {
            f.zeros += n;
            f.mtime = clock;
        }
        Ok(())
    }

    pub fn mkdir_p(&mut self, path: &str) {
        let path = self.real(path);
        let mut p = String::new();
        for part in path.split('/').filter(|s| !s.is_empty()) {
            p.push('/');
            p.push_str(part);
            let clock = self.clock;
            self.dirs.entry(p.clone()).or_insert(Meta { mode: 0o755, mtime: clock });
        }
    }

    pub fn mkdir(&mut self, path: &str) -> Result<(), FsError> {
        let path = self.real(path);
        if !self.dir_at(parent(&path)) {
            return Err(FsError::NotFound);
        }
        self.dirs.insert(path, Meta { mode: 0o755, mtime: self.clock });
        Ok(())
    }

    /// Makes `path` a symbolic link to `target` (kept as written, resolved when followed).
    pub fn symlink(&mut self, target: &str, path: &str) {
        self.links.insert(path.to_string(), Link { target: target.to_string(), mtime: self.clock });
    }

    /// Sets the permission bits of what `path` names.
    pub fn set_mode(&mut self, path: &str, mode: u16) {
        let real = self.real(path);
        if let Some(f) = self.files.get_mut(&real) {
            f.mode = mode;
        } else if self.dir_at(&real) {
            let clock = self.clock;
            self.dirs.entry(real).or_insert(Meta { mode, mtime: clock }).mode = mode;
        }
    }

    /// What `path` names; a link itself unless `follow`.
    pub fn stat(&self, path: &str, follow: bool) -> Result<Stat, FsError> {
        let real = self.resolve(path, follow)?;
        if let Some(l) = self.links.get(&real) {
            return Ok(Stat { kind: Kind::Link, mode: 0o777, size: l.target.len() as u64, mtime: l.mtime, target: Some(l.target.clone()) });
        }
        if let Some(f) = self.files.get(&real) {
            return Ok(Stat { kind: Kind::File, mode: f.mode, size: f.text.len() as u64 + f.zeros, mtime: f.mtime, target: None });
        }
        if self.dir_at(&real) {
            let meta = self.dirs.get(&real).copied().unwrap_or(Meta { mode: 0o755, mtime: self.clock });
            return Ok(Stat { kind: Kind::Dir, mode: meta.mode, size: DIR_SIZE, mtime: meta.mtime, target: None });
        }
        Err(FsError::NotFound)
    }

    /// Removes a file or link, or a directory with `recursive`.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let path = self.resolve(path, false)?;
        if self.links.remove(&path).is_some() {
            return Ok(());
        }
        if let Some(f) = self.files.remove(&path) {
            self.bytes -= f.text.len();
            return Ok(());
        }
        if !self.dir_at(&path) {
            return Err(FsError::NotFound);
        }
        if !recursive {
            return Err(FsError::IsDirectory);
        }
        let _ = self.take_subtree(&path);
        self.dirs.remove(&path);
        Ok(())
    }

    /// Takes everything under `dir` out, as a filesystem rooted there (`dir` itself becomes its
    /// root).
    pub fn take_subtree(&mut self, dir: &str) -> Fs {
        let base = dir.trim_end_matches('/');
        let prefix = format!("{base}/");
        let mut out = Fs { clock: self.clock, ..Fs::default() };
        let files: Vec<String> = under(&self.files, &prefix).map(|(k, _)| k.clone()).collect();
        for k in files {
            if let Some(f) = self.files.remove(&k) {
                self.bytes -= f.text.len();
                out.bytes += f.text.len();
                out.files.insert(format!("/{}", &k[prefix.len()..]), f);
            }
        }
        let links: Vec<String> = under(&self.links, &prefix).map(|(k, _)| k.clone()).collect();
        for k in links {
            if let Some(l) = self.links.remove(&k) {
                out.links.insert(format!("/{}", &k[prefix.len()..]), l);
            }
        }
        let dirs: Vec<String> = under(&self.dirs, &prefix).map(|(k, _)| k.clone()).collect();
        for d in dirs {
            if let Some(m) = self.dirs.remove(&d) {
                out.dirs.insert(format!("/{}", &d[prefix.len()..]), m);
            }
        }
        if let Some(m) = self.dirs.get(base) {
            out.dirs.insert("/".to_string(), *m);
        }
        out
    }

    /// A copy of everything under `dir`, as a filesystem rooted there.
    pub fn subtree(&self, dir: &str) -> Fs {
        self.clone().take_subtree(dir)
    }

    /// Puts a filesystem's contents under `dir` (its root's mode becomes `dir`'s).
    pub fn put_subtree(&mut self, dir: &str, sub: Fs) {
        let base = dir.trim_end_matches('/');
        self.mkdir_p(if base.is_empty() { "/" } else { base });
        for (d, m) in sub.dirs {
            if d == "/" {
                if !base.is_empty() {
                    self.dirs.insert(base.to_string(), m);
                }
            } else {
                self.dirs.insert(format!("{base}{d}"), m);
            }
        }
        for (k, l) in sub.links {
            self.links.insert(format!("{base}{k}"), l);
        }
        for (k, f) in sub.files {
            self.bytes += f.text.len();
            if let Some(old) = self.files.insert(format!("{base}{k}"), f) {
                self.bytes -= old.text.len();
            }
        }
    }

    /// Every file's absolute path, sorted.
    pub fn file_paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The names directly in a directory, sorted.
    pub fn list(&self, dir: &str) -> Result<Vec<String>, FsError> {
        let dir = self.resolve(dir, true)?;
        if self.files.contains_key(&dir) {
            return Err(FsError::NotDirectory);
        }
        if !self.dir_at(&dir) {
            return Err(FsError::NotFound);
        }
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        let mut names: BTreeSet<String> = BTreeSet::new();
        let keys = under(&self.files, &prefix).map(|(k, _)| k).chain(under(&self.dirs, &prefix).map(|(k, _)| k)).chain(under(&self.links, &prefix).map(|(k, _)| k));
        for k in keys {
            if let Some(first) = k[prefix.len()..].split('/').next().filter(|s| !s.is_empty()) {
                names.insert(first.to_string());
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Whether two trees hold the same names, links and bytes (times aside).
    pub fn same_content(&self, other: &Fs) -> bool {
        let files = |fs: &Fs| fs.files.iter().map(|(k, f)| (k.clone(), f.text.clone(), f.zeros, f.mode)).collect::<Vec<_>>();
        let links = |fs: &Fs| fs.links.iter().map(|(k, l)| (k.clone(), l.target.clone())).collect::<Vec<_>>();
        files(self) == files(other) && links(self) == links(other) && self.dirs.keys().eq(other.dirs.keys())
    }
}

/// 4 KiB blocks a file of `bytes` takes.
fn blocks(bytes: u64) -> u64 {
    bytes.div_ceil(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_directories() {
        let mut fs = Fs::with(&[("/usr/share/nginx/html/index.html".into(), "hi".into())], &["/tmp".into()]);
        assert!(fs.is_dir("/usr/share/nginx"));
        assert_eq!(fs.read("/usr/share/nginx/html/index.html"), Ok("hi"));
        assert_eq!(fs.write("/nope/x", "", false), Err(FsError::NotFound));
        fs.write("/tmp/a", "1\n", false).unwrap();
        fs.write("/tmp/a", "2\n", true).unwrap();
        assert_eq!(fs.read("/tmp/a"), Ok("1\n2\n"));
        assert_eq!(fs.list("/tmp").unwrap(), ["a"]);
        assert_eq!(fs.remove("/tmp", false), Err(FsError::IsDirectory));
        fs.remove("/tmp", true).unwrap();
        assert!(!fs.exists("/tmp/a"));
        assert_eq!(normalize("../b/./c", "/a/x"), "/a/b/c");
    }

    #[test]
    fn links_are_followed_where_the_kernel_follows_them() {
        let mut fs = Fs::with(&[("/cfg/..2026_11_26_02_46_42.1/key".into(), "v".into())], &[]);
        fs.symlink("..2026_11_26_02_46_42.1", "/cfg/..data");
        fs.symlink("..data/key", "/cfg/key");
        assert_eq!(fs.read("/cfg/key"), Ok("v"));
        assert_eq!(fs.list("/cfg/..data").unwrap(), ["key"]);
        assert_eq!(fs.list("/cfg").unwrap(), ["..2026_11_26_02_46_42.1", "..data", "key"]);
        assert_eq!(fs.stat("/cfg/key", false).unwrap().target.as_deref(), Some("..data/key"));
        assert_eq!(fs.stat("/cfg/key", true).unwrap().kind, Kind::File);
        fs.symlink("loop", "/cfg/loop");
        assert_eq!(fs.read("/cfg/loop"), Err(FsError::Loop));
        fs.remove("/cfg/key", false).unwrap();
        assert!(fs.is_file("/cfg/..data/key"), "removing a link leaves its target");
        let moved = fs.take_subtree("/cfg");
        assert_eq!(moved.read("/key").err(), Some(FsError::NotFound));
        assert_eq!(moved.read("/..data/key"), Ok("v"));
    }

    #[test]
    fn sized_filesystems_fill_up() {
        let mut fs = Fs::with(&[], &["/cache".into()]);
        fs.mounts.push(MountPoint { path: "/cache".into(), device: "tmpfs".into(), size: 8192 });
        fs.append_zeros("/cache/a", 4096).unwrap();
        assert_eq!(fs.room("/cache/b"), Some(4096));
        assert_eq!(fs.stat("/cache/a", true).unwrap().size, 4096);
        assert_eq!(fs.room("/tmp"), None);
    }
}
