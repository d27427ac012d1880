//! A pod's volumes as its containers see them: emptyDir (shared by the pod's containers, kept
//! across restarts), configMap, secret, downwardAPI and projected (files made from their
//! sources — the service account token is a JWT of the pod's claims — read-only),
//! mounted at each container's `volumeMounts`. A container's files are its image's with the
//! volumes laid over them while something runs in it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::fs::Fs;

/// The volumes of one pod, by name.
#[derive(Clone, Debug, Default)]
pub struct PodVolumes {
    vols: BTreeMap<String, Fs>,
    /// Volumes backed by a PersistentVolume (volume name → PV name): their data outlives the pod.
    pub persistent: BTreeMap<String, String>,
}

/// Where a container mounts which volume.
#[derive(Clone, Debug, PartialEq)]
pub struct Mount {
    pub path: String,
    pub volume: String,
    pub read_only: bool,
}

/// What the kubelet reads to fill configMap and secret volumes.
pub trait Source {
    fn config_map(&self, ns: &str, name: &str) -> Option<Value>;
    fn secret(&self, ns: &str, name: &str) -> Option<Value>;
    fn claim(&self, ns: &str, name: &str) -> Option<Value>;
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

/// The files of a key/value source, by `items` when given.
fn files_from(data: &[(String, String)], items: &Value) -> Fs {
    let mut fs = Fs::default();
    match items.as_array().filter(|a| !a.is_empty()) {
        Some(items) => {
            for it in items {
                let key = it["key"].as_str().unwrap_or_default();
                if let Some((_, v)) = data.iter().find(|(k, _)| k == key) {
                    let path = format!("/{}", it["path"].as_str().unwrap_or(key));
                    fs.put_subtree("/", Fs::with(&[(path, v.clone())], &[]));
                }
            }
        }
        None => {
            let files: Vec<(String, String)> = data.iter().map(|(k, v)| (format!("/{k}"), v.clone())).collect();
            fs = Fs::with(&files, &[]);
        }
    }
    fs
}

/// A ConfigMap's `data` as key/value pairs.
fn string_data(obj: &Value) -> Vec<(String, String)> {
    obj["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
}

/// The files of downward API `items` (`fieldRef`s of the pod's metadata).
fn downward(pod: &Value, items: &Value) -> Vec<(String, String)> {
    let mut files = Vec::new();
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
        files.push((format!("/{path}"), value));
    }
    files
}

fn base64url(data: &[u8]) -> String {
    crate::api::base64::encode(data).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// A projected service account token: a JWT shaped like the API server's (claims of the pod,
/// its node and service account, issued when the pod was created); its signature is made up.
fn token(pod: &Value, src: &Value) -> String {
    let meta = &pod["metadata"];
    let ns = meta["namespace"].as_str().unwrap_or("default");
    let sa = pod["spec"]["serviceAccountName"].as_str().unwrap_or("default");
    let iat = crate::sim::clock::Timestamp::parse_rfc3339(meta["creationTimestamp"].as_str().unwrap_or_default()).map_or(0, |t| t.unix_millis() / 1000);
    let exp = iat + src["expirationSeconds"].as_i64().unwrap_or(3607);
    let issuer = "https://kubernetes.default.svc.cluster.local";
    let aud = src["audience"].as_str().map_or_else(|| serde_json::json!([issuer]), |a| serde_json::json!([a]));
    let uid = meta["uid"].as_str().unwrap_or_default();
    let header = serde_json::json!({"alg": "RS256", "kid": "hakoniwa-simulated-signing-key"});
    let claims = serde_json::json!({
        "aud": aud, "exp": exp, "iat": iat, "iss": issuer, "jti": uid,
        "kubernetes.io": {"namespace": ns, "node": {"name": pod["spec"]["nodeName"]}, "pod": {"name": meta["name"], "uid": uid}, "serviceaccount": {"name": sa}, "warnafter": iat + 3600},
        "nbf": iat, "sub": format!("system:serviceaccount:{ns}:{sa}"),
    });
    let body = format!("{}.{}", base64url(header.to_string().as_bytes()), base64url(claims.to_string().as_bytes()));
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let signature: Vec<u8> = (0..32u64).flat_map(|i| (h.rotate_left((i * 7) as u32) ^ i).to_le_bytes()).collect();
    format!("{body}.{}", base64url(&signature))
}

/// What one volume of a pod holds when it is set up.
enum Filled {
    /// Files made from sources (configMap, secret, downwardAPI, projected).
    Files(Fs),
    /// A bound claim: the PersistentVolume's name.
    Claimed(String),
    Empty,
}

/// Where a ConfigMap's or Secret's keys come from.
#[derive(Clone, Copy)]
enum Keyed {
    ConfigMap,
    Secret,
}

/// The files of a ConfigMap or Secret source (`spec` names it and may list `items`); a missing
/// one that is not optional is the kubelet's FailedMount.
fn keyed_files(kind: Keyed, spec: &Value, object_name: &str, ns: &str, volume: &str, source: &dyn Source) -> Result<Fs, NotReady> {
    let (found, word) = match kind {
        Keyed::ConfigMap => (source.config_map(ns, object_name).map(|o| string_data(&o)), "configmap"),
        Keyed::Secret => (source.secret(ns, object_name).map(|o| o["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), decode(v))).collect()), "secret"),
    };
    match found {
        Some(data) => Ok(files_from(&data, &spec["items"])),
        None if spec["optional"] == true => Ok(Fs::default()),
        None => Err(NotReady::Failed(format!("MountVolume.SetUp failed for volume \"{volume}\" : {word} \"{object_name}\" not found"))),
    }
}

fn present<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// One volume of `pod` as it is set up now.
fn volume_files(pod: &Value, v: &Value, source: &dyn Source) -> Result<Filled, NotReady> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = v["name"].as_str().unwrap_or_default();
    if let Some(cm) = present(v, "configMap") {
        return keyed_files(Keyed::ConfigMap, cm, cm["name"].as_str().unwrap_or_default(), ns, name, source).map(Filled::Files);
    }
    if let Some(sec) = present(v, "secret") {
        return keyed_files(Keyed::Secret, sec, sec["secretName"].as_str().unwrap_or_default(), ns, name, source).map(Filled::Files);
    }
    if let Some(pvc) = present(v, "persistentVolumeClaim") {
        let claim = pvc["claimName"].as_str().unwrap_or_default();
        return match source.claim(ns, claim) {
            Some(c) if c["status"]["phase"] == "Bound" => Ok(Filled::Claimed(c["spec"]["volumeName"].as_str().unwrap_or_default().to_string())),
            Some(_) => Err(NotReady::Waiting),
            None => Err(NotReady::Failed(format!("persistentvolumeclaim \"{claim}\" not found"))),
        };
    }
    if let Some(d) = present(v, "downwardAPI") {
        return Ok(Filled::Files(Fs::with(&downward(pod, &d["items"]), &[])));
    }
    let Some(p) = present(v, "projected") else { return Ok(Filled::Empty) };
    let mut fs = Fs::default();
    for src in p["sources"].as_array().into_iter().flatten() {
        let part = if let Some(cm) = present(src, "configMap") {
            keyed_files(Keyed::ConfigMap, cm, cm["name"].as_str().unwrap_or_default(), ns, name, source)?
        } else if let Some(sec) = present(src, "secret") {
            keyed_files(Keyed::Secret, sec, sec["name"].as_str().unwrap_or_default(), ns, name, source)?
        } else if let Some(d) = present(src, "downwardAPI") {
            Fs::with(&downward(pod, &d["items"]), &[])
        } else if let Some(t) = present(src, "serviceAccountToken") {
            Fs::with(&[(format!("/{}", t["path"].as_str().unwrap_or("token")), token(pod, t))], &[])
        } else {
            Fs::default()
        };
        fs.put_subtree("/", part);
    }
    Ok(Filled::Files(fs))
}

impl PodVolumes {
    /// Builds the pod's volumes; a missing ConfigMap or Secret that is not optional stops the
    /// pod with the kubelet's FailedMount message.
    pub fn build(pod: &Value, source: &dyn Source) -> Result<PodVolumes, NotReady> {
        let mut vols = BTreeMap::new();
        let mut persistent = BTreeMap::new();
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            let name = v["name"].as_str().unwrap_or_default().to_string();
            let fs = match volume_files(pod, v, source)? {
                Filled::Files(fs) => fs,
                Filled::Claimed(pv) => {
                    persistent.insert(name.clone(), pv);
                    Fs::default()
                }
                // emptyDir and the kinds the simulation does not fill yet start empty.
                Filled::Empty => Fs::default(),
            };
            vols.insert(name, fs);
        }
        Ok(PodVolumes { vols, persistent })
    }

    /// Brings configMap, secret, downwardAPI and projected volumes up to date with their
    /// sources, as the kubelet's periodic sync does (a source gone, or any other failure, keeps
    /// what is there); emptyDir and persistent volumes are left as they are. Says whether a
    /// file changed.
    pub fn refresh(&mut self, pod: &Value, source: &dyn Source) -> bool {
        let mut changed = false;
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            let Ok(Filled::Files(fs)) = volume_files(pod, v, source) else { continue };
            let name = v["name"].as_str().unwrap_or_default();
            if self.vols.get(name) != Some(&fs) {
                self.vols.insert(name.to_string(), fs);
                changed = true;
            }
        }
        changed
    }

    /// A volume's files (to save a persistent one when the pod goes).
    pub fn files(&self, volume: &str) -> Option<&Fs> {
        self.vols.get(volume)
    }

    /// Puts data into a volume (a persistent volume's saved files).
    pub fn restore(&mut self, volume: &str, fs: Fs) {
        self.vols.insert(volume.to_string(), fs);
    }

    /// Runs `f` on the container's files with its volumes laid over them; what `f` writes under a
    /// writable mount stays in the volume.
    pub fn mounted<R>(&mut self, root: &mut Fs, mounts: &[Mount], f: impl FnOnce(&mut Fs) -> R) -> R {
        let mut hidden: Vec<(String, Fs)> = Vec::new();
        let mut used: Vec<&Mount> = Vec::new();
        for m in mounts {
            if used.iter().any(|u| u.volume == m.volume || u.path == m.path) {
                continue;
            }
            let Some(vol) = self.vols.get(&m.volume) else { continue };
            hidden.push((m.path.clone(), root.take_subtree(&m.path)));
            root.put_subtree(&m.path, vol.clone());
            used.push(m);
        }
        let out = f(root);
        for m in used.iter().rev() {
            let changed = root.take_subtree(&m.path);
            if !m.read_only {
                self.vols.insert(m.volume.clone(), changed);
            }
        }
        for (path, sub) in hidden.into_iter().rev() {
            root.put_subtree(&path, sub);
        }
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
            Mount {
                path: super::fs::normalize(m["mountPath"].as_str().unwrap_or("/"), "/"),
                read_only: m["readOnly"] == true || read_only_kinds(&volume),
                volume,
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

    #[test]
    fn volumes_are_shared_and_lay_over_the_image() {
        let pod = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [{"name": "html", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "web"}}]}});
        let mut vols = PodVolumes::build(&pod, &NoSource).unwrap();
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
        assert_eq!(PodVolumes::build(&missing, &NoSource).unwrap_err(), NotReady::Failed("MountVolume.SetUp failed for volume \"s\" : secret \"nope\" not found".into()));
    }
}
