//! Persistent clients (option `persistent`): one process-wide registry that
//! keeps the shared internals of up to [`MAX_POOLS`] clients alive after
//! their handles are gone, so that a client built again with the same login,
//! secret and options (the next PHP-FPM request in the same worker) is a
//! clone of the cached one and reuses its kept-alive TLS connections.
//!
//! Rules, and why:
//! - Per process. The registry remembers the pid that filled it; in a child
//!   after `fork()` (FPM forks its workers from a master that may have
//!   loaded the library) every inherited entry is dropped before any lookup,
//!   so two processes never write into one TLS session. Dropping only closes
//!   the child's copies of the sockets (ureq never shuts them down on drop).
//! - Bounded. At most [`MAX_POOLS`] entries, least recently used evicted.
//!   Eviction only drops the registry's reference: the secret is wiped when
//!   the last handle using it goes too.
//! - The secret is stored once, in the pooled client's `Secret` (wiped on
//!   drop). The registry compares an HMAC-SHA-256 of it under a random
//!   per-process key, in constant time, so no second copy exists and the
//!   digest is no offline oracle for the key.
//! - Idle connections: the pooled agent is built with
//!   `max_idle_age = idle_timeout`; ureq probes a pooled connection before
//!   reusing it, so one the server closed is never written into. There is
//!   no timer thread: a retired connection's socket is closed at the pool's
//!   next call (or when the pool goes).
//! - The key is the options as given: `ca_file` is a path (its contents are
//!   read once, when the pool is made) and the proxy environment is read
//!   then too; restart the process after changing either.
//! - The library itself is linked with `-z nodelete` (build.rs): PHP may
//!   `dlclose` it when its FFI object goes, and the registry must survive.
//!
//! Thread-safety: one mutex around the registry, held while a client is
//! built (no network traffic happens then), never during calls.
//!
//! The registry is generic over what it keeps (the client module keeps its
//! `Client`s in one), so this module needs nothing above the options.

use std::sync::Mutex;

use ring::hmac;
use ring::rand::SystemRandom;

use crate::error::{Error, Result};
use crate::options::Options;

/// Most persistent pools kept per process.
pub const MAX_POOLS: usize = 16;

struct Entry<T> {
    login: String,
    options: Options,
    digest: hmac::Tag,
    value: T,
}

/// The registry of one process.
pub(crate) struct Registry<T> {
    pid: u32,
    key: hmac::Key,
    /// Least recently used first.
    entries: Vec<Entry<T>>,
}

impl<T: Clone> Registry<T> {
    fn new(pid: u32) -> Result<Registry<T>> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new()).map_err(|_| {
            Error::Transport("cannot get random bytes from the system for the pool key".into())
        })?;
        Ok(Registry {
            pid,
            key,
            entries: Vec::new(),
        })
    }

    /// The cached value for these credentials and options, or a new one
    /// from `make` (then cached, evicting the least recently used).
    fn get_or_make(
        &mut self,
        login: &str,
        secret: &str,
        options: &Options,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let digest = digest_of(&self.key, secret);
        // The HMAC's block buffer held the secret in dead stack frames.
        crate::sign::wipe_stack();
        let found = self.entries.iter().position(|e| {
            e.login == login
                && same_pool_options(&e.options, options)
                && same_digest(&e.digest, &digest)
        });
        if let Some(i) = found {
            let entry = self.entries.remove(i);
            let value = entry.value.clone();
            self.entries.push(entry);
            return Ok(value);
        }
        let value = make()?;
        if self.entries.len() >= MAX_POOLS {
            self.entries.remove(0);
        }
        self.entries.push(Entry {
            login: login.to_owned(),
            options: options.clone(),
            digest,
            value: value.clone(),
        });
        Ok(value)
    }
}

/// Whether two option sets may share a pool: equal but for the per-handle
/// `batch_timeout` (PHP sets it from each request's remaining execution time,
/// and the handle, not the pool, carries it).
fn same_pool_options(a: &Options, b: &Options) -> bool {
    let pool_key = |o: &Options| Options {
        batch_timeout: None,
        ..o.clone()
    };
    pool_key(a) == pool_key(b)
}

/// HMAC-SHA-256 of the secret; not inlined, so that the stack it used lies
/// below the caller's frame, where `wipe_stack` reaches it.
#[inline(never)]
fn digest_of(key: &hmac::Key, secret: &str) -> hmac::Tag {
    hmac::sign(key, secret.as_bytes())
}

