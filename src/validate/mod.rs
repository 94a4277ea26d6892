//! The validator: every rule over typed recipes and the bundle, collecting every finding with
//! its location. Nothing is planned or rendered from input with an error.
//!
//! Entry points: [`check`] (inputs -> [`Report`] with all findings and, when there is no error,
//! the bundle), [`validate_recipe`] and [`validate_bundle`]. Pure helpers for reuse (the .reg
//! reader) live in [`registry`], [`ports`] and [`names`].

pub mod cross;
pub mod names;
pub mod ports;
pub mod uses;
pub mod windows;

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::SourceFile;
use crate::diag::{self, Diagnostic, Severity};
use crate::load::{self, Inputs, Parsed, SpanIndex};
use crate::load::{Bundle, LoadedRecipe};
use crate::model::{
    BundleManifest, Context, Ensure, ParamType, ParamValue, Protocol, Recipe, RegValue,
    ServiceState, Startup, Step, Tunnel, Val,
};
use crate::registry::rules as registry;
use crate::registry::{Hive, RegPath};
use registry::{Finding, RegData};

/// Size limits (defined with every other input limit in `crate::limits`).
pub use crate::limits::{
    MAX_DISPLAY_NAME, MAX_PARAMS, MAX_RECIPES, MAX_REG_TEXT, MAX_STEPS, MAX_TEXT, MAX_TITLE,
};

/// Everything a check found, plus the bundle when there is no error.
#[derive(Debug, Clone)]
pub struct Report {
    pub bundle: Option<Bundle>,
    /// Sorted; errors, warnings and infos.
    pub diagnostics: Vec<Diagnostic>,
    /// All sources read (for showing source lines), including rejected ones.
    pub sources: Vec<SourceFile>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The bundle, or every diagnostic when there is an error.
    pub fn into_bundle(self) -> Result<Bundle, Vec<Diagnostic>> {
        match self.bundle {
            Some(b) if !self.diagnostics.iter().any(Diagnostic::is_error) => Ok(b),
            _ => Err(self.diagnostics),
        }
    }
}

/// Parse and validate `inputs`.
pub fn check(inputs: Inputs) -> Report {
    check_with(inputs, &uses::Given::default())
}

/// Parse and validate `inputs` with the values given at build time (`--set`, `--values`):
/// each is checked as a literal in its place would be, and findings about it point at where
/// it was given.
pub fn check_with(inputs: Inputs, given: &uses::Given) -> Report {
    let parsed = load::parse(&inputs.sources);
    let mut diagnostics = inputs.diagnostics;
    diagnostics.extend(parsed.diagnostics.iter().cloned());
    for r in &parsed.recipes {
        diagnostics.extend(validate_recipe_with(r, given));
    }
    for (r, touched) in &parsed.partial {
        diagnostics.extend(
            validate_recipe_with(r, given)
                .into_iter()
                .filter(|d| !affected(d, touched)),
        );
    }
    diagnostics.extend(validate_bundle_parts(&parsed));
    let all = parsed
        .recipes
        .iter()
        .chain(parsed.partial.iter().map(|(r, _)| r));
    diagnostics.extend(secret_findings(all.map(|r| &r.recipe), given));
    diag::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let bundle = if failed || !inputs.rejected.is_empty() || !parsed.failed.is_empty() {
        None
    } else {
        assemble(parsed.clone(), inputs.folder_name.as_deref())
    };
    let mut sources = inputs.sources;
    sources.extend(inputs.rejected);
    Report {
        bundle,
        diagnostics,
        sources,
    }
}

/// Secret params given a value without `--allow-embedded-secrets`: one finding per param, at
/// the `--set`/`--values` entry, naming every recipe whose steps use it (the generated scripts
/// take a secret as a [SecureString] parameter at run time; a value would be baked in).
fn secret_findings<'a>(
    recipes: impl Iterator<Item = &'a crate::model::Recipe>,
    given: &uses::Given,
) -> Vec<Diagnostic> {
    if given.allow_embedded_secrets {
        return Vec::new();
    }
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in recipes {
        let used = crate::model::used_params(&r.steps);
        for (name, p) in &r.params {
            if p.secret && given.values.contains_key(name) && used.contains(name) {
                users.entry(name).or_default().push(&r.id);
            }
        }
    }
    users
        .into_iter()
        .map(|(name, ids)| {
            let o = given.origins.get(name).cloned().unwrap_or(uses::Origin {
                file: format!("--set {name}"),
                line: 0,
                column: 0,
                field: name.to_string(),
            });
            let list = ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
            Diagnostic::new(
                Severity::Error,
                "secret-embedded",
                o.file,
                format!("secret param `{name}` was given a value (used by recipe {list}); the generated scripts take it as a [SecureString] parameter at run time, so the value would be baked into the files"),
            )
            .at(o.line, o.column)
            .with_field(o.field)
            .with_hint("leave it unset (scripts ask for it at run time), or pass --allow-embedded-secrets to bake it into the files (Intune needs that)".to_string())
        })
        .collect()
}

/// A finding on a part of a recipe that was replaced after a load error.
fn affected(d: &Diagnostic, touched: &[String]) -> bool {
    touched.iter().any(|t| {
        let on_path = t.is_empty()
            || d.field == *t
            || d.field.starts_with(&format!("{t}."))
            || d.field.starts_with(&format!("{t}["));
        let about_param = t
            .strip_prefix("params.")
            .is_some_and(|name| d.message.contains(&format!("`{name}`")));
        on_path || about_param
    })
}

