//! A recipe's model for the PowerShell renderers ([`recipe_model`]): its metadata, its steps as
//! data, its parameters and its comment help, all escaped; and the facts derived from its steps
//! (the module verb, the params the steps use, whether it needs the 64-bit view).

use crate::diag::Diagnostic;
use crate::model::{recipe_verb, used_params, Context, ParamType, Reboot, Step};
use crate::plan::{Plan, RecipePlan};
use crate::render::escape::{PsComment, PsLit, PsName};
use crate::render::kinds;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{
    entry, Help, HelpParam, Kinds, ParamDecl, PsOptions, RecipeModel, StepData, HELP_WIDTH,
};

/// A step as data for the generated scripts: one hashtable of escaped literals, its entries
/// from the step's kind (`src/kinds/<kind>/render.rs`).
pub(crate) fn step_data<'a>(b: &mut Binder<'a>, step: &'a Step) -> Result<StepData, Diagnostic> {
    let kind = step.kind();
    let mut e = vec![entry("Kind", PsLit::string(kind))];
    crate::model::step_kind_dispatch!(step, s => kinds::KIND::entries(b, s, &mut e))?;
    Ok(StepData { kind, entries: e })
}

fn param_type(ty: ParamType, secret: bool) -> &'static str {
    if secret {
        return "SecureString";
    }
    match ty {
        ParamType::String | ParamType::Hostname => "string",
        ParamType::Int => "long",
        ParamType::Bool => "bool",
    }
}

fn context_name(c: Context) -> &'static str {
    match c {
        Context::System => "System",
        Context::User => "User",
    }
}

fn reboot_name(r: Reboot) -> &'static str {
    match r {
        Reboot::None => "None",
        Reboot::Recommended => "Recommended",
        Reboot::Required => "Required",
    }
}

