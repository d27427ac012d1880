//! Parsing JSON and YAML into values while noticing duplicate keys, which strict field
//! validation reports (`duplicate field "spec.replicas"`); the last value wins, as in Go.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Builds a value at a path, recording the paths of keys seen twice.
struct Tracked<'a> {
    path: String,
    dups: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Tracked<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Tracked<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let seed = Tracked { path: format!("{}[{i}]", self.path), dups: &mut *self.dups };
            match seq.next_element_seed(seed)? {
                Some(v) => out.push(v),
                None => break,
            }
            i += 1;
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<KeyString>()? {
            let key = key.0;
            let child = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            if out.contains_key(&key) {
                self.dups.push(child.clone());
            }
            let v = map.next_value_seed(Tracked { path: child, dups: &mut *self.dups })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A map key: strings as they are, and (for YAML) numbers and booleans as their text.
struct KeyString(String);

impl<'de> serde::Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyString, E> {
                Ok(KeyString(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyString, E> {
                Ok(KeyString("null".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses JSON, returning the value and the paths of duplicated keys.
pub fn json_with_duplicates(text: &str) -> Result<(Value, Vec<String>), serde_json::Error> {
    let mut dups = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Tracked { path: String::new(), dups: &mut dups }.deserialize(&mut de)?;
    de.end()?;
    Ok((v, dups))
}

/// Parses YAML, returning the value and the paths of duplicated keys.
pub fn yaml_with_duplicates(text: &str) -> Result<(Value, Vec<String>), serde_yaml::Error> {
    let mut dups = Vec::new();
    let de = serde_yaml::Deserializer::from_str(text);
    let v = Tracked { path: String::new(), dups: &mut dups }.deserialize(de)?;
    Ok((v, dups))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_and_keeps_the_last() {
        let (v, d) = json_with_duplicates(r#"{"spec": {"replicas": 1, "replicas": 3, "x": [{"a": 1, "a": 2}]}}"#).unwrap();
        assert_eq!(v["spec"]["replicas"], 3);
        assert_eq!(d, ["spec.replicas", "spec.x[0].a"]);
        let (v, d) = yaml_with_duplicates("a: 1\na: 2\n1: x\n").unwrap();
        assert_eq!((v["a"].as_i64(), v["1"].as_str()), (Some(2), Some("x")));
        assert_eq!(d, ["a"]);
        assert!(json_with_duplicates("[".repeat(100_000).as_str()).is_err());
    }
}
