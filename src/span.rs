//! Source positions that outlive the AST: byte offsets plus 1-based line/column pairs.

use serde::Serialize;

/// A range in one file. Lines are 1-based; columns are 1-based and counted in Unicode
/// code points (what SARIF calls `unicodeCodePoints`); `end_col` is exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// Byte offsets into the file, for code frames.
    #[serde(skip)]
    pub lo: u32,
    #[serde(skip)]
    pub hi: u32,
}

/// Maps byte offsets of one source text to line/column positions.
pub struct LineIndex<'s> {
    src: &'s str,
    line_starts: Vec<u32>,
    /// Every byte is a character: columns are byte distances.
    ascii: bool,
    /// The line of the last lookup: the extractor asks in nearly source order, so the next
    /// answer is usually on the same line or a few after it.
    last: std::cell::Cell<usize>,
}

/// The offset of every line's first byte.
fn line_starts(bytes: &[u8]) -> Vec<u32> {
    let mut starts = vec![0u32];
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
    starts
}

impl Span {
    /// A span known by its byte offsets only; [`LineIndex::locate`] adds lines and columns.
    pub fn unlocated(lo: u32, hi: u32) -> Span {
        Span {
            lo,
            hi: hi.max(lo),
            ..Span::default()
        }
    }

    /// Line 1, column 1: where a finding about a whole file (or one that can no longer be
    /// placed) is shown.
    pub fn file_start() -> Span {
        Span {
            start_line: 1,
            start_col: 1,
            end_line: 1,
            end_col: 1,
            lo: 0,
            hi: 0,
        }
    }

    /// `other` lies within this span (by byte offsets).
    pub fn contains(&self, other: Span) -> bool {
        self.lo <= other.lo && other.hi <= self.hi
    }

    /// Lines are 1-based: a span on line 0 has not been located.
    pub fn is_located(&self) -> bool {
        self.start_line != 0
    }
}

impl<'s> LineIndex<'s> {
    /// Fills in the lines and columns of a span made by [`Span::unlocated`].
    pub fn locate(&self, span: &mut Span) {
        if !span.is_located() {
            *span = self.span(span.lo, span.hi);
        }
    }

    pub fn new(src: &'s str) -> Self {
        LineIndex {
            src,
            line_starts: line_starts(src.as_bytes()),
            ascii: src.is_ascii(),
            last: std::cell::Cell::new(0),
        }
    }

    /// The 0-based line holding `offset`: the last line asked about or one of the next few
    /// when possible, else a binary search.
    fn line_of(&self, offset: u32) -> usize {
        let starts = &self.line_starts;
        let mut line = self.last.get();
        if starts[line] <= offset {
            let stop = (line + 8).min(starts.len());
            while line + 1 < stop && starts[line + 1] <= offset {
                line += 1;
            }
            if line + 1 == starts.len() || starts[line + 1] > offset {
                self.last.set(line);
                return line;
            }
        }
        line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        self.last.set(line);
        line
    }

    /// (line, column) of a byte offset, both 1-based; the column counts code points.
    pub fn position(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.src.len() as u32);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        if self.ascii {
            return (line as u32 + 1, offset - start as u32 + 1);
        }
        let mut end = offset as usize;
        while end > start && !self.src.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.src[start..end].chars().count() as u32 + 1;
        (line as u32 + 1, col)
    }

    pub fn span(&self, lo: u32, hi: u32) -> Span {
        let (start_line, start_col) = self.position(lo);
        let (end_line, end_col) = self.position(hi.max(lo));
        Span {
            start_line,
            start_col,
            end_line,
            end_col,
            lo,
            hi: hi.max(lo),
        }
    }

    pub fn text(&self, lo: u32, hi: u32) -> &'s str {
        let (lo, hi) = (lo as usize, (hi as usize).min(self.src.len()));
        self.src.get(lo..hi).unwrap_or("")
    }
}

/// The (line, column) of each of `offsets`, which must be ascending, as [`LineIndex::position`]
/// gives them, without indexing every line: the newlines are counted (vectorised) only up to
/// the last offset. For the few spans a run shows, in files read again to show them.
pub fn positions(src: &str, offsets: &[u32]) -> Vec<(u32, u32)> {
    let b = src.as_bytes();
    let (mut line, mut line_start, mut at) = (0usize, 0usize, 0usize);
    offsets
        .iter()
        .map(|&o| {
            let o = (o as usize).clamp(at, b.len());
            let seg = &b[at..o];
            let n = memchr::memchr_iter(b'\n', seg).count();
            if n > 0 {
                line += n;
                line_start = at + memchr::memrchr(b'\n', seg).map_or(0, |i| i + 1);
            }
            at = o;
            let mut end = o;
            while end > line_start && !src.is_char_boundary(end) {
                end -= 1;
            }
            let col = src[line_start..end].chars().count();
            (line as u32 + 1, col as u32 + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_code_points() {
        let idx = LineIndex::new("ab\nçd\n");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // 'd' follows the two-byte 'ç': byte 5, column 2.
        assert_eq!(idx.position(5), (2, 2));
        assert_eq!(idx.text(3, 6), "çd");
    }

    /// The line breaks, and the lookups that start from the last
    /// line, agree with a plain scan everywhere: across chunk edges, backwards and at the end.
    #[test]
    fn line_starts_and_lookups_match_a_plain_scan() {
        let mut src = String::new();
        for i in 0..300 {
            src.push_str(&"x".repeat(i % 70));
            src.push('\n');
        }
        src.push_str("tail");
        let plain: Vec<u32> = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        assert_eq!(line_starts(src.as_bytes()), plain);
        let idx = LineIndex::new(&src);
        let expect = |o: u32| {
            let line = plain.iter().rposition(|&s| s <= o).unwrap();
            (line as u32 + 1, o - plain[line] + 1)
        };
        let offsets: Vec<u32> = (0..src.len() as u32)
            .step_by(7)
            .chain((0..src.len() as u32).rev().step_by(13))
            .chain([0, src.len() as u32])
            .collect();
        for &o in &offsets {
            assert_eq!(idx.position(o), expect(o), "offset {o}");
        }
        let mut sorted = offsets.clone();
        sorted.sort_unstable();
        let sparse = positions(&src, &sorted);
        for (o, p) in sorted.iter().zip(sparse) {
            assert_eq!(p, expect(*o), "offset {o}");
        }
    }

    /// The sparse count agrees with the full index on text with multi-byte characters, at
    /// offsets inside them, on newlines and past the end.
    #[test]
    fn sparse_positions_match_the_index() {
        let src = "é\nab çd\n\n𝄞x\r\nend";
        let idx = LineIndex::new(src);
        let offsets: Vec<u32> = (0..=src.len() as u32 + 3).collect();
        let sparse = positions(src, &offsets);
        for (o, p) in offsets.iter().zip(sparse) {
            assert_eq!(p, idx.position(*o), "offset {o}");
        }
    }
}
