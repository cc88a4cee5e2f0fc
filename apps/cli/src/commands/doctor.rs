//! `onward doctor` and `onward merge`: keeping the journal whole.

use crate::error::Result;
use crate::output::{plural, shell_quote, Printed};
use clap::Args;
use onward_core::Journal;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Rebuild the search and list index from the journal's document first
    #[arg(long)]
    rebuild_index: bool,

    /// Save what can still be read from a damaged journal into a new journal file
    /// (the damaged one is only read)
    #[arg(long, value_name = "NEW_PATH", conflicts_with = "rebuild_index")]
    pub recover: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// A copy of the journal from another device, or a raw Automerge document (only read)
    path: PathBuf,
}

pub fn doctor(args: DoctorArgs, journal: &mut Journal) -> Result<Printed> {
    if args.rebuild_index {
        journal.rebuild_index()?;
    }
    let integrity = journal.integrity_check()?;
    let index = journal.check_index()?;
    let sizes = journal.storage_sizes()?;
    let waiting = journal.pending_writes()?;
    let counts = journal.counts()?;
    let healthy = integrity.is_ok() && index.is_consistent();

    let json = json!({
        "path": journal.path(),
        "ok": healthy,
        "integrity": match &integrity { Ok(()) => json!("ok"), Err(problems) => json!(problems) },
        "index": {
            "consistent": index.is_consistent(),
            "rows": index.rows,
            "differences": index.differences,
            "rebuilt": args.rebuild_index,
        },
        "sizes": {
            "snapshot_bytes": sizes.snapshot_bytes,
            "chunk_bytes": sizes.chunk_bytes,
            "chunks": sizes.chunks,
            "waiting_writes": waiting,
        },
        "counts": counts.iter().map(|(k, n)| (k.as_str().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
    });

    let mut human = format!("Journal: {}\n", journal.path().display());
    human.push_str(&match &integrity {
        Ok(()) => "  file       intact\n".to_string(),
        Err(problems) => format!(
            "  file       SQLite found problems:\n{}\n",
            problems
                .iter()
                .map(|p| format!("    {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    });
    human.push_str(&if index.is_consistent() {
        format!(
            "  index      matches the document ({} rows){}\n",
            index.rows,
            if args.rebuild_index {
                ", freshly rebuilt"
            } else {
                ""
            }
        )
    } else {
        format!(
            "  index      differs from the document:\n{}\n",
            index
                .differences
                .iter()
                .map(|d| format!("    {d}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    human.push_str(&format!(
        "  storage    {} snapshot + {} in {} change chunks\n",
        bytes(sizes.snapshot_bytes),
        bytes(sizes.chunk_bytes),
        sizes.chunks
    ));
    if waiting > 0 {
        human.push_str(&format!(
            "  waiting    {} saved and shown, not yet in the document (the next sync, merge or \
             export of the document adds them)\n",
            plural(waiting, "write")
        ));
    }
    if !counts.is_empty() {
        let list = counts
            .iter()
            .map(|(k, n)| format!("{n} {}", if *n == 1 { k.as_str() } else { k.collection() }))
            .collect::<Vec<_>>()
            .join(", ");
        human.push_str(&format!("  records    {list}\n"));
    }
    human.push('\n');
    human.push_str(match (integrity.is_ok(), index.is_consistent()) {
        (true, true) => "All is well.",
        (true, false) => "Your records are safe in the document; only the index is off. `onward doctor --rebuild-index` fixes it.",
        (false, _) => "The file itself has problems. Keep a copy of it before changing anything, then try `onward doctor --rebuild-index`.",
    });
    Ok(Printed::new(json, human))
}

/// `onward doctor --recover NEW_PATH`: runs without opening the damaged journal.
pub fn recover(damaged: &Path, into: &Path) -> Result<Printed> {
    let (_, found) = Journal::recover(damaged, into)?;
    let json =
        json!({ "from": damaged, "into": into, "records": found.records(), "recovered": found });
    let mut human = format!(
        "Recovered {} into {}.\n",
        plural(found.records(), "record"),
        into.display()
    );
    human.push_str(&format!(
        "  from the document  {} (snapshot {}, {} change chunks read, {} found in the raw bytes)\n",
        plural(found.from_document, "record"),
        if found.snapshot { "read" } else { "lost" },
        found.chunks,
        found.carved
    ));
    if found.from_index > 0 {
        human.push_str(&format!(
            "  from the index     {} (their latest version, without edit history)\n",
            plural(found.from_index, "record")
        ));
    }
    if found.from_outbox > 0 {
        human.push_str(&format!(
            "  from recent writes {} (saved, not yet in the document)\n",
            plural(found.from_outbox, "record")
        ));
    }
    for problem in &found.problems {
        human.push_str(&format!("  not readable       {problem}\n"));
    }
    human.push_str(&format!(
        "\n{} was left as it was. Look through the new journal with `onward --journal {} timeline`; once it holds what you need, use it as your journal.",
        damaged.display(),
        shell_quote(&into.display().to_string())
    ));
    Ok(Printed::new(json, human))
}

pub fn merge(args: MergeArgs, journal: &mut Journal) -> Result<Printed> {
    let changed = journal.merge_file(&args.path)?;
    let n = changed.ids.len();
    let human = match n {
        0 => format!(
            "Merged {}: nothing new, this journal already had it all.",
            args.path.display()
        ),
        1 => format!("Merged {}: 1 record changed.", args.path.display()),
        n => format!("Merged {}: {n} records changed.", args.path.display()),
    };
    Ok(Printed::new(
        json!({ "changed": n, "ids": changed.ids }),
        human,
    ))
}

fn bytes(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / (1 << 10) as f64),
        n => format!("{n} bytes"),
    }
}
