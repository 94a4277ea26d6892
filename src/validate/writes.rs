//! What a step writes to the registry, comparable across steps: each kind says what its steps
//! write (`value_sets` in `src/kinds/<kind>/validate.rs`), and `cross::changes` reports a value
//! two steps set differently.

use crate::model::Val;
use crate::registry::RegPath;

/// One registry value a step sets: its key, value name, data and the field it is reported at.
pub(super) type ValueSet = (RegPath, String, Data, String);

/// What a step writes to one registry value, comparable across steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Data {
    Absent,
    /// Kind and literal data.
    Lit(&'static str, String),
    /// Kind and param name (the data is known only at build time).
    Param(&'static str, String),
}

impl Data {
    pub(super) fn differs(&self, o: &Data) -> bool {
        match (self, o) {
            (Data::Lit(k1, _) | Data::Param(k1, _), Data::Lit(k2, _) | Data::Param(k2, _))
                if k1 != k2 =>
            {
                true
            }
            (Data::Lit(_, a), Data::Lit(_, b)) => a != b,
            (Data::Absent, Data::Absent) => false,
            (Data::Absent, _) | (_, Data::Absent) => true,
            _ => false,
        }
    }

    pub(super) fn show(&self) -> String {
        match self {
            Data::Absent => "deleted".into(),
            Data::Lit(k @ ("string" | "expand_string" | "multi_string"), v) => {
                format!("{k} `{}`", v.escape_debug())
            }
            Data::Lit(k, v) => format!("{k} {v}"),
            Data::Param(k, n) => format!("{k} from param {n}"),
        }
    }
}

pub(super) fn val_data<T: ToString>(kind: &'static str, v: &Val<T>) -> Data {
    match v {
        Val::Lit(t) => Data::Lit(kind, t.to_string()),
        Val::Param(p) => Data::Param(kind, p.param.clone()),
    }
}
