/*
 * justclick.h included twice, compiled as C99, C11 and C17 (this file) and
 * as C++11, C++14, C++17 and C++20 (header_twice.cpp includes this file)
 * with -Wall -Wextra -pedantic -Werror and more warnings. Every
 * declaration is checked against the contract of issue 4 by assigning it to
 * a pointer of the exact type; the enum values are checked at compile time.
 */
#include "justclick.h"
#include "justclick.h"

#include <stdio.h>
#include <string.h>

#if defined(__cplusplus)
#define JT_STATIC_ASSERT(c, m) static_assert(c, #m)
#elif __STDC_VERSION__ >= 201112L
#define JT_STATIC_ASSERT(c, m) _Static_assert(c, #m)
#else
/* C99 has no static assertion: an array of negative size fails instead. */
#define JT_STATIC_ASSERT(c, m) typedef char jt_static_assert_##m[(c) ? 1 : -1]
#endif

JT_STATIC_ASSERT(JC_OK == 0 && JC_ERR_NULL_ARGUMENT == 1 && JC_ERR_INVALID_ARGUMENT == 2 &&
                     JC_ERR_TRANSPORT == 3 && JC_ERR_TIMEOUT == 4 && JC_ERR_HTTP_STATUS == 5 &&
                     JC_ERR_BAD_RESPONSE == 6 && JC_ERR_BAD_SIGNATURE == 7 && JC_ERR_API == 8 &&
                     JC_ERR_PANIC == 9,
                 jc_status_numbers_are_stable);
JT_STATIC_ASSERT(sizeof(jc_status) == sizeof(uint32_t), jc_status_is_32_bits);

int main(void)
{
    jc_status (*client_new)(const char *, const char *, const char *, jc_client **) =
        jc_client_new;
    void (*client_free)(jc_client *) = jc_client_free;
    jc_status (*options_new)(jc_options **) = jc_options_new;
    jc_status (*options_set_str)(jc_options *, const char *, const char *) = jc_options_set_str;
    jc_status (*options_set_int)(jc_options *, const char *, int64_t) = jc_options_set_int;
    jc_status (*options_set_bool)(jc_options *, const char *, bool) = jc_options_set_bool;
    void (*options_free)(jc_options *) = jc_options_free;
    jc_status (*client_new_with_options)(const char *, const char *, const jc_options *,
                                         jc_client **) = jc_client_new_with_options;
    jc_status (*delete_order)(const jc_client *, const char *, char **) = jc_delete_order;
    jc_status (*update_order_status)(const jc_client *, const char *, const char *, int64_t,
                                     const char *, char **) = jc_update_order_status;
    jc_status (*get_bills)(const jc_client *, const char *, const char *, char **) = jc_get_bills;
    jc_status (*update_good)(const jc_client *, const char *, char **) = jc_update_good;
    jc_status (*call)(const jc_client *, const char *, const char *, char **) = jc_call;
    jc_status (*call_batch)(const jc_client *, const char *, uint32_t, char **) = jc_call_batch;
    void (*string_free)(char *) = jc_string_free;
    const char *(*status_name)(uint32_t) = jc_status_name;
    const char *(*version)(void) = jc_version;
    const char *(*last_error_message)(void) = jc_last_error_message;
    int all = client_new && client_free && options_new && options_set_str && options_set_int &&
              options_set_bool && options_free && client_new_with_options && delete_order && update_order_status && get_bills &&
              update_good && call && call_batch && string_free && status_name && version &&
              last_error_message;
    jc_status st = JC_ERR_API;
    if (!all || strcmp(status_name(st), "api") != 0 || strlen(version()) == 0) {
        printf("FAIL header\n");
        return 1;
    }
#ifdef __cplusplus
    printf("PASS header (C++ %ld): 1 checks\n", __cplusplus);
#else
    printf("PASS header (C %ld): 1 checks\n", (long)__STDC_VERSION__);
#endif
    return 0;
}
