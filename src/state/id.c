#include "state/id.h"

#include <errno.h>
#include <string.h>

#include "core/err.h"

static bool id_char(char c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return !first && (c == '_' || c == '.' || c == '+' || c == '-');
}

bool state_id_valid(const char *id)
{
    if (!id || !*id)
        return false;
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        if (n >= STATE_ID_MAX || !id_char(*p, p == id))
            return false;
    }
    return true;
}

int state_id_check(const char *id, struct hk_err *err)
{
    if (!id || !*id)
        return hk_err_set(err, EINVAL, "container id cannot be empty");
    if (strlen(id) > STATE_ID_MAX)
        return hk_err_set(err, EINVAL, "invalid container id: longer than %d characters",
                          STATE_ID_MAX);
    if (!state_id_valid(id))
        return hk_err_set(err, EINVAL,
                          "invalid container id format: must match "
                          "[A-Za-z0-9][A-Za-z0-9_.+-]*");
    return 0;
}
