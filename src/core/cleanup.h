/* Scope-bound cleanup helpers (GCC/Clang cleanup attribute).  No unit test: macros only. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define HK_PRINTF(a, b)  __attribute__((format(printf, a, b)))
#define HK_UNUSED        __attribute__((unused))
#define HK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void hk_freep(void *p)
{
    free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(hk_freep)

static inline void hk_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
    *fd = -EBADF;
}
#define _cleanup_close_ _cleanup_(hk_closep)

/* Close an fd if it is open and reset it; the only close path besides _cleanup_close_. */
static inline int hk_close(int fd)
{
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return -EBADF;
}

#define TAKE_FD(fd)                                                                                \
    ({                                                                                             \
        int _fd_ = (fd);                                                                           \
        (fd) = -EBADF;                                                                             \
        _fd_;                                                                                      \
    })

#define TAKE_PTR(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) _p_ = (p);                                                                   \
        (p) = NULL;                                                                                \
        _p_;                                                                                       \
    })

/* Generates `static inline void fnp(type **p)` that calls fn(*p). fn must accept NULL. */
#define HK_DEFINE_CLEANUP(type, fn)                                                                \
    static inline void fn##p(type **p)                                                             \
    {                                                                                              \
        if (*p)                                                                                    \
            fn(*p);                                                                                \
        *p = NULL;                                                                                 \
    }
