//! The shell's text tools, apart from how the shell reads files: `grep`'s options and patterns
//! (basic and extended regular expressions, compiled by [`crate::api::regex`]) and `wc`'s
//! counts and layout.

pub use crate::api::regex::{PatternError, Regex};

/// `grep`'s options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrepOptions {
    pub patterns: Vec<String>,
    pub files: Vec<String>,
    pub ignore_case: bool,
    pub invert: bool,
    pub line_numbers: bool,
    pub count: bool,
    pub quiet: bool,
    pub extended: bool,
    pub fixed: bool,
    pub files_with_matches: bool,
    pub whole_line: bool,
    pub no_messages: bool,
    /// `-H` (true) or `-h` (false); otherwise names show when there are several files.
    pub with_names: Option<bool>,
}

/// Why grep's command line is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("invalid option -- '{0}'")]
    InvalidOption(char),
    #[error("unrecognized option '{0}'")]
    UnrecognizedOption(String),
    #[error("option requires an argument -- '{0}'")]
    NeedsArgument(char),
    /// No pattern at all.
    #[error("no pattern")]
    NoPattern,
}

impl GrepOptions {
    /// Reads grep's arguments: options anywhere before `--` (GNU permutes them), then the
    /// pattern (unless `-e` gave one) and the files.
    pub fn parse(args: &[String]) -> Result<GrepOptions, UsageError> {
        let mut o = GrepOptions::default();
        let mut operands: Vec<String> = Vec::new();
        let mut i = 0;
        let mut options_done = false;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            if options_done || a == "-" || !a.starts_with('-') {
                operands.push(a.clone());
                continue;
            }
            if a == "--" {
                options_done = true;
                continue;
            }
            if let Some(long) = a.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                match name {
                    "ignore-case" => o.ignore_case = true,
                    "invert-match" => o.invert = true,
                    "line-number" => o.line_numbers = true,
                    "count" => o.count = true,
                    "quiet" | "silent" => o.quiet = true,
                    "extended-regexp" => o.extended = true,
                    "fixed-strings" => o.fixed = true,
                    "files-with-matches" => o.files_with_matches = true,
                    "line-regexp" => o.whole_line = true,
                    "no-messages" => o.no_messages = true,
                    "with-filename" => o.with_names = Some(true),
                    "no-filename" => o.with_names = Some(false),
                    "regexp" => match value.or_else(|| args.get(i).cloned()) {
                        Some(v) => {
                            if !long.contains('=') {
                                i += 1;
                            }
                            o.patterns.push(v);
                        }
                        None => return Err(UsageError::UnrecognizedOption(a.clone())),
                    },
                    _ => return Err(UsageError::UnrecognizedOption(a.clone())),
                }
                continue;
            }
            let flags: Vec<char> = a[1..].chars().collect();
            for (j, f) in flags.iter().enumerate() {
                match f {
                    'i' | 'y' => o.ignore_case = true,
                    'v' => o.invert = true,
                    'n' => o.line_numbers = true,
                    'c' => o.count = true,
                    'q' => o.quiet = true,
                    'E' => o.extended = true,
                    'F' => o.fixed = true,
                    'G' => o.extended = false,
                    'l' => o.files_with_matches = true,
                    'x' => o.whole_line = true,
                    's' => o.no_messages = true,
                    'H' => o.with_names = Some(true),
                    'h' => o.with_names = Some(false),
                    'e' => {
                        let rest: String = flags[j + 1..].iter().collect();
                        if !rest.is_empty() {
                            o.patterns.push(rest);
                        } else if let Some(v) = args.get(i) {
                            o.patterns.push(v.clone());
                            i += 1;
                        } else {
                            return Err(UsageError::NeedsArgument('e'));
                        }
                        break;
                    }
                    other => return Err(UsageError::InvalidOption(*other)),
                }
            }
        }
        if o.patterns.is_empty() {
            if operands.is_empty() {
                return Err(UsageError::NoPattern);
            }
            // A pattern operand may hold several patterns, one a line.
            o.patterns = operands.remove(0).split('\n').map(str::to_string).collect();
        }
        o.files = operands;
        Ok(o)
    }

    /// The patterns compiled as the options say.
    pub fn matcher(&self) -> Result<Matcher, PatternError> {
        let regexes = if self.fixed {
            Vec::new()
        } else {
            self.patterns
                .iter()
                .map(|p| {
                    let p = if self.whole_line { if self.extended { format!("^({p})$") } else { format!("^\\({p}\\)$") } } else { p.clone() };
                    Regex::new(&p, self.extended, self.ignore_case)
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Matcher { options: self.clone(), regexes })
    }
}

/// The compiled patterns of one grep.
#[derive(Debug, Clone)]
pub struct Matcher {
    options: GrepOptions,
    regexes: Vec<Regex>,
}

/// What grep found in one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub output: String,
    pub selected: usize,
}

