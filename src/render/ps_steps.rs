//! Binding a step's values for the generated scripts ([`Binder`]: a value given at build time, a
//! script parameter, or a secret). Each kind's entries are in `src/kinds/<kind>/render.rs`;
//! `ps_model::step_data` dispatches to them.

use crate::model::Val;
use crate::plan::{FromParamValue, RecipePlan, Resolved};
use crate::render::escape::{PsLit, PsName};
use crate::render::ps_types::{err, PsOptions, RenderError};

/// Context for turning step values into literals, collecting params that steps use.
pub(crate) struct Binder<'a> {
    pub(crate) rp: &'a RecipePlan,
    pub(crate) opts: &'a PsOptions,
    pub(crate) holds_secret: bool,
}

impl<'a> Binder<'a> {
    pub(crate) fn id(&self) -> &str {
        &self.rp.recipe.id
    }

    /// A non-secret value: literal, or `$Param` when open.
    pub(crate) fn value<T: FromParamValue>(
        &mut self,
        v: &'a Val<T>,
        lit: impl Fn(&T) -> PsLit,
        field: &str,
    ) -> Result<PsLit, RenderError> {
        match self.rp.resolve(v) {
            Resolved::Known { value, param } => {
                if let Some(p) = param {
                    if self.rp.is_secret(p) {
                        return Err(err(
                            self.id(),
                            format!("{field}: param `{p}` is secret and cannot be used here"),
                        ));
                    }
                }
                Ok(lit(&value))
            }
            Resolved::Open { param, decl } => {
                if decl.secret {
                    return Err(err(
                        self.id(),
                        format!("{field}: param `{param}` is secret and cannot be used here"),
                    ));
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
    ) -> Result<PsLit, RenderError> {
        if !self.opts.allow_open_params && !required {
            return Ok(PsLit::null());
        }
        self.open(param, field)
    }

    pub(crate) fn open(&self, param: &str, field: &str) -> Result<PsLit, RenderError> {
        if !self.opts.allow_open_params {
            return Err(err(
                self.id(),
                format!("{field}: param `{param}` has no value; give one with --set {param}=VALUE or --values"),
            ));
        }
        let name = PsName::param(param).map_err(|m| err(self.id(), m))?;
        Ok(PsLit::variable(&name))
    }

    /// A secret string (the VPN pre-shared key): `$Param` ([SecureString]) when open; a
    /// `ConvertTo-SecureString` of the baked-in value only with `allow_embedded_secrets`.
    pub(crate) fn secret(&mut self, v: &'a Val<String>, field: &str) -> Result<PsLit, RenderError> {
        let Some(param) = v.param_name() else {
            return Err(err(
                self.id(),
                format!("{field}: must come from a param marked `secret: true`, not a literal"),
            ));
        };
        if !self.rp.is_secret(param) {
            return Err(err(
                self.id(),
                format!("{field}: param `{param}` must be marked `secret: true`"),
            ));
        }
        if self.opts.omit_secrets {
            return Ok(PsLit::null());
        }
        match self.rp.resolve(v) {
            Resolved::Open { param, decl } => self.open_optional(param, decl.required, field),
            Resolved::Known { value, .. } => {
                if !self.opts.allow_embedded_secrets {
                    return Err(err(
                        self.id(),
                        format!(
                            "{field}: secret param `{param}` was given a value; scripts take it as a [SecureString] parameter at run time. Leave it unset, or pass --allow-embedded-secrets to bake it into the files"
                        ),
                    ));
                }
                self.holds_secret = true;
                Ok(PsLit::secure_string_from_plain(&value))
            }
        }
    }
}
