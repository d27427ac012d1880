//! Here-documents (`cat <<EOF ... EOF`): their bodies are lifted out of a script before it is
//! split into statements, and the operator is left as a marker that names the body. Used by
//! every shell: a container's command, `kubectl exec`, and the learner's terminal, where
//! `kubectl apply -f - <<EOF` and `cat <<EOF > web.yaml` are how manifests are typed.

/// Marks a lifted here-document in a statement: `<<` MARK index.
pub const MARK: char = '\u{2}';

/// A lifted body, and whether `$VAR` and `$(...)` expand in it (the delimiter was unquoted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    pub expand: bool,
}

/// One `<<` operator found on a line.
struct Operator {
    /// Byte range of the operator and its delimiter word in the line.
    start: usize,
    end: usize,
    delimiter: String,
    strip_tabs: bool,
    quoted: bool,
}

/// The here-document operators of one line, outside quotes.
fn operators(line: &str) -> Vec<Operator> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                } else if b == b'\\' && q == b'"' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'\\' => i += 1,
            None if b == b'<' && bytes.get(i + 1) == Some(&b'<') && bytes.get(i + 2) != Some(&b'<') => {
                let start = i;
                let mut j = i + 2;
                let strip_tabs = bytes.get(j) == Some(&b'-');
                if strip_tabs {
                    j += 1;
                }
                while bytes.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
                    j += 1;
                }
                let mut delimiter = String::new();
                let mut quoted = false;
                while let Some(&c) = bytes.get(j) {
                    match c {
                        b'\'' | b'"' => {
                            quoted = true;
                            let close = line[j + 1..].find(c as char).map_or(line.len(), |k| j + 1 + k);
                            delimiter.push_str(&line[j + 1..close]);
                            j = (close + 1).min(line.len());
                        }
                        b'\\' => {
                            quoted = true;
                            j += 1;
                        }
                        b' ' | b'\t' | b';' | b'|' | b'&' | b'<' | b'>' | b'(' | b')' => break,
                        _ => {
                            let ch = line[j..].chars().next().unwrap_or(' ');
                            delimiter.push(ch);
                            j += ch.len_utf8();
                        }
                    }
                }
                if !delimiter.is_empty() {
                    out.push(Operator { start, end: j, delimiter, strip_tabs, quoted });
                }
                i = j;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out
}

/// Replaces every here-document of `script` by a marker and appends its body to `bodies`.
/// A body with no closing delimiter runs to the end of the script, as in bash.
pub fn extract(script: &str, bodies: &mut Vec<Body>) -> String {
    if !script.contains("<<") {
        return script.to_string();
    }
    let mut out = String::with_capacity(script.len());
    let mut lines = script.split('\n');
    while let Some(line) = lines.next() {
        let ops = operators(line);
        let mut last = 0;
        for op in &ops {
            out.push_str(&line[last..op.start]);
            out.push_str(&format!("<<{MARK}{}", bodies.len()));
            last = op.end;
            let mut text = String::new();
            for body_line in lines.by_ref() {
                let body_line = if op.strip_tabs { body_line.trim_start_matches('\t') } else { body_line };
                if body_line == op.delimiter {
                    break;
                }
                text.push_str(body_line);
                text.push('\n');
            }
            bodies.push(Body { text, expand: !op.quoted });
        }
        out.push_str(&line[last..]);
        out.push('\n');
    }
    out.pop();
    out
}

/// Whether a script typed so far needs more lines: a here-document still open, a line ending
/// in `\`, or a quote not closed.
pub fn incomplete(script: &str) -> bool {
    let mut lines = script.split('\n');
    let mut quote: Option<char> = None;
    while let Some(line) = lines.next() {
        if quote.is_none() {
            for op in operators(line) {
                let delim_found = lines.by_ref().any(|l| (if op.strip_tabs { l.trim_start_matches('\t') } else { l }) == op.delimiter);
                if !delim_found {
                    return true;
                }
            }
        }
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some('"'), '\\') | (None, '\\') => {
                    chars.next();
                }
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') => break,
                _ => {}
            }
        }
    }
    quote.is_some() || (script.ends_with('\\') && !script.ends_with("\\\\"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_lifted_and_marked() {
        let mut bodies = Vec::new();
        let s = extract("cat <<EOF > a.yaml\nkind: Pod\n  x: $HOME\nEOF\necho done", &mut bodies);
        assert_eq!(s, "cat <<\u{2}0 > a.yaml\necho done");
        assert_eq!(bodies, [Body { text: "kind: Pod\n  x: $HOME\n".into(), expand: true }]);
        let s = extract("kubectl apply -f - <<'END'\n$x\nEND", &mut bodies);
        assert_eq!(s, "kubectl apply -f - <<\u{2}1");
        assert_eq!(bodies[1], Body { text: "$x\n".into(), expand: false });
        let s = extract("cat <<-EOF\n\tindented\n\tEOF\necho 'a << b'", &mut bodies);
        assert_eq!(s, "cat <<\u{2}2\necho 'a << b'");
        assert_eq!(bodies[2].text, "indented\n");
        // No closing line: the rest of the script is the body.
        assert_eq!(extract("cat <<EOF\nlast", &mut bodies), "cat <<\u{2}3");
        assert_eq!(bodies[3].text, "last\n");
    }

    #[test]
    fn what_still_needs_lines() {
        assert!(incomplete("kubectl apply -f - <<EOF"));
        assert!(incomplete("kubectl apply -f - <<EOF\nkind: Pod"));
        assert!(!incomplete("kubectl apply -f - <<EOF\nkind: Pod\nEOF"));
        assert!(incomplete("kubectl get \\"));
        assert!(incomplete("echo 'open"));
        assert!(!incomplete("echo 'a << b'"));
        assert!(!incomplete("echo \"it's\""));
        assert!(!incomplete("kubectl get pods # it's"));
        assert!(!incomplete(""));
    }
}
