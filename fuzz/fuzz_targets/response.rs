//! Response bodies into the parser/verifier (`justclick::parse_response`):
//! arbitrary bytes, with `$H` replaced by the correct signature so the code
//! behind the check is reached too (see `oracles::response_case` and
//! `oracles::check_response`).
#![no_main]

mod oracles;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = oracles::response_case(data);
    let got = justclick::parse_response(&body, &oracles::secret());
    oracles::check_response(&body, &got);
});
