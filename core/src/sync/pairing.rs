//! The codes a person moves between devices: an invitation (`ONWARD2-…`, one-time, it
//! expires) and a recovery kit (`ONWARDKIT1-…`), each a secret, a journal id and a relay
//! address as QR-friendly text (docs/SYNC.md, "Invitations", "Recovery kit"). Every
//! way a code can be wrong is refused here, before anything is changed; so is a relay
//! address that would send the journal's traffic in the clear.

use crate::{Error, Result};
use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};

const CHECK_LEN: usize = 4;
const JOURNAL_ID_LEN: usize = 16;

/// The kinds of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Invitation,
    RecoveryKit,
}

impl CodeKind {
    fn prefix(self) -> &'static str {
        match self {
            CodeKind::Invitation => "ONWARD2-",
            CodeKind::RecoveryKit => "ONWARDKIT1-",
        }
    }

    fn secret_len(self) -> usize {
        match self {
            CodeKind::Invitation => 16,
            CodeKind::RecoveryKit => 32,
        }
    }

    fn error(self, reason: String) -> Error {
        match self {
            CodeKind::Invitation => Error::PairingCode { reason },
            CodeKind::RecoveryKit => Error::RecoveryKit { reason },
        }
    }
}

/// What a code carries.
#[derive(Clone, PartialEq, Eq)]
pub struct Code {
    pub kind: CodeKind,
    pub secret: Vec<u8>,
    /// The journal id (32 hex characters).
    pub journal_id: String,
    pub relay_url: String,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("kind", &self.kind)
            .field("journal_id", &self.journal_id)
            .field("relay_url", &self.relay_url)
            .finish_non_exhaustive()
    }
}

/// The text of `code`: its prefix and upper-case base32 without padding of
/// `secret || journal id || relay URL || check`.
pub fn encode(code: &Code) -> String {
    let mut bytes = code.secret.clone();
    bytes.extend_from_slice(&hex::decode(&code.journal_id).expect("journal ids are hex"));
    bytes.extend_from_slice(code.relay_url.as_bytes());
    let check = check_of(&bytes);
    bytes.extend_from_slice(&check);
    format!("{}{}", code.kind.prefix(), BASE32_NOPAD.encode(&bytes))
}

/// Reads a code of `kind` as typed, pasted or read aloud: spaces, line breaks, dashes
/// after the prefix and letter case do not matter.
pub fn decode(kind: CodeKind, text: &str) -> Result<Code> {
    let wrong = |reason: &str| kind.error(reason.to_string());
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let prefix = kind.prefix();
    let Some(body) = compact.strip_prefix(prefix) else {
        if compact.starts_with("ONWARD1-") {
            return Err(wrong(
                "it is a pairing code of an earlier Onward; ask a device that syncs for a new invitation",
            ));
        }
        return Err(wrong(&format!("it should start with {prefix}")));
    };
    let body: String = body.chars().filter(|&c| c != '-').collect();
    if let Some(bad) = body
        .chars()
        .find(|c| !BASE32_NOPAD.specification().symbols.contains(*c))
    {
        return Err(wrong(&format!(
            "it holds a character that can't be in one ({bad:?})"
        )));
    }
    let bytes = BASE32_NOPAD
        .decode(body.as_bytes())
        .map_err(|_| wrong("it is cut short or has a character too many"))?;
    let fixed = kind.secret_len() + JOURNAL_ID_LEN;
    if bytes.len() < fixed + CHECK_LEN + "http://x".len() {
        return Err(wrong("it is too short; part of it is missing"));
    }
    let (content, check) = bytes.split_at(bytes.len() - CHECK_LEN);
    if check_of(content) != check {
        return Err(wrong("a character is wrong or missing"));
    }
    let (secret, rest) = content.split_at(kind.secret_len());
    let (journal, url) = rest.split_at(JOURNAL_ID_LEN);
    let url = std::str::from_utf8(url).map_err(|_| wrong("its relay address isn't text"))?;
    // The code's address was checked when it was made; a code is not the place to
    // refuse plain HTTP again (the device that made it was allowed to).
    let relay_url = relay_url(url, true).map_err(|e| match e {
        Error::Invalid { reason, .. } => wrong(&format!("its relay address {reason}")),
        other => other,
    })?;
    Ok(Code {
        kind,
        secret: secret.to_vec(),
        journal_id: hex::encode(journal),
        relay_url,
    })
}

