//! The request boundary: an HTTP-shaped request in, an HTTP-shaped response out. Callers in
//! the same process may hand over and take back JSON values directly instead of bytes; the
//! server treats both the same way.

use std::sync::Arc;

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            _ => return None,
        })
    }
}

/// A request body: raw bytes as sent over HTTP, or a JSON value from an in-process caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Body {
    #[default]
    Empty,
    Bytes(Vec<u8>),
    Object(Value),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: Method,
    /// The path without the query (`/api/v1/namespaces/default/pods`), percent-decoded.
    pub path: String,
    /// Query parameters in order, decoded.
    pub query: Vec<(String, String)>,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Request {
    /// A request for `target`, which may carry a query string (`/api/v1/pods?limit=5`).
    pub fn new(method: Method, target: &str) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, parse_query(q)),
            None => (target, Vec::new()),
        };
        Request { method, path: percent_decode(path, false), query, headers: Vec::new(), body: Body::Empty }
    }
    pub fn get(target: &str) -> Self {
        Request::new(Method::Get, target)
    }
    pub fn post(target: &str, body: Value) -> Self {
        Request::new(Method::Post, target).with_object(body)
    }
    pub fn put(target: &str, body: Value) -> Self {
        Request::new(Method::Put, target).with_object(body)
    }
    pub fn delete(target: &str) -> Self {
        Request::new(Method::Delete, target)
    }
    pub fn with_object(mut self, body: Value) -> Self {
        self.body = Body::Object(body);
        self
    }
    pub fn with_bytes(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(body.into());
        self.with_header("content-type", content_type)
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }
    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// Every value of a query parameter, in order.
    pub fn params<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

/// One event of a watch: its type (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`) and
/// the object, shared with the store when it can be.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchItem {
    pub kind: String,
    pub object: Arc<Value>,
}

impl WatchItem {
    pub fn to_json(&self) -> Value {
        serde_json::json!({"type": self.kind, "object": *self.object})
    }
}

/// A response body: a JSON value (serialised by whoever sends it on), a list whose items are
/// shared with the store (no copies at 100,000 objects), plain text (logs), or the events of a
/// watch.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseBody {
    Empty,
    Object(Value),
    /// `head` holds kind, apiVersion and metadata; `items` go under `items`.
    List { head: Value, items: Vec<Arc<Value>> },
    Text(String),
    /// Binary content (the protobuf form of `/openapi/v2`).
    Bytes(Vec<u8>),
    Events(Vec<WatchItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

impl Response {
    pub fn object(status: u16, body: Value) -> Self {
        Response { status, headers: vec![("content-type".into(), "application/json".into())], body: ResponseBody::Object(body) }
    }
    pub fn text(status: u16, body: String) -> Self {
        Response { status, headers: vec![("content-type".into(), "text/plain".into())], body: ResponseBody::Text(body) }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// `Warning` headers (`299 - "message"`), as kubectl prints them.
    pub fn warnings(&self) -> impl Iterator<Item = &str> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("warning")).map(|(_, v)| v.as_str())
    }
    pub fn add_warning(&mut self, message: &str) {
        self.headers.push(("warning".into(), format!("299 - {}", crate::api::field::go_quote(message))));
    }
    /// The JSON body, if it is a single value (errors, objects, tables).
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            ResponseBody::Object(v) => Some(v),
            _ => None,
        }
    }

    /// The body as one JSON value (lists assembled, watch events as an array), copying what
    /// it shares with the store.
    pub fn into_value(self) -> Option<Value> {
        match self.body {
            ResponseBody::Object(v) => Some(v),
            ResponseBody::List { mut head, items } => {
                head["items"] = Value::Array(items.iter().map(|i| (**i).clone()).collect());
                Some(head)
            }
            ResponseBody::Events(es) => Some(Value::Array(es.iter().map(WatchItem::to_json).collect())),
            ResponseBody::Text(t) => Some(Value::String(t)),
            ResponseBody::Bytes(_) | ResponseBody::Empty => None,
        }
    }

    /// A list's head (kind, apiVersion, metadata) and its items as the store shares them, without
    /// copying them; any other JSON body is the head, its `items` (if any) taken out of it.
    pub fn into_list(self) -> (Value, Vec<Arc<Value>>) {
        match self.body {
            ResponseBody::List { head, items } => (head, items),
            body => {
                let mut head = Response { status: self.status, headers: Vec::new(), body }.into_value().unwrap_or(Value::Null);
                let items = match head.get_mut("items").map(Value::take) {
                    Some(Value::Array(items)) => items.into_iter().map(Arc::new).collect(),
                    _ => Vec::new(),
                };
                (head, items)
            }
        }
    }

    /// Watch events as JSON values (`{"type": ..., "object": ...}`).
    pub fn events(&self) -> Vec<Value> {
        match &self.body {
            ResponseBody::Events(es) => es.iter().map(WatchItem::to_json).collect(),
            _ => Vec::new(),
        }
    }
    /// The body as bytes, as it goes over HTTP.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            ResponseBody::Empty => Vec::new(),
            ResponseBody::Object(v) => serde_json::to_vec(v).unwrap_or_default(),
            ResponseBody::List { head, items } => {
                // The head, then the items, without assembling one big value.
                let mut out = serde_json::to_vec(head).unwrap_or_default();
                if out.last() == Some(&b'}') {
                    out.pop();
                    out.extend_from_slice(if out.len() > 1 { b",\"items\":[" } else { b"\"items\":[" });
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend(serde_json::to_vec(&**item).unwrap_or_default());
                    }
                    out.extend_from_slice(b"]}");
                }
                out
            }
            ResponseBody::Text(t) => t.clone().into_bytes(),
            ResponseBody::Bytes(b) => b.clone(),
            ResponseBody::Events(es) => {
                let mut out = Vec::new();
                for e in es {
                    out.extend(serde_json::to_vec(&serde_json::json!({"type": e.kind, "object": &*e.object})).unwrap_or_default());
                    out.push(b'\n');
                }
                out
            }
        }
    }
}

/// Splits and decodes `a=1&b=x%20y` (`+` is a space, as in forms).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

/// Decodes `%xx` escapes (and `+` as space when `plus_is_space`); invalid escapes stay as is.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query value (everything but unreserved characters).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_serialise_like_one_value() {
        let r = Response {
            status: 200,
            headers: vec![],
            body: ResponseBody::List { head: serde_json::json!({"kind": "PodList", "metadata": {}}), items: vec![Arc::new(serde_json::json!({"a": 1}))] },
        };
        let bytes = r.body_bytes();
        let parsed: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(parsed, r.into_value().unwrap());
    }

    #[test]
    fn parses_targets_and_queries() {
        let r = Request::get("/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+(a)&limit=5&watch");
        assert_eq!(r.path, "/api/v1/pods");
        assert_eq!(r.param("labelSelector"), Some("app=web,tier in (a)"));
        assert_eq!(r.param("limit"), Some("5"));
        assert_eq!(r.param("watch"), Some(""));
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
        assert_eq!(percent_encode("a=b c"), "a%3Db%20c");
    }
}
