/*
 * The panic guard of the C boundary, through the test hooks that only the
 * sandbox-feature build has (jc_test_panic, and batch calls of the method
 * SandboxPanic, which panic after they were sent): the shipped library has
 * neither, so this program alone links the test build (tests/c_abi.rs);
 * every other C test runs against the shipped library.
 */
#include "jc_test.h"

static void test_panic_in_a_call(void)
{
    char *out = NULL;
    JT_CHECK(jc_test_panic(NULL) == JC_ERR_PANIC);
    JT_CHECK(strstr(jc_last_error_message(), "internal error in jc_test_panic") != NULL);
    /* panic: the test hook panics inside the boundary */
    JT_EXPECT("panic", out, jc_test_panic(&out), JC_ERR_PANIC,
              "\"message\":\"internal error in jc_test_panic");
    JT_CHECK(strstr(jc_last_error_message(), "deliberate test panic") != NULL);
    /* the library still works after a panic */
    jc_client *c = jt_client(jt_base_url, NULL, "");
    JT_EXPECT("after panic", out, jc_get_bills(c, "client@example.com", "paid", &out), JC_OK,
              NULL);
    jc_client_free(c);
}

/* A panicking call of a batch gets a "panic" document in its slot and the
 * others are kept, one at a time and 64 at a time. */
static void test_panic_in_a_batch(void)
{
    char *out = NULL;
    static const char batch[] = "[{\"method\":\"SandboxEcho\",\"params\":{\"i\":0}},"
                                "{\"method\":\"SandboxPanic\",\"params\":{\"i\":1}},"
                                "{\"method\":\"SandboxEcho\",\"params\":{\"i\":2}}]";
    const int want[3] = {JC_OK, JC_ERR_PANIC, JC_OK};
    jc_client *c = jt_client(jt_base_url, NULL, "");
    long before = jt_stat("requests");
    JT_EXPECT_BATCH("batch with a panic, 1 at a time", out, jc_call_batch(c, batch, 1, &out), 3,
                    want, NULL);
    JT_EXPECT_BATCH("batch with a panic, 64 at a time", out, jc_call_batch(c, batch, 64, &out), 3,
                    want, NULL);
    /* The panicking call had reached the server (its echo was sent first). */
    JT_CHECK(jt_stat("requests") - before == 6);
    jc_client_free(c);
}

int main(void)
{
    jt_init();
    test_panic_in_a_call();
    test_panic_in_a_batch();
    jt_require_statuses(1u << JC_ERR_PANIC);
    return jt_finish("hooks");
}
