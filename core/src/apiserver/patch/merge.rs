//! JSON merge patch (RFC 7386): objects merge, `null` removes, anything else replaces.

use serde_json::Value;

use super::MAX_DEPTH;

pub fn apply(target: &Value, patch: &Value) -> Result<Value, String> {
    merge(target, patch, 0)
}

fn merge(target: &Value, patch: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("patch nesting too deep".into());
    }
    let Value::Object(p) = patch else { return Ok(patch.clone()) };
    let mut out = match target {
        Value::Object(t) => t.clone(),
        _ => serde_json::Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            out.remove(k);
        } else {
            let merged = merge(out.get(k).unwrap_or(&Value::Null), v, depth + 1)?;
            out.insert(k.clone(), merged);
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_examples() {
        let t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        assert_eq!(apply(&t, &json!({"a": "z", "c": {"f": null}})).unwrap(), json!({"a": "z", "c": {"d": "e"}}));
        assert_eq!(apply(&json!({"a": [1, 2]}), &json!({"a": [3]})).unwrap(), json!({"a": [3]}));
        assert_eq!(apply(&json!({"a": "b"}), &json!(["c"])).unwrap(), json!(["c"]));
    }
}
