/*
 * Every exported function of the justclick C ABI against a sandbox:
 * arguments (NULL, invalid UTF-8, malformed JSON, wrong types, unknown
 * options), every status 0..9 produced for real, the exact JSON documents,
 * jc_last_error_message, jc_version, jc_status_name.
 */
#include "jc_test.h"

#define BAD_UTF8 "ab\xff" "cd"

static void test_static_functions(void)
{
    static const char *const names[10] = {"ok",           "null_argument", "invalid_argument",
                                          "transport",    "timeout",       "http_status",
                                          "bad_response", "bad_signature", "api",
                                          "panic"};
    JT_CHECK_STR(jc_version(), jt_env("JC_TEST_VERSION"));
    /* The compile-time version is the library's, part by part too. */
    JT_CHECK_STR(jc_version(), JUSTCLICK_VERSION_STRING);
    {
        char parts[64];
        snprintf(parts, sizeof parts, "%d.%d.%d", JUSTCLICK_VERSION_MAJOR,
                 JUSTCLICK_VERSION_MINOR, JUSTCLICK_VERSION_PATCH);
        JT_CHECK_STR(jc_version(), parts);
    }
    JT_CHECK(jc_version() == jc_version()); /* static, not a fresh allocation */
    for (unsigned i = 0; i < 10; i++)
        JT_CHECK_STR(jc_status_name(i), names[i]);
    JT_CHECK_STR(jc_status_name(JC_ERR_BAD_SIGNATURE), "bad_signature");
    JT_CHECK_STR(jc_status_name(10), "unknown");
    JT_CHECK_STR(jc_status_name(UINT32_MAX), "unknown");
    JT_CHECK(JC_OK == 0 && JC_ERR_NULL_ARGUMENT == 1 && JC_ERR_INVALID_ARGUMENT == 2 &&
             JC_ERR_TRANSPORT == 3 && JC_ERR_TIMEOUT == 4 && JC_ERR_HTTP_STATUS == 5 &&
             JC_ERR_BAD_RESPONSE == 6 && JC_ERR_BAD_SIGNATURE == 7 && JC_ERR_API == 8 &&
             JC_ERR_PANIC == 9);
    JT_CHECK(sizeof(jc_status) == 4);
    /* NULL is a no-op for both destructors. */
    jc_string_free(NULL);
    jc_client_free(NULL);
}

/* jc_client_new with `opts`: expects `want`, *out NULL on failure and a
 * last error containing `needle`. */
static void client_new_fails(const char *what, const char *login, const char *secret,
                             const char *opts, jc_status want, const char *needle)
{
    int marker;
    jc_client *c = (jc_client *)(void *)&marker; /* must be overwritten with NULL */
    jc_status st = jc_client_new(login, secret, opts, &c);
    const char *last = jc_last_error_message();
    jt_seen(st);
    if (st != want)
        jt_fail(__FILE__, __LINE__, "%s: status %s, expected %s (%s)", what, jc_status_name(st),
                jc_status_name(want), last);
    else
        jt_pass();
    JT_CHECK(c == NULL);
    if (last == NULL || strstr(last, needle) == NULL)
        jt_fail(__FILE__, __LINE__, "%s: last error \"%s\" lacks \"%s\"", what,
                last ? last : "(NULL)", needle);
    else
        jt_pass();
    if (last && strstr(last, jt_secret))
        jt_fail(__FILE__, __LINE__, "%s: secret in the message", what);
    if (st == JC_OK)
        jc_client_free(c);
}

