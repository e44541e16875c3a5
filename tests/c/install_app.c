/*
 * A user's program built only with `cc app.c $(pkg-config --cflags --libs
 * justclick)` against a `make install` prefix: prints the library version,
 * which libjustclick file the loader mapped, and one call's outcome.
 */
#define _POSIX_C_SOURCE 200809L
#include <justclick.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char line[4096], options[1024];
    const char *base_url = getenv("JUSTCLICK_BASE_URL");
    jc_client *client = NULL;
    char *json = NULL;
    FILE *maps = fopen("/proc/self/maps", "r");

    printf("version %s\n", jc_version());
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) {
        char *path = strchr(line, '/');
        if (path != NULL && strstr(path, "libjustclick") != NULL) {
            printf("loaded %s", path);
            break;
        }
    }
    if (maps != NULL)
        fclose(maps);

    snprintf(options, sizeof options, "{\"base_url\":\"%s\",\"proxy\":\"\"}",
             base_url != NULL ? base_url : "");
    jc_status st = jc_client_new(getenv("JUSTCLICK_LOGIN"), getenv("JUSTCLICK_SECRET"), options,
                                 &client);
    if (st != JC_OK) {
        printf("jc_client_new: %s: %s\n", jc_status_name(st), jc_last_error_message());
        return 1;
    }
    st = jc_get_bills(client, "client@example.com", "paid", &json);
    printf("GetBills %s %s\n", jc_status_name(st), json);
    jc_string_free(json);
    jc_client_free(client);
    return st == JC_OK ? 0 : 1;
}
