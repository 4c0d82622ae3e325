//! Go's strconv.Quote / Unquote (double-quoted form) and the unicode.IsPrint / IsSpace
//! predicates the go.mod lexer uses.

/// unicode.IsSpace (the White_Space property, which Rust's `char::is_whitespace` also uses).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020.
/// Approximation without Unicode tables: everything except controls, non-ASCII spaces,
/// the common format characters (Cf), surrogates and private-use code points.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format = matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890 | 0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = (u & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&u);
    !(format || private || nonchar)
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) => out.push(c),
        c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// strconv.Quote (input already decoded; invalid UTF-8 was replaced by U+FFFD on reading).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// strconv.QuoteRune.
pub(crate) fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// strconv.Unquote for a double-quoted string; Err is always Go's "invalid syntax".
pub(crate) fn unquote(s: &str) -> Result<String, ()> {
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or(())?;
    if s.len() < 2 {
        return Err(());
    }
    let mut out = String::with_capacity(inner.len());
    let mut it = inner.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '"' | '\n' => return Err(()),
            '\\' => {
                let e = it.next().ok_or(())?;
                match e {
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\x0b'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '0'..='7' => {
                        let mut v = e.to_digit(8).ok_or(())?;
                        for _ in 0..2 {
                            let d = it.next().and_then(|d| d.to_digit(8)).ok_or(())?;
                            v = v * 8 + d;
                        }
                        if v > 255 {
                            return Err(());
                        }
                        // A byte escape; bytes >= 0x80 would make invalid UTF-8 in Go.
                        out.push(char::from_u32(v).ok_or(())?);
                    }
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v: u32 = 0;
                        for _ in 0..n {
                            let d = it.next().and_then(|d| d.to_digit(16)).ok_or(())?;
                            v = v.checked_mul(16).ok_or(())? + d;
                        }
                        out.push(char::from_u32(v).ok_or(())?);
                    }
                    _ => return Err(()),
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// modfile.MustQuote.
pub fn must_quote(s: &str) -> bool {
    let multi = s.len() > 1;
    for c in s.chars() {
        match c {
            ' ' | '"' | '\'' | '`' => return true,
            '(' | ')' | '[' | ']' | '{' | '}' | ',' if multi => return true,
            c if !is_print(c) => return true,
            _ => {}
        }
    }
    s.is_empty() || s.contains("//") || s.contains("/*")
}

/// modfile.AutoQuote.
pub fn auto_quote(s: &str) -> String {
    if must_quote(s) {
        quote(s)
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\n\x00é"), "\"a\\\"b\\n\\x00é\"");
        assert_eq!(
            unquote("\"a\\tb\\x41\\u00e9\\101\""),
            Ok("a\tbAéA".to_string())
        );
        assert!(unquote("\"a\\'\"").is_err());
        assert!(unquote("\"a").is_err());
        assert_eq!(quote_rune('\0'), "'\\x00'");
        assert_eq!(quote_rune('\u{feff}'), "'\\ufeff'");
        assert!(must_quote("a b") && must_quote("") && !must_quote("x/y") && must_quote("a//b"));
    }
}
