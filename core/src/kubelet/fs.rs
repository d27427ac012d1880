//! A container's files: what its image ships (from the catalog) and what its programs, probes
//! and `kubectl exec` write. Paths are absolute and normalised; directories are implied by the
//! files in them and kept explicitly when created empty.

use std::collections::{BTreeMap, BTreeSet};

/// How much a container may hold, so a runaway loop cannot fill the tab's memory.
const MAX_BYTES: usize = 4 << 20;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fs {
    files: BTreeMap<String, String>,
    dirs: BTreeSet<String>,
    bytes: usize,
}

/// Why a file operation failed, in the words of the tools that report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDirectory,
    NotDirectory,
    NotEmpty,
    NoSpace,
}

impl FsError {
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::IsDirectory => "Is a directory",
            FsError::NotDirectory => "Not a directory",
            FsError::NotEmpty => "Directory not empty",
            FsError::NoSpace => "No space left on device",
        }
    }
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

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

impl Fs {
    /// A filesystem with these files and directories.
    pub fn with(files: &[(String, String)], dirs: &[String]) -> Fs {
        let mut fs = Fs::default();
        for d in dirs {
            fs.mkdir_p(d);
        }
        for (p, c) in files {
            fs.mkdir_p(parent(p));
            let _ = fs.write(p, c, false);
        }
        fs
    }

    pub fn is_dir(&self, path: &str) -> bool {
        path == "/" || self.dirs.contains(path) || {
            let prefix = format!("{path}/");
            self.files.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix))
        }
    }

    pub fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.is_file(path) || self.is_dir(path)
    }

    pub fn read(&self, path: &str) -> Result<&str, FsError> {
        match self.files.get(path) {
            Some(c) => Ok(c),
            None if self.is_dir(path) => Err(FsError::IsDirectory),
            None => Err(FsError::NotFound),
        }
    }

    /// Writes (or appends to) a file; its directory must exist.
    pub fn write(&mut self, path: &str, content: &str, append: bool) -> Result<(), FsError> {
        if self.is_dir(path) {
            return Err(FsError::IsDirectory);
        }
        let dir = parent(path);
        if self.is_file(dir) {
            return Err(FsError::NotDirectory);
        }
        if !self.is_dir(dir) {
            // Image directories are implied; a write into a missing one fails as it would.
            return Err(FsError::NotFound);
        }
        let old = self.files.get(path).map_or(0, String::len);
        let new_len = if append { old + content.len() } else { content.len() };
        if self.bytes - old + new_len > MAX_BYTES {
            return Err(FsError::NoSpace);
        }
        self.bytes = self.bytes - old + new_len;
        let entry = self.files.entry(path.to_string()).or_default();
        if !append {
            entry.clear();
        }
        entry.push_str(content);
        Ok(())
    }

    pub fn mkdir_p(&mut self, path: &str) {
        let mut p = String::new();
        for part in path.split('/').filter(|s| !s.is_empty()) {
            p.push('/');
            p.push_str(part);
            self.dirs.insert(p.clone());
        }
    }

    pub fn mkdir(&mut self, path: &str) -> Result<(), FsError> {
        if !self.is_dir(parent(path)) {
            return Err(FsError::NotFound);
        }
        self.dirs.insert(path.to_string());
        Ok(())
    }

    /// Removes a file, or a directory with `recursive`.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        if let Some(c) = self.files.remove(path) {
            self.bytes -= c.len();
            return Ok(());
        }
        if !self.is_dir(path) {
            return Err(FsError::NotFound);
        }
        if !recursive {
            return Err(FsError::IsDirectory);
        }
        let prefix = format!("{path}/");
        let gone: Vec<String> = self.files.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
        for k in gone {
            if let Some(c) = self.files.remove(&k) {
                self.bytes -= c.len();
            }
        }
        self.dirs.retain(|d| d != path && !d.starts_with(&prefix));
        Ok(())
    }

    /// Takes everything under `dir` out, as a filesystem rooted there.
    pub fn take_subtree(&mut self, dir: &str) -> Fs {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let mut out = Fs::default();
        let files: Vec<String> = self.files.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
        for k in files {
            if let Some(c) = self.files.remove(&k) {
                self.bytes -= c.len();
                out.bytes += c.len();
                out.files.insert(format!("/{}", &k[prefix.len()..]), c);
            }
        }
        let dirs: Vec<String> = self.dirs.iter().filter(|d| d.starts_with(&prefix)).cloned().collect();
        for d in dirs {
            self.dirs.remove(&d);
            out.dirs.insert(format!("/{}", &d[prefix.len()..]));
        }
        out
    }

    /// Puts a filesystem's contents under `dir`.
    pub fn put_subtree(&mut self, dir: &str, sub: Fs) {
        let base = dir.trim_end_matches('/');
        self.mkdir_p(if base.is_empty() { "/" } else { base });
        for d in sub.dirs {
            self.dirs.insert(format!("{base}{d}"));
        }
        for (k, c) in sub.files {
            self.bytes += c.len();
            self.files.insert(format!("{base}{k}"), c);
        }
    }

    /// Every file's absolute path, sorted.
    pub fn file_paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The names directly in a directory, sorted.
    pub fn list(&self, dir: &str) -> Result<Vec<String>, FsError> {
        if self.is_file(dir) {
            return Err(FsError::NotDirectory);
        }
        if !self.is_dir(dir) {
            return Err(FsError::NotFound);
        }
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        let mut names: BTreeSet<String> = BTreeSet::new();
        for k in self.files.keys().chain(self.dirs.iter()) {
            if let Some(rest) = k.strip_prefix(&prefix) {
                if let Some(first) = rest.split('/').next().filter(|s| !s.is_empty()) {
                    names.insert(first.to_string());
                }
            }
        }
        Ok(names.into_iter().collect())
    }
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
}
