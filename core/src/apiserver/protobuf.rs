//! Kubernetes' protobuf request bodies (what kubectl's typed clients send, e.g. `kubectl create
//! configmap`), decoded to JSON with the field numbers from the schema data. The envelope is the
//! `k8s\0` magic and a runtime.Unknown holding the type and the encoded object.

use serde_json::{json, Map, Value};

use crate::schema::{Definition, FieldType, ProtoField, Schema};
use crate::sim::clock::Timestamp;

pub const MAGIC: &[u8] = b"k8s\x00";
/// Go's zero time, which protobuf carries as seconds since 1970 and JSON as null.
const GO_ZERO_TIME_SECONDS: i64 = -62_135_596_800;
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or("unexpected end of protobuf data")?;
            self.pos += 1;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("protobuf varint too long".into())
    }
    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = usize::try_from(self.varint()?).map_err(|_| "length out of range")?;
        let end = self.pos.checked_add(len).filter(|e| *e <= self.buf.len()).ok_or("protobuf length beyond the data")?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn fixed(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or("unexpected end of protobuf data")?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    /// One field: its number, wire type and payload.
    fn field(&mut self) -> Result<(u32, Wire<'a>), String> {
        let tag = self.varint()?;
        let number = u32::try_from(tag >> 3).map_err(|_| "field number out of range")?;
        let wire = match tag & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(self.fixed(8)?),
            2 => Wire::Bytes(self.bytes()?),
            5 => {
                self.fixed(4)?;
                Wire::Fixed32
            }
            other => return Err(format!("unsupported protobuf wire type {other}")),
        };
        Ok((number, wire))
    }
}

