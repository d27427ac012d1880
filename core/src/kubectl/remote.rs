//! Files on the Internet that the guide's and projects' instructions apply with
//! `kubectl apply -f URL`. The simulated cluster has no Internet: the ones a learner needs are
//! bundled here (written for Hakoniwa, with the objects the real files create); any other URL
//! cannot be read.

const INGRESS_NGINX_CLOUD: &str = include_str!("../../data/remote/ingress-nginx-cloud.yaml");
const METRICS_SERVER: &str = include_str!("../../data/remote/metrics-server.yaml");

/// The bundled text behind a URL, if any.
pub fn fetch(url: &str) -> Option<&'static str> {
    match url {
        "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/cloud/deploy.yaml" => Some(INGRESS_NGINX_CLOUD),
        "https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml"
        | "https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.7.2/components.yaml" => Some(METRICS_SERVER),
        _ => None,
    }
}
