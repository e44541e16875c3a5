/* Helpers for the C tests of the justclick C ABI; see jc_test.h. */
#include "jc_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A hung test must fail, not stall `cargo test`: SIGALRM ends the process
 * (under valgrind too) after this many seconds. */
#define JT_WATCHDOG_SECONDS 600

const char *jt_base_url;
const char *jt_login;
const char *jt_secret;

static atomic_int failures;
static atomic_int passes;
static atomic_int seen[10];

const char *jt_env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "environment variable %s is not set (run through tests/c_abi.rs)\n", name);
        exit(2);
    }
    return v;
}

void jt_init(void)
{
    jt_base_url = jt_env("JC_TEST_BASE_URL");
    jt_login = jt_env("JC_TEST_LOGIN");
    jt_secret = jt_env("JC_TEST_SECRET");
    alarm(JT_WATCHDOG_SECONDS);
}

void jt_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s:%d: FAIL: %s\n", file, line, msg);
    atomic_fetch_add(&failures, 1);
}

void jt_pass(void)
{
    atomic_fetch_add(&passes, 1);
}

void jt_seen(jc_status st)
{
    if ((unsigned)st < 10)
        atomic_store(&seen[st], 1);
}

void jt_require_statuses(unsigned mask)
{
    for (unsigned i = 0; i < 10; i++) {
        if (!(mask & (1u << i)))
            continue;
        if (atomic_load(&seen[i]))
            jt_pass();
        else
            jt_fail(__FILE__, __LINE__, "status %u (%s) was never produced", i, jc_status_name(i));
    }
}

int jt_finish(const char *name)
{
    int f = atomic_load(&failures), p = atomic_load(&passes);
    if (f != 0) {
        printf("FAIL %s: %d of %d checks failed\n", name, f, f + p);
        return 1;
    }
    printf("PASS %s: %d checks\n", name, p);
    return 0;
}

/* ---- a strict, compact-only JSON validator ------------------------------ */

typedef struct {
    const char *p, *end;
} cursor;

static int valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + len;
    while (p < e) {
        unsigned c = *p++;
        int extra;
        unsigned min;
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            min = 0x10000;
        } else {
            return 0;
        }
        unsigned cp = c & (0x3Fu >> extra);
        for (int i = 0; i < extra; i++) {
            if (p >= e || (*p & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (*p++ & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
    }
    return 1;
}

static int parse_value(cursor *c, int depth);

static int parse_string(cursor *c)
{
    if (c->p >= c->end || *c->p != '"')
        return 0;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return 1;
        if (ch < 0x20)
            return 0;
        if (ch == '\\') {
            if (c->p >= c->end)
                return 0;
            char e = *c->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++, c->p++)
                    if (c->p >= c->end || strchr("0123456789abcdefABCDEF", *c->p) == NULL ||
                        *c->p == '\0')
                        return 0;
            } else if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') {
                return 0;
            }
        }
    }
    return 0;
}

static int digits(cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > start;
}

static int parse_number(cursor *c)
{
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!digits(c))
        return 0;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!digits(c))
            return 0;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!digits(c))
            return 0;
    }
    return 1;
}

static int literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

static int parse_value(cursor *c, int depth)
{
    if (depth > 256 || c->p >= c->end)
        return 0;
    switch (*c->p) {
    case '"':
        return parse_string(c);
    case '{':
        c->p++;
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return 1;
        }
        for (;;) {
            if (!parse_string(c) || c->p >= c->end || *c->p++ != ':' || !parse_value(c, depth + 1))
                return 0;
            if (c->p >= c->end)
                return 0;
            if (*c->p == '}') {
                c->p++;
                return 1;
            }
            if (*c->p++ != ',')
                return 0;
        }
    case '[':
        c->p++;
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return 1;
        }
        for (;;) {
            if (!parse_value(c, depth + 1) || c->p >= c->end)
                return 0;
            if (*c->p == ']') {
                c->p++;
                return 1;
            }
            if (*c->p++ != ',')
                return 0;
        }
    case 't':
        return literal(c, "true");
    case 'f':
        return literal(c, "false");
    case 'n':
        return literal(c, "null");
    default:
        return parse_number(c);
    }
}

typedef struct {
    const char *key; /* without quotes */
    size_t key_len;
    const char *value;
    size_t value_len;
} member;

/* Parses a compact top-level object into at most `max` members; returns
 * the member count or -1. */
