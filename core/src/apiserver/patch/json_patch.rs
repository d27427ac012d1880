//! JSON patch (RFC 6902): add, remove, replace, move, copy and test at JSON pointers.

use serde_json::Value;

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer.strip_prefix('/').ok_or_else(|| format!("JSON pointer must be empty or start with a \"/\": {pointer:?}"))?;
    Ok(rest.split('/').map(unescape).collect())
}

fn parent_and_last<'a>(doc: &'a mut Value, path: &[String], pointer: &str) -> Result<(&'a mut Value, String), String> {
    let (last, parents) = path.split_last().ok_or_else(|| format!("doc is missing path: {pointer:?}"))?;
    let mut cur = doc;
    for t in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(t).ok_or_else(|| format!("doc is missing path: {pointer:?}"))?,
            Value::Array(a) => {
                let i: usize = t.parse().map_err(|_| format!("doc is missing path: {pointer:?}"))?;
                a.get_mut(i).ok_or_else(|| format!("doc is missing path: {pointer:?}"))?
            }
            _ => return Err(format!("doc is missing path: {pointer:?}")),
        };
    }
    Ok((cur, last.clone()))
}

fn get<'a>(doc: &'a Value, pointer: &str) -> Result<&'a Value, String> {
    let mut cur = doc;
    for t in tokens(pointer)? {
        cur = match cur {
            Value::Object(m) => m.get(&t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        }
        .ok_or_else(|| format!("doc is missing path: {pointer:?}"))?;
    }
    Ok(cur)
}

fn add(doc: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let path = tokens(pointer)?;
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = parent_and_last(doc, &path, pointer)?;
    match parent {
        Value::Object(m) => {
            m.insert(last, value);
        }
        Value::Array(a) => {
            let i = if last == "-" { a.len() } else { last.parse::<usize>().map_err(|_| format!("add operation does not apply: doc is missing path: {pointer:?}"))? };
            if i > a.len() {
                return Err(format!("add operation does not apply: doc is missing path: {pointer:?}"));
            }
            a.insert(i, value);
        }
        _ => return Err(format!("add operation does not apply: doc is missing path: {pointer:?}")),
    }
    Ok(())
}

fn remove(doc: &mut Value, pointer: &str) -> Result<Value, String> {
    let path = tokens(pointer)?;
    let (parent, last) = parent_and_last(doc, &path, pointer)?;
    let missing = || format!("remove operation does not apply: doc is missing path: {pointer:?}");
    match parent {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| missing())?;
            if i >= a.len() {
                return Err(missing());
            }
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

pub fn apply(target: &Value, patch: &Value) -> Result<Value, String> {
    let ops = patch.as_array().ok_or("json: cannot unmarshal object into Go value of type jsonpatch.Patch")?;
    let mut doc = target.clone();
    for op in ops {
        let path = op["path"].as_str().ok_or("Unable to get path")?;
        match op["op"].as_str().unwrap_or_default() {
            "add" => add(&mut doc, path, op.get("value").cloned().ok_or_else(|| "Unable to get value".to_string())?)?,
            "remove" => {
                remove(&mut doc, path)?;
            }
            "replace" => {
                get(&doc, path).map_err(|_| format!("replace operation does not apply: doc is missing key: {path}"))?;
                remove(&mut doc, path)?;
                add(&mut doc, path, op.get("value").cloned().ok_or_else(|| "Unable to get value".to_string())?)?;
            }
            "move" => {
                let from = op["from"].as_str().ok_or("Unable to get from")?;
                let v = remove(&mut doc, from)?;
                add(&mut doc, path, v)?;
            }
            "copy" => {
                let from = op["from"].as_str().ok_or("Unable to get from")?;
                let v = get(&doc, from)?.clone();
                add(&mut doc, path, v)?;
            }
            "test" => {
                let want = op.get("value").cloned().unwrap_or(Value::Null);
                let got = get(&doc, path).map_err(|_| format!("testing value {path} failed: test failed"))?;
                if *got != want {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations() {
        let t = json!({"spec": {"replicas": 1, "list": ["a", "b"]}, "a/b": 1});
        let p = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/spec/list/-", "value": "c"},
            {"op": "add", "path": "/spec/list/0", "value": "z"},
            {"op": "remove", "path": "/a~1b"},
            {"op": "copy", "from": "/spec/replicas", "path": "/copy"},
            {"op": "test", "path": "/copy", "value": 3},
        ]);
        assert_eq!(apply(&t, &p).unwrap(), json!({"spec": {"replicas": 3, "list": ["z", "a", "b", "c"]}, "copy": 3}));
        assert!(apply(&t, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(apply(&t, &json!([{"op": "test", "path": "/spec/replicas", "value": 9}])).is_err());
        assert!(apply(&t, &json!({"op": "add"})).is_err());
    }
}
