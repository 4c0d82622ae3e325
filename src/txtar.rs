//! The txtar archive format Go's tests use (golang.org/x/tools/txtar): a comment, then
//! files introduced by `-- name --` lines. Used to read test corpora and fake proxies.

/// A parsed archive: leading comment and (name, data) files in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Archive {
    pub comment: Vec<u8>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// If `line` is a file marker (`-- name --`), the name.
fn marker_name(line: &[u8]) -> Option<String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_prefix(b"-- ")?.strip_suffix(b" --")?;
    let name = String::from_utf8_lossy(inner).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// Parses txtar data. Never fails: text before the first marker is the comment.
pub fn parse(data: &[u8]) -> Archive {
    let mut a = Archive::default();
    let mut current: Option<(String, Vec<u8>)> = None;
    let mut rest = data;
    while !rest.is_empty() {
        let (line, next) = match rest.iter().position(|&c| c == b'\n') {
            Some(i) => (&rest[..=i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        if let Some(name) = marker_name(bare) {
            if let Some(f) = current.take() {
                a.files.push(f);
            }
            current = Some((name, Vec::new()));
            continue;
        }
        match &mut current {
            Some((_, body)) => body.extend_from_slice(line),
            None => a.comment.extend_from_slice(line),
        }
    }
    if let Some(f) = current.take() {
        a.files.push(f);
    }
    // txtar guarantees every file's data ends in a newline unless empty.
    for (_, body) in &mut a.files {
        if !body.is_empty() && body.last() != Some(&b'\n') {
            body.push(b'\n');
        }
    }
    a
}

impl Archive {
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_and_comment() {
        let a = super::parse(b"comment\n-- a.txt --\nA\n-- b/c --\nB\nB2");
        assert_eq!(a.comment, b"comment\n");
        assert_eq!(a.files.len(), 2);
        assert_eq!(a.get("b/c"), Some(&b"B\nB2\n"[..]));
    }
}
