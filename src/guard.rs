//! The one panic guard of the library, used by the C boundary and by every
//! call of a batch.
//!
//! A caught panic must not print anything: the library promises the host a
//! silent stderr. std's default hook prints before unwinding starts, so a
//! process-wide hook is installed once; it stays silent for panics raised
//! while the current thread is inside [`catch`] (a thread-local flag) and
//! hands every other panic to the hook that was installed before, so a
//! host's own hook keeps working for its own threads.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

/// How a caught panic's message names its cause, with the version a bug
/// report needs.
pub(crate) const BUG: &str = concat!(
    "a bug in justclick ",
    env!("CARGO_PKG_VERSION"),
    "; please report it"
);

thread_local! {
    /// True while this thread runs inside [`catch`]. `const` and `Copy`: no
    /// destructor, so it stays readable during thread teardown.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // try_with: a panic hook that panics aborts the process.
            if !GUARDED.try_with(Cell::get).unwrap_or(false) {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic inside it is caught silently and returned as its
/// message (the payload's text, or "" when it is not text).
///
/// Nests: an inner guard restores the outer one's flag.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was = GUARDED.try_with(|g| g.replace(true)).unwrap_or(false);
    let result = catch_unwind(AssertUnwindSafe(f));
    let _ = GUARDED.try_with(|g| g.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_and_restores_the_flag() {
        assert_eq!(catch(|| 7), Ok(7));
        let inner = catch(|| {
            let r = catch(|| -> () { panic!("inner") });
            assert!(GUARDED.with(Cell::get), "outer guard still active");
            r
        });
        assert_eq!(inner, Ok(Err("inner".to_owned())));
        assert!(!GUARDED.with(Cell::get));
        let owned = catch(|| -> () { panic!("{}", String::from("owned")) });
        assert_eq!(owned, Err("owned".to_owned()));
    }
}
