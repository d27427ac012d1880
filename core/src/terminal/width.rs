//! How many terminal columns a character takes, as xterm.js counts them by default (its Unicode 6
//! table): East Asian wide and full-width characters take two, combining marks none, the rest one.

/// Ranges of wide characters (inclusive).
const WIDE: &[(u32, u32)] = &[
    (0x1100, 0x115F),
    (0x2329, 0x232A),
    (0x2E80, 0x303E),
    (0x3041, 0x33FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE19),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFF60),
    (0xFFE0, 0xFFE6),
    (0x20000, 0x2FFFD),
    (0x30000, 0x3FFFD),
];

/// Ranges of zero-width characters (inclusive): combining marks and joiners.
const ZERO: &[(u32, u32)] = &[(0x0300, 0x036F), (0x200B, 0x200F), (0x20D0, 0x20FF), (0x3099, 0x309A), (0xFE00, 0xFE0F), (0xFE20, 0xFE2F)];

fn within(table: &[(u32, u32)], c: u32) -> bool {
    table.binary_search_by(|&(lo, hi)| if c < lo { std::cmp::Ordering::Greater } else if c > hi { std::cmp::Ordering::Less } else { std::cmp::Ordering::Equal }).is_ok()
}

/// Columns one character takes.
pub fn char_width(c: char) -> usize {
    let u = c as u32;
    if u < 0x20 || (0x7F..0xA0).contains(&u) || within(ZERO, u) {
        0
    } else if within(WIDE, u) {
        2
    } else {
        1
    }
}

/// Columns a text takes on one line (no line breaks in it).
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_narrow_and_zero() {
        assert_eq!(width("kubectl"), 7);
        assert_eq!(width("箱庭"), 4);
        assert_eq!(width("ポッド"), 6);
        assert_eq!(width("(⎈|kind:default)"), 16);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("ｱ"), 1);
        assert_eq!(width("Ａ"), 2);
    }
}
