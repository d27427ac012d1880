//! `-o yaml` as kubectl writes it (sigs.k8s.io/yaml over go-yaml v2): keys sorted, block
//! sequences not indented under their key, strings plain when they read back as the same
//! string, otherwise single- or double-quoted; multi-line strings as literal blocks; long
//! scalars folded at spaces past column 80.

use serde_json::Value;

const BEST_WIDTH: usize = 80;

/// Renders a value as a YAML document.
pub fn to_yaml(v: &Value) -> String {
    let mut e = Emitter { out: String::new(), column: 0 };
    match v {
        Value::Object(m) if !m.is_empty() => e.mapping(v, 0),
        Value::Array(a) if !a.is_empty() => e.sequence(v, 0),
        other => {
            e.scalar(other, 0, false);
            e.newline();
        }
    }
    e.out
}

struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        match s.rfind('\n') {
            Some(i) => self.column = s[i + 1..].chars().count(),
            None => self.column += s.chars().count(),
        }
    }
    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push(' ');
        }
        self.column = n;
    }

    fn mapping(&mut self, v: &Value, indent: usize) {
        let Value::Object(m) = v else { return };
        let keys = natural_order(m.keys().collect());
        for (i, k) in keys.into_iter().enumerate() {
            if i > 0 {
                self.indent(indent);
            }
            self.key(k);
            self.write(":");
            self.value_after_key(&m[k.as_str()], indent);
        }
    }

    fn value_after_key(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.newline();
                self.indent(indent + 2);
                self.mapping(v, indent + 2);
            }
            Value::Array(a) if !a.is_empty() => {
                self.newline();
                self.indent(indent);
                self.sequence(v, indent);
            }
            other => {
                self.write(" ");
                self.scalar(other, indent + 2, false);
                self.newline();
            }
        }
    }

    fn sequence(&mut self, v: &Value, indent: usize) {
        let Value::Array(items) = v else { return };
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.indent(indent);
            }
            self.write("- ");
            match item {
                Value::Object(m) if !m.is_empty() => self.mapping(item, indent + 2),
                Value::Array(a) if !a.is_empty() => self.sequence(item, indent + 2),
                other => {
                    self.scalar(other, indent + 2, false);
                    self.newline();
                }
            }
        }
    }

    fn key(&mut self, k: &str) {
        self.scalar(&Value::String(k.to_string()), 0, true);
    }

    /// A scalar at the current position; `indent` is where folded and block lines go.
    fn scalar(&mut self, v: &Value, indent: usize, simple_key: bool) {
        match v {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => self.write(&number(n)),
            Value::Object(_) => self.write("{}"),
            Value::Array(_) => self.write("[]"),
            Value::String(s) => self.string(s, indent, simple_key),
        }
    }

    fn string(&mut self, s: &str, indent: usize, simple_key: bool) {
        let a = analyze(s);
        let plain_ok = !resolves_to_other_type(s);
        if s.contains('\n') && !simple_key && a.block_allowed {
            return self.literal(s, indent);
        }
        if !plain_ok {
            return self.double_quoted(s, indent, !simple_key);
        }
        if !s.contains('\n') && a.plain_allowed && !(simple_key && a.multiline) {
            return self.plain(s, indent, !simple_key);
        }
        if a.single_quoted_allowed && !s.contains('\n') {
            return self.single_quoted(s, indent, !simple_key);
        }
        self.double_quoted(s, indent, !simple_key);
    }

    fn plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && chars.get(i + 1).is_some_and(|n| *n != ' ') {
                    self.newline();
                    self.indent(indent);
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                self.write(c.encode_utf8(&mut [0; 4]));
                spaces = false;
            }
        }
    }

    fn single_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write("'");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i != chars.len() - 1 && chars.get(i + 1).is_some_and(|n| *n != ' ') {
                    self.newline();
                    self.indent(indent);
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.write("'");
                }
                self.write(c.encode_utf8(&mut [0; 4]));
                spaces = false;
            }
        }
        self.write("'");
    }

    fn double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !printable(c) || matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}') || c == '"' || c == '\\' || c == '\u{feff}' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\u{7}' => "\\a".to_string(),
                    '\u{8}' => "\\b".to_string(),
                    '\t' => "\\t".to_string(),
                    '\n' => "\\n".to_string(),
                    '\u{b}' => "\\v".to_string(),
                    '\u{c}' => "\\f".to_string(),
                    '\r' => "\\r".to_string(),
                    '\u{1b}' => "\\e".to_string(),
                    '"' => "\\\"".to_string(),
                    '\\' => "\\\\".to_string(),
                    '\u{85}' => "\\N".to_string(),
                    '\u{a0}' => "\\_".to_string(),
                    '\u{2028}' => "\\L".to_string(),
                    '\u{2029}' => "\\P".to_string(),
                    c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.write(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i != chars.len() - 1 {
                    self.newline();
                    self.indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.write("\\");
                    }
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                self.write(c.encode_utf8(&mut [0; 4]));
                spaces = false;
            }
        }
        self.write("\"");
    }

    fn literal(&mut self, s: &str, indent: usize) {
        let mut header = String::from("|");
        if s.starts_with(' ') || s.starts_with('\n') {
            header.push('2');
        }
        if !s.ends_with('\n') {
            header.push('-');
        } else if s == "\n" || s.ends_with("\n\n") {
            header.push('+');
        }
        self.write(&header);
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            self.newline();
            if !line.is_empty() {
                self.indent(indent);
                self.write(line);
            }
        }
        // `|+` keeps the trailing line breaks: an empty line for each beyond the first.
        if s.ends_with('\n') {
            let extra = s.len() - s.trim_end_matches('\n').len();
            if extra > 1 || s == "\n" {
                for _ in 1..extra {
                    self.newline();
                }
            }
        }
    }
}

