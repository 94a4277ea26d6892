//! Renderers: a `Plan` in, files out. Every renderer returns `OutputFile`s with paths relative
//! to the bundle root (forward slashes); the bundle writer (`write`) signs, hashes and writes
//! them. Renderers never touch the file system.

pub(crate) mod blocks;
pub(crate) use crate::escape;
pub(crate) mod gpo;
pub(crate) mod intune;
/// The render data of each step kind, one file per kind: `src/kinds/<kind>/render.rs` (its
/// PowerShell step data, its undo target, what it gives a `.reg` file and Group Policy).
#[path = "../kinds"]
mod kinds {
    #[path = "firewall/render.rs"]
    pub(crate) mod firewall;
    #[path = "registry/render.rs"]
    pub(crate) mod registry;
    #[path = "service/render.rs"]
    pub(crate) mod service;
    #[path = "vpn/render.rs"]
    pub(crate) mod vpn;
    #[path = "windows_update/render.rs"]
    pub(crate) mod windows_update;
}
pub(crate) mod powershell;
pub(crate) mod ps_model;
pub(crate) mod ps_module;
pub(crate) mod ps_steps;
pub(crate) mod ps_types;
pub(crate) mod reg;
pub(crate) mod reg_types;
pub(crate) mod secret_scope;
pub(crate) mod undo;
/// The VPN kind's markers and Intune profile, in its folder (`src/kinds/vpn/`), mounted here.
#[path = "../kinds/vpn/marker.rs"]
pub(crate) mod vpn_marker;
#[path = "../kinds/vpn/profile.rs"]
pub(crate) mod vpn_profile;

use std::collections::BTreeMap;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path with `/` separators, e.g. `scripts/nat-traversal.ps1`.
    pub path: String,
    pub bytes: Vec<u8>,
    /// The file embeds a secret value (only with `--allow-embedded-secrets`).
    pub holds_secret: bool,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        OutputFile {
            path: path.into(),
            bytes,
            holds_secret: false,
        }
    }

    /// PowerShell files are Authenticode-signed when signing options are given.
    pub fn is_powershell(&self) -> bool {
        let p = self.path.to_ascii_lowercase();
        p.ends_with(".ps1") || p.ends_with(".psm1") || p.ends_with(".psd1")
    }
}

/// All files of a bundle, ordered by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifacts {
    pub files: BTreeMap<String, OutputFile>,
}

impl Artifacts {
    /// Add a file; a second file at the same path is a bug in a renderer.
    pub fn add(&mut self, file: OutputFile) {
        let prev = self.files.insert(file.path.clone(), file);
        debug_assert!(prev.is_none(), "two renderers wrote the same path");
    }

    pub fn extend(&mut self, other: Artifacts) {
        for (_, f) in other.files {
            self.add(f);
        }
    }
}

/// What the renderers' unit tests share.
#[cfg(test)]
pub(crate) mod tests {
    use crate::diag::Diagnostic;
    use crate::load::Bundle;
    use crate::plan::Plan;

    /// The embedded bundle and its plan, the bundle renamed to `name`.
    pub(crate) fn plan_with_name(name: &str) -> (Bundle, Plan) {
        let bundle = crate::validate::embedded_bundle().expect("embedded bundle");
        let mut plan = crate::plan::build(&bundle, &Default::default()).expect("plan");
        plan.bundle.name = name.into();
        (bundle, plan)
    }

    /// `d` points at the `name:` line of the bundle's bundle.yaml, like the validator's findings.
    pub(crate) fn assert_at_bundle_name(bundle: &Bundle, plan: &Plan, d: &Diagnostic) {
        assert_eq!(d.file, plan.bundle_source, "{d:?}");
        assert!(d.file.ends_with("bundle.yaml"), "{d:?}");
        assert_eq!(d.field, "name", "{d:?}");
        let text = &bundle.manifest_source.text;
        let line = text.lines().position(|l| l.starts_with("name:"));
        assert_eq!(Some(d.line), line.map(|i| i + 1), "{d:?}");
    }
}
