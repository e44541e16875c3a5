/*
 * HTTPS against the sandbox's test CA: verified with the `ca_file` option,
 * refused without it (verification cannot be turned off), and bad CA files
 * rejected at jc_client_new. Few calls: TLS under valgrind is slow.
 */
#include "jc_test.h"

static char *ca_options(const char *ca_file)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "\"ca_file\":\"%s\"", ca_file);
    return jt_options(jt_base_url, extra);
}

int main(void)
{
    char *out = NULL;
    jt_init();
    const char *ca = jt_env("JC_TEST_CA_FILE");
    JT_CHECK(strncmp(jt_base_url, "https://", 8) == 0);

    /* verified: the test CA is added to the bundled roots */
    {
        char extra[1024];
        snprintf(extra, sizeof extra, "\"ca_file\":\"%s\",\"timeout_ms\":30000", ca);
        jc_client *c = jt_client(jt_base_url, NULL, extra);
        JT_EXPECT("GetBills over TLS", out, jc_get_bills(c, "client@example.com", "paid", &out),
                  JC_OK, "\"258368\":");
        JT_EXPECT("DeleteOrder over TLS (kept-alive connection)", out,
                  jc_delete_order(c, "1111", &out), JC_OK, NULL);
        {
            const int want[2] = {JC_OK, JC_ERR_API};
            JT_EXPECT_BATCH("batch over TLS", out,
                            jc_call_batch(c,
                                          "[{\"method\":\"SandboxEcho\",\"params\":{\"a\":1}},"
                                          "{\"method\":\"DeleteOrder\",\"params\":{\"bill_id\":"
                                          "\"1111\"}}]",
                                          2, &out),
                            2, want, NULL);
        }
        jc_client_free(c);
    }

    /* refused: the sandbox's certificate is not signed by a bundled root */
    {
        jc_client *c = jt_client(jt_base_url, NULL, "\"timeout_ms\":30000");
        JT_EXPECT("TLS without the CA", out, jc_get_bills(c, "client@example.com", NULL, &out),
                  JC_ERR_TRANSPORT, "certificates are always verified");
        jc_client_free(c);
    }

    /* a CA file that is not PEM is an argument error, before any traffic */
    {
        jc_client *c = (jc_client *)(void *)&out;
        char *opts = ca_options("/dev/null");
        jc_status st = jc_client_new(jt_login, jt_secret, opts, &c);
        JT_CHECK(st == JC_ERR_INVALID_ARGUMENT);
        JT_CHECK(c == NULL);
        JT_CHECK(strstr(jc_last_error_message(), "ca_file") != NULL);
        free(opts);
        jt_seen(st);
    }
    return jt_finish("tls");
}
