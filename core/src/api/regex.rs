//! Regular expressions matched by a Thompson NFA, so no pattern can take exponential time or
//! deep recursion: POSIX basic and extended syntax as GNU grep reads them (`grep`, `grep -E`),
//! and the RE2 syntax Go's `regexp` reads (a CustomResourceDefinition's `pattern`), which adds
//! `\d`, `{n,m}` counts, `(?:...)` groups and escapes inside brackets.


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
    /// Go's RE2 refuses a repetition of a repetition (`a**`, `a{2}{3}`).
    #[error("invalid nested repetition operator")]
    NestedRepetition,
}

/// How many nodes compiling may visit: counts multiply what they repeat, so a pattern of
/// repeated empty groups cannot take long to compile even though it emits nothing.
const MAX_EMIT_STEPS: usize = 200_000;

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
    /// `{min,max}`: `max` None is unbounded.
    Repeat(Box<Node>, usize, Option<usize>),
}

/// The largest count in `{n,m}` (RE2's limit).
const MAX_REPEAT: usize = 1000;

/// Reads a pattern: basic (`grep`: `\(`, `\|`, `\+`, `\?` as GNU extends them) or extended
/// (`grep -E`: `(`, `|`, `+`, `?`).
struct Parser {
    chars: Vec<char>,
    at: usize,
    extended: bool,
    /// Go's RE2 syntax (extended, plus `\d`, `(?:`, escapes in brackets).
    re2: bool,
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
            items.push(self.postfix(atom)?);
        }
        Ok(Node::Concat(items))
    }

    /// Repetition operators after an atom. grep reads a run of them as one (`a**` is `a*`);
    /// RE2 refuses a second. Either way the tree stays shallow, however long the run.
    fn postfix(&mut self, mut atom: Node) -> Result<Node, PatternError> {
        let mut repeated = false;
        loop {
            let next = if self.peek() == Some('*') {
                self.at += 1;
                Some(Node::Star(Box::new(Node::Concat(Vec::new()))))
            } else if self.at_op('+') {
                self.skip_op();
                Some(Node::Plus(Box::new(Node::Concat(Vec::new()))))
            } else if self.at_op('?') {
                self.skip_op();
                Some(Node::Quest(Box::new(Node::Concat(Vec::new()))))
            } else if let Some((min, max, len)) = self.interval() {
                self.at += len;
                Some(Node::Repeat(Box::new(Node::Concat(Vec::new())), min, max))
            } else {
                None
            };
            let Some(op) = next else { return Ok(atom) };
            if repeated {
                if self.re2 {
                    return Err(PatternError::NestedRepetition);
                }
                // A second operator in grep widens the first to "any number".
                if let Node::Star(inner) | Node::Plus(inner) | Node::Quest(inner) | Node::Repeat(inner, _, _) = atom {
                    atom = Node::Star(inner);
                }
                continue;
            }
            repeated = true;
            atom = match op {
                Node::Star(_) => Node::Star(Box::new(atom)),
                Node::Plus(_) => Node::Plus(Box::new(atom)),
                Node::Quest(_) => Node::Quest(Box::new(atom)),
                Node::Repeat(_, min, max) => Node::Repeat(Box::new(atom), min, max),
                other => other,
            };
        }
    }

    /// A count `{n}`, `{n,}` or `{n,m}` here (extended syntax), with its length in
    /// characters; anything else is not one, and its `{` is a plain character.
    fn interval(&self) -> Option<(usize, Option<usize>, usize)> {
        if !self.extended || self.peek() != Some('{') {
            return None;
        }
        let rest: String = self.chars[self.at + 1..].iter().take(16).collect();
        let end = rest.find('}')?;
        let body = &rest[..end];
        let number = |t: &str| -> Option<usize> { (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())).then(|| t.parse().ok()).flatten() };
        let (min, max) = match body.split_once(',') {
            None => {
                let n = number(body)?;
                (n, Some(n))
            }
            Some((a, "")) => (number(a)?, None),
            Some((a, b)) => (number(a)?, Some(number(b)?)),
        };
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
            return None;
        }
        Some((min, max, body.chars().count() + 2))
    }

    /// Whether a `$` here ends the pattern or a branch (elsewhere it is a plain `$`).
    fn at_branch_end(&self) -> bool {
        self.peek().is_none() || self.at_op('|') || self.at_op(')')
    }

    fn atom(&mut self, first: bool) -> Result<Node, PatternError> {
        if self.at_op('(') {
            self.skip_op();
            // RE2's non-capturing group and flags: `(?:...)`, `(?i)`.
            if self.re2 && self.peek() == Some('?') {
                while let Some(c) = self.peek() {
                    self.at += 1;
                    if c == ':' || c == ')' {
                        break;
                    }
                }
                if self.chars.get(self.at - 1) == Some(&')') {
                    return Ok(Node::Concat(Vec::new()));
                }
            }
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
                        'd' if self.re2 => named(Named::Digit, false),
                        'D' if self.re2 => named(Named::Digit, true),
                        't' if self.re2 => Node::Char('\t'),
                        'n' if self.re2 => Node::Char('\n'),
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
            if self.re2 && c == '\\' {
                let Some(e) = self.peek() else { return Err(PatternError::Bracket) };
                self.at += 1;
                match e {
                    'd' => class.items.push(ClassItem::Named(Named::Digit)),
                    'w' => class.items.push(ClassItem::Named(Named::Word)),
                    's' => class.items.push(ClassItem::Named(Named::Space)),
                    other => {
                        let c = match other {
                            't' => '\t',
                            'n' => '\n',
                            x => x,
                        };
                        self.range_from(c, &mut class);
                    }
                }
                continue;
            }
            if c == '[' && self.peek() == Some(':') {
                let rest: String = self.chars[self.at + 1..].iter().collect();
                let Some(end) = rest.find(":]") else { return Err(PatternError::Bracket) };
                let name: String = rest[..end].to_string();
                let Some(n) = Named::of(&name) else { return Err(PatternError::Bracket) };
                class.items.push(ClassItem::Named(n));
                self.at += 1 + name.chars().count() + 2;
                continue;
            }
            self.range_from(c, &mut class);
        }
    }

    /// The character `c` of a bracket expression, or the range `c-x` it starts.
    fn range_from(&mut self, c: char, class: &mut Class) {
        if self.peek() == Some('-') && self.peek2().is_some_and(|e| e != ']') {
            let end = self.peek2().unwrap_or(c);
            self.at += 2;
            class.items.push(ClassItem::Range(c, end));
        } else {
            class.items.push(ClassItem::Range(c, c));
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

fn emit(node: &Node, prog: &mut Vec<Inst>, steps: &mut usize) -> Result<(), PatternError> {
    *steps += 1;
    if prog.len() > MAX_PROGRAM || *steps > MAX_EMIT_STEPS {
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
                emit(i, prog, steps)?;
            }
        }
        Node::Alt(alts) => {
            let mut jumps = Vec::new();
            for (i, alt) in alts.iter().enumerate() {
                if i + 1 < alts.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    emit(alt, prog, steps)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    emit(alt, prog, steps)?;
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
            emit(inner, prog, steps)?;
            prog.push(Inst::Jmp(split));
            let end = prog.len();
            prog[split] = Inst::Split(split + 1, end);
        }
        Node::Plus(inner) => {
            let start = prog.len();
            emit(inner, prog, steps)?;
            let split = prog.len();
            prog.push(Inst::Split(start, split + 1));
        }
        Node::Quest(inner) => {
            let split = prog.len();
            prog.push(Inst::Split(split + 1, 0));
            emit(inner, prog, steps)?;
            let end = prog.len();
            prog[split] = Inst::Split(split + 1, end);
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                emit(inner, prog, steps)?;
            }
            match max {
                None => emit(&Node::Star(inner.clone()), prog, steps)?,
                Some(max) => {
                    for _ in *min..*max {
                        emit(&Node::Quest(inner.clone()), prog, steps)?;
                    }
                }
            }
        }
    }
    Ok(())
}

