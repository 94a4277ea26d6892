//! Secrets and the targets they may not reach: `gpo/` and `module/` never hold a secret
//! (issue 15 item 7). Findings of the validate step of the pipeline that depend on the targets.

use std::collections::BTreeMap;

/// `gpo` and `module` asked for by name while a secret param has a value (issue 15 item 7):
/// one error per secret param and target, at the `--set`/`--values` entry, even with
/// `--allow-embedded-secrets` (without it, the validator's `secret-embedded` already refuses).
/// Under `all` those targets are built without the secret instead (`render::secret_scope`).
/// [`super::check`] runs it for `build` and `check`, so they refuse the same.
pub(super) fn shared_target_findings(
    bundle: Option<&crate::load::Bundle>,
    given: &crate::validate::uses::Given,
    targets: &[super::Target],
) -> Vec<crate::diag::Diagnostic> {
    use super::Target;
    use crate::model::Channel;
    let (Some(bundle), true) = (bundle, given.allow_embedded_secrets) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for target in [Target::Gpo, Target::Module] {
        if !targets.contains(&target) {
            continue;
        }
        // The secret params with a value, and the recipes of the target that use them.
        let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for lr in &bundle.recipes {
            let r = &lr.recipe;
            let carried = match target {
                Target::Gpo => r.in_startup_script(),
                _ => r.in_channel(Channel::Module),
            };
            if !carried {
                continue;
            }
            let used = crate::model::used_params(&r.steps);
            for (name, p) in &r.params {
                if p.secret && given.values.contains_key(name) && used.contains(name) {
                    users.entry(name).or_default().push(&r.id);
                }
            }
        }
        for (name, ids) in users {
            out.push(shared_target_error(target, name, &ids, given));
        }
    }
    out
}

fn shared_target_error(
    target: super::Target,
    name: &str,
    ids: &[&str],
    given: &crate::validate::uses::Given,
) -> crate::diag::Diagnostic {
    use super::Target;
    let o = given
        .origins
        .get(name)
        .cloned()
        .unwrap_or(crate::validate::uses::Origin {
            file: format!("--set {name}"),
            line: 0,
            column: 0,
            field: name.to_string(),
        });
    let list = ids
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (message, hint) = if target == Target::Gpo {
        (
            format!("secret param `{name}` was given a value, and --target gpo would write it into the computer startup scripts (recipe {list}): a GPO's files live in SYSVOL, which every authenticated user of the domain can read (the exposure of the old Group Policy Preferences passwords, MS14-025), so fixgen never writes a secret there, even with --allow-embedded-secrets"),
            format!("build gpo without the value of `{name}` (the startup script then leaves out what needs it), and deliver the key with the Intune VPN profile (intune/<Bundle>/vpnProfile.json) or run scripts/<id>.ps1 on the machine with -{name} (Read-Host -AsSecureString); or build only --target scripts,intune with the value"),
        )
    } else {
        (
            format!("secret param `{name}` was given a value, and --target module would bake it into the module (recipe {list}): a module is meant to be copied to shared module paths, file shares and repositories whose readers nobody controls, so fixgen never writes a secret there, even with --allow-embedded-secrets"),
            format!("build the module without the value of `{name}`: its commands then take -{name} as a [SecureString] at run time (e.g. -{name} (Read-Host -AsSecureString)); or build only --target scripts,intune with the value"),
        )
    };
    crate::diag::Diagnostic::new(
        crate::diag::Severity::Error,
        "secret-shared-target",
        o.file,
        message,
    )
    .at(o.line, o.column)
    .with_field(o.field)
    .with_hint(hint)
}

/// When every requested target is `gpo` or `module`, the `--allow-embedded-secrets` the
/// validator's `secret-embedded` hint suggests cannot help (those targets refuse a secret even
/// with it): the hint says what works instead. [`super::check`] runs it.
pub(super) fn hint_for_shared_targets(
    diagnostics: &mut [crate::diag::Diagnostic],
    targets: &[super::Target],
) {
    use super::Target;
    let shared_only = !targets.is_empty()
        && targets
            .iter()
            .all(|t| matches!(t, Target::Gpo | Target::Module));
    if !shared_only {
        return;
    }
    for d in diagnostics
        .iter_mut()
        .filter(|d| d.code == "secret-embedded")
    {
        d.hint = Some(SHARED_ONLY_HINT.to_string());
    }
}

/// The hint of `secret-embedded` when only `gpo`/`module` were asked for.
const SHARED_ONLY_HINT: &str = "leave it unset: the module asks for it at run time. A secret is never written to gpo/ or module/, even with --allow-embedded-secrets (SYSVOL is readable by every authenticated user of the domain; a module is copied to shared paths). To bake it into files, build --target scripts,intune with --allow-embedded-secrets (intune/ also gets a VPN profile carrying the key)";
