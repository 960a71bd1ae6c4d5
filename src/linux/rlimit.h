/* process.rlimits
 * No unit test: covered by tests/integration/test_process.py.
 */
#pragma once

#include <stddef.h>

struct hk_err;
struct spec_rlimit;

int rlimit_apply(const struct spec_rlimit *r, size_t n, struct hk_err *err);
