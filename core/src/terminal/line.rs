//! The line being typed: its text, the cursor, and how to draw both on a terminal of a given
//! width. Every change redraws the prompt and the line from where the prompt starts, so wrapped
//! lines, wide (Japanese) characters and recalled multi-line commands stay in place.

use super::width::char_width;

#[derive(Debug, Clone)]
pub struct LineEditor {
    buf: Vec<char>,
    cursor: usize,
    cols: usize,
    /// The prompt as printed (colours included) and its width in columns.
    prompt: String,
    prompt_width: usize,
    /// The row, counted from the prompt's first row, the terminal's cursor is on.
    row: usize,
}

/// Where a position falls: row from the prompt's first row, and column.
fn place(prompt_width: usize, text: &[char], cols: usize) -> (usize, usize) {
    let cols = cols.max(1);
    let (mut row, mut col) = (prompt_width / cols, prompt_width % cols);
    for &c in text {
        if c == '\n' {
            row += 1;
            col = 0;
            continue;
        }
        let w = char_width(c);
        if col + w > cols {
            row += 1;
            col = 0;
        }
        col += w;
        if col >= cols {
            row += 1;
            col = 0;
        }
    }
    (row, col)
}

impl LineEditor {
    pub fn new(cols: usize) -> LineEditor {
        LineEditor { buf: Vec::new(), cursor: 0, cols: cols.max(1), prompt: String::new(), prompt_width: 0, row: 0 }
    }

    pub fn text(&self) -> String {
        self.buf.iter().collect()
    }