static void test_client_new(void)
{
    char *opts = jt_options(jt_base_url, "");
    jc_client *c = NULL;

    client_new_fails("NULL login", NULL, jt_secret, opts, JC_ERR_NULL_ARGUMENT, "login is NULL");
    client_new_fails("NULL secret", jt_login, NULL, opts, JC_ERR_NULL_ARGUMENT,
                     "secret is NULL");
    JT_CHECK(jc_client_new(jt_login, jt_secret, opts, NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK_STR(jc_last_error_message(), "out_client is NULL");

    client_new_fails("invalid UTF-8 login", BAD_UTF8, jt_secret, opts, JC_ERR_INVALID_ARGUMENT,
                     "login is not valid UTF-8");
    client_new_fails("invalid UTF-8 secret", jt_login, BAD_UTF8, opts, JC_ERR_INVALID_ARGUMENT,
                     "secret is not valid UTF-8");
    client_new_fails("invalid UTF-8 options", jt_login, jt_secret,
                     "{\"user_agent\":\"" BAD_UTF8 "\"}", JC_ERR_INVALID_ARGUMENT,
                     "options_json is not valid UTF-8");
    client_new_fails("bad login", "evil.com/x?", jt_secret, opts, JC_ERR_INVALID_ARGUMENT,
                     "login");
    client_new_fails("empty login", "", jt_secret, opts, JC_ERR_INVALID_ARGUMENT, "login");
    client_new_fails("malformed options", jt_login, jt_secret, "{\"timeout_ms\":",
                     JC_ERR_INVALID_ARGUMENT, "JSON");
    client_new_fails("options not an object", jt_login, jt_secret, "[1,2]",
                     JC_ERR_INVALID_ARGUMENT, "options must be a JSON object");
    client_new_fails("options a string", jt_login, jt_secret, "\"x\"", JC_ERR_INVALID_ARGUMENT,
                     "options must be a JSON object");
    client_new_fails("unknown option", jt_login, jt_secret, "{\"bogus\":1}",
                     JC_ERR_INVALID_ARGUMENT, "unknown option");
    client_new_fails("wrong type timeout_ms", jt_login, jt_secret, "{\"timeout_ms\":\"5000\"}",
                     JC_ERR_INVALID_ARGUMENT, "timeout_ms");
    client_new_fails("wrong type base_url", jt_login, jt_secret, "{\"base_url\":5}",
                     JC_ERR_INVALID_ARGUMENT, "base_url");
    client_new_fails("wrong type max_response_bytes", jt_login, jt_secret,
                     "{\"max_response_bytes\":true}", JC_ERR_INVALID_ARGUMENT,
                     "max_response_bytes");
    client_new_fails("negative timeout", jt_login, jt_secret, "{\"timeout_ms\":-1}",
                     JC_ERR_INVALID_ARGUMENT, "timeout_ms");
    client_new_fails("missing ca_file", jt_login, jt_secret,
                     "{\"ca_file\":\"/nonexistent/justclick-ca.pem\"}", JC_ERR_INVALID_ARGUMENT,
                     "ca_file");
    client_new_fails("bad base_url", jt_login, jt_secret, "{\"base_url\":\"ftp://x\"}",
                     JC_ERR_INVALID_ARGUMENT, "base_url");

    /* NULL options, "" and "null" are all "defaults"; success clears the message. */
    JT_CHECK(jc_client_new(jt_login, jt_secret, NULL, &c) == JC_OK && c != NULL);
    JT_CHECK_STR(jc_last_error_message(), "");
    jc_client_free(c);
    c = NULL;
    JT_CHECK(jc_client_new(jt_login, jt_secret, "", &c) == JC_OK && c != NULL);
    jc_client_free(c);
    c = NULL;
    JT_CHECK(jc_client_new(jt_login, jt_secret, "null", &c) == JC_OK && c != NULL);
    jc_client_free(c);

    /* The message survives freeing strings and clients. */
    client_new_fails("unknown option again", jt_login, jt_secret, "{\"nope\":1}",
                     JC_ERR_INVALID_ARGUMENT, "unknown option");
    jc_string_free(NULL);
    jc_client_free(NULL);
    JT_CHECK(strstr(jc_last_error_message(), "unknown option") != NULL);

    /* No network I/O at creation: a dead port is fine until a call. */
    {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d", jt_closed_port());
        jc_client *dead = jt_client(url, NULL, "");
        jc_client_free(dead);
    }
    free(opts);
}

static void test_null_arguments(const jc_client *c)
{
    char *out = NULL;
    const char *null_client = "{\"ok\":false,\"status\":\"null_argument\",\"message\":\"client is NULL\"}";
    long before = jt_stat("requests");

    JT_EXPECT_EXACT("delete NULL client", out, jc_delete_order(NULL, "1", &out),
                    JC_ERR_NULL_ARGUMENT, null_client);
    JT_EXPECT("delete NULL bill_id", out, jc_delete_order(c, NULL, &out), JC_ERR_NULL_ARGUMENT,
              "\"message\":\"bill_id is NULL\"");

    JT_EXPECT_EXACT("status NULL client", out, jc_update_order_status(NULL, "1", "paid", 5, NULL, &out),
                    JC_ERR_NULL_ARGUMENT, null_client);
    JT_EXPECT("status NULL bill_id", out, jc_update_order_status(c, NULL, "paid", 5, NULL, &out),
              JC_ERR_NULL_ARGUMENT, "bill_id is NULL");
    JT_EXPECT("status NULL status", out, jc_update_order_status(c, "1", NULL, 5, NULL, &out),
              JC_ERR_NULL_ARGUMENT, "status is NULL");

    JT_EXPECT_EXACT("bills NULL client", out, jc_get_bills(NULL, "a@b.c", NULL, &out),
                    JC_ERR_NULL_ARGUMENT, null_client);
    JT_EXPECT("bills NULL email", out, jc_get_bills(c, NULL, NULL, &out), JC_ERR_NULL_ARGUMENT,
              "email is NULL");

    JT_EXPECT_EXACT("good NULL client", out, jc_update_good(NULL, "{\"good_name\":\"x\"}", &out),
                    JC_ERR_NULL_ARGUMENT, null_client);
    JT_EXPECT("good NULL good_json", out, jc_update_good(c, NULL, &out), JC_ERR_NULL_ARGUMENT,
              "good_json is NULL");

    JT_EXPECT_EXACT("call NULL client", out, jc_call(NULL, "GetAllGoods", NULL, &out),
                    JC_ERR_NULL_ARGUMENT, null_client);
    JT_EXPECT("call NULL method", out, jc_call(c, NULL, NULL, &out), JC_ERR_NULL_ARGUMENT,
              "method is NULL");

    JT_EXPECT_EXACT("batch NULL client", out, jc_call_batch(NULL, "[]", 1, &out),
                    JC_ERR_NULL_ARGUMENT, null_client);
    JT_EXPECT("batch NULL calls_json", out, jc_call_batch(c, NULL, 1, &out),
              JC_ERR_NULL_ARGUMENT, "calls_json is NULL");

    /* out_json NULL is allowed on failure: the status and message still come back. */
    JT_CHECK(jc_delete_order(NULL, "1", NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK_STR(jc_last_error_message(), "client is NULL");
    JT_CHECK(jc_update_order_status(c, NULL, "paid", 1, NULL, NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_get_bills(c, NULL, NULL, NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_update_good(NULL, NULL, NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_call(c, NULL, NULL, NULL) == JC_ERR_NULL_ARGUMENT);
    JT_CHECK(jc_call_batch(NULL, NULL, 0, NULL) == JC_ERR_NULL_ARGUMENT);

    JT_CHECK(jt_stat("requests") == before); /* nothing reached the network */
}

static void test_invalid_arguments(const jc_client *c)
{
    char *out = NULL;
    long before = jt_stat("requests");
    const char *utf8 = "is not valid UTF-8";

    /* invalid UTF-8 in each string argument */
    JT_EXPECT("delete bill_id utf8", out, jc_delete_order(c, BAD_UTF8, &out),
              JC_ERR_INVALID_ARGUMENT, "bill_id is not valid UTF-8 (bad byte at offset 2)");
    JT_EXPECT("status bill_id utf8", out, jc_update_order_status(c, BAD_UTF8, "sent", 5, "1", &out),
              JC_ERR_INVALID_ARGUMENT, "bill_id is not valid UTF-8");
    JT_EXPECT("status status utf8", out, jc_update_order_status(c, "1", BAD_UTF8, 5, "1", &out),
              JC_ERR_INVALID_ARGUMENT, "status is not valid UTF-8");
    JT_EXPECT("status rpo utf8", out, jc_update_order_status(c, "1", "sent", 5, BAD_UTF8, &out),
              JC_ERR_INVALID_ARGUMENT, "rpo is not valid UTF-8");
    JT_EXPECT("bills email utf8", out, jc_get_bills(c, BAD_UTF8, NULL, &out),
              JC_ERR_INVALID_ARGUMENT, "email is not valid UTF-8");
    JT_EXPECT("bills pay_status utf8", out, jc_get_bills(c, "a@b.ru", BAD_UTF8, &out),
              JC_ERR_INVALID_ARGUMENT, "pay_status is not valid UTF-8");
    JT_EXPECT("good utf8", out, jc_update_good(c, "{\"good_name\":\"" BAD_UTF8 "\"}", &out),
              JC_ERR_INVALID_ARGUMENT, "good_json is not valid UTF-8");
    JT_EXPECT("call method utf8", out, jc_call(c, BAD_UTF8, NULL, &out),
              JC_ERR_INVALID_ARGUMENT, "method is not valid UTF-8");
    JT_EXPECT("call params utf8", out, jc_call(c, "SandboxEcho", "{\"a\":\"" BAD_UTF8 "\"}", &out), JC_ERR_INVALID_ARGUMENT, "params_json is not valid UTF-8");
    JT_EXPECT("batch utf8", out, jc_call_batch(c, "[{\"method\":\"" BAD_UTF8 "\"}]", 1, &out),
              JC_ERR_INVALID_ARGUMENT, "calls_json is not valid UTF-8");
    JT_EXPECT("overlong utf8", out, jc_delete_order(c, "\xc0\xaf", &out),
              JC_ERR_INVALID_ARGUMENT, utf8);
    JT_EXPECT("surrogate utf8", out, jc_delete_order(c, "\xed\xa0\x80", &out),
              JC_ERR_INVALID_ARGUMENT, utf8);
    JT_EXPECT("truncated utf8", out, jc_delete_order(c, "12\xd0", &out),
              JC_ERR_INVALID_ARGUMENT, utf8);

    /* malformed JSON */
    JT_EXPECT("good malformed", out, jc_update_good(c, "{\"good_name\":", &out),
              JC_ERR_INVALID_ARGUMENT, "good_json");
    JT_EXPECT("params malformed", out, jc_call(c, "SandboxEcho", "[1,", &out),
              JC_ERR_INVALID_ARGUMENT, "params_json");
    JT_EXPECT("batch malformed", out, jc_call_batch(c, "[{\"method\":\"GetAllGoods\"", 1, &out),
              JC_ERR_INVALID_ARGUMENT, "calls_json");
    JT_EXPECT("good trailing garbage", out, jc_update_good(c, "{\"good_name\":\"x\"} x", &out),
              JC_ERR_INVALID_ARGUMENT, "good_json");
    JT_EXPECT("params duplicate keys", out, jc_call(c, "SandboxEcho", "{\"a\":1,\"a\":2}", &out),
              JC_ERR_INVALID_ARGUMENT, "params_json");

    /* wrong JSON types */
    JT_EXPECT("good is a list", out, jc_update_good(c, "[]", &out), JC_ERR_INVALID_ARGUMENT,
              "good_json");
    JT_EXPECT("good_name a bool", out, jc_update_good(c, "{\"good_name\":true}", &out),
              JC_ERR_INVALID_ARGUMENT, "good_name");
    JT_EXPECT("good_sum an object", out, jc_update_good(c, "{\"good_name\":\"x\",\"good_sum\":{}}", &out), JC_ERR_INVALID_ARGUMENT, "good_sum");
    JT_EXPECT("params a number", out, jc_call(c, "SandboxEcho", "5", &out),
              JC_ERR_INVALID_ARGUMENT, "params_json");
    JT_EXPECT("params a string", out, jc_call(c, "SandboxEcho", "\"a=1\"", &out),
              JC_ERR_INVALID_ARGUMENT, "params_json");
    JT_EXPECT("batch an object", out, jc_call_batch(c, "{\"method\":\"GetAllGoods\"}", 1, &out),
              JC_ERR_INVALID_ARGUMENT, "calls must be a JSON list");
    JT_EXPECT("batch method a number", out, jc_call_batch(c, "[{\"method\":5}]", 1, &out),
              JC_ERR_INVALID_ARGUMENT, "'method' must be a string");
    JT_EXPECT("batch params a list", out, jc_call_batch(c, "[{\"method\":\"X\",\"params\":[1]}]", 1, &out), JC_ERR_INVALID_ARGUMENT, "'params' must be an object");
    JT_EXPECT("batch idempotent a string", out, jc_call_batch(c, "[{\"method\":\"X\",\"idempotent\":\"yes\"}]", 1, &out),
              JC_ERR_INVALID_ARGUMENT, "idempotent");

    /* unknown names */
    JT_EXPECT("good unknown field", out, jc_update_good(c, "{\"good_name\":\"x\",\"good_nam\":\"y\"}", &out), JC_ERR_INVALID_ARGUMENT, "good_nam");
    JT_EXPECT("batch unknown key", out, jc_call_batch(c, "[{\"method\":\"X\",\"bogus\":1}]", 1, &out), JC_ERR_INVALID_ARGUMENT, "unknown key");

    /* values the endpoints reject before any traffic */
    JT_EXPECT("empty bill_id", out, jc_delete_order(c, "", &out), JC_ERR_INVALID_ARGUMENT,
              "bill_id");
    JT_EXPECT("bad order status", out, jc_update_order_status(c, "1", "shipped", 5, NULL, &out),
              JC_ERR_INVALID_ARGUMENT, "shipped");
    JT_EXPECT("paid without date", out, jc_update_order_status(c, "1", "paid", 0, NULL, &out),
              JC_ERR_INVALID_ARGUMENT, "date");
    JT_EXPECT("sent without rpo", out, jc_update_order_status(c, "1", "sent", 5, "", &out),
              JC_ERR_INVALID_ARGUMENT, "rpo");
    JT_EXPECT("bad email", out, jc_get_bills(c, "not-an-email", NULL, &out),
              JC_ERR_INVALID_ARGUMENT, "email");
    JT_EXPECT("bad pay_status", out, jc_get_bills(c, "a@b.ru", "sometimes", &out),
              JC_ERR_INVALID_ARGUMENT, "sometimes");
    JT_EXPECT("good without name", out, jc_update_good(c, "{\"good_title\":\"x\"}", &out),
              JC_ERR_INVALID_ARGUMENT, "good_name");
    JT_EXPECT("good empty", out, jc_update_good(c, "", &out), JC_ERR_INVALID_ARGUMENT,
              "good_json");
    JT_EXPECT("bad method", out, jc_call(c, "Get-All", NULL, &out), JC_ERR_INVALID_ARGUMENT,
              "method");
    JT_EXPECT("empty method", out, jc_call(c, "", NULL, &out), JC_ERR_INVALID_ARGUMENT,
              "method");
    JT_EXPECT("params key hash", out, jc_call(c, "SandboxEcho", "{\"hash\":\"x\"}", &out),
              JC_ERR_INVALID_ARGUMENT, "hash");
    JT_EXPECT("params key PHP mangles", out, jc_call(c, "SandboxEcho", "{\"a.b\":1}", &out),
              JC_ERR_INVALID_ARGUMENT, "a.b");
    JT_EXPECT("batch concurrency 0", out, jc_call_batch(c, "[{\"method\":\"GetAllGoods\"}]", 0, &out), JC_ERR_INVALID_ARGUMENT, "concurrency");
    JT_EXPECT("batch concurrency 65", out, jc_call_batch(c, "[{\"method\":\"GetAllGoods\"}]", 65, &out), JC_ERR_INVALID_ARGUMENT, "concurrency");
    {
        /* a call the library rejects fails alone, inside an OK batch */
        const int want[1] = {JC_ERR_INVALID_ARGUMENT};
        JT_EXPECT_BATCH("batch bad method", out,
                        jc_call_batch(c, "[{\"method\":\"A B\"}]", 1, &out), 1, want, NULL);
    }

    /* JSON arguments above 16 MiB are refused without parsing */
    {
        size_t n = (16u << 20) + 16;
        char *big = malloc(n + 1);
        if (big == NULL)
            abort();
        memset(big, ' ', n);
        memcpy(big, "{\"a\":\"", 6);
        memcpy(big + n - 2, "\"}", 2);
        big[n] = '\0';
        JT_EXPECT("params too large", out, jc_call(c, "SandboxEcho", big, &out),
                  JC_ERR_INVALID_ARGUMENT, "larger than");
        free(big);
    }

    JT_CHECK(jt_stat("requests") == before); /* nothing reached the network */
}

static void test_calls(const jc_client *c)
{
    char *out = NULL;

    /* the four endpoints, with exact documents where the seed makes them fixed */
    JT_EXPECT_EXACT("delete 1111", out, jc_delete_order(c, "1111", &out), JC_OK,
                    "{\"ok\":true,\"error_code\":0,\"error_text\":\"Заказ удален\",\"result\":null}");
    JT_EXPECT_EXACT("delete 1111 again", out, jc_delete_order(c, "1111", &out), JC_ERR_API,
                    "{\"ok\":false,\"status\":\"api\",\"message\":\"JustClick API error 200: "
                    "Заказ не существует\",\"error_code\":200,\"error_text\":\"Заказ не существует\"}");
    JT_EXPECT_EXACT("sent 100000", out, jc_update_order_status(c, "100000", "sent", 1362254400,
                                                          "10000000000000", &out), JC_OK,
                    "{\"ok\":true,\"error_code\":0,\"error_text\":\"Статус заказа изменен\","
                    "\"result\":null}");
    JT_EXPECT("paid 300001, rpo NULL", out, jc_update_order_status(c, "300001", "paid", 1362254400,
                                                              NULL, &out), JC_OK, NULL);
    JT_EXPECT("cancel 258369, no date", out, jc_update_order_status(c, "258369", "cancel", 0, NULL, &out), JC_OK, NULL);
    JT_EXPECT("status of a missing order", out, jc_update_order_status(c, "999", "return", -5, NULL, &out), JC_ERR_API, "\"error_code\":200,");
    JT_EXPECT_EXACT("bills paid", out, jc_get_bills(c, "client@example.com", "paid", &out), JC_OK,
                    "{\"ok\":true,\"error_code\":0,\"error_text\":\"OK\",\"result\":{\"258367\":"
                    "{\"12549\":{\"good_name\":\"oplata\",\"good_title\":\"Оплата за тренинг\"}},"
                    "\"258368\":{\"13011\":{\"good_name\":\"sales\",\"good_title\":\"Продажи в "
                    "кинотеатрах\"},\"28363\":{\"good_name\":\"222\",\"good_title\":\"222 "
                    "способа\"}}}}");
    JT_EXPECT("bills all (NULL pay_status)", out, jc_get_bills(c, "client@example.com", NULL, &out), JC_OK, "\"258369\":");
    JT_EXPECT("bills all (\"\" pay_status)", out, jc_get_bills(c, "client@example.com", "", &out),
              JC_OK, "\"258369\":");
    JT_EXPECT("bills of nobody", out, jc_get_bills(c, "nobody@example.com", NULL, &out),
              JC_ERR_API, "\"error_code\":400,");
    JT_EXPECT_EXACT("update super_tovar", out, jc_update_good(c, "{\"good_name\":\"super_tovar\",\"good_sum\":\"1500.50\","
                                      "\"good_title\":\"Супер набор\"}",
                                   &out), JC_OK,
                    "{\"ok\":true,\"error_code\":0,\"error_text\":\"Продукт обновлен\",\"result\":null}");
    JT_EXPECT("update a missing good", out, jc_update_good(c, "{\"good_name\":\"nope\"}", &out),
              JC_ERR_API, "\"error_code\":3,");
    JT_EXPECT("GetAllGoods", out, jc_call(c, "GetAllGoods", NULL, &out), JC_OK,
              "\"good_name\":\"super_tovar\",\"good_title\":\"Супер набор\",\"good_sum\":\"1500.5\"");
    JT_EXPECT_EXACT("SandboxEcho", out, jc_call(c, "SandboxEcho",
                                           "{\"b\":\"x y\",\"a\":[1,true,null,{\"k\":\"v\"}],"
                                           "\"n\":null}",
                                           &out), JC_OK,
                    "{\"ok\":true,\"error_code\":0,\"error_text\":\"OK\",\"result\":{\"b\":\"x y\","
                    "\"a\":{\"0\":\"1\",\"1\":\"1\",\"3\":{\"k\":\"v\"}}}}");
    JT_EXPECT("AddLeadToGroup", out, jc_call(c, "AddLeadToGroup", "{\"rid\":[\"second\"],"
                                        "\"lead_email\":\"x@example.com\"}", &out), JC_OK,
              "\"error_text\":\"Activation email sent to subscriber\"");
    JT_EXPECT("call \"\" params", out, jc_call(c, "GetAllGoods", "", &out), JC_OK, NULL);
    JT_EXPECT("call {} params", out, jc_call(c, "GetAllGoods", "{}", &out), JC_OK, NULL);
    JT_EXPECT("unknown method is HTTP 404", out, jc_call(c, "NoSuchMethod", NULL, &out),
              JC_ERR_HTTP_STATUS, "\"http_status\":404}");

    /* out_json NULL on success */
    JT_CHECK(jc_call(c, "GetAllGoods", NULL, NULL) == JC_OK);
    JT_CHECK_STR(jc_last_error_message(), "");
    JT_CHECK(jc_delete_order(c, "1111", NULL) == JC_ERR_API);
    JT_CHECK(strstr(jc_last_error_message(), "200") != NULL);
    JT_CHECK(jc_get_bills(c, "client@example.com", "cancel", NULL) == JC_OK);
    JT_CHECK(jc_update_good(c, "{\"good_name\":\"sales\",\"good_sum\":1}", NULL) == JC_OK);
    JT_CHECK(jc_update_order_status(c, "258368", "return", 0, "", NULL) == JC_OK);
    JT_CHECK(jc_call_batch(c, "[{\"method\":\"GetAllGoods\"}]", 1, NULL) == JC_OK);

    /* a batch: documents in input order, one failure does not fail the others */
    {
        const int want[5] = {JC_OK, JC_ERR_API, JC_ERR_HTTP_STATUS, JC_OK, JC_ERR_INVALID_ARGUMENT};
        JT_EXPECT_BATCH("batch of 5", out, jc_call_batch(
            c,
            "[{\"method\":\"GetBills\",\"params\":{\"email\":\"client@example.com\"}},"
            "{\"method\":\"DeleteOrder\",\"params\":{\"bill_id\":\"1111\"}},"
            "{\"method\":\"Nope\"},"
            "{\"method\":\"SandboxEcho\",\"params\":{\"i\":3},\"idempotent\":true},"
            "{\"method\":\"SandboxEcho\",\"params\":{\"hash\":\"x\"}}]",
            3, &out), 5, want, NULL);
        jc_status st = jc_call_batch(c, "[]", 4, &out);
        JT_CHECK(st == JC_OK && out != NULL && strcmp(out, "[]") == 0);
        jc_string_free(out);
    }
}

/* Statuses that need a server misbehaving or a bad setup. */
static void test_error_statuses(void)
{
    char *out = NULL;
    char url[64];

    /* transport: nobody listens */
    snprintf(url, sizeof url, "http://127.0.0.1:%d", jt_closed_port());
    jc_client *dead = jt_client(url, NULL, "\"timeout_ms\":5000");
    JT_EXPECT("connection refused", out, jc_delete_order(dead, "1", &out), JC_ERR_TRANSPORT, NULL);
    jc_client_free(dead);

    /* bad signature: the answer is signed with a key the client does not have */
    jc_client *wrong = jt_client(jt_base_url, "not-the-secret", "");
    JT_EXPECT("wrong secret", out, jc_get_bills(wrong, "client@example.com", NULL, &out),
              JC_ERR_BAD_SIGNATURE, NULL);
    jc_client_free(wrong);

    /* timeout: the answer is held back longer than the client waits */
    jc_client *quick = jt_client(jt_base_url, NULL, "\"timeout_ms\":700");
    jt_fault("mode=stall&rate=1&stall_ms=2500");
    JT_EXPECT("stalled answer", out, jc_call(quick, "GetAllGoods", NULL, &out), JC_ERR_TIMEOUT,
              "\"status\":\"timeout\"");
    jc_client_free(quick);

    /* bad response: an HTML page with status 200 */
    jc_client *c = jt_client(jt_base_url, NULL, "");
    jt_fault("mode=non-json&rate=1");
    JT_EXPECT("HTML answer", out, jc_call(c, "GetAllGoods", NULL, &out), JC_ERR_BAD_RESPONSE,
              NULL);
    jt_fault("mode=none");
    JT_EXPECT("recovered", out, jc_call(c, "GetAllGoods", NULL, &out), JC_OK, NULL);
    jc_client_free(c);
}

/* A batch deadline (batch_timeout_ms) leaves the calls not started by then
 * unsent. (A panicking call of a batch: tests/c/hooks.c.) */
static void test_batch_deadline(void)
{
    char *out = NULL;
    /* 6 answers of 300 ms one at a time take 1.8 s; the deadline is 500 ms. */
    static const char slow[] = "[{\"method\":\"SandboxEcho\"},{\"method\":\"SandboxEcho\"},"
                               "{\"method\":\"SandboxEcho\"},{\"method\":\"SandboxEcho\"},"
                               "{\"method\":\"SandboxEcho\"},{\"method\":\"SandboxEcho\"}]";
    const int any[6] = {-1, -1, -1, -1, -1, -1};
    int got[6];
    jc_client *c = jt_client(jt_base_url, NULL, "\"batch_timeout_ms\":500");
    jt_fault("mode=none&delay_ms=300");
    long before = jt_stat("requests");
    JT_EXPECT_BATCH("batch past its deadline", out, jc_call_batch(c, slow, 1, &out), 6, any, got);
    long sent = jt_stat("requests") - before;
    jt_fault("mode=none&delay_ms=0");
    long ok = 0, unsent = 0;
    for (int i = 0; i < 6; i++) {
        ok += got[i] == JC_OK;
        unsent += got[i] == JC_ERR_TIMEOUT;
    }
    JT_CHECK(ok >= 1 && unsent >= 1 && ok + unsent == 6);
    JT_CHECK(sent == ok); /* unsent calls never reach the server */
    jc_client_free(c);
}

int main(void)
{
    jt_init();
    test_static_functions();
    test_client_new();
    jc_client *c = jt_client(jt_base_url, NULL, "");
    test_null_arguments(c);
    test_invalid_arguments(c);
    test_calls(c);
    jc_client_free(c);
    test_error_statuses();
    test_batch_deadline();
    /* JC_ERR_PANIC needs the test build's hook: tests/c/hooks.c. */
    jt_require_statuses(JT_ALL_STATUSES & ~(1u << JC_ERR_PANIC));
    return jt_finish("api");
}
