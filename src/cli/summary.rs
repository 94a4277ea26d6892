//! The end of `fixgen build`: a short summary. What was written (folder, file count), each
//! target left out and why in one line, and the one command that fills the open params.

use std::path::Path;

use crate::plan::{Binding, Plan};

pub(crate) use crate::pipeline::LeftOut;

/// Params without a value at build time, sorted, with whether each is secret.
pub(crate) fn open_params(plan: &Plan) -> Vec<(String, bool)> {
    let mut out: std::collections::BTreeMap<String, bool> = Default::default();
    for rp in &plan.recipes {
        for (name, bound) in &rp.params {
            if bound.binding == Binding::Open {
                out.insert(name.clone(), bound.decl.secret);
            }
        }
    }
    out.into_iter().collect()
}

fn names(open: &[(String, bool)]) -> String {
    open.iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line for a left-out target.
fn left_out_line(l: &LeftOut, open: &[(String, bool)]) -> String {
    if !open.is_empty() && l.because.contains("no parameters") {
        return format!(
            "left out: {} ({}; {} param(s) open)",
            l.what,
            l.because,
            open.len()
        );
    }
    let first = l.problems.first().map(String::as_str).unwrap_or("");
    let more = match l.problems.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more; --target {} lists them)", n - 1, l.target),
    };
    format!("left out: {} ({}: {first}{more})", l.what, l.because)
}

/// The command that fills the open params: the same paths and --out, with a values file.
fn fill_command(paths: &[std::path::PathBuf], out: &Path, open: &[(String, bool)]) -> String {
    // A path with a space is shown in double quotes (a hint to copy, not shell-escaped text).
    let arg = |p: &Path| {
        let s = p.display().to_string();
        if s.contains(' ') {
            format!("\"{s}\"")
        } else {
            s
        }
    };
    let mut cmd = String::from("fixgen build");
    for p in paths {
        cmd.push(' ');
        cmd.push_str(&arg(p));
    }
    if out != Path::new("dist") {
        cmd.push_str(&format!(" --out {}", arg(out)));
    }
    cmd.push_str(" --values values.yaml");
    if open.iter().any(|(_, secret)| *secret) {
        cmd.push_str(" --allow-embedded-secrets");
    }
    cmd
}

/// The summary printed after a successful build.
pub(crate) fn render(
    files: usize,
    plan: &Plan,
    out: &Path,
    paths: &[std::path::PathBuf],
    left_out: &[LeftOut],
) -> String {
    let mut s = format!(
        "wrote {files} files for bundle {} {} to {}\n",
        plan.bundle.name,
        plan.bundle.version,
        out.display()
    );
    let open = open_params(plan);
    for l in left_out {
        s.push_str(&format!("  {}\n", left_out_line(l, &open)));
    }
    if !open.is_empty() {
        let secret = open
            .iter()
            .filter(|(_, s)| *s)
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>();
        let baked = if secret.is_empty() {
            String::new()
        } else {
            format!(
                " (bakes {} into scripts/ and intune/, never gpo/ or module/)",
                secret.join(", ")
            )
        };
        s.push_str(&format!(
            "  open params: {} (the scripts ask for them at run time; `fixgen plan` lists them)\n  to fill them, write `Name: value` lines to values.yaml and run: {}{baked}\n",
            names(&open),
            fill_command(paths, out, &open)
        ));
    }
    s
}
