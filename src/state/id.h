/* Container ids: ^[A-Za-z0-9][A-Za-z0-9_.+-]{0,254}$, checked before any file is touched.
 * (DESIGN.md said up to 1024 characters, but an id is a directory name: NAME_MAX is 255.) */
#pragma once

#include <stdbool.h>

#define STATE_ID_MAX 255

struct hk_err;

bool state_id_valid(const char *id);
/* Error naming the problem: empty, too long, bad character. */
int state_id_check(const char *id, struct hk_err *err);
