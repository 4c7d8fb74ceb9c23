//! Entry point: parse flags, pick a front end, turn errors into one-line messages and exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    usage_tracker::commands::main()
}
