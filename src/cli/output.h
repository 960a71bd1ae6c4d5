/* runc's JSON shape for a container state (state and list).
 * No unit test: byte-compared with runc in tests/integration/test_runc_compat.py.
 */
#pragma once

struct json_out;
struct hk_view;

/* {ociVersion,id,pid,status,bundle,rootfs,created,owner[,annotations]} */
void output_state_json(struct json_out *j, const struct hk_view *v, const char *owner);
/* User name of uid, or "#<uid>" (runc's list). buf >= 64 bytes. */
void output_owner_name(unsigned uid, char *buf, unsigned long len);
