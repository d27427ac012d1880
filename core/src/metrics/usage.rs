//! What containers and nodes use, as metrics-server sees it: scraped every
//! [`RESOLUTION_SECONDS`], from the image catalog's idle usage (a leaking program grows), with a
//! small seeded variation per scrape, never above a container's limits. Pure: the same pod,
//! node and time give the same figures.

use serde_json::Value;

use crate::api::quantity::Quantity;
use crate::kubelet::images::{Catalog, Program, UsageSpec};
use crate::sim::clock::Timestamp;

/// metrics-server's `--metric-resolution` (its default): how often it scrapes the kubelets.
pub const RESOLUTION_SECONDS: i64 = 15;

/// How long before a scrape a container must have started for that scrape to show it.
const FRESH_CONTAINER_MS: i64 = 10_000;

/// CPU in nanocores and memory (working set) in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_nanos: i64,
    pub memory_bytes: i64,
}

impl Usage {
    pub fn plus(self, o: Usage) -> Usage {
        Usage { cpu_nanos: self.cpu_nanos.saturating_add(o.cpu_nanos), memory_bytes: self.memory_bytes.saturating_add(o.memory_bytes) }
    }

    /// `{"cpu": "1234567n", "memory": "4096Ki"}`, as metrics-server writes usage.
    pub fn to_json(self) -> Value {
        serde_json::json!({"cpu": cpu_quantity(self.cpu_nanos), "memory": memory_quantity(self.memory_bytes)})
    }
}

/// Nanocores as a quantity in its canonical form (`1234567n`, `2m`, `0`).
fn cpu_quantity(nanos: i64) -> String {
    match Quantity::parse(&format!("{nanos}n")) {
        Ok(q) => q.canonical(),
        Err(_) => "0".into(),
    }
}

/// Bytes as a binary quantity (`4096Ki`, `12Mi`, `1000`).
fn memory_quantity(bytes: i64) -> String {
    let units = ["", "Ki", "Mi", "Gi", "Ti"];
    let mut v = bytes;
    let mut i = 0;
    while v != 0 && v % 1024 == 0 && i + 1 < units.len() {
        v /= 1024;
        i += 1;
    }
    format!("{v}{}", units[i])
}

/// The last scrape at or before `now` of a scraper started at `since` (one on start, then one
/// every resolution), if it has made two.
pub fn last_scrape(since: Timestamp, now: Timestamp) -> Option<Timestamp> {
    let period = RESOLUTION_SECONDS * 1000;
    let k = (now.unix_millis() - since.unix_millis()).div_euclid(period);
    (k >= 1).then(|| Timestamp::from_unix_millis(since.unix_millis() + k * period))
}

fn parse(q: &str) -> Option<Quantity> {
    Quantity::parse(q).ok()
}

fn spec_usage(u: &UsageSpec) -> Usage {
    let cpu = parse(&u.cpu).map_or(0, |q| q.milli_value().saturating_mul(1_000_000));
    let memory = parse(&u.memory).map_or(0, |q| q.value());
    Usage { cpu_nanos: cpu, memory_bytes: memory }
}

