//! `onward prompts`: the questions of each kind of entry, with their ids.

use crate::output::{indent, Printed};
use crate::vocab::{parser, Vocabulary};
use clap::Args;
use onward_core::model::EntryKind;
use onward_core::prompts::{self, PromptSet};
use serde_json::json;

#[derive(Debug, Args)]
pub struct PromptsArgs {
    /// Only this kind's prompts
    #[arg(long, value_parser = parser::<EntryKind>())]
    kind: Option<EntryKind>,
}

pub fn prompts(args: PromptsArgs) -> Printed {
    let sets: Vec<&PromptSet> = prompts::all()
        .filter(|s| args.kind.is_none_or(|k| s.kind == k))
        .collect();
    let json = serde_json::Value::Array(
        sets.iter()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["key"] = json!(s.key());
                v
            })
            .collect(),
    );
    let human = sets
        .iter()
        .map(|s| {
            let mut block = format!("{} — {}\n", s.kind.spoken(), s.intro);
            for p in s.prompts {
                block.push_str(&format!("  {:<14} {}\n", p.id, p.text));
            }
            let example = match s.prompts.first() {
                Some(p) => format!("--answer {}='...'", p.id),
                None => "--text '...'".to_string(),
            };
            block.push_str(&indent(
                &format!("onward entry add --kind {} {example}", s.kind.spoken()),
                "  → ",
            ));
            block
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    Printed::new(json, human)
}
