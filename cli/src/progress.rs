//! A progress bar on standard error, drawn only when it is a terminal (a
//! pipe or a log file gets nothing, so scripts parse clean output).

use std::io::{IsTerminal, Write};

/// Draws `done/total what` as a bar, in place; [`Progress::finish`] clears it.
pub struct Progress {
    what: &'static str,
    tty: bool,
    drawn: bool,
}

impl Progress {
    pub fn new(what: &'static str) -> Progress {
        Progress {
            what,
            tty: std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    pub fn update(&mut self, done: usize, total: usize) {
        if !self.tty || total <= 1 {
            return;
        }
        const WIDTH: usize = 30;
        let filled = WIDTH * done.min(total) / total;
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r[{bar}] {done}/{total} {}", self.what);
        let _ = err.flush();
        self.drawn = true;
    }

    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(60));
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
