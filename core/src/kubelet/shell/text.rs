//! The shell's text tools, apart from how the shell reads files: `grep`'s options and patterns
//! (basic and extended regular expressions, matched by a Thompson NFA so no pattern can take
//! exponential time or deep recursion) and `wc`'s counts and layout.

/// Why a pattern could not be compiled, in GNU grep's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("Unmatched [, [^, [:, [., or [=")]
    Bracket,
    #[error("Unmatched ( or \\(")]
    OpenParen,
    #[error("Unmatched ) or \\)")]
    CloseParen,
    #[error("regular expression too big")]
    TooBig,
}

/// How deeply groups may nest, and how many instructions a pattern may compile to.
const MAX_NESTING: usize = 64;
const MAX_PROGRAM: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
enum ClassItem {
    Range(char, char),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Alpha,
    Digit,
    Alnum,
    Upper,
    Lower,
    Space,
    Punct,
    Word,
}

impl Named {
    fn of(name: &str) -> Option<Named> {
        Some(match name {
            "alpha" => Named::Alpha,
            "digit" => Named::Digit,
            "alnum" => Named::Alnum,
            "upper" => Named::Upper,
            "lower" => Named::Lower,
            "space" | "blank" => Named::Space,
            "punct" => Named::Punct,
            _ => return None,
        })
    }
    fn has(self, c: char) -> bool {
        match self {
            Named::Alpha => c.is_alphabetic(),
            Named::Digit => c.is_ascii_digit(),
            Named::Alnum => c.is_alphanumeric(),
            Named::Upper => c.is_uppercase(),
            Named::Lower => c.is_lowercase(),
            Named::Space => c.is_whitespace(),
            Named::Punct => c.is_ascii_punctuation(),
            Named::Word => c.is_alphanumeric() || c == '_',
        }
    }
}

/// A bracket expression (`[a-z]`, `[^[:space:]]`) or `\w`, `\s` and their negations.
#[derive(Debug, Clone, PartialEq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

