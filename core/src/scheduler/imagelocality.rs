//! ImageLocality: a node that already has the pod's images scores higher, scaled by how many
//! nodes have them (so one node does not get every pod of a popular image). The names are
//! compared as kube-scheduler compares them: the pod's image with `:latest` added when it has no
//! tag, against the names the kubelet reports in `status.images`. containerd reports fully
//! qualified names (`docker.io/library/nginx:1.27`), so `nginx:1.27` in a pod matches nothing —
//! as on a real kind cluster.

use std::collections::HashMap;

use serde_json::Value;

use super::plugins::NodeInfo;

const MB: i64 = 1024 * 1024;
/// Below this much image (summed over containers) the score is 0.
const MIN_THRESHOLD: i64 = 23 * MB;
/// At this much per container the score is 100.
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// Each image name on any node: its size and on how many nodes it is.
#[derive(Default)]
pub struct ImageStates {
    states: HashMap<String, (i64, usize)>,
    total_nodes: usize,
}

impl ImageStates {
    pub fn of(nodes: &[NodeInfo]) -> ImageStates {
        let mut states: HashMap<String, (i64, usize)> = HashMap::new();
        for n in nodes {
            for image in n.node["status"]["images"].as_array().into_iter().flatten() {
                let size = image["sizeBytes"].as_i64().unwrap_or(0);
                for name in image["names"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    let e = states.entry(name.to_string()).or_insert((size, 0));
                    e.1 += 1;
                }
            }
        }
        ImageStates { states, total_nodes: nodes.len() }
    }

    /// Whether any of the pod's images is on some node (otherwise every node scores 0).
    pub fn matters_for(&self, pod: &Value) -> bool {
        containers(pod).any(|image| self.states.contains_key(&normalized(image)))
    }

    /// The score, 0..100, of `node` for `pod`.
    pub fn score(&self, pod: &Value, node: &Value) -> i64 {
        let on_node: Vec<&str> = node["status"]["images"].as_array().into_iter().flatten().flat_map(|i| i["names"].as_array().into_iter().flatten().filter_map(Value::as_str)).collect();
        let mut sum = 0i64;
        let mut count = 0i64;
        for image in containers(pod) {
            count += 1;
            let name = normalized(image);
            if !on_node.contains(&name.as_str()) {
                continue;
            }
            if let Some((size, nodes)) = self.states.get(&name) {
                let spread = *nodes as f64 / self.total_nodes.max(1) as f64;
                sum += (*size as f64 * spread) as i64;
            }
        }
        let max = MAX_CONTAINER_THRESHOLD * count.max(1);
        let clamped = sum.clamp(MIN_THRESHOLD, max);
        100 * (clamped - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
    }
}

/// The images of the init containers and the containers.
fn containers(pod: &Value) -> impl Iterator<Item = &str> {
    let spec = &pod["spec"];
    spec["initContainers"].as_array().into_iter().flatten().chain(spec["containers"].as_array().into_iter().flatten()).filter_map(|c| c["image"].as_str())
}

/// The name with `:latest` when it has no tag.
fn normalized(image: &str) -> String {
    let colon = image.rfind(':').map_or(-1, |i| i as i64);
    let slash = image.rfind('/').map_or(-1, |i| i as i64);
    if colon <= slash {
        format!("{image}:latest")
    } else {
        image.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, images: Value) -> NodeInfo {
        NodeInfo::empty(&json!({"metadata": {"name": name}, "status": {"images": images}}))
    }

    #[test]
    fn big_images_already_pulled_score_by_their_spread() {
        let big = json!([{"names": ["registry.example/app@sha256:00", "registry.example/app:v1"], "sizeBytes": 500 * MB}]);
        let nodes = vec![node("a", big.clone()), node("b", json!([])), node("c", json!([]))];
        let states = ImageStates::of(&nodes);
        let pod = json!({"spec": {"containers": [{"image": "registry.example/app:v1"}]}});
        assert!(states.matters_for(&pod));
        // 500 MiB on one node of three: 166 MiB counts; (166-23)*100/(1000-23) = 14.
        assert_eq!(states.score(&pod, &nodes[0].node), 14);
        assert_eq!(states.score(&pod, &nodes[1].node), 0);
        // A short name does not match containerd's fully qualified one.
        let short = json!({"spec": {"containers": [{"image": "app"}]}});
        assert!(!states.matters_for(&short));
        assert_eq!(normalized("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalized("nginx:1.27"), "nginx:1.27");
    }
}
