//! Every lesson in lessons/ works: its texts agree with its steps in both languages, no step
//! holds on the start state or before its solution ran, and every step holds after its
//! solution (run through the emulator from the start state, as a learner would type it).

use std::path::Path;

use hakoniwa_cli::lessons::{bundle, check_start, load};
use hakoniwa_core::lessons::{self, Catalog};

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../lessons"))
}

#[test]
fn every_lesson_solves_from_its_start_and_no_step_holds_by_itself() {
    let catalog = load(dir()).expect("the lessons read");
    let mut problems = Vec::new();
    for l in &catalog.lessons {
        problems.extend(lessons::verify(l, check_start()));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_chapters_have_their_lessons_each_with_three_steps_or_more() {
    let catalog = load(dir()).expect("the lessons read");
    for l in &catalog.lessons {
        assert!(l.def.steps.len() >= 3, "{} has {} steps", l.id(), l.def.steps.len());
        for (a, b) in l.en.steps.iter().zip(&l.ja.steps) {
            assert_eq!(a.id, b.id);
            assert!(!a.title.is_empty() && !b.title.is_empty(), "{}: step {} has no title", l.id(), a.id);
        }
    }
    for c in &catalog.chapters {
        assert!(!c.lessons.is_empty(), "chapter {} has no lessons", c.number);
    }
}

#[test]
fn a_lesson_whose_languages_disagree_is_refused() {
    let b = bundle(dir()).expect("bundles");
    let mut v: serde_json::Value = serde_json::from_str(&b).expect("json");
    let ja = v["lessons"][0]["ja"].as_str().expect("ja").to_string();
    // One step heading loses its anchor in Japanese.
    let broken = ja.replacen("{#", "{#x", 1);
    v["lessons"][0]["ja"] = broken.into();
    let err = Catalog::parse_bundle(&v.to_string()).expect_err("refused");
    assert!(err.message.contains("ja.md has the steps"), "{err}");
    // A lesson in no chapter.
    let mut v: serde_json::Value = serde_json::from_str(&b).expect("json");
    let mut extra = v["lessons"][0].clone();
    extra["id"] = "99-stray".into();
    v["lessons"].as_array_mut().expect("list").push(extra);
    let err = Catalog::parse_bundle(&v.to_string()).expect_err("refused");
    assert!(err.message.contains("99-stray is in no chapter"), "{err}");
}
