//! The Group Policy file formats: XML text, Registry.xml items (Preferences), Registry.pol
//! (PReg), psscripts.ini.

use super::*;
use crate::regfile::{kind, utf16le};

pub(crate) use crate::escape::xml_attr;

/// XML element text: like [`xml_attr`].
pub(crate) fn xml_text(s: &str) -> Result<String, String> {
    xml_attr(s)
}

/// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` from a SHA-256 of `parts` (RFC 9562 version 8
/// layout): the same content gives the same uid on every machine.
pub(crate) fn content_guid(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"fixgen GPP registry item\0");
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode_upper(b);
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// `YYYY-MM-DD HH:MM:SS` (UTC), GPP's `changed` format.
pub(crate) fn gpp_timestamp(epoch: i64) -> Result<String, String> {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .map_err(|e| format!("SOURCE_DATE_EPOCH {epoch} is out of range: {e}"))?;
    Ok(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// GPP's `type` and `value` for data: DWORD and QWORD as upper-case hex digits (8 and 16),
/// binary as lower-case hex digits without separators, strings as they are; a multi-string's
/// `value` is its items joined by spaces (the items themselves go in `<Values>`).
fn gpp_type_value(d: &RegData) -> Result<(&'static str, String), String> {
    Ok(match d {
        RegData::Sz(s) => ("REG_SZ", s.clone()),
        RegData::ExpandSz(s) => ("REG_EXPAND_SZ", s.clone()),
        RegData::MultiSz(items) => ("REG_MULTI_SZ", items.join(" ")),
        RegData::Dword(v) => ("REG_DWORD", format!("{v:08X}")),
        RegData::Qword(v) => ("REG_QWORD", format!("{v:016X}")),
        RegData::Binary(b) => ("REG_BINARY", hex::encode(b)),
        RegData::Raw { kind, .. } => {
            return Err(format!(
                "Group Policy Preferences cannot write a value of type {}",
                crate::regfile::kind::name(*kind)
            ))
        }
    })
}

/// GPMC's icon index for an item: string kinds 5-8, numbers 10-13, binary 15-18, plus the
/// action (Create 0, Replace 1, Update 2, Delete 3).
fn gpp_image(d: Option<&RegData>) -> u32 {
    match d {
        None => 8,
        Some(RegData::Dword(_) | RegData::Qword(_)) => 12,
        Some(RegData::Binary(_)) => 17,
        Some(_) => 7,
    }
}

/// One `<Registry>` element.
pub(super) fn registry_item(
    rc: &RecipeChanges,
    c: &RegChange,
    opts: &GpoOptions,
) -> Result<String, String> {
    let shown = if c.name.is_empty() {
        "(Default)".to_string()
    } else {
        c.name.clone()
    };
    let (action, ty, value) = match &c.data {
        Some(d) => {
            let (t, v) = gpp_type_value(d)?;
            ("U", t, v)
        }
        None => ("D", "REG_SZ", String::new()),
    };
    let uid = content_guid(&[
        rc.recipe_id.as_bytes(),
        c.step.to_string().as_bytes(),
        c.path.hive.long_name().as_bytes(),
        c.path.subkey.as_bytes(),
        c.name.as_bytes(),
        action.as_bytes(),
        ty.as_bytes(),
        &c.data.as_ref().map(RegData::to_bytes).unwrap_or_default(),
    ]);
    let desc = match &c.origin {
        Origin::Registry => format!("fixgen {} steps[{}]: {}", rc.recipe_id, c.step, rc.title),
        Origin::ServiceStartup { service, .. } => format!(
            "fixgen {} steps[{}]: startup type of service {service}; takes effect after a restart",
            rc.recipe_id, c.step
        ),
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "\t<Registry clsid=\"{REGISTRY_ITEM_CLSID}\" name=\"{}\" status=\"{}\" image=\"{}\"",
        xml_attr(&shown)?,
        xml_attr(&shown)?,
        gpp_image(c.data.as_ref())
    );
    if let Some(epoch) = opts.source_date_epoch {
        let _ = write!(s, " changed=\"{}\"", gpp_timestamp(epoch)?);
    }
    let _ = write!(
        s,
        " uid=\"{uid}\" desc=\"{}\" bypassErrors=\"1\"",
        xml_attr(&desc)?
    );
    if remove_policy(c) {
        s.push_str(" removePolicy=\"1\"");
    }
    s.push('>');
    let decimal = matches!(c.data, Some(RegData::Dword(_) | RegData::Qword(_)));
    let _ = write!(
        s,
        "<Properties action=\"{action}\" displayDecimal=\"{}\" default=\"{}\" hive=\"{}\" key=\"{}\" name=\"{}\" type=\"{ty}\" value=\"{}\"",
        u8::from(decimal),
        u8::from(c.name.is_empty()),
        c.path.hive.long_name(),
        xml_attr(&c.path.subkey)?,
        xml_attr(&c.name)?,
        xml_attr(&value)?
    );
    match &c.data {
        Some(RegData::MultiSz(items)) => {
            s.push_str("><Values>");
            for it in items {
                let _ = write!(s, "<Value>{}</Value>", xml_text(it)?);
            }
            s.push_str("</Values></Properties></Registry>");
        }
        _ => s.push_str("/></Registry>"),
    }
    Ok(s)
}

/// Whether an item carries `removePolicy="1"` (GPMC: "Remove this item when it is no longer
/// applied"): the client deletes the value when the GPO stops applying. fixgen's default:
/// yes for a value a recipe sets (the setting goes away with the GPO, as a Registry.pol value
/// under a Policies key does); no for a service's startup type (deleting `Start` would leave
/// the service without a start type) and no for a Delete item (nothing to remove).
fn remove_policy(c: &RegChange) -> bool {
    c.data.is_some() && matches!(c.origin, Origin::Registry)
}

/// A whole `Registry.xml`: UTF-8 without BOM, CRLF, one item per line.
pub(super) fn registry_xml(items: &[String]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n");
    let _ = write!(
        s,
        "<RegistrySettings clsid=\"{REGISTRY_SETTINGS_CLSID}\">\r\n"
    );
    for it in items {
        s.push_str(it);
        s.push_str("\r\n");
    }
    s.push_str("</RegistrySettings>\r\n");
    s.into_bytes()
}

/// One PReg record: `[key;name;type;size;data]`, brackets and semicolons UTF-16LE, key and
/// name UTF-16LE with a terminating NUL, type and size u32 little-endian.
fn pol_record(out: &mut Vec<u8>, key: &str, name: &str, kind: u32, data: &[u8]) {
    let ch = |c: char| utf16le(&c.to_string());
    out.extend(ch('['));
    out.extend(utf16le(key));
    out.extend([0, 0]);
    out.extend(ch(';'));
    out.extend(utf16le(name));
    out.extend([0, 0]);
    out.extend(ch(';'));
    out.extend(kind.to_le_bytes());
    out.extend(ch(';'));
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(ch(';'));
    out.extend(data);
    out.extend(ch(']'));
}

/// `Registry.pol` for one hive's changes (the file's folder decides the hive).
pub(crate) fn registry_pol(changes: &[&RegChange]) -> Vec<u8> {
    let mut out = Vec::from(*b"PReg");
    out.extend(1u32.to_le_bytes());
    for c in changes {
        match &c.data {
            Some(d) => pol_record(&mut out, &c.path.subkey, &c.name, d.kind(), &d.to_bytes()),
            // Deleting a value: `**del.<name>`, data a single space (what gpedit writes).
            None => pol_record(
                &mut out,
                &c.path.subkey,
                &format!("**del.{}", c.name),
                kind::REG_SZ,
                &RegData::Sz(" ".into()).to_bytes(),
            ),
        }
    }
    out
}

/// `psscripts.ini`: UTF-16LE with BOM, CRLF, one startup script without parameters.
pub(crate) fn psscripts_ini(script: &str) -> Vec<u8> {
    let text = format!("\r\n[Startup]\r\n0CmdLine={script}\r\n0Parameters=\r\n");
    let mut out = vec![0xff, 0xfe];
    out.extend(utf16le(&text));
    out
}
