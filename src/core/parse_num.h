/* Strict number parsing: no empty input, no trailing junk, no sign on unsigned, no overflow. */
#pragma once

#include <stdint.h>

int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, uint32_t *ret);
int parse_i64(const char *s, int64_t *ret);
int parse_int(const char *s, int *ret);