    /// The text left of the cursor.
    pub fn before_cursor(&self) -> String {
        self.buf[..self.cursor].iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn set_cols(&mut self, cols: usize) {
        self.cols = cols.max(1);
    }

    /// Starts a new line after `prompt` (printed as is; `width` columns wide). Returns what
    /// to write.
    pub fn start(&mut self, prompt: &str, width: usize) -> String {
        self.buf.clear();
        self.cursor = 0;
        self.prompt = prompt.to_string();
        self.prompt_width = width;
        self.row = 0;
        self.render()
    }

    /// Moves the terminal's cursor below the line (before output or a new prompt) and forgets
    /// the line's position. Returns what to write.
    pub fn finish(&mut self) -> String {
        let (end_row, _) = place(self.prompt_width, &self.buf, self.cols);
        let mut out = String::new();
        if end_row > self.row {
            out.push_str(&format!("\x1b[{}B", end_row - self.row));
        }
        out.push_str("\r\n");
        self.row = 0;
        out
    }

    /// Clears the prompt and the line from the screen (output of a background job comes out
    /// there, then `render` draws them again below it).
    pub fn erase(&mut self) -> String {
        let mut out = String::new();
        if self.row > 0 {
            out.push_str(&format!("\x1b[{}A", self.row));
        }
        out.push_str("\r\x1b[J");
        self.row = 0;
        out
    }

    /// Redraws the prompt and the line, and puts the cursor where it belongs.
    pub fn render(&mut self) -> String {
        let mut out = String::new();
        if self.row > 0 {
            out.push_str(&format!("\x1b[{}A", self.row));
        }
        out.push_str("\r\x1b[J");
        out.push_str(&self.prompt);
        for &c in &self.buf {
            if c == '\n' {
                out.push_str("\r\n");
            } else {
                out.push(c);
            }
        }
        let (end_row, end_col) = place(self.prompt_width, &self.buf, self.cols);
        // After the last column the terminal waits to wrap: write a space and return so the
        // cursor really is at the start of the next row, where `place` says it is.
        if end_col == 0 && self.buf.last().is_some_and(|c| *c != '\n') && end_row > 0 {
            out.push_str(" \r");
        }
        let (row, col) = place(self.prompt_width, &self.buf[..self.cursor], self.cols);
        if end_row > row {
            out.push_str(&format!("\x1b[{}A", end_row - row));
        }
        out.push('\r');
        if col > 0 {
            out.push_str(&format!("\x1b[{col}C"));
        }
        self.row = row;
        out
    }

    /// Replaces the whole line (history recall); the cursor goes to its end.
    pub fn set(&mut self, text: &str) -> String {
        self.buf = text.chars().collect();
        self.cursor = self.buf.len();
        self.render()
    }

    pub fn insert(&mut self, text: &str) -> String {
        for c in text.chars() {
            self.buf.insert(self.cursor, c);
            self.cursor += 1;
        }
        self.render()
    }

    /// Replaces the `n` characters left of the cursor by `text` (completion).
    pub fn replace_back(&mut self, n: usize, text: &str) -> String {
        let n = n.min(self.cursor);
        self.buf.drain(self.cursor - n..self.cursor);
        self.cursor -= n;
        self.insert(text)
    }

    pub fn backspace(&mut self) -> String {
        if self.cursor == 0 {
            return String::new();
        }
        self.cursor -= 1;
        self.buf.remove(self.cursor);
        self.render()
    }

    pub fn delete(&mut self) -> String {
        if self.cursor >= self.buf.len() {
            return String::new();
        }
        self.buf.remove(self.cursor);
        self.render()
    }

    pub fn left(&mut self) -> String {
        self.move_to(self.cursor.saturating_sub(1))
    }

    pub fn right(&mut self) -> String {
        self.move_to((self.cursor + 1).min(self.buf.len()))
    }

    pub fn home(&mut self) -> String {
        self.move_to(0)
    }

    pub fn end(&mut self) -> String {
        self.move_to(self.buf.len())
    }

    /// One word left or right, as readline's Alt+B / Alt+F.
    pub fn word_left(&mut self) -> String {
        let mut i = self.cursor;
        while i > 0 && !self.buf[i - 1].is_alphanumeric() {
            i -= 1;
        }
        while i > 0 && self.buf[i - 1].is_alphanumeric() {
            i -= 1;
        }
        self.move_to(i)
    }

    pub fn word_right(&mut self) -> String {
        let mut i = self.cursor;
        while i < self.buf.len() && !self.buf[i].is_alphanumeric() {
            i += 1;
        }
        while i < self.buf.len() && self.buf[i].is_alphanumeric() {
            i += 1;
        }
        self.move_to(i)
    }

    /// Ctrl+U: deletes from the start of the line to the cursor.
    pub fn kill_to_start(&mut self) -> String {
        self.buf.drain(..self.cursor);
        self.cursor = 0;
        self.render()
    }

    /// Ctrl+K: deletes from the cursor to the end.
    pub fn kill_to_end(&mut self) -> String {
        self.buf.truncate(self.cursor);
        self.render()
    }

    /// Ctrl+W: deletes the whitespace-separated word left of the cursor.
    pub fn kill_word(&mut self) -> String {
        let mut i = self.cursor;
        while i > 0 && self.buf[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !self.buf[i - 1].is_whitespace() {
            i -= 1;
        }
        self.buf.drain(i..self.cursor);
        self.cursor = i;
        self.render()
    }

    fn move_to(&mut self, to: usize) -> String {
        if to == self.cursor {
            return String::new();
        }
        self.cursor = to;
        self.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_wrap_at_the_width_and_wide_characters_never_split() {
        let t: Vec<char> = "abcdef".chars().collect();
        assert_eq!(place(2, &t, 10), (0, 8));
        assert_eq!(place(2, &t, 8), (1, 0));
        assert_eq!(place(2, &t, 5), (1, 3));
        let j: Vec<char> = "ポッド".chars().collect();
        // Columns 0..5 hold the prompt and ポ(2) ッ(2); ド does not fit in the last column.
        assert_eq!(place(1, &j, 6), (1, 2));
        let m: Vec<char> = "a\nbc".chars().collect();
        assert_eq!(place(2, &m, 80), (1, 2));
    }

    #[test]
    fn editing_moves_the_cursor_and_redraws() {
        let mut e = LineEditor::new(80);
        assert_eq!(e.start("$ ", 2), "\r\x1b[J$ \r\x1b[2C");
        e.insert("kubectl get po");
        assert_eq!(e.left(), "\r\x1b[J$ kubectl get po\r\x1b[15C");
        e.insert("d");
        assert_eq!(e.text(), "kubectl get pdo");
        e.end();
        e.backspace();
        e.kill_word();
        assert_eq!(e.text(), "kubectl get ");
        e.home();
        e.delete();
        assert_eq!(e.text(), "ubectl get ");
        e.word_right();
        assert_eq!(e.before_cursor(), "ubectl");
        e.kill_to_end();
        assert_eq!(e.text(), "ubectl");
        e.kill_to_start();
        assert!(e.is_empty());
    }

    #[test]
    fn a_wrapped_line_is_redrawn_from_its_first_row() {
        let mut e = LineEditor::new(10);
        e.start("$ ", 2);
        // 2 + 12 = 14 columns: the cursor ends on the second row.
        assert!(e.insert("kubectl get ").ends_with("\r\x1b[4C"));
        // The next redraw climbs back to the prompt's row first.
        assert!(e.insert("x").starts_with("\x1b[1A\r\x1b[J$ "));
        // Exactly full rows: a space and a return put the cursor at the next row's start.
        let mut f = LineEditor::new(10);
        f.start("$ ", 2);
        assert_eq!(f.insert("12345678"), "\r\x1b[J$ 12345678 \r\r");
        assert_eq!(f.finish(), "\r\n");
    }
}
