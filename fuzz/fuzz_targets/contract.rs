#![no_main]
//! Host contracts (`check --contract`, `contract diff`): never panic; what parses serializes
//! and parses back to the same contract, and replays as an artifact.
use godrift::contract::Contract;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Contract::parse("fuzz.json", data) {
        let back = Contract::parse("back.json", c.to_json().as_bytes())
            .expect("a parsed contract serializes and parses back");
        assert_eq!(back, c);
        let _ = c.to_artifact();
        let _ = godrift::contract::diff::diff(&c, &back);
    }
});
