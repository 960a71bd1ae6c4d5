/*
 * JSON writer that reproduces Go's encoding/json byte for byte: HTML-safe escaping
 * (<, >, & as \u003c...), U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD,
 * and json.MarshalIndent's layout when an indent string is given.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

#define JSON_OUT_MAX_DEPTH 32

struct json_out {
    struct hk_buf *b;
    const char *indent; /* NULL: compact */
    int depth;
    bool first[JSON_OUT_MAX_DEPTH];
    bool after_key;
};

void json_out_init(struct json_out *j, struct hk_buf *b, const char *indent);
void json_obj_begin(struct json_out *j);
void json_obj_end(struct json_out *j);
void json_arr_begin(struct json_out *j);
void json_arr_end(struct json_out *j);
void json_key(struct json_out *j, const char *key);
void json_str(struct json_out *j, const char *s);
void json_i64(struct json_out *j, int64_t v);
void json_u64(struct json_out *j, uint64_t v);
void json_bool(struct json_out *j, bool v);
void json_null(struct json_out *j);
/* Append s as a quoted JSON string with Go's escaping. */
void json_escape(struct hk_buf *b, const char *s);
