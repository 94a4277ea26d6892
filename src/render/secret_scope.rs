//! Where a secret given at build time may go (issue 15 item 7).
//!
//! With `--allow-embedded-secrets` a secret param's value may be baked into the standalone
//! scripts (`scripts/`) and the Intune packages (`intune/`), never into the targets whose files
//! are meant to be shared widely:
//! - `gpo/`: a GPO's files live in SYSVOL, which every authenticated user of the domain can
//!   read (the exposure of the old Group Policy Preferences passwords, MS14-025);
//! - `module/`: a module is copied to shared module paths, file shares and internal
//!   repositories, whose readers nobody controls.
//!
//! Asked for by name (`--target gpo`, `--target module`), such a build is refused (see
//! `cli::secrets::shared_target_findings`); under `--target all` the module is built as if the
//! secret had no value (its functions take it as a `[SecureString]` parameter at run time), and
//! the recipes that would carry the secret are left out of the GPO's startup script.

use std::borrow::Cow;

use crate::plan::{Binding, Plan, RecipePlan};

use super::powershell::{self, PsOptions};
use super::Artifacts;

/// The secret params of `rp` that have a value at build time and that its steps use, sorted.
fn given_secrets(rp: &RecipePlan) -> Vec<&str> {
    let used = crate::model::used_params(&rp.recipe.steps);
    rp.params
        .iter()
        .filter(|(name, b)| {
            b.decl.secret && matches!(b.binding, Binding::Value(_)) && used.contains(*name)
        })
        .map(|(name, _)| name.as_str())
        .collect()
}

/// Whether a script of `rp` rendered now would carry a secret's value.
pub(crate) fn holds_given_secret(rp: &RecipePlan) -> bool {
    !given_secrets(rp).is_empty()
}

/// Whether the computer startup script runs `rp`: a system recipe of the `gpo` channel
/// ([`crate::model::Recipe::in_startup_script`]) that carries no secret's value (never a
/// secret in SYSVOL). The one predicate the startup plan, its copies and gpo/ use.
pub(crate) fn runs_at_startup(rp: &RecipePlan) -> bool {
    rp.recipe.in_startup_script() && !holds_given_secret(rp)
}

/// `plan` with every secret param's value taken away (the param is open again), borrowed when
/// no secret has a value.
fn without_secret_values(plan: &Plan) -> Cow<'_, Plan> {
    let has = |rp: &RecipePlan| {
        rp.params
            .values()
            .any(|b| b.decl.secret && matches!(b.binding, Binding::Value(_)))
    };
    if !plan.recipes.iter().any(has) {
        return Cow::Borrowed(plan);
    }
    let mut p = plan.clone();
    for rp in &mut p.recipes {
        for b in rp.params.values_mut() {
            if b.decl.secret {
                b.binding = Binding::Open;
            }
        }
    }
    Cow::Owned(p)
}

/// The module rendered without any secret value (its functions take each secret as a
/// `[SecureString]` parameter), or `None` when no secret has a value (render it as usual).
pub(crate) fn module_without_secrets(
    plan: &Plan,
    opts: &PsOptions,
) -> Option<Result<Artifacts, Vec<crate::diag::Diagnostic>>> {
    let Cow::Owned(stripped) = without_secret_values(plan) else {
        return None;
    };
    let p = stripped.for_channel(crate::model::Channel::Module);
    let opts = PsOptions {
        allow_embedded_secrets: false,
        ..*opts
    };
    Some(
        powershell::recipe_models(&p, &opts)
            .and_then(|ms| super::ps_module::render_module_from(&p, &ms)),
    )
}

/// Why a recipe is not in the computer startup script (gpo/README.md).
pub(crate) const LEFT_OUT_OF_GPO: &str = "its steps use a secret given a value at build time (`--allow-embedded-secrets`), and a GPO's files live in SYSVOL, which every authenticated user of the domain can read (the exposure of the old Group Policy Preferences passwords, MS14-025), so fixgen never writes a secret there. Deliver it with the Intune VPN profile (`intune/<Bundle>/vpnProfile.json`) or the Intune remediation, or run `scripts/<id>.ps1` on the machine with the key given at run time.";
