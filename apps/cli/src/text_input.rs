//! Longer text: from a flag, from stdin (`--text -`), or written in the person's editor.

use crate::error::{Failure, Result};
use std::io::{IsTerminal, Read};
use std::process::Command;

/// The text of a `--text` flag: as given, or read from stdin when it is `-`.
pub fn from_flag(value: Option<&str>) -> Result<Option<String>> {
    match value {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::new(format!("could not read the text from stdin: {e}")))?;
            Ok(Some(text))
        }
        other => Ok(other.map(str::to_string)),
    }
}

/// Whether a person is typing (so opening an editor makes sense).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// The editor to open: `$VISUAL`, else `$EDITOR`, else `vi`. VISUAL comes first, as
/// git and crontab read them: it names the full-screen editor, EDITOR the line one.
/// (Not the `edit` crate: it would add an old `which` and its dependencies for these
/// few lines, and it splits the value itself where the shell reads it here, so quoting
/// as people write it in their shell profile, such as a path with spaces, can break.)
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Opens the editor on a temporary file holding `initial` and returns what was saved.
pub fn edit(initial: &str, suffix: &str) -> Result<String> {
    let file = tempfile::Builder::new()
        .prefix("onward-")
        .suffix(suffix)
        .tempfile()
        .map_err(|e| Failure::new(format!("could not create a file to edit: {e}")))?;
    std::fs::write(file.path(), initial)
        .map_err(|e| Failure::new(format!("{}: {e}", file.path().display())))?;
    let editor = editor();
    let status = editor_command(&editor, file.path()).status().map_err(|e| {
        Failure::new(format!("could not start the editor \"{editor}\": {e}"))
            .hint("Set VISUAL or EDITOR to the editor you use, or give the text with --text.")
    })?;
    if !status.success() {
        return Err(Failure::new(format!(
            "the editor \"{editor}\" stopped with {status}; nothing was saved"
        )));
    }
    std::fs::read_to_string(file.path())
        .map_err(|e| Failure::new(format!("{}: {e}", file.path().display())))
}

/// The editor command runs through the shell, so `EDITOR="code --wait"` works.
#[cfg(unix)]
fn editor_command(editor: &str, path: &std::path::Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path);
    cmd
}

#[cfg(not(unix))]
fn editor_command(editor: &str, path: &std::path::Path) -> Command {
    let mut words = editor.split_whitespace();
    let mut cmd = Command::new(words.next().unwrap_or("notepad"));
    cmd.args(words).arg(path);
    cmd
}
