//! `fixgen build --out DIR` never replaces an input: DIR may not be, or hold, a recipe folder,
//! a recipe or bundle file, the `--values` file or a signing file (certificate, key, PFX,
//! password file), with or without `--force` (which only allows replacing a folder fixgen did
//! not write). Paths are compared after resolving symbolic links, `.` and `..`; an --out that
//! does not exist yet is resolved through its nearest existing ancestor.

use std::path::{Component, Path, PathBuf};

/// One file or folder the build reads, as the user named it.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub path: PathBuf,
    /// What it is, for the message ("recipe folder", "--values file", ...).
    pub what: &'static str,
}

/// `path` made absolute, with symbolic links resolved as far as the path exists and the rest
/// (names, `.`, `..`) applied to that.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let comps: Vec<Component<'_>> = abs.components().collect();
    for k in (0..=comps.len()).rev() {
        let prefix: PathBuf = comps[..k].iter().collect();
        let base = if k == 0 {
            Some(PathBuf::from("/"))
        } else {
            prefix.canonicalize().ok()
        };
        if let Some(mut r) = base {
            for c in &comps[k..] {
                match c {
                    Component::ParentDir => {
                        r.pop();
                    }
                    Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
                    Component::Normal(n) => r.push(n),
                }
            }
            return r;
        }
    }
    abs
}

/// The places an input occupies: its resolved path, and, when it is a symbolic link, the link
/// itself (replacing the folder that holds the link deletes it too).
fn places(p: &Path) -> Vec<PathBuf> {
    let mut v = vec![resolve(p)];
    let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        if let (Some(parent), Some(name)) = (p.parent(), p.file_name()) {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            v.push(resolve(parent).join(name));
        }
    }
    v
}

/// Refuse an `out` that is one of `inputs` or a folder above one.
pub(crate) fn check(out: &Path, inputs: &[Input]) -> Result<(), super::exit_codes::UsageError> {
    let o = resolve(out);
    for i in inputs {
        let at = places(&i.path);
        if at.iter().any(|p| p.starts_with(&o)) {
            let how = if at.contains(&o) { "is" } else { "holds" };
            return Err(format!(
                "--out {} would replace the {} `{}`: the output folder {how} an input and is replaced as a whole, with or without --force; choose an output folder outside the inputs (nothing was written)",
                out.display(),
                i.what,
                i.path.display()
            )
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_missing_tails_and_dot_dot() {
        let d = std::env::temp_dir().join(format!("fixgen-guard-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("a")).unwrap();
        let real = d.join("a").canonicalize().unwrap();
        assert_eq!(resolve(&d.join("a/missing/..")), real);
        assert_eq!(resolve(&d.join("a/./x/y")), real.join("x/y"));
        let inputs = [Input {
            path: d.join("a"),
            what: "recipe folder",
        }];
        assert!(check(&d.join("a/missing/.."), &inputs).is_err());
        assert!(check(&d, &inputs).is_err());
        assert!(check(&d.join("a/dist"), &inputs).is_ok());
        assert!(check(&d.join("b"), &inputs).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }
}