/// Constant-time comparison of two tags (no early exit on the first
/// differing byte).
fn same_digest(a: &hmac::Tag, b: &hmac::Tag) -> bool {
    let (a, b) = (a.as_ref(), b.as_ref());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The persistent value for `login`, `secret` and `options` in
/// `registry`: the cached one, or the one `make` builds (then cached). The
/// arguments must already be validated.
pub(crate) fn shared<T: Clone>(
    registry: &Mutex<Option<Registry<T>>>,
    login: &str,
    secret: &str,
    options: &Options,
    make: impl FnOnce() -> Result<T>,
) -> Result<T> {
    // A panic elsewhere while the lock was held leaves consistent data (each
    // step above is a single Vec operation), so poisoning is ignored.
    let mut guard = registry.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_none_or(|r| r.pid != pid) {
        // First use, or a child after fork(): never touch the parent's pools.
        *guard = Some(Registry::new(pid)?);
    }
    match guard.as_mut() {
        Some(registry) => registry.get_or_make(login, secret, options, make),
        None => make(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use std::sync::Arc;

    fn opts(ua: &str) -> Options {
        Options {
            user_agent: ua.into(),
            ..Options::default()
        }
    }

    fn get(r: &mut Registry<Client>, login: &str, secret: &str, o: &Options) -> Client {
        r.get_or_make(login, secret, o, || Client::new(login, secret, o.clone()))
            .unwrap()
    }

    #[test]
    fn same_key_shares_everything_else_does_not() {
        let mut r = Registry::new(1).unwrap();
        let a = get(&mut r, "demo", "s1", &opts("x/1"));
        let b = get(&mut r, "demo", "s1", &opts("x/1"));
        assert!(a.same_pool(&b));
        assert!(!a.same_pool(&get(&mut r, "demo", "s2", &opts("x/1"))));
        assert!(!a.same_pool(&get(&mut r, "demo2", "s1", &opts("x/1"))));
        assert!(!a.same_pool(&get(&mut r, "demo", "s1", &opts("x/2"))));
        assert_eq!(r.entries.len(), 4);
    }

    #[test]
    fn bounded_lru_and_evicted_secret_is_dropped() {
        let mut r = Registry::new(1).unwrap();
        let first = get(&mut r, "demo", "first-secret", &opts("x/0"));
        let weak = first.downgrade();
        drop(first);
        let keep = get(&mut r, "demo", "s", &opts("x/1"));
        for i in 2..MAX_POOLS {
            get(&mut r, "demo", "s", &opts(&format!("x/{i}")));
        }
        assert_eq!(r.entries.len(), MAX_POOLS);
        assert!(weak.upgrade().is_some(), "still cached: no handle needed");
        // x/1 used again: now the most recent; x/0 is the oldest.
        assert!(keep.same_pool(&get(&mut r, "demo", "s", &opts("x/1"))));
        get(&mut r, "demo", "s", &opts("x/new"));
        assert_eq!(r.entries.len(), MAX_POOLS);
        // Evicted and no handle left: the internals (and the Secret, which
        // zeroizes on drop) are gone.
        assert!(weak.upgrade().is_none(), "evicted pool still alive");
        assert!(keep.same_pool(&get(&mut r, "demo", "s", &opts("x/1"))));
        // The registry and `keep` only (plus the upgrade itself).
        assert_eq!(Arc::strong_count(&keep.downgrade().upgrade().unwrap()), 3);
    }

    #[test]
    fn batch_deadline_is_per_handle_not_part_of_the_key() {
        // PHP sets batch_timeout_ms from each request's remaining
        // max_execution_time: it must not split the pool, and each handle
        // keeps its own deadline.
        let with = |ms: u64| Options {
            persistent: true,
            batch_timeout: Some(std::time::Duration::from_millis(ms)),
            ..Options::default()
        };
        let a = Client::new("pooldeadline", "s", with(29_000)).unwrap();
        let b = Client::new("pooldeadline", "s", with(28_997)).unwrap();
        assert!(a.same_pool(&b), "a per-request deadline split the pool");
        assert_eq!(
            a.batch_timeout(),
            Some(std::time::Duration::from_millis(29_000))
        );
        assert_eq!(
            b.batch_timeout(),
            Some(std::time::Duration::from_millis(28_997))
        );
        let c = Client::new(
            "pooldeadline",
            "s",
            Options {
                persistent: true,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(a.same_pool(&c));
        assert_eq!(c.batch_timeout(), None);
    }

    #[test]
    fn digest_compare() {
        let r = Registry::<Client>::new(1).unwrap();
        let a = hmac::sign(&r.key, b"secret");
        assert!(same_digest(&a, &hmac::sign(&r.key, b"secret")));
        assert!(!same_digest(&a, &hmac::sign(&r.key, b"secreT")));
    }
}
