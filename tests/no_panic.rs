//! Never panic on input: thousands of deterministic mutations of the bundled recipes (byte
//! flips, deletions, duplications, truncations, inserted YAML punctuation) go through the
//! loader and validator; each must yield a bundle or located diagnostics, never a panic.

use fixgen::diag::SourceFile;
use fixgen::pipeline::parts::load::EMBEDDED_L2TP;

/// xorshift64*: a small deterministic generator, so a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!str ",
    "\n  ",
    "\t",
    "\"",
    "'",
    "#",
    "---\n",
    "? ",
    "|\n",
    ">-\n",
    "\\",
    "\0",
    "é",
    "0x",
    "-1",
    "99999999999999999999",
    "{ param: X }",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut b = text.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(5) {
            0 => b[at] = (rng.next() & 0x7f) as u8,
            1 => {
                let end = (at + rng.below(20)).min(b.len());
                b.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(40)).min(b.len());
                let chunk = b[at..end].to_vec();
                let to = rng.below(b.len());
                b.splice(to..to, chunk);
            }
            3 => b.truncate(at),
            _ => {
                let p = PIECES[rng.below(PIECES.len())].as_bytes();
                b.splice(at..at, p.iter().copied());
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn mutated_recipes_never_panic_and_errors_are_located() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut with_errors = 0;
    for round in 0..2000 {
        // Odd rounds: the mutated file alone; even rounds: inside the whole bundle.
        let pick = round % EMBEDDED_L2TP.len();
        let mutated = mutate(&mut rng, EMBEDDED_L2TP[pick].1);
        let sources: Vec<SourceFile> = EMBEDDED_L2TP
            .iter()
            .enumerate()
            .filter(|(i, _)| round % 2 == 0 || *i == pick)
            .map(|(i, (name, text))| SourceFile {
                path: format!("l2tp/{name}"),
                text: if i == pick {
                    mutated.clone()
                } else {
                    text.to_string()
                },
            })
            .collect();
        let report = fixgen::pipeline::parts::validate::check(
            fixgen::pipeline::parts::load::Inputs::from_sources(sources),
        );
        for d in &report.diagnostics {
            assert!(
                d.line >= 1 && d.column >= 1,
                "unlocated finding {d:?} for:\n{mutated}"
            );
            assert!(!d.message.is_empty());
        }
        if report.has_errors() {
            with_errors += 1;
            // Rendering must not panic either.
            let _ = fixgen::diag::render_human(&report.diagnostics, &report.sources, false);
        }
    }
    assert!(
        with_errors > 700,
        "mutations should mostly break recipes ({with_errors})"
    );
}
