//! The files kubectl can read with `-f`: an in-memory tree the editor and the lessons fill.

use std::collections::BTreeMap;

/// Paths (relative, `/`-separated, no `./`) to contents.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: BTreeMap<String, String>,
}

/// A path without `.`, `..` and empty parts.
pub(crate) fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl Files {
    pub fn write(&mut self, path: &str, text: impl Into<String>) {
        self.files.insert(clean(path), text.into());
    }
    pub fn read(&self, path: &str) -> Option<&str> {
        self.files.get(&clean(path)).map(String::as_str)
    }
    pub fn remove(&mut self, path: &str) -> bool {
        self.files.remove(&clean(path)).is_some()
    }
    /// Whether `path` is a directory (some file lies under it).
    pub fn is_dir(&self, path: &str) -> bool {
        let p = clean(path);
        let prefix = if p.is_empty() { String::new() } else { format!("{p}/") };
        self.files.keys().any(|k| k.starts_with(&prefix))
    }
    /// Files directly in a directory (or anywhere under it when `recursive`), sorted.
    pub fn list(&self, dir: &str, recursive: bool) -> Vec<String> {
        let p = clean(dir);
        let prefix = if p.is_empty() { String::new() } else { format!("{p}/") };
        self.files.keys().filter(|k| k.starts_with(&prefix) && (recursive || !k[prefix.len()..].contains('/'))).cloned().collect()
    }
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}