/// go-yaml's key order: letters compare as characters, a non-letter sorts before a letter,
/// runs of digits compare as numbers (`a2` before `a10`). Merge-sorted by hand: the order is
/// not total for every input, and a sort that checks totality must not panic here.
fn natural_order(keys: Vec<&String>) -> Vec<&String> {
    if keys.len() <= 1 {
        return keys;
    }
    let mid = keys.len() / 2;
    let right = natural_order(keys[mid..].to_vec());
    let left = natural_order(keys[..mid].to_vec());
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if key_less(right[j], left[i]) {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    go_float(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` (and `%v`): exponent form below 1e-4 and from 1e6 up.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        let s = format!("{f:e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        format!("{f}")
    }
}

/// YAML's printable characters (go-yaml's `is_printable`).
fn printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a || (0x20..=0x7e).contains(&u) || u == 0x85 || (0xa0..=0xd7ff).contains(&u) || (0xe000..=0xfffd).contains(&u) && u != 0xfeff || (0x10000..=0x10ffff).contains(&u)
}

struct Analysis {
    plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
    multiline: bool,
}

/// go-yaml's scalar analysis, for block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis { plain_allowed: false, single_quoted_allowed: true, block_allowed: false, multiline: false };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut indicators = s.starts_with("---") || s.starts_with("...");
    let mut special = false;
    let (mut line_breaks, mut space_break, mut break_space) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let blank = |i: usize| chars.get(i).is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'));
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws = blank(i + 1);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => indicators = true,
                '?' | ':' | '-' if followed_by_ws => indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => indicators = true,
                '#' if chars[i - 1] == ' ' || chars[i - 1] == '\t' => indicators = true,
                _ => {}
            }
        }
        if !printable(c) && c != '\n' || c == '\u{feff}' {
            special = true;
        }
        let is_break = matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if is_break {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == chars.len() - 1 {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break {
            if i == 0 {
                leading_break = true;
            }
            if i == chars.len() - 1 {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_break = true;
            prev_space = false;
        } else {
            prev_space = false;
            prev_break = false;
        }
    }
    let mut plain = !indicators;
    let mut single = true;
    let mut block = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        plain = false;
    }
    if trailing_space {
        block = false;
    }
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
        block = false;
    }
    if line_breaks {
        plain = false;
    }
    Analysis { plain_allowed: plain, single_quoted_allowed: single, block_allowed: block, multiline: line_breaks }
}

/// Whether go-yaml would read the plain text back as something other than a string (null,
/// bool, number, timestamp), so it must be quoted.
fn resolves_to_other_type(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    let plain = s.replace('_', "");
    if go_parse_int(&plain) {
        return true;
    }
    if is_yaml_float(&plain) || is_base60_float(s) {
        return true;
    }
    is_timestamp(s)
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint` acceptance.
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o, 8)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    !digits.is_empty() && u128::from_str_radix(digits, radix).is_ok_and(|v| v <= u128::from(u64::MAX))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mant, exp) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let mant_ok = if let Some(frac) = mant.strip_prefix('.') {
        !frac.is_empty() && frac.bytes().all(|c| c.is_ascii_digit())
    } else {
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        !int.is_empty() && int.bytes().all(|c| c.is_ascii_digit()) && frac.bytes().all(|c| c.is_ascii_digit())
    };
    let exp_ok = exp.is_none_or(|e| {
        let d = e.strip_prefix(['+', '-']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = b.split_once('.').unwrap_or((b, ""));
    let mut parts = main.split(':');
    let Some(head) = parts.next() else { return false };
    if !head.starts_with(|c: char| c.is_ascii_digit()) || !head.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest.iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()) && (p.len() == 1 || p.as_bytes()[0] <= b'5'))
        && frac.bytes().all(|c| c.is_ascii_digit() || c == b'_')
}

/// go-yaml v2's timestamp forms: `2006-1-2T15:4:5.999999999Z07:00`, `2006-1-2t...`,
/// `2006-1-2 15:4:5.999999999`, `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some((&s[i..i + 1], &s[i + 1..]))),
        None => (s, None),
    };
    let d: Vec<&str> = date.split('-').collect();
    let date_ok = d.len() == 3 && d[0].len() == 4 && d.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|c| c.is_ascii_digit())) && d[1].len() <= 2 && d[2].len() <= 2;
    if !date_ok {
        return false;
    }
    let Some((sep, t)) = time else { return valid_date(&d) };
    let (clock, zone) = if sep == " " {
        (t, "")
    } else {
        match t.find(['Z', '+', '-']) {
            Some(i) => (&t[..i], &t[i..]),
            None => return false,
        }
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let h: Vec<&str> = hms.split(':').collect();
    let time_ok = h.len() == 3 && h.iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())) && frac.bytes().all(|c| c.is_ascii_digit());
    let zone_ok = sep == " " || zone == "Z" || {
        let z = &zone[1..];
        z.len() == 5 && z.as_bytes()[2] == b':' && z.bytes().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
    };
    time_ok && zone_ok && valid_date(&d)
}