/// Checks a relay address: `https://` with a host, or `http://` to this machine
/// (loopback) or when `allow_plain_http` says so. Returns it without a trailing slash.
pub fn relay_url(url: &str, allow_plain_http: bool) -> Result<String> {
    let invalid = |reason: &str| Error::invalid("relay", reason);
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        invalid(&format!(
            "isn't a web address ({e}), such as https://relay.example.org"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("should start with https://"));
    }
    let Some(host) = parsed.host() else {
        return Err(invalid("has no host name"));
    };
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host name"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("should not have a ? or # part"));
    }
    if parsed.scheme() == "http" && !allow_plain_http && !is_loopback(&host) {
        return Err(Error::PlainHttp {
            url: trimmed.to_string(),
        });
    }
    Ok(trimmed.to_string())
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn check_of(content: &[u8]) -> [u8; CHECK_LEN] {
    let digest = Sha256::digest(content);
    [digest[0], digest[1], digest[2], digest[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation() -> Code {
        Code {
            kind: CodeKind::Invitation,
            secret: vec![7; 16],
            journal_id: "0123456789abcdef0123456789abcdef".into(),
            relay_url: "https://relay.example.org".into(),
        }
    }

    fn refused(code: &str) -> String {
        match decode(CodeKind::Invitation, code) {
            Err(e @ Error::PairingCode { .. }) => e.to_string(),
            other => panic!("{code} was not refused as an invitation: {other:?}"),
        }
    }

    #[test]
    fn a_code_round_trips_and_is_qr_alphanumeric() {
        let code = encode(&invitation());
        assert!(code.starts_with("ONWARD2-"));
        let qr_alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        assert!(code.chars().all(|c| qr_alphanumeric.contains(c)), "{code}");
        assert_eq!(decode(CodeKind::Invitation, &code).unwrap(), invitation());
        let kit = Code {
            kind: CodeKind::RecoveryKit,
            secret: vec![3; 32],
            ..invitation()
        };
        let text = encode(&kit);
        assert!(text.starts_with("ONWARDKIT1-"));
        assert_eq!(decode(CodeKind::RecoveryKit, &text).unwrap(), kit);
        assert!(decode(CodeKind::Invitation, &text).is_err());
    }

    #[test]
    fn case_spaces_line_breaks_and_dashes_do_not_matter() {
        let code = encode(&invitation());
        let body = &code["ONWARD2-".len()..];
        let grouped: Vec<String> = body
            .as_bytes()
            .chunks(5)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let typed = format!("  onward2-{}\n", grouped.join("-").to_lowercase());
        assert_eq!(decode(CodeKind::Invitation, &typed).unwrap(), invitation());
        let pasted = format!("ONWARD2-\n{}", grouped.join(" \n"));
        assert_eq!(decode(CodeKind::Invitation, &pasted).unwrap(), invitation());
    }

    #[test]
    fn every_flipped_character_and_every_cut_is_refused() {
        let code = encode(&invitation());
        for i in "ONWARD2-".len()..code.len() {
            let mut chars: Vec<char> = code.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            refused(&chars.into_iter().collect::<String>());
        }
        for cut in [1, 2, 5, 8, 20, code.len() - "ONWARD2-".len()] {
            refused(&code[..code.len() - cut]);
        }
    }

    #[test]
    fn an_old_pairing_code_or_a_wrong_prefix_is_refused_by_name() {
        let code = encode(&invitation());
        let body = &code["ONWARD2-".len()..];
        assert!(refused(&format!("ONWARD1-{body}")).contains("earlier Onward"));
        assert!(refused(body).contains("ONWARD2-"));
        refused("");
    }

    #[test]
    fn plain_http_is_refused_except_to_this_machine_or_when_allowed() {
        assert_eq!(
            relay_url(" http://127.0.0.1:8080/ ", false).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(relay_url("http://[::1]:9000", false).is_ok());
        assert!(relay_url("http://localhost:9000", false).is_ok());
        let err = relay_url("http://relay.example.org", false).unwrap_err();
        assert!(matches!(err, Error::PlainHttp { .. }), "{err}");
        assert!(relay_url("http://relay.example.org", true).is_ok());
        assert!(relay_url("https://relay.example.org/onward", false).is_ok());
        for bad in ["", "localhost", "mailto:me@example.org", "https://x/?a=b"] {
            assert!(relay_url(bad, true).is_err(), "{bad}");
        }
    }
}