/// Order recipes as the manifest says, or synthesize a manifest for an implicit bundle.
fn assemble(parsed: Parsed, folder: Option<&str>) -> Option<Bundle> {
    let mut recipes = parsed.recipes;
    if recipes.is_empty() {
        return None;
    }
    match parsed.manifest {
        Some((manifest, manifest_source)) => {
            // Positions by id (first file first when two share an id), so ordering is linear.
            let mut at: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, r) in recipes.iter().enumerate().rev() {
                at.entry(r.recipe.id.clone()).or_default().push(i);
            }
            let mut slots: Vec<Option<_>> = recipes.into_iter().map(Some).collect();
            let mut ordered = Vec::new();
            for id in &manifest.recipes {
                let pos = at.get_mut(id.as_str())?.pop()?;
                ordered.push(slots[pos].take()?);
            }
            Some(Bundle {
                manifest,
                manifest_source,
                recipes: ordered,
            })
        }
        None if !parsed.has_manifest => {
            recipes.sort_by(|a, b| a.source.path.cmp(&b.source.path));
            let name = folder.map(pascal_from).unwrap_or_default();
            let name = if names::check_pascal_noun(&name).is_ok()
                && !windows::is_reserved_device_name(&name)
                && !cross::bundle_exports(&name)
                    .iter()
                    .any(|e| windows::is_builtin_cmdlet(e))
            {
                name
            } else {
                "Recipes".to_string()
            };
            let manifest = BundleManifest {
                name: name.clone(),
                title: name,
                version: "0.0.0".into(),
                description: "Recipes checked without a bundle.yaml (implicit bundle).".into(),
                publisher: "fixgen".into(),
                source: None,
                recipes: recipes.iter().map(|r| r.recipe.id.clone()).collect(),
            };
            Some(Bundle {
                manifest,
                manifest_source: SourceFile {
                    path: "<implicit bundle.yaml>".into(),
                    text: String::new(),
                },
                recipes,
            })
        }
        None => None,
    }
}

/// `my-fixes_2` -> `MyFixes2`; leading digits are dropped (`2fast` -> `Fast`).
fn pascal_from(s: &str) -> String {
    let joined: String = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    let rest = joined.trim_start_matches(|c: char| c.is_ascii_digit());
    let mut c = rest.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Locates findings in one source file.
struct Ctx<'a> {
    file: &'a str,
    index: SpanIndex,
    out: Vec<Diagnostic>,
    /// Values given at build time, checked where their params are used.
    given: &'a uses::Given,
}

static NO_VALUES: std::sync::LazyLock<uses::Given> = std::sync::LazyLock::new(uses::Given::default);

impl<'a> Ctx<'a> {
    fn new(src: &'a SourceFile) -> Self {
        Ctx {
            file: &src.path,
            index: load::yaml::read(&src.text).index,
            out: Vec::new(),
            given: &NO_VALUES,
        }
    }

    /// A problem of a literal at `field`.
    fn problem(&mut self, field: &str, p: uses::Problem) {
        self.err(p.code, field, p.message);
    }

    /// A problem of the value given for param `name` with `--set` or `--values`, located
    /// where it was given.
    fn at_origin(&mut self, code: &str, name: &str, message: String, hint: String) {
        let o = self
            .given
            .origins
            .get(name)
            .cloned()
            .unwrap_or(uses::Origin {
                file: format!("--set {name}"),
                line: 0,
                column: 0,
                field: name.to_string(),
            });
        self.out.push(
            Diagnostic::new(Severity::Error, code, o.file, message)
                .at(o.line, o.column)
                .with_field(o.field)
                .with_hint(hint),
        );
    }

    /// Report at the value of `field`.
    fn push(&mut self, sev: Severity, code: &str, field: &str, msg: String, hint: Option<&str>) {
        let pos = self.index.value_pos(field);
        self.push_at(sev, code, field, pos, msg, hint);
    }

    /// Report at the key of `field` (for "this entry" findings).
    fn push_key(
        &mut self,
        sev: Severity,
        code: &str,
        field: &str,
        msg: String,
        hint: Option<&str>,
    ) {
        let pos = self.index.key_pos(field);
        self.push_at(sev, code, field, pos, msg, hint);
    }

    fn push_at(
        &mut self,
        sev: Severity,
        code: &str,
        field: &str,
        pos: load::Pos,
        msg: String,
        hint: Option<&str>,
    ) {
        let mut d = Diagnostic::new(sev, code, self.file, msg)
            .at(pos.line, pos.column)
            .with_field(field);
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.out.push(d);
    }

    fn err(&mut self, code: &str, field: &str, msg: String) {
        self.push(Severity::Error, code, field, msg, None);
    }

    fn finding(&mut self, f: Finding) {
        let pos = self.index.value_pos(&f.field);
        self.push_at(
            f.severity,
            f.code,
            &f.field,
            pos,
            f.message,
            f.hint.as_deref(),
        );
    }
}

/// File stem of a shown path: `recipes/l2tp/nat-traversal.yaml` -> `nat-traversal`.
pub fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

/// What a step field expects from a param.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Text that may be shown and logged (names).
    Text,
    /// A host name or address.
    Host,
    /// A secret (pre-shared key): must be a secret param.
    Secret,
    /// Text written to the registry in clear.
    RegistryText,
    /// A whole number of this many bits, unsigned.
    Unsigned(u32),
}

/// Check one recipe (already deserialized). Findings are located in its source.
pub fn validate_recipe(lr: &LoadedRecipe) -> Vec<Diagnostic> {
    validate_recipe_with(lr, &NO_VALUES)
}

