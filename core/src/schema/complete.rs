//! Field names for the YAML editor: which keys the schema allows where the cursor is in a
//! manifest (completion), and what a key is (hover): its type and whether it is required.
//! Manifests being typed are rarely valid YAML, so the place is read from indentation alone:
//! the keys that open the blocks above the cursor, from the document's `apiVersion` and `kind`.

use super::{Definition, FieldType, Schema};

/// A field the schema allows at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldHint {
    pub name: String,
    /// The field's type as Kubernetes' API reference writes it (`string`, `[]Container`,
    /// `map[string]string`, `ObjectMeta`).
    pub type_name: String,
    pub required: bool,
}

/// One line read for its structure: where its key starts, whether it opens a list item, its
/// key (if it has one) and whether the key's value is on later lines.
struct Line<'a> {
    key_at: usize,
    dash_at: Option<usize>,
    key: Option<&'a str>,
    opens: bool,
}

fn read(line: &str) -> Option<Line<'_>> {
    let indent = line.len() - line.trim_start().len();
    let mut rest = line[indent..].trim_end();
    if rest.is_empty() || rest.starts_with('#') || rest == "---" {
        return None;
    }
    let mut key_at = indent;
    let mut dash_at = None;
    if rest == "-" || rest.starts_with("- ") {
        dash_at = Some(indent);
        let after = rest[1..].trim_start();
        key_at = indent + (rest.len() - after.len());
        rest = after;
    }
    let (key, opens) = match rest.split_once(':') {
        Some((k, v)) if !k.is_empty() && !k.contains(' ') && (v.is_empty() || v.starts_with(' ')) => (Some(k.trim_matches(['"', '\''])), v.trim().is_empty() || v.trim_start().starts_with('#')),
        _ => (None, false),
    };
    Some(Line { key_at, dash_at, key, opens })
}

/// The document of `text` that holds line `line` (0-based), as its lines, and the line's index
/// in it.
fn document(text: &str, line: usize) -> (Vec<&str>, usize) {
    let lines: Vec<&str> = text.split('\n').collect();
    let line = line.min(lines.len().saturating_sub(1));
    let start = lines[..line].iter().rposition(|l| l.trim_end() == "---").map_or(0, |i| i + 1);
    let end = lines[line..].iter().position(|l| l.trim_end() == "---").map_or(lines.len(), |i| line + i);
    (lines[start..end].to_vec(), line - start)
}

fn top_level<'a>(doc: &[&'a str], key: &str) -> Option<&'a str> {
    doc.iter().find_map(|l| l.strip_prefix(key)?.strip_prefix(':')).map(|v| v.trim().trim_matches(['"', '\'']))
}

/// The keys that open the blocks a key at column `at` on line `index` is in, outermost first.
fn path<'a>(doc: &[&'a str], index: usize, mut at: usize) -> Vec<&'a str> {
    let mut keys = Vec::new();
    // In a list item, the list's key may stand at the column of the item's dash.
    let mut in_item = false;
    for l in doc[..index].iter().rev().filter_map(|l| read(l)) {
        if at == 0 && !in_item {
            break;
        }
        if l.key_at < at || (in_item && l.key_at == at && l.dash_at.is_none()) {
            if !l.opens {
                // A scalar above is not a parent: the cursor is in a block it does not open.
                if l.dash_at.is_none() {
                    break;
                }
            } else if let Some(k) = l.key {
                keys.push(k);
            }
            at = l.dash_at.unwrap_or(l.key_at);
            in_item = l.dash_at.is_some();
        } else if l.key_at == at {
            // A sibling key; if it opens a list item, the item's parent is further up.
            if let Some(d) = l.dash_at {
                at = d;
                in_item = true;
            }
        }
    }
    keys.reverse();
    keys
}

fn type_name(schema: &Schema, t: &FieldType) -> String {
    match t {
        FieldType::String => "string".into(),
        FieldType::Int32 => "integer".into(),
        FieldType::Int64 => "integer".into(),
        FieldType::Double => "number".into(),
        FieldType::Boolean => "boolean".into(),
        FieldType::Bytes => "[]byte".into(),
        FieldType::DateTime => "Time".into(),
        FieldType::Quantity => "Quantity".into(),
        FieldType::IntOrString => "IntOrString".into(),
        FieldType::Any => "Object".into(),
        FieldType::Array(inner) => format!("[]{}", type_name(schema, inner)),
        FieldType::Map(inner) => format!("map[string]{}", type_name(schema, inner)),
        FieldType::Ref(name) => match schema.definition(name) {
            Some(Definition::Scalar(s)) => type_name(schema, s),
            _ => name.rsplit('.').next().unwrap_or(name).to_string(),
        },
    }
}

/// The definition keys at the end of `keys` belong to, from the kind's definition down.
fn definition_at<'s>(schema: &'s Schema, root: &'s str, keys: &[&str]) -> Option<&'s Definition> {
    let mut def = schema.definition(root)?;
    for k in keys {
        let Definition::Object { props, .. } = def else { return None };
        let mut t = props.get(*k)?;
        // Keys under a list field are its items' keys.
        while let FieldType::Array(inner) = t {
            t = inner;
        }
        let FieldType::Ref(name) = t else { return None };
        def = schema.definition(name)?;
    }
    Some(def)
}

