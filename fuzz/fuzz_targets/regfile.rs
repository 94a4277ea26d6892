//! .reg files (any encoding, any bytes) through the reader and the checker that
//! `fixgen check FILE.reg` runs. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = fixgen::pipeline::parts::regfile::read::parse(data);
    let _ = fixgen::pipeline::parts::regfile::check::findings("fuzz.reg", &parsed);
    let diags = fixgen::pipeline::parts::regfile::check::check("fuzz.reg", data);
    let source = fixgen::diag::SourceFile {
        path: "fuzz.reg".into(),
        text: fixgen::pipeline::parts::regfile::read::text(data),
    };
    let _ = fixgen::diag::render_human(&diags, &[source], false);
});
