/*
 * justclick from C: verify a notification JustClick posted to your shop.
 *
 * Reads the raw request body (application/x-www-form-urlencoded, exactly as
 * received) from FILE, or from standard input when FILE is "-" or absent,
 * and verifies it with jc_verify_notification(): parsed as PHP fills $_POST,
 * event recognised, `hash` checked in constant time against your API key.
 * Prints the library's JSON document on standard output:
 *
 *   {"ok":true,"event":"payment","verified":true,"hash_rule":"documented","fields":{...}}
 *
 * Exit status: 0 verified (or an unsigned subscription event: "verified"
 * false), 3 bad signature (answer the sender 403 and act on nothing), 2 not
 * a notification or a usage error, 1 anything else. A CGI or FastCGI
 * wrapper can map these to HTTP answers.
 *
 * Environment: JUSTCLICK_LOGIN and JUSTCLICK_SECRET (required; the secret is
 * never printed). No network traffic.
 *
 * Build (after `make install`):  cc notify_receiver.c $(pkg-config --cflags --libs justclick)
 * or from the source tree:       cc notify_receiver.c -Iinclude -Ltarget/release -ljustclick
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "justclick.h"

/* The library refuses bodies over 8 MiB; one byte more lets it say so. */
#define MAX_BODY ((size_t)8 * 1024 * 1024 + 1)

/* Reads at most MAX_BODY bytes of `in` into a new buffer; NULL on error. */
static char *read_body(FILE *in, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *bigger;
            if (cap >= MAX_BODY)
                break;
            cap = cap * 2 > MAX_BODY ? MAX_BODY : cap * 2;
            bigger = realloc(buf, cap);
            if (bigger == NULL) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    const char *login = getenv("JUSTCLICK_LOGIN");
    const char *secret = getenv("JUSTCLICK_SECRET");
    const char *path = argc > 1 ? argv[1] : "-";
    if (argc > 2 || login == NULL || secret == NULL || *login == '\0' || *secret == '\0') {
        fprintf(stderr, "usage: JUSTCLICK_LOGIN=... JUSTCLICK_SECRET=... notify_receiver [FILE|-]\n");
        return 2;
    }

    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        perror(path);
        return 2;
    }
    size_t len = 0;
    char *body = read_body(in, &len);
    if (in != stdin)
        fclose(in);
    if (body == NULL) {
        fprintf(stderr, "cannot read the body from %s\n", path);
        return 1;
    }

    jc_client *client = NULL;
    jc_status st = jc_client_new(login, secret, NULL, &client);
    if (st != JC_OK) {
        fprintf(stderr, "jc_client_new: %s: %s\n", jc_status_name(st), jc_last_error_message());
        free(body);
        return 1;
    }

    char *doc = NULL;
    /* The body goes with its length: it is not NUL-terminated. */
    st = jc_verify_notification(client, body, len, &doc);
    printf("%s\n", doc != NULL ? doc : "(no document)");
    if (st != JC_OK)
        fprintf(stderr, "not accepted: %s: %s\n", jc_status_name(st), jc_last_error_message());
    jc_string_free(doc);
    jc_client_free(client);
    free(body);

    switch (st) {
    case JC_OK:
        return 0;
    case JC_ERR_BAD_SIGNATURE:
        return 3;
    case JC_ERR_INVALID_ARGUMENT:
        return 2;
    default:
        return 1;
    }
}
