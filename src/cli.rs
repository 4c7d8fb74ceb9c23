//! Flags as typed (clap derive). Validation only, no I/O.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
