//! Progress bars on stderr for long work: imports and sync. indicatif hides them when
//! stderr is not a terminal, so piped output, `--json` and tests stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use onward_core::sync::{Phase, Progress, Unit};
use std::sync::Mutex;

/// Counted work: "Importing… ████ 1,200 of 5,000 rows".
const COUNTING: &str = "{prefix}… {bar:30} {human_pos} of {human_len} {msg}";
/// Sync batches: "Sending… ████ 3 of 7 batches".
const BATCHES: &str = "{prefix}… {bar:30} {pos} of {len} batches";
/// A snapshot: "Downloading the journal… ████ 1.5 MiB of 4.0 MiB".
const BYTES: &str = "{prefix}… {bar:30} {binary_bytes} of {binary_total_bytes}";
/// A snapshot's index: "Setting up the journal… ████ 4,000 of 9,871 records".
const RECORDS: &str = "{prefix}… {bar:30} {human_pos} of {human_len} records";

/// A bar for counted work; the caller sets its length and position as it goes and
/// clears it at the end.
pub fn counting(doing: &'static str, what: &'static str) -> ProgressBar {
    ProgressBar::new(0)
        .with_style(style(COUNTING))
        .with_prefix(doing)
        .with_message(what)
}

/// Sync progress, one bar per phase (sending, receiving, a snapshot).
pub fn sync() -> impl Fn(Progress) + Send + Sync {
    let bar = ProgressBar::new(0);
    let shown: Mutex<Option<Phase>> = Mutex::new(None);
    move |p: Progress| {
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        if *shown != Some(p.phase) {
            *shown = Some(p.phase);
            bar.reset();
            bar.set_prefix(match p.phase {
                Phase::Pushing => "Sending",
                Phase::Pulling => "Receiving",
                Phase::DownloadingSnapshot => "Downloading the journal",
                Phase::UploadingSnapshot => "Uploading a snapshot",
                Phase::Indexing => "Setting up the journal",
            });
            bar.set_style(style(match p.phase.unit() {
                Unit::Batches => BATCHES,
                Unit::Bytes => BYTES,
                Unit::Records => RECORDS,
            }));
        }
        bar.set_length(p.total);
        bar.set_position(p.done);
        if p.done >= p.total {
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are fixed here; a bad one would show a plain bar rather than stop.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for template in [COUNTING, BATCHES, BYTES] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }
}
