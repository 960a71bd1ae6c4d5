/* Unit tests for src/core/json_in.c: values, positions, escapes, errors, limits, integers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/json_in.h"
#include "tap.h"

static int parse_n(const char *s, size_t n, const struct jv_limits *lim, struct jv_doc **ret,
                   struct hk_err *err)
{
    hk_err_clear(err);
    return jv_parse(s, n, lim, ret, err);
}

static int parse(const char *s, const struct jv_limits *lim, struct jv_doc **ret,
                 struct hk_err *err)
{
    return parse_n(s, strlen(s), lim, ret, err);
}

/* Parse must fail with -code and exactly msg; the output pointer must stay untouched. */
static void expect_err_n(const char *s, size_t n, const struct jv_limits *lim, int code,
                         const char *msg)
{
    struct hk_err err;
    struct jv_doc *d = (struct jv_doc *)&err; /* sentinel */
    char name[48];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < sizeof(name); i++)
        name[k++] = (unsigned char)s[i] < 0x20 ? '~' : s[i]; /* keep TAP lines on one line */
    strcpy(name + k, k < n ? "..." : "");
    int r = parse_n(s, n, lim, &d, &err);
    TAP_OK(r == -code && err.code == code && d == (struct jv_doc *)&err, "%s: fails with code %d",
           name, code);
    if (r != -code)
        printf("#   r=%d msg='%s'\n", r, err.msg);
    if (r == 0)
        jv_doc_free(d);
    TAP_STR_EQ(err.msg, msg, "%s: message", name);
}

static void expect_err(const char *s, const struct jv_limits *lim, int code, const char *msg)
{
    expect_err_n(s, strlen(s), lim, code, msg);
}

/* Parse must succeed; returns the doc (caller frees) or NULL. */
static struct jv_doc *expect_ok(const char *s, const struct jv_limits *lim)
{
    struct hk_err err;
    struct jv_doc *d = NULL;
    int r = parse(s, lim, &d, &err);
    if (r < 0)
        printf("#   unexpected error for '%.60s': %s\n", s, err.msg);
    return r == 0 ? d : NULL;
}

/* One check: s parses without error. */
static void ok_parse(const char *s, const struct jv_limits *lim, const char *name)
{
    struct jv_doc *d = expect_ok(s, lim);
    TAP_OK(d != NULL, "%s", name);
    jv_doc_free(d);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * n + tl + 1);
    if (!s)
        abort();
    memcpy(s, head, hl);
    for (size_t i = 0; i < n; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * n, tail, tl + 1);
    return s;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_scalars(void)
{
    _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok("null", NULL);
    TAP_OK(d && jv_root(d)->type == JV_NULL, "top-level null");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok(" \t\r\ntrue \n", NULL);
    TAP_OK(d && jv_root(d)->type == JV_BOOL && jv_root(d)->u.b, "top-level true with whitespace");
    TAP_OK(d && jv_root(d)->line == 2 && jv_root(d)->col == 1, "position after newline is 2:1");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("false", NULL);
    TAP_OK(d && jv_root(d)->type == JV_BOOL && !jv_root(d)->u.b, "top-level false");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("  -123.456e+78", NULL);
    TAP_OK(d && jv_root(d)->type == JV_NUMBER, "top-level number");
    TAP_STR_EQ(d ? jv_root(d)->u.num : NULL, "-123.456e+78", "number keeps its source text");
    TAP_OK(d && jv_root(d)->col == 3, "number column");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("\"hi\"", NULL);
    TAP_OK(d && jv_root(d)->type == JV_STRING && jv_root(d)->u.str.len == 2 &&
               strcmp(jv_root(d)->u.str.s, "hi") == 0,
           "top-level string");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("\"\"", NULL);
    TAP_OK(d && jv_root(d)->u.str.len == 0 && jv_root(d)->u.str.s[0] == '\0', "empty string");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("[]", NULL);
    TAP_OK(d && jv_root(d)->type == JV_ARRAY && jv_root(d)->u.arr.n == 0, "empty array");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok(" { } ", NULL);
    TAP_OK(d && jv_root(d)->type == JV_OBJECT && jv_root(d)->u.obj.n == 0, "empty object");
}