impl Matcher {
    fn selects(&self, line: &str) -> bool {
        let o = &self.options;
        let hit = if o.fixed {
            let fold = |s: &str| if o.ignore_case { s.to_lowercase() } else { s.to_string() };
            let line = fold(line);
            o.patterns.iter().any(|p| if o.whole_line { line == fold(p) } else { line.contains(&fold(p)) })
        } else {
            self.regexes.iter().any(|r| r.is_match(line))
        };
        hit != o.invert
    }

    /// Greps one input; `name` is put before each line when names are shown.
    pub fn search(&self, text: &str, name: Option<&str>) -> Found {
        let o = &self.options;
        let prefix = name.map(|n| format!("{n}:")).unwrap_or_default();
        let mut found = Found::default();
        for (i, line) in text.lines().enumerate() {
            if !self.selects(line) {
                continue;
            }
            found.selected += 1;
            if o.quiet || o.files_with_matches {
                break;
            }
            if !o.count {
                let number = if o.line_numbers { format!("{}:", i + 1) } else { String::new() };
                found.output.push_str(&format!("{prefix}{number}{line}\n"));
            }
        }
        if o.quiet {
            found.output.clear();
        } else if o.files_with_matches {
            if found.selected > 0 {
                found.output = format!("{}\n", name.map_or("(standard input)", |n| n));
            }
        } else if o.count {
            found.output = format!("{prefix}{}\n", found.selected);
        }
        found
    }
}

/// `wc`'s counts of one input: lines, words, bytes, characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub lines: usize,
    pub words: usize,
    pub bytes: usize,
    pub chars: usize,
}

impl Counts {
    pub fn of(text: &str) -> Counts {
        Counts { lines: text.matches('\n').count(), words: text.split_whitespace().count(), bytes: text.len(), chars: text.chars().count() }
    }
    pub fn add(&mut self, other: Counts) {
        self.lines += other.lines;
        self.words += other.words;
        self.bytes += other.bytes;
        self.chars += other.chars;
    }
}

/// Which counts `wc` prints (`-l`, `-w`, `-c`, `-m`; all but `-m` when none is given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WcColumns {
    pub lines: bool,
    pub words: bool,
    pub bytes: bool,
    pub chars: bool,
}

impl WcColumns {
    /// Reads `wc`'s options; the other arguments are its files. An unknown option is the error.
    pub fn parse(args: &[String]) -> Result<(WcColumns, Vec<String>), char> {
        let mut c = WcColumns::default();
        let mut files = Vec::new();
        let mut options_done = false;
        for a in args {
            if options_done || a == "-" || !a.starts_with('-') {
                files.push(a.clone());
                continue;
            }
            if a == "--" {
                options_done = true;
                continue;
            }
            for f in a[1..].chars() {
                match f {
                    'l' => c.lines = true,
                    'w' => c.words = true,
                    'c' => c.bytes = true,
                    'm' => c.chars = true,
                    other => return Err(other),
                }
            }
        }
        if c == WcColumns::default() {
            c = WcColumns { lines: true, words: true, bytes: true, chars: false };
        }
        Ok((c, files))
    }

    fn picked(&self, n: Counts) -> Vec<usize> {
        let mut v = Vec::new();
        if self.lines {
            v.push(n.lines);
        }
        if self.words {
            v.push(n.words);
        }
        if self.chars {
            v.push(n.chars);
        }
        if self.bytes {
            v.push(n.bytes);
        }
        v
    }

    /// One line of `wc` output: the counts right-aligned to `width`, then the name if any.
    pub fn line(&self, n: Counts, width: usize, name: Option<&str>) -> String {
        let cells: Vec<String> = self.picked(n).iter().map(|c| format!("{c:>width$}")).collect();
        match name {
            Some(name) => format!("{} {name}\n", cells.join(" ")),
            None => format!("{}\n", cells.join(" ")),
        }
    }

