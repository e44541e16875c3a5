/*
 * The options builder from C (jc_options_*, jc_client_new_with_options):
 * setters refuse unknown keys, wrong types and out-of-range values with the
 * JSON form's messages; the client-wide checks run at creation; a builder
 * serves several clients and may be freed before them; the user_agent set
 * is exactly what the sandbox receives; `persistent` clients share one
 * connection, which outlives them; nothing leaks (the persistent pool is
 * kept by the library until the process exits: still reachable, which
 * valgrind and LeakSanitizer do not count as a leak).
 */
#include "jc_test.h"

#include <stdbool.h>

/* The message of `json` given to jc_client_new (expected to fail). */
static void json_message(const char *json, char *buf, size_t cap)
{
    jc_client *c = NULL;
    jc_status st = jc_client_new(jt_login, jt_secret, json, &c);
    JT_CHECK(st == JC_ERR_INVALID_ARGUMENT);
    snprintf(buf, cap, "%s", jc_last_error_message());
}

/* Whether the sandbox's last API request carried exactly User-Agent `ua`
 * (the closing quote in the pattern rules out a longer value). */
static bool last_user_agent_is(const char *ua)
{
    static char body[1 << 16];
    char want[256];
    int st = jt_admin("GET", "/__sandbox/stats", NULL, body, sizeof body);
    snprintf(want, sizeof want, "\"last_user_agent\":\"%s\"", ua);
    if (st != 200 || strstr(body, want) == NULL) {
        fprintf(stderr, "expected %s in the sandbox's stats: %s\n", want, body);
        return false;
    }
    return true;
}

/* A setter's failure: JC_ERR_INVALID_ARGUMENT with the JSON form's message. */
static void check_same_as_json(jc_status st, const char *json)
{
    char setter[512], from_json[512];
    snprintf(setter, sizeof setter, "%s", jc_last_error_message());
    JT_CHECK(st == JC_ERR_INVALID_ARGUMENT);
    json_message(json, from_json, sizeof from_json);
    JT_CHECK_STR(setter, from_json);
}

