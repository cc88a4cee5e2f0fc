//! The smaller columns: excitement, where the job was found, and the work mode.

use super::columns::squeeze;
use crate::model::{Source, WorkMode};

/// 1-5, "4/5", or stars.
pub(super) fn read_excitement(text: &str) -> Option<u8> {
    let text = text.trim();
    let stars = text.chars().filter(|&c| c == '★' || c == '*').count();
    let n = if stars > 0 && text.chars().all(|c| "★☆* ".contains(c)) {
        stars as f64
    } else {
        let head = text.split('/').next().unwrap_or("").trim();
        head.parse::<f64>().ok()?
    };
    (1.0..=5.0).contains(&n).then(|| n.round() as u8)
}

pub(super) fn read_source(text: &str) -> Option<Source> {
    if text.is_empty() {
        return None;
    }
    if let Ok(source) = text.parse::<Source>() {
        return Some(source);
    }
    let t = squeeze(text);
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    Some(if has(&["referr", "referal"]) {
        Source::Referral
    } else if has(&["recruit", "agency", "headhunt"]) {
        Source::Recruiter
    } else if has(&[
        "companysite",
        "companywebsite",
        "careerspage",
        "careers",
        "website",
    ]) {
        Source::CompanySite
    } else if has(&["network", "friend", "meetup", "alumni", "event"]) {
        Source::Network
    } else if has(&[
        "linkedin",
        "indeed",
        "glassdoor",
        "jobboard",
        "monster",
        "ziprecruiter",
        "wellfound",
        "angellist",
        "otta",
        "stepstone",
        "seek",
        "dice",
        "board",
    ]) {
        Source::JobBoard
    } else {
        Source::Other
    })
}

pub(super) fn read_work_mode(text: &str) -> Option<WorkMode> {
    if text.is_empty() {
        return None;
    }
    let t = squeeze(text);
    match t.as_str() {
        "remote" | "fullyremote" | "wfh" => Some(WorkMode::Remote),
        "hybrid" => Some(WorkMode::Hybrid),
        "onsite" | "inoffice" | "office" | "inperson" => Some(WorkMode::Onsite),
        _ => None,
    }
}