static void test_structure(void)
{
    const char *doc = "{\n"
                      "  \"ociVersion\": \"1.0.2\",\n"
                      "  \"process\": {\"args\": [\"sh\", \"-c\"], \"terminal\": false},\n"
                      "  \"z\": null,\n"
                      "  \"a\": [1, [2, {}], -3.5]\n"
                      "}\n";
    _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok(doc, NULL);
    const struct jv *root = d ? jv_root(d) : NULL;
    TAP_OK(root && root->type == JV_OBJECT && root->u.obj.n == 4, "object with 4 members");
    if (!root)
        return;
    TAP_OK(strcmp(root->u.obj.m[0].key, "ociVersion") == 0 &&
               strcmp(root->u.obj.m[1].key, "process") == 0 &&
               strcmp(root->u.obj.m[2].key, "z") == 0 && strcmp(root->u.obj.m[3].key, "a") == 0,
           "member order preserved");
    const struct jv *v = jv_get(root, "ociVersion");
    TAP_OK(v && v->type == JV_STRING && strcmp(v->u.str.s, "1.0.2") == 0, "jv_get hit");
    TAP_OK(v && v->line == 2 && v->col == 17, "string value position 2:17");
    TAP_OK(jv_get(root, "missing") == NULL && jv_get(root, "") == NULL &&
               jv_get(root, "ociversion") == NULL,
           "jv_get misses (absent, empty, wrong case)");
    const struct jv *proc = jv_get(root, "process");
    const struct jv *args = jv_get(proc, "args");
    TAP_OK(args && args->type == JV_ARRAY && args->u.arr.n == 2 &&
               strcmp(args->u.arr.items[1].u.str.s, "-c") == 0,
           "nested array of strings");
    TAP_OK(args && args->line == 3 && args->col == 23, "nested array position 3:23");
    TAP_OK(jv_get(args, "sh") == NULL && jv_get(NULL, "x") == NULL, "jv_get on non-object is NULL");
    const struct jv *z = jv_get(root, "z");
    TAP_OK(z && z->type == JV_NULL && z->line == 4 && z->col == 8, "null member at 4:8");
    const struct jv *a = jv_get(root, "a");
    TAP_OK(a && a->u.arr.n == 3 && a->u.arr.items[1].type == JV_ARRAY &&
               a->u.arr.items[1].u.arr.n == 2 &&
               a->u.arr.items[1].u.arr.items[1].type == JV_OBJECT &&
               a->u.arr.items[1].u.arr.items[1].col == 16 &&
               strcmp(a->u.arr.items[2].u.num, "-3.5") == 0,
           "mixed nested array contents and positions");
}

static void test_big_object(void)
{
    /* More members than the linear duplicate scan handles: goes through the hash index. */
    char *s = malloc(1000 * 16 + 16);
    size_t o = 0;
    s[o++] = '{';
    for (int i = 0; i < 1000; i++)
        o += (size_t)sprintf(s + o, "%s\"k%d\":%d", i ? "," : "", i, i);
    strcpy(s + o, "}");
    _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok(s, NULL);
    const struct jv *v = d ? jv_get(jv_root(d), "k777") : NULL;
    TAP_OK(d && jv_root(d)->u.obj.n == 1000 && v && strcmp(v->u.num, "777") == 0,
           "1000-member object parses, jv_get finds k777");
    TAP_OK(d && strcmp(jv_root(d)->u.obj.m[999].key, "k999") == 0, "last member is k999");

    strcpy(s + o, ",\"k500\":1}");
    char msg[64];
    snprintf(msg, sizeof(msg), "line 1 column %zu: duplicate key 'k500'", o + 2);
    expect_err(s, NULL, EINVAL, msg);
    free(s);
}

