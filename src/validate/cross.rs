//! Rules across the recipes of a bundle: params that `Invoke-<Bundle>` and the module merge,
//! registry values and services that two steps set differently, and the names that become
//! files, folders and module functions.

use std::collections::BTreeMap;

use super::writes::{Data, ValueSet};
use super::{kinds, names, windows, Ctx};
use crate::diag::{Diagnostic, Severity};
use crate::load::Parsed;
use crate::model::{ParamType, Step};

/// The functions the module exports whatever its recipes: `Invoke-<Bundle>`, `Undo-<Bundle>`
/// (the per-recipe ones are `Test-<Bundle><Noun>` and `<Verb>-<Bundle><Noun>`, see
/// `render::ps_module::render_module_from`).
pub(crate) fn bundle_exports(bundle: &str) -> Vec<String> {
    vec![format!("Invoke-{bundle}"), format!("Undo-{bundle}")]
}

/// Each recipe's locating context (its source and the loader's index), made when a finding
/// needs it.
struct Cxs<'a> {
    p: &'a Parsed,
    cxs: Vec<Option<Ctx<'a>>>,
}

impl<'a> Cxs<'a> {
    fn get(&mut self, ri: usize) -> &mut Ctx<'a> {
        let r = &self.p.recipes[ri];
        self.cxs[ri].get_or_insert_with(|| Ctx::new(&r.source, &r.index))
    }

    /// The line of `field` in recipe `ri`.
    fn line(&mut self, ri: usize, field: &str) -> usize {
        self.get(ri).index.value_pos(field).line
    }

    /// Where an earlier setting is, for a message: `file:line (field)`.
    fn place(&mut self, p: &Parsed, f: &First) -> String {
        let line = self.line(f.recipe, &f.field);
        format!("{}:{line} ({})", p.recipes[f.recipe].source.path, f.field)
    }
}

pub(super) fn check(p: &Parsed) -> Vec<Diagnostic> {
    let mut cxs = Cxs {
        p,
        cxs: p.recipes.iter().map(|_| None).collect(),
    };
    params(p, &mut cxs);
    changes(p, &mut cxs);
    let mut out: Vec<Diagnostic> = Vec::new();
    if let Some((m, src, index)) = &p.manifest {
        let mut mcx = Ctx::new(src, index);
        file_names(p, Some(&m.name), &mut cxs, &mut mcx);
        out.extend(mcx.out);
    } else if let Some(first) = p.recipes.first() {
        // Implicit bundle: its name is made safe where it is made (`assemble`); no finding
        // goes to the bundle itself.
        file_names(
            p,
            None,
            &mut cxs,
            &mut Ctx::new(&first.source, &first.index),
        );
    }
    out.extend(cxs.cxs.into_iter().flatten().flat_map(|c| c.out));
    out
}

/// One param name across the bundle: `Invoke-<Bundle>` and the module take the union of the
/// recipes' params, so a name means one parameter everywhere.
fn params(p: &Parsed, cxs: &mut Cxs<'_>) {
    // lower-case name -> (recipe index, spelling, type, secret)
    let mut seen: BTreeMap<String, (usize, &str, ParamType, bool)> = BTreeMap::new();
    for (ri, r) in p.recipes.iter().enumerate() {
        for (name, decl) in &r.recipe.params {
            if names::check_param_name(name).is_err() {
                continue;
            }
            let key = name.to_ascii_lowercase();
            let Some(&(fi, first, ty, secret)) = seen.get(&key) else {
                seen.insert(key, (ri, name, decl.ty, decl.secret));
                continue;
            };
            if fi == ri {
                continue; // same recipe: `param-case`
            }
            let other = &p.recipes[fi].source.path;
            let f = format!("params.{name}");
            if first != name {
                cxs.get(ri).push_key(
                    Severity::Error,
                    "param-case",
                    &f,
                    format!("param `{name}` differs only in case from param `{first}` of {other}; PowerShell parameter names are case-insensitive, so Invoke-<Bundle> and the module would declare one parameter twice"),
                    Some("spell the param the same way in every recipe"),
                );
            } else if ty != decl.ty || secret != decl.secret {
                let what = |t: ParamType, s: bool| {
                    format!("`{}`{}", t.name(), if s { ", secret" } else { "" })
                };
                cxs.get(ri).push_key(
                    Severity::Error,
                    "param-conflict",
                    &f,
                    format!(
                        "param `{name}` is {} here but {} in {other}; the bundle's Invoke-<Bundle> and module take one value for both",
                        what(decl.ty, decl.secret),
                        what(ty, secret)
                    ),
                    Some("declare the param the same way in every recipe, or rename one"),
                );
            }
        }
    }
}

