//! Field errors: what validation reports, with Kubernetes' field paths and wording
//! (apimachinery `util/validation/field`).

use std::fmt;

use serde_json::Value;

/// The kind of a field error; its `Display` is the phrase Kubernetes prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
    TypeInvalid,
}

impl ErrorType {
    /// The phrase in messages (`Required value`, `Invalid value`, ...).
    pub fn phrase(self) -> &'static str {
        match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid | ErrorType::TypeInvalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
        }
    }

    /// The `type` of a `StatusCause` (`FieldValueRequired`, ...).
    pub fn cause_type(self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
        }
    }
}

/// The offending value as Kubernetes prints it after `Invalid value: `.
#[derive(Clone, Debug, PartialEq)]
pub enum BadValue {
    /// Not printed (`Required value`, `Forbidden`, ...).
    Omitted,
    /// Printed Go-quoted: `"My_Pod"`.
    Str(String),
    /// Printed bare: `-1`, `true`, `0.5`.
    Num(String),
    /// Printed as given (a struct or list rendered the way the Go code does).
    Raw(String),
}

impl BadValue {
    pub fn from_json(v: &Value) -> BadValue {
        match v {
            Value::String(s) => BadValue::Str(s.clone()),
            Value::Number(n) => BadValue::Num(n.to_string()),
            Value::Bool(b) => BadValue::Num(b.to_string()),
            Value::Null => BadValue::Raw("null".into()),
            other => BadValue::Raw(other.to_string()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub kind: ErrorType,
    pub field: String,
    pub value: BadValue,
    pub detail: String,
}

impl FieldError {
    fn new(kind: ErrorType, field: &Path, value: BadValue, detail: impl Into<String>) -> Self {
        FieldError { kind, field: field.to_string(), value, detail: detail.into() }
    }
    pub fn required(field: &Path, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Required, field, BadValue::Omitted, detail)
    }
    pub fn invalid(field: &Path, value: BadValue, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Invalid, field, value, detail)
    }
    pub fn invalid_str(field: &Path, value: &str, detail: impl Into<String>) -> Self {
        Self::invalid(field, BadValue::Str(value.to_string()), detail)
    }
    pub fn invalid_num(field: &Path, value: impl fmt::Display, detail: impl Into<String>) -> Self {
        Self::invalid(field, BadValue::Num(value.to_string()), detail)
    }
    pub fn not_found(field: &Path, value: BadValue) -> Self {
        Self::new(ErrorType::NotFound, field, value, "")
    }
    pub fn duplicate(field: &Path, value: BadValue) -> Self {
        Self::new(ErrorType::Duplicate, field, value, "")
    }
    pub fn forbidden(field: &Path, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Forbidden, field, BadValue::Omitted, detail)
    }
    /// `Unsupported value: "x": supported values: "a", "b"`.
    pub fn not_supported(field: &Path, value: BadValue, supported: &[&str]) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(ErrorType::NotSupported, field, value, detail)
    }
    /// `Too long: may not be more than N bytes` (the 1.33 wording).
    pub fn too_long(field: &Path, max: usize) -> Self {
        Self::new(ErrorType::TooLong, field, BadValue::Omitted, format!("may not be more than {max} bytes"))
    }
    pub fn too_many(field: &Path, actual: usize, max: usize) -> Self {
        Self::new(ErrorType::TooMany, field, BadValue::Num(actual.to_string()), format!("must have at most {max} items"))
    }
    pub fn internal(field: &Path, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Internal, field, BadValue::Omitted, detail)
    }

    /// The message without the field path (`Required value`, `Invalid value: "x": detail`).
    pub fn body(&self) -> String {
        let mut s = match (&self.kind, &self.value) {
            (ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong | ErrorType::Internal, _) | (_, BadValue::Omitted) => {
                self.kind.phrase().to_string()
            }
            (_, BadValue::Str(v)) => format!("{}: {}", self.kind.phrase(), go_quote(v)),
            (_, BadValue::Num(v) | BadValue::Raw(v)) => format!("{}: {v}", self.kind.phrase()),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.body())
        } else {
            write!(f, "{}: {}", self.field, self.body())
        }
    }
}

/// A field path such as `spec.containers[0].image` or `metadata.labels[app]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    pub fn root() -> Self {
        Path(String::new())
    }
    pub fn new(name: &str) -> Self {
        Path(name.to_string())
    }
    pub fn child(&self, name: &str) -> Path {
        if self.0.is_empty() {
            Path(name.to_string())
        } else {
            Path(format!("{}.{name}", self.0))
        }
    }
    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
    pub fn key(&self, k: &str) -> Path {
        Path(format!("{}[{k}]", self.0))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Quotes a string the way Go's `%q` does (double quotes, escapes for control characters,
/// quotes and backslashes; printable Unicode kept as is).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How a list of errors reads in one message: the single message, or `[a, b]` (duplicates
/// dropped, as apimachinery's aggregate does).
pub fn aggregate(errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let s = e.to_string();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubernetes() {
        let p = Path::new("spec").child("containers").index(0).child("image");
        assert_eq!(FieldError::required(&p, "").to_string(), "spec.containers[0].image: Required value");
        let name = Path::new("metadata").child("name");
        assert_eq!(FieldError::invalid_str(&name, "My_Pod", "bad").to_string(), "metadata.name: Invalid value: \"My_Pod\": bad");
        assert_eq!(FieldError::invalid_num(&Path::new("spec.replicas"), -1, "must be greater than or equal to 0").to_string(),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
        assert_eq!(
            FieldError::not_supported(&Path::new("spec.restartPolicy"), BadValue::Str("Sometimes".into()), &["Always", "Never", "OnFailure"]).to_string(),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\""
        );
        assert_eq!(FieldError::too_long(&Path::new("[]"), 1_048_576).to_string(), "[]: Too long: may not be more than 1048576 bytes");
        assert_eq!(Path::new("metadata").child("labels").key("app").to_string(), "metadata.labels[app]");
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
    }

    #[test]
    fn aggregates_one_or_many() {
        let a = FieldError::required(&Path::new("a"), "");
        let b = FieldError::required(&Path::new("b"), "");
        assert_eq!(aggregate(&[a.clone()]), "a: Required value");
        assert_eq!(aggregate(&[a.clone(), b, a]), "[a: Required value, b: Required value]");
    }
}
