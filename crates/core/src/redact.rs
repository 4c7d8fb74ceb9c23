//! How a secret looks when it must be mentioned: one redaction for every message (`admin-key
//! status`, settings errors, text a server or a file echoes back), so a key is recognisable
//! and never usable.

/// `sk-admin-…wxyz`: the prefix up to the last dash of the kind (`sk-admin-`, `sk-proj-`,
/// `sk-`) and the last four characters; `(hidden)` for anything too short to show any of it.
pub fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 16 {
        return "(hidden)".into();
    }
    let prefix = ["sk-admin-", "sk-proj-", "sk-svcacct-", "sk-"]
        .into_iter()
        .find(|p| key.starts_with(p))
        .unwrap_or("");
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

/// Replaces everything shaped like an OpenAI secret key (`sk-` and at least 8 more key
/// characters) with its redaction.
pub fn scrub(text: &str) -> String {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("sk-") {
        let preceded = rest[..i].chars().next_back().is_some_and(is_key_char);
        out.push_str(&rest[..i]);
        let len = rest[i..]
            .find(|c: char| !is_key_char(c))
            .unwrap_or(rest.len() - i);
        let token = &rest[i..i + len];
        if !preceded && len >= 11 {
            out.push_str(&redact(token));
        } else {
            out.push_str(token);
        }
        rest = &rest[i + len..];
    }
    out.push_str(rest);
    out
}

/// A TOML parse error as a person reads it: `line N, column M: ` and the message, scrubbed of
/// anything shaped like a key; with `quote`, the line's text (scrubbed) follows its number, for
/// files that hold no secrets (a price file).
pub fn toml_error_quoting(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
    quote: bool,
) -> String {
    let place = span.map(|s| {
        let before = &text[..s.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let shown = text
            .lines()
            .nth(line - 1)
            .filter(|_| quote)
            .map(|l| format!(" `{}`", scrub(l.trim())))
            .unwrap_or_default();
        format!("line {line}{shown}, column {column}: ")
    });
    format!("{}{}", place.unwrap_or_default(), scrub(message.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_the_kind_and_last_four() {
        assert_eq!(redact("sk-admin-demo-0000000000000000"), "sk-admin-…0000");
        assert_eq!(redact("sk-proj-abcdefghijklmnop"), "sk-proj-…mnop");
        assert_eq!(redact("short"), "(hidden)");
    }

    #[test]
    fn scrub_hides_every_key_shaped_token() {
        let text = "admin_key = \"sk-admin-TOPSECRET-5f0c9a7e1b\" and sk-proj-abcdefghijklmnop.";
        let s = scrub(text);
        assert!(!s.contains("TOPSECRET") && !s.contains("abcdefgh"), "{s}");
        assert!(
            s.contains("sk-admin-…7e1b") && s.contains("sk-proj-…mnop."),
            "{s}"
        );
        assert_eq!(scrub("risk-free desk-top sk-x"), "risk-free desk-top sk-x");
    }
}