static void test_long_keys(void)
{
    /* Keys longer than 8 bytes through the hash index; the message cuts user bytes at 48. */
    char s[4096], msg[256];
    const char *pad = "0123456789012345678901234567890123456789012345678901234567890123";
    size_t o = 0;
    s[o++] = '{';
    for (int i = 0; i < 20; i++)
        o += (size_t)sprintf(s + o, "%s\"%02d%s\":[]", i ? "," : "", i, pad);
    strcpy(s + o, "}");
    ok_parse(s, NULL, "20 members with 66-byte keys");
    o += (size_t)sprintf(s + o, ",\"%02d%s\":{}}", 7, pad);
    snprintf(msg, sizeof(msg), "line 1 column %zu: duplicate key '07%.46s...'", o - strlen(pad) - 7,
             pad);
    expect_err(s, NULL, EINVAL, msg);
}

static void test_strings(void)
{
    _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", NULL);
    TAP_OK(d && jv_root(d)->u.str.len == 8 &&
               memcmp(jv_root(d)->u.str.s, "\"\\/\b\f\n\r\t", 9) == 0,
           "all single-character escapes");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("\"\\u0041\\u00e9\\u20AC\\u07ff\"", NULL);
    TAP_OK(d && strcmp(jv_root(d)->u.str.s, "A\xc3\xa9\xe2\x82\xac\xdf\xbf") == 0 &&
               jv_root(d)->u.str.len == 8,
           "\\u escapes to 1, 2 and 3 byte UTF-8, mixed-case hex");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("\"x\\ud83d\\ude00y\\uDBFF\\uDFFF\"", NULL);
    TAP_OK(d && strcmp(jv_root(d)->u.str.s, "x\xf0\x9f\x98\x80y\xf4\x8f\xbf\xbf") == 0,
           "surrogate pairs decode to 4-byte UTF-8");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("\"caf\xc3\xa9 \xff\xfe\"", NULL);
    TAP_OK(d && strcmp(jv_root(d)->u.str.s, "caf\xc3\xa9 \xff\xfe") == 0,
           "raw bytes >= 0x80 pass through");
    jv_doc_free(TAKE_PTR(d));

    d = expect_ok("{\"a\\tb\": 1}", NULL);
    TAP_OK(d && jv_get(jv_root(d), "a\tb") != NULL, "escaped key is decoded");

    expect_err("[\n  \"a\\q\"]", NULL, EINVAL, "line 2 column 5: invalid escape '\\q' in string");
    expect_err("\"\\\x01\"", NULL, EINVAL, "line 1 column 2: invalid escape '\\\\x01' in string");
    expect_err("\"a\x01\"", NULL, EINVAL,
               "line 1 column 3: unescaped control character '\\x01' in string");
    expect_err("\"a\nb\"", NULL, EINVAL,
               "line 1 column 3: unescaped control character '\\x0a' in string");
    expect_err("\"a\\u12g4\"", NULL, EINVAL, "line 1 column 3: invalid escape '\\u12g' in string");
    expect_err("\"\\ud800\"", NULL, EINVAL, "line 1 column 2: lone surrogate '\\ud800' in string");
    expect_err("\"\\udc00x\"", NULL, EINVAL, "line 1 column 2: lone surrogate '\\udc00' in string");
    expect_err("\"\\ud800\\u0041\"", NULL, EINVAL,
               "line 1 column 2: lone surrogate '\\ud800' in string");
    expect_err("\"\\ud800\\n\"", NULL, EINVAL,
               "line 1 column 2: lone surrogate '\\ud800' in string");
    expect_err("\"a\\u0000\"", NULL, EINVAL,
               "line 1 column 3: escaped nul '\\u0000' not allowed in string");
    expect_err("\"abc", NULL, EINVAL, "line 1 column 5: unexpected end of input");
    expect_err("\"a\\n", NULL, EINVAL, "line 1 column 5: unexpected end of input");
    expect_err("\"a\\", NULL, EINVAL, "line 1 column 4: unexpected end of input");
    expect_err("\"\\u12", NULL, EINVAL, "line 1 column 6: unexpected end of input");
    expect_err("\"\\ud800", NULL, EINVAL, "line 1 column 8: unexpected end of input");
    expect_err("\"\\q", NULL, EINVAL, "line 1 column 2: invalid escape '\\q' in string");
    expect_err("\"\\ud800\\", NULL, EINVAL, "line 1 column 9: unexpected end of input");
    expect_err("\"\\ud800\\udc", NULL, EINVAL, "line 1 column 12: unexpected end of input");
    expect_err("\"\\ud800\\udcxx\"", NULL, EINVAL,
               "line 1 column 8: invalid escape '\\udcx' in string");
}