static int parse_object(const char *s, size_t len, member *m, int max)
{
    cursor c = {s, s + len};
    int n = 0;
    if (len < 2 || *c.p++ != '{')
        return -1;
    if (*c.p == '}')
        return c.p + 1 == c.end ? 0 : -1;
    for (;;) {
        const char *k = c.p;
        if (!parse_string(&c) || c.p >= c.end || *c.p++ != ':')
            return -1;
        const char *v = c.p;
        if (!parse_value(&c, 1) || n >= max)
            return -1;
        m[n].key = k + 1;
        m[n].key_len = (size_t)(v - k) - 3; /* minus the quotes and ':' */
        m[n].value = v;
        m[n].value_len = (size_t)(c.p - v);
        n++;
        if (c.p >= c.end)
            return -1;
        if (*c.p == '}')
            return c.p + 1 == c.end ? n : -1;
        if (*c.p++ != ',')
            return -1;
    }
}

static int key_is(const member *m, const char *key)
{
    return m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0;
}

static int value_is(const member *m, const char *v)
{
    return m->value_len == strlen(v) && memcmp(m->value, v, m->value_len) == 0;
}

static int value_is_string(const member *m)
{
    return m->value_len >= 2 && m->value[0] == '"';
}

static int value_is_integer(const member *m, long long *out)
{
    char buf[32];
    if (m->value_len == 0 || m->value_len >= sizeof buf)
        return 0;
    memcpy(buf, m->value, m->value_len);
    buf[m->value_len] = '\0';
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end != '\0')
        return 0;
    if (out)
        *out = v;
    return 1;
}

/* Decodes a JSON string value (\uXXXX only for ASCII); 0 if not decodable. */
static int unescape(const member *m, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 1; i + 1 < m->value_len; i++) {
        char ch = m->value[i];
        if (ch == '\\') {
            char e = m->value[++i];
            switch (e) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'u': {
                char hex[5];
                memcpy(hex, m->value + i + 1, 4);
                hex[4] = '\0';
                long v = strtol(hex, NULL, 16);
                if (v <= 0 || v > 0x7F)
                    return 0;
                ch = (char)v;
                i += 4;
                break;
            }
            default: ch = e; break;
            }
        }
        if (o + 1 >= cap)
            return 0;
        out[o++] = ch;
    }
    out[o] = '\0';
    return 1;
}

static const char *status_word(const member *m, char *buf, size_t cap)
{
    if (!value_is_string(m) || m->value_len - 2 >= cap)
        return "";
    memcpy(buf, m->value + 1, m->value_len - 2);
    buf[m->value_len - 2] = '\0';
    return buf;
}

/* Validates one document; returns its status or -1 and explains in why. */
static int doc_check(const char *doc, size_t len, char *why, size_t why_cap, const member **msg_out,
                     member *m)
{
    int n;
    char word[64];
    why[0] = '\0';
    if (!valid_utf8(doc, len)) {
        snprintf(why, why_cap, "not valid UTF-8");
        return -1;
    }
    n = parse_object(doc, len, m, 8);
    if (n < 0) {
        snprintf(why, why_cap, "not a compact JSON object");
        return -1;
    }
    if (n >= 1 && key_is(&m[0], "ok") && value_is(&m[0], "true")) {
        long long code;
        /* An optional fifth key: the documented special outcome. */
        int outcome_ok = n == 4 || (n == 5 && key_is(&m[4], "outcome") &&
                                    (value_is(&m[4], "\"already_exists\"") ||
                                     value_is(&m[4], "\"already_registered\"")));
        if (!outcome_ok || !key_is(&m[1], "error_code") || !key_is(&m[2], "error_text") ||
            !key_is(&m[3], "result") || !value_is_integer(&m[1], &code) || code != 0 ||
            !value_is_string(&m[2])) {
            snprintf(why, why_cap,
                     "success document must be ok,error_code(0),error_text(string),result"
                     "[,outcome]");
            return -1;
        }
        return JC_OK;
    }
    if (n < 3 || !key_is(&m[0], "ok") || !value_is(&m[0], "false") || !key_is(&m[1], "status") ||
        !key_is(&m[2], "message") || !value_is_string(&m[1]) || !value_is_string(&m[2]) ||
        m[2].value_len <= 2) {
        snprintf(why, why_cap, "failure document must start ok(false),status,message(non-empty)");
        return -1;
    }
    status_word(&m[1], word, sizeof word);
    int st = -1;
    for (unsigned i = 1; i < 10; i++)
        if (strcmp(word, jc_status_name(i)) == 0)
            st = (int)i;
    if (st < 0) {
        snprintf(why, why_cap, "unknown status name \"%s\"", word);
        return -1;
    }
    if (msg_out)
        *msg_out = &m[2];
    if (st == JC_ERR_API) {
        long long code;
        if (n != 5 || !key_is(&m[3], "error_code") || !key_is(&m[4], "error_text") ||
            !value_is_integer(&m[3], &code) || code == 0 || !value_is_string(&m[4])) {
            snprintf(why, why_cap, "api failure must end error_code(non-zero),error_text(string)");
            return -1;
        }
    } else if (st == JC_ERR_HTTP_STATUS) {
        long long code;
        if (n != 4 || !key_is(&m[3], "http_status") || !value_is_integer(&m[3], &code) ||
            code < 100 || code > 599) {
            snprintf(why, why_cap, "http_status failure must end http_status(100..599)");
            return -1;
        }
    } else if (n != 3) {
        snprintf(why, why_cap, "failure document with status %s has extra keys", word);
        return -1;
    }
    return st;
}

