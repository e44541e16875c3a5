//! The C entry points fed arbitrary NUL-terminated strings, on a client
//! pointed at 127.0.0.1:1 where nothing listens (see `oracles::check_ffi`
//! for the input layout and the checks). Run under ASan so LeakSanitizer
//! sees anything that is not freed.
#![no_main]

mod oracles;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oracles::check_ffi(data));
