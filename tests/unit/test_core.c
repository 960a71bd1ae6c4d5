/* Unit tests for the pure parts of core/, path/, state/, linux/, cgroups/ and container/. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "cgroups/devices.h"
#include <linux/bpf.h>
#include "container/container.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json_out.h"
#include "core/log.h"
#include "core/parse_num.h"
#include "core/strv.h"
#include "linux/exec.h"
#include "linux/mount.h"
#include "linux/procfs.h"
#include "linux/user.h"
#include "linux/userns.h"
#include "path/path.h"
#include "spec/spec.h"
#include "state/id.h"
#include "state/state_json.h"
#include "tap.h"

static void test_parse_num(void)
{
    uint64_t u;
    int64_t i;
    uint32_t u32;
    TAP_OK(parse_u64("0", &u) == 0 && u == 0, "parse_u64 0");
    TAP_OK(parse_u64("18446744073709551615", &u) == 0 && u == UINT64_MAX, "parse_u64 max");
    TAP_OK(parse_u64("18446744073709551616", &u) == -ERANGE, "parse_u64 overflow");
    TAP_OK(parse_u64("", &u) == -EINVAL, "parse_u64 rejects empty");
    TAP_OK(parse_u64("12a", &u) == -EINVAL, "parse_u64 rejects trailing junk");
    TAP_OK(parse_u64("-1", &u) == -EINVAL, "parse_u64 rejects sign");
    TAP_OK(parse_u64(" 1", &u) == -EINVAL, "parse_u64 rejects space");
    TAP_OK(parse_u32("4294967295", &u32) == 0 && u32 == UINT32_MAX, "parse_u32 max");
    TAP_OK(parse_u32("4294967296", &u32) == -ERANGE, "parse_u32 overflow");
    TAP_OK(parse_i64("-9223372036854775808", &i) == 0 && i == INT64_MIN, "parse_i64 min");
    TAP_OK(parse_i64("9223372036854775808", &i) == -ERANGE, "parse_i64 overflow");
    TAP_OK(parse_i64("-", &i) == -EINVAL, "parse_i64 rejects lone minus");
    int n;
    TAP_OK(parse_int("2147483648", &n) == -ERANGE, "parse_int overflow");
}

static void check_clean(const char *in, const char *want)
{
    char *c = path_clean(in);
    TAP_STR_EQ(c, want, "path_clean('%s')", in);
    free(c);
}

static void test_path_clean(void)
{
    check_clean("/", "/");
    check_clean("//a//b/", "/a/b");
    check_clean("/a/./b/../c", "/a/c");
    check_clean("/../../x", "/x");
    check_clean("a/../../x", "../x");
    check_clean("", ".");
    check_clean("./", ".");
    check_clean("a/b/..", "a");
    char *j = path_join_abs("/srv/bundle", "rootfs");
    TAP_STR_EQ(j, "/srv/bundle/rootfs", "path_join_abs relative");
    free(j);
    j = path_join_abs("/srv/bundle", "/abs/root");
    TAP_STR_EQ(j, "/abs/root", "path_join_abs absolute wins");
    free(j);
    j = path_join_abs("/srv/bundle", "../other");
    TAP_STR_EQ(j, "/srv/other", "path_join_abs cleans ..");
    free(j);
}

/* A scratch tree with hostile symlinks; both resolvers must stay inside it. */
static void test_path_resolve(bool fallback)
{
    char dir[] = "/tmp/husk-unit-XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_SKIP("mkdtemp failed", "path resolution (%s)", fallback ? "fallback" : "openat2");
        return;
    }
    char p[512];
    snprintf(p, sizeof(p), "%s/root", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/root/etc", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/outside", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/root/escape", dir);
    (void)!symlink("../../outside", p);
    snprintf(p, sizeof(p), "%s/root/abs", dir);
    (void)!symlink("/etc", p);
    snprintf(p, sizeof(p), "%s/root/loop", dir);
    (void)!symlink("loop", p);
    snprintf(p, sizeof(p), "%s/root", dir);
    int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
    path_force_fallback(fallback);
    const char *mode = fallback ? "fallback" : "openat2";
    struct hk_err err;
    int fd = -1;

    /* ../../outside resolved in the root is <root>/outside, which does not exist */
    int r = path_open_in_root(root, "/escape", O_PATH, 0, &fd, &err);
    TAP_OK(r < 0 && err.code == ENOENT, "%s: '../..' symlink stays in the root", mode);
    if (r == 0)
        close(fd);

    r = path_mkdir_p_in_root(root, "/escape/created", 0755, &fd, &err);
    TAP_OK(r == 0, "%s: mkdir -p through an escaping symlink succeeds inside", mode);
    if (r == 0)
        close(fd);
    snprintf(p, sizeof(p), "%s/outside/created", dir);
    struct stat st;
    TAP_OK(stat(p, &st) < 0, "%s: nothing was created outside the root", mode);
    snprintf(p, sizeof(p), "%s/root/outside/created", dir);
    TAP_OK(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "%s: it was created inside the root", mode);

    r = path_open_in_root(root, "/abs", O_PATH | O_DIRECTORY, 0, &fd, &err);
    TAP_OK(r == 0, "%s: absolute symlink resolves to the root's /etc", mode);
    if (r == 0) {
        struct stat a, b;
        snprintf(p, sizeof(p), "%s/root/etc", dir);
        fstat(fd, &a);
        stat(p, &b);
        TAP_OK(a.st_ino == b.st_ino, "%s: ... which is <root>/etc, not the host's", mode);
        close(fd);
    }
    r = path_open_in_root(root, "/../../../etc", O_PATH | O_DIRECTORY, 0, &fd, &err);
    TAP_OK(r == 0, "%s: leading .. is clamped at the root", mode);
    if (r == 0)
        close(fd);
    r = path_open_in_root(root, "/loop", O_PATH, 0, &fd, &err);
    TAP_OK(r < 0 && err.code == ELOOP, "%s: symlink loop gives ELOOP", mode);
    r = path_open_in_root(root, "/escape", O_PATH, PATH_NOFOLLOW, &fd, &err);
    TAP_OK(r == 0, "%s: PATH_NOFOLLOW opens the symlink itself", mode);
    if (r == 0) {
        fstat(fd, &st);
        TAP_OK(S_ISLNK(st.st_mode), "%s: ... and it is a symlink", mode);
        close(fd);
    }
    r = path_mkfile_in_root(root, "/abs/newfile", 0644, &fd, &err);
    TAP_OK(r == 0, "%s: mkfile through an absolute symlink", mode);
    if (r == 0)
        close(fd);
    snprintf(p, sizeof(p), "%s/root/etc/newfile", dir);
    TAP_OK(stat(p, &st) == 0 && S_ISREG(st.st_mode), "%s: file created in <root>/etc", mode);
    TAP_OK(access("/etc/newfile", F_OK) < 0, "%s: host /etc untouched", mode);
    r = path_mkfile_in_root(root, "/escape", 0644, &fd, &err);
    TAP_OK(r < 0, "%s: mkfile refuses a symlink as the final component", mode);

    path_force_fallback(false);
    close(root);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    (void)!system(cmd);
}