static void test_syntax_errors(void)
{
    expect_err("", NULL, EINVAL, "line 1 column 1: unexpected end of input");
    expect_err(" \n ", NULL, EINVAL, "line 2 column 2: unexpected end of input");
    expect_err("[", NULL, EINVAL, "line 1 column 2: unexpected end of input");
    expect_err("{\"a\":1", NULL, EINVAL, "line 1 column 7: unexpected end of input");
    expect_err("{\"a\"", NULL, EINVAL, "line 1 column 5: unexpected end of input");
    expect_err("{\"a\":1,  ", NULL, EINVAL, "line 1 column 10: unexpected end of input");
    expect_err("{ ", NULL, EINVAL, "line 1 column 3: unexpected end of input");
    expect_err("{\"a\" 1}", NULL, EINVAL, "line 1 column 6: expected ':' after object key");
    expect_err("{\n  \"a\": 1,\n  \"b\": 2 \"c\": 3\n}", NULL, EINVAL,
               "line 3 column 10: expected ',' or '}' in object");
    expect_err("{\n  \"a\": 1,\n  \"b\" 2\n}", NULL, EINVAL,
               "line 3 column 7: expected ':' after object key");
    expect_err("[1 2]", NULL, EINVAL, "line 1 column 4: expected ',' or ']' in array");
    expect_err("[1}", NULL, EINVAL, "line 1 column 3: expected ',' or ']' in array");
    expect_err("{1:2}", NULL, EINVAL, "line 1 column 2: expected string or '}' in object");
    expect_err("{\"a\":1,}", NULL, EINVAL, "line 1 column 8: expected string after ',' in object");
    expect_err("[1,]", NULL, EINVAL, "line 1 column 4: unexpected character ']'");
    expect_err("[}", NULL, EINVAL, "line 1 column 2: unexpected character '}'");
    expect_err("1 2", NULL, EINVAL,
               "line 1 column 3: unexpected character '2' after top-level value");
    expect_err("{}}", NULL, EINVAL,
               "line 1 column 3: unexpected character '}' after top-level value");
    expect_err_n("[1]\0", 4, NULL, EINVAL,
                 "line 1 column 4: unexpected character '\\x00' after top-level value");
    expect_err("\x01", NULL, EINVAL, "line 1 column 1: unexpected character '\\x01'");
    expect_err("'a'", NULL, EINVAL, "line 1 column 1: unexpected character '''");
    expect_err("tru", NULL, EINVAL, "line 1 column 4: unexpected end of input");
    expect_err("[trux]", NULL, EINVAL, "line 1 column 2: invalid literal 'trux'");
    expect_err("truex", NULL, EINVAL, "line 1 column 1: invalid literal 'truex'");
    expect_err("nulL", NULL, EINVAL, "line 1 column 1: invalid literal 'nulL'");
    expect_err("True", NULL, EINVAL, "line 1 column 1: unexpected character 'T'");
    expect_err("\"\xe9\"x", NULL, EINVAL,
               "line 1 column 4: unexpected character 'x' after top-level value");
}

