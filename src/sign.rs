//! md5 signatures: `md5(body::login::secret)` on requests and
//! `md5(error_code::error_text::secret)` on responses.

use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// An API secret: never printed, wiped from memory when dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes a copy of the secret bytes.
    pub fn new(secret: &[u8]) -> Secret {
        Secret(Zeroizing::new(secret.to_vec()))
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Lowercase hex md5 of the parts joined by `::`.
///
/// The parts are fed to the hasher one by one, so the secret is never copied
/// into a joined buffer; the hasher's own buffer is wiped on drop (md-5's
/// `zeroize` feature) and the stack the computation used is wiped after it.
fn md5_joined(parts: &[&[u8]]) -> [u8; 32] {
    let digest = md5_digest(parts);
    wipe_stack();
    hex32(&digest)
}

#[inline(never)]
fn md5_digest(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h.update(b"::");
        }
        h.update(part);
    }
    h.finalize().into()
}

/// Stack bytes zeroed after each md5: more than the frames of `md5_digest`
/// use. Measured with tests/secret.rs: an optimized build leaves the secret
/// within the first 1 KiB (wiping 1 KiB clears it, none leaves copies), a
/// debug build needs far more.
const WIPE_STACK_BYTES: usize = if cfg!(debug_assertions) {
    16 * 1024
} else {
    2 * 1024
};

/// Overwrites the stack just used by `md5_digest`. The hasher's block buffer
/// is moved by value into `finalize`, and md5's compression function copies
/// each block into a local message schedule: both leave secret bytes in dead
/// stack frames that zeroize-on-drop cannot reach. (tests/secret.rs scans
/// the stack to prove it.) The persistent-pool key's HMAC uses it too.
#[inline(never)]
pub(crate) fn wipe_stack() {
    let scratch = [0u8; WIPE_STACK_BYTES];
    // black_box may read the array, so its zeroing cannot be optimized out.
    std::hint::black_box(&scratch);
}

pub(crate) fn hex32(digest: &[u8]) -> [u8; 32] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// The request signature: lowercase hex `md5(body::login::secret)`.
pub fn request_hash(body: &[u8], login: &str, secret: &Secret) -> [u8; 32] {
    md5_joined(&[body, login.as_bytes(), secret.expose()])
}

/// The response signature: lowercase hex `md5(code::text::secret)`, where
/// `code` is the decimal text of `error_code` and `text` the decoded
/// `error_text`.
pub fn response_hash(code: &str, text: &str, secret: &Secret) -> [u8; 32] {
    md5_joined(&[code.as_bytes(), text.as_bytes(), secret.expose()])
}

/// Checks a response signature in constant time against exact lowercase hex.
///
/// PHP's `==` would accept `"0e123..." == "0e456..."` (both read as 0.0) and
/// uppercase hex; neither is accepted here.
pub fn verify_response(code: &str, text: &str, received: &str, secret: &Secret) -> bool {
    let expected = response_hash(code, text, secret);
    ct_eq(&expected, received.as_bytes())
}

/// Constant-time equality for equal lengths (the length itself is public:
/// an md5 hex is always 32 bytes).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box keeps the compiler from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new(&[b'X'; 40])
    }

    fn req(body: &str) -> String {
        String::from_utf8(request_hash(body.as_bytes(), "username", &secret()).to_vec()).unwrap()
    }

    #[test]
    fn request_vectors_from_api_md() {
        for (body, hash) in [
            ("bill_id=1111", "47d890b61dcad113dee75f57f69be233"),
            (
                "bill_id=100000&status=sent&date=1362254400&rpo=10000000000000",
                "92cea5ba30b463b8c3b234e3d2945e65",
            ),
            (
                "email=client%40example.com&pay_status=paid",
                "2c3d9dc223ab2bb2f88d960e6746743e",
            ),
            ("comment=a%2Ab", "1df2230ce1a1d2842fa6cda0181ef840"),
            ("comment=%7Euser", "f2635528a785d7704cfb1f135ead3c49"),
            (
                "lead_name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2",
                "8f0c516ad3ddb8f03071a1e209f14d33",
            ),
            (
                "comment=hi+%F0%9F%98%80",
                "b89763c2b5336d21b9b312b348956259",
            ),
            ("comment=&bill_id=1", "66a71371a113454c5ceeb0a5175eecb4"),
        ] {
            assert_eq!(req(body), hash, "{body}");
        }
    }

    #[test]
    fn response_vectors_from_api_md() {
        for (code, text, hash) in [
            ("0", "OK", "cf2b10a8fd707c6d14f496e19503b0a1"),
            ("4", "incorrect hash", "b8f771a9288da73672a86714fb3ebb68"),
            (
                "1",
                "Ошибка авторизации",
                "ae94b656f03a4d9fc89159cfa1d4329d",
            ),
            ("0", "Заказ удален", "a4d452d0be692c65e35717d481cd1ffb"),
        ] {
            assert!(
                verify_response(code, text, hash, &secret()),
                "{code} {text}"
            );
            assert!(!verify_response(
                code,
                text,
                &hash.to_uppercase(),
                &secret()
            ));
            assert!(!verify_response(code, text, &hash[..31], &secret()));
            assert!(!verify_response(code, "other", hash, &secret()));
        }
    }

    #[test]
    fn magic_hashes_are_not_equal() {
        // Both look like 0 to PHP's `==`; they are different strings.
        assert!(!ct_eq(
            b"0e462097431906509019562988736854",
            b"0e830400451993494058024219903391"
        ));
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(format!("{:?}", secret()), "Secret(***)");
    }
}