static void test_json_out(void)
{
    struct hk_buf b = HK_BUF_INIT;
    json_escape(&b, "a\"b\\c\n<>&\x01\xe2\x80\xa8\xff");
    TAP_STR_EQ(b.data, "\"a\\\"b\\\\c\\n\\u003c\\u003e\\u0026\\u0001\\u2028\\ufffd\"",
               "json_escape matches Go's encoding/json");
    buf_free(&b);

    struct json_out j;
    json_out_init(&j, &b, "  ");
    json_obj_begin(&j);
    json_key(&j, "a");
    json_i64(&j, -1);
    json_key(&j, "e");
    json_obj_begin(&j);
    json_obj_end(&j);
    json_key(&j, "l");
    json_arr_begin(&j);
    json_u64(&j, 1);
    json_str(&j, "x");
    json_arr_end(&j);
    json_obj_end(&j);
    TAP_STR_EQ(b.data, "{\n  \"a\": -1,\n  \"e\": {},\n  \"l\": [\n    1,\n    \"x\"\n  ]\n}",
               "json_out indented layout matches json.MarshalIndent");
    buf_free(&b);

    json_out_init(&j, &b, NULL);
    json_arr_begin(&j);
    json_obj_begin(&j);
    json_key(&j, "k");
    json_bool(&j, true);
    json_obj_end(&j);
    json_null(&j);
    json_arr_end(&j);
    TAP_STR_EQ(b.data, "[{\"k\":true},null]", "json_out compact layout");
    buf_free(&b);
}

