//! The image catalog (`core/data/images/catalog.yaml`): what simulated images do.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::fs::Fs;
use super::shell::Flavor;

pub const CATALOG_FORMAT_VERSION: u32 = 1;
const CATALOG: &str = include_str!("../../data/images/catalog.yaml");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Timings {
    #[serde(rename = "pullSecondsPer10MB")]
    pub pull_seconds_per10_mb: f64,
    pub pull_min_seconds: f64,
    pub start_seconds: f64,
    pub backoff_initial_seconds: i64,
    pub backoff_max_seconds: i64,
    pub stop_seconds: f64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Program {
    /// Runs until stopped, serving on ports.
    #[serde(rename_all = "camelCase")]
    Serve {
        #[serde(default)]
        ports: Vec<i64>,
        #[serde(default)]
        handles_term: bool,
        /// A variable that, when set to a number, is the port instead (echo-nginx's
        /// `NGINX_PORT`).
        #[serde(default)]
        port_env: Option<String>,
        /// The container exits 1 unless one of these variables is set.
        #[serde(default)]
        require_env_any: Vec<String>,
        /// Commands that start the server itself (`etcd`, `/usr/local/bin/kube-proxy`): a
        /// container whose command runs one of these still serves.
        #[serde(default)]
        binaries: Vec<String>,
    },
    /// Runs its command with a small shell.
    #[serde(rename_all = "camelCase")]
    Shell { default_command: Vec<String> },
    /// Exits with a code after a while.
    #[serde(rename_all = "camelCase")]
    Exit { code: i64, after_seconds: f64 },
    /// Grows its memory until its limit kills it.
    #[serde(rename_all = "camelCase")]
    Leak { mebibytes_per_second: f64 },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    pub name: String,
    pub size: u64,
    pub program: Program,
    #[serde(default)]
    pub logs: Vec<String>,
    #[serde(default)]
    pub fail_logs: Vec<String>,
    /// Whose userland the image has (error messages of ls, cat, ...): busybox or gnu.
    #[serde(default)]
    pub flavor: Flavor,
    /// Files the image ships, by absolute path.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Where its web server serves files from (HTTP probes and requests look there).
    #[serde(default)]
    pub docroot: Option<String>,
    /// What the server does when another container of the pod already has its port.
    #[serde(default)]
    pub port_conflict: Option<PortConflict>,
    /// The web server it runs, if any: what it answers to HTTP requests.
    #[serde(default)]
    pub http: Option<crate::network::http::HttpServer>,
    /// The network programs it ships (`curl`, `wget`, `nslookup`, `dig`).
    #[serde(default)]
    pub tools: Vec<String>,
    /// What it uses when idle, if not the catalog's default.
    #[serde(default)]
    pub usage: Option<UsageSpec>,
    /// The API group versions it serves to the aggregator (`metrics.k8s.io/v1beta1`).
    #[serde(default)]
    pub apis: Vec<String>,
}

/// CPU and memory in use, as quantities (`2m`, `6Mi`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageSpec {
    pub cpu: String,
    pub memory: String,
}

/// What a container uses when its image says nothing, and what a node uses besides its pods
/// (its OS, kubelet and container runtime).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageDefaults {
    pub container: UsageSpec,
    pub node: UsageSpec,
}

/// A server that cannot bind its port: what it logs (`${PORT}` filled in) and when it exits 1.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortConflict {
    pub after_seconds: f64,
    pub logs: Vec<String>,
}

/// A Linux root's usual modes: /tmp sticky and open to all, /root its owner's.
fn with_system_modes(mut fs: Fs) -> Fs {
    fs.set_mode("/tmp", 0o1777);
    fs.set_mode("/root", 0o700);
    fs
}

/// When images without a date of their own were built.
const IMAGES_BUILT: &str = "2025-06-01T00:00:00Z";

