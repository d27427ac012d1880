//! List options: label and field selectors, paging with `limit` and `continue`.

use serde_json::{json, Value};

use crate::api::labels::Selector;
use crate::api::object::{labels, name, namespace};
use crate::api::status::ApiError;
use crate::store::{ObjName, Selection};

use super::request::Request;
use super::strategy::Strategy;

/// A parsed field selector: `field=value` and `field!=value` terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    pub terms: Vec<(String, bool, String)>,
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, ApiError> {
        let mut terms = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, eq, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(ApiError::BadRequest(format!("invalid selector: '{s}'; can't understand '{part}'")));
            };
            terms.push((field.trim().to_string(), eq, value.trim().to_string()));
        }
        Ok(FieldSelector { terms })
    }

    pub fn matches(&self, strategy: &dyn Strategy, obj: &Value) -> bool {
        self.terms.iter().all(|(f, eq, v)| {
            let actual = match f.as_str() {
                "metadata.name" => Some(name(obj).to_string()),
                "metadata.namespace" => Some(namespace(obj).to_string()),
                _ => strategy.field_label(obj, f),
            };
            (actual.as_deref().unwrap_or("") == v) == *eq
        })
    }
}

pub struct ListOptions {
    pub labels: Selector,
    pub fields: FieldSelector,
    pub limit: usize,
    pub continue_after: Option<ObjName>,
}

impl ListOptions {
    pub fn from_request(req: &Request) -> Result<Self, ApiError> {
        let labels = match req.param("labelSelector") {
            Some(s) => Selector::parse(s).map_err(ApiError::BadRequest)?,
            None => Selector::everything(),
        };
        let fields = match req.param("fieldSelector") {
            Some(s) => FieldSelector::parse(s)?,
            None => FieldSelector::default(),
        };
        let limit = match req.param("limit") {
            Some(l) if !l.is_empty() => l.parse::<i64>().map_err(|_| ApiError::BadRequest(format!("invalid value for limit: {l}")))?.max(0) as usize,
            _ => 0,
        };
        let continue_after = match req.param("continue") {
            Some(c) if !c.is_empty() => Some(decode_continue(c)?),
            _ => None,
        };
        Ok(ListOptions { labels, fields, limit, continue_after })
    }

    /// What the store's indexes can narrow by.
    pub fn selection(&self) -> Selection {
        let eq = self.labels.equalities();
        if !eq.is_empty() {
            return Selection::LabelEquals(eq);
        }
        for (f, is_eq, v) in &self.fields.terms {
            if *is_eq && f == "spec.nodeName" {
                return Selection::FieldEquals("spec.nodeName", v.clone());
            }
        }
        Selection::All
    }

    pub fn matches(&self, strategy: &dyn Strategy, obj: &Value) -> bool {
        self.labels.matches(labels(obj)) && self.fields.matches(strategy, obj)
    }
}

/// A continue token: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"ns/name\u0000"}`, as
/// Kubernetes makes them.
pub fn encode_continue(rv: u64, last: &ObjName) -> String {
    let start = if last.0.is_empty() { format!("{}\u{0}", last.1) } else { format!("{}/{}\u{0}", last.0, last.1) };
    // Base64 in its URL alphabet, without padding (Go's RawURLEncoding).
    crate::api::base64::encode_url(json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start}).to_string().as_bytes())
}

fn decode_continue(token: &str) -> Result<ObjName, ApiError> {
    let bad = || ApiError::BadRequest("invalid continue token: continue key is not valid: server does not recognize this encoded version".into());
    let mut std = token.replace('-', "+").replace('_', "/");
    while std.len() % 4 != 0 {
        std.push('=');
    }
    let bytes = crate::api::base64::decode(&std).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if v["v"] != "meta.k8s.io/v1" {
        return Err(bad());
    }
    let start = v["start"].as_str().ok_or_else(bad)?.trim_end_matches('\u{0}');
    Ok(match start.split_once('/') {
        Some((ns, n)) => (ns.to_string(), n.to_string()),
        None => (String::new(), start.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip() {
        let k = ("default".to_string(), "web-1".to_string());
        assert_eq!(decode_continue(&encode_continue(42, &k)).unwrap(), k);
        assert!(decode_continue("garbage!").is_err());
    }

    #[test]
    fn field_selectors() {
        let f = FieldSelector::parse("metadata.name=a,status.phase!=Running").unwrap();
        assert_eq!(f.terms.len(), 2);
        assert!(FieldSelector::parse("nonsense").is_err());
    }
}