int main(void)
{
    jc_options *o = NULL, *defaults = NULL, *po = NULL;
    jc_client *a = NULL, *b = NULL, *c = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;
    char *out = NULL;
    char default_ua[64];
    long before;
    jt_init();
    snprintf(default_ua, sizeof default_ua, "justclick/%s", jt_env("JC_TEST_VERSION"));

    JT_CHECK(jc_options_new(NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_options_new(&o) == JC_OK && o != NULL);

    /* the setters: unknown key, wrong type, out of range */
    check_same_as_json(jc_options_set_int(o, "timeout", 5), "{\"timeout\":5}");
    check_same_as_json(jc_options_set_str(o, "timeout_ms", "5"), "{\"timeout_ms\":\"5\"}");
    check_same_as_json(jc_options_set_int(o, "timeout_ms", 0), "{\"timeout_ms\":0}");
    check_same_as_json(jc_options_set_int(o, "max_response_bytes", -1),
                       "{\"max_response_bytes\":-1}");
    check_same_as_json(jc_options_set_int(o, "rate_limit_retries", 11),
                       "{\"rate_limit_retries\":11}");
    check_same_as_json(jc_options_set_bool(o, "base_url", true), "{\"base_url\":true}");
    check_same_as_json(jc_options_set_int(o, "persistent", 1), "{\"persistent\":1}");
    JT_CHECK(jc_options_set_str(o, "user_agent", "\xff") == JC_ERR_INVALID_ARGUMENT);
    JT_CHECK(strstr(jc_last_error_message(), "UTF-8") != NULL);
    JT_CHECK(jc_options_set_str(o, NULL, "x") == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_options_set_str(o, "base_url", NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_options_set_int(NULL, "timeout_ms", 5) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(strstr(jc_last_error_message(), "NULL") != NULL);

    /* a value the client refuses as a whole: at creation, *out_client NULL */
    JT_CHECK(jc_options_set_str(o, "base_url", "http://example.com") == JC_OK);
    JT_CHECK(strcmp(jc_last_error_message(), "") == 0);
    c = (jc_client *)(void *)&out;
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, o, &c) == JC_ERR_INVALID_ARGUMENT);
    JT_CHECK(c == NULL);
    JT_CHECK(strstr(jc_last_error_message(), "base_url") != NULL);
    JT_CHECK(jc_client_new_with_options(NULL, jt_secret, o, &c) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, o, NULL) == JC_ERR_NULL_ARGUMENT);

    /* fixed (setting a key again replaces it); two clients, builder freed first */
    JT_CHECK(jc_options_set_str(o, "base_url", jt_base_url) == JC_OK);
    JT_CHECK(jc_options_set_str(o, "proxy", "") == JC_OK);
    JT_CHECK(jc_options_set_int(o, "timeout_ms", 30000) == JC_OK);
    JT_CHECK(jc_options_set_bool(o, "allow_insecure_http", false) == JC_OK);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, o, &a) == JC_OK && a != NULL);
    /* changing the builder afterwards does not touch the first client */
    JT_CHECK(jc_options_set_str(o, "user_agent", "options-test/1") == JC_OK);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, o, &b) == JC_OK && b != NULL);
    JT_CHECK(jc_options_set_str(o, "base_url", "http://127.0.0.1:1") == JC_OK);
    jc_options_free(o);
    jc_options_free(NULL);

    JT_EXPECT("GetBills through a builder's client", out,
              jc_get_bills(a, "client@example.com", "paid", &out), JC_OK, "\"258368\":");
    JT_CHECK(last_user_agent_is(default_ua));
    JT_EXPECT("DeleteOrder through the second client", out, jc_delete_order(b, "1111", &out),
              JC_OK, NULL);
    JT_CHECK(last_user_agent_is("options-test/1"));
    JT_EXPECT("the order is gone", out, jc_delete_order(a, "1111", &out), JC_ERR_API, NULL);
    JT_CHECK(last_user_agent_is(default_ua));
    /* not persistent: each client has its own connection */
    JT_CHECK(jt_stat("api_connections") == 2);
    jc_client_free(a);
    jc_client_free(b);

    /* persistent: two clients of one builder share one connection, and a
     * third made after both are freed still finds it (idle connections kept
     * for an hour, so no slow step can retire it in between) */
    JT_CHECK(jc_options_new(&po) == JC_OK);
    JT_CHECK(jc_options_set_str(po, "base_url", jt_base_url) == JC_OK);
    JT_CHECK(jc_options_set_str(po, "proxy", "") == JC_OK);
    JT_CHECK(jc_options_set_str(po, "user_agent", "options-test/persistent") == JC_OK);
    JT_CHECK(jc_options_set_int(po, "idle_timeout_ms", 3600000) == JC_OK);
    JT_CHECK(jc_options_set_bool(po, "persistent", 1) == JC_OK);
    before = jt_stat("api_connections");
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, po, &p1) == JC_OK && p1 != NULL);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, po, &p2) == JC_OK && p2 != NULL);
    JT_EXPECT("GetBills through the first persistent client", out,
              jc_get_bills(p1, "client@example.com", "paid", &out), JC_OK, "\"258368\":");
    JT_EXPECT("GetBills through the second persistent client", out,
              jc_get_bills(p2, "client@example.com", "paid", &out), JC_OK, "\"258368\":");
    JT_CHECK(last_user_agent_is("options-test/persistent"));
    JT_CHECK(jt_stat("api_connections") == before + 1);
    jc_client_free(p1);
    jc_client_free(p2);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, po, &p3) == JC_OK && p3 != NULL);
    jc_options_free(po);
    JT_EXPECT("GetBills through a persistent client made later", out,
              jc_get_bills(p3, "client@example.com", "paid", &out), JC_OK, "\"258368\":");
    JT_CHECK(jt_stat("api_connections") == before + 1);
    JT_CHECK(jt_stat("requests") == 6);
    jc_client_free(p3);

    /* NULL options and an empty builder: every default (no traffic) */
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, NULL, &c) == JC_OK && c != NULL);
    jc_client_free(c);
    JT_CHECK(jc_options_new(&defaults) == JC_OK);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, defaults, &c) == JC_OK);
    jc_client_free(c);
    jc_options_free(defaults);

    return jt_finish("options");
}