static void test_log_format(void)
{
    struct hk_buf b = HK_BUF_INIT;
    log_format_line(&b, LOG_TEXT, LOG_ERROR, "2026-11-23T16:25:16Z", NULL,
                    "container does not exist");
    TAP_STR_EQ(b.data,
               "time=\"2026-11-23T16:25:16Z\" level=error msg=\"container does not exist\"\n",
               "text log line is logrus' format");
    buf_free(&b);
    log_format_line(&b, LOG_TEXT, LOG_WARN, "T", NULL, "plain");
    TAP_STR_EQ(b.data, "time=T level=warning msg=plain\n", "text values quoted only when needed");
    buf_free(&b);
    log_format_line(&b, LOG_TEXT, LOG_ERROR, "T", NULL, "a\nb\"c");
    TAP_STR_EQ(b.data, "time=T level=error msg=\"a\\nb\\\"c\"\n",
               "newline in a message cannot forge a second line");
    buf_free(&b);
    log_format_line(&b, LOG_JSON, LOG_ERROR, "2026-11-23T16:25:16Z", NULL, "bad <x>");
    TAP_STR_EQ(
        b.data,
        "{\"level\":\"error\",\"msg\":\"bad \\u003cx\\u003e\",\"time\":\"2026-11-23T16:25:16Z\"}\n",
        "json log line is logrus' format (sorted keys)");
    buf_free(&b);
    const char *kv[] = {"file", "x.c:1", "pid", "7", NULL};
    log_format_line(&b, LOG_JSON, LOG_DEBUG, "T", kv, "m");
    TAP_STR_EQ(
        b.data,
        "{\"file\":\"x.c:1\",\"level\":\"debug\",\"msg\":\"m\",\"pid\":\"7\",\"time\":\"T\"}\n",
        "json extra fields sorted among the fixed keys");
    buf_free(&b);
}

