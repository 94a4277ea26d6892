//! Loader and validator speed: `cargo bench --bench load`.
//!
//! Goals (2 shared cores): the embedded bundle checks in well under 50 ms; a 1 MiB recipe
//! (the largest accepted) in under 2 s; a 50 MB file is refused in under 10 ms, without being
//! read. Under `cargo test --all-targets` (no `--bench` argument) each case runs once as a
//! smoke test and nothing is timed.

use std::time::{Duration, Instant};

use fixgen::diag::SourceFile;
use fixgen::pipeline::parts::load::{self, Inputs};

/// Near the 1 MiB file limit within the other limits: 256 steps with 3,950-character strings.
fn big_recipe() -> String {
    let mut s =
        String::from("id: big\ntitle: Big\nsummary: A recipe near the 1 MiB limit.\nsteps:\n");
    for i in 0..256 {
        s.push_str(&format!(
            "  - registry:\n      key: HKLM\\SYSTEM\\Vendor\\Key{i}\n      name: Value{i}\n      value: {{ string: {} }}\n",
            "x".repeat(3950)
        ));
    }
    assert!(s.len() > 1000 * 1024 && s.len() < 1024 * 1024);
    s
}

fn time<F: FnMut()>(name: &str, rounds: u32, mut f: F) {
    let start = Instant::now();
    for _ in 0..rounds {
        f();
    }
    let per = start.elapsed() / rounds;
    println!(
        "{name:40} {:>10.3} ms/iter ({rounds} rounds)",
        per.as_secs_f64() * 1000.0
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let rounds = |n: u32| if bench { n } else { 1 };

    time("check embedded bundle", rounds(200), || {
        let r = fixgen::pipeline::parts::validate::check(Inputs::embedded());
        assert!(!r.has_errors());
    });

    let big = big_recipe();
    time("check 1 MiB recipe", rounds(3), || {
        let r = fixgen::pipeline::parts::validate::check(Inputs::from_sources(vec![SourceFile {
            path: "big.yaml".into(),
            text: big.clone(),
        }]));
        assert!(!r.has_errors(), "{:?}", r.diagnostics.first());
    });

    let dir = std::env::temp_dir().join(format!("fixgen-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let huge = dir.join("huge.yaml");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(50 * 1024 * 1024))
        .expect("sparse 50 MB file");
    let mut worst = Duration::ZERO;
    time("refuse 50 MB file", rounds(100), || {
        let t = Instant::now();
        let i = load::read_paths(std::slice::from_ref(&huge)).expect("readable");
        worst = worst.max(t.elapsed());
        assert_eq!(i.diagnostics[0].code, "file-too-large");
    });
    let _ = std::fs::remove_dir_all(&dir);
    if bench {
        println!(
            "refuse 50 MB file, worst round: {:.3} ms",
            worst.as_secs_f64() * 1000.0
        );
    }
}
