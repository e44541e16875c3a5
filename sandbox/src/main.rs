//! `justclick-sandbox`: a local JustClick emulator (see the `justclick_sandbox`
//! crate; `justclick sandbox` runs the same).

use std::process::ExitCode;

fn main() -> ExitCode {
    justclick_sandbox::cli_main(std::env::args().skip(1).collect(), "justclick-sandbox")
}
