//! The library with the test hooks (tests/hooks-lib.sh), loaded with
//! dlopen into a test process: the integration tests link the library
//! without hooks (as users get it), so a test of the panic guard calls this
//! copy's C functions instead. `RTLD_LOCAL` keeps its symbols to itself.
#![allow(dead_code)]

use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::OnceLock;

use justclick::ffi::{jc_client, jc_status};

type ClientNew = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const c_char,
    *mut *mut jc_client,
) -> jc_status;
type CallBatch =
    unsafe extern "C" fn(*const jc_client, *const c_char, u32, *mut *mut c_char) -> jc_status;
type TestPanic = unsafe extern "C" fn(*mut *mut c_char) -> jc_status;

/// The C functions of the hooks build the panic tests use.
pub struct Hooks {
    pub jc_client_new: ClientNew,
    pub jc_client_free: unsafe extern "C" fn(*mut jc_client),
    pub jc_call_batch: CallBatch,
    pub jc_string_free: unsafe extern "C" fn(*mut c_char),
    pub jc_test_panic: TestPanic,
    pub jc_last_error_message: unsafe extern "C" fn() -> *const c_char,
}

// SAFETY: plain function pointers into a library that is never unloaded.
unsafe impl Send for Hooks {}
unsafe impl Sync for Hooks {}

fn symbol(handle: *mut c_void, name: &str) -> *mut c_void {
    let c = CString::new(name).unwrap();
    // SAFETY: a live handle and a NUL-terminated name.
    let p = unsafe { libc::dlsym(handle, c.as_ptr()) };
    assert!(!p.is_null(), "the hooks library has no {name}");
    p
}

/// Loads target/<profile>/hooks/libjustclick.so.0 once (building it if
/// needed); it stays loaded (the library is linked NODELETE).
pub fn hooks() -> &'static Hooks {
    static HOOKS: OnceLock<Hooks> = OnceLock::new();
    HOOKS.get_or_init(|| {
        let path = super::c::hooks_cdylib().join("libjustclick.so.0");
        let c = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: dlopen of our own library; initialisers have no effects.
        let handle = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(!handle.is_null(), "dlopen {} failed", path.display());
        // SAFETY: each symbol has the type of its declaration in justclick.h
        // (jc_test_panic: src/ffi/mod.rs).
        unsafe {
            Hooks {
                jc_client_new: std::mem::transmute::<*mut c_void, ClientNew>(symbol(handle, "jc_client_new")),
                jc_client_free: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(*mut jc_client)>(
                    symbol(handle, "jc_client_free"),
                ),
                jc_call_batch: std::mem::transmute::<*mut c_void, CallBatch>(symbol(handle, "jc_call_batch")),
                jc_string_free: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(*mut c_char)>(
                    symbol(handle, "jc_string_free"),
                ),
                jc_test_panic: std::mem::transmute::<*mut c_void, TestPanic>(symbol(handle, "jc_test_panic")),
                jc_last_error_message: std::mem::transmute::<*mut c_void, unsafe extern "C" fn() -> *const c_char>(
                    symbol(handle, "jc_last_error_message"),
                ),
            }
        }
    })
}

impl Hooks {
    /// The calling thread's last error message of this copy.
    pub fn last_error(&self) -> String {
        // SAFETY: a valid NUL-terminated thread-local string.
        unsafe { CStr::from_ptr((self.jc_last_error_message)()) }
            .to_string_lossy()
            .into_owned()
    }

    /// Takes and frees a string this copy returned.
    pub fn take(&self, p: *mut c_char) -> Option<String> {
        if p.is_null() {
            return None;
        }
        // SAFETY: a NUL-terminated string this copy returned, freed once.
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        unsafe { (self.jc_string_free)(p) };
        Some(s)
    }
}
