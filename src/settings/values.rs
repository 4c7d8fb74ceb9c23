//! The rules one setting's text must meet, whatever its source, and the key ids (which come
//! as a repeated flag, a comma-separated variable or a TOML list).

use super::file::value_text;
use super::{Key, Layers, Origin, SettingsError, defs, invalid, redact};

/// Parses a positive finite number.
pub(super) fn positive(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// `proj_` followed by letters, digits, `_` or `-`.
pub fn is_project_id(s: &str) -> bool {
    s.strip_prefix("proj_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// `key_` followed by letters, digits, `_` or `-`.
pub fn is_key_id(s: &str) -> bool {
    s.strip_prefix("key_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// An http(s) URL with a host, trailing slashes dropped; `http://` only to a loopback host.
pub(super) fn base_url(text: &str) -> Option<String> {
    let u = url::Url::parse(text).ok()?;
    let loopback = match u.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    let ok = u.scheme() == "https" || (u.scheme() == "http" && loopback);
    ok.then(|| text.trim_end_matches('/').to_owned())
}

pub(super) fn resolve_key_ids(layers: &Layers) -> Result<Vec<String>, SettingsError> {
    resolve_ids(
        layers,
        Key::ApiKeyIds,
        "a list of ids such as [\"key_abc123\"]",
        is_key_id,
    )
}

/// The tracked projects (`--project-id`, `USAGE_TRACKER_PROJECT_ID`, `project_ids`).
pub(super) fn resolve_project_ids(layers: &Layers) -> Result<Vec<String>, SettingsError> {
    resolve_ids(
        layers,
        Key::ProjectIds,
        "a list of ids such as [\"proj_abc123\"]",
        is_project_id,
    )
}

/// A list of ids: a repeated flag, a comma-separated variable or a TOML list, each id checked
/// by `valid`, duplicates dropped.
fn resolve_ids(
    layers: &Layers,
    key: Key,
    list_example: &str,
    valid: fn(&str) -> bool,
) -> Result<Vec<String>, SettingsError> {
    let d = defs::def(key);
    let (flag, env, file) = (
        d.flag.expect("an id list has a flag"),
        d.env.expect("an id list has a variable"),
        d.file.expect("an id list has a file key"),
    );
    let flags = layers.opts.all(key);
    let (ids, origin): (Vec<String>, Origin) = if !d.used_by(layers.scope) {
        return Ok(Vec::new());
    } else if !flags.is_empty() {
        (flags.to_vec(), Origin::Flag(flag))
    } else if let Some((text, origin)) = layers.env_or_dotenv(env) {
        let ids = text
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        (ids, origin)
    } else if let Some((value, path)) = layers.file.get(file) {
        let origin = Origin::SettingsFile {
            path: path.to_owned(),
            key: file,
        };
        let ids = value.as_array().and_then(|a| {
            a.iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        });
        match ids {
            Some(ids) => (ids, origin),
            None => {
                return Err(invalid(d.name, &value_text(value), origin, list_example));
            }
        }
    } else {
        return Ok(Vec::new());
    };
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = id.trim().to_owned();
        if !valid(&id) {
            let mut err = invalid(d.name, &id, origin, d.expected);
            if id.starts_with("sk-") {
                // Somebody pasted a secret key: do not print it back.
                if let SettingsError::Invalid { value, .. } = &mut err {
                    *value = format!("{} (a secret key)", redact::redact(&id));
                }
            }
            return Err(err);
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}
