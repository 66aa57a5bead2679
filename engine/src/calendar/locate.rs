//! Finding where a value sits in a calendar year file, so that semantic errors point at a line.
//!
//! serde_yaml reports a location only for syntax and type errors. Semantic checks (a date
//! listed twice, a weekday under `work`) run on the parsed structs, which carry no position,
//! so this module searches the source text instead: a year file is small and flat, so a
//! top-level key is a line that starts in column 1, and an entry's date is the text after
//! `date:` inside that key's section. Lines and columns are 1-based and columns count
//! characters, as serde_yaml's do.

/// A 1-based line and column.
pub(super) type LineColumn = (usize, usize);

/// The position of the value of the top-level key `key` (such as `year`), or of the key
/// itself when the value is on a later line.
pub(super) fn top_level_value(text: &str, key: &str) -> Option<LineColumn> {
    let (line_no, line) = lines(text).find(|(_, line)| top_level_key(line) == Some(key))?;
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    let value = after.trim_start();
    if value.is_empty() || value.starts_with('#') {
        return Some((line_no, 1));
    }
    let byte = colon + 1 + (after.len() - value.len());
    Some((line_no, column_of(line, byte)))
}

/// The position of the `occurrence`-th (counting from 0) entry whose `date:` is written as
/// `value` in the top-level section `section` (`off` or `work`). Falls back to the section's
/// own line when the entry cannot be found, and to `None` when the section cannot either.
pub(super) fn entry_date(
    text: &str,
    section: &str,
    value: &str,
    occurrence: usize,
) -> Option<LineColumn> {
    let mut in_section = false;
    let mut section_line = None;
    let mut seen = 0;
    for (line_no, line) in lines(text) {
        if let Some(key) = top_level_key(line) {
            in_section = key == section;
            if in_section && section_line.is_none() {
                section_line = Some((line_no, 1));
            }
        }
        if !in_section || value.is_empty() {
            continue;
        }
        for (byte, _) in line.match_indices(value) {
            if is_date_value(line, byte, value.len()) {
                if seen == occurrence {
                    return Some((line_no, column_of(line, byte)));
                }
                seen += 1;
            }
        }
    }
    section_line
}

/// Lines of `text` numbered from 1, without their line ends.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| (i + 1, line))
}

/// The key a line declares at the top level of the document, if it declares one.
fn top_level_key(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '{' | '[') {
        return None;
    }
    let key = line[..line.find(':')?].trim();
    Some(key.trim_matches(|c| c == '"' || c == '\''))
}

/// Whether the match of a value at `byte..byte + len` in `line` is the value of a `date:`
/// key, rather than a comment or part of a longer word.
fn is_date_value(line: &str, byte: usize, len: usize) -> bool {
    let after = line[byte + len..].chars().next();
    if after.is_some_and(|c| c.is_alphanumeric() || c == '-') {
        return false;
    }
    let before = line[..byte]
        .trim_end_matches(['"', '\''])
        .trim_end_matches([' ', '\t']);
    if before.contains('#') {
        return false;
    }
    before.ends_with("date:")
}

/// The 1-based character column of byte offset `byte` in `line`.
fn column_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}
