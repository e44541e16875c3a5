//! PHP's form parse (`justclick::php::parse_query`) on arbitrary bytes:
//! never panics, and its result survives encode_lenient + parse unchanged,
//! empty arrays aside (see `oracles::check_php`).
#![no_main]

mod oracles;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oracles::check_php(data));