fn kind_root<'s>(schema: &'s Schema, doc: &[&str]) -> Option<&'s str> {
    schema.kind(top_level(doc, "apiVersion")?, top_level(doc, "kind")?)
}

/// The fields allowed for a key at `line` (0-based) and byte `column`, except those already
/// there in the same block. Empty when the place is not one the schema describes (under
/// `labels`, in a value, in a document without a known kind).
pub fn fields_at(schema: &Schema, text: &str, line: usize, column: usize) -> Vec<FieldHint> {
    let (doc, index) = document(text, line);
    let current = doc.get(index).copied().unwrap_or("");
    let mut column = column.min(current.len());
    while !current.is_char_boundary(column) {
        column -= 1;
    }
    let before = &current[..column];
    // Only a key being typed: spaces, an optional `- `, then a word.
    let trimmed = before.trim_start();
    let word_start = trimmed.strip_prefix("- ").map_or(before.len() - trimmed.len(), |w| before.len() - w.len());
    if before[word_start..].contains([':', ' ']) {
        return Vec::new();
    }
    let keys = path(&doc, index, word_start);
    let Some(root) = kind_root(schema, &doc) else { return Vec::new() };
    let Some(Definition::Object { props, required, .. }) = definition_at(schema, root, &keys) else { return Vec::new() };
    // Keys already in this block (same column, not beyond a line that closes it).
    let mut present = Vec::new();
    for (i, l) in doc.iter().enumerate().filter(|(i, _)| *i != index) {
        let Some(r) = read(l) else { continue };
        if r.key_at == word_start && path(&doc, i, word_start) == keys {
            present.extend(r.key);
        }
    }
    props
        .iter()
        .filter(|(name, _)| !present.contains(&name.as_str()))
        .map(|(name, t)| FieldHint { name: name.clone(), type_name: type_name(schema, t), required: required.contains(name) })
        .collect()
}

/// What the key on `line` (0-based) is: its path (`spec.template.spec.containers.image`), type
/// and whether it is required.
pub fn field_on(schema: &Schema, text: &str, line: usize) -> Option<(String, FieldHint)> {
    let (doc, index) = document(text, line);
    let here = read(doc.get(index)?)?;
    let key = here.key?;
    let keys = path(&doc, index, here.key_at);
    let root = kind_root(schema, &doc)?;
    let Definition::Object { props, required, .. } = definition_at(schema, root, &keys)? else { return None };
    let t = props.get(key)?;
    let mut full: Vec<&str> = keys.clone();
    full.push(key);
    Some((full.join("."), FieldHint { name: key.to_string(), type_name: type_name(schema, t), required: required.iter().any(|r| r == key) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        \n  \n";

    fn names(h: &[FieldHint]) -> Vec<&str> {
        h.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn keys_where_the_cursor_is() {
        let s = Schema::v1_33();
        // In a container, after `image:`: container fields, without those already there.
        let c = fields_at(s, DEPLOY, 13, 8);
        assert!(names(&c).contains(&"ports") && names(&c).contains(&"resources"), "{c:?}");
        assert!(!names(&c).contains(&"image") && !names(&c).contains(&"name"));
        let ports = c.iter().find(|f| f.name == "ports").expect("ports");
        assert_eq!(ports.type_name, "[]ContainerPort");
        // Under spec: DeploymentSpec's fields; selector and template are required.
        let spec = fields_at(s, DEPLOY, 14, 2);
        assert!(names(&spec).contains(&"strategy"));
        assert!(!names(&spec).contains(&"replicas"));
        assert!(spec.iter().any(|f| f.name == "selector" && f.required && f.type_name == "LabelSelector"));
        // Top level, and a new list item's keys.
        assert!(names(&fields_at(s, "apiVersion: v1\nkind: Pod\n", 2, 0)).contains(&"spec"));
        let item = fields_at(s, "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - ", 4, 4);
        assert!(names(&item).contains(&"image"), "{item:?}");
        // No hints under labels (any key goes), in a value, or without a kind.
        assert!(fields_at(s, DEPLOY, 5, 4).is_empty());
        assert!(fields_at(s, DEPLOY, 7, 12).is_empty());
        assert!(fields_at(s, "metadata:\n  ", 1, 2).is_empty());
    }

    #[test]
    fn what_a_key_is() {
        let s = Schema::v1_33();
        let (path, f) = field_on(s, DEPLOY, 12).expect("image");
        assert_eq!(path, "spec.template.spec.containers.image");
        assert_eq!((f.type_name.as_str(), f.required), ("string", false));
        let (_, name) = field_on(s, DEPLOY, 11).expect("name");
        assert!(name.required);
        assert_eq!(field_on(s, DEPLOY, 7).map(|(_, f)| f.type_name), Some("integer".into()));
        assert!(field_on(s, DEPLOY, 5).is_none());
    }

    #[test]
    fn odd_text_does_not_panic() {
        let s = Schema::v1_33();
        for t in ["", "-", "- -", ":", "apiVersion: v1\nkind: Pod\n  - : x\n:\n", "---\n---", "日本語: x\n  あ"] {
            for line in 0..4 {
                for col in [0, 1, 3, 100] {
                    let _ = fields_at(s, t, line, col);
                }
                let _ = field_on(s, t, line);
            }
        }
    }
}
