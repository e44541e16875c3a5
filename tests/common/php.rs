//! What the differential tests against real PHP share: a deterministic
//! random source, the PHP child process, and the knobs read from the
//! environment.

use std::process::{Child, Command, Stdio};
use std::str::FromStr;

/// xorshift64*: deterministic test data (seed it from `JUSTCLICK_DIFF_SEED`
/// so a failing case can be replayed).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

/// `php -r script` (`$PHP` or `php`) with stdin and stdout piped; a missing
/// PHP fails the test naming the Debian package, never skips it.
pub fn php_child(script: &str) -> Child {
    let php = std::env::var("PHP").unwrap_or_else(|_| "php".into());
    Command::new(&php)
        .args(["-d", "display_errors=stderr", "-r", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `{php}` ({e}): the differential test needs PHP; install the Debian package php-cli")
        })
}

/// The number in the environment variable `name`, or `default`.
pub fn env_number<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
