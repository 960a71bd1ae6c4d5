#include "core/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

size_t strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

int strv_push(char ***v, const char *s)
{
    size_t n = strv_len(*v);
    char *c = strdup(s);
    if (!c)
        return -ENOMEM;
    char **nv = realloc(*v, (n + 2) * sizeof(char *));
    if (!nv) {
        free(c);
        return -ENOMEM;
    }
    nv[n] = c;
    nv[n + 1] = NULL;
    *v = nv;
    return 0;
}
