//! A command line as kubectl reads it: words split as a POSIX shell would (quotes, backslashes),
//! then flags parsed with pflag's rules — flags anywhere among the arguments, `--name=value`,
//! `--name value`, `-n value`, `-nvalue`, `-n=value`, combined short booleans (`-it`), and `--`
//! ending the flags.

use std::collections::BTreeMap;

/// Why a line could not be split into words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("unterminated quoted string")]
    Unterminated,
    /// A pipe, redirection, `;`, `&&` or `$(...)`: the terminal runs kubectl, not a shell.
    #[error("{0:?}: only kubectl commands run here (no pipes, redirections or command lists)")]
    Shell(String),
}

/// Splits a command line into words.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err(SplitError::Unterminated),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err(SplitError::Unterminated),
                        },
                        Some(c) => cur.push(c),
                        None => return Err(SplitError::Unterminated),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => cur.push(c),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '|' | ';' | '>' | '<' | '&' | '`' => return Err(SplitError::Shell(ch.to_string())),
            '$' if chars.peek() == Some(&'(') => return Err(SplitError::Shell("$(".into())),
            '#' if !in_word => break,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// What a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// `--watch`, `--watch=false`.
    Bool,
    /// One value; given again, the last wins.
    Value,
    /// Each occurrence adds (`-f a -f b`, `--from-literal`); a value may hold commas for
    /// string-slice flags, which the command splits itself.
    Values,
}

/// One flag a command accepts.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    pub name: &'static str,
    pub short: Option<char>,
    pub takes: Takes,
}

pub const fn flag(name: &'static str, short: Option<char>, takes: Takes) -> Flag {
    Flag { name, short, takes }
}

/// Flags every command accepts (kubectl's persistent flags).
pub const GLOBAL: &[Flag] = &[
    flag("namespace", Some('n'), Takes::Value),
    flag("context", None, Takes::Value),
    flag("kubeconfig", None, Takes::Value),
    flag("cluster", None, Takes::Value),
    flag("user", None, Takes::Value),
    flag("as", None, Takes::Value),
    flag("as-group", None, Takes::Values),
    flag("as-uid", None, Takes::Value),
    flag("server", Some('s'), Takes::Value),
    flag("token", None, Takes::Value),
    flag("request-timeout", None, Takes::Value),
    flag("insecure-skip-tls-verify", None, Takes::Bool),
    flag("v", Some('v'), Takes::Value),
    flag("match-server-version", None, Takes::Bool),
    flag("warnings-as-errors", None, Takes::Bool),
    flag("disable-compression", None, Takes::Bool),
    flag("cache-dir", None, Takes::Value),
    flag("certificate-authority", None, Takes::Value),
    flag("client-certificate", None, Takes::Value),
    flag("client-key", None, Takes::Value),
    flag("tls-server-name", None, Takes::Value),
    flag("username", None, Takes::Value),
    flag("password", None, Takes::Value),
    flag("profile", None, Takes::Value),
    flag("profile-output", None, Takes::Value),
    flag("log-flush-frequency", None, Takes::Value),
    flag("help", Some('h'), Takes::Bool),
];

/// Why the flags could not be parsed: kubectl's (pflag's) wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    #[error("unknown flag: --{0}")]
    Unknown(String),
    #[error("unknown shorthand flag: '{0}' in -{1}")]
    UnknownShort(char, String),
    #[error("flag needs an argument: --{0}")]
    NeedsArgument(String),
    #[error("flag needs an argument: '{0}' in -{1}")]
    ShortNeedsArgument(char, String),
    #[error("invalid argument {value:?} for \"{flag}\" flag: strconv.ParseBool: parsing {value:?}: invalid syntax")]
    BadBool { flag: String, value: String },
}

/// The arguments of one command, flags taken out.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub args: Vec<String>,
    /// Values by flag name; booleans hold "true"/"false".
    pub flags: BTreeMap<&'static str, Vec<String>>,
    /// How many of `args` came before a `--` (all of them when there was none).
    pub before_dash: usize,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }
    /// The last value given for a flag.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.flags.get(name).and_then(|v| v.last()).map(String::as_str)
    }
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.flags.get(name).map(|v| v.iter().map(String::as_str).collect()).unwrap_or_default()
    }
    pub fn bool(&self, name: &str) -> bool {
        self.value(name) == Some("true")
    }
    /// Values of a string-slice flag: each occurrence split on commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.values(name).iter().flat_map(|v| v.split(',')).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }
}

