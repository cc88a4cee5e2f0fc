//! The pairing code: a journal's root secret and relay address as QR-friendly text
//! (docs/SYNC.md, "Pairing code"). Every way a code can be wrong is refused here,
//! before anything is changed.

use super::keys::{RootSecret, SECRET_LEN};
use crate::{Error, Result};
use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};

const PREFIX: &str = "ONWARD1-";
const CHECK_LEN: usize = 4;

/// What a pairing code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    pub secret: RootSecret,
    pub relay_url: String,
}

/// The code for `pairing`: `ONWARD1-` and upper-case base32 without padding.
pub fn encode(pairing: &Pairing) -> String {
    let mut bytes = pairing.secret.as_bytes().to_vec();
    bytes.extend_from_slice(pairing.relay_url.as_bytes());
    let check = check_of(&bytes);
    bytes.extend_from_slice(&check);
    format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes))
}

/// Reads a code as typed, pasted or read aloud: spaces, line breaks, dashes after the
/// prefix and letter case do not matter.
pub fn decode(code: &str) -> Result<Pairing> {
    let wrong = |reason: &str| Error::PairingCode {
        reason: reason.to_string(),
    };
    let compact: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let body = compact
        .strip_prefix(PREFIX)
        .ok_or_else(|| wrong("it should start with ONWARD1-"))?;
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
    if bytes.len() < SECRET_LEN + CHECK_LEN + "http://x".len() {
        return Err(wrong("it is too short; part of it is missing"));
    }
    let (content, check) = bytes.split_at(bytes.len() - CHECK_LEN);
    if check_of(content) != check {
        return Err(wrong("a character is wrong or missing"));
    }
    let (secret, url) = content.split_at(SECRET_LEN);
    let url = std::str::from_utf8(url).map_err(|_| wrong("its relay address isn't text"))?;
    let relay_url = relay_url(url).map_err(|e| match e {
        Error::Invalid { reason, .. } => wrong(&format!("its relay address {reason}")),
        other => other,
    })?;
    Ok(Pairing {
        secret: RootSecret::from_bytes(secret)?,
        relay_url,
    })
}

/// Checks a relay address: `http://` or `https://` with a host. Returns it without a
/// trailing slash, as it is stored and sent in pairing codes.
pub fn relay_url(url: &str) -> Result<String> {
    let invalid = |reason: &str| Error::invalid("relay", reason);
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        invalid(&format!(
            "isn't a web address ({e}), such as https://relay.example.org"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("should start with http:// or https://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host name"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("should not have a ? or # part"));
    }
    Ok(trimmed.to_string())
}

fn check_of(content: &[u8]) -> [u8; CHECK_LEN] {
    let digest = Sha256::digest(content);
    [digest[0], digest[1], digest[2], digest[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing() -> Pairing {
        Pairing {
            secret: RootSecret::from_bytes(&[7; 32]).unwrap(),
            relay_url: "https://relay.example.org".into(),
        }
    }

    fn refused(code: &str) -> String {
        match decode(code) {
            Err(e @ Error::PairingCode { .. }) => e.to_string(),
            other => panic!("{code} was not refused as a pairing code: {other:?}"),
        }
    }

    #[test]
    fn a_code_round_trips_and_is_qr_alphanumeric() {
        let code = encode(&pairing());
        assert!(code.starts_with("ONWARD1-"));
        let qr_alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        assert!(code.chars().all(|c| qr_alphanumeric.contains(c)), "{code}");
        assert_eq!(decode(&code).unwrap(), pairing());
    }

    #[test]
    fn case_spaces_line_breaks_and_dashes_do_not_matter() {
        let code = encode(&pairing());
        let body = &code[PREFIX.len()..];
        let grouped: Vec<String> = body
            .as_bytes()
            .chunks(5)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let typed = format!("  onward1-{}\n", grouped.join("-").to_lowercase());
        assert_eq!(decode(&typed).unwrap(), pairing());
        let pasted = format!("ONWARD1-\n{}", grouped.join(" \n"));
        assert_eq!(decode(&pasted).unwrap(), pairing());
    }

    #[test]
    fn every_flipped_character_is_refused() {
        let code = encode(&pairing());
        for i in PREFIX.len()..code.len() {
            let mut chars: Vec<char> = code.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let flipped: String = chars.into_iter().collect();
            refused(&flipped);
        }
    }

    #[test]
    fn a_truncated_code_is_refused() {
        let code = encode(&pairing());
        for cut in [1, 2, 5, 8, 20, code.len() - PREFIX.len()] {
            refused(&code[..code.len() - cut]);
        }
        assert!(refused(&code[..PREFIX.len() + 10]).contains("too short"));
    }

    #[test]
    fn a_wrong_prefix_or_bad_characters_are_refused() {
        let code = encode(&pairing());
        let body = &code[PREFIX.len()..];
        assert!(refused(&format!("ONWARD2-{body}")).contains("ONWARD1-"));
        assert!(refused(body).contains("ONWARD1-"));
        assert!(refused(&format!("{PREFIX}{}1{}", &body[..10], &body[11..])).contains("'1'"));
        refused("");
        refused("ONWARD1-");
    }

    #[test]
    fn a_code_with_a_bad_relay_address_is_refused() {
        for url in [
            "ftp://relay.example.org",
            "relay.example.org:8080",
            "http://:80",
        ] {
            let mut bytes = vec![7u8; 32];
            bytes.extend_from_slice(url.as_bytes());
            let check = check_of(&bytes);
            bytes.extend_from_slice(&check);
            let code = format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes));
            assert!(refused(&code).contains("relay address"), "{url}");
        }
    }

    #[test]
    fn relay_addresses_are_checked_and_tidied() {
        assert_eq!(
            relay_url(" http://127.0.0.1:8080/ ").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(relay_url("https://relay.example.org/onward").is_ok());
        for bad in ["", "localhost", "mailto:me@example.org", "http://x/?a=b"] {
            assert!(relay_url(bad).is_err(), "{bad}");
        }
    }
}
