/*
 * A shop's whole day through the per-method C functions against the sandbox
 * as the service (issue 14, "Done means"): every jc_<snake> method called
 * successfully with realistic parameters and its success document checked;
 * a product whose notification URLs point at the loopback receiver run by
 * tests/c_methods_flow.rs; an order created, created again (outcome
 * "already_exists" with the same bill_id), read back and paid; and both
 * notifications the sandbox sent verified with jc_verify_notification;
 * then the original four functions (GetBills, UpdateGood, DeleteOrder) on the
 * same order and product.
 *
 * Extra environment (set by tests/c_methods_flow.rs):
 *   JC_TEST_NOTIFY_URL  base URL of the receiver (http://127.0.0.1:PORT)
 *   JC_TEST_NOTIFY_DIR  where the receiver stores the N-th body it got as
 *                       N.body (renamed into place once complete)
 */
#include "jc_test.h"

#include <time.h>

/* Generous: the sandbox sends from its own thread, and valgrind is slow. */
#define NOTIFY_WAIT_SECONDS 60

/* A fixed creation time (14.11.2023 22:13:20 UTC) makes the
 * getOrdersWithGoods range below independent of today's date. */
#define BILL_CREATED "1700000000"
#define PAID_AT 1700003600

static const char *notify_url;
static const char *notify_dir;

/* Runs `call`, requires JC_OK and the success schema (JT_EXPECT), and that
 * every needle (NULL-terminated list) occurs in the document. Returns the
 * document (caller frees) so that values can be read from it. */