int jt_doc_status(const char *doc, size_t len)
{
    char why[160];
    member m[8];
    return doc_check(doc, len, why, sizeof why, NULL, m);
}

static int expect_common(const char *file, int line, const char *what, jc_status got,
                         const char *json, jc_status want, const char *needle)
{
    char why[256];
    const member *msg = NULL;
    member m[8];
    int ok = 1;
    const char *last = jc_last_error_message();
    jt_seen(got);
    if (got != want) {
        jt_fail(file, line, "%s: status %u (%s), expected %u (%s); document: %s", what, got,
                jc_status_name(got), want, jc_status_name(want), json ? json : "(NULL)");
        return 0;
    }
    if (json == NULL) {
        jt_fail(file, line, "%s: no document written", what);
        return 0;
    }
    int doc_st = doc_check(json, strlen(json), why, sizeof why, &msg, m);
    if (doc_st != (int)want) {
        jt_fail(file, line, "%s: bad document (%s): %s", what, why[0] ? why : "status differs",
                json);
        ok = 0;
    }
    if (last == NULL) {
        jt_fail(file, line, "%s: jc_last_error_message() is NULL", what);
        ok = 0;
    } else if (want == JC_OK && *last != '\0') {
        jt_fail(file, line, "%s: success but jc_last_error_message() is \"%s\"", what, last);
        ok = 0;
    } else if (want != JC_OK && msg != NULL) {
        char decoded[4096];
        if (*last == '\0') {
            jt_fail(file, line, "%s: failure but jc_last_error_message() is empty", what);
            ok = 0;
        } else if (unescape(msg, decoded, sizeof decoded) && strcmp(decoded, last) != 0) {
            jt_fail(file, line, "%s: message \"%s\" differs from jc_last_error_message() \"%s\"",
                    what, decoded, last);
            ok = 0;
        }
    }
    if (strstr(json, jt_secret) != NULL || (last && strstr(last, jt_secret) != NULL)) {
        jt_fail(file, line, "%s: the secret appears in the output", what);
        ok = 0;
    }
    if (needle != NULL && strstr(json, needle) == NULL) {
        jt_fail(file, line, "%s: document lacks \"%s\": %s", what, needle, json);
        ok = 0;
    }
    if (ok)
        jt_pass();
    return ok;
}

int jt_expect_at(const char *file, int line, const char *what, jc_status got, char *json,
                 jc_status want, const char *needle)
{
    int ok = expect_common(file, line, what, got, json, want, needle);
    jc_string_free(json);
    return ok;
}

int jt_expect_exact_at(const char *file, int line, const char *what, jc_status got, char *json,
                       jc_status want, const char *exact)
{
    int ok = expect_common(file, line, what, got, json, want, NULL);
    if (ok && strcmp(json, exact) != 0) {
        jt_fail(file, line, "%s: document\n  %s\nexpected\n  %s", what, json, exact);
        ok = 0;
    }
    jc_string_free(json);
    return ok;
}

