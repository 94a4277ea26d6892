//! A Windows Update step in the validator (`validate::kinds::windows_update`, mounted by
//! `src/validate/mod.rs`): its fields are closed enums the loader already checked, so it has no
//! rule of its own, no free text and writes no registry value.

use super::super::*;
use crate::validate::writes::ValueSet;

/// No rule beyond the loader's (the action is one of `scan`, `install`).
pub(in crate::validate) fn check(
    _cx: &mut Ctx<'_>,
    _r: &Recipe,
    _base: &str,
    _s: &crate::model::WindowsUpdateStep,
    _steps: &mut Steps,
) {
}

/// No free text (`recipe::texts`).
pub(in crate::validate) fn texts<'r>(
    _i: usize,
    _s: &'r crate::model::WindowsUpdateStep,
    _texts: &mut Vec<(String, &'r str, usize)>,
) {
}

/// No registry value (`cross::changes`).
pub(in crate::validate) fn value_sets(
    _i: usize,
    _s: &crate::model::WindowsUpdateStep,
) -> Vec<ValueSet> {
    Vec::new()
}
