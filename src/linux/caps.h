/* Capabilities: bounding set, effective/permitted/inheritable (capset), ambient.
 * No unit test: needs real credentials; covered by tests/integration/test_process.py.
 */
#pragma once

#include <stdint.h>

struct hk_err;
struct spec_caps;

/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap via proc_fd). */
int caps_last_cap(int proc_fd);
/* Drop every capability not in bounding from the bounding set (needs CAP_SETPCAP). */
int caps_apply_bounding(uint64_t bounding, int last_cap, struct hk_err *err);
/* After the uid switch: set effective/permitted/inheritable, then raise ambient caps
 * (an ambient cap also needs to be permitted and inheritable; like runc, those that cannot
 * be raised are skipped). */
int caps_apply_final(const struct spec_caps *c, int last_cap, struct hk_err *err);