/// Build the escaped model of one recipe.
pub(crate) fn recipe_model(
    plan: &Plan,
    rp: &RecipePlan,
    opts: &PsOptions,
) -> Result<RecipeModel, Vec<Diagnostic>> {
    let id = rp.recipe.id.clone();
    let mut errors = Vec::new();
    let noun = match PsName::pascal_from_kebab(&id) {
        Ok(n) => Some(n),
        Err(m) => {
            errors.push(rp.error_at("recipe-noun", "id", m));
            None
        }
    };
    let mut binder = Binder {
        rp,
        opts,
        holds_secret: false,
        step: 0,
    };
    let mut steps = Vec::new();
    let mut kinds = Kinds::default();
    for (i, step) in rp.recipe.steps.iter().enumerate() {
        kinds.add(step);
        binder.step = i;
        match step_data(&mut binder, step) {
            Ok(s) => steps.push(s),
            Err(e) => errors.push(e),
        }
    }
    let holds_secret = binder.holds_secret;

    let params = open_param_decls(rp, opts, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let noun = noun.ok_or_else(Vec::new)?;
    let r = &rp.recipe;
    let recipe = vec![
        entry("Id", PsLit::string(&r.id)),
        entry("Title", PsLit::string(&r.title)),
        entry("Summary", PsLit::string(&r.summary)),
        entry("Context", PsLit::string(context_name(r.context))),
        entry("Reboot", PsLit::string(reboot_name(r.reboot))),
        entry("Bundle", PsLit::string(&plan.bundle.name)),
        entry("BundleVersion", PsLit::string(&plan.bundle.version)),
        entry("SourceSha256", PsLit::string(&rp.source_sha256)),
        entry("Needs64Bit", PsLit::bool(r.steps.iter().any(needs_64bit))),
    ];

    let (help, test_help) = recipe_helps(plan, rp, &noun, &params);
    Ok(RecipeModel {
        id,
        verb: recipe_verb(&r.steps),
        noun,
        requires_admin: r.context == Context::System,
        params,
        recipe,
        steps,
        kinds,
        needs_64bit: r.steps.iter().any(needs_64bit),
        holds_secret,
        help,
        test_help,
    })
}

/// Whether a step needs the 64-bit view of Windows, from a 32-bit PowerShell host on 64-bit
/// Windows: a registry value under a key WOW64 redirects (`HKLM\SOFTWARE`; `HKLM\SYSTEM` and the
/// rest are shared, one physical key for both views), and firewall, VPN and Windows Update steps
/// (their modules and COM classes are not verified in 32-bit hosts, so they keep to 64-bit). A
/// service step (Get-Service, sc.exe, the shared `Services` key) works the same in both.
pub(crate) fn needs_64bit(step: &Step) -> bool {
    crate::model::step_kind_dispatch!(step, s => kinds::KIND::needs_64bit(s))
}

/// The script parameters of a recipe: every open param a step uses (an unused open param is not
/// a parameter).
fn open_param_decls(
    rp: &RecipePlan,
    opts: &PsOptions,
    errors: &mut Vec<Diagnostic>,
) -> Vec<ParamDecl> {
    let mut params = Vec::new();
    if opts.allow_open_params {
        let used = used_params(&rp.recipe.steps);
        for (name, decl) in rp.open_params() {
            if !used.contains(name) {
                continue;
            }
            match PsName::param(name) {
                Ok(n) => {
                    let mut text = decl
                        .description
                        .clone()
                        .unwrap_or_else(|| "(no description)".to_string());
                    if !text.ends_with('.') {
                        text.push('.');
                    }
                    if decl.secret {
                        text.push_str(
                            " A SecureString (Read-Host -AsSecureString): plain text only inside the cmdlet call, never logged.",
                        );
                    }
                    if !decl.required {
                        text.push_str(" Optional.");
                    }
                    params.push(ParamDecl {
                        name: n,
                        ps_type: param_type(decl.ty, decl.secret),
                        mandatory: decl.required,
                        secret: decl.secret,
                        help: PsComment::text(&text, HELP_WIDTH),
                    });
                }
                Err(m) => errors.push(rp.error_at_key("param-name", &format!("params.{name}"), m)),
            }
        }
    }
    params
}

/// Comment help of the script (and the module's change function) and of the module's `Test-`
/// function.
fn recipe_helps(plan: &Plan, rp: &RecipePlan, noun: &PsName, params: &[ParamDecl]) -> (Help, Help) {
    let r = &rp.recipe;
    let id = &r.id;
    let mut description = r.summary.clone();
    if let Some(s) = &r.symptom {
        description.push_str(&format!("\n\nSymptom: {s}"));
    }
    // The fix it implements (`source_step`) is in REVIEW.md; context and restart (`Context`,
    // `Reboot`) are in the recipe data right below the help.
    if !r.references.is_empty() {
        description.push_str("\n\nReferences:");
        for u in &r.references {
            description.push_str(&format!("\n{u}"));
        }
    }
    let help_params: Vec<HelpParam> = params
        .iter()
        .map(|p| HelpParam {
            name: p.name.clone(),
            help: p.help.clone(),
        })
        .collect();
    let args = ParamDecl::example_args(params);
    let examples = vec![PsComment::text(
        &format!(
            "PS> .\\{id}.ps1{args} -WhatIf\nShows what would change (each step is read, changed only if it differs, read again to verify). Then run it with -Verbose."
        ),
        usize::MAX,
    )];
    // The source's SHA-256 is in the recipe data (the log and every backup record it).
    let identity = format!(
        "Recipe: {id} ({}), bundle {} {}, fixgen {}",
        rp.source_file_name(),
        plan.bundle.name,
        plan.bundle.version,
        env!("CARGO_PKG_VERSION"),
    );
    let notes = PsComment::text(
        &format!(
            "{identity}\nExit codes: 0 compliant or fixed, 3010 fixed but a restart is needed (never restarts), 1 failed.\nLog (CMTrace): $env:windir\\Logs\\fixgen\\{id}.log"
        ),
        HELP_WIDTH,
    );
    // Test-<Noun> only returns compliance objects: no exit code, no log.
    let test_notes = PsComment::text(&identity, HELP_WIDTH);
    let help = Help {
        synopsis: PsComment::text(&r.title, HELP_WIDTH),
        description: PsComment::text(&description, HELP_WIDTH),
        params: help_params.clone(),
        examples,
        notes: notes.clone(),
    };
    let test_help = Help {
        synopsis: PsComment::text(&format!("Checks (read-only): {}", r.title), HELP_WIDTH),
        description: PsComment::text(
            &format!(
                "Returns one compliance object per checked setting (Recipe, Target, Setting, Expected, Actual, Compliant). Changes nothing. {}",
                r.title
            ),
            HELP_WIDTH,
        ),
        params: help_params,
        examples: vec![PsComment::text(
            &format!(
                "PS> Test-{}{}{args} | Where-Object {{ -not $_.Compliant }}",
                plan.bundle.name, noun
            ),
            usize::MAX,
        )],
        notes: test_notes,
    };
    (help, test_help)
}