/// A registry value or service setting as first set: recipe, field, line, data.
struct First {
    recipe: usize,
    field: String,
    data: Data,
}

/// The same registry value (or service setting) set twice with different data, in one recipe
/// or across the bundle: one of the two steps would silently undo the other.
fn changes(p: &Parsed, cxs: &mut Cxs<'_>) {
    let mut values: BTreeMap<(crate::registry::Hive, String, String), First> = BTreeMap::new();
    let mut services: BTreeMap<(String, &'static str), First> = BTreeMap::new();
    for (ri, r) in p.recipes.iter().enumerate() {
        for (i, step) in r.recipe.steps.iter().enumerate() {
            // A service's own settings (state, startup) compared across steps.
            if let Step::Service(s) = step {
                if names::check_service_name(&s.name).is_ok() {
                    let base = format!("steps[{i}].service");
                    service_settings(p, cxs, ri, s, &base, &mut services);
                }
            }
            let sets = crate::model::step_kind_dispatch!(step, s => kinds::KIND::value_sets(i, s));
            value_sets(p, cxs, ri, sets, &mut values);
        }
    }
}

/// A service step's startup type and state against the other steps that set them.
fn service_settings(
    p: &Parsed,
    cxs: &mut Cxs<'_>,
    ri: usize,
    s: &crate::model::ServiceStep,
    base: &str,
    services: &mut BTreeMap<(String, &'static str), First>,
) {
    let settings = [
        ("startup", s.startup.map(crate::model::Startup::name)),
        ("state", s.state.map(crate::model::ServiceState::name)),
    ];
    for (what, v) in settings {
        let Some(v) = v else { continue };
        let field = format!("{base}.{what}");
        let data = Data::Lit("service", v.to_string());
        let key = (s.name.to_ascii_lowercase(), what);
        // A disabled service cannot be running, across steps too (in one step:
        // `service-contradiction`).
        let (other, clash) = match what {
            "startup" => ("state", (v == "disabled").then_some("running")),
            _ => ("startup", (v == "running").then_some("disabled")),
        };
        if let Some(f) = clash.and_then(|c| {
            services
                .get(&(s.name.to_ascii_lowercase(), other))
                .filter(|f| f.data == Data::Lit("service", c.to_string()))
        }) {
            let msg = format!(
                "service {} is set to {what} {v} here but to {other} {} at {}; a disabled service cannot be running",
                s.name,
                clash.unwrap_or_default(),
                cxs.place(p, f)
            );
            service_conflict(cxs, ri, &field, msg);
        }
        match services.get(&key) {
            Some(f) if f.data.differs(&data) => {
                let msg = format!(
                    "service {} {what} is set to {} here but to {} at {}; one step would undo the other",
                    s.name,
                    v,
                    match &f.data {
                        Data::Lit(_, x) => x.as_str(),
                        _ => "",
                    },
                    cxs.place(p, f)
                );
                service_conflict(cxs, ri, &field, msg);
            }
            Some(_) => {}
            None => {
                services.insert(
                    key,
                    First {
                        recipe: ri,
                        field,
                        data,
                    },
                );
            }
        }
    }
}

/// The registry values a step sets against those other steps set.
fn value_sets(
    p: &Parsed,
    cxs: &mut Cxs<'_>,
    ri: usize,
    sets: Vec<ValueSet>,
    values: &mut BTreeMap<(crate::registry::Hive, String, String), First>,
) {
    for (path, name, data, field) in sets {
        let key = (
            path.hive,
            path.subkey.to_ascii_lowercase(),
            name.to_ascii_lowercase(),
        );
        match values.get(&key) {
            Some(f) if f.data.differs(&data) => {
                let both_services = f.field.ends_with(".startup") && field.ends_with(".startup");
                if both_services {
                    continue; // reported as `service-conflict`
                }
                let msg = format!(
                    "{} value `{}` is set to {} here but to {} at {}; one step would undo the other",
                    path.short(),
                    name.escape_debug(),
                    data.show(),
                    f.data.show(),
                    cxs.place(p, f)
                );
                cxs.get(ri).push(
                    Severity::Error,
                    "registry-conflict",
                    &field,
                    msg,
                    Some("set each registry value once in the bundle"),
                );
            }
            Some(_) => {}
            None => {
                values.insert(
                    key,
                    First {
                        recipe: ri,
                        field,
                        data,
                    },
                );
            }
        }
    }
}

/// Names that become files, folders and module functions: no two the same for Windows (which
/// ignores case), none a reserved device name, no module function shadowing a built-in cmdlet.
fn file_names(p: &Parsed, bundle: Option<&str>, cxs: &mut Cxs<'_>, mcx: &mut Ctx<'_>) {
    let bundle = bundle.filter(|b| names::check_pascal_noun(b).is_ok());
    // lower-case path -> (path as generated, owner)
    let mut paths: BTreeMap<String, (String, String)> = BTreeMap::new();
    if let Some(b) = bundle {
        if let Err(m) = windows::check_device_name(b, "the bundle name") {
            mcx.push(
                Severity::Error,
                "reserved-name",
                "name",
                m,
                Some("the name becomes module/<name>/, reg/<name>.reg and intune/<name>/; choose another name"),
            );
        }
        for e in bundle_exports(b) {
            if windows::is_builtin_cmdlet(&e) {
                mcx.push(
                    Severity::Error,
                    "module-shadow",
                    "name",
                    format!("the bundle name `{b}` makes the module export {e}, which shadows the built-in command of that name in every session that imports the module"),
                    Some("choose another bundle name"),
                );
            }
        }
        for path in [
            format!("scripts/Invoke-{b}.ps1"),
            format!("reg/{b}.reg"),
            format!("intune/{b}/"),
            format!("module/{b}/"),
        ] {
            paths.insert(path.to_ascii_lowercase(), (path, "the bundle".into()));
        }
    }
    let mut nouns: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (ri, r) in p.recipes.iter().enumerate() {
        let id = &r.recipe.id;
        if names::check_kebab_id(id).is_err() {
            continue;
        }
        let owner = format!("recipe `{id}`");
        for path in [
            format!("scripts/{id}.ps1"),
            format!("scripts/Undo-{id}.ps1"),
            format!("reg/{id}.reg"),
            format!("intune/{id}/"),
        ] {
            match paths.get(&path.to_ascii_lowercase()) {
                Some((other, who)) if *who != owner => {
                    let msg = format!("recipe id `{id}` gives {path}, which Windows cannot tell apart from {other} of {who} (file names ignore case)");
                    cxs.get(ri).push(
                        Severity::Error,
                        "output-name",
                        "id",
                        msg,
                        Some("rename the recipe"),
                    );
                }
                Some(_) => {}
                None => {
                    paths.insert(path.to_ascii_lowercase(), (path, owner.clone()));
                }
            }
        }
        let Ok(noun) = crate::escape::PsName::pascal_from_kebab(id) else {
            continue;
        };
        let noun = noun.as_str().to_string();
        if let Some((other, _)) = nouns
            .get(&noun.to_ascii_lowercase())
            .filter(|(other, _)| other != id)
        {
            let msg = format!("recipe `{id}` gets the PowerShell noun {noun}, the same as recipe `{other}` (names ignore case): their module functions would clash");
            cxs.get(ri).push(
                Severity::Error,
                "module-noun",
                "id",
                msg,
                Some("rename one recipe"),
            );
        } else {
            nouns
                .entry(noun.to_ascii_lowercase())
                .or_insert((id.clone(), noun.clone()));
        }
        if let Some(b) = bundle {
            let verb = crate::model::recipe_verb(&r.recipe.steps);
            for f in [format!("Test-{b}{noun}"), format!("{verb}-{b}{noun}")] {
                if windows::is_builtin_cmdlet(&f) {
                    cxs.get(ri).push(
                        Severity::Error,
                        "module-shadow",
                        "id",
                        format!("recipe `{id}` makes the module export {f}, which shadows the built-in command of that name in every session that imports the module"),
                        Some("rename the recipe or the bundle"),
                    );
                }
            }
        }
    }
}

/// A service set two ways in the bundle, reported at the later step's field.
fn service_conflict(cxs: &mut Cxs<'_>, ri: usize, field: &str, msg: String) {
    cxs.get(ri).push(
        Severity::Error,
        "service-conflict",
        field,
        msg,
        Some("keep one setting per service in the bundle"),
    );
}
