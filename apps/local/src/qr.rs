//! QR codes, so a phone can scan an invitation off the laptop's screen: drawn in the
//! terminal for the command line, and as SVG for the desktop app's page. Both with the
//! quiet zone a scanner needs, dark on light whatever the theme around them.

use qrcode::render::svg;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

fn code(text: &str) -> Result<QrCode, String> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| e.to_string())
}

/// `text` as a QR code of block characters (two rows of modules per line), or a note
/// when it can't be drawn (the code itself is printed beside it either way).
pub fn render(text: &str) -> String {
    match code(text) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(e) => format!("(no QR code: {e})"),
    }
}

/// `text` as an inline `<svg>` element (no XML prologue, so it can sit in HTML), named
/// `label` for screen readers; an error when `text` is too long for a QR code.
pub fn svg(text: &str, label: &str) -> Result<String, String> {
    let drawn = code(text)?
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .build();
    let start = drawn
        .find("<svg")
        .ok_or("the QR code came out without an <svg>")?;
    let label: String = label
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '"' | '&'))
        .collect();
    Ok(drawn[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_fits_a_small_terminal_qr_code() {
        let code = format!("ONWARD2-{}", "A".repeat(100));
        let drawn = render(&code);
        let lines: Vec<&str> = drawn.lines().collect();
        // A version 5 or 6 code with its quiet zone: well under a 80-column terminal.
        assert!(lines.len() < 30, "{} lines", lines.len());
        assert!(lines.iter().all(|l| l.chars().count() < 60));
        assert!(drawn.contains('█') || drawn.contains('▀') || drawn.contains('▄'));
    }

    #[test]
    fn the_svg_is_an_inline_labelled_element_dark_on_light() {
        let drawn = svg(&format!("ONWARD2-{}", "A".repeat(100)), "An \"invitation\"").unwrap();
        assert!(
            drawn.starts_with("<svg role=\"img\" aria-label=\"An invitation\" "),
            "{drawn}"
        );
        assert!(!drawn.contains("<?xml"));
        assert!(drawn.contains("fill=\"#000\"") && drawn.contains("fill=\"#fff\""));
        assert!(drawn.ends_with("</svg>"));
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_an_error_not_a_picture() {
        assert!(svg(&"A".repeat(8000), "too long").is_err());
    }
}
