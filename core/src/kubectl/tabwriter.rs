//! Column alignment as Go's `text/tabwriter` does it, with the settings kubectl's printers use
//! (minimum width 6, padding 3, spaces). Cells end with a tab; the last cell of a line does not,
//! and is never padded. A column is aligned over a block of consecutive lines that all have a
//! tab-terminated cell in it; a line without one ends the block.

pub const MIN_WIDTH: usize = 6;
pub const PADDING: usize = 3;

/// Aligns `text` (lines of tab-separated cells) as kubectl's table printers do.
pub fn align(text: &str) -> String {
    align_with(text, MIN_WIDTH, PADDING)
}

/// Aligns with other settings (`rollout history` uses no minimum and padding 2).
pub fn align_with(text: &str, min_width: usize, padding: usize) -> String {
    let ends_with_newline = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() + lines.len() * 8);
    let mut widths = Vec::new();
    format(&lines, 0, lines.len(), &mut widths, &mut out, (min_width, padding));
    if !ends_with_newline {
        out.pop();
    }
    out
}

fn width_of(cell: &str) -> usize {
    cell.chars().count()
}

/// Lays out lines `from..to`, whose columns before `widths.len()` are already sized.
fn format(lines: &[Vec<&str>], mut from: usize, to: usize, widths: &mut Vec<usize>, out: &mut String, settings: (usize, usize)) {
    let (min_width, padding) = settings;
    let column = widths.len();
    let mut this = from;
    while this < to {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        // A block of lines with a cell in this column begins here.
        write_lines(lines, from, this, widths, out);
        from = this;
        let mut width = min_width;
        while this < to && column + 1 < lines[this].len() {
            width = width.max(width_of(lines[this][column]) + padding);
            this += 1;
        }
        widths.push(width);
        format(lines, from, this, widths, out, settings);
        widths.pop();
        from = this;
    }
    write_lines(lines, from, to, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in &lines[from..to] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                let w = widths.get(j).copied().unwrap_or(0);
                for _ in width_of(cell)..w {
                    out.push(' ');
                }
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn columns_align_within_blocks() {
        assert_eq!(align("NAME\tAGE\nkubernetes\t5s\n"), "NAME         AGE\nkubernetes   5s\n");
        // Minimum width 6 with padding: a short column still takes 6.
        assert_eq!(align("A\tB\nx\ty\n"), "A     B\nx     y\n");
        // A line without tabs ends the block: the next table aligns on its own.
        assert_eq!(align("N\tX\nlong-name\t1\n\nNAME\tY\na\t2\n"), "N           X\nlong-name   1\n\nNAME   Y\na      2\n");
        // The last cell is never padded, multi-byte text counts characters.
        assert_eq!(align("é\tb\t\n"), "é     b     \n");
    }
}
