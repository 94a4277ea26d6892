//! Recipe text -> load -> validate -> plan -> render (scripts and module). Any panic is a bug:
//! bad input must come back as diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

use fixgen::pipeline::{render, Target};
use fixgen::pipeline::parts::load::Inputs;
use fixgen::diag::SourceFile;
use fixgen::pipeline::parts::plan::ParamValues;
use fixgen::pipeline::parts::render::powershell::PsOptions;

fuzz_target!(|data: &[u8]| {
    // Like the loader: text only (non-UTF-8 is refused before parsing).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stem = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        .unwrap_or("fuzz");
    let inputs = Inputs::from_sources(vec![SourceFile {
        path: format!("fuzz/{stem}.yaml"),
        text: text.to_string(),
    }]);
    let report = fixgen::pipeline::parts::validate::check(inputs);
    // Rendering diagnostics must not panic either (source lines, carets, JSON).
    let _ = fixgen::diag::render_human(&report.diagnostics, &report.sources, false);
    let Ok(bundle) = report.into_bundle() else {
        return;
    };
    let Ok(plan) = fixgen::pipeline::parts::plan::build(&bundle, &ParamValues::new()) else {
        return;
    };
    let _ = render(&plan, &[Target::All], &PsOptions::default());
});
