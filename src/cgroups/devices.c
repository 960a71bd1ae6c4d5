#include "cgroups/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"

/* runc's AllowedDevices: mknod anything, and the usual character devices. */
static const struct spec_device_rule default_allow[] = {
    {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
    {true, 'c', 1, 5, "rwm"},    {true, 'c', 1, 7, "rwm"},    {true, 'c', 1, 8, "rwm"},
    {true, 'c', 1, 9, "rwm"},    {true, 'c', 5, 0, "rwm"},    {true, 'c', 5, 2, "rwm"},
    {true, 'c', 10, 200, "rwm"}, {true, 'c', 136, -1, "rwm"},
};

int dev_rules_build(const struct spec_resources *res, const struct spec_device *devs, size_t n_devs,
                    struct dev_rules *ret)
{
    size_t n_res = res ? res->n_devices : 0;
    size_t n = n_res + HK_ARRAY_SIZE(default_allow) + n_devs;
    struct spec_device_rule *r = calloc(n, sizeof(*r));
    if (!r)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n_res; i++)
        r[k++] = res->devices[i];
    for (size_t i = 0; i < HK_ARRAY_SIZE(default_allow); i++)
        r[k++] = default_allow[i];
    for (size_t i = 0; i < n_devs; i++) {
        if (devs[i].type == 'p')
            continue; /* fifos are not device-controlled */
        r[k++] = (struct spec_device_rule){
            .allow = true,
            .type = devs[i].type == 'b' ? 'b' : 'c',
            .major = devs[i].major,
            .minor = devs[i].minor,
            .access = "rwm",
        };
    }
    ret->r = r;
    ret->n = k;
    return 0;
}

void dev_rules_clear(struct dev_rules *d)
{
    free(d->r);
    d->r = NULL;
    d->n = 0;
}

/* ------------------------------------------------------------ eBPF assembly */

static uint64_t insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
    uint64_t v;
    memcpy(&v, &i, sizeof(v));
    return v;
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV32_REG(dst, src)  insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define AND32_K(dst, k)      insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, k)
#define RSH32_K(dst, k)      insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, k)
#define MOV64_K(dst, k)      insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, k)
#define JNE_K(dst, k, off)   insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, k)
#define JEQ_K(dst, k, off)   insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, k)
#define EXIT()               insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static unsigned access_bits(const char *a)
{
    unsigned v = 0;
    for (; *a; a++)
        v |= *a == 'm'   ? BPF_DEVCG_ACC_MKNOD
             : *a == 'r' ? BPF_DEVCG_ACC_READ
             : *a == 'w' ? BPF_DEVCG_ACC_WRITE
                         : 0;
    return v;
}

static bool is_reset(const struct spec_device_rule *r)
{
    return r->type == 'a' && r->major < 0 && r->minor < 0 &&
           access_bits(r->access[0] ? r->access : "rwm") == 7;
}

int dev_bpf_compile(const struct dev_rules *d, uint64_t **ret_insns, size_t *ret_n)
{
    /* Find the last reset rule: it sets the default and hides everything before it. */
    size_t start = 0;
    bool deflt = true;
    for (size_t i = d->n; i-- > 0;)
        if (is_reset(&d->r[i])) {
            start = i + 1;
            deflt = d->r[i].allow;
            break;
        }
    size_t cap = 8 + (d->n - start) * 9;
    uint64_t *p = calloc(cap, sizeof(*p));
    if (!p)
        return -ENOMEM;
    size_t n = 0;
    /* r1 = ctx: {u32 access_type; u32 major; u32 minor} */
    p[n++] = LDX_W(BPF_REG_2, BPF_REG_1, 0); /* type in low 16 bits */
    p[n++] = AND32_K(BPF_REG_2, 0xffff);
    p[n++] = LDX_W(BPF_REG_3, BPF_REG_1, 0); /* access in high 16 bits */
    p[n++] = RSH32_K(BPF_REG_3, 16);
    p[n++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
    p[n++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
    /* Last match wins: test rules from last to first, first match returns. */
    for (size_t i = d->n; i-- > start;) {
        const struct spec_device_rule *r = &d->r[i];
        unsigned acc = access_bits(r->access[0] ? r->access : "rwm");
        if (acc == 0)
            continue;
        uint64_t blk[8];
        size_t b = 0;
        /* jump targets are patched below: off = distance to the end of the block */
        int jumps[8];
        size_t nj = 0;
        if (r->type == 'c' || r->type == 'b') {
            jumps[nj++] = (int)b;
            blk[b++] =
                JNE_K(BPF_REG_2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
        }
        if (r->major >= 0) {
            jumps[nj++] = (int)b;
            blk[b++] = JNE_K(BPF_REG_4, (int32_t)r->major, 0);
        }
        if (r->minor >= 0) {
            jumps[nj++] = (int)b;
            blk[b++] = JNE_K(BPF_REG_5, (int32_t)r->minor, 0);
        }
        if (acc != 7) {
            blk[b++] = MOV32_REG(BPF_REG_1, BPF_REG_3);
            jumps[nj++] = (int)(b + 1);
            if (r->allow) {
                blk[b++] = AND32_K(BPF_REG_1, (int32_t)(~acc & 0xffff));
                blk[b++] = JNE_K(BPF_REG_1, 0, 0); /* asked for more than allowed */
            } else {
                blk[b++] = AND32_K(BPF_REG_1, (int32_t)acc);
                blk[b++] = JEQ_K(BPF_REG_1, 0, 0); /* nothing in common with the denial */
            }
        }
        blk[b++] = MOV64_K(BPF_REG_0, r->allow ? 1 : 0);
        blk[b++] = EXIT();
        for (size_t k = 0; k < nj; k++) {
            struct bpf_insn bi;
            memcpy(&bi, &blk[jumps[k]], sizeof(bi));
            bi.off = (int16_t)(b - (size_t)jumps[k] - 1);
            memcpy(&blk[jumps[k]], &bi, sizeof(bi));
        }
        memcpy(p + n, blk, b * sizeof(*blk));
        n += b;
    }
    p[n++] = MOV64_K(BPF_REG_0, deflt ? 1 : 0);
    p[n++] = EXIT();
    *ret_insns = p;
    *ret_n = n;
    return 0;
}

int dev_bpf_attach(const char *cgroup_dir, const struct dev_rules *d, struct hk_err *err)
{
    _cleanup_free_ uint64_t *insns = NULL;
    size_t n = 0;
    if (dev_bpf_compile(d, &insns, &n) < 0)
        return hk_err_set(err, ENOMEM, "out of memory");
    char log[4096] = "";
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = (uint32_t)n;
    a.license = (uint64_t)(uintptr_t) "Apache-2.0";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    _cleanup_close_ int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
    if (prog < 0) {
        /* retry without the verifier log: some kernels refuse small log buffers */
        a.log_buf = 0;
        a.log_size = 0;
        a.log_level = 0;
        prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
    }
    if (prog < 0)
        return hk_err_sys(err, errno, "linux.resources.devices: load the device filter%s%s",
                          log[0] ? ": " : "", log);
    _cleanup_close_ int cg = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg < 0)
        return hk_err_sys(err, errno, "open cgroup %s", cgroup_dir);
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)cg;
    a.attach_bpf_fd = (uint32_t)prog;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) < 0)
        return hk_err_sys(err, errno, "linux.resources.devices: attach the device filter to %s",
                          cgroup_dir);
    return 0;
}