static void test_number_syntax(void)
{
    static const char *const good[] = {"0",
                                       "-0",
                                       "1e3",
                                       "1E+3",
                                       "1.5e-3",
                                       "0.0",
                                       "-0.0e0",
                                       "123456789012345678901234567890",
                                       "1e999999999999"};
    for (size_t i = 0; i < HK_ARRAY_SIZE(good); i++) {
        _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok(good[i], NULL);
        TAP_OK(d && jv_root(d)->type == JV_NUMBER && strcmp(jv_root(d)->u.num, good[i]) == 0,
               "number '%s' is valid and kept verbatim", good[i]);
    }
    expect_err("01", NULL, EINVAL, "line 1 column 1: invalid number '01'");
    expect_err("-01", NULL, EINVAL, "line 1 column 1: invalid number '-01'");
    expect_err("-", NULL, EINVAL, "line 1 column 1: invalid number '-'");
    expect_err("1.", NULL, EINVAL, "line 1 column 1: invalid number '1.'");
    expect_err("[1.]", NULL, EINVAL, "line 1 column 2: invalid number '1.'");
    expect_err(".5", NULL, EINVAL, "line 1 column 1: invalid number '.5'");
    expect_err("+1", NULL, EINVAL, "line 1 column 1: invalid number '+1'");
    expect_err("1e", NULL, EINVAL, "line 1 column 1: invalid number '1e'");
    expect_err("1e+", NULL, EINVAL, "line 1 column 1: invalid number '1e+'");
    expect_err("0x10", NULL, EINVAL, "line 1 column 1: invalid number '0x10'");
    expect_err("[-a]", NULL, EINVAL, "line 1 column 2: invalid number '-a'");
    expect_err("1.5.2", NULL, EINVAL, "line 1 column 1: invalid number '1.5.2'");
}

static void test_duplicates(void)
{
    expect_err("{\"a\":1,\"a\":2}", NULL, EINVAL, "line 1 column 8: duplicate key 'a'");
    expect_err("{\"a\":1,\n \"\\u0061\":2}", NULL, EINVAL, "line 2 column 2: duplicate key 'a'");
    expect_err("{\"\\n\":1,\"\\n\":2}", NULL, EINVAL, "line 1 column 9: duplicate key '\\x0a'");
    ok_parse("{\"a\":{\"a\":1},\"b\":{\"a\":{\"a\":2}},\"A\":3}", NULL,
             "same key in different objects and different case is fine");
    ok_parse("[{\"a\":1},{\"a\":1}]", NULL, "same key in sibling objects is fine");
}

static void test_depth(void)
{
    char *ok = repeat("", "[", 64, "");
    char *ok2 = repeat(ok, "]", 64, "");
    ok_parse(ok2, NULL, "64 nested arrays accepted by default");
    free(ok2);
    free(ok);

    char *bad = repeat("", "[", 65, "");
    expect_err(bad, NULL, EINVAL, "line 1 column 65: nesting deeper than 64");
    free(bad);

    char *objs = repeat("", "{\"a\":", 64, "1");
    char *objs2 = repeat(objs, "}", 64, "");
    ok_parse(objs2, NULL, "64 nested objects accepted by default");
    free(objs2);
    free(objs);

    struct jv_limits lim = {.max_depth = 1};
    ok_parse("{\"a\":1,\"b\":\"x\"}", &lim, "max_depth 1 allows a flat object");
    expect_err("{\"a\":[]}", &lim, EINVAL, "line 1 column 6: nesting deeper than 1");

    char *deep = repeat("", "[", 100000, "");
    double t0 = now_ms();
    expect_err(deep, NULL, EINVAL, "line 1 column 65: nesting deeper than 64");
    double ms = now_ms() - t0;
    TAP_OK(ms < 100, "100000-deep input fails fast (%.3f ms)", ms);
    lim.max_depth = 1000000;
    expect_err(deep, &lim, EINVAL, "line 1 column 100001: unexpected end of input");
    free(deep);
}