static void test_err(void)
{
    struct hk_err e;
    TAP_OK(hk_err_set(&e, ENOENT, "open '%s'", "x") == -ENOENT && e.code == ENOENT,
           "hk_err_set returns -code");
    hk_err_wrap(&e, "mounts[%d]", 2);
    TAP_STR_EQ(e.msg, "mounts[2]: open 'x'", "hk_err_wrap prefixes context");
    hk_err_sys(&e, EACCES, "write '%s'", "f");
    TAP_STR_EQ(e.msg, "write 'f': Permission denied", "hk_err_sys appends strerror");
    TAP_OK(hk_err_set(&e, 0, "x") == -EIO, "code 0 becomes EIO");
    char big[3000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    hk_err_set(&e, EINVAL, "%s", big);
    hk_err_wrap(&e, "%s", big);
    TAP_OK(strlen(e.msg) == sizeof(e.msg) - 1, "long messages are truncated, not overflowed");
}

static void test_ids(void)
{
    struct hk_err e;
    TAP_OK(state_id_valid("abc-1.2_3+4"), "valid id");
    TAP_OK(!state_id_valid(""), "empty id invalid");
    TAP_OK(!state_id_valid("../x"), "'../x' invalid");
    TAP_OK(!state_id_valid("a/b"), "'a/b' invalid");
    TAP_OK(!state_id_valid("-x"), "leading '-' invalid");
    TAP_OK(!state_id_valid(".x"), "leading '.' invalid");
    TAP_OK(!state_id_valid("a b"), "space invalid");
    char longid[1100];
    memset(longid, 'a', 255);
    longid[255] = '\0';
    TAP_OK(state_id_valid(longid), "255-char id valid");
    longid[255] = 'a';
    longid[256] = '\0';
    TAP_OK(!state_id_valid(longid), "256-char id invalid (NAME_MAX)");
    TAP_OK(state_id_check("", &e) < 0 && strstr(e.msg, "empty"), "empty id message");
    TAP_OK(state_id_check(longid, &e) < 0 && strstr(e.msg, "longer"), "long id message");
}

static void test_time(void)
{
    char buf[64];
    container_format_time(1795450497, 293359852, buf, sizeof(buf));
    TAP_STR_EQ(buf, "2026-11-23T16:14:57.293359852Z", "RFC3339Nano");
    container_format_time(1795450497, 293359800, buf, sizeof(buf));
    TAP_STR_EQ(buf, "2026-11-23T16:14:57.2933598Z", "trailing zeros dropped like Go");
    container_format_time(1795450497, 0, buf, sizeof(buf));
    TAP_STR_EQ(buf, "2026-11-23T16:14:57Z", "no fraction when nanoseconds are 0");
}

static void test_procfs_stat(void)
{
    unsigned long long st;
    char state;
    const char *line = "123 (a b) c)) S 1 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                       "987654 1000 200 18446744073709551615\n";
    TAP_OK(procfs_parse_stat(line, &st, &state) == 0 && st == 987654 && state == 'S',
           "stat parsing survives ')' and spaces in comm");
    TAP_OK(procfs_parse_stat("1 (x) Z", &st, &state) < 0, "truncated stat rejected");
}

static void test_passwd(void)
{
    const char *pw = "root:x:0:0:root:/root:/bin/sh\n"
                     "broken line\n"
                     "app:x:1000:1000::/home/app:/bin/sh\n"
                     "nohome:x:1001:1001";
    char h[256];
    TAP_OK(user_home_from_passwd(pw, 0, h, sizeof(h)) == 0 && strcmp(h, "/root") == 0,
           "HOME of uid 0");
    TAP_OK(user_home_from_passwd(pw, 1000, h, sizeof(h)) == 0 && strcmp(h, "/home/app") == 0,
           "HOME of uid 1000");
    TAP_OK(user_home_from_passwd(pw, 1001, h, sizeof(h)) < 0, "short entry ignored");
    TAP_OK(user_home_from_passwd(pw, 42, h, sizeof(h)) == -ENOENT, "unknown uid");
}

static void test_userns_map(void)
{
    struct spec_idmap m[2] = {{0, 100000, 65536}, {65536, 1000, 1}};
    char buf[128];
    int n = userns_format_map(m, 2, buf, sizeof(buf));
    TAP_OK(n > 0 && strcmp(buf, "0 100000 65536\n65536 1000 1\n") == 0, "uid_map text");
    TAP_OK(userns_format_map(m, 2, buf, 10) == -E2BIG, "map overflow detected");
}

static void test_mount_attr(void)
{
    uint64_t set, clr;
    mnt_ms_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, &set, &clr);
    TAP_OK(set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) &&
               clr == 0,
           "MS flags to MOUNT_ATTR");
    mnt_ms_to_attr(MS_NOATIME, &set, &clr);
    TAP_OK(set == MOUNT_ATTR_NOATIME && clr == MOUNT_ATTR__ATIME, "noatime clears the atime mode");
    mnt_ms_to_attr(MS_STRICTATIME, &set, &clr);
    TAP_OK(set == MOUNT_ATTR_STRICTATIME && clr == MOUNT_ATTR__ATIME, "strictatime");
}

static void test_cgroups_pure(void)
{
    TAP_OK(cg_shares_to_weight(2) == 1, "shares 2 -> weight 1");
    TAP_OK(cg_shares_to_weight(1024) == 39, "shares 1024 -> weight 39 (runc)");
    TAP_OK(cg_shares_to_weight(262144) == 10000, "shares max -> weight 10000");
    TAP_OK(cg_shares_to_weight(0) == 0, "shares 0 -> unset");

    struct cg_hier h[2] = {
        {.name = (char *)"memory",
         .mount = (char *)"/sys/fs/cgroup/memory",
         .own = (char *)"/parent",
         .mask = CG_MEMORY},
        {.name = (char *)"",
         .mount = (char *)"/sys/fs/cgroup/unified",
         .own = (char *)"/",
         .mask = CG_UNIFIED},
    };
    struct cg_layout l = {.mode = CG_MODE_HYBRID, .h = h, .n = 2};
    struct cg cg;
    struct hk_err e;
    TAP_OK(cg_prepare(&l, "ctr", NULL, &cg, &e) == 0, "cg_prepare default path");
    TAP_STR_EQ(cg.dirs[0].path, "/sys/fs/cgroup/memory/parent/ctr",
               "default cgroupsPath is <own cgroup>/<id>");
    TAP_STR_EQ(cg.dirs[1].path, "/sys/fs/cgroup/unified/ctr", "hybrid: unified leaf too");
    cg_clear(&cg);
    TAP_OK(cg_prepare(&l, "ctr", "/a/b", &cg, &e) == 0, "cg_prepare absolute path");
    TAP_STR_EQ(cg.dirs[0].path, "/sys/fs/cgroup/memory/a/b", "absolute path from the mount");
    cg_clear(&cg);
    struct cg_hier h2 = {.name = (char *)"", .mount = (char *)"/sys/fs/cgroup",
                         .own = (char *)"/system.slice/foo.service", .mask = CG_UNIFIED};
    struct cg_layout l2 = {.mode = CG_MODE_V2, .h = &h2, .n = 1};
    TAP_OK(cg_prepare(&l2, "ctr", "", &cg, &e) == 0, "cg_prepare v2 default path");
    TAP_STR_EQ(cg.dirs[0].path, "/sys/fs/cgroup/system.slice/ctr",
               "v2: relative to the parent of our own cgroup (runc)");
    cg_clear(&cg);
    h2.own = (char *)"/";
    TAP_OK(cg_prepare(&l2, "ctr", "sub/x", &cg, &e) == 0, "cg_prepare v2 from the root cgroup");
    TAP_STR_EQ(cg.dirs[0].path, "/sys/fs/cgroup/sub/x", "v2: own cgroup / stays /");
    cg_clear(&cg);
    TAP_OK(cg_prepare(&l, "ctr", "../../x", &cg, &e) == -EINVAL && strstr(e.msg, "'..'"),
           "'..' in cgroupsPath is refused");
    TAP_OK(cg_prepare(&l, "ctr", "/a/../../x", &cg, &e) == -EINVAL, "'..' inside is refused");
    TAP_OK(cg_prepare(&l, "ctr", "/", &cg, &e) == -EINVAL, "the root cgroup is refused");
    TAP_OK(cg_prepare(&l, "ctr", "a..b", &cg, &e) == 0, "'..' inside a name is fine");
    cg_clear(&cg);
}

