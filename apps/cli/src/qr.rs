//! QR codes drawn in the terminal, so a phone can scan an invitation off the laptop's
//! screen. Two rows of modules per line of text, with the quiet zone a scanner needs.

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// `text` as a QR code of block characters (dark on light), or a note when it can't be
/// drawn (the code itself is printed beside it either way).
pub fn render(text: &str) -> String {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(e) => format!("(no QR code: {e})"),
    }
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
}
