/*
 * Helpers for the C tests of the justclick C ABI (driven by tests/c_abi.rs).
 *
 * Include this first in every test source: it selects POSIX 2008 before any
 * system header. Checks count failures instead of aborting, so one run
 * reports everything; jt_finish() turns the count into the exit status.
 *
 * Environment (set by tests/c_abi.rs): JC_TEST_BASE_URL, JC_TEST_LOGIN,
 * JC_TEST_SECRET, JC_TEST_VERSION and, for TLS, JC_TEST_CA_FILE.
 */
#ifndef JC_TEST_H
#define JC_TEST_H

#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "justclick.h"

/* Test hook exported by the sandbox-feature build only (not in the header,
 * not in the shipped library): only tests/c/hooks.c may call it. */
jc_status jc_test_panic(char **out_json);

extern const char *jt_base_url;
extern const char *jt_login;
extern const char *jt_secret;

/* Reads the JC_TEST_* environment; a missing required variable is fatal. */
void jt_init(void);
/* getenv(name), fatal when unset. */
const char *jt_env(const char *name);

/* Records a failed check and prints it (thread-safe). */
void jt_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Counts a passed check (thread-safe). */
void jt_pass(void);

#define JT_CHECK(cond)                                          \
    do {                                                        \
        if (cond)                                               \
            jt_pass();                                          \
        else                                                    \
            jt_fail(__FILE__, __LINE__, "check failed: %s", #cond); \
    } while (0)

#define JT_CHECK_STR(got, want)                                            \
    do {                                                                   \
        const char *jt_g_ = (got), *jt_w_ = (want);                         \
        if (jt_g_ != NULL && strcmp(jt_g_, jt_w_) == 0)                    \
            jt_pass();                                                     \
        else                                                               \
            jt_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #got, \
                    jt_g_ ? jt_g_ : "(NULL)", jt_w_);                      \
    } while (0)

/*
 * JT_EXPECT(what, out, call, want, needle): runs `call` (which writes its
 * document to the char * variable `out`), then checks the outcome and frees
 * the document and sets `out` to NULL. The call runs before `out` is read.
 *
 * jt_expect_at checks one call's outcome and frees `json`: the status is `want`, the
 * document matches the schema of the header for that status (compact, keys
 * in order, valid UTF-8, "status" equal to jc_status_name), the message
 * equals jc_last_error_message() (so call this right after the call), the
 * secret does not appear, and `needle` (if not NULL) occurs in the document.
 * Returns 1 when everything held.
 */
int jt_expect_at(const char *file, int line, const char *what, jc_status got, char *json,
                 jc_status want, const char *needle);
#define JT_EXPECT(what, out, call, want, needle)                                  \
    do {                                                                         \
        jc_status jt_st_ = (call);                                                \
        jt_expect_at(__FILE__, __LINE__, (what), jt_st_, (out), (want), (needle)); \
        (out) = NULL;                                                            \
    } while (0)

/* Like JT_EXPECT, and the whole document must equal `exact`. */
int jt_expect_exact_at(const char *file, int line, const char *what, jc_status got, char *json,
                       jc_status want, const char *exact);
#define JT_EXPECT_EXACT(what, out, call, want, exact)                                  \
    do {                                                                              \
        jc_status jt_st_ = (call);                                                     \
        jt_expect_exact_at(__FILE__, __LINE__, (what), jt_st_, (out), (want), (exact)); \
        (out) = NULL;                                                                 \
    } while (0)

/*
 * Checks a jc_call_batch() array and frees it: compact JSON array of
 * exactly `n` documents, document i matching want[i] (a status, or -1 for
 * "any status", which is then stored in got[i] when got is not NULL).
 */
int jt_expect_batch_at(const char *file, int line, const char *what, jc_status st, char *json,
                       size_t n, const int *want, int *got);
#define JT_EXPECT_BATCH(what, out, call, n, want, got)                                  \
    do {                                                                              \
        jc_status jt_st_ = (call);                                                     \
        jt_expect_batch_at(__FILE__, __LINE__, (what), jt_st_, (out), (n), (want), (got)); \
        (out) = NULL;                                                                 \
    } while (0)

/* Validates one outcome document without freeing it or consulting the
 * last error; returns its status (parsed from the document) or -1. */
int jt_doc_status(const char *doc, size_t len);

/* Marks a status as produced (JT_EXPECT does it); jt_require_statuses
 * fails unless every status whose bit is set in `mask` was seen. */
void jt_seen(jc_status st);
void jt_require_statuses(unsigned mask);
#define JT_ALL_STATUSES 0x3ffu /* statuses 0..9 */

/* Sandbox admin over plain HTTP (jt_base_url must be http://127.0.0.1:PORT).
 * Returns the HTTP status; the body (NUL-terminated) goes to `body`. */
int jt_admin(const char *method, const char *path, const char *form, char *body, size_t cap);
/* POST /__sandbox/fault with `form` (e.g. "mode=stall&stall_ms=3000"). */
void jt_fault(const char *form);
/* A counter from GET /__sandbox/stats ("requests", "writes", ...). */
long jt_stat(const char *key);
/* A loopback port nobody listens on (bound, then closed). */
int jt_closed_port(void);

/* Builds client options JSON: base_url, proxy "" and `extra` (a JSON
 * fragment such as "\"timeout_ms\":1000", or ""). Caller frees. */
char *jt_options(const char *base_url, const char *extra);
/* jc_client_new with jt_login/jt_secret (or `secret` when not NULL);
 * a failure is fatal. */
jc_client *jt_client(const char *base_url, const char *secret, const char *extra);

/* Prints "PASS name: N checks" or the failure count; the exit status. */
int jt_finish(const char *name);

#endif /* JC_TEST_H */