static void test_state_roundtrip(void)
{
    struct spec_kv ann[1] = {{(char *)"k", (char *)"v\"<"}};
    struct state_cgroup_dir dirs[2] = {{(char *)"/sys/fs/cgroup/a", true, false},
                                       {(char *)"/sys/fs/cgroup/a/b", false, true}};
    struct hk_state st = {
        .id = (char *)"c1",
        .bundle = (char *)"/b",
        .rootfs = (char *)"/b/rootfs",
        .created = (char *)"2026-01-01T00:00:00Z",
        .pid = 42,
        .pid_start = 123456789,
        .own_pidns = true,
        .annotations = ann,
        .n_annotations = 1,
        .cgroup_path = (char *)"/c1",
        .cgroup_dirs = dirs,
        .n_cgroup_dirs = 2,
    };
    char *data = NULL;
    size_t len = 0;
    TAP_OK(state_to_json(&st, &data, &len) == 0, "state serializes");
    struct hk_state back;
    struct hk_err e;
    int r = state_from_json(data, len, &back, &e);
    TAP_OK(r == 0, "state parses back");
    if (r == 0) {
        TAP_OK(back.pid == 42 && back.pid_start == 123456789 && back.own_pidns,
               "pid, start time, pidns round-trip");
        TAP_STR_EQ(back.annotations[0].value, "v\"<", "annotation round-trips");
        TAP_OK(back.n_cgroup_dirs == 2 && back.cgroup_dirs[0].created &&
                   !back.cgroup_dirs[1].created && !back.cgroup_dirs[0].leaf &&
                   back.cgroup_dirs[1].leaf,
               "cgroup dirs, created and leaf flags round-trip");
        state_clear(&back);
    }
    free(data);
    TAP_OK(state_from_json("{\"id\":1}", 8, &back, &e) < 0, "bad state rejected");
}

static void test_exec_helpers(void)
{
    char *env[] = {(char *)"A=1", (char *)"PATH=/nonexistent:/bin", (char *)"AB=2", NULL};
    TAP_STR_EQ(exec_getenv(env, "A"), "1", "getenv exact name");
    TAP_OK(exec_getenv(env, "B") == NULL, "getenv missing");
    char out[PATH_MAX];
    struct hk_err e;
    TAP_OK(exec_find("sh", env, out, sizeof(out), &e) == 0 && strcmp(out, "/bin/sh") == 0,
           "exec_find searches PATH");
    TAP_OK(exec_find("definitely-not-here", env, out, sizeof(out), &e) == -ENOENT &&
               strstr(e.msg, "executable file not found in $PATH"),
           "exec_find error like runc");
    char *noenv[] = {NULL};
    TAP_OK(exec_find("sh", noenv, out, sizeof(out), &e) < 0, "no PATH: not found (like runc)");
    TAP_OK(exec_find("/etc/passwd", env, out, sizeof(out), &e) == -EACCES,
           "non-executable file refused");
}

