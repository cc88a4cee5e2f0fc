//! The file's bytes as text, whatever encoding the spreadsheet saved it in.

/// UTF-8 (a BOM dropped), or UTF-16 with a BOM, or else Windows-1252 as older Excel
/// writes it. The second value names a non-UTF-8 encoding.
pub(super) fn decode(bytes: &[u8]) -> (String, Option<String>) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        let name = (encoding != encoding_rs::UTF_8).then(|| encoding.name().to_lowercase());
        return (text.into_owned(), name);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), Some("windows-1252".into()))
        }
    }
}