/// A number in [0, 1) from a key: the same key gives the same number.
fn unit(key: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// When a container of the pod started running, if it is running.
fn running_since(pod: &Value, container: &str) -> Option<Timestamp> {
    let statuses = pod["status"]["containerStatuses"].as_array()?;
    let st = statuses.iter().find(|s| s["name"] == container)?;
    Timestamp::parse_rfc3339(st["state"]["running"]["startedAt"].as_str()?)
}

/// What one container of a pod uses at a scrape, if it was running at that scrape and the one
/// before (metrics-server computes CPU from two samples; a container started at least 10 s
/// before the scrape counts its start as the first).
pub fn container(pod: &Value, spec: &Value, at: Timestamp) -> Option<Usage> {
    let name = spec["name"].as_str()?;
    let started = running_since(pod, name)?;
    if at.unix_millis() - started.unix_millis() < FRESH_CONTAINER_MS {
        return None;
    }
    let catalog = Catalog::builtin();
    let image = spec["image"].as_str().and_then(|i| catalog.find(i));
    let base = spec_usage(image.and_then(|i| i.usage.as_ref()).unwrap_or(&catalog.usage.container));
    let key = format!("{}/{name}/{}", pod["metadata"]["uid"].as_str().unwrap_or_default(), at.unix_millis() / 1000);
    // CPU varies by ±15 % between scrapes, memory by ±3 % (kept to whole 4 KiB pages).
    let cpu = (base.cpu_nanos as f64 * (0.85 + 0.3 * unit(&format!("cpu/{key}")))) as i64;
    let mut memory = (base.memory_bytes as f64 * (0.97 + 0.06 * unit(&format!("mem/{key}")))) as i64;
    if let Some(Program::Leak { mebibytes_per_second }) = image.map(|i| &i.program) {
        let seconds = (at.unix_millis() - started.unix_millis()) as f64 / 1000.0;
        memory = memory.saturating_add((mebibytes_per_second * seconds * 1048576.0) as i64);
    }
    memory -= memory % 4096;
    let limits = &spec["resources"]["limits"];
    let cpu_limit = limits["cpu"].as_str().and_then(parse).map(|q| q.milli_value().saturating_mul(1_000_000));
    let memory_limit = limits["memory"].as_str().and_then(parse).map(|q| q.value());
    Some(Usage { cpu_nanos: cpu.min(cpu_limit.unwrap_or(i64::MAX)), memory_bytes: memory.min(memory_limit.unwrap_or(i64::MAX)) })
}

/// Each running container's usage, or `None` when any of them has none yet (metrics-server
/// leaves such a pod out). Pods with no running containers have none.
pub fn pod(pod: &Value, at: Timestamp) -> Option<Vec<(String, Usage)>> {
    let containers = pod["spec"]["containers"].as_array()?;
    let mut out = Vec::new();
    for c in containers {
        let name = c["name"].as_str().unwrap_or_default();
        if running_since(pod, name).is_none() {
            continue;
        }
        out.push((name.to_string(), container(pod, c, at)?));
    }
    (!out.is_empty()).then_some(out)
}

/// What a node uses at a scrape: its own share and its pods'.
pub fn node<'a>(node: &Value, pods: impl Iterator<Item = &'a Value>, at: Timestamp) -> Usage {
    let own = spec_usage(&Catalog::builtin().usage.node);
    let key = format!("{}/{}", node["metadata"]["uid"].as_str().unwrap_or_default(), at.unix_millis() / 1000);
    let mut total = Usage {
        cpu_nanos: (own.cpu_nanos as f64 * (0.9 + 0.2 * unit(&format!("cpu/{key}")))) as i64,
        memory_bytes: {
            let m = (own.memory_bytes as f64 * (0.99 + 0.02 * unit(&format!("mem/{key}")))) as i64;
            m - m % 4096
        },
    };
    for p in pods {
        for (_, u) in pod(p, at).unwrap_or_default() {
            total = total.plus(u);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn running(image: &str, started: &str, limits: Value) -> Value {
        json!({
            "metadata": {"name": "web", "uid": "u1"},
            "spec": {"containers": [{"name": "c", "image": image, "resources": {"limits": limits}}]},
            "status": {"containerStatuses": [{"name": "c", "state": {"running": {"startedAt": started}}}]},
        })
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn a_container_needs_two_scrapes_and_is_near_its_images_idle_usage() {
        let p = running("nginx:1.27", "2026-11-25T09:00:10Z", json!({}));
        assert_eq!(container(&p, &p["spec"]["containers"][0], at("2026-11-25T09:00:15Z")), None);
        assert!(container(&p, &p["spec"]["containers"][0], at("2026-11-25T09:00:20Z")).is_some());
        let u = container(&p, &p["spec"]["containers"][0], at("2026-11-25T09:00:30Z")).unwrap();
        assert!((850_000..=1_150_000).contains(&u.cpu_nanos), "{u:?}");
        assert!((4 * 1048576 * 97 / 100..=4 * 1048576 * 103 / 100).contains(&u.memory_bytes), "{u:?}");
        assert_eq!(u.memory_bytes % 4096, 0);
        // The same scrape gives the same figures; another scrape may not.
        assert_eq!(container(&p, &p["spec"]["containers"][0], at("2026-11-25T09:00:30Z")), Some(u));
    }

    #[test]
    fn limits_cap_usage_and_a_leak_grows() {
        let p = running("hakoniwa/leak", "2026-11-25T09:00:00Z", json!({"memory": "100Mi", "cpu": "100u"}));
        let c = &p["spec"]["containers"][0];
        let early = container(&p, c, at("2026-11-25T09:00:15Z")).unwrap();
        assert!(early.memory_bytes > 15 * 16 * 1048576 / 10, "{early:?}");
        let late = container(&p, c, at("2026-11-25T09:01:00Z")).unwrap();
        assert_eq!(late.memory_bytes, 100 * 1048576);
        assert_eq!(late.cpu_nanos, 1_000_000.min(late.cpu_nanos));
    }

    #[test]
    fn quantities_are_written_as_metrics_server_writes_them() {
        assert_eq!(Usage { cpu_nanos: 1_234_567, memory_bytes: 4_194_304 }.to_json(), json!({"cpu": "1234567n", "memory": "4Mi"}));
        assert_eq!(Usage { cpu_nanos: 0, memory_bytes: 4_198_400 }.to_json(), json!({"cpu": "0", "memory": "4100Ki"}));
        assert_eq!(last_scrape(at("2026-11-25T09:00:02Z"), at("2026-11-25T09:00:16Z")), None);
        assert_eq!(last_scrape(at("2026-11-25T09:00:02Z"), at("2026-11-25T09:00:33Z")), Some(at("2026-11-25T09:00:32Z")));
    }
}