static char *expect_ok_at(int line, const char *what, jc_status st, char *out,
                          const char *const *needles)
{
    if (st != JC_OK || out == NULL) {
        jt_fail(__FILE__, line, "%s: status %d, document %s", what, (int)st,
                out ? out : "(NULL)");
        jc_string_free(out);
        return NULL;
    }
    /* Call documents have the header's schema; jc_verify_notification's
     * has its own, checked by the needles. */
    static const char verify_doc[] = "{\"ok\":true,\"event\":";
    int ok = strncmp(out, verify_doc, strlen(verify_doc)) == 0 ||
             jt_doc_status(out, strlen(out)) == JC_OK;
    if (!ok) {
        jt_fail(__FILE__, line, "%s: not a success document: %s", what, out);
    } else {
        jt_pass();
    }
    for (const char *const *n = needles; n != NULL && *n != NULL; n++) {
        if (strstr(out, *n) != NULL) {
            jt_pass();
        } else {
            jt_fail(__FILE__, line, "%s: `%s` not in %s", what, *n, out);
        }
    }
    return out;
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* out = call; checks; frees. */
#define EXPECT_OK(what, out, call, ...)                                                 \
    do {                                                                                \
        jc_status st_ = (call);                                                         \
        jc_string_free(expect_ok_at(__LINE__, (what), st_, (out), NEEDLES(__VA_ARGS__))); \
        (out) = NULL;                                                                   \
    } while (0)

/* out = call; checks; keeps the document in *keep (caller frees). */
#define EXPECT_OK_KEEP(what, out, keep, call, ...)                             \
    do {                                                                       \
        jc_status st_ = (call);                                                \
        (keep) = expect_ok_at(__LINE__, (what), st_, (out), NEEDLES(__VA_ARGS__)); \
        (out) = NULL;                                                          \
    } while (0)

/* The digits after `"bill_id":` in doc, or "" (bill ids are < 20 digits). */
static void bill_id_of(const char *doc, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *p = doc ? strstr(doc, "\"bill_id\":") : NULL;
    if (p == NULL) {
        return;
    }
    p += strlen("\"bill_id\":");
    if (*p == '"') {
        p++;
    }
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9' && n + 1 < cap) {
        n++;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
}

/* Waits for the receiver's `n`.body and returns its bytes (not
 * NUL-terminated: an exact-size heap copy, so that a read past body_len is
 * caught by valgrind and ASan), or NULL after the deadline. */
static char *wait_notification(int n, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.body", notify_dir, n);
    for (int i = 0; i < NOTIFY_WAIT_SECONDS * 50; i++) {
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            char tmp[65536];
            size_t got = fread(tmp, 1, sizeof tmp, f);
            fclose(f);
            char *body = malloc(got > 0 ? got : 1);
            if (body == NULL) {
                return NULL;
            }
            memcpy(body, tmp, got);
            *len = got;
            return body;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    jt_fail(__FILE__, __LINE__, "no notification %s after %d s", path, NOTIFY_WAIT_SECONDS);
    return NULL;
}

/* Verifies the receiver's `n`-th body: event `event`, verified, about
 * order `bill_id`, paid at `paid` when not NULL. */
static void verify_received(jc_client *client, int n, const char *event, const char *bill_id,
                            const char *paid)
{
    size_t len = 0;
    char *body = wait_notification(n, &len);
    if (body == NULL) {
        return;
    }
    char *out = NULL;
    char want_event[64], want_id[64], want_paid[64];
    snprintf(want_event, sizeof want_event, "\"event\":\"%s\",\"verified\":true,", event);
    snprintf(want_id, sizeof want_id, "\"id\":\"%s\"", bill_id);
    snprintf(want_paid, sizeof want_paid, "\"paid\":\"%s\"", paid ? paid : "");
    EXPECT_OK(event, out, jc_verify_notification(client, body, len, &out), want_event,
              "\"hash_rule\":\"documented\"", want_id, "\"email\":\"c-buyer@example.com\"",
              paid ? want_paid : "\"fields\":{");

    /* The same body with the order number changed must not verify. */
    char *forged = malloc(len + 8);
    size_t flen = 0;
    const char *at = NULL;
    char needle[64];
    snprintf(needle, sizeof needle, "id=%s&", bill_id);
    for (size_t i = 0; i + strlen(needle) <= len; i++) {
        if ((i == 0 || body[i - 1] == '&') && memcmp(body + i, needle, strlen(needle)) == 0) {
            at = body + i;
            break;
        }
    }
    JT_CHECK(at != NULL);
    if (forged != NULL && at != NULL) {
        size_t head = (size_t)(at - body) + 3; /* through "id=" */
        memcpy(forged, body, head);
        forged[head] = '9';
        memcpy(forged + head + 1, body + head, len - head);
        flen = len + 1;
        JT_EXPECT("forged id", out, jc_verify_notification(client, forged, flen, &out),
                  JC_ERR_BAD_SIGNATURE, "does not match");
    }
    free(forged);
    free(body);
}

static void test_contacts(jc_client *c)
{
    char *out = NULL;
    EXPECT_OK("GetAllGroups", out, jc_get_all_groups(c, NULL, &out), "\"rass_name\":\"second\"",
              "\"rass_name\":\"clients_super_tovar\"");
    EXPECT_OK("GetAllGroups {}", out, jc_get_all_groups(c, "{}", &out), "\"result\":[");

    static const char lead[] =
        "{\"rid\":[\"second\",\"clients_super_tovar\"],\"lead_email\":\"c-flow@example.com\","
        "\"lead_name\":\"\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0\",\"lead_phone\":\"+79001234567\","
        "\"lead_city\":\"Moscow\",\"utm\":{\"utm_source\":\"c\",\"utm_campaign\":\"flow\"}}";
    char *doc = NULL;
    EXPECT_OK_KEEP("AddLeadToGroup", out, doc, jc_add_lead_to_group(c, lead, &out),
                   "\"error_text\":\"Activation email sent to subscriber\"");
    JT_CHECK(doc == NULL || strstr(doc, "\"outcome\"") == NULL);
    jc_string_free(doc);
    EXPECT_OK("AddLeadToGroup again", out, jc_add_lead_to_group(c, lead, &out),
              "\"outcome\":\"already_registered\"");
    JT_EXPECT("AddLeadToGroup invalid group", out,
              jc_add_lead_to_group(c,
                                   "{\"rid\":[\"no_such_group\"],"
                                   "\"lead_email\":\"c-flow@example.com\"}",
                                   &out),
              JC_ERR_API, "\"error_code\":103");

    EXPECT_OK("GetLeadGroupStatuses", out,
              jc_get_lead_group_statuses(c, "{\"email\":\"C-Flow@example.com\"}", &out),
              "\"rass_name\":\"second\"", "\"rass_name\":\"clients_super_tovar\"",
              "\"rass_status\":\"STATUS_");
    EXPECT_OK("GetLeadGroups", out,
              jc_get_lead_groups(c, "{\"email\":\"c-flow@example.com\"}", &out),
              "\"result\":[");
    EXPECT_OK("UpdateSubscriberData", out,
              jc_update_subscriber_data(c,
                                        "{\"lead_email\":\"c-flow@example.com\","
                                        "\"lead_name\":\"C Flow\",\"lead_city\":\"Kazan\"}",
                                        &out),
              "\"error_text\":\"OK\"");
    /* Both contacts (the seed's and this one, still waiting for its
     * activation e-mail); only the seed's is active in "super". */
    EXPECT_OK("GetCountSubscribe", out,
              jc_get_count_subscribe(c, "{\"group_name\":\"all\"}", &out), "\"result\":2}");
    EXPECT_OK("DeleteSubscribe", out,
              jc_delete_subscribe(c,
                                  "{\"lead_email\":\"c-flow@example.com\","
                                  "\"rass_name\":\"second\"}",
                                  &out),
              "\"error_text\":\"OK\"");
    EXPECT_OK("GetCountSubscribe super", out,
              jc_get_count_subscribe(c, "{\"group_name\":\"super\"}", &out), "\"result\":1}");
}

static void test_goods_orders_notifications(jc_client *c)
{
    char *out = NULL, *doc = NULL;
    char good[1024];
    snprintf(good, sizeof good,
             "{\"good_name\":\"c_flow_course\",\"good_type\":\"0\","
             "\"good_title\":\"C flow course\",\"good_sum\":1500,"
             "\"good_api_url_new_order\":\"%s/jc?a=new\","
             "\"good_api_url_notif\":\"%s/jc?a=paid\","
             "\"good_partner_fee_perc\":10}",
             notify_url, notify_url);
    EXPECT_OK("AddGood", out, jc_add_good(c, good, &out), "\"ok\":true");
    EXPECT_OK("GetAllGoods", out, jc_get_all_goods(c, NULL, &out),
              "\"good_name\":\"c_flow_course\"", "\"good_name\":\"oplata\"");

    static const char order[] =
        "{\"goods\":[{\"good_name\":\"c_flow_course\"}],"
        "\"bill_first_name\":\"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\","
        "\"bill_email\":\"c-buyer@example.com\",\"bill_phone\":\"+79001234567\","
        "\"bill_created\":" BILL_CREATED ",\"bill_aff_name\":\"partner1\","
        "\"utm\":{\"utm_source\":\"newsletter\"}}";
    EXPECT_OK_KEEP("CreateOrder", out, doc, jc_create_order(c, order, &out),
                   "\"error_text\":\"Order created\"", "\"result\":{\"bill_id\":");
    char bill[32], dup_bill[32];
    bill_id_of(doc, bill, sizeof bill);
    JT_CHECK(bill[0] != '\0');
    JT_CHECK(doc == NULL || strstr(doc, "\"outcome\"") == NULL);
    jc_string_free(doc);

    /* The sandbox posted new_order to the product's URL: the shop's
     * handler verifies it with the account's key. */
    verify_received(c, 1, "new_order", bill, NULL);

    /* The identical order again: the service's 601 is a documented
     * success naming the order that exists. */
    EXPECT_OK_KEEP("CreateOrder duplicate", out, doc, jc_create_order(c, order, &out),
                   "\"outcome\":\"already_exists\"");
    bill_id_of(doc, dup_bill, sizeof dup_bill);
    JT_CHECK_STR(dup_bill, bill);
    jc_string_free(doc);

    char params[256], want_id[64];
    snprintf(params, sizeof params, "{\"bill_id\":\"%s\",\"good_info\":1}", bill);
    snprintf(want_id, sizeof want_id, "\"id\":\"%s\"", bill);
    EXPECT_OK("getOrderDetails", out, jc_get_order_details(c, params, &out), want_id,
              "\"email\":\"c-buyer@example.com\"", "\"pay_status\":\"waiting\"",
              "\"items\":[{\"id\":\"c_flow_course\"", "\"partner_fee\":\"150\"");
    EXPECT_OK("GetOrderInfo", out, jc_get_order_info(c, params, &out), "\"result\":[{");

    EXPECT_OK("UpdateOrderStatus paid", out,
              jc_update_order_status(c, bill, "paid", PAID_AT, NULL, &out), "\"ok\":true");
    /* The second body is the payment: the duplicate fired nothing. */
    verify_received(c, 2, "payment", bill, "1700003600");
    EXPECT_OK("getOrderDetails paid", out, jc_get_order_details(c, params, &out),
              "\"pay_status\":\"paid\"", "\"paid\":\"1700003600\"");

    char want_bill[64];
    snprintf(want_bill, sizeof want_bill, "\"%s\"", bill);
    EXPECT_OK("getOrdersWithGoods", out,
              jc_get_orders_with_goods(
                  c, "{\"begin_date\":\"14.11.2023\",\"end_date\":\"15.11.2023\"}", &out),
              want_bill, "c_flow_course");
    /* Over a year: the library splits the range and merges the answers. */
    EXPECT_OK("getOrdersWithGoods, a year", out,
              jc_get_orders_with_goods(
                  c, "{\"begin_date\":\"01.06.2023\",\"end_date\":\"31.05.2024\"}", &out),
              want_bill);
    EXPECT_OK("GetOrders", out,
              jc_get_orders(c, "{\"date_s\":\"1699990000\",\"date_e\":\"1700100000\"}", &out),
              want_bill);
    EXPECT_OK("GetPartnerStats", out, jc_get_partner_stats(c, "{\"partner\":\"partner1\"}", &out),
              "\"ok\":true,\"error_code\":0");

    /* The original four functions on the same order and product. */
    char want_key[64];
    snprintf(want_key, sizeof want_key, "\"%s\":{\"", bill);
    EXPECT_OK("GetBills", out, jc_get_bills(c, "c-buyer@example.com", "paid", &out), want_key,
              "\"good_name\":\"c_flow_course\"");
    EXPECT_OK("UpdateGood", out,
              jc_update_good(c, "{\"good_name\":\"c_flow_course\",\"good_sum\":1600}", &out),
              "\"ok\":true");
    EXPECT_OK("GetAllGoods, new price", out, jc_get_all_goods(c, NULL, &out),
              "\"good_sum\":\"1600\"");
    EXPECT_OK("DeleteOrder", out, jc_delete_order(c, bill, &out), "\"ok\":true");

    EXPECT_OK("DeleteGood", out, jc_delete_good(c, "{\"good_name\":\"c_flow_course\"}", &out),
              "\"ok\":true");
    EXPECT_OK_KEEP("GetAllGoods after", out, doc, jc_get_all_goods(c, NULL, &out),
                   "\"good_name\":\"oplata\"");
    JT_CHECK(doc == NULL || strstr(doc, "c_flow_course") == NULL);
    jc_string_free(doc);
}

int main(void)
{
    jt_init();
    notify_url = jt_env("JC_TEST_NOTIFY_URL");
    notify_dir = jt_env("JC_TEST_NOTIFY_DIR");
    jc_client *client = jt_client(jt_base_url, NULL, "");
    test_contacts(client);
    test_goods_orders_notifications(client);
    jc_client_free(client);
    return jt_finish("methods_flow");
}
