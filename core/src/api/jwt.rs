//! Service account tokens as the API server issues them: JSON Web Tokens (header, claims and
//! an RS256 signature, each in base64's URL alphabet) from kubeadm's default issuer.

use serde_json::Value;

use super::base64::{decode_url, encode_url};

/// The issuer and default audience of service account tokens (kubeadm's
/// `--service-account-issuer`).
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// The signing key's id (`kid`): the URL-base64 SHA-256 of its public part, the same for
/// every token the cluster signs.
pub fn key_id() -> String {
    encode_url(&super::sha256::digest(b"hakoniwa-simulated-signing-key"))
}

/// `header.claims.signature`, `sign` given the signed part (`header.claims`).
pub fn token(header: &Value, claims: &Value, sign: impl FnOnce(&str) -> Vec<u8>) -> String {
    let body = format!("{}.{}", encode_url(header.to_string().as_bytes()), encode_url(claims.to_string().as_bytes()));
    let signature = sign(&body);
    format!("{body}.{}", encode_url(&signature))
}

/// The simulated signing key's RS256 signature of a token's signed part: 256 bytes made from
/// the part, so the same claims sign the same and the API server can tell its own tokens.
pub fn sign(body: &str) -> Vec<u8> {
    let digest = super::sha256::digest(format!("hakoniwa-simulated-signing-key\n{body}").as_bytes());
    (0..8u8).flat_map(|i| {
        let mut block = digest;
        block[0] ^= i;
        super::sha256::digest(&block)
    }).collect()
}

/// The claims of a token this cluster signed, or `None` for anything else (malformed, or
/// signed by another key).
pub fn verify(token: &str) -> Option<Value> {
    let mut parts = token.trim().split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let body = format!("{header}.{claims}");
    if decode_url(signature).ok()? != sign(&body) {
        return None;
    }
    serde_json::from_slice(&decode_url(claims).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_verify_only_as_signed() {
        let t = token(&json!({"alg": "RS256"}), &json!({"sub": "system:serviceaccount:default:robot"}), sign);
        assert_eq!(verify(&t).unwrap()["sub"], "system:serviceaccount:default:robot");
        let forged = t.replacen("eyJ", "eyK", 2);
        assert_eq!(verify(&forged), None);
        assert_eq!(verify("not.a.token"), None);
        assert_eq!(verify(""), None);
        assert_eq!(sign("x").len(), 256);
    }
}
