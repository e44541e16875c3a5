/*
 * A fault storm through the C ABI: THREADS pthreads share one client and
 * send unique writes (SandboxWrite, one lead_email per call) for SECONDS
 * while the sandbox injects resets, closes, 5xx and stalls. Run under
 * valgrind by tests/storm.rs, which starts the sandbox and checks its
 * counters afterwards.
 *
 * Checks here: every call returns one of the storm's statuses with a JSON
 * document that matches it, jc_last_error_message() agrees with the status,
 * every string is freed once. After the storm it creates BARRIER_DIR/storm-done
 * and waits for BARRIER_DIR/go, which the test creates once it has switched
 * the fault off; then every call on the same client must succeed.
 *
 * usage: storm BASE_URL SECONDS THREADS TIMEOUT_MS LOGIN SECRET BARRIER_DIR
 * prints: attempted=N ok=N transport=N timeout=N http_status=N other=N
 *         batched=N after=N after_ok=N
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "justclick.h"

#define MAX_THREADS 64
#define AFTER_CALLS 5

static const jc_client *client;
static double deadline;

struct worker {
    int id;
    unsigned long attempted, ok, transport, timeout, http_status, other;
    unsigned long batched, after, after_ok;
    pthread_t thread;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Does the document and the thread's last error agree with the status? */
static int consistent(jc_status st, const char *doc) {
    char prefix[96];
    const char *last = jc_last_error_message();
    if (doc == NULL || last == NULL) {
        return 0;
    }
    if (st == JC_OK) {
        return strncmp(doc, "{\"ok\":true,", 11) == 0 && last[0] == '\0';
    }
    snprintf(prefix, sizeof prefix, "{\"ok\":false,\"status\":\"%s\",", jc_status_name(st));
    return strncmp(doc, prefix, strlen(prefix)) == 0 && last[0] != '\0';
}

static void count(struct worker *w, jc_status st) {
    switch (st) {
    case JC_OK: w->ok++; break;
    case JC_ERR_TRANSPORT: w->transport++; break;
    case JC_ERR_TIMEOUT: w->timeout++; break;
    case JC_ERR_HTTP_STATUS: w->http_status++; break;
    default: w->other++; break;
    }
}

static jc_status add_lead(const char *tag, int id, unsigned long n, char **doc) {
    char params[256];
    snprintf(params, sizeof params,
             "{\"rid\":\"1\",\"lead_email\":\"c-%s-%d-%lu@example.com\",\"lead_name\":\"C storm\"}",
             tag, id, n);
    return jc_call(client, "SandboxWrite", params, doc);
}

static void *storm(void *arg) {
    struct worker *w = arg;
    while (now_seconds() < deadline) {
        char *doc = NULL;
        jc_status st = add_lead("storm", w->id, w->attempted, &doc);
        w->attempted++;
        count(w, st);
        if (!consistent(st, doc)) {
            fprintf(stderr, "inconsistent outcome %d: %s\n", (int)st, doc ? doc : "(null)");
            w->other++;
        }
        jc_string_free(doc);

        /* Every fifth call, a small batch (threads inside the library). */
        if (w->attempted % 5 == 1) {
            char calls[512];
            unsigned long b = w->batched;
            snprintf(calls, sizeof calls,
                     "[{\"method\":\"SandboxWrite\",\"params\":{\"rid\":\"1\",\"lead_email\":\"c-batch-%d-%lu@example.com\"}},"
                     "{\"method\":\"SandboxWrite\",\"params\":{\"rid\":\"1\",\"lead_email\":\"c-batch-%d-%lu@example.com\"}},"
                     "{\"method\":\"SandboxWrite\",\"params\":{\"rid\":\"1\",\"lead_email\":\"c-batch-%d-%lu@example.com\"}}]",
                     w->id, b, w->id, b + 1, w->id, b + 2);
            doc = NULL;
            st = jc_call_batch(client, calls, 3, &doc);
            w->batched += 3;
            if (st != JC_OK || doc == NULL || doc[0] != '[') {
                fprintf(stderr, "batch failed %d: %s\n", (int)st, doc ? doc : "(null)");
                w->other++;
            }
            jc_string_free(doc);
        }
    }
    return NULL;
}

