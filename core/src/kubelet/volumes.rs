//! A pod's volumes as its containers see them: emptyDir (shared by the pod's containers, kept
//! across restarts), configMap, secret, downwardAPI and projected (files made from their
//! sources — the service account token is a JWT of the pod's claims — read-only),
//! mounted at each container's `volumeMounts`. A container's files are its image's with the
//! volumes laid over them while something runs in it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::fs::Fs;
use crate::sim::clock::Timestamp;

/// The volumes of one pod, by name.
#[derive(Clone, Debug, Default)]
pub struct PodVolumes {
    vols: BTreeMap<String, Fs>,
    /// What each configMap, secret, downwardAPI or projected volume last showed (to tell a
    /// change at the periodic sync).
    payloads: BTreeMap<String, Fs>,
    /// Volumes whose data lives outside the pod (a PersistentVolume's, a node's directory).
    pub shared: BTreeMap<String, Shared>,
    /// Volumes that are filesystems of their own (tmpfs): what `df` shows for them.
    media: BTreeMap<String, (String, u64)>,
    /// Volumes that are one file (a hostPath of type File): its name in the shared directory.
    files: BTreeMap<String, String>,
}

/// Where a volume's data lives beyond the pod: a disk (a PersistentVolume's by its name, or a
/// node's by `node/<name>`) and the directory on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    pub disk: String,
    pub path: String,
}

/// Where a container mounts which volume.
#[derive(Clone, Debug, PartialEq)]
pub struct Mount {
    pub path: String,
    pub volume: String,
    pub read_only: bool,
    /// The part of the volume mounted (`subPath`, or `subPathExpr` once expanded); empty for all.
    pub sub_path: String,
    /// `sub_path` is a `subPathExpr` still to expand with the container's environment.
    pub expr: bool,
    /// What a subPath of a configMap, secret, downwardAPI or projected volume showed when the
    /// container started: the kubelet bind-mounts the file (or directory) the path led to
    /// then, so later updates of the volume do not reach it.
    pub pinned: Option<Pinned>,
}

/// A subPath's content, kept from the container's start.
#[derive(Clone, Debug, PartialEq)]
pub enum Pinned {
    File { text: String, mode: u16 },
    Dir(Fs),
}

/// What the kubelet reads to fill configMap and secret volumes.
pub trait Source {
    fn config_map(&self, ns: &str, name: &str) -> Option<Value>;
    fn secret(&self, ns: &str, name: &str) -> Option<Value>;
    fn claim(&self, ns: &str, name: &str) -> Option<Value>;
}

/// What the kubelet knows of its node when it sets up volumes.
pub struct Node<'a> {
    pub name: &'a str,
    /// The node's files (hostPath volumes look there).
    pub disk: &'a Fs,
    /// Allocatable memory in bytes (the most a memory-backed emptyDir can hold).
    pub memory: u64,
}

/// Why a pod's volumes are not ready: a message for a FailedMount event, or nothing to say yet
/// (a claim not bound so far).
#[derive(Debug, PartialEq)]
pub enum NotReady {
    Failed(String),
    Waiting,
}

