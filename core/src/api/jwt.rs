//! Service account tokens as the API server issues them: JSON Web Tokens (header, claims and
//! an RS256 signature, each in base64's URL alphabet) from kubeadm's default issuer.

use serde_json::Value;

use super::base64::encode_url;

/// The issuer and default audience of service account tokens (kubeadm's
/// `--service-account-issuer`).
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// `header.claims.signature`, `sign` given the signed part (`header.claims`).
pub fn token(header: &Value, claims: &Value, sign: impl FnOnce(&str) -> Vec<u8>) -> String {
    let body = format!("{}.{}", encode_url(header.to_string().as_bytes()), encode_url(claims.to_string().as_bytes()));
    let signature = sign(&body);
    format!("{body}.{}", encode_url(&signature))
}