/// [`validate_recipe`] with the values given at build time.
pub fn validate_recipe_with(lr: &LoadedRecipe, given: &uses::Given) -> Vec<Diagnostic> {
    let r = &lr.recipe;
    let mut cx = Ctx::new(&lr.source);
    cx.given = given;

    // Metadata.
    if let Err(m) = names::check_kebab_id(&r.id) {
        cx.err("recipe-id", "id", m);
    } else if let Err(m) = windows::check_device_name(&r.id, "the recipe id") {
        cx.push(
            Severity::Error,
            "reserved-name",
            "id",
            m,
            Some("the id names scripts/<id>.ps1, reg/<id>.reg and intune/<id>/; choose another id"),
        );
    } else {
        let stem = file_stem(&lr.source.path);
        if stem != r.id {
            cx.push(
                Severity::Error,
                "recipe-id-file",
                "id",
                format!(
                    "the id `{}` differs from the file name `{stem}`; they must be equal",
                    r.id
                ),
                Some("rename the file or change the id"),
            );
        }
    }
    if let Some(list) = &r.channels {
        if list.is_empty() {
            cx.err(
                "channels",
                "channels",
                "`channels` is empty: the recipe would be in no build target; list at least one of scripts, module, intune, gpo, reg, or leave `channels` out for all".to_string(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in list.iter().enumerate() {
            if !seen.insert(*c) {
                cx.err(
                    "channels",
                    &format!("channels[{i}]"),
                    format!("channel `{}` is listed twice", c.name()),
                );
            }
        }
    }
    for (f, v) in [("title", &r.title), ("summary", &r.summary)] {
        if v.trim().is_empty() {
            cx.err(
                "empty-text",
                f,
                format!("`{f}` is empty; expected text for the reviewer"),
            );
        }
    }
    if r.title.contains('\n') {
        cx.err(
            "title-line",
            "title",
            "expected the title on one line".into(),
        );
    }
    for (i, u) in r.references.iter().enumerate() {
        if let Err(m) = names::check_https_url(u) {
            cx.err("reference-url", &format!("references[{i}]"), m);
        }
    }
    if r.steps.is_empty() {
        cx.err("no-steps", "steps", "expected at least one step".into());
    }
    if r.steps.len() > MAX_STEPS {
        cx.err(
            "limit-steps",
            "steps",
            format!("the recipe has {} steps; at most {MAX_STEPS} are allowed (split it into several recipes)", r.steps.len()),
        );
    }
    if r.params.len() > MAX_PARAMS {
        cx.err(
            "limit-params",
            "params",
            format!(
                "the recipe declares {} params; at most {MAX_PARAMS} are allowed",
                r.params.len()
            ),
        );
    }
    let mut texts: Vec<(String, &str, usize)> = vec![
        ("title".into(), r.title.as_str(), MAX_TITLE),
        ("summary".into(), r.summary.as_str(), MAX_TEXT),
    ];
    if let Some(s) = &r.symptom {
        texts.push(("symptom".into(), s, MAX_TEXT));
    }
    if let Some(s) = &r.source_step {
        texts.push(("source_step".into(), s, MAX_TEXT));
    }
    for (name, p) in &r.params {
        if let Some(d) = &p.description {
            texts.push((format!("params.{name}.description"), d, MAX_TEXT));
        }
    }
    for (i, step) in r.steps.iter().enumerate() {
        if let Step::Firewall(f) = step {
            texts.push((
                format!("steps[{i}].firewall.display_name"),
                &f.display_name,
                MAX_DISPLAY_NAME,
            ));
            if let Some(d) = &f.description {
                texts.push((format!("steps[{i}].firewall.description"), d, MAX_TEXT));
            }
        }
        if let Step::Registry(rs) = step {
            // REG_SZ and REG_EXPAND_SZ literals: checked with their use (`uses`).
            if let Some(RegValue::MultiString(items)) = &rs.value {
                for (j, t) in items.iter().enumerate() {
                    texts.push((
                        format!("steps[{i}].registry.value.multi_string[{j}]"),
                        t,
                        MAX_REG_TEXT,
                    ));
                }
            }
        }
    }
    for (field, text, max) in texts {
        // A NUL in registry data is reported as `registry-nul`.
        let nul_in_data = field.contains(".registry.value.") && text.contains('\0');
        if let (false, Some(p)) = (nul_in_data, uses::check_text(text)) {
            cx.problem(&field, p);
        }
        let n = text.chars().count();
        if n > max {
            cx.err(
                "limit-text",
                &field,
                format!("the text is {n} characters long; at most {max} are allowed here"),
            );
        }
    }

    // Params: names, defaults.
    let mut lower: BTreeMap<String, &str> = BTreeMap::new();
    for (name, p) in &r.params {
        let f = format!("params.{name}");
        if let Err(m) = names::check_param_name(name) {
            cx.push_key(Severity::Error, "param-name", &f, m, None);
        } else if let Err(m) = crate::escape::PsName::param(name) {
            // The renderer's own rule (common parameters, automatic variables, `fixgen*`).
            cx.push_key(
                Severity::Error,
                "param-reserved",
                &f,
                m,
                Some("rename the param, e.g. `ServerName` instead of `Host`"),
            );
        }
        if let Some(other) = lower.insert(name.to_ascii_lowercase(), name) {
            cx.push_key(
                Severity::Error,
                "param-case",
                &f,
                format!("param `{name}` differs from param `{other}` only in case; PowerShell parameter names are case-insensitive, so the script would declare one parameter twice"),
                Some("use one spelling"),
            );
        }
        if let Some(d) = &p.default {
            let df = format!("{f}.default");
            let ok = matches!(
                (p.ty, d),
                (ParamType::String, ParamValue::String(_))
                    | (ParamType::Hostname, ParamValue::String(_))
                    | (ParamType::Int, ParamValue::Int(_))
                    | (ParamType::Bool, ParamValue::Bool(_))
            );
            if !ok {
                cx.err(
                    "param-default-type",
                    &df,
                    format!(
                        "the default does not match the param type `{}`; expected {}",
                        param_type_name(p.ty),
                        param_type_expect(p.ty)
                    ),
                );
            } else if let (ParamType::Hostname, ParamValue::String(s), false) = (p.ty, d, p.secret)
            {
                if let Err(m) = names::check_hostname(s) {
                    cx.err("hostname", &df, m);
                }
            }
            if p.secret {
                cx.push(
                    Severity::Error,
                    "secret-default",
                    &df,
                    format!("the secret param `{name}` has a default: its value would sit in the recipe in clear"),
                    Some("remove the default and pass the value with --set or --values at build time, or as a script parameter"),
                );
            }
            if p.required {
                cx.push(
                    Severity::Warning,
                    "param-required-default",
                    &f,
                    format!(
                        "param `{name}` is required and has a default; the default is never used"
                    ),
                    Some("drop `required: true` or the default"),
                );
            }
        }
    }

    // Values given at build time: they must parse as the param's type; a secret one needs
    // --allow-embedded-secrets (generated scripts take it at run time otherwise).
    // (A secret given a value without --allow-embedded-secrets is one finding for the whole
    // bundle: `secret_findings`.)
    for (name, p) in &r.params {
        if let Some(text) = cx.given.values.get(name) {
            if let Err(m) = uses::parse_param_text(p.ty, text) {
                let message = if p.secret {
                    format!(
                        "the value given for secret param `{name}` is not {}",
                        param_type_expect(p.ty)
                    )
                } else {
                    m
                };
                cx.at_origin(
                    "param-value",
                    name,
                    message,
                    format!(
                        "param `{name}` of recipe `{}` has type `{}`",
                        r.id,
                        param_type_name(p.ty)
                    ),
                );
            }
        }
    }

    // Steps.
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut fw_ids: BTreeMap<String, String> = BTreeMap::new();
    for (i, step) in r.steps.iter().enumerate() {
        let base = format!("steps[{i}].{}", step.kind());
        match step {
            Step::Registry(s) => check_registry(&mut cx, r, &base, s, &mut used),
            Step::Service(s) => {
                if let Err(m) = names::check_service_name(&s.name) {
                    let hint = names::service_key_for_display_name(&s.name).map(|k| {
                        format!(
                            "`{}` is the display name; the service name is `{k}`",
                            s.name
                        )
                    });
                    cx.push(
                        Severity::Error,
                        "service-name",
                        &format!("{base}.name"),
                        m,
                        hint.as_deref(),
                    );
                }
                if s.startup.is_none() && s.state.is_none() {
                    cx.push(
                        Severity::Error,
                        "service-empty",
                        &base,
                        "the service step sets neither `startup` nor `state`; expected at least one".into(),
                        None,
                    );
                }
                if s.startup == Some(Startup::Disabled) && s.state == Some(ServiceState::Running) {
                    cx.err(
                        "service-contradiction",
                        &format!("{base}.state"),
                        "a disabled service cannot be running; expected `state: stopped` with `startup: disabled`".into(),
                    );
                }
                let stops =
                    s.startup == Some(Startup::Disabled) || s.state == Some(ServiceState::Stopped);
                if let (true, Some(display)) = (stops, windows::essential_service(&s.name)) {
                    cx.push(
                        Severity::Warning,
                        "service-essential",
                        &format!("{base}.name"),
                        format!(
                            "{} ({display}) is a service Windows cannot run without: stopping or disabling it breaks the machine and may leave it unable to start or to be managed remotely",
                            s.name
                        ),
                        Some("remove this step unless breaking the machine is intended"),
                    );
                }
                if s.name.eq_ignore_ascii_case("RemoteAccess") {
                    cx.push(
                        Severity::Warning,
                        "service-server-side",
                        &format!("{base}.name"),
                        "RemoteAccess (Routing and Remote Access) is the VPN server service; VPN clients do not need it".into(),
                        Some("for the client use RasMan (Remote Access Connection Manager)"),
                    );
                }
            }
            Step::Firewall(s) => {
                let idf = format!("{base}.id");
                if let Err(m) = names::check_firewall_id(&s.id) {
                    cx.err("firewall-id", &idf, m);
                } else if let Some(prev) = fw_ids.insert(s.id.to_ascii_lowercase(), idf.clone()) {
                    cx.err(
                        "firewall-id-duplicate",
                        &idf,
                        format!("firewall rule id `{}` is already used at {prev}; each rule needs its own id", s.id),
                    );
                }
                if s.display_name.trim().is_empty() {
                    cx.err(
                        "empty-text",
                        &format!("{base}.display_name"),
                        "`display_name` is empty; expected the name shown in the firewall console"
                            .into(),
                    );
                }
                let has_ports = matches!(s.protocol, Protocol::Tcp | Protocol::Udp);
                for lf in ["local_ports", "remote_ports"] {
                    let list = if lf == "local_ports" {
                        &s.local_ports
                    } else {
                        &s.remote_ports
                    };
                    let f = format!("{base}.{lf}");
                    if !list.is_empty() && !has_ports {
                        cx.err(
                            "ports-protocol",
                            &f,
                            format!(
                                "ports are given but protocol `{}` has no ports; expected protocol tcp or udp, or no `{lf}`",
                                protocol_name(s.protocol)
                            ),
                        );
                        continue;
                    }
                    let (_, findings) = ports::check_ports(list, &f);
                    for x in findings {
                        cx.finding(x);
                    }
                }
                let all_profiles = s.profiles.is_empty()
                    || [
                        crate::model::Profile::Domain,
                        crate::model::Profile::Private,
                        crate::model::Profile::Public,
                    ]
                    .iter()
                    .all(|p| s.profiles.contains(p));
                if s.direction == crate::model::Direction::Inbound
                    && s.action == crate::model::FirewallAction::Allow
                    && s.protocol == Protocol::Any
                    && s.local_ports.is_empty()
                    && s.remote_ports.is_empty()
                    && all_profiles
                {
                    cx.push(
                        Severity::Warning,
                        "firewall-allow-all",
                        &base,
                        "this rule allows every inbound connection (all protocols, ports, addresses and profiles): the same as turning the firewall off".into(),
                        Some("allow only the protocol and ports needed, e.g. `protocol: udp, local_ports: [500, 4500]`"),
                    );
                }
                let mut seen = BTreeSet::new();
                for (j, p) in s.profiles.iter().enumerate() {
                    if !seen.insert(*p) {
                        cx.push(
                            Severity::Warning,
                            "profile-duplicate",
                            &format!("{base}.profiles[{j}]"),
                            "this profile is listed twice".into(),
                            None,
                        );
                    }
                }
            }
            Step::Vpn(s) => {
                val_use(
                    &mut cx,
                    r,
                    &format!("{base}.name"),
                    &s.name,
                    Want::Text,
                    &mut used,
                );
                if let Val::Lit(n) = &s.name {
                    for p in uses::check_text_use(uses::Use::VpnName, n) {
                        cx.problem(&format!("{base}.name"), p);
                    }
                }
                match &s.server {
                    Some(v) => {
                        val_use(
                            &mut cx,
                            r,
                            &format!("{base}.server"),
                            v,
                            Want::Host,
                            &mut used,
                        );
                        if let Val::Lit(h) = v {
                            for p in uses::check_text_use(uses::Use::Host, h) {
                                cx.problem(&format!("{base}.server"), p);
                            }
                        }
                    }
                    None => cx.push(
                        Severity::Error,
                        "vpn-server",
                        &base,
                        if s.recreate {
                            "a recreated connection needs `server`".to_string()
                        } else {
                            "the connection may have to be created, which needs `server`"
                                .to_string()
                        },
                        Some("add `server: { param: ServerAddress }`"),
                    ),
                }
                match &s.psk {
                    Some(v) => {
                        let f = format!("{base}.psk");
                        if s.tunnel != Tunnel::L2tp {
                            cx.err("vpn-psk-tunnel", &f, format!("a pre-shared key is only used with tunnel l2tp, not `{}`", tunnel_name(s.tunnel)));
                        }
                        if let Val::Lit(_) = v {
                            cx.push(
                                Severity::Error,
                                "secret-literal",
                                &f,
                                "the pre-shared key is written in the recipe in clear; expected `{ param: Name }` naming a `secret: true` param".into(),
                                Some("declare e.g. `PreSharedKey: { type: string, secret: true, required: true }` and pass the value at build or run time"),
                            );
                        }
                        val_use(&mut cx, r, &f, v, Want::Secret, &mut used);
                    }
                    None if s.recreate && s.tunnel == Tunnel::L2tp => cx.push(
                        Severity::Warning,
                        "vpn-psk-missing",
                        &base,
                        "an L2TP connection is recreated without a pre-shared key; it will only work with certificate authentication".into(),
                        Some("add `psk: { param: PreSharedKey }` with a secret param"),
                    ),
                    None => {}
                }
                if s.tunnel == Tunnel::Pptp {
                    cx.push(
                        Severity::Warning,
                        "vpn-weak",
                        &format!("{base}.tunnel"),
                        "PPTP is obsolete and insecure".into(),
                        Some("use l2tp, sstp or ikev2"),
                    );
                }
                for (j, a) in s.authentication.iter().enumerate() {
                    if matches!(
                        a,
                        crate::model::AuthMethod::Pap | crate::model::AuthMethod::Chap
                    ) {
                        cx.push(
                            Severity::Warning,
                            "vpn-weak",
                            &format!("{base}.authentication[{j}]"),
                            "PAP and CHAP protect passwords poorly".into(),
                            Some("use mschapv2, eap or machine_certificate"),
                        );
                    }
                }
                use crate::model::{AuthMethod, Encryption};
                let weak_only = !s.authentication.is_empty()
                    && s.authentication
                        .iter()
                        .all(|a| matches!(a, AuthMethod::Pap | AuthMethod::Chap));
                if weak_only
                    && matches!(
                        s.encryption,
                        Some(Encryption::Required | Encryption::Maximum)
                    )
                {
                    cx.push(
                        Severity::Warning,
                        "vpn-auth-encryption",
                        &format!("{base}.encryption"),
                        "Windows refuses PAP and CHAP when encryption is required (they cannot derive the encryption keys): the connection cannot be created or cannot connect".into(),
                        Some("use mschapv2 or eap, or lower the encryption (not recommended)"),
                    );
                }
                for (j, a) in s.authentication.iter().enumerate() {
                    if *a == AuthMethod::MachineCertificate
                        && matches!(s.tunnel, Tunnel::L2tp | Tunnel::Pptp | Tunnel::Sstp)
                    {
                        cx.push(
                            Severity::Warning,
                            "vpn-machine-certificate",
                            &format!("{base}.authentication[{j}]"),
                            format!(
                                "machine-certificate authentication is used by IKEv2 tunnels only; a `{}` connection cannot use it, so it cannot authenticate this way",
                                tunnel_name(s.tunnel)
                            ),
                            Some("use `tunnel: ikev2`, or mschapv2/eap (L2TP's IPsec layer takes its machine certificate without this setting)"),
                        );
                    }
                }
                if matches!(
                    s.encryption,
                    Some(crate::model::Encryption::None | crate::model::Encryption::Optional)
                ) {
                    cx.push(
                        Severity::Warning,
                        "vpn-weak",
                        &format!("{base}.encryption"),
                        "the connection may carry data unencrypted".into(),
                        Some("use `encryption: required` or `maximum`"),
                    );
                }
                if !s.all_users && r.context == Context::System {
                    cx.push(
                        Severity::Warning,
                        "context-per-user",
                        &format!("{base}.all_users"),
                        "a per-user connection (`all_users: false`) in a `system` recipe is written to SYSTEM's own phonebook, where no user sees it".into(),
                        Some("use `all_users: true`, or `context: user`"),
                    );
                }
            }
            Step::WindowsUpdate(_) => {}
        }
    }

    // Params declared but not used.
    for name in r.params.keys() {
        if !used.contains(name) {
            cx.push_key(
                Severity::Error,
                "param-unused",
                &format!("params.{name}"),
                format!("param `{name}` is declared but no step uses it"),
                Some("remove it, or reference it as `{ param: Name }`"),
            );
        }
    }
    cx.out
}

fn check_registry(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    base: &str,
    s: &crate::model::RegistryStep,
    used: &mut BTreeSet<String>,
) {
    let keyf = format!("{base}.key");
    let path = match RegPath::parse(&s.key) {
        Ok(p) => Some(p),
        Err(e) => {
            cx.push(Severity::Error, "registry-path", &keyf, format!("invalid registry key: {e}"), Some(r"write the key as HIVE\path, e.g. HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent"));
            None
        }
    };
    let path = match path.as_ref().map(registry_path_limits) {
        Some(Err((code, m))) => {
            cx.err(code, &keyf, m);
            None
        }
        _ => path,
    };
    if let Some(p) = &path {
        let n = p.long().chars().count();
        if n > MAX_KEY_NAME_DOC {
            cx.push(
                Severity::Warning,
                "registry-path-long",
                &keyf,
                format!("the key path is {n} characters long; Microsoft's registry size limits give 255 characters for a key name including its absolute path (HKEY_...), and some tools refuse longer ones"),
                None,
            );
        }
    }
    if let Err(m) = registry::check_value_name(&s.name) {
        cx.err("registry-value-name", &format!("{base}.name"), m);
    } else if let Some((i, c)) = s
        .name
        .chars()
        .enumerate()
        .find(|(_, c)| (*c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}'))
    {
        cx.push(
            Severity::Error,
            "registry-value-name",
            &format!("{base}.name"),
            format!(
                "the value name contains the control character U+{:04X} at position {}; a .reg file cannot carry a line break in a name and Group Policy's Registry.xml no control character",
                c as u32,
                i + 1
            ),
            None,
        );
    }
    let vf = format!("{base}.value");
    match (s.ensure, &s.value) {
        (Ensure::Present, None) => cx.push(
            Severity::Error,
            "registry-value-missing",
            base,
            "`ensure: present` needs a `value`".into(),
            Some("add e.g. `value: { dword: 1 }`, or `ensure: absent` to delete the value"),
        ),
        (Ensure::Absent, Some(_)) => cx.push(
            Severity::Error,
            "registry-value-absent",
            &vf,
            "`ensure: absent` deletes the value, so `value` must not be given".into(),
            Some("remove `value`, or drop `ensure: absent`"),
        ),
        _ => {}
    }
    let data: Option<RegData<'_>> = s.value.as_ref().map(|v| match v {
        RegValue::String(x) => {
            let f = format!("{vf}.string");
            val_use(cx, r, &f, x, Want::RegistryText, used);
            match x {
                Val::Lit(t) => {
                    for p in uses::check_text_use(uses::Use::RegistryText, t) {
                        cx.problem(&f, p);
                    }
                    RegData::String(t)
                }
                Val::Param(_) => RegData::Param("string"),
            }
        }
        RegValue::ExpandString(x) => {
            let f = format!("{vf}.expand_string");
            val_use(cx, r, &f, x, Want::RegistryText, used);
            match x {
                Val::Lit(t) => {
                    for p in uses::check_text_use(uses::Use::RegistryText, t) {
                        cx.problem(&f, p);
                    }
                    RegData::ExpandString(t)
                }
                Val::Param(_) => RegData::Param("expand_string"),
            }
        }
        RegValue::MultiString(items) => {
            for fd in registry::check_multi_string(items, &format!("{vf}.multi_string")) {
                cx.finding(fd);
            }

            RegData::MultiString(items)
        }
        RegValue::Dword(x) => {
            val_use(cx, r, &format!("{vf}.dword"), x, Want::Unsigned(32), used);
            match x {
                Val::Lit(n) => RegData::Dword(*n),
                Val::Param(_) => RegData::Param("dword"),
            }
        }
        RegValue::Qword(x) => {
            val_use(cx, r, &format!("{vf}.qword"), x, Want::Unsigned(64), used);
            match x {
                Val::Lit(n) => RegData::Qword(*n),
                Val::Param(_) => RegData::Param("qword"),
            }
        }
        RegValue::Binary(h) => {
            if let Err(m) = registry::parse_hex(h) {
                cx.err("registry-binary", &format!("{vf}.binary"), m);
            }
            RegData::Binary(&[])
        }
    });
    let Some(path) = path else { return };
    if let Some(d) = &data {
        for fd in registry::check_catalogue(&path, &s.name, d, &vf) {
            cx.finding(fd);
        }
    }
    // Context lints.
    match (r.context, path.hive) {
        (Context::System, Hive::CurrentUser) => cx.push(
            Severity::Warning,
            "context-hkcu",
            &keyf,
            "HKCU in a `system` recipe writes SYSTEM's own profile (HKU\\S-1-5-18), not the signed-in user's".into(),
            Some("use `context: user` for per-user settings, or an HKLM policy key"),
        ),
        (Context::User, Hive::LocalMachine) => cx.push(
            Severity::Warning,
            "context-hklm-user",
            &keyf,
            "a `user` recipe runs as the signed-in user, who usually cannot write HKLM".into(),
            Some("use `context: system` for machine-wide settings"),
        ),
        _ => {}
    }
    if path.is_wow64_redirected() {
        cx.push(
            Severity::Info,
            "wow64",
            &keyf,
            format!("{} is redirected to WOW6432Node for 32-bit processes; generated scripts relaunch in 64-bit PowerShell so the 64-bit view is written", path.short()),
            None,
        );
    }
}

/// Record a param use and check it is declared and has a fitting type.
fn val_use<T>(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    field: &str,
    v: &Val<T>,
    want: Want,
    used: &mut BTreeSet<String>,
) {
    let Some(name) = v.param_name() else { return };
    let pf = format!("{field}.param");
    used.insert(name.to_string());
    let Some(p) = r.params.get(name) else {
        let known: Vec<&str> = r.params.keys().map(String::as_str).collect();
        cx.push(
            Severity::Error,
            "param-undeclared",
            &pf,
            format!("param `{name}` is not declared in `params`"),
            Some(&if known.is_empty() {
                format!("declare it: `params: {{ {name}: {{ type: string }} }}`")
            } else {
                format!("declared params: {}", known.join(", "))
            }),
        );
        return;
    };
    let ty = param_type_name(p.ty);
    let bad_type = match want {
        Want::Text | Want::Secret | Want::RegistryText => {
            !matches!(p.ty, ParamType::String | ParamType::Hostname)
        }
        Want::Host => !matches!(p.ty, ParamType::Hostname | ParamType::String),
        Want::Unsigned(_) => p.ty != ParamType::Int,
    };
    if bad_type {
        let expected = match want {
            Want::Unsigned(32) => "an `int` param (a REG_DWORD)",
            Want::Unsigned(_) => "an `int` param (a REG_QWORD)",
            Want::Host => "a `hostname` param",
            _ => "a `string` param",
        };
        cx.err(
            "param-type",
            &pf,
            format!("param `{name}` has type `{ty}`; this field expects {expected}"),
        );
        return;
    }
    bound_use(cx, r, name, p, field, want);
    match want {
        Want::Secret if !p.secret => cx.push(
            Severity::Error,
            "secret-param",
            &pf,
            format!("the pre-shared key comes from param `{name}`, which is not `secret: true`; its value could be logged or shown"),
            Some("add `secret: true` to the param"),
        ),
        Want::RegistryText | Want::Text | Want::Host if p.secret => cx.push(
            Severity::Error,
            "secret-in-clear",
            &pf,
            if want == Want::RegistryText {
                format!("secret param `{name}` would be written to the registry in clear")
            } else {
                format!("secret param `{name}` is used where its value is shown and logged")
            },
            Some("use secrets only for a VPN pre-shared key"),
        ),
        _ => {}
    }
    if want == Want::Host && p.ty == ParamType::String {
        cx.push(
            Severity::Warning,
            "param-hostname",
            &pf,
            format!("param `{name}` is a server address but has type `string`; with `hostname` its value is checked"),
            Some("declare it as `type: hostname`"),
        );
    }
}

/// Check the value a param has at build time (given with `--set`/`--values`, else its
/// default) exactly as a literal at `field` is checked.
fn bound_use(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    name: &str,
    p: &crate::model::Param,
    field: &str,
    want: Want,
) {
    let u = match want {
        Want::Text => uses::Use::VpnName,
        Want::Host => uses::Use::Host,
        Want::Secret => uses::Use::Psk,
        Want::RegistryText => uses::Use::RegistryText,
        Want::Unsigned(bits) => uses::Use::Unsigned(bits),
    };
    // A secret anywhere but the pre-shared key is already an error (`secret-in-clear`).
    if p.secret && u != uses::Use::Psk {
        return;
    }
    if let Some(text) = cx.given.values.get(name) {
        let Ok(v) = uses::parse_param_text(p.ty, text) else {
            return; // reported once, as `param-value`
        };
        for pr in uses::check_value_use(u, &v) {
            cx.at_origin(
                pr.code,
                name,
                pr.message,
                format!(
                    "the value of param `{name}` is used at {field} in recipe `{}`",
                    r.id
                ),
            );
        }
    } else if let Some(d) = &p.default {
        let typed = matches!(
            (p.ty, d),
            (
                ParamType::String | ParamType::Hostname,
                ParamValue::String(_)
            ) | (ParamType::Int, ParamValue::Int(_))
                | (ParamType::Bool, ParamValue::Bool(_))
        );
        if typed {
            for pr in uses::check_value_use(u, d) {
                cx.problem(&format!("params.{name}.default"), pr);
            }
        }
    }
}

/// The documented 255-character key name (see [`registry_path_limits`]).
const MAX_KEY_NAME_DOC: usize = 255;

/// Longest key path, in UTF-16 code units of its long form (`HKEY_...\...`): the kernel takes
/// a key path as a UNICODE_STRING of at most 32,767 code units, which also holds the native
/// root (`\REGISTRY\USER\<SID>_Classes\` for HKCU classes, up to about 200 characters), so
/// 255 are kept for it.
pub const MAX_KEY_PATH: usize = 32_767 - 255;

/// Limits of a parsed key beyond its syntax: no `.` or `..` segment (PowerShell's registry
/// provider resolves them as parent and current key, a .reg file and the registry API take
/// them as names, so the targets would write different keys) and the whole path within
/// [`MAX_KEY_PATH`].
fn registry_path_limits(p: &RegPath) -> Result<(), (&'static str, String)> {
    for (i, seg) in p.subkey.split('\\').enumerate() {
        if seg == "." || seg == ".." {
            return Err((
                "registry-path",
                format!("invalid registry key: segment {} of the key path is `{seg}`; PowerShell would read it as a relative path (the key or its parent) while a .reg file creates a key with that name", i + 1),
            ));
        }
    }
    let n: usize = p.long().encode_utf16().count();
    if n > MAX_KEY_PATH {
        return Err((
            "registry-path",
            format!("invalid registry key: the key path is {n} UTF-16 code units long; Windows takes at most {MAX_KEY_PATH} (a UNICODE_STRING of 32,767 with room for the native root)"),
        ));
    }
    Ok(())
}

fn param_type_name(t: ParamType) -> &'static str {
    match t {
        ParamType::String => "string",
        ParamType::Hostname => "hostname",
        ParamType::Int => "int",
        ParamType::Bool => "bool",
    }
}

fn param_type_expect(t: ParamType) -> &'static str {
    match t {
        ParamType::String => "text",
        ParamType::Hostname => "a host name or IP address as text",
        ParamType::Int => "a whole number",
        ParamType::Bool => "true or false",
    }
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmpv4 => "icmpv4",
        Protocol::Icmpv6 => "icmpv6",
        Protocol::Any => "any",
    }
}