fn parse_bool(flag: &str, value: &str) -> Result<&'static str, FlagError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok("true"),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok("false"),
        _ => Err(FlagError::BadBool { flag: flag.to_string(), value: value.to_string() }),
    }
}

/// Parses `words` against the command's flags and the global ones.
pub fn parse(words: &[String], local: &[Flag]) -> Result<Parsed, FlagError> {
    let find_long = |name: &str| local.iter().chain(GLOBAL).find(|f| f.name == name).copied();
    let find_short = |c: char| local.iter().chain(GLOBAL).find(|f| f.short == Some(c)).copied();
    let mut out = Parsed::default();
    let mut i = 0;
    let mut dash = None;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            dash = Some(out.args.len());
            out.args.extend(words[i..].iter().cloned());
            break;
        }
        if let Some(body) = w.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(f) = find_long(name) else { return Err(FlagError::Unknown(name.to_string())) };
            let value = match (f.takes, inline) {
                (Takes::Bool, None) => "true".to_string(),
                (Takes::Bool, Some(v)) => parse_bool(f.name, &v)?.to_string(),
                (_, Some(v)) => v,
                (_, None) => {
                    let Some(v) = words.get(i) else { return Err(FlagError::NeedsArgument(name.to_string())) };
                    i += 1;
                    v.clone()
                }
            };
            out.flags.entry(f.name).or_default().push(value);
        } else if w.len() > 1 && w.starts_with('-') {
            let shorts: Vec<char> = w[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                let Some(f) = find_short(c) else { return Err(FlagError::UnknownShort(c, w[1..].to_string())) };
                let rest: String = shorts[j + 1..].iter().collect();
                match f.takes {
                    Takes::Bool => {
                        if let Some(v) = rest.strip_prefix('=') {
                            out.flags.entry(f.name).or_default().push(parse_bool(f.name, v)?.to_string());
                            break;
                        }
                        out.flags.entry(f.name).or_default().push("true".into());
                        j += 1;
                    }
                    _ => {
                        let value = if let Some(v) = rest.strip_prefix('=') {
                            v.to_string()
                        } else if !rest.is_empty() {
                            rest
                        } else if let Some(v) = words.get(i) {
                            i += 1;
                            v.clone()
                        } else {
                            return Err(FlagError::ShortNeedsArgument(c, w[1..].to_string()));
                        };
                        out.flags.entry(f.name).or_default().push(value);
                        break;
                    }
                }
            }
        } else {
            out.args.push(w.clone());
        }
    }
    out.before_dash = dash.unwrap_or(out.args.len());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        split(s).unwrap()
    }

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(w(r#"get pod -o jsonpath='{.a}{"\n"}' "x y" a\ b"#), vec!["get", "pod", "-o", r#"jsonpath={.a}{"\n"}"#, "x y", "a b"]);
        assert_eq!(w("get pods # a comment"), vec!["get", "pods"]);
        assert_eq!(split("get 'x"), Err(SplitError::Unterminated));
        assert!(matches!(split("get pods | grep x"), Err(SplitError::Shell(_))));
    }

    #[test]
    fn flags_follow_pflag() {
        let local = [flag("output", Some('o'), Takes::Value), flag("watch", Some('w'), Takes::Bool), flag("filename", Some('f'), Takes::Values), flag("stdin", Some('i'), Takes::Bool), flag("tty", Some('t'), Takes::Bool)];
        let p = parse(&w("get -nkube-system pods -oyaml -w=false --namespace=x -f a -f=b"), &local).unwrap();
        assert_eq!(p.args, vec!["get", "pods"]);
        assert_eq!(p.value("namespace"), Some("x"));
        assert_eq!(p.value("output"), Some("yaml"));
        assert!(!p.bool("watch"));
        assert_eq!(p.values("filename"), vec!["a", "b"]);
        let p = parse(&w("exec -it web -- sh -c 'ls -l'"), &local).unwrap();
        assert!(p.bool("stdin") && p.bool("tty"));
        assert_eq!((p.args.clone(), p.before_dash), (vec!["exec".to_string(), "web".into(), "sh".into(), "-c".into(), "ls -l".into()], 2));
        assert_eq!(parse(&w("get --foo"), &local).unwrap_err().to_string(), "unknown flag: --foo");
        assert_eq!(parse(&w("get -z"), &local).unwrap_err().to_string(), "unknown shorthand flag: 'z' in -z");
        assert_eq!(parse(&w("get -n"), &local).unwrap_err().to_string(), "flag needs an argument: 'n' in -n");
        assert_eq!(parse(&w("get --namespace"), &local).unwrap_err().to_string(), "flag needs an argument: --namespace");
    }
}
