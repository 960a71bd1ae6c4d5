/* NULL-terminated string vectors. */
#pragma once

#include <stddef.h>

#include "core/cleanup.h"

void strv_free(char **v);
size_t strv_len(char *const *v);
/* Append a copy of s; returns 0 or -ENOMEM. *v may be NULL. */
int strv_push(char ***v, const char *s);
HK_DEFINE_CLEANUP(char *, strv_free)
#define _cleanup_strv_ _cleanup_(strv_freep)
