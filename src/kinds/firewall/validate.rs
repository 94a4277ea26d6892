//! A firewall step: its rules in the validator (`validate::kinds::firewall`, mounted by `src/validate/mod.rs`).

use super::super::*;
use crate::validate::writes::ValueSet;

/// A firewall rule: its id (unique in the recipe), display name, ports and profiles.
pub(in crate::validate) fn check(
    cx: &mut Ctx<'_>,
    _r: &Recipe,
    base: &str,
    s: &crate::model::FirewallStep,
    steps: &mut Steps,
) {
    let fw_ids = &mut steps.fw_ids;
    let idf = format!("{base}.id");
    if let Err(m) = names::check_firewall_id(&s.id) {
        cx.err("firewall-id", &idf, m);
    } else if let Some(prev) = fw_ids.insert(s.id.to_ascii_lowercase(), idf.clone()) {
        cx.err(
            "firewall-id-duplicate",
            &idf,
            format!(
                "firewall rule id `{}` is already used at {prev}; each rule needs its own id",
                s.id
            ),
        );
    }
    if s.display_name.trim().is_empty() {
        cx.err(
            "empty-text",
            &format!("{base}.display_name"),
            "`display_name` is empty; expected the name shown in the firewall console".into(),
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
                    s.protocol.name()
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
            base,
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

/// The rule's free texts and their limits, for `recipe::texts`.
pub(in crate::validate) fn texts<'r>(
    i: usize,
    f: &'r crate::model::FirewallStep,
    texts: &mut Vec<(String, &'r str, usize)>,
) {
    texts.push((
        format!("steps[{i}].firewall.display_name"),
        &f.display_name,
        MAX_DISPLAY_NAME,
    ));
    if let Some(d) = &f.description {
        texts.push((format!("steps[{i}].firewall.description"), d, MAX_TEXT));
    }
}

/// A firewall rule id used by two recipes (`duplicate_ids`; in one recipe: [`check`]).
pub(in crate::validate) fn ids_across_recipes(p: &Parsed, out: &mut Vec<Diagnostic>) {
    let mut fw: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in &p.recipes {
        for (i, s) in r.recipe.steps.iter().enumerate() {
            if let Step::Firewall(f) = s {
                let key = f.id.to_ascii_lowercase();
                match fw.get(&key) {
                    Some((file, _)) if *file != r.source.path => {
                        let mut cx = Ctx::new(&r.source, &r.index);
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
}

/// A firewall rule writes no registry value (`cross::changes`).
pub(in crate::validate) fn value_sets(_i: usize, _s: &crate::model::FirewallStep) -> Vec<ValueSet> {
    Vec::new()
}