fn decode(v: &Value) -> String {
    crate::api::base64::decode(v.as_str().unwrap_or_default()).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// The mode files of a volume get when they say none (`defaultMode`, else 0644).
fn default_mode(spec: &Value, fallback: u16) -> u16 {
    spec["defaultMode"].as_u64().map_or(fallback, |m| (m & 0o7777) as u16)
}

/// A file of a source volume, with its item's `mode` or the volume's.
fn put_file(fs: &mut Fs, path: &str, text: &str, mode: Option<u64>, default: u16) {
    let path = format!("/{}", path.trim_start_matches('/'));
    fs.mkdir_p(super::fs::parent(&path));
    let _ = fs.write(&path, text, false);
    fs.set_mode(&path, mode.map_or(default, |m| (m & 0o7777) as u16));
}

/// The files of a key/value source, by `items` when given.
fn files_from(data: &[(String, String)], items: &Value, default: u16, clock: i64) -> Fs {
    let mut fs = Fs::at(clock);
    match items.as_array().filter(|a| !a.is_empty()) {
        Some(items) => {
            for it in items {
                let key = it["key"].as_str().unwrap_or_default();
                if let Some((_, v)) = data.iter().find(|(k, _)| k == key) {
                    put_file(&mut fs, it["path"].as_str().unwrap_or(key), v, it["mode"].as_u64(), default);
                }
            }
        }
        None => {
            for (k, v) in data {
                put_file(&mut fs, k, v, None, default);
            }
        }
    }
    fs
}

/// A ConfigMap's `data` as key/value pairs.
fn string_data(obj: &Value) -> Vec<(String, String)> {
    obj["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
}

/// The files of downward API `items` (`fieldRef`s of the pod's metadata).
fn downward(pod: &Value, items: &Value, default: u16, clock: i64) -> Fs {
    let mut fs = Fs::at(clock);
    for it in items.as_array().into_iter().flatten() {
        let path = it["path"].as_str().unwrap_or_default();
        let field = it["fieldRef"]["fieldPath"].as_str().unwrap_or_default();
        let value = match field {
            "metadata.labels" | "metadata.annotations" => {
                let key = field.trim_start_matches("metadata.");
                pod["metadata"][key].as_object().into_iter().flatten().map(|(k, v)| format!("{k}=\"{}\"\n", v.as_str().unwrap_or_default())).collect::<String>().trim_end().to_string()
            }
            "metadata.name" | "metadata.namespace" | "metadata.uid" => pod["metadata"][field.trim_start_matches("metadata.")].as_str().unwrap_or(if field == "metadata.namespace" { "default" } else { "" }).to_string(),
            "spec.nodeName" | "spec.serviceAccountName" => pod["spec"][field.trim_start_matches("spec.")].as_str().unwrap_or_default().to_string(),
            _ => String::new(),
        };
        put_file(&mut fs, path, &value, it["mode"].as_u64(), default);
    }
    fs
}

/// A projected service account token: a JWT shaped like the API server's (claims of the pod,
/// its node and service account, issued when the pod was created); its signature is made up.
fn token(pod: &Value, src: &Value) -> String {
    let meta = &pod["metadata"];
    let ns = meta["namespace"].as_str().unwrap_or("default");
    let sa = pod["spec"]["serviceAccountName"].as_str().unwrap_or("default");
    let iat = crate::sim::clock::Timestamp::parse_rfc3339(meta["creationTimestamp"].as_str().unwrap_or_default()).map_or(0, |t| t.unix_millis() / 1000);
    let exp = iat + src["expirationSeconds"].as_i64().unwrap_or(3607);
    let issuer = crate::api::jwt::ISSUER;
    let aud = src["audience"].as_str().map_or_else(|| serde_json::json!([issuer]), |a| serde_json::json!([a]));
    let uid = meta["uid"].as_str().unwrap_or_default();
    let header = serde_json::json!({"alg": "RS256", "kid": crate::api::jwt::key_id()});
    let claims = serde_json::json!({
        "aud": aud, "exp": exp, "iat": iat, "iss": issuer, "jti": uid,
        "kubernetes.io": {"namespace": ns, "node": {"name": pod["spec"]["nodeName"]}, "pod": {"name": meta["name"], "uid": uid}, "serviceaccount": {"name": sa}, "warnafter": iat + 3600},
        "nbf": iat, "sub": format!("system:serviceaccount:{ns}:{sa}"),
    });
    crate::api::jwt::token(&header, &claims, crate::api::jwt::sign)
}

/// What one volume of a pod holds when it is set up.
enum Filled {
    /// Files made from sources (configMap, secret, downwardAPI, projected), before the
    /// atomic writer lays them out.
    Payload(Fs),
    /// Data kept outside the pod: a bound claim's PersistentVolume or a node's directory;
    /// `file` when the volume is one file.
    Shared { at: Shared, file: bool },
    /// An emptyDir: on the node's disk, or memory of at most this many bytes.
    Empty(Option<u64>),
}

/// Where a ConfigMap's or Secret's keys come from.
#[derive(Clone, Copy)]
enum Keyed {
    ConfigMap,
    Secret,
}

/// The files of a ConfigMap or Secret source (`spec` names it and may list `items`); a missing
/// one that is not optional is the kubelet's FailedMount.
/// `made`: the mode files get when their item says none, and when they are written.
fn keyed_files(kind: Keyed, spec: &Value, object_name: &str, ns: &str, volume: &str, source: &dyn Source, made: (u16, i64)) -> Result<Fs, NotReady> {
    let (default, clock) = made;
    let (found, word) = match kind {
        Keyed::ConfigMap => (source.config_map(ns, object_name).map(|o| string_data(&o)), "configmap"),
        Keyed::Secret => (source.secret(ns, object_name).map(|o| o["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), decode(v))).collect()), "secret"),
    };
    match found {
        Some(data) => Ok(files_from(&data, &spec["items"], default, clock)),
        None if spec["optional"] == true => Ok(Fs::at(clock)),
        None => Err(NotReady::Failed(format!("MountVolume.SetUp failed for volume \"{volume}\" : {word} \"{object_name}\" not found"))),
    }
}

fn present<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// The bytes of a quantity such as `128Mi`.
fn bytes_of(q: &Value) -> Option<u64> {
    q.as_str().and_then(|q| crate::api::quantity::Quantity::parse(q).ok()).map(|q| q.value().max(0) as u64)
}

/// The memory limit of the whole pod, when every container has one.
fn pod_memory_limit(pod: &Value) -> Option<u64> {
    let cs = pod["spec"]["containers"].as_array()?;
    cs.iter().map(|c| bytes_of(&c["resources"]["limits"]["memory"])).sum()
}

/// The hostPath check of the kubelet: what `type` requires of the node's path, and whether
/// the volume is a file.
fn host_path(v: &Value, volume: &str, node: &Node) -> Result<Filled, NotReady> {
    let path = super::fs::normalize(v["path"].as_str().unwrap_or("/"), "/");
    let kind = v["type"].as_str().unwrap_or_default();
    let failed = |what: &str| Err(NotReady::Failed(format!("MountVolume.SetUp failed for volume \"{volume}\" : hostPath type check failed: {path} is not a {what}")));
    let (dir, file) = (node.disk.is_dir(&path), node.disk.is_file(&path));
    let is_file = match kind {
        "Directory" if !dir => return failed("directory"),
        "DirectoryOrCreate" if file => return failed("directory"),
        "File" if !file => return failed("file"),
        "FileOrCreate" if dir => return failed("file"),
        "Socket" => return failed("socket file"),
        "CharDevice" => return failed("character device"),
        "BlockDevice" => return failed("block device"),
        "File" | "FileOrCreate" => true,
        _ => file,
    };
    Ok(Filled::Shared { at: Shared { disk: format!("node/{}", node.name), path }, file: is_file })
}

/// One volume of `pod` as it is set up now.
fn volume_files(pod: &Value, v: &Value, source: &dyn Source, node: &Node, clock: i64) -> Result<Filled, NotReady> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = v["name"].as_str().unwrap_or_default();
    if let Some(cm) = present(v, "configMap") {
        return keyed_files(Keyed::ConfigMap, cm, cm["name"].as_str().unwrap_or_default(), ns, name, source, (default_mode(cm, 0o644), clock)).map(Filled::Payload);
    }
    if let Some(sec) = present(v, "secret") {
        return keyed_files(Keyed::Secret, sec, sec["secretName"].as_str().unwrap_or_default(), ns, name, source, (default_mode(sec, 0o644), clock)).map(Filled::Payload);
    }
    if let Some(pvc) = present(v, "persistentVolumeClaim") {
        let claim = pvc["claimName"].as_str().unwrap_or_default();
        return match source.claim(ns, claim) {
            Some(c) if c["status"]["phase"] == "Bound" => Ok(Filled::Shared { at: Shared { disk: c["spec"]["volumeName"].as_str().unwrap_or_default().to_string(), path: "/".into() }, file: false }),
            Some(_) => Err(NotReady::Waiting),
            None => Err(NotReady::Failed(format!("persistentvolumeclaim \"{claim}\" not found"))),
        };
    }
    if let Some(h) = present(v, "hostPath") {
        return host_path(h, name, node);
    }
    if present(v, "gitRepo").is_some() {
        // Kubernetes 1.33 turned the gitRepo plugin off (GitRepoVolumeDriver): no plugin
        // matches, and the volume manager says so for the whole pod.
        return Err(NotReady::Failed(format!(
            "Unable to attach or mount volumes: unmounted volumes=[{name}], unattached volumes=[], failed to process volumes=[{name}]: failed to get Plugin from volumeSpec for volume {name:?} err=no volume plugin matched"
        )));
    }
    if let Some(d) = present(v, "downwardAPI") {
        return Ok(Filled::Payload(downward(pod, &d["items"], default_mode(d, 0o644), clock)));
    }
    if let Some(e) = present(v, "emptyDir") {
        if e["medium"] != "Memory" {
            return Ok(Filled::Empty(None));
        }
        // tmpfs as big as the sizeLimit, the pod's memory limit or the node's memory allows.
        let size = [bytes_of(&e["sizeLimit"]), pod_memory_limit(pod), Some(node.memory)].into_iter().flatten().filter(|b| *b > 0).min().unwrap_or(node.memory);
        return Ok(Filled::Empty(Some(size)));
    }
    let Some(p) = present(v, "projected") else { return Ok(Filled::Empty(None)) };
    let default = default_mode(p, 0o644);
    let mut fs = Fs::at(clock);
    for src in p["sources"].as_array().into_iter().flatten() {
        let part = if let Some(cm) = present(src, "configMap") {
            keyed_files(Keyed::ConfigMap, cm, cm["name"].as_str().unwrap_or_default(), ns, name, source, (default, clock))?
        } else if let Some(sec) = present(src, "secret") {
            keyed_files(Keyed::Secret, sec, sec["name"].as_str().unwrap_or_default(), ns, name, source, (default, clock))?
        } else if let Some(d) = present(src, "downwardAPI") {
            downward(pod, &d["items"], default, clock)
        } else if let Some(t) = present(src, "serviceAccountToken") {
            let mut f = Fs::at(clock);
            put_file(&mut f, t["path"].as_str().unwrap_or("token"), &token(pod, t), None, default);
            f
        } else {
            Fs::default()
        };
        fs.put_subtree("/", part);
    }
    Ok(Filled::Payload(fs))
}

/// `..2026_11_26_02_46_42.1234567890`: the directory the atomic writer puts a payload in, named
/// after the time and a number (made from the pod, the volume and the time, as the simulation
/// has no other randomness here).
fn stamp_dir(pod: &Value, volume: &str, now: Timestamp) -> String {
    let s = now.rfc3339();
    let digits: String = s[..19].chars().map(|c| if c.is_ascii_digit() { c } else { '_' }).collect();
    let mut h: u32 = 0x811c_9dc5;
    for b in pod["metadata"]["uid"].as_str().unwrap_or_default().bytes().chain(volume.bytes()).chain(now.unix_millis().to_le_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("..{digits}.{h}")
}

/// A payload as the kubelet's atomic writer lays it out: the files in a timestamped directory,
/// `..data` linking to it and a link per top-level name (`key -> ..data/key`).
fn lay_out(payload: &Fs, stamp: &str, root_mode: u16) -> Fs {
    let mut fs = Fs::at(payload.clock);
    let tops = payload.list("/").unwrap_or_default();
    fs.put_subtree(&format!("/{stamp}"), payload.clone());
    fs.set_mode(&format!("/{stamp}"), 0o755);
    fs.symlink(stamp, "/..data");
    for t in tops {
        fs.symlink(&format!("..data/{t}"), &format!("/{t}"));
    }
    fs.set_mode("/", root_mode);
    fs
}

/// Whether a source volume is a tmpfs (secrets and projected volumes) rather than a directory
/// on the node's disk.
fn on_tmpfs(v: &Value) -> bool {
    present(v, "secret").is_some() || present(v, "projected").is_some()
}

/// The mode of a source volume's own directory: a tmpfs is sticky and open to all (as tmpfs
/// mounts are made), a directory on disk open to all.
fn root_mode(v: &Value) -> u16 {
    if on_tmpfs(v) {
        0o1777
    } else {
        0o777
    }
}

impl PodVolumes {
    /// Builds the pod's volumes; a missing ConfigMap or Secret that is not optional stops the
    /// pod with the kubelet's FailedMount message.
    pub fn build(pod: &Value, source: &dyn Source, node: &Node, now: Timestamp) -> Result<PodVolumes, NotReady> {
        let clock = now.unix_millis().div_euclid(1000);
        let mut out = PodVolumes::default();
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            let name = v["name"].as_str().unwrap_or_default().to_string();
            let fs = match volume_files(pod, v, source, node, clock)? {
                Filled::Payload(p) => {
                    if on_tmpfs(v) {
                        out.media.insert(name.clone(), ("tmpfs".into(), node.memory));
                    }
                    let fs = lay_out(&p, &stamp_dir(pod, &name, now), root_mode(v));
                    out.payloads.insert(name.clone(), p);
                    fs
                }
                Filled::Shared { at, file } => {
                    let path = at.path.clone();
                    out.shared.insert(name.clone(), Shared { path: if file { super::fs::parent(&path).to_string() } else { path.clone() }, ..at });
                    if file {
                        out.files.insert(name.clone(), path.rsplit('/').next().unwrap_or_default().to_string());
                    }
                    Fs::at(clock)
                }
                Filled::Empty(memory) => {
                    if let Some(size) = memory {
                        out.media.insert(name.clone(), ("tmpfs".into(), size));
                    }
                    let mut fs = Fs::at(clock);
                    fs.set_mode("/", if memory.is_some() { 0o1777 } else { 0o777 });
                    fs
                }
            };
            out.vols.insert(name, fs);
        }
        Ok(out)
    }

    /// Brings configMap, secret, downwardAPI and projected volumes up to date with their
    /// sources, as the kubelet's periodic sync does: a changed payload gets a new timestamped
    /// directory and `..data` moves to it (a source gone, or any other failure, keeps what is
    /// there). Says whether a file changed.
    pub fn refresh(&mut self, pod: &Value, source: &dyn Source, node: &Node, now: Timestamp) -> bool {
        let clock = now.unix_millis().div_euclid(1000);
        let mut changed = false;
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            let Ok(Filled::Payload(p)) = volume_files(pod, v, source, node, clock) else { continue };
            let name = v["name"].as_str().unwrap_or_default();
            if self.payloads.get(name).is_some_and(|old| old.same_content(&p)) {
                continue;
            }
            self.vols.insert(name.to_string(), lay_out(&p, &stamp_dir(pod, name, now), root_mode(v)));
            self.payloads.insert(name.to_string(), p);
            changed = true;
        }
        changed
    }

    /// The file a one-file volume (hostPath `File`) mounts, by its name in the shared directory.
    pub fn file_of(&self, volume: &str) -> Option<&str> {
        self.files.get(volume).map(String::as_str)
    }

    /// A volume's files (to save a shared one).
    pub fn files(&self, volume: &str) -> Option<&Fs> {
        self.vols.get(volume)
    }

    /// Puts data into a volume (a shared volume's files).
    pub fn restore(&mut self, volume: &str, fs: Fs) {
        self.vols.insert(volume.to_string(), fs);
    }

    /// How much an emptyDir holds beyond its `sizeLimit`: the first such volume's name, with
    /// its limit as written (what the kubelet's eviction manager checks).
    pub fn over_limit(&self, pod: &Value) -> Option<(String, String)> {
        pod["spec"]["volumes"].as_array().into_iter().flatten().find_map(|v| {
            let name = v["name"].as_str().unwrap_or_default();
            let limit = bytes_of(&v["emptyDir"]["sizeLimit"])?;
            let used = self.vols.get(name)?.usage("/");
            (used > limit).then(|| (name.to_string(), v["emptyDir"]["sizeLimit"].as_str().unwrap_or_default().to_string()))
        })
    }

    /// A container starts: its subPaths into volumes the kubelet updates (configMap, secret,
    /// downwardAPI, projected) keep what they show now.
    pub fn pin(&self, mounts: &mut [Mount]) {
        for m in mounts.iter_mut() {
            let sub = m.sub_path.trim_matches('/');
            if sub.is_empty() || !self.payloads.contains_key(&m.volume) {
                continue;
            }
            let Some(vol) = self.vols.get(&m.volume) else { continue };
            let path = super::fs::normalize(sub, "/");
            m.pinned = if vol.is_file(&path) {
                Some(Pinned::File { text: vol.read(&path).unwrap_or_default().to_string(), mode: vol.stat(&path, true).map_or(0o644, |s| s.mode) })
            } else if vol.is_dir(&path) {
                Some(Pinned::Dir(vol.subtree(&path)))
            } else {
                None
            };
        }
    }

    /// Runs `f` on the container's files with its volumes laid over them; what `f` writes under a
    /// writable mount stays in the volume.
    pub fn mounted<R>(&mut self, root: &mut Fs, mounts: &[Mount], f: impl FnOnce(&mut Fs) -> R) -> R {
        // Each mount hides what the image has there: a directory, or one file.
        enum Hidden {
            Dir(Fs),
            File(Option<(String, u16)>),
        }
        let mut laid: Vec<(&Mount, String, bool, Hidden)> = Vec::new();
        let base_mounts = root.mounts.len();
        for m in mounts {
            if laid.iter().any(|(u, ..)| u.path == m.path || (u.volume == m.volume && u.sub_path == m.sub_path)) {
                continue;
            }
            if let Some(p) = &m.pinned {
                // A pinned subPath shows what it held when the container started.
                let (device, size) = self.media.get(&m.volume).cloned().unwrap_or_else(|| ("/dev/vda1".to_string(), 0));
                root.mounts.push(super::fs::MountPoint { path: m.path.clone(), device, size });
                let hidden = match p {
                    Pinned::File { text, mode } => {
                        let old = root.read(&m.path).ok().map(|t| (t.to_string(), root.stat(&m.path, true).map_or(0o644, |s| s.mode)));
                        root.mkdir_p(super::fs::parent(&m.path));
                        let _ = root.remove(&m.path, true);
                        let _ = root.write(&m.path, text, false);
                        root.set_mode(&m.path, *mode);
                        Hidden::File(old)
                    }
                    Pinned::Dir(fs) => {
                        let hidden = root.take_subtree(&m.path);
                        root.put_subtree(&m.path, fs.clone());
                        Hidden::Dir(hidden)
                    }
                };
                laid.push((m, String::new(), matches!(p, Pinned::File { .. }), hidden));
                continue;
            }
            let Some(vol) = self.vols.get_mut(&m.volume) else { continue };
            let sub = match (self.files.get(&m.volume), m.sub_path.trim_matches('/')) {
                (Some(file), _) => format!("/{file}"),
                (None, "") => "/".to_string(),
                (None, s) => super::fs::normalize(s, "/"),
            };
            let as_file = vol.is_file(&sub);
            if !as_file && sub != "/" && !vol.is_dir(&sub) {
                // The kubelet makes a missing subPath directory in the volume, with the volume's mode.
                let mode = vol.stat("/", true).map_or(0o755, |s| s.mode);
                vol.mkdir_p(&sub);
                vol.set_mode(&sub, mode);
            }
            let (device, size) = self.media.get(&m.volume).cloned().unwrap_or_else(|| ("/dev/vda1".to_string(), 0));
            root.mounts.push(super::fs::MountPoint { path: m.path.clone(), device, size });
            let hidden = if as_file {
                let old = root.read(&m.path).ok().map(|t| (t.to_string(), root.stat(&m.path, true).map_or(0o644, |s| s.mode)));
                root.mkdir_p(super::fs::parent(&m.path));
                let _ = root.remove(&m.path, true);
                let text = vol.read(&sub).unwrap_or_default().to_string();
                let mode = vol.stat(&sub, true).map_or(0o644, |s| s.mode);
                let _ = root.write(&m.path, &text, false);
                root.set_mode(&m.path, mode);
                Hidden::File(old)
            } else {
                let hidden = root.take_subtree(&m.path);
                root.put_subtree(&m.path, vol.subtree(&sub));
                Hidden::Dir(hidden)
            };
            laid.push((m, sub, as_file, hidden));
        }
        let out = f(root);
        for (m, sub, as_file, hidden) in laid.into_iter().rev() {
            if as_file {
                let text = root.read(&m.path).ok().map(str::to_string);
                let _ = root.remove(&m.path, true);
                if let (false, Some(text), Some(vol)) = (m.read_only || m.pinned.is_some(), text, self.vols.get_mut(&m.volume)) {
                    let _ = vol.write(&sub, &text, false);
                }
            } else {
                let changed = root.take_subtree(&m.path);
                if !m.read_only && m.pinned.is_none() {
                    if let Some(vol) = self.vols.get_mut(&m.volume) {
                        if sub == "/" {
                            *vol = changed;
                        } else {
                            let _ = vol.remove(&sub, true);
                            vol.put_subtree(&sub, changed);
                        }
                    }
                }
            }
            match hidden {
                Hidden::Dir(fs) => root.put_subtree(&m.path, fs),
                Hidden::File(Some((text, mode))) => {
                    let _ = root.write(&m.path, &text, false);
                    root.set_mode(&m.path, mode);
                }
                Hidden::File(None) => {}
            }
        }
        root.mounts.truncate(base_mounts);
        out
    }
}

/// A container's mounts from its spec.
pub fn mounts_of(container: &Value, pod: &Value) -> Vec<Mount> {
    let read_only_kinds = |vol: &str| {
        pod["spec"]["volumes"].as_array().into_iter().flatten().find(|v| v["name"] == vol).is_some_and(|v| ["configMap", "secret", "downwardAPI", "projected"].iter().any(|k| v.get(*k).is_some_and(|x| !x.is_null())))
    };
    container["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let volume = m["name"].as_str().unwrap_or_default().to_string();
            let expr = m["subPathExpr"].as_str().filter(|s| !s.is_empty());
            Mount {
                path: super::fs::normalize(m["mountPath"].as_str().unwrap_or("/"), "/"),
                read_only: m["readOnly"] == true || read_only_kinds(&volume),
                volume,
                sub_path: expr.or(m["subPath"].as_str()).unwrap_or_default().to_string(),
                expr: expr.is_some(),
                pinned: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct NoSource;
    impl Source for NoSource {
        fn config_map(&self, _: &str, name: &str) -> Option<Value> {
            (name == "web").then(|| json!({"data": {"index.html": "hello"}}))
        }
        fn secret(&self, _: &str, _: &str) -> Option<Value> {
            None
        }
        fn claim(&self, _: &str, _: &str) -> Option<Value> {
            None
        }
    }

    fn node() -> (Fs, Timestamp) {
        (Fs::with(&[("/etc/os-release".into(), "ID=debian\n".into())], &["/var".into()]), Timestamp::parse_rfc3339("2026-11-26T02:46:42Z").unwrap())
    }

    fn build(pod: &Value) -> Result<PodVolumes, NotReady> {
        let (disk, now) = node();
        PodVolumes::build(pod, &NoSource, &Node { name: "n1", disk: &disk, memory: 8 << 30 }, now)
    }

    #[test]
    fn volumes_are_shared_and_lay_over_the_image() {
        let pod = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [{"name": "html", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "web"}}]}});
        let mut vols = build(&pod).unwrap();
        let writer = json!({"volumeMounts": [{"name": "html", "mountPath": "/usr/share/nginx/html/"}]});
        let mut a = Fs::with(&[("/usr/share/nginx/html/index.html".into(), "image page".into())], &[]);
        vols.mounted(&mut a, &mounts_of(&writer, &pod), |fs| {
            assert!(!fs.is_file("/usr/share/nginx/html/index.html"), "the mount hides the image's files");
            fs.write("/usr/share/nginx/html/index.html", "1st\n", false).unwrap();
        });
        assert_eq!(a.read("/usr/share/nginx/html/index.html"), Ok("image page"));
        let mut b = Fs::default();
        let got = vols.mounted(&mut b, &mounts_of(&writer, &pod), |fs| fs.read("/usr/share/nginx/html/index.html").map(str::to_string));
        assert_eq!(got, Ok("1st\n".to_string()));
        let reader = json!({"volumeMounts": [{"name": "cfg", "mountPath": "/etc/web"}]});
        let got = vols.mounted(&mut b, &mounts_of(&reader, &pod), |fs| fs.read("/etc/web/index.html").map(str::to_string));
        assert_eq!(got, Ok("hello".to_string()));
        let missing = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [{"name": "s", "secret": {"secretName": "nope"}}]}});
        assert_eq!(build(&missing).unwrap_err(), NotReady::Failed("MountVolume.SetUp failed for volume \"s\" : secret \"nope\" not found".into()));
    }

    #[test]
    fn source_volumes_are_laid_out_as_the_atomic_writer_does() {
        let pod = json!({"metadata": {"namespace": "default", "uid": "u1"}, "spec": {"volumes": [{"name": "cfg", "configMap": {"name": "web", "defaultMode": 256, "items": [{"key": "index.html", "path": "site/index.html", "mode": 493}]}}]}});
        let mut vols = build(&pod).unwrap();
        let c = json!({"volumeMounts": [{"name": "cfg", "mountPath": "/cfg"}]});
        let mut root = Fs::default();
        vols.mounted(&mut root, &mounts_of(&c, &pod), |fs| {
            assert_eq!(fs.list("/cfg").unwrap()[1..], ["..data".to_string(), "site".to_string()]);
            let stamp = fs.stat("/cfg/..data", false).unwrap().target.unwrap();
            assert!(stamp.starts_with("..2026_11_26_02_46_42."), "{stamp}");
            assert_eq!(fs.stat("/cfg/site", false).unwrap().target.as_deref(), Some("..data/site"));
            assert_eq!(fs.read("/cfg/site/index.html"), Ok("hello"));
            assert_eq!(fs.stat("/cfg/site/index.html", true).unwrap().mode, 0o755);
            assert_eq!(fs.stat("/cfg", true).unwrap().mode, 0o777);
        });
    }

    #[test]
    fn sub_paths_and_host_paths() {
        let pod = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [
            {"name": "main", "emptyDir": {}},
            {"name": "host", "hostPath": {"path": "/etc", "type": "Directory"}},
            {"name": "mem", "emptyDir": {"medium": "Memory", "sizeLimit": "128Mi"}},
        ]}});
        let mut vols = build(&pod).unwrap();
        let b = json!({"volumeMounts": [{"name": "main", "mountPath": "/data", "subPath": "path1"}, {"name": "mem", "mountPath": "/cache"}]});
        let mut root = Fs::default();
        vols.mounted(&mut root, &mounts_of(&b, &pod), |fs| {
            fs.write("/data/b.txt", "", false).unwrap();
            assert_eq!(fs.room("/cache/x"), Some(128 << 20));
        });
        let a = json!({"volumeMounts": [{"name": "main", "mountPath": "/data"}]});
        vols.mounted(&mut root, &mounts_of(&a, &pod), |fs| assert!(fs.is_file("/data/path1/b.txt")));
        assert_eq!(vols.shared["host"], Shared { disk: "node/n1".into(), path: "/etc".into() });
        let missing = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [{"name": "h", "hostPath": {"path": "/nope", "type": "Directory"}}]}});
        assert_eq!(build(&missing).unwrap_err(), NotReady::Failed("MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: /nope is not a directory".into()));
    }
}
