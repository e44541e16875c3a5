//! The two opaque handles C holds: a client and an options builder. Below
//! the functions that create and use them and the argument checks that
//! read them.

use crate::client::Client;
use crate::encode::Value;
use crate::error::Error;
use crate::options::Options;

/// An API client. Opaque.
///
/// Create with `jc_client_new_with_options` or `jc_client_new`, destroy
/// with `jc_client_free`. All call
/// functions take `const jc_client *`: one client may be used by any number
/// of threads at once, and should be, so that its kept-alive connections are
/// reused.
pub struct jc_client {
    pub(super) inner: Client,
}

/// Client options under construction, for `jc_client_new_with_options`.
/// Opaque.
///
/// Create with `jc_options_new`, fill with `jc_options_set_str`,
/// `jc_options_set_int` and `jc_options_set_bool`, destroy with
/// `jc_options_free`. The keys, types and bounds are those of
/// `jc_client_new`'s `options_json`. A builder may be used for any number
/// of clients and freed at any time: clients copy what they need. The
/// setters need the builder to themselves (`jc_options *`); once filled, a
/// `const jc_options *` may be read by several threads at once.
pub struct jc_options {
    /// In the order first set; setting a key again replaces its value.
    pub(super) values: Vec<(String, Value)>,
}

impl jc_options {
    /// A builder with nothing set.
    pub(super) fn empty() -> jc_options {
        jc_options { values: Vec::new() }
    }

    /// Checks `key` and `value` as the JSON form would (known key, right
    /// type, within bounds), then records them.
    pub(super) fn set(&mut self, key: &str, value: Value) -> Result<(), Error> {
        let mut probe = Options::default();
        probe.set_value(key, &value)?;
        probe.validate()?;
        match self.values.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key.to_owned(), value)),
        }
        Ok(())
    }

    /// The options, parsed and validated like the JSON form.
    pub(super) fn options(&self) -> Result<Options, Error> {
        Options::from_values(self.values.iter().map(|(k, v)| (k.as_str(), v)))
    }
}
