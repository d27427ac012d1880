//! The Markdown lessons are written in, read into blocks and inline spans that a page can show
//! without ever passing text through as HTML: the subset is headings, paragraphs, lists, block
//! quotes, fenced code blocks (with an optional `file=NAME` after the language), and inline code,
//! `**strong**`, `*emphasis*` and links (an underscore is only an underscore). A link goes somewhere only if it is `https://`,
//! `http://` or a `#fragment`; any other target (`javascript:` and the like) is shown as text.

/// A run of text and how it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Link { text: Vec<Inline>, href: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading { level: u8, text: Vec<Inline> },
    Paragraph(Vec<Inline>),
    List { ordered: bool, items: Vec<Vec<Inline>> },
    Quote(Vec<Inline>),
    /// A fenced code block: its language (`sh`, `yaml` ...), the file it is meant for (```yaml
    /// file=web.yaml) and its text (ending with a newline).
    Code { lang: String, file: Option<String>, text: String },
}

/// Whether a link may be followed from a lesson.
pub fn safe_href(href: &str) -> bool {
    let h = href.trim();
    h.starts_with("https://") || h.starts_with("http://") || h.starts_with('#')
}

/// Whether a character belongs to a script written without spaces between words (Japanese,
/// Chinese): lines broken next to one join without a space.
fn unspaced(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Lines of one paragraph (or list item) joined: with a space, except where either side of the
/// break is Japanese or Chinese.
fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.as_ref().trim();
        if l.is_empty() {
            continue;
        }
        let split = out.chars().last().is_some_and(|a| !unspaced(a)) && l.chars().next().is_some_and(|b| !unspaced(b));
        if split {
            out.push(' ');
        }
        out.push_str(l);
    }
    out
}

/// The blocks of a Markdown text.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut lines = text.lines().peekable();
    let flush = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inlines(&join_lines(para))));
            para.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            flush(&mut para, &mut blocks);
            let mut words = info.split_whitespace();
            let lang = words.next().unwrap_or("").to_string();
            let file = words.find_map(|w| w.strip_prefix("file=")).map(str::to_string);
            let mut code = String::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                code.push_str(l);
                code.push('\n');
            }
            blocks.push(Block::Code { lang, file, text: code });
        } else if trimmed.is_empty() {
            flush(&mut para, &mut blocks);
        } else if let Some((level, rest)) = heading(trimmed) {
            flush(&mut para, &mut blocks);
            blocks.push(Block::Heading { level, text: inlines(rest) });
        } else if let Some(rest) = trimmed.strip_prefix('>') {
            flush(&mut para, &mut blocks);
            let mut quote = vec![rest.trim()];
            while let Some(next) = lines.peek().and_then(|l| l.trim_start().strip_prefix('>')) {
                quote.push(next.trim());
                lines.next();
            }
            blocks.push(Block::Quote(inlines(&join_lines(&quote))));
        } else if let Some((ordered, first)) = list_item(trimmed) {
            flush(&mut para, &mut blocks);
            let mut items = vec![first.to_string()];
            while let Some(next) = lines.peek() {
                let t = next.trim_start();
                if t.is_empty() || t.starts_with("```") || heading(t).is_some() {
                    break;
                }
                match list_item(t) {
                    Some((o, item)) if o == ordered => items.push(item.to_string()),
                    Some(_) => break,
                    // A continuation line of the item before.
                    None => {
                        if let Some(last) = items.last_mut() {
                            *last = join_lines(&[last.as_str(), t]);
                        }
                    }
                }
                lines.next();
            }
            blocks.push(Block::List { ordered, items: items.iter().map(|i| inlines(i)).collect() });
        } else {
            para.push(trimmed.trim_end());
        }
    }
    flush(&mut para, &mut blocks);
    blocks
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        return Some((hashes as u8, line[hashes..].trim()));
    }
    None
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest.trim()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(". ") {
        return Some((true, line[digits + 2..].trim()));
    }
    None
}

