//! The plan: a validated bundle with every parameter bound to a value or left open.
//!
//! Renderers take a `Plan`, never raw YAML. A value a step takes from a parameter is looked up
//! with [`RecipePlan::resolve`]: it is either known at build time (`--set`, `--values`, the
//! param's default) or open (a script target turns it into a PowerShell parameter; a target that
//! cannot take parameters, such as .reg or Intune, reports an error).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::load::{Bundle, SpanIndex};
use crate::model::{BundleManifest, Param, ParamValue, Recipe, UseVal, Val};

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// Known at build time.
    Value(ParamValue),
    /// Not known: a script takes it as a parameter.
    Open,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoundParam {
    pub decl: Param,
    pub binding: Binding,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecipePlan {
    pub recipe: Recipe,
    pub source_path: String,
    /// Lower-case hex SHA-256 of the recipe's source file.
    pub source_sha256: String,
    /// Every declared param, by name.
    pub params: BTreeMap<String, BoundParam>,
    /// Field positions in the recipe's source, as the loader read them: later stages locate
    /// their findings with it ([`RecipePlan::error_at`]).
    pub index: Arc<SpanIndex>,
}

/// A value a step uses, after parameter binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a, T> {
    /// Literal in the recipe, or a param bound at build time (`param` says which).
    Known { value: T, param: Option<&'a str> },
    /// A param left open; the script must take it as a parameter.
    Open { param: &'a str, decl: &'a Param },
}

impl<'a, T> Resolved<'a, T> {
    pub fn is_secret(&self) -> bool {
        match self {
            Resolved::Open { decl, .. } => decl.secret,
            Resolved::Known { .. } => false,
        }
    }
}

/// Conversion of a bound param value to the type a step field needs.
pub trait FromParamValue: Sized + Clone {
    fn from_param_value(v: &ParamValue) -> Option<Self>;
}

impl FromParamValue for String {
    fn from_param_value(v: &ParamValue) -> Option<Self> {
        match v {
            ParamValue::String(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromParamValue for u32 {
    fn from_param_value(v: &ParamValue) -> Option<Self> {
        match v {
            ParamValue::Int(i) => u32::try_from(*i).ok(),
            _ => None,
        }
    }
}

impl FromParamValue for u64 {
    fn from_param_value(v: &ParamValue) -> Option<Self> {
        match v {
            ParamValue::Int(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }
}

impl FromParamValue for bool {
    fn from_param_value(v: &ParamValue) -> Option<Self> {
        match v {
            ParamValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl RecipePlan {
    /// The recipe's file name without its folder (`nat-traversal.yaml`): what generated files
    /// record, so a bundle does not depend on where its sources lay on the build machine.
    pub fn source_file_name(&self) -> &str {
        self.source_path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&self.source_path)
    }

    /// Resolve a step value. Panics only on a plan the validator did not accept (undeclared
    /// param or wrong type), which `plan::build` never produces.
    pub fn resolve<'a, T: FromParamValue>(&'a self, v: &'a Val<T>) -> Resolved<'a, T> {
        match v {
            Val::Lit(t) => Resolved::Known {
                value: t.clone(),
                param: None,
            },
            Val::Param(r) => {
                let bound = self
                    .params
                    .get(&r.param)
                    .expect("validated plan: every referenced param is declared");
                match &bound.binding {
                    Binding::Value(pv) => Resolved::Known {
                        value: T::from_param_value(pv)
                            .expect("validated plan: param value has the step's type"),
                        param: Some(&r.param),
                    },
                    Binding::Open => Resolved::Open {
                        param: &r.param,
                        decl: &bound.decl,
                    },
                }
            }
        }
    }

    /// Params left open, in name order.
    pub fn open_params(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.params.iter().filter_map(|(n, b)| match b.binding {
            Binding::Open => Some((n.as_str(), &b.decl)),
            Binding::Value(_) => None,
        })
    }

    /// True when this param is a secret (its value must never be shown).
    pub fn is_secret(&self, name: &str) -> bool {
        self.params.get(name).is_some_and(|b| b.decl.secret)
    }

    /// An error of a later stage about this recipe, located at the value of `field` (a path
    /// such as `steps[0].vpn.name`; the nearest written ancestor when it is not written).
    pub fn error_at(&self, code: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        let pos = self.index.value_pos(field);
        Diagnostic::error(code, self.source_path.clone(), message)
            .at(pos.line, pos.column)
            .with_field(field)
    }

    /// [`RecipePlan::error_at`] at the key of `field` (a declaration: `params.ConnectionName`).
    pub fn error_at_key(&self, code: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        let pos = self.index.key_pos(field);
        Diagnostic::error(code, self.source_path.clone(), message)
            .at(pos.line, pos.column)
            .with_field(field)
    }

    /// An error about the recipe as a whole (its source file, no line).
    pub fn error(&self, code: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.source_path.clone(), message)
    }
}

/// The whole plan: the bundle's identity and every recipe in run order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub bundle: BundleManifest,
    /// Lower-case hex SHA-256 of bundle.yaml; empty for an implicit bundle (no bundle.yaml).
    pub bundle_sha256: String,
    pub recipes: Vec<RecipePlan>,
    /// Path of bundle.yaml as shown (`<implicit bundle.yaml>` for an implicit bundle).
    pub bundle_source: String,
    /// Field positions in bundle.yaml (empty for an implicit bundle).
    pub bundle_index: Arc<SpanIndex>,
}

impl Plan {
    /// The plan with only the recipes built into `channel` (borrowed when that is all of them).
    pub fn for_channel(&self, channel: crate::model::Channel) -> std::borrow::Cow<'_, Plan> {
        if self.recipes.iter().all(|r| r.recipe.in_channel(channel)) {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(
            self.with_recipes(
                self.recipes
                    .iter()
                    .filter(|r| r.recipe.in_channel(channel))
                    .cloned()
                    .collect(),
            ),
        )
    }

    /// The same bundle with only `recipes`.
    pub fn with_recipes(&self, recipes: Vec<RecipePlan>) -> Plan {
        Plan {
            bundle: self.bundle.clone(),
            bundle_sha256: self.bundle_sha256.clone(),
            recipes,
            bundle_source: self.bundle_source.clone(),
            bundle_index: self.bundle_index.clone(),
        }
    }

    /// An error of a later stage about the bundle, located at the value of `field` of
    /// bundle.yaml (the whole file for an implicit bundle).
    pub fn bundle_error(&self, code: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::error(code, self.bundle_source.clone(), message).with_field(field);
        match self.bundle_index.get(field) {
            Some(n) if !field.is_empty() => d.at(n.value.line, n.value.column),
            _ => d,
        }
    }

    /// The recipe whose source is `file`.
    pub fn recipe_of(&self, file: &str) -> Option<&RecipePlan> {
        self.recipes.iter().find(|r| r.source_path == file)
    }

    /// A finding about a recipe's field that has no line yet, located with the recipe's index.
    pub fn locate(&self, d: Diagnostic) -> Diagnostic {
        if d.line != 0 || d.field.is_empty() {
            return d;
        }
        match self.recipe_of(&d.file) {
            Some(rp) => {
                let pos = rp.index.value_pos(&d.field);
                d.at(pos.line, pos.column)
            }
            None => d,
        }
    }
}

pub(crate) use crate::model::ParamValues;

/// A problem binding a `--set` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    pub recipe: String,
    pub param: String,
    pub message: String,
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "recipe `{}`, param `{}`: {}",
            self.recipe, self.param, self.message
        )
    }
}

/// Every param reference in the recipe's steps must name a declared param whose bound value
/// converts to the field's type (a REG_DWORD param bound to 5000000000 does not), so
/// [`RecipePlan::resolve`] never meets a value it cannot use.
fn check_uses(recipe: &Recipe, params: &BTreeMap<String, BoundParam>, errors: &mut Vec<BindError>) {
    fn one<T: FromParamValue>(
        recipe: &Recipe,
        params: &BTreeMap<String, BoundParam>,
        v: &Val<T>,
        what: &str,
        errors: &mut Vec<BindError>,
    ) {
        let Some(name) = v.param_name() else { return };
        let err = |message: String| BindError {
            recipe: recipe.id.clone(),
            param: name.to_string(),
            message,
        };
        match params.get(name) {
            None => errors.push(err("the param is not declared".into())),
            Some(BoundParam {
                binding: Binding::Value(pv),
                decl,
            }) => {
                if T::from_param_value(pv).is_none() {
                    let shown = if decl.secret {
                        "the value".to_string()
                    } else {
                        match pv {
                            ParamValue::Int(i) => format!("{i}"),
                            ParamValue::Bool(b) => format!("{b}"),
                            ParamValue::String(s) => format!("{s:?}"),
                        }
                    };
                    errors.push(err(format!(
                        "{shown} does not fit this field; expected {what}"
                    )));
                }
            }
            Some(_) => {}
        }
    }
    for step in &recipe.steps {
        for u in step.param_uses() {
            match u.value {
                UseVal::Text(v) if u.field == "server" => {
                    one(recipe, params, v, "a host name or address", errors)
                }
                UseVal::Text(v) => one(recipe, params, v, "text", errors),
                UseVal::Dword(v) => one(
                    recipe,
                    params,
                    v,
                    "a REG_DWORD from 0 to 4294967295",
                    errors,
                ),
                UseVal::Qword(v) => one(
                    recipe,
                    params,
                    v,
                    "a REG_QWORD from 0 to 18446744073709551615",
                    errors,
                ),
            }
        }
    }
}

/// Bind params: `values` first, then the param's default, else open.
/// A value given for a param no recipe declares is not an error here (a bundle shares one
/// `--values` file across recipes); the CLI warns about names nobody uses.
/// Names in `values` that no recipe of the bundle declares (the CLI warns about them).
pub(crate) fn undeclared_values<'a>(bundle: &Bundle, values: &'a ParamValues) -> Vec<&'a str> {
    values
        .keys()
        .filter(|k| {
            !bundle
                .recipes
                .iter()
                .any(|r| r.recipe.params.contains_key(*k))
        })
        .map(String::as_str)
        .collect()
}

pub fn build(bundle: &Bundle, values: &ParamValues) -> Result<Plan, PlanError> {
    let mut errors = Vec::new();
    let mut recipes = Vec::new();
    for lr in &bundle.recipes {
        let mut params = BTreeMap::new();
        for (name, decl) in &lr.recipe.params {
            let binding = if let Some(text) = values.get(name) {
                match crate::validate::uses::parse_param_text(decl.ty, text) {
                    Ok(v) => Binding::Value(v),
                    Err(message) => {
                        errors.push(BindError {
                            recipe: lr.recipe.id.clone(),
                            param: name.clone(),
                            message,
                        });
                        Binding::Open
                    }
                }
            } else if let Some(d) = &decl.default {
                Binding::Value(d.clone())
            } else {
                Binding::Open
            };
            params.insert(
                name.clone(),
                BoundParam {
                    decl: decl.clone(),
                    binding,
                },
            );
        }
        check_uses(&lr.recipe, &params, &mut errors);
        recipes.push(RecipePlan {
            recipe: lr.recipe.clone(),
            source_path: lr.source.path.clone(),
            source_sha256: lr.source.sha256_hex(),
            params,
            index: lr.index.clone(),
        });
    }
    if errors.is_empty() {
        Ok(Plan {
            bundle: bundle.manifest.clone(),
            // An implicit bundle has no bundle.yaml: no hash (not the hash of nothing).
            bundle_sha256: if bundle.manifest_source.text.is_empty() {
                String::new()
            } else {
                bundle.manifest_source.sha256_hex()
            },
            recipes,
            bundle_source: bundle.manifest_source.path.clone(),
            bundle_index: bundle.manifest_index.clone(),
        })
    } else {
        Err(PlanError::Bind(errors))
    }
}

/// Why planning stopped: the plan stage's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Values given for params cannot be bound (wrong type for the param or for a field that
    /// uses it): every problem, one per recipe and param.
    #[error("{} error(s) in the parameter values", .0.len())]
    Bind(Vec<BindError>),
}

impl PlanError {
    /// Every binding problem, to print.
    pub fn problems(&self) -> &[BindError] {
        match self {
            PlanError::Bind(e) => e,
        }
    }

    /// Every binding problem as a `param-value` finding, located at the param's declaration
    /// in its recipe of `bundle`.
    pub fn diagnostics(&self, bundle: &Bundle) -> Vec<Diagnostic> {
        self.problems()
            .iter()
            .map(
                |e| match bundle.recipes.iter().find(|r| r.recipe.id == e.recipe) {
                    Some(r) => {
                        let field = format!("params.{}", e.param);
                        let pos = r.index.key_pos(&field);
                        Diagnostic::error("param-value", r.source.path.clone(), e.message.clone())
                            .at(pos.line, pos.column)
                            .with_field(field)
                    }
                    None => Diagnostic::error("param-value", "", e.to_string()),
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;
    use crate::model::{RegValue, Step};

    #[test]
    fn build_reports_a_bad_hostname_given_with_set() {
        let bundle = crate::validate::embedded_bundle().expect("embedded bundle is valid");
        let mut values = ParamValues::new();
        values.insert("ServerAddress".into(), "bad host;calc".into());
        let err = build(&bundle, &values).unwrap_err();
        let errs = err.problems();
        assert!(errs.iter().all(|e| e.param == "ServerAddress"));
        assert_eq!(
            errs.len(),
            2,
            "vpn-security and recreate-connection: {errs:?}"
        );
        values.insert("ServerAddress".into(), "vpn.example.com".into());
        assert!(build(&bundle, &values).is_ok());
    }

    #[test]
    fn build_reports_a_value_too_wide_for_a_dword() {
        let text = "id: width\ntitle: t\nsummary: s\nparams:\n  Level: { type: int }\nsteps:\n  - registry:\n      key: HKLM\\SYSTEM\\Vendor\n      name: Level\n      value: { dword: { param: Level } }\n";
        let bundle = crate::validate::parse_bundle(vec![SourceFile {
            path: "width.yaml".into(),
            text: text.into(),
        }])
        .expect("valid recipe");
        let mut values = ParamValues::new();
        values.insert("Level".into(), "5000000000".into());
        let err = build(&bundle, &values).unwrap_err();
        let errs = err.problems();
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.contains("5000000000 does not fit"),
            "{}",
            errs[0]
        );
        values.insert("Level".into(), "7".into());
        let plan = build(&bundle, &values).expect("fits");
        let Step::Registry(r) = &plan.recipes[0].recipe.steps[0] else {
            panic!("registry step")
        };
        let Some(RegValue::Dword(v)) = &r.value else {
            panic!("dword")
        };
        assert_eq!(
            plan.recipes[0].resolve(v),
            Resolved::Known {
                value: 7,
                param: Some("Level")
            }
        );
    }
}