impl Regex {
    pub fn new(pattern: &str, extended: bool, icase: bool) -> Result<Regex, PatternError> {
        let mut p = Parser { chars: pattern.chars().collect(), at: 0, extended, re2: false, depth: 0 };
        // At the top level an extended pattern reads a lone `)` as a plain character (GNU)
        // and a basic one fails on `\)`, so the parser reads the pattern to its end.
        let node = p.alternation()?;
        Regex::compile(&node, icase)
    }

    /// A pattern in Go's RE2 syntax, as `regexp.MatchString` reads it.
    pub fn re2(pattern: &str) -> Result<Regex, PatternError> {
        let mut p = Parser { chars: pattern.chars().collect(), at: 0, extended: true, re2: true, depth: 0 };
        let node = p.alternation()?;
        if p.at < p.chars.len() {
            return Err(PatternError::CloseParen);
        }
        Regex::compile(&node, false)
    }

    fn compile(node: &Node, icase: bool) -> Result<Regex, PatternError> {
        let mut prog = Vec::new();
        emit(node, &mut prog, &mut 0)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_re2_escapes() {
        let r = Regex::re2("^[a-z]{2,3}-\\d+$").unwrap();
        assert!(r.is_match("ab-12") && r.is_match("abc-1") && !r.is_match("a-1") && !r.is_match("abcd-1") && !r.is_match("ab-x"));
        let r = Regex::re2("^(?:mysql|postgresql)$").unwrap();
        assert!(r.is_match("mysql") && !r.is_match("oracle"));
        let r = Regex::re2("^[\\w.-]+$").unwrap();
        assert!(r.is_match("a.b-c_d") && !r.is_match("a b"));
        assert!(Regex::new("a{2}", true, false).unwrap().is_match("xaax") && !Regex::new("a{2}", true, false).unwrap().is_match("xax"));
        assert!(Regex::new("a{2}", false, false).unwrap().is_match("a{2}"));
        assert_eq!(Regex::re2("a{1,100000}").map(|_| ()), Ok(()), "an over-large count is a plain brace, as the parser reads it");
        assert!(Regex::re2("(a{1000}){1000}").is_err(), "a program too big is refused");
        // Repeated empty groups emit nothing, yet cannot take long; runs of operators stay flat.
        assert_eq!(Regex::new("(){1000}(){1000}x", true, false).map(|r| r.is_match("x")), Ok(true));
        assert!(Regex::new(&format!("({}){{1000}}", "(){1000}".repeat(3)), true, false).is_err());
        assert_eq!(Regex::re2("a**").map(|_| ()), Err(PatternError::NestedRepetition));
        assert_eq!(Regex::re2("(?:){1000}{1000}").map(|_| ()), Err(PatternError::NestedRepetition));
        let long = format!("a{}", "+".repeat(3_000_000));
        assert!(Regex::new(&long, true, false).is_ok_and(|r| r.is_match("aaa")));
    }
}