enum Wire<'a> {
    Varint(u64),
    Fixed64(&'a [u8]),
    Fixed32,
    Bytes(&'a [u8]),
}

fn utf8(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 in protobuf string".to_string())
}

/// Decodes a request body: the envelope, then the object as its kind's message.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let inner = body.strip_prefix(MAGIC).ok_or("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")?;
    let mut r = Reader::new(inner);
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    while !r.done() {
        match r.field()? {
            (1, Wire::Bytes(tm)) => {
                let mut t = Reader::new(tm);
                while !t.done() {
                    match t.field()? {
                        (1, Wire::Bytes(b)) => api_version = utf8(b)?,
                        (2, Wire::Bytes(b)) => kind = utf8(b)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let schema = Schema::v1_33();
    let def = schema.kind(&api_version, &kind).ok_or_else(|| format!("no kind {kind:?} is registered for version {api_version:?}"))?;
    let mut obj = message(schema, def, raw, 0)?;
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(kind));
    }
    Ok(obj)
}

/// A message of a definition, as the JSON object it stands for.
fn message(schema: &Schema, def: &str, buf: &[u8], depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("protobuf nesting too deep".into());
    }
    if let Some(special) = special(def, buf)? {
        return Ok(special);
    }
    let Some(Definition::Object { props, proto, omit_zero, .. }) = schema.definition(def) else {
        return Err(format!("no protobuf form known for {def}"));
    };
    let mut out = Map::new();
    let mut r = Reader::new(buf);
    while !r.done() {
        let (number, wire) = r.field()?;
        match proto.get(&number) {
            Some(ProtoField::Named(name)) => {
                let Some(t) = props.get(name) else { continue };
                store(schema, &mut out, name, t, wire, depth)?;
            }
            Some(ProtoField::Inline(inner)) => {
                if let Wire::Bytes(b) = wire {
                    if let Value::Object(fields) = message(schema, inner, b, depth + 1)? {
                        out.extend(fields);
                    }
                }
            }
            None => {}
        }
    }
    // Go writes plain fields even when zero; JSON leaves the omitempty ones out.
    for f in omit_zero {
        let zero = matches!(out.get(f), Some(Value::String(s)) if s.is_empty())
            || matches!(out.get(f), Some(Value::Bool(false)))
            || matches!(out.get(f), Some(Value::Number(n)) if n.as_f64() == Some(0.0));
        if zero {
            out.remove(f);
        }
    }
    Ok(Value::Object(out))
}

/// The messages JSON writes as scalars: times, quantities, int-or-strings, raw JSON.
fn special(def: &str, buf: &[u8]) -> Result<Option<Value>, String> {
    let short = def.rsplit('.').next().unwrap_or(def);
    let pkg_ok = def.starts_with("io.k8s.apimachinery.") || def.starts_with("io.k8s.apiextensions-apiserver.");
    if !pkg_ok {
        return Ok(None);
    }
    let mut r = Reader::new(buf);
    let mut fields: Vec<(u32, Wire)> = Vec::new();
    while !r.done() {
        fields.push(r.field()?);
    }
    let int = |n: u32| fields.iter().find_map(|(k, w)| if *k == n { if let Wire::Varint(v) = w { Some(*v as i64) } else { None } } else { None });
    let bytes = |n: u32| fields.iter().find_map(|(k, w)| if *k == n { if let Wire::Bytes(b) = w { Some(*b) } else { None } } else { None });
    Ok(Some(match short {
        "Time" | "MicroTime" => {
            // Go writes its zero time as an empty message.
            let secs = int(1).unwrap_or(GO_ZERO_TIME_SECONDS);
            if secs == GO_ZERO_TIME_SECONDS && int(2).is_none() {
                Value::Null
            } else {
                let nanos = int(2).unwrap_or(0);
                json!(Timestamp::from_unix_millis(secs * 1000 + nanos / 1_000_000).rfc3339())
            }
        }
        "Quantity" => json!(utf8(bytes(1).unwrap_or_default())?),
        "IntOrString" => {
            if int(1).unwrap_or(0) == 1 {
                json!(utf8(bytes(3).unwrap_or_default())?)
            } else {
                json!(int(2).unwrap_or(0) as i32)
            }
        }
        "RawExtension" | "JSON" | "FieldsV1" => {
            let raw = bytes(1).unwrap_or_default();
            if raw.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(raw).map_err(|e| format!("invalid JSON in protobuf raw field: {e}"))?
            }
        }
        _ => return Ok(None),
    }))
}

fn scalar(schema: &Schema, t: &FieldType, wire: Wire, depth: usize) -> Result<Value, String> {
    Ok(match (schema.resolve(t), wire) {
        (FieldType::Int32, Wire::Varint(v)) => json!(v as i64 as i32),
        (FieldType::Int64, Wire::Varint(v)) => json!(v as i64),
        (FieldType::Boolean, Wire::Varint(v)) => json!(v != 0),
        (FieldType::Double, Wire::Fixed64(b)) => json!(f64::from_le_bytes(b.try_into().map_err(|_| "bad double")?)),
        (FieldType::String, Wire::Bytes(b)) => json!(utf8(b)?),
        (FieldType::Bytes, Wire::Bytes(b)) => json!(crate::api::base64::encode(b)),
        (FieldType::Ref(def), Wire::Bytes(b)) => message(schema, def, b, depth + 1)?,
        (FieldType::DateTime | FieldType::Quantity | FieldType::IntOrString | FieldType::Any, Wire::Bytes(b)) => match t {
            FieldType::Ref(def) => message(schema, def, b, depth + 1)?,
            _ => json!(utf8(b)?),
        },
        (FieldType::Array(inner), Wire::Bytes(b)) => {
            // A wrapped list (`ExtraValue`): a message whose field 1 repeats.
            let mut items = Vec::new();
            let mut r = Reader::new(b);
            while !r.done() {
                let (n, w) = r.field()?;
                if n == 1 {
                    items.push(scalar(schema, inner, w, depth + 1)?);
                }
            }
            Value::Array(items)
        }
        _ => return Err("protobuf field of an unexpected wire type".into()),
    })
}

/// Stores one field's value: repeated fields append, map entries insert.
fn store(schema: &Schema, out: &mut Map<String, Value>, name: &str, t: &FieldType, wire: Wire, depth: usize) -> Result<(), String> {
    match t {
        FieldType::Array(inner) => {
            let list = out.entry(name.to_string()).or_insert_with(|| json!([]));
            let Some(items) = list.as_array_mut() else { return Ok(()) };
            match (&**inner, wire) {
                // Packed numbers.
                (FieldType::Int32 | FieldType::Int64 | FieldType::Boolean, Wire::Bytes(b)) => {
                    let mut r = Reader::new(b);
                    while !r.done() {
                        let v = r.varint()?;
                        items.push(scalar(schema, inner, Wire::Varint(v), depth)?);
                    }
                }
                (_, w) => items.push(scalar(schema, inner, w, depth)?),
            }
        }
        FieldType::Map(inner) => {
            let Wire::Bytes(entry) = wire else { return Err("protobuf map entry of an unexpected wire type".into()) };
            let mut r = Reader::new(entry);
            let mut key = String::new();
            let mut value = Value::Null;
            while !r.done() {
                match r.field()? {
                    (1, Wire::Bytes(k)) => key = utf8(k)?,
                    (2, w) => value = scalar(schema, inner, w, depth)?,
                    _ => {}
                }
            }
            if value.is_null() {
                value = match schema.resolve(inner) {
                    FieldType::String | FieldType::Bytes => json!(""),
                    _ => Value::Null,
                };
            }
            let map = out.entry(name.to_string()).or_insert_with(|| json!({}));
            if let Some(m) = map.as_object_mut() {
                m.insert(key, value);
            }
        }
        other => {
            out.insert(name.to_string(), scalar(schema, other, wire, depth)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(n: u32, wire: u8) -> u8 {
        ((n << 3) | u32::from(wire)) as u8
    }

    fn len_field(n: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![tag(n, 2), payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_configmap_as_kubectl_sends_it() {
        let meta = len_field(1, b"demo");
        let entry = [len_field(1, b"a"), len_field(2, b"1")].concat();
        let cm = [len_field(1, &meta), len_field(2, &entry), vec![tag(4, 0), 1]].concat();
        let type_meta = [len_field(1, b"v1"), len_field(2, b"ConfigMap")].concat();
        let unknown = [len_field(1, &type_meta), len_field(2, &cm)].concat();
        let body = [MAGIC.to_vec(), unknown].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo"}, "data": {"a": "1"}, "immutable": true}));
        assert!(decode(b"k8s\x00\x0a\xff").is_err());
        assert!(decode(b"{}").is_err());
    }
}
