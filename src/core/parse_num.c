#include "core/parse_num.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>

int parse_u64(const char *s, uint64_t *ret)
{
    if (!s || !*s)
        return -EINVAL;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    *ret = v;
    return 0;
}

int parse_u32(const char *s, uint32_t *ret)
{
    uint64_t v;
    int r = parse_u64(s, &v);
    if (r < 0)
        return r;
    if (v > UINT32_MAX)
        return -ERANGE;
    *ret = (uint32_t)v;
    return 0;
}

int parse_i64(const char *s, int64_t *ret)
{
    if (!s || !*s)
        return -EINVAL;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    uint64_t v;
    int r = parse_u64(s, &v);
    if (r < 0)
        return r;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return -ERANGE;
        *ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > INT64_MAX)
            return -ERANGE;
        *ret = (int64_t)v;
    }
    return 0;
}

int parse_int(const char *s, int *ret)
{
    int64_t v;
    int r = parse_i64(s, &v);
    if (r < 0)
        return r;
    if (v < INT_MIN || v > INT_MAX)
        return -ERANGE;
    *ret = (int)v;
    return 0;
}