int jt_expect_batch_at(const char *file, int line, const char *what, jc_status st, char *json,
                       size_t n, const int *want, int *got)
{
    int ok = 1;
    size_t i = 0;
    jt_seen(st);
    if (st != JC_OK || json == NULL) {
        jt_fail(file, line, "%s: batch status %u (%s): %s", what, st, jc_status_name(st),
                json ? json : "(NULL)");
        jc_string_free(json);
        return 0;
    }
    if (strstr(json, jt_secret) != NULL) {
        jt_fail(file, line, "%s: the secret appears in the output", what);
        ok = 0;
    }
    cursor c = {json, json + strlen(json)};
    if (*c.p++ != '[') {
        ok = 0;
    } else if (*c.p == ']' && c.p + 1 == c.end) {
        /* empty */
    } else {
        for (;;) {
            const char *start = c.p;
            if (!parse_value(&c, 1)) {
                ok = 0;
                break;
            }
            char why[256];
            member m[8];
            int s = doc_check(start, (size_t)(c.p - start), why, sizeof why, NULL, m);
            if (s < 0 || i >= n || (want[i] >= 0 && s != want[i])) {
                jt_fail(file, line, "%s: element %zu: status %d (%s), expected %d: %.*s", what, i,
                        s, why, i < n ? want[i] : -2, (int)(c.p - start), start);
                ok = 0;
            }
            if (s >= 0)
                jt_seen((jc_status)s);
            if (got && i < n)
                got[i] = s;
            i++;
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                continue;
            }
            if (c.p + 1 != c.end || *c.p != ']')
                ok = 0;
            break;
        }
    }
    if (i != n) {
        jt_fail(file, line, "%s: %zu elements, expected %zu", what, i, n);
        ok = 0;
    }
    if (!ok)
        jt_fail(file, line, "%s: bad batch array: %s", what, json);
    else
        jt_pass();
    jc_string_free(json);
    return ok;
}

/* ---- sandbox admin --------------------------------------------------- */

static int base_port(void)
{
    const char *colon = strrchr(jt_base_url, ':');
    if (strncmp(jt_base_url, "http://127.0.0.1:", 17) != 0 || colon == NULL) {
        fprintf(stderr, "admin needs an http://127.0.0.1:PORT sandbox, got %s\n", jt_base_url);
        exit(2);
    }
    return atoi(colon + 1);
}

int jt_admin(const char *method, const char *path, const char *form, char *body, size_t cap)
{
    struct sockaddr_in a;
    char req[1024];
    static char resp[1 << 16];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)base_port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {20, 0};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("admin connect");
        exit(2);
    }
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, form ? strlen(form) : 0, form ? form : "");
    if (write(fd, req, (size_t)n) != n) {
        perror("admin write");
        exit(2);
    }
    for (;;) {
        ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
        if (r < 0) {
            fprintf(stderr, "%s %s: the sandbox did not answer within 20 s\n", method, path);
            exit(2);
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    resp[got] = '\0';
    int status = 0;
    if (sscanf(resp, "HTTP/1.1 %d", &status) != 1)
        status = 0;
    const char *b = strstr(resp, "\r\n\r\n");
    if (body && cap) {
        snprintf(body, cap, "%s", b ? b + 4 : "");
    }
    return status;
}

void jt_fault(const char *form)
{
    char body[512];
    int st = jt_admin("POST", "/__sandbox/fault", form, body, sizeof body);
    if (st != 200) {
        fprintf(stderr, "POST /__sandbox/fault %s: HTTP %d %s\n", form, st, body);
        exit(2);
    }
}

long jt_stat(const char *key)
{
    static char body[1 << 16];
    char pat[64];
    int st = jt_admin("GET", "/__sandbox/stats", NULL, body, sizeof body);
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *at = strstr(body, pat);
    if (st != 200 || at == NULL) {
        fprintf(stderr, "GET /__sandbox/stats: HTTP %d, no %s: %s\n", st, key, body);
        exit(2);
    }
    return strtol(at + strlen(pat), NULL, 10);
}

int jt_closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("closed port");
        exit(2);
    }
    close(fd);
    return ntohs(a.sin_port);
}

char *jt_options(const char *base_url, const char *extra)
{
    size_t cap = strlen(base_url) + strlen(extra) + 64;
    char *s = malloc(cap);
    if (s == NULL)
        abort();
    snprintf(s, cap, "{\"base_url\":\"%s\",\"proxy\":\"\"%s%s}", base_url, *extra ? "," : "",
             extra);
    return s;
}

jc_client *jt_client(const char *base_url, const char *secret, const char *extra)
{
    jc_client *c = NULL;
    char *opts = jt_options(base_url, extra);
    jc_status st = jc_client_new(jt_login, secret ? secret : jt_secret, opts, &c);
    if (st != JC_OK || c == NULL) {
        fprintf(stderr, "jc_client_new(%s) failed: %s: %s\n", opts, jc_status_name(st),
                jc_last_error_message());
        exit(2);
    }
    free(opts);
    return c;
}
