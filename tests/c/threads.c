/*
 * One const jc_client shared by 8 pthreads, 200 calls each, every result
 * checked: documents belong to the call that asked (echoed thread and call
 * numbers), jc_last_error_message is per thread, and nothing leaks when the
 * threads end.
 */
#include "jc_test.h"

#include <pthread.h>

#define THREADS 8
#define CALLS 200

typedef struct {
    const jc_client *client;
    int id;
    int done;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const jc_client *c = w->client;
    char *out = NULL;
    char params[128], needle[160], what[64];
    for (int i = 0; i < CALLS; i++) {
        snprintf(what, sizeof what, "thread %d call %d", w->id, i);
        switch (i % 5) {
        case 0:
            snprintf(params, sizeof params, "{\"thread\":%d,\"call\":%d,\"text\":\"поток\"}",
                     w->id, i);
            snprintf(needle, sizeof needle,
                     "\"result\":{\"thread\":\"%d\",\"call\":\"%d\",\"text\":\"поток\"}}", w->id,
                     i);
            JT_EXPECT(what, out, jc_call(c, "SandboxEcho", params, &out), JC_OK, needle);
            break;
        case 1:
            JT_EXPECT(what, out, jc_get_bills(c, "client@example.com", "paid", &out), JC_OK,
                      "{\"258367\":{\"12549\":{\"good_name\":\"oplata\"");
            break;
        case 2:
            /* an API error on this thread, then its own message */
            snprintf(params, sizeof params, "missing-%d-%d", w->id, i);
            JT_EXPECT(what, out, jc_delete_order(c, params, &out), JC_ERR_API,
                      "\"error_code\":200,");
            JT_CHECK(strstr(jc_last_error_message(), "API error 200") != NULL);
            break;
        case 3:
            JT_EXPECT(what, out, jc_get_bills(c, "nobody@example.com", NULL, &out), JC_ERR_API,
                      "\"error_code\":400,");
            break;
        default: {
            /* a small batch from every thread at once */
            const int want[2] = {JC_OK, JC_OK};
            snprintf(params, sizeof params,
                     "[{\"method\":\"SandboxEcho\",\"params\":{\"t\":%d}},"
                     "{\"method\":\"SandboxEcho\",\"params\":{\"i\":%d}}]",
                     w->id, i);
            JT_EXPECT_BATCH(what, out, jc_call_batch(c, params, 2, &out), 2, want, NULL);
            /* the last status-returning call succeeded: this thread's message is empty */
            JT_CHECK_STR(jc_last_error_message(), "");
            break;
        }
        }
        w->done++;
    }
    return NULL;
}

int main(void)
{
    pthread_t tids[THREADS];
    worker workers[THREADS];
    jt_init();
    jc_client *c = jt_client(jt_base_url, NULL, "\"timeout_ms\":60000");
    long before = jt_stat("requests");
    for (int t = 0; t < THREADS; t++) {
        workers[t].client = c;
        workers[t].id = t;
        workers[t].done = 0;
        if (pthread_create(&tids[t], NULL, work, &workers[t]) != 0) {
            perror("pthread_create");
            return 2;
        }
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(tids[t], NULL);
        JT_CHECK(workers[t].done == CALLS);
    }
    /* 4 single calls + 1 batch of 2 per 5 iterations, all reached the sandbox once */
    JT_CHECK(jt_stat("requests") - before == THREADS * CALLS / 5 * 6);
    /* keep-alive: far fewer connections than requests */
    JT_CHECK(jt_stat("api_connections") < THREADS * CALLS / 4);
    /* the main thread's last call was jt_client's jc_client_new: success */
    JT_CHECK_STR(jc_last_error_message(), "");
    jc_client_free(c);
    return jt_finish("threads");
}
