//! A lesson's words in one language (`en.md`, `ja.md`): a `# title`, an introduction, then one
//! `## Step title {#step-id}` section per step of `lesson.yaml`, in the same order. Within a
//! step, a `### ... {#hints}` heading starts the hints: each list item after it is one hint,
//! from a nudge to nearly the answer.

use super::markdown::{self, Block, Inline};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepText {
    pub id: String,
    pub title: String,
    pub body: Vec<Block>,
    pub hints: Vec<Vec<Inline>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LessonText {
    pub title: String,
    pub intro: Vec<Block>,
    pub steps: Vec<StepText>,
}

/// A heading's `{#id}` at its end: the id, and the heading's text without it.
fn anchor(text: &[Inline]) -> (Option<String>, Vec<Inline>) {
    let mut text = text.to_vec();
    if let Some(Inline::Text(last)) = text.last_mut() {
        let t = last.trim_end();
        if let Some(open) = t.rfind("{#").filter(|_| t.ends_with('}')) {
            let id = t[open + 2..t.len() - 1].trim().to_string();
            *last = t[..open].trim_end().to_string();
            if last.is_empty() {
                text.pop();
            }
            return (Some(id), text);
        }
    }
    (None, text)
}

impl LessonText {
    pub fn parse(md: &str) -> LessonText {
        let mut out = LessonText::default();
        let mut in_hints = false;
        for block in markdown::parse(md) {
            match &block {
                Block::Heading { level: 1, text } if out.title.is_empty() && out.steps.is_empty() => {
                    out.title = markdown::plain(text);
                    continue;
                }
                Block::Heading { level: 2, text } => {
                    let (id, text) = anchor(text);
                    if let Some(id) = id {
                        out.steps.push(StepText { id, title: markdown::plain(&text), body: Vec::new(), hints: Vec::new() });
                        in_hints = false;
                        continue;
                    }
                }
                Block::Heading { level: 3, text } if anchor(text).0.as_deref() == Some("hints") => {
                    in_hints = true;
                    continue;
                }
                _ => {}
            }
            match (out.steps.last_mut(), in_hints, block) {
                (None, _, b) => out.intro.push(b),
                (Some(s), true, Block::List { items, .. }) => s.hints.extend(items),
                (Some(s), true, Block::Paragraph(p)) => s.hints.push(p),
                (Some(s), _, b) => s.body.push(b),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_hints_by_anchor() {
        let t = LessonText::parse("# Pods\n\nIntro.\n\n## Make a pod {#create}\n\nRun this:\n\n```sh\nkubectl run web --image=nginx\n```\n\n### Hints {#hints}\n\n- Use `kubectl run`.\n- The image is `nginx`.\n\n## Look {#look}\n\nText.\n");
        assert_eq!(t.title, "Pods");
        assert_eq!(t.intro.len(), 1);
        assert_eq!(t.steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["create", "look"]);
        assert_eq!(t.steps[0].title, "Make a pod");
        assert_eq!(t.steps[0].body.len(), 2);
        assert_eq!(t.steps[0].hints.len(), 2);
        assert!(t.steps[1].hints.is_empty());
    }
}
