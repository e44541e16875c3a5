/*
 * The options builder from C (jc_options_*, jc_client_new_with_options):
 * setters refuse unknown keys, wrong types and out-of-range values with the
 * JSON form's messages; the client-wide checks run at creation; a builder
 * serves several clients and may be freed before them; nothing leaks.
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
    jc_options *o = NULL, *defaults = NULL;
    jc_client *a = NULL, *b = NULL, *c = NULL;
    char *out = NULL;
    jt_init();

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
    JT_EXPECT("DeleteOrder through the second client", out, jc_delete_order(b, "1111", &out),
              JC_OK, NULL);
    JT_EXPECT("the order is gone", out, jc_delete_order(a, "1111", &out), JC_ERR_API, NULL);
    jc_client_free(a);
    jc_client_free(b);

    /* NULL options and an empty builder: every default (no traffic) */
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, NULL, &c) == JC_OK && c != NULL);
    jc_client_free(c);
    JT_CHECK(jc_options_new(&defaults) == JC_OK);
    JT_CHECK(jc_client_new_with_options(jt_login, jt_secret, defaults, &c) == JC_OK);
    jc_client_free(c);
    jc_options_free(defaults);

    return jt_finish("options");
}
