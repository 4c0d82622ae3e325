#![no_main]
//! Go file header reader: never panics; reading in small chunks (stopping early) gives the
//! same header as reading the whole file; build-constraint lines parse or fail cleanly.
use godrift::packages::{constraint, header};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

/// A reader that hands out at most `n` bytes per call.
struct Chunks<'a>(&'a [u8], usize);

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.1).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let whole = header::parse_header("x.go", data, true).expect("complete input decides");
    let chunk = 1 + data.first().map_or(0, |b| *b as usize % 7);
    let read = header::read_header("x.go", &mut Chunks(data, chunk));
    assert_eq!(whole, read);
    for line in String::from_utf8_lossy(data).lines() {
        let _ = constraint::parse(line);
    }
});
