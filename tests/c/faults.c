/*
 * Every sandbox fault mode mapped to its status through the C ABI, for
 * single calls (a read and a write) and for batches, and the client working
 * again afterwards. Under valgrind this is also the leak check for the
 * failure paths: timeouts, resets, truncated and oversized answers.
 */
#include "jc_test.h"

typedef struct {
    const char *form;   /* POST /__sandbox/fault body */
    int status;         /* expected jc_status */
    const char *needle; /* must occur in the document */
    int slow;           /* use the client with the short timeout */
} fault_case;

static const fault_case cases[] = {
    {"mode=none", JC_OK, NULL, 0},
    {"mode=http500", JC_ERR_HTTP_STATUS, "\"http_status\":500}", 0},
    {"mode=http502", JC_ERR_HTTP_STATUS, "\"http_status\":502}", 0},
    {"mode=wrong-hash", JC_ERR_BAD_SIGNATURE, "does not verify", 0},
    {"mode=magic-hash", JC_ERR_BAD_SIGNATURE, "does not verify", 0},
    {"mode=missing-hash", JC_ERR_BAD_SIGNATURE, "no 'hash'", 0},
    {"mode=nonstring-hash", JC_ERR_BAD_SIGNATURE, "not a string", 0},
    {"mode=string-code", JC_OK, NULL, 0},
    {"mode=truncate", JC_ERR_BAD_RESPONSE, "truncated", 0},
    {"mode=non-json", JC_ERR_BAD_RESPONSE, "HTML page", 0},
    {"mode=close", JC_ERR_TRANSPORT, "closed", 0},
    {"mode=reset", JC_ERR_TRANSPORT, NULL, 0},
    {"mode=huge", JC_ERR_BAD_RESPONSE, "max_response_bytes", 0},
    {"mode=slow", JC_ERR_TIMEOUT, "timed out", 1},
    {"mode=stall&stall_ms=3000", JC_ERR_TIMEOUT, "timed out", 1},
    {"mode=deep-json", JC_ERR_BAD_RESPONSE, "recursion", 0},
    {"mode=invalid-utf8", JC_ERR_BAD_RESPONSE, "not valid JSON", 0},
    {"mode=redirect", JC_ERR_HTTP_STATUS, "\"http_status\":302}", 0},
    {"mode=rate-limit", JC_ERR_API, "\"error_code\":8,", 0},
};

static const char *const BATCH =
    "[{\"method\":\"GetBills\",\"params\":{\"email\":\"client@example.com\"}},"
    "{\"method\":\"UpdateGood\",\"params\":{\"good_name\":\"super_tovar\",\"good_sum\":5}},"
    "{\"method\":\"SandboxEcho\",\"params\":{\"x\":1},\"idempotent\":true}]";

static void recover(const jc_client *c, const char *after)
{
    char *out = NULL;
    char what[128];
    jt_fault("mode=none&rate=1&stall_ms=5000");
    snprintf(what, sizeof what, "recovery after %s", after);
    JT_EXPECT(what, out, jc_get_bills(c, "client@example.com", "paid", &out), JC_OK,
              "\"258367\":");
}

static void test_each_mode(const jc_client *normal, const jc_client *quick)
{
    char *out = NULL;
    char what[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const fault_case *fc = &cases[i];
        const jc_client *c = fc->slow ? quick : normal;
        char form[128];
        snprintf(form, sizeof form, "%s&rate=1", fc->form);
        jt_fault(form);

        snprintf(what, sizeof what, "%s: GetBills", fc->form);
        JT_EXPECT(what, out, jc_get_bills(c, "client@example.com", NULL, &out), fc->status,
                  fc->needle);

        snprintf(what, sizeof what, "%s: UpdateGood", fc->form);
        JT_EXPECT(what, out,
                  jc_update_good(c, "{\"good_name\":\"super_tovar\",\"good_sum\":\"100\"}", &out),
                  fc->status, fc->needle);

        snprintf(what, sizeof what, "%s: jc_call", fc->form);
        JT_EXPECT(what, out, jc_call(c, "SandboxEcho", "{\"q\":\"fault\"}", &out), fc->status,
                  fc->needle);

        /* out_json NULL on the failure path: nothing to free, no leak */
        JT_CHECK(jc_call(c, "GetAllGoods", NULL, NULL) == (jc_status)fc->status);

        snprintf(what, sizeof what, "%s: batch", fc->form);
        {
            const int want[3] = {fc->status, fc->status, fc->status};
            JT_EXPECT_BATCH(what, out, jc_call_batch(c, BATCH, 3, &out), 3, want, NULL);
        }
        recover(normal, fc->form);
    }
}

/* Random resets, closes, 500s, 502s and stalls: every outcome documented. */
static void test_storm(const jc_client *c)
{
    char *out = NULL;
    int failed = 0;
    jt_fault("mode=storm&rate=0.7&stall_ms=200");
    for (int i = 0; i < 16; i++) {
        jc_status st = jc_get_bills(c, "client@example.com", "paid", &out);
        int doc = jt_doc_status(out, strlen(out));
        jt_seen(st);
        if (doc != (int)st ||
            !(st == JC_OK || st == JC_ERR_TRANSPORT || st == JC_ERR_HTTP_STATUS))
            jt_fail(__FILE__, __LINE__, "storm call %d: status %s, document %s", i,
                    jc_status_name(st), out);
        else
            jt_pass();
        failed += st != JC_OK;
        jc_string_free(out);
        out = NULL;
    }
    JT_CHECK(failed > 0);
    {
        int want[8], got[8], batch_failed = 0;
        for (int i = 0; i < 8; i++)
            want[i] = -1;
        JT_EXPECT_BATCH("storm batch", out,
                        jc_call_batch(c,
                                      "[{\"method\":\"GetAllGoods\"},{\"method\":\"GetAllGoods\"},"
                                      "{\"method\":\"GetAllGoods\"},{\"method\":\"GetAllGoods\"},"
                                      "{\"method\":\"GetAllGoods\"},{\"method\":\"GetAllGoods\"},"
                                      "{\"method\":\"GetAllGoods\"},{\"method\":\"GetAllGoods\"}]",
                                      4, &out),
                        8, want, got);
        for (int i = 0; i < 8; i++) {
            JT_CHECK(got[i] == JC_OK || got[i] == JC_ERR_TRANSPORT ||
                     got[i] == JC_ERR_HTTP_STATUS);
            batch_failed += got[i] != JC_OK;
        }
        JT_CHECK(batch_failed > 0);
    }
    recover(c, "storm");
}

int main(void)
{
    jt_init();
    /* Batches retry rate-limit answers: keep that quick. */
    jc_client *normal = jt_client(jt_base_url, NULL,
                                  "\"timeout_ms\":20000,\"max_response_bytes\":1048576,"
                                  "\"rate_limit_retries\":2,\"rate_limit_backoff_ms\":10");
    jc_client *quick = jt_client(jt_base_url, NULL, "\"timeout_ms\":1000");
    test_each_mode(normal, quick);
    test_storm(normal);
    jc_client_free(quick);
    jc_client_free(normal);
    return jt_finish("faults");
}
