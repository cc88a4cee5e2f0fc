//! The ids of imported rows: derived from the row, so a file imported twice adds nothing.

use chrono::NaiveDate;

/// The namespace of the ids given to imported rows (UUID v5 of the row's key).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f6e_7761_7264_4373_b600_696d_706f_7274);

/// The deterministic id of a row: the same company, role, applied date and url give the
/// same id, whatever the case and spacing.
pub fn row_id(company: &str, role: &str, applied: Option<NaiveDate>, url: &str) -> String {
    let squeeze = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let url = url.trim().trim_end_matches('/').to_lowercase();
    let date = applied.map(|d| d.to_string()).unwrap_or_default();
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        squeeze(company),
        squeeze(role),
        date,
        url
    );
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_ignore_case_and_spacing() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2);
        assert_eq!(
            row_id("Acme ", "Data  Engineer", d, "https://x.io/1/"),
            row_id("acme", "data engineer", d, "https://X.io/1")
        );
        assert_ne!(
            row_id("Acme", "Dev", d, ""),
            row_id("Acme", "Dev", None, "")
        );
    }
}