static void test_limits(void)
{
    struct jv_limits lim = {.max_bytes = 5};
    ok_parse("[1,2]", &lim, "max_bytes: exactly at the limit");
    expect_err("[1,22]", &lim, E2BIG, "line 1 column 6: document larger than 5 bytes");
    expect_err("[\n1,\n22]", &lim, E2BIG, "line 3 column 1: document larger than 5 bytes");

    lim = (struct jv_limits){.max_array = 3};
    ok_parse("[1,2,3]", &lim, "max_array: 3 elements at limit 3");
    expect_err("[1,2,3,4]", &lim, E2BIG, "line 1 column 8: more than 3 elements in array");
    ok_parse("{\"a\":1,\"b\":2,\"c\":3}", &lim, "max_array: 3 members at limit 3");
    expect_err("{\"a\":1,\"b\":2,\"c\":3, \"d\":4}", &lim, E2BIG,
               "line 1 column 21: more than 3 members in object");
    ok_parse("[[1,2,3],[1,2,3],[1,2,3]]", &lim, "max_array counts per array");

    lim = (struct jv_limits){.max_string = 3};
    ok_parse("[\"abc\", \"\\u00e9a\", \"\\n\\n\\n\"]", &lim,
             "max_string: 3 decoded bytes at limit 3 (plain and escaped)");
    expect_err("[\"abcd\"]", &lim, E2BIG, "line 1 column 2: string longer than 3 bytes");
    expect_err("[\"\\u00e9ab\"]", &lim, E2BIG, "line 1 column 2: string longer than 3 bytes");
    expect_err("[\"\\n\\n\\n\\n\"]", &lim, E2BIG, "line 1 column 2: string longer than 3 bytes");
    expect_err("[\"ab\\ud83d\\ude00\"]", &lim, E2BIG,
               "line 1 column 2: string longer than 3 bytes");
    expect_err("{\"abcd\":1}", &lim, E2BIG, "line 1 column 2: string longer than 3 bytes");

    /* Defaults, exactly at and one past each boundary. */
    size_t mib = (size_t)1 << 20;
    char *s = repeat("\"", "a", mib, "\"");
    ok_parse(s, NULL, "default max_string: 1 MiB string accepted");
    free(s);
    s = repeat("\"", "a", mib + 1, "\"");
    expect_err(s, NULL, E2BIG, "line 1 column 1: string longer than 1048576 bytes");
    free(s);

    s = repeat("[0", ",0", 65535, "]");
    ok_parse(s, NULL, "default max_array: 65536 elements accepted");
    free(s);
    s = repeat("[0", ",0", 65536, "]");
    expect_err(s, NULL, E2BIG, "line 1 column 131074: more than 65536 elements in array");
    free(s);

    s = repeat("0", " ", 4 * mib - 1, "");
    ok_parse(s, NULL, "default max_bytes: 4 MiB document accepted");
    free(s);
    s = repeat("0", " ", 4 * mib, "");
    expect_err(s, NULL, E2BIG, "line 1 column 4194305: document larger than 4194304 bytes");
    free(s);

    lim = (struct jv_limits){0};
    s = repeat("", "[", 65, "");
    expect_err(s, &lim, EINVAL, "line 1 column 65: nesting deeper than 64");
    free(s);
}

static void test_u64(void)
{
    struct {
        const char *text;
        int r;
        uint64_t v;
    } cases[] = {
        {"0", 0, 0},
        {"-0", 0, 0},
        {"-0.0", 0, 0},
        {"1e3", 0, 1000},
        {"1.0", 0, 1},
        {"1.5", -EINVAL, 0},
        {"2.50e1", 0, 25},
        {"12345e-2", -EINVAL, 0},
        {"12300e-2", 0, 123},
        {"0e999999999999999999999", 0, 0},
        {"1e-999999999999999999999", -EINVAL, 0},
        {"18446744073709551615", 0, UINT64_MAX},
        {"18446744073709551616", -ERANGE, 0},
        {"1.8446744073709551615e19", 0, UINT64_MAX},
        {"1e19", 0, 10000000000000000000ULL},
        {"1e20", -ERANGE, 0},
        {"100000000000000000000", -ERANGE, 0},
        {"1e999999999999999999999", -ERANGE, 0},
        {"-1", -ERANGE, 0},
        {"-1.5", -EINVAL, 0},
        {"0.000000000000000000000000000000001e33", 0, 1},
    };
    for (size_t i = 0; i < HK_ARRAY_SIZE(cases); i++) {
        _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok(cases[i].text, NULL);
        uint64_t v = 424242;
        int r = d ? jv_u64(jv_root(d), &v) : -999;
        bool good = r == cases[i].r && (r == 0 ? v == cases[i].v : v == 424242);
        TAP_OK(good, "jv_u64('%s') = %d", cases[i].text, cases[i].r);
        if (!good)
            printf("#   got r=%d v=%llu\n", r, (unsigned long long)v);
    }
}