/// The inline spans of one paragraph's text.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let push_plain = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
    while let Some(c) = rest.chars().next() {
        let span = match c {
            '`' => rest[1..].find('`').map(|end| (Inline::Code(rest[1..1 + end].to_string()), end + 2)),
            '*' if rest.starts_with("**") => rest[2..].find("**").filter(|e| *e > 0).map(|end| (Inline::Strong(inlines(&rest[2..2 + end])), end + 4)),
            '*' => rest[1..].find('*').filter(|e| *e > 0 && !rest[1..].starts_with(' ')).map(|end| (Inline::Emphasis(inlines(&rest[1..1 + end])), end + 2)),
            '[' => link(rest),
            '\\' if rest.len() > 1 => {
                let next = rest[1..].chars().next().unwrap_or('\\');
                plain.push(next);
                rest = &rest[1 + next.len_utf8()..];
                continue;
            }
            _ => None,
        };
        match span {
            Some((inline, len)) => {
                push_plain(&mut plain, &mut out);
                out.push(inline);
                rest = &rest[len..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    push_plain(&mut plain, &mut out);
    out
}

/// `[text](href)` at the start of `s`: the link (or, for a target that is not safe, its text
/// alone) and the length it takes.
fn link(s: &str) -> Option<(Inline, usize)> {
    let close = s.find("](")?;
    let end = s[close + 2..].find(')')? + close + 2;
    let text = inlines(&s[1..close]);
    let href = s[close + 2..end].trim().to_string();
    let inline = if safe_href(&href) { Inline::Link { text, href } } else { Inline::Emphasis(text) };
    Some((inline, end + 1))
}

/// Text made safe to stand in HTML (as element text or an attribute's value).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn spans_html(spans: &[Inline], out: &mut String) {
    for s in spans {
        match s {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Code(t) => {
                out.push_str("<code>");
                out.push_str(&escape(t));
                out.push_str("</code>");
            }
            Inline::Strong(i) | Inline::Emphasis(i) => {
                let tag = if matches!(s, Inline::Strong(_)) { "strong" } else { "em" };
                out.push_str(&format!("<{tag}>"));
                spans_html(i, out);
                out.push_str(&format!("</{tag}>"));
            }
            Inline::Link { text, href } if safe_href(href) => {
                let external = if href.starts_with('#') { "" } else { " target=\"_blank\" rel=\"noopener noreferrer\"" };
                out.push_str(&format!("<a href=\"{}\"{external}>", escape(href.trim())));
                spans_html(text, out);
                out.push_str("</a>");
            }
            Inline::Link { text, .. } => spans_html(text, out),
        }
    }
}

/// Spans as HTML: every piece of text escaped, so nothing of the source is ever markup.
pub fn inline_html(spans: &[Inline]) -> String {
    let mut out = String::new();
    spans_html(spans, &mut out);
    out
}

/// What a code block offers, by its language: shell commands run in the terminal, a manifest
/// with a file name opens in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeAction {
    Run,
    Open,
}

impl Block {
    pub fn code_action(&self) -> Option<CodeAction> {
        match self {
            Block::Code { lang, .. } if matches!(lang.as_str(), "sh" | "bash" | "shell" | "console") => Some(CodeAction::Run),
            Block::Code { file: Some(_), .. } => Some(CodeAction::Open),
            _ => None,
        }
    }
}

/// Blocks as HTML, every text escaped (the page shows it as the element's content). A code
/// block with an action gets a button `data-code="N"` (N counts the blocks given), labelled
/// `run` or `open` (then the file's name follows).
pub fn html(blocks: &[Block], run: &str, open: &str) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        match b {
            Block::Heading { level, text } => {
                let tag = if *level <= 2 { "h4" } else { "h5" };
                out.push_str(&format!("<{tag}>{}</{tag}>", inline_html(text)));
            }
            Block::Paragraph(t) => out.push_str(&format!("<p>{}</p>", inline_html(t))),
            Block::Quote(t) => out.push_str(&format!("<blockquote>{}</blockquote>", inline_html(t))),
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                out.push_str(&format!("<{tag}>"));
                for it in items {
                    out.push_str(&format!("<li>{}</li>", inline_html(it)));
                }
                out.push_str(&format!("</{tag}>"));
            }
            Block::Code { file, text, .. } => {
                out.push_str(&format!("<div class=\"code-block\"><pre><code>{}</code></pre>", escape(text)));
                match (b.code_action(), file) {
                    (Some(CodeAction::Run), _) => out.push_str(&format!("<button class=\"run-block\" data-code=\"{i}\">{}</button>", escape(run))),
                    (Some(CodeAction::Open), Some(f)) => out.push_str(&format!("<button class=\"open-block\" data-code=\"{i}\">{} <code>{}</code></button>", escape(open), escape(f))),
                    _ => {}
                }
                out.push_str("</div>");
            }
        }
    }
    out
}

