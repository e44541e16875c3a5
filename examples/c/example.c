/*
 * justclick from C: every endpoint, a generic call, a batch, and the error
 * handling to copy into your program.
 *
 * Configuration comes from the environment, so the same binary runs against
 * the local sandbox or a real account:
 *   JUSTCLICK_LOGIN     account login (required)
 *   JUSTCLICK_SECRET    API key (required; never printed)
 *   JUSTCLICK_BASE_URL  e.g. http://127.0.0.1:8080 for the sandbox
 *                       (default https://LOGIN.justclick.ru)
 *   JUSTCLICK_CA_FILE   extra CA certificates (PEM), e.g. the sandbox's test CA
 *
 * The orders and products used below are the sandbox's seed data; the exit
 * status is 0 when every call ended as expected there.
 *
 * Build (after `make install`):  cc example.c $(pkg-config --cflags --libs justclick)
 * or from the source tree:       cc example.c -Iinclude -Ltarget/release -ljustclick
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "justclick.h"

/* Counts calls that did not end as this program expected. */
static int surprises;

/*
 * The pattern for every call: look at the status, use or print the JSON
 * document (there is one on every outcome), free it exactly once.
 */
static void report(const char *what, jc_status status, char *json, jc_status expected)
{
    char outcome[64];
    /* jc_status_name() gives the same name as the document's "status". */
    if (status == expected)
        snprintf(outcome, sizeof outcome, "%s%s", jc_status_name(status),
                 status == JC_OK ? "" : " (expected)");
    else
        snprintf(outcome, sizeof outcome, "UNEXPECTED %s", jc_status_name(status));
    if (status != expected)
        surprises++;
    printf("%-34s %-16s %s\n", what, outcome, json != NULL ? json : "(no document)");
    jc_string_free(json); /* NULL is fine too */
}

int main(void)
{
    const char *login = getenv("JUSTCLICK_LOGIN");
    const char *secret = getenv("JUSTCLICK_SECRET");
    const char *base_url = getenv("JUSTCLICK_BASE_URL");
    const char *ca_file = getenv("JUSTCLICK_CA_FILE");
    jc_options *options = NULL;
    jc_client *client = NULL;
    char *json = NULL;
    jc_status st;

    if (login == NULL || secret == NULL) {
        fprintf(stderr, "set JUSTCLICK_LOGIN and JUSTCLICK_SECRET (and JUSTCLICK_BASE_URL for "
                        "the sandbox)\n");
        return 2;
    }
    /* Options through the builder: no JSON to write or escape. A setter
     * refuses an unknown key or a wrong type at once; the values are copied,
     * so the builder can go as soon as the client exists. */
    st = jc_options_new(&options);
    if (st == JC_OK)
        st = jc_options_set_int(options, "timeout_ms", 15000);
    if (st == JC_OK && base_url != NULL && *base_url != '\0')
        st = jc_options_set_str(options, "base_url", base_url);
    if (st == JC_OK && ca_file != NULL && *ca_file != '\0')
        st = jc_options_set_str(options, "ca_file", ca_file);
    if (st != JC_OK) {
        fprintf(stderr, "bad option: %s: %s\n", jc_status_name(st), jc_last_error_message());
        jc_options_free(options);
        return 1;
    }

    /* A failed jc_client_new_with_options explains itself through
     * jc_last_error_message() (e.g. a base URL it cannot use). */
    st = jc_client_new_with_options(login, secret, options, &client);
    jc_options_free(options);
    if (st != JC_OK) {
        fprintf(stderr, "cannot create the client: %s: %s\n", jc_status_name(st),
                jc_last_error_message());
        return 1;
    }
    printf("justclick %s, account %s at %s\n\n", jc_version(), login,
           base_url != NULL && *base_url != '\0' ? base_url : "https://<login>.justclick.ru");

    /* The four endpoints. */
    st = jc_delete_order(client, "1111", &json);
    report("DeleteOrder 1111", st, json, JC_OK);

    st = jc_update_order_status(client, "100000", "sent", 1362254400, "10000000000000", &json);
    report("UpdateOrderStatus 100000 sent", st, json, JC_OK);

    st = jc_get_bills(client, "client@example.com", "paid", &json);
    report("GetBills client@example.com paid", st, json, JC_OK);

    st = jc_update_good(client,
                        "{\"good_name\":\"super_tovar\",\"good_title\":\"Супер набор из 10 DVD\","
                        "\"good_sum\":\"999887\"}",
                        &json);
    report("UpdateGood super_tovar", st, json, JC_OK);

    /* Any other method of the API. */
    st = jc_call(client, "GetAllGoods", NULL, &json);
    report("GetAllGoods (jc_call)", st, json, JC_OK);

    /* Many calls at once over kept-alive connections: one array, one free.
     * Each element is a document of its own (the second one fails alone). */
    st = jc_call_batch(client,
                       "[{\"method\":\"GetBills\",\"params\":{\"email\":\"client@example.com\","
                       "\"pay_status\":\"cancel\"}},"
                       "{\"method\":\"GetBills\",\"params\":{\"email\":\"nobody@example.com\"}}]",
                       2, &json);
    report("2 calls with jc_call_batch", st, json, JC_OK);

    /* A handled error: the order is gone and the service says so (code 200).
     * The document has "error_code" and "error_text"; the message is also in
     * jc_last_error_message() until this thread's next call. */
    st = jc_delete_order(client, "1111", &json);
    if (st == JC_ERR_API) {
        printf("%-34s %-16s handled: %s\n", "DeleteOrder 1111 again", jc_status_name(st),
               jc_last_error_message());
        jc_string_free(json);
    } else {
        report("DeleteOrder 1111 again", st, json, JC_ERR_API);
    }

    jc_client_free(client);
    if (surprises != 0) {
        printf("%d call(s) did not end as expected\n", surprises);
        return 1;
    }
    printf("all calls ended as expected\n");
    return 0;
}