static void test_i64(void)
{
    struct {
        const char *text;
        int r;
        int64_t v;
    } cases[] = {
        {"0", 0, 0},
        {"-0", 0, 0},
        {"-42", 0, -42},
        {"-4.2e1", 0, -42},
        {"9223372036854775807", 0, INT64_MAX},
        {"9223372036854775808", -ERANGE, 0},
        {"-9223372036854775808", 0, INT64_MIN},
        {"-9223372036854775809", -ERANGE, 0},
        {"-1e19", -ERANGE, 0},
        {"-0.5", -EINVAL, 0},
    };
    for (size_t i = 0; i < HK_ARRAY_SIZE(cases); i++) {
        _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok(cases[i].text, NULL);
        int64_t v = 424242;
        int r = d ? jv_i64(jv_root(d), &v) : -999;
        bool good = r == cases[i].r && (r == 0 ? v == cases[i].v : v == 424242);
        TAP_OK(good, "jv_i64('%s') = %d", cases[i].text, cases[i].r);
        if (!good)
            printf("#   got r=%d v=%lld\n", r, (long long)v);
    }

    _cleanup_(jv_doc_freep) struct jv_doc *d = expect_ok("[\"1\", null, true]", NULL);
    uint64_t u;
    int64_t s;
    const struct jv *a = d ? jv_root(d) : NULL;
    TAP_OK(a && jv_u64(&a->u.arr.items[0], &u) == -EINVAL &&
               jv_i64(&a->u.arr.items[1], &s) == -EINVAL && jv_u64(a, &u) == -EINVAL &&
               jv_u64(NULL, &u) == -EINVAL,
           "jv_u64/jv_i64 on non-numbers is -EINVAL");
}

static void test_misc(void)
{
    TAP_STR_EQ(jv_type_name(JV_NULL), "null", "type name null");
    TAP_STR_EQ(jv_type_name((enum jv_type)99), "unknown", "type name out of range");

    /* Hand-built values with malformed number text are rejected, not misread. */
    static const char *const bad[] = {"01", "1.", "1e", "1e+", "1x", "-", "", ".5", "+1"};
    bool all = true;
    for (size_t i = 0; i < HK_ARRAY_SIZE(bad); i++) {
        struct jv v = {.type = JV_NUMBER, .u.num = bad[i]};
        uint64_t u;
        int64_t s;
        if (jv_u64(&v, &u) != -EINVAL || jv_i64(&v, &s) != -EINVAL)
            all = false;
    }
    struct jv nul = {.type = JV_NUMBER, .u.num = NULL};
    uint64_t u;
    all = all && jv_u64(&nul, &u) == -EINVAL;
    TAP_OK(all, "malformed or NULL number text is -EINVAL");
    TAP_OK(strcmp(jv_type_name(JV_BOOL), "boolean") == 0 &&
               strcmp(jv_type_name(JV_NUMBER), "number") == 0 &&
               strcmp(jv_type_name(JV_STRING), "string") == 0 &&
               strcmp(jv_type_name(JV_ARRAY), "array") == 0 &&
               strcmp(jv_type_name(JV_OBJECT), "object") == 0,
           "type names");
    jv_doc_free(NULL);
    TAP_OK(jv_root(NULL) == NULL, "jv_doc_free(NULL) and jv_root(NULL) are safe");

    struct hk_err err;
    struct jv_doc *d = NULL;
    int r = jv_parse(NULL, 0, NULL, &d, &err);
    TAP_OK(r == -EINVAL && d == NULL, "NULL buffer of length 0 is empty input");
    r = jv_parse("[1,", 3, NULL, &d, NULL);
    TAP_OK(r == -EINVAL && d == NULL, "NULL err pointer is tolerated");
    /* Input need not be NUL-terminated: only the first len bytes count. */
    r = jv_parse("[1]garbage", 3, NULL, &d, &err);
    TAP_OK(r == 0 && d, "only len bytes are parsed");
    jv_doc_free(d);
}

int main(void)
{
    test_scalars();
    test_structure();
    test_big_object();
    test_long_keys();
    test_strings();
    test_syntax_errors();
    test_number_syntax();
    test_duplicates();
    test_depth();
    test_limits();
    test_u64();
    test_i64();
    test_misc();
    return tap_done();
}