fn tunnel_name(t: Tunnel) -> &'static str {
    match t {
        Tunnel::L2tp => "l2tp",
        Tunnel::Pptp => "pptp",
        Tunnel::Sstp => "sstp",
        Tunnel::Ikev2 => "ikev2",
        Tunnel::Automatic => "automatic",
    }
}

/// Bundle-level rules for an assembled bundle (manifest fields, recipe list vs recipes,
/// duplicate ids), plus every recipe's own rules.
pub fn validate_bundle(b: &Bundle) -> Vec<Diagnostic> {
    let parsed = Parsed {
        manifest: if b.manifest_source.text.is_empty() {
            None
        } else {
            Some((b.manifest.clone(), b.manifest_source.clone()))
        },
        has_manifest: !b.manifest_source.text.is_empty(),
        recipes: b.recipes.clone(),
        failed: Vec::new(),
        partial: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut out: Vec<Diagnostic> = b.recipes.iter().flat_map(validate_recipe).collect();
    out.extend(validate_bundle_parts(&parsed));
    diag::sort(&mut out);
    out
}

fn validate_bundle_parts(p: &Parsed) -> Vec<Diagnostic> {
    let mut out = cross::check(p);
    // Duplicate recipe ids across files.
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &p.recipes {
        if let Some(first) = ids.insert(&r.recipe.id, &r.source.path) {
            let mut cx = Ctx::new(&r.source);
            cx.push(
                Severity::Error,
                "recipe-id-duplicate",
                "id",
                format!(
                    "recipe id `{}` is already used by {first}; ids must be unique in a bundle",
                    r.recipe.id
                ),
                None,
            );
            out.extend(cx.out);
            ids.insert(&r.recipe.id, first);
        }
    }
    // Firewall rule ids across recipes.
    let mut fw: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in &p.recipes {
        for (i, s) in r.recipe.steps.iter().enumerate() {
            if let Step::Firewall(f) = s {
                let key = f.id.to_ascii_lowercase();
                match fw.get(&key) {
                    Some((file, _)) if *file != r.source.path => {
                        let mut cx = Ctx::new(&r.source);
                        cx.err("firewall-id-duplicate", &format!("steps[{i}].firewall.id"), format!("firewall rule id `{}` is also used in {file}; each rule needs its own id", f.id));
                        out.extend(cx.out);
                    }
                    Some(_) => {}
                    None => {
                        fw.insert(key, (r.source.path.clone(), f.id.clone()));
                    }
                }
            }
        }
    }
    if p.manifest.is_none() && p.recipes.len() > MAX_RECIPES {
        if let Some(r) = p.recipes.get(MAX_RECIPES) {
            let mut cx = Ctx::new(&r.source);
            cx.err(
                "limit-recipes",
                "id",
                format!("{} recipes were given; a bundle holds at most {MAX_RECIPES} (this is number {})", p.recipes.len(), MAX_RECIPES + 1),
            );
            out.extend(cx.out);
        }
    }
    let Some((m, src)) = &p.manifest else {
        return out;
    };
    let mut cx = Ctx::new(src);
    if m.recipes.len() > MAX_RECIPES {
        cx.err(
            "limit-recipes",
            &format!("recipes[{MAX_RECIPES}]"),
            format!(
                "bundle.yaml lists {} recipes; a bundle holds at most {MAX_RECIPES} (this is number {})",
                m.recipes.len(),
                MAX_RECIPES + 1
            ),
        );
    }
    if let Err(e) = names::check_pascal_noun(&m.name) {
        cx.err("bundle-name", "name", e);
    }
    if let Err(e) = names::check_semver(&m.version) {
        cx.err("bundle-version", "version", e);
    }
    for (f, v) in [
        ("title", &m.title),
        ("description", &m.description),
        ("publisher", &m.publisher),
    ] {
        if v.trim().is_empty() {
            cx.err("empty-text", f, format!("`{f}` is empty"));
        }
    }
    if let Some(u) = m.source.as_ref().and_then(|s| s.url.as_ref()) {
        if let Err(e) = names::check_https_url(u) {
            cx.err("reference-url", "source.url", e);
        }
    }
    if m.recipes.is_empty() {
        cx.err(
            "bundle-recipes",
            "recipes",
            "expected at least one recipe id".into(),
        );
    }
    let present: BTreeSet<&str> = p
        .recipes
        .iter()
        .map(|r| r.recipe.id.as_str())
        .chain(p.failed.iter().map(|s| file_stem(&s.path)))
        .collect();
    let mut listed = BTreeSet::new();
    for (i, id) in m.recipes.iter().enumerate() {
        let f = format!("recipes[{i}]");
        if !listed.insert(id.as_str()) {
            cx.err(
                "bundle-recipe-duplicate",
                &f,
                format!("recipe `{id}` is listed twice"),
            );
        } else if !present.contains(id.as_str()) {
            cx.push(
                Severity::Error,
                "bundle-recipe-missing",
                &f,
                format!("recipe `{id}` is listed but there is no recipe with this id next to bundle.yaml"),
                Some("add the file `<id>.yaml` or remove the entry"),
            );
        }
    }
    out.extend(cx.out);
    for r in &p.recipes {
        if !listed.contains(r.recipe.id.as_str()) {
            let mut rc = Ctx::new(&r.source);
            rc.push(
                Severity::Error,
                "bundle-recipe-unlisted",
                "id",
                format!("recipe `{}` is not listed in bundle.yaml's `recipes`, so it would never run", r.recipe.id),
                Some("add its id to `recipes` in bundle.yaml, or move the file out of the bundle folder"),
            );
            out.extend(rc.out);
        }
    }
    out
}

/// Parse and validate a bundle: one `bundle.yaml` source and recipe sources (or recipes alone:
/// an implicit bundle). `Ok` only when there is no error; recipes in the manifest's order.
pub fn parse_bundle(sources: Vec<SourceFile>) -> Result<Bundle, Vec<Diagnostic>> {
    check(Inputs::from_sources(sources)).into_bundle()
}

/// Read, parse and validate the files and folders in `paths` (see the module docs).
pub fn load_paths(paths: &[std::path::PathBuf]) -> Result<Bundle, Vec<Diagnostic>> {
    check(load::read_paths(paths)?).into_bundle()
}

/// The embedded L2TP bundle, parsed and validated.
pub fn embedded_bundle() -> Result<Bundle, Vec<Diagnostic>> {
    parse_bundle(load::embedded_sources())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_bundle_has_no_findings_at_all() {
        let b = crate::validate::embedded_bundle().expect("valid");
        assert_eq!(b.recipes.len(), 6);
        assert_eq!(validate_bundle(&b), Vec::<Diagnostic>::new());
        let r = check(Inputs::embedded());
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    }

    #[test]
    fn load_paths_reads_the_bundle_folder_in_manifest_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/l2tp");
        let b = crate::validate::load_paths(&[dir]).expect("valid");
        let ids: Vec<&str> = b.recipes.iter().map(|r| r.recipe.id.as_str()).collect();
        assert_eq!(
            ids,
            b.manifest
                .recipes
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        assert!(b.manifest_source.path.ends_with("bundle.yaml"));
    }

    #[test]
    fn parse_bundle_refuses_a_recipe_with_an_error() {
        let mut sources = crate::load::embedded_sources();
        for s in &mut sources {
            if s.path.ends_with("nat-traversal.yaml") {
                s.text = s.text.replace("dword: 2", "dword: 7");
            }
        }
        let errs = crate::validate::parse_bundle(sources).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, "registry-known-value");
        assert_eq!(errs[0].field, "steps[0].registry.value.dword");
    }

    #[test]
    fn pascal_names_for_implicit_bundles() {
        assert_eq!(pascal_from("my-fixes_2"), "MyFixes2");
        assert_eq!(pascal_from("2fast"), "Fast");
        assert_eq!(pascal_from("--"), "");
    }
}