/// The text of spans without their looks (for headings used as titles, and tests).
pub fn plain(spans: &[Inline]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Inline::Text(t) | Inline::Code(t) => t.clone(),
            Inline::Strong(i) | Inline::Emphasis(i) | Inline::Link { text: i, .. } => plain(i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_spans() {
        let md = "# Title\n\nSome `kubectl get` and **bold *and* more**\ncontinued.\n\n- one\n- two\n  three\n\n1. first\n2. second\n\n> a quote\n> goes on\n\n```yaml file=web.yaml\nkind: Pod\n```\n";
        let b = parse(md);
        assert_eq!(b[0], Block::Heading { level: 1, text: vec![Inline::Text("Title".into())] });
        assert_eq!(
            b[1],
            Block::Paragraph(vec![
                Inline::Text("Some ".into()),
                Inline::Code("kubectl get".into()),
                Inline::Text(" and ".into()),
                Inline::Strong(vec![Inline::Text("bold ".into()), Inline::Emphasis(vec![Inline::Text("and".into())]), Inline::Text(" more".into())]),
                Inline::Text(" continued.".into()),
            ])
        );
        assert_eq!(b[2], Block::List { ordered: false, items: vec![vec![Inline::Text("one".into())], vec![Inline::Text("two three".into())]] });
        assert!(matches!(&b[3], Block::List { ordered: true, items } if items.len() == 2));
        assert_eq!(b[4], Block::Quote(vec![Inline::Text("a quote goes on".into())]));
        assert_eq!(b[5], Block::Code { lang: "yaml".into(), file: Some("web.yaml".into()), text: "kind: Pod\n".into() });
    }

    #[test]
    fn japanese_lines_join_without_a_space() {
        assert_eq!(parse("Deployment は\nPod を管理します。\nIt is\nEnglish `code`\nです。"), vec![Block::Paragraph(vec![Inline::Text("Deployment はPod を管理します。It is English ".into()), Inline::Code("code".into()), Inline::Text("です。".into())])]);
        assert_eq!(parse("- 一行目\n  二行目"), vec![Block::List { ordered: false, items: vec![vec![Inline::Text("一行目二行目".into())]] }]);
    }

    #[test]
    fn only_safe_links_go_anywhere() {
        assert_eq!(inlines("[docs](https://kubernetes.io/)"), vec![Inline::Link { text: vec![Inline::Text("docs".into())], href: "https://kubernetes.io/".into() }]);
        assert_eq!(inlines("[next](#lesson=05-pod)")[0], Inline::Link { text: vec![Inline::Text("next".into())], href: "#lesson=05-pod".into() });
        assert_eq!(inlines("[x](javascript:alert(1))")[0], Inline::Emphasis(vec![Inline::Text("x".into())]));
        assert_eq!(inlines("[x]( JavaScript:alert(1))")[0], Inline::Emphasis(vec![Inline::Text("x".into())]));
        // HTML stays text.
        assert_eq!(parse("<script>alert(1)</script>"), vec![Block::Paragraph(vec![Inline::Text("<script>alert(1)</script>".into())])]);
    }

    #[test]
    fn html_escapes_everything_and_keeps_only_safe_links() {
        let b = parse("a <b>x</b> & \"q\" [go](#lesson=05-pod) [bad](javascript:alert(1))\n\n```sh\nkubectl get pods <x>\n```\n\n```yaml file=w.yaml\nkind: Pod\n```\n");
        let h = html(&b, "Run", "Open");
        assert_eq!(
            h,
            "<p>a &lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; <a href=\"#lesson=05-pod\">go</a> <em>bad</em>)</p>\
             <div class=\"code-block\"><pre><code>kubectl get pods &lt;x&gt;\n</code></pre><button class=\"run-block\" data-code=\"1\">Run</button></div>\
             <div class=\"code-block\"><pre><code>kind: Pod\n</code></pre><button class=\"open-block\" data-code=\"2\">Open <code>w.yaml</code></button></div>"
        );
        assert!(inline_html(&inlines("[x](https://a.example/?q=\"<)")).starts_with("<a href=\"https://a.example/?q=&quot;&lt;\""));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in ["`", "**", "*", "[", "[a](", "[a]", "\\", "```", "# ", "#", "1.", "- ", "_a_", "**a", "日本語の`コード`と**強調**"] {
            let _ = parse(s);
            let _ = inlines(s);
        }
        assert_eq!(plain(&inlines("日本語の`コード`と**強調**")), "日本語のコードと強調");
    }
}
