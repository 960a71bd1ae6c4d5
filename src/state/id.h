/* Container ids: ^[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}$, checked before any file is touched. */
#pragma once

#include <stdbool.h>

#define STATE_ID_MAX 1024

struct hk_err;

bool state_id_valid(const char *id);
/* Error naming the problem: empty, too long, bad character. */
int state_id_check(const char *id, struct hk_err *err);