static void *after(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < AFTER_CALLS; i++) {
        char *doc = NULL;
        jc_status st = add_lead("after", w->id, (unsigned long)i, &doc);
        w->after++;
        if (st == JC_OK && consistent(st, doc)) {
            w->after_ok++;
        } else {
            fprintf(stderr, "after the storm: %d %s\n", (int)st, doc ? doc : "(null)");
        }
        jc_string_free(doc);
    }
    return NULL;
}

static int file_exists(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    fclose(f);
    return 1;
}

/*
 * Tells the test the storm is over (creates DIR/storm-done) and waits until
 * it has switched the sandbox's fault off (DIR/go appears); 0 on success.
 */
static int barrier(const char *dir) {
    char done[4096];
    char go[4096];
    FILE *f;
    struct timespec pause = {0, 20 * 1000 * 1000};
    snprintf(done, sizeof done, "%s/storm-done", dir);
    snprintf(go, sizeof go, "%s/go", dir);
    f = fopen(done, "w");
    if (f == NULL) {
        return -1;
    }
    fclose(f);
    for (int i = 0; i < 120 * 50; i++) {
        if (file_exists(go)) {
            return 0;
        }
        nanosleep(&pause, NULL);
    }
    return -1;
}

int main(int argc, char **argv) {
    struct worker workers[MAX_THREADS];
    struct worker sum;
    char options[512];
    jc_client *c = NULL;
    jc_status st;
    int threads;
    int failed = 0;

    if (argc != 8) {
        fprintf(stderr, "usage: storm BASE_URL SECONDS THREADS TIMEOUT_MS LOGIN SECRET BARRIER_DIR\n");
        return 2;
    }
    threads = atoi(argv[3]);
    if (threads < 1 || threads > MAX_THREADS) {
        fprintf(stderr, "THREADS must be 1..%d\n", MAX_THREADS);
        return 2;
    }
    snprintf(options, sizeof options,
             "{\"base_url\":\"%s\",\"proxy\":\"\",\"timeout_ms\":%s}", argv[1], argv[4]);
    st = jc_client_new(argv[5], argv[6], options, &c);
    if (st != JC_OK) {
        fprintf(stderr, "jc_client_new: %s\n", jc_last_error_message());
        return 1;
    }
    client = c;
    deadline = now_seconds() + atof(argv[2]);

    memset(workers, 0, sizeof workers);
    for (int i = 0; i < threads; i++) {
        workers[i].id = i;
        if (pthread_create(&workers[i].thread, NULL, storm, &workers[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
    }

    if (barrier(argv[7]) != 0) {
        fprintf(stderr, "the test did not switch the fault off (no %s/go)\n", argv[7]);
        failed = 1;
    }
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&workers[i].thread, NULL, after, &workers[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
    }
    jc_client_free(c);

    memset(&sum, 0, sizeof sum);
    for (int i = 0; i < threads; i++) {
        sum.attempted += workers[i].attempted;
        sum.ok += workers[i].ok;
        sum.transport += workers[i].transport;
        sum.timeout += workers[i].timeout;
        sum.http_status += workers[i].http_status;
        sum.other += workers[i].other;
        sum.batched += workers[i].batched;
        sum.after += workers[i].after;
        sum.after_ok += workers[i].after_ok;
    }
    printf("attempted=%lu ok=%lu transport=%lu timeout=%lu http_status=%lu other=%lu "
           "batched=%lu after=%lu after_ok=%lu\n",
           sum.attempted, sum.ok, sum.transport, sum.timeout, sum.http_status, sum.other,
           sum.batched, sum.after, sum.after_ok);
    if (sum.other != 0 || sum.after_ok != sum.after || sum.attempted == 0) {
        failed = 1;
    }
    return failed;
}