fn valid_date(d: &[&str]) -> bool {
    let m: u32 = d[1].parse().unwrap_or(0);
    let day: u32 = d[2].parse().unwrap_or(0);
    (1..=12).contains(&m) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_render_like_kubectl() {
        let v = json!({"kind": "Deployment", "metadata": {"labels": {"app": "web"}, "resourceVersion": "", "creationTimestamp": "2026-11-25T11:00:00Z"},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "args": ["a", "true"], "resources": {}}]}}, "x": null, "list": []}});
        assert_eq!(
            to_yaml(&v),
            "kind: Deployment\nmetadata:\n  creationTimestamp: \"2026-11-25T11:00:00Z\"\n  labels:\n    app: web\n  resourceVersion: \"\"\nspec:\n  list: []\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - args:\n        - a\n        - \"true\"\n        name: web\n        resources: {}\n  x: null\n"
        );
    }

    #[test]
    fn strings_are_quoted_only_when_they_must_be() {
        let y = |s: &str| to_yaml(&json!({"k": s}));
        assert_eq!(y("plain text"), "k: plain text\n");
        assert_eq!(y("1.0"), "k: \"1.0\"\n");
        assert_eq!(y("0x1f"), "k: \"0x1f\"\n");
        assert_eq!(y("yes"), "k: \"yes\"\n");
        assert_eq!(y("a: b"), "k: 'a: b'\n");
        assert_eq!(y("*x"), "k: '*x'\n");
        assert_eq!(y("it's: x"), "k: 'it''s: x'\n");
        assert_eq!(y(" lead"), "k: ' lead'\n");
        assert_eq!(y("tab\there"), "k: \"tab\\there\"\n");
        assert_eq!(y("a\nb\n"), "k: |\n  a\n  b\n");
        assert_eq!(y("a\nb"), "k: |-\n  a\n  b\n");
        assert_eq!(y("a \nb"), "k: \"a \\nb\"\n");
        assert_eq!(y("2026-11-25"), "k: \"2026-11-25\"\n");
        assert_eq!(y("1:20"), "k: \"1:20\"\n");
        assert_eq!(y("v1.33.1"), "k: v1.33.1\n");
        let keys = to_yaml(&json!({"a10": 1, "a2": 1, "B": 1, "_a": 1, "a": 1}));
        assert_eq!(keys, "_a: 1\nB: 1\na: 1\na2: 1\na10: 1\n");
    }

    #[test]
    fn long_strings_fold_at_spaces_past_column_80() {
        let long = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.";
        let out = to_yaml(&json!({"message": long}));
        assert_eq!(out, "message: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane:\n  }, 2 Insufficient cpu.'\n");
    }
}
