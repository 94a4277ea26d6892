//! The one list of step kinds in Rust: each `Step` variant and its module under a stage's
//! `kinds` (`src/kinds/<module>/<stage>.rs`). Every per-kind dispatch of a stage expands from
//! [`step_kind_dispatch`], so a new kind is added here once (and the compiler then asks for its
//! function in each stage's kind file). The PowerShell side has its own one list,
//! `STEP_KINDS` in `src/render/blocks.rs`.

/// `step_kind_dispatch!(step, s => kinds::KIND::f(args))`: call `f` of the kind module of
/// `step` (`kinds::registry::f`, `kinds::service::f`, ...), with the step of that kind bound to
/// `s` in `args`. `kinds` is the stage's module of kind files; `KIND` is literal.
macro_rules! step_kind_dispatch {
    ($step:expr, $s:ident => $kinds:ident :: KIND :: $f:ident ( $($arg:expr),* $(,)? )) => {
        match $step {
            $crate::model::Step::Registry($s) => $kinds::registry::$f($($arg),*),
            $crate::model::Step::Service($s) => $kinds::service::$f($($arg),*),
            $crate::model::Step::Firewall($s) => $kinds::firewall::$f($($arg),*),
            $crate::model::Step::Vpn($s) => $kinds::vpn::$f($($arg),*),
            $crate::model::Step::WindowsUpdate($s) => $kinds::windows_update::$f($($arg),*),
        }
    };
}
pub(crate) use step_kind_dispatch;

/// `step_kind_items!(kinds::KIND::ITEM)`: `[kinds::registry::ITEM, kinds::service::ITEM, ...]`,
/// an item of every kind module, in the order of [`step_kind_dispatch`].
macro_rules! step_kind_items {
    ($kinds:ident :: KIND :: $item:ident) => {
        [
            $kinds::registry::$item,
            $kinds::service::$item,
            $kinds::firewall::$item,
            $kinds::vpn::$item,
            $kinds::windows_update::$item,
        ]
    };
}
pub(crate) use step_kind_items;