impl Class {
    fn has(&self, c: char, icase: bool) -> bool {
        let hit = |c: char| self.items.iter().any(|i| match i {
            ClassItem::Range(a, b) => *a <= c && c <= *b,
            ClassItem::Named(n) => n.has(c),
        });
        let found = hit(c) || (icase && (c.to_lowercase().any(hit) || c.to_uppercase().any(hit)));
        found != self.negated
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    LineStart,
    LineEnd,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Star(Box<Node>),
    Plus(Box<Node>),
    Quest(Box<Node>),
}

/// Reads a pattern: basic (`grep`: `\(`, `\|`, `\+`, `\?` as GNU extends them) or extended
/// (`grep -E`: `(`, `|`, `+`, `?`).
struct Parser {
    chars: Vec<char>,
    at: usize,
    extended: bool,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }
    fn peek2(&self) -> Option<char> {
        self.chars.get(self.at + 1).copied()
    }
    /// Whether an operator written as `c` in extended and `\c` in basic syntax comes next.
    fn at_op(&self, c: char) -> bool {
        if self.extended {
            self.peek() == Some(c)
        } else {
            self.peek() == Some('\\') && self.peek2() == Some(c)
        }
    }
    fn skip_op(&mut self) {
        self.at += if self.extended { 1 } else { 2 };
    }

    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut alts = vec![self.concat()?];
        while self.at_op('|') {
            self.skip_op();
            alts.push(self.concat()?);
        }
        Ok(if alts.len() == 1 { alts.remove(0) } else { Node::Alt(alts) })
    }

    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut items: Vec<Node> = Vec::new();
        while self.peek().is_some() && !self.at_op('|') && !(self.depth > 0 && self.at_op(')')) {
            let atom = self.atom(items.is_empty())?;
            items.push(self.postfix(atom));
        }
        Ok(Node::Concat(items))
    }

    fn postfix(&mut self, mut atom: Node) -> Node {
        loop {
            if self.peek() == Some('*') {
                self.at += 1;
                atom = Node::Star(Box::new(atom));
            } else if self.at_op('+') {
                self.skip_op();
                atom = Node::Plus(Box::new(atom));
            } else if self.at_op('?') {
                self.skip_op();
                atom = Node::Quest(Box::new(atom));
            } else {
                return atom;
            }
        }
    }

    /// Whether a `$` here ends the pattern or a branch (elsewhere it is a plain `$`).
    fn at_branch_end(&self) -> bool {
        self.peek().is_none() || self.at_op('|') || self.at_op(')')
    }

    fn atom(&mut self, first: bool) -> Result<Node, PatternError> {
        if self.at_op('(') {
            self.skip_op();
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return Err(PatternError::TooBig);
            }
            let inner = self.alternation()?;
            if !self.at_op(')') {
                return Err(PatternError::OpenParen);
            }
            self.skip_op();
            self.depth -= 1;
            return Ok(inner);
        }
        if !self.extended && self.at_op(')') {
            return Err(PatternError::CloseParen);
        }
        let Some(c) = self.peek() else { return Ok(Node::Concat(Vec::new())) };
        self.at += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::LineStart,
            '$' if self.at_branch_end() => Node::LineEnd,
            '*' if first => Node::Char('*'),
            '+' | '?' if self.extended && first => Node::Char(c),
            '[' => Node::Class(self.bracket()?),
            '\\' => match self.peek() {
                None => Node::Char('\\'),
                Some(e) => {
                    self.at += 1;
                    let named = |n: Named, negated: bool| Node::Class(Class { negated, items: vec![ClassItem::Named(n)] });
                    match e {
                        'w' => named(Named::Word, false),
                        'W' => named(Named::Word, true),
                        's' => named(Named::Space, false),
                        'S' => named(Named::Space, true),
                        other => Node::Char(other),
                    }
                }
            },
            other => Node::Char(other),
        })
    }

    /// A bracket expression, its `[` already read.
    fn bracket(&mut self) -> Result<Class, PatternError> {
        let mut class = Class { negated: false, items: Vec::new() };
        if self.peek() == Some('^') {
            class.negated = true;
            self.at += 1;
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else { return Err(PatternError::Bracket) };
            self.at += 1;
            if c == ']' && !first {
                return Ok(class);
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                let rest: String = self.chars[self.at + 1..].iter().collect();
                let Some(end) = rest.find(":]") else { return Err(PatternError::Bracket) };
                let name: String = rest[..end].to_string();
                let Some(n) = Named::of(&name) else { return Err(PatternError::Bracket) };
                class.items.push(ClassItem::Named(n));
                self.at += 1 + name.chars().count() + 2;
                continue;
            }
            if self.peek() == Some('-') && self.peek2().is_some_and(|e| e != ']') {
                let end = self.peek2().unwrap_or(c);
                self.at += 2;
                class.items.push(ClassItem::Range(c, end));
            } else {
                class.items.push(ClassItem::Range(c, c));
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Inst {
    Char(char),
    Any,
    Class(Class),
    LineStart,
    LineEnd,
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    prog: Vec<Inst>,
    icase: bool,
}

fn emit(node: &Node, prog: &mut Vec<Inst>) -> Result<(), PatternError> {
    if prog.len() > MAX_PROGRAM {
        return Err(PatternError::TooBig);
    }
    match node {
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Class(c) => prog.push(Inst::Class(c.clone())),
        Node::LineStart => prog.push(Inst::LineStart),
        Node::LineEnd => prog.push(Inst::LineEnd),
        Node::Concat(items) => {
            for i in items {
                emit(i, prog)?;
            }
        }
        Node::Alt(alts) => {
            let mut jumps = Vec::new();
            for (i, alt) in alts.iter().enumerate() {
                if i + 1 < alts.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    emit(alt, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    emit(alt, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Star(inner) => {
            let split = prog.len();
            prog.push(Inst::Split(split + 1, 0));
            emit(inner, prog)?;
            prog.push(Inst::Jmp(split));
            let end = prog.len();
            prog[split] = Inst::Split(split + 1, end);
        }
        Node::Plus(inner) => {
            let start = prog.len();
            emit(inner, prog)?;
            let split = prog.len();
            prog.push(Inst::Split(start, split + 1));
        }
        Node::Quest(inner) => {
            let split = prog.len();
            prog.push(Inst::Split(split + 1, 0));
            emit(inner, prog)?;
            let end = prog.len();
            prog[split] = Inst::Split(split + 1, end);
        }
    }
    Ok(())
}

impl Regex {
    pub fn new(pattern: &str, extended: bool, icase: bool) -> Result<Regex, PatternError> {
        let mut p = Parser { chars: pattern.chars().collect(), at: 0, extended, depth: 0 };
        // At the top level an extended pattern reads a lone `)` as a plain character (GNU)
        // and a basic one fails on `\)`, so the parser reads the pattern to its end.
        let node = p.alternation()?;
        Regex::compile(&node, icase)
    }

    fn compile(node: &Node, icase: bool) -> Result<Regex, PatternError> {
        let mut prog = Vec::new();
        emit(node, &mut prog)?;
        prog.push(Inst::Match);
        Ok(Regex { prog, icase })
    }

    /// Adds the thread at `pc` (and what it reaches without reading) to `list`; whether it
    /// reached the match.
    fn add(&self, list: &mut Vec<usize>, seen: &mut [usize], generation: usize, pc: usize, pos: usize, len: usize) -> bool {
        let mut matched = false;
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] == generation {
                continue;
            }
            seen[pc] = generation;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::LineStart if pos == 0 => stack.push(pc + 1),
                Inst::LineEnd if pos == len => stack.push(pc + 1),
                Inst::LineStart | Inst::LineEnd => {}
                Inst::Match => matched = true,
                _ => list.push(pc),
            }
        }
        matched
    }

    fn same(&self, a: char, b: char) -> bool {
        a == b || (self.icase && a.to_lowercase().eq(b.to_lowercase()))
    }

    /// Whether the pattern matches somewhere in the line.
    pub fn is_match(&self, line: &str) -> bool {
        let chars: Vec<char> = line.chars().collect();
        let len = chars.len();
        // Generations start at 1 so that 0 means "never seen".
        let mut seen = vec![0usize; self.prog.len()];
        let mut current: Vec<usize> = Vec::new();
        for pos in 0..=len {
            if self.add(&mut current, &mut seen, pos + 1, 0, pos, len) {
                return true;
            }
            let Some(&c) = chars.get(pos) else { break };
            let mut next = Vec::new();
            for &pc in &current {
                let step = match &self.prog[pc] {
                    Inst::Char(x) => self.same(*x, c),
                    Inst::Any => true,
                    Inst::Class(class) => class.has(c, self.icase),
                    _ => false,
                };
                if step && self.add(&mut next, &mut seen, pos + 2, pc + 1, pos + 1, len) {
                    return true;
                }
            }
            current = next;
        }
        false
    }
}

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
