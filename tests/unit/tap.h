/* Minimal TAP producer for unit tests: `ok N - name`, `# SKIP`, and a final
 * "N passed, N failed" line. Exit status is 1 if anything failed. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_passed;

#define TAP_OK(cond, ...)                                                                          \
    do {                                                                                           \
        bool ok_ = (cond);                                                                         \
        tap_n++;                                                                                   \
        if (ok_) {                                                                                 \
            tap_passed++;                                                                          \
            printf("ok %d - ", tap_n);                                                             \
        } else {                                                                                   \
            tap_failed++;                                                                          \
            printf("not ok %d - ", tap_n);                                                         \
        }                                                                                          \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        if (!ok_)                                                                                  \
            printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
    } while (0)

#define TAP_STR_EQ(a, b, ...)                                                                      \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        bool eq_ = a_ && b_ && strcmp(a_, b_) == 0;                                                \
        TAP_OK(eq_, __VA_ARGS__);                                                                  \
        if (!eq_)                                                                                  \
            printf("#   got '%s'\n#   expected '%s'\n", a_ ? a_ : "(null)", b_ ? b_ : "(null)");   \
    } while (0)

#define TAP_SKIP(reason, ...)                                                                      \
    do {                                                                                           \
        tap_n++;                                                                                   \
        printf("ok %d - ", tap_n);                                                                 \
        printf(__VA_ARGS__);                                                                       \
        printf(" # SKIP %s\n", reason);                                                            \
    } while (0)

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    printf("# %d passed, %d failed\n", tap_passed, tap_failed);
    return tap_failed ? 1 : 0;
}
