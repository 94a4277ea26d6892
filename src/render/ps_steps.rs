//! Binding a step's values for the generated scripts ([`Binder`]: a value given at build time, a
//! script parameter, or a secret). Each kind's entries are in `src/kinds/<kind>/render.rs`;
//! `ps_model::step_data` dispatches to them.
//!
//! A problem is a [`Diagnostic`] located at the step field it is about (`field` below is the
//! path inside the step, `vpn.name`, `registry.value.dword`).

use crate::diag::Diagnostic;
use crate::model::Val;
use crate::plan::{FromParamValue, RecipePlan, Resolved};
use crate::render::escape::{PsLit, PsName};
use crate::render::ps_types::PsOptions;

/// Context for turning step values into literals, collecting params that steps use.
pub(crate) struct Binder<'a> {
    pub(crate) rp: &'a RecipePlan,
    pub(crate) opts: &'a PsOptions,
    pub(crate) holds_secret: bool,
    /// Index of the step being bound (its field paths are `steps[<step>].<field>`).
    pub(crate) step: usize,
}

impl<'a> Binder<'a> {
    /// The recipe path of a field of the current step: `steps[0].vpn.name`.
    pub(crate) fn field(&self, field: &str) -> String {
        format!("steps[{}].{field}", self.step)
    }

    /// An error located at a field of the current step.
    pub(crate) fn error(&self, code: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        self.rp.error_at(code, &self.field(field), message)
    }

    /// A non-secret value: literal, or `$Param` when open.
    pub(crate) fn value<T: FromParamValue>(
        &mut self,
        v: &'a Val<T>,
        lit: impl Fn(&T) -> PsLit,
        field: &str,
    ) -> Result<PsLit, Diagnostic> {
        let secret_here = |p: &str| {
            self.error(
                "param-secret-field",
                field,
                format!("param `{p}` is secret and cannot be used here"),
            )
            .with_hint("only `vpn.psk` takes a secret param; use a param without `secret: true`")
        };
        match self.rp.resolve(v) {
            Resolved::Known { value, param } => {
                if let Some(p) = param {
                    if self.rp.is_secret(p) {
                        return Err(secret_here(p));
                    }
                }
                Ok(lit(&value))
            }
            Resolved::Open { param, decl } => {
                if decl.secret {
                    return Err(secret_here(param));
                }
                self.open(param, field)
            }
        }
    }

    /// An open param in a field that may be left unset (`vpn.server`, `vpn.psk`): without
    /// script parameters (Intune), an optional param without a value is `$null` ("leave as it
    /// is"); otherwise as [`Binder::open`].
    pub(crate) fn open_optional(
        &self,
        param: &str,
        required: bool,
        field: &str,
    ) -> Result<PsLit, Diagnostic> {
        if !self.opts.allow_open_params && !required {
            return Ok(PsLit::null());
        }
        self.open(param, field)
    }

    /// `$Param` for an open param; an error where the script takes no parameters (Intune, the
    /// computer startup script), at the field that uses it.
    pub(crate) fn open(&self, param: &str, field: &str) -> Result<PsLit, Diagnostic> {
        if !self.opts.allow_open_params {
            // The message is also the GPO README's "No startup script" reason: kept as it was.
            return Err(self.error(
                "open-param",
                field,
                format!(
                    "param `{param}` has no value; give one with --set {param}=VALUE or --values"
                ),
            ));
        }
        let name = PsName::param(param).map_err(|m| {
            self.rp
                .error_at_key("param-name", &format!("params.{param}"), m)
        })?;
        Ok(PsLit::variable(&name))
    }

    /// A secret string (the VPN pre-shared key): `$Param` ([SecureString]) when open; a
    /// `ConvertTo-SecureString` of the baked-in value only with `allow_embedded_secrets`.
    pub(crate) fn secret(&mut self, v: &'a Val<String>, field: &str) -> Result<PsLit, Diagnostic> {
        // `secret-` codes: the source line is never shown (it may hold the key).
        let Some(param) = v.param_name() else {
            return Err(self
                .error(
                    "secret-literal",
                    field,
                    "must come from a param marked `secret: true`, not a literal",
                )
                .with_hint(
                    "declare a param with `secret: true` and write `{ param: NAME }` here",
                ));
        };
        if !self.rp.is_secret(param) {
            return Err(self.error(
                "secret-not-marked",
                field,
                format!("param `{param}` must be marked `secret: true`"),
            ));
        }
        if self.opts.omit_secrets {
            return Ok(PsLit::null());
        }
        match self.rp.resolve(v) {
            Resolved::Open { param, decl } => self.open_optional(param, decl.required, field),
            Resolved::Known { value, .. } => {
                if !self.opts.allow_embedded_secrets {
                    return Err(self
                        .error(
                            "secret-embedded",
                            field,
                            format!("secret param `{param}` was given a value; scripts take it as a [SecureString] parameter at run time"),
                        )
                        .with_hint("leave it unset, or pass --allow-embedded-secrets to bake it into the files"));
                }
                self.holds_secret = true;
                Ok(PsLit::secure_string_from_plain(&value))
            }
        }
    }
}
