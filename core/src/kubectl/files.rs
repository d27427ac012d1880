//! The files kubectl can read with `-f`: the learner's workspace, an in-memory file system the
//! editor, the lessons and the terminal's shell (`cat <<EOF > web.yaml`) fill. It is the same
//! [`Fs`] a container's shell works on; relative paths start at `cwd` (the workspace root `/`
//! unless the terminal's shell moved).

use crate::kubelet::fs::{normalize, Fs};

#[derive(Debug, Clone, PartialEq)]
pub struct Files {
    pub fs: Fs,
    /// The directory relative paths start from.
    pub cwd: String,
}

impl Default for Files {
    fn default() -> Self {
        Files { fs: Fs::default(), cwd: "/".to_string() }
    }
}

/// A path without `.`, `..` and empty parts, relative to the root.
pub(crate) fn clean(path: &str) -> String {
    normalize(path, "/").trim_start_matches('/').to_string()
}

impl Files {
    fn abs(&self, path: &str) -> String {
        normalize(path, &self.cwd)
    }

    /// Writes a file, making its directories; a file that cannot be written (a directory is in
    /// the way, the workspace is full) is left as it was.
    pub fn write(&mut self, path: &str, text: impl Into<String>) {
        let abs = self.abs(path);
        if let Some((dir, _)) = abs.rsplit_once('/') {
            self.fs.mkdir_p(dir);
        }
        let _ = self.fs.write(&abs, &text.into(), false);
    }
    pub fn read(&self, path: &str) -> Option<&str> {
        self.fs.read(&self.abs(path)).ok()
    }
    pub fn remove(&mut self, path: &str) -> bool {
        let abs = self.abs(path);
        self.fs.is_file(&abs) && self.fs.remove(&abs, false).is_ok()
    }
    /// Whether `path` is a directory.
    pub fn is_dir(&self, path: &str) -> bool {
        self.fs.is_dir(&self.abs(path))
    }
    /// The files directly in a directory (or anywhere under it when `recursive`), sorted, each
    /// named as `dir/name` so that [`Files::read`] finds it.
    pub fn list(&self, dir: &str, recursive: bool) -> Vec<String> {
        let abs = self.abs(dir);
        let base = dir.trim_end_matches('/');
        let join = |name: &str| if base.is_empty() || base == "." { name.to_string() } else { format!("{base}/{name}") };
        let prefix = if abs == "/" { "/".to_string() } else { format!("{abs}/") };
        self.fs
            .file_paths()
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter(|rest| recursive || !rest.contains('/'))
            .map(join)
            .collect()
    }
    /// Every file, relative to the workspace root.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.fs.file_paths().map(|p| p.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::Files;

    #[test]
    fn relative_paths_start_at_the_working_directory() {
        let mut f = Files::default();
        f.write("app/web.yaml", "a");
        f.write("./app/sub/svc.yaml", "b");
        f.write("top.yaml", "c");
        assert_eq!(f.read("/app/web.yaml"), Some("a"));
        assert!(f.is_dir("app") && !f.is_dir("top.yaml"));
        assert_eq!(f.list("app", false), ["app/web.yaml"]);
        assert_eq!(f.list("app/", true), ["app/sub/svc.yaml", "app/web.yaml"]);
        assert_eq!(f.paths().collect::<Vec<_>>(), ["app/sub/svc.yaml", "app/web.yaml", "top.yaml"]);
        f.cwd = "/app".into();
        assert_eq!(f.read("web.yaml"), Some("a"));
        assert_eq!(f.read("../top.yaml"), Some("c"));
        assert_eq!(f.list(".", false), ["web.yaml"]);
        assert!(f.remove("web.yaml") && !f.remove("web.yaml") && !f.remove("sub"));
    }
}