/// Directories every image has.
const BASE_DIRS: [&str; 12] = ["/bin", "/dev", "/etc", "/home", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var"];

impl Image {
    /// A new container's files, dated when the image was built.
    pub fn filesystem(&self) -> Fs {
        let files: Vec<(String, String)> = self.files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let dirs: Vec<String> = BASE_DIRS.iter().map(|d| d.to_string()).collect();
        with_system_modes(Fs::stamped(&files, &dirs, self.built()))
    }

    /// When the image was built (seconds since the epoch): its server's date, else the date
    /// the catalog gives images.
    pub fn built(&self) -> i64 {
        let built = self.http.as_ref().map_or(IMAGES_BUILT, |h| h.built.as_str());
        crate::sim::clock::Timestamp::parse_rfc3339(built).map_or(0, |t| t.unix_millis() / 1000)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub version: u32,
    pub timings: Timings,
    pub images: Vec<Image>,
    /// What a node's own disk holds (where hostPath volumes point).
    pub node: NodeImage,
    pub usage: UsageDefaults,
}

/// A node's files: directories, files with their text, and when the node image was built.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeImage {
    pub built: String,
    pub dirs: Vec<String>,
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

impl Catalog {
    pub fn builtin() -> &'static Catalog {
        static C: OnceLock<Catalog> = OnceLock::new();
        C.get_or_init(|| {
            let value: serde_json::Value = serde_yaml::from_str(CATALOG).unwrap_or_else(|e| panic!("built-in image catalog is not YAML: {e}"));
            let c: Catalog = serde_json::from_value(value).unwrap_or_else(|e| panic!("built-in image catalog is broken: {e}"));
            assert_eq!(c.version, CATALOG_FORMAT_VERSION, "built-in image catalog has an unknown format version");
            c
        })
    }

    /// A new node's own files.
    pub fn node_filesystem(&self) -> Fs {
        let files: Vec<(String, String)> = self.node.files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let built = crate::sim::clock::Timestamp::parse_rfc3339(&self.node.built).map_or(0, |t| t.unix_millis() / 1000);
        with_system_modes(Fs::stamped(&files, &self.node.dirs, built))
    }

    /// The image a reference names (`nginx`, `nginx:1.27`, `docker.io/library/nginx@sha256:..`).
    pub fn find(&self, reference: &str) -> Option<&Image> {
        let repo = repository(reference);
        self.images.iter().find(|i| i.name == repo)
    }
}

/// The repository part of a reference, without registry defaults, tag or digest.
pub fn repository(reference: &str) -> String {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let no_tag = match no_digest[last_slash..].rfind(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    };
    let trimmed = no_tag.strip_prefix("docker.io/").unwrap_or(no_tag);
    trimmed.strip_prefix("library/").unwrap_or(trimmed).to_string()
}

/// A qualified reference without its tag or digest (`docker.io/library/nginx`,
/// `localhost:5000/app`).
pub fn repository_of_qualified(q: &str) -> &str {
    let no_digest = q.split('@').next().unwrap_or(q);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].rfind(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    }
}

/// The fully qualified reference containerd reports (`docker.io/library/nginx:latest`).
pub fn qualified(reference: &str) -> String {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let has_tag = no_digest[last_slash..].contains(':');
    let with_tag = if has_tag || reference.contains('@') { reference.to_string() } else { format!("{reference}:latest") };
    let first = with_tag.split('/').next().unwrap_or("");
    let has_registry = with_tag.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_registry {
        with_tag
    } else if with_tag.contains('/') {
        format!("docker.io/{with_tag}")
    } else {
        format!("docker.io/library/{with_tag}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_and_names_resolve() {
        let c = Catalog::builtin();
        assert!(c.find("nginx:1.27").is_some());
        assert!(c.find("docker.io/library/nginx").is_some());
        assert!(c.find("registry.k8s.io/pause:3.10").is_some());
        assert!(c.find("nope").is_none());
        assert_eq!(qualified("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(qualified("amsy810/echo-nginx:v2.0"), "docker.io/amsy810/echo-nginx:v2.0");
        assert_eq!(qualified("registry.k8s.io/pause:3.10"), "registry.k8s.io/pause:3.10");
        assert_eq!(repository("localhost:5000/app:v1"), "localhost:5000/app");
        assert_eq!(repository_of_qualified("localhost:5000/app:v1"), "localhost:5000/app");
        assert_eq!(repository_of_qualified("docker.io/library/nginx:1.27"), "docker.io/library/nginx");
    }
}