    /// How wide GNU wc makes each count: one column of one input needs no padding; else as
    /// wide as the files' total size needs, and at least 7 when standard input is read.
    pub fn width(&self, total_bytes: usize, reads_stdin: bool, inputs: usize) -> usize {
        if inputs <= 1 && self.picked(Counts::default()).len() == 1 {
            return 1;
        }
        let digits = total_bytes.to_string().len();
        if reads_stdin {
            digits.max(7)
        } else {
            digits
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, extended: bool, line: &str) -> bool {
        Regex::new(p, extended, false).unwrap().is_match(line)
    }

    #[test]
    fn patterns_match_as_grep_reads_them() {
        assert!(m("nginx", false, "image: nginx:1.27"));
        assert!(m("^image", false, "image: x") && !m("^image", false, " image"));
        assert!(m("27$", false, "nginx:1.27") && !m("2$", false, "nginx:1.27"));
        assert!(m("ng.nx", false, "nginx") && m("a*b", false, "b") && m("[0-9][0-9]*", false, "v12"));
        assert!(m("Run(ning|ed)", true, "Running") && !m("Run(ning|ed)", false, "Running"));
        assert!(m("Run\\(ning\\|ed\\)", false, "Runed"));
        assert!(m("a+b?c", true, "aaac") && m("a+", false, "a+"));
        assert!(m("[^[:space:]]+:", true, "  key: v") && !m("[[:digit:]]", false, "abc"));
        assert!(m("\\.yaml$", false, "a.yaml") && !m("\\.yaml$", false, "ayaml"));
        assert!(m("(a*)*b", true, &format!("{}b", "a".repeat(5000))));
        assert!(!m("(a*)*b", true, &"a".repeat(5000)));
        assert!(m("*x", false, "*x") && m("a)", true, "a)"));
        assert!(Regex::new("Ready", false, true).unwrap().is_match("NotReADY"));
        assert_eq!(Regex::new("[abc", false, false).unwrap_err(), PatternError::Bracket);
        assert_eq!(Regex::new("(ab", true, false).unwrap_err(), PatternError::OpenParen);
        assert_eq!(Regex::new("ab\\)", false, false).unwrap_err(), PatternError::CloseParen);
        assert_eq!(Regex::new(&"(".repeat(100), true, false).unwrap_err(), PatternError::TooBig);
    }

    #[test]
    fn grep_options_and_output() {
        let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let o = GrepOptions::parse(&w("-in web f1 -v f2")).unwrap();
        assert!(o.ignore_case && o.line_numbers && o.invert);
        assert_eq!((o.patterns.clone(), o.files.clone()), (vec!["web".to_string()], w("f1 f2")));
        assert_eq!(GrepOptions::parse(&w("-z x")), Err(UsageError::InvalidOption('z')));
        assert_eq!(GrepOptions::parse(&[]), Err(UsageError::NoPattern));
        let text = "a web\nb db\nc WEB\n";
        let found = GrepOptions::parse(&w("-n web")).unwrap().matcher().unwrap().search(text, None);
        assert_eq!(found, Found { output: "1:a web\n".into(), selected: 1 });
        let found = GrepOptions::parse(&w("-ic web")).unwrap().matcher().unwrap().search(text, Some("f"));
        assert_eq!(found.output, "f:2\n");
        let found = GrepOptions::parse(&w("-v -e web -e db")).unwrap().matcher().unwrap().search(text, None);
        assert_eq!(found.output, "c WEB\n");
    }

    #[test]
    fn wc_counts_and_widths() {
        let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let (cols, files) = WcColumns::parse(&w("-l a")).unwrap();
        assert_eq!((cols.width(10, false, 1), files), (1, w("a")));
        assert_eq!(cols.line(Counts::of("x\ny\n"), 1, Some("a")), "2 a\n");
        let (all, _) = WcColumns::parse(&[]).unwrap();
        assert_eq!(all.line(Counts::of("hello world\n"), all.width(12, true, 1), None), "      1       2      12\n");
        assert_eq!(all.line(Counts::of("hello world\n"), all.width(12, false, 1), Some("f")), " 1  2 12 f\n");
        assert_eq!(WcColumns::parse(&w("-z")), Err('z'));
    }
}
