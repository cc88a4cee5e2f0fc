//! `onward completions SHELL`: tab completion for bash, zsh, fish, PowerShell, elvish.

use super::Cli;
use crate::output::Printed;
use clap::CommandFactory;
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example (bash): onward completions bash > ~/.local/share/bash-completion/completions/onward"
)]
pub struct Args {
    /// The shell to complete for
    shell: Shell,
}

pub fn run(args: Args) -> Printed {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "onward", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    let json = serde_json::json!({ "shell": args.shell.to_string(), "script": script });
    Printed::new(json, script)
}
