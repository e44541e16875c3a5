//! C ABI (see include/justclick.h).
