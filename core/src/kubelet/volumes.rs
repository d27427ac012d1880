//! A pod's volumes as its containers see them: emptyDir (shared by the pod's containers, kept
//! across restarts), configMap, secret and downwardAPI (files made from their source, read-only),
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

impl PodVolumes {
    /// Builds the pod's volumes; a missing ConfigMap or Secret that is not optional stops the
    /// pod with the kubelet's FailedMount message.
    pub fn build(pod: &Value, source: &dyn Source) -> Result<PodVolumes, NotReady> {
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
        let mut vols = BTreeMap::new();
        let mut persistent = BTreeMap::new();
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            let name = v["name"].as_str().unwrap_or_default().to_string();
            let fs = if let Some(cm) = v.get("configMap").filter(|x| !x.is_null()) {
                let cm_name = cm["name"].as_str().unwrap_or_default();
                match source.config_map(ns, cm_name) {
                    Some(obj) => {
                        let data: Vec<(String, String)> = obj["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
                        files_from(&data, &cm["items"])
                    }
                    None if cm["optional"] == true => Fs::default(),
                    None => return Err(NotReady::Failed(format!("MountVolume.SetUp failed for volume \"{name}\" : configmap \"{cm_name}\" not found"))),
                }
            } else if let Some(sec) = v.get("secret").filter(|x| !x.is_null()) {
                let s_name = sec["secretName"].as_str().unwrap_or_default();
                match source.secret(ns, s_name) {
                    Some(obj) => {
                        let data: Vec<(String, String)> = obj["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), decode(v))).collect();
                        files_from(&data, &sec["items"])
                    }
                    None if sec["optional"] == true => Fs::default(),
                    None => return Err(NotReady::Failed(format!("MountVolume.SetUp failed for volume \"{name}\" : secret \"{s_name}\" not found"))),
                }
            } else if let Some(pvc) = v.get("persistentVolumeClaim").filter(|x| !x.is_null()) {
                let claim = pvc["claimName"].as_str().unwrap_or_default();
                match source.claim(ns, claim) {
                    Some(c) if c["status"]["phase"] == "Bound" => {
                        persistent.insert(name.clone(), c["spec"]["volumeName"].as_str().unwrap_or_default().to_string());
                        Fs::default()
                    }
                    Some(_) => return Err(NotReady::Waiting),
                    None => return Err(NotReady::Failed(format!("persistentvolumeclaim \"{claim}\" not found"))),
                }
            } else if let Some(d) = v.get("downwardAPI").filter(|x| !x.is_null()) {
                let mut data = Vec::new();
                for it in d["items"].as_array().into_iter().flatten() {
                    let path = it["path"].as_str().unwrap_or_default().to_string();
                    let field = it["fieldRef"]["fieldPath"].as_str().unwrap_or_default();
                    let value = match field {
                        "metadata.labels" | "metadata.annotations" => {
                            let key = field.trim_start_matches("metadata.");
                            pod["metadata"][key].as_object().into_iter().flatten().map(|(k, v)| format!("{k}=\"{}\"\n", v.as_str().unwrap_or_default())).collect::<String>().trim_end().to_string()
                        }
                        "metadata.name" => pod["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                        "metadata.namespace" => ns.to_string(),
                        "metadata.uid" => pod["metadata"]["uid"].as_str().unwrap_or_default().to_string(),
                        _ => String::new(),
                    };
                    data.push((path.clone(), value));
                }
                let files: Vec<(String, String)> = data.into_iter().map(|(k, v)| (format!("/{k}"), v)).collect();
                Fs::with(&files, &[])
            } else {
                // emptyDir and the kinds the simulation does not fill yet start empty.
                Fs::default()
            };
            vols.insert(name, fs);
        }
        Ok(PodVolumes { vols, persistent })
    }

    /// Brings configMap, secret and downwardAPI volumes up to date with their sources, as the
    /// kubelet's periodic sync does (a source gone, or any other failure, keeps what is
    /// there); emptyDir and persistent volumes are left as they are. Says whether a file changed.
    pub fn refresh(&mut self, pod: &Value, source: &dyn Source) -> bool {
        let kinds = ["configMap", "secret", "downwardAPI"];
        let mut changed = false;
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            if !kinds.iter().any(|k| v.get(*k).is_some_and(|x| !x.is_null())) {
                continue;
            }
            let one = serde_json::json!({"metadata": pod["metadata"], "spec": {"volumes": [v]}});
            let Ok(fresh) = PodVolumes::build(&one, source) else { continue };
            let name = v["name"].as_str().unwrap_or_default();
            if let Some(fs) = fresh.vols.get(name) {
                if self.vols.get(name) != Some(fs) {
                    self.vols.insert(name.to_string(), fs.clone());
                    changed = true;
                }
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