/* A tiny interpreter for the instruction subset dev_bpf_compile emits. */
static int bpf_run(const uint64_t *prog, size_t n, unsigned type, unsigned access, unsigned major,
                   unsigned minor)
{
    uint64_t reg[11] = {0};
    uint32_t ctx[3] = {type | (access << 16), major, minor};
    for (size_t pc = 0; pc < n; pc++) {
        struct bpf_insn i;
        memcpy(&i, &prog[pc], sizeof(i));
        switch (i.code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            reg[i.dst_reg] = ctx[i.off / 4];
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            reg[i.dst_reg] = (uint32_t)(reg[i.dst_reg] & (uint32_t)i.imm);
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            reg[i.dst_reg] = (uint32_t)reg[i.dst_reg] >> i.imm;
            break;
        case BPF_ALU | BPF_MOV | BPF_X:
            reg[i.dst_reg] = (uint32_t)reg[i.src_reg];
            break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
            reg[i.dst_reg] = (uint64_t)(int64_t)i.imm;
            break;
        case BPF_JMP | BPF_JNE | BPF_K:
            if (reg[i.dst_reg] != (uint64_t)(int64_t)i.imm)
                pc += (size_t)i.off;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            if (reg[i.dst_reg] == (uint64_t)(int64_t)i.imm)
                pc += (size_t)i.off;
            break;
        case BPF_JMP | BPF_EXIT:
            return (int)reg[0];
        default:
            return -1;
        }
    }
    return -2;
}

static void test_device_bpf(void)
{
    struct spec_device_rule deny_all = {false, 'a', -1, -1, "rwm"};
    struct spec_resources res = {.devices = &deny_all, .n_devices = 1};
    struct spec_device dev = {.type = 'c', .major = 4, .minor = 64};
    struct dev_rules rules;
    TAP_OK(dev_rules_build(&res, &dev, 1, &rules) == 0 && rules.n == 13,
           "rules: config + runc defaults + linux.devices");
    uint64_t *prog = NULL;
    size_t n = 0;
    TAP_OK(dev_bpf_compile(&rules, &prog, &n) == 0, "device program compiles");
    const unsigned C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
    const unsigned R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;
    TAP_OK(bpf_run(prog, n, C, R | W, 1, 3) == 1, "/dev/null rw allowed");
    TAP_OK(bpf_run(prog, n, C, R, 136, 7) == 1, "pty slave allowed (wildcard minor)");
    TAP_OK(bpf_run(prog, n, C, R, 1, 11) == 0, "/dev/kmsg denied");
    TAP_OK(bpf_run(prog, n, B, R, 8, 0) == 0, "block device read denied");
    TAP_OK(bpf_run(prog, n, B, M, 8, 0) == 1, "block mknod allowed (runc default)");
    TAP_OK(bpf_run(prog, n, C, R | M, 1, 11) == 0, "mknod+read of an unlisted device denied");
    TAP_OK(bpf_run(prog, n, C, R | W, 4, 64) == 1, "linux.devices node allowed");
    free(prog);
    dev_rules_clear(&rules);

    /* allow all, then deny writes to 1:3: a deny matches when the access intersects */
    struct spec_device_rule two[2] = {{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}};
    struct dev_rules r2 = {two, 2};
    TAP_OK(dev_bpf_compile(&r2, &prog, &n) == 0, "second program compiles");
    TAP_OK(bpf_run(prog, n, C, R, 1, 3) == 1, "read of 1:3 still allowed");
    TAP_OK(bpf_run(prog, n, C, R | W, 1, 3) == 0, "read+write of 1:3 denied");
    TAP_OK(bpf_run(prog, n, B, R | W, 8, 1) == 1, "everything else allowed");
    free(prog);
}

int main(void)
{
    test_device_bpf();
    test_parse_num();
    test_path_clean();
    test_path_resolve(false);
    test_path_resolve(true);
    test_json_out();
    test_log_format();
    test_err();
    test_ids();
    test_time();
    test_procfs_stat();
    test_passwd();
    test_userns_map();
    test_mount_attr();
    test_cgroups_pure();
    test_state_roundtrip();
    test_exec_helpers();
    return tap_done();
}
