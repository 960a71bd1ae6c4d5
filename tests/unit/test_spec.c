/*
 * Unit tests for src/spec: name tables, parse, validate, load, defaults.
 *
 * Test JSON is written with single quotes and turned into double quotes by cfg()/js(), so
 * the cases stay readable. The OCI schema's good examples are read from the directory in
 * argv[1] or $HUSK_OCI_SCHEMA_GOOD (skipped if neither exists).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "spec/names.h"
#include "spec/spec.h"
#include "tap.h"

#define DEFAULT_SCHEMA_GOOD "/work/shared/oci-runtime-spec/schema/test/config/good"

/* ---------------------------------------------------------------- helpers */

/* Copy of s with every ' turned into ". The caller frees. */
static char *js(const char *s)
{
    char *out = strdup(s);
    if (!out)
        abort();
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

/* A minimal valid config plus extra members for process, linux and the top level. process
 * gets cwd "/" and args ["sh"] unless proc sets them. */
static char *cfg(const char *proc, const char *lnx, const char *top)
{
    char *raw = NULL;
    const char *cwd = strstr(proc, "'cwd'") ? "" : "'cwd':'/',";
    const char *args = strstr(proc, "'args'") ? "" : "'args':['sh'],";
    if (asprintf(&raw,
                 "{'ociVersion':'1.3.0','root':{'path':'rootfs'},"
                 "'process':{%s%s'terminal':false%s%s},'linux':{%s}%s%s}",
                 cwd, args, *proc ? "," : "", proc, lnx, *top ? "," : "", top) < 0)
        abort();
    char *out = js(raw);
    free(raw);
    return out;
}

static struct spec *parse_json(const char *json, struct hk_err *err)
{
    struct spec *s = NULL;
    hk_err_clear(err);
    if (spec_parse_buf(json, strlen(json), &s, err) < 0)
        return NULL;
    return s;
}

/* Parse a cfg() document; NULL (with a diagnostic) if it does not parse. */
static struct spec *parse_cfg(const char *proc, const char *lnx, const char *top)
{
    char *json = cfg(proc, lnx, top);
    struct hk_err err;
    struct spec *s = parse_json(json, &err);
    if (!s)
        printf("#   parse failed: %s\n#   json: %s\n", err.msg, json);
    free(json);
    return s;
}

static void parse_fails(const char *proc, const char *lnx, const char *top, const char *want)
{
    char *json = cfg(proc, lnx, top);
    struct hk_err err;
    struct spec *s = parse_json(json, &err);
    TAP_STR_EQ(s ? "(parsed)" : err.msg, want, "parse error: %s", want);
    spec_free(s);
    free(json);
}

/* The document parses, and spec_validate fails with exactly `want`. */
static void invalid(const char *proc, const char *lnx, const char *top, const char *want)
{
    char *json = cfg(proc, lnx, top);
    struct hk_err err;
    struct spec *s = parse_json(json, &err);
    const char *got = "(parse failed)";
    if (!s)
        printf("#   parse: %s\n", err.msg);
    else if (spec_validate(s, &err) < 0)
        got = err.msg;
    else
        got = "(valid)";
    TAP_STR_EQ(got, want, "invalid: %s", want);
    spec_free(s);
    free(json);
}

static void valid(const char *proc, const char *lnx, const char *top, const char *name)
{
    char *json = cfg(proc, lnx, top);
    struct hk_err err;
    struct spec *s = parse_json(json, &err);
    int r = s ? spec_validate(s, &err) : -1;
    TAP_OK(s && r == 0, "valid: %s", name);
    if (!s || r < 0)
        printf("#   %s\n", err.msg);
    spec_free(s);
    free(json);
}

static struct spec_mount_opts mopts(const char *const *opts, size_t n)
{
    struct spec_mount_opts m;
    struct hk_err err;
    if (spec_mount_opts_parse((char *const *)opts, n, &m, "options", &err) < 0)
        abort();
    return m;
}

#define MOPTS(...)                                                                                 \
    ({                                                                                             \
        static const char *const o_[] = {__VA_ARGS__};                                             \
        mopts(o_, HK_ARRAY_SIZE(o_));                                                              \
    })

/* ---------------------------------------------------------------- names */

static void test_names(void)
{
    TAP_OK(spec_cap_from_name("CAP_CHOWN") == 0, "cap CAP_CHOWN is 0");
    TAP_OK(spec_cap_from_name("CAP_SYS_ADMIN") == 21, "cap CAP_SYS_ADMIN is 21");
    TAP_OK(spec_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40, "cap CAP_CHECKPOINT_RESTORE is 40");
    TAP_OK(spec_cap_from_name("CAP_FOO") == -1, "unknown cap is -1");
    TAP_OK(spec_cap_from_name("cap_chown") == -1, "cap names are case-sensitive");
    TAP_STR_EQ(spec_cap_name(39), "CAP_BPF", "cap 39 is CAP_BPF");
    TAP_OK(spec_cap_name(41) == NULL && spec_cap_name(-1) == NULL, "cap name out of range is NULL");
    for (int i = 0; i <= SPEC_CAP_LAST; i++)
        if (spec_cap_from_name(spec_cap_name(i)) != i) {
            TAP_OK(false, "cap table round trip at %d", i);
            break;
        } else if (i == SPEC_CAP_LAST) {
            TAP_OK(true, "cap table round-trips 0..40");
        }

    TAP_OK(spec_rlimit_from_name("RLIMIT_CPU") == RLIMIT_CPU, "RLIMIT_CPU");
    TAP_OK(spec_rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE, "RLIMIT_NOFILE");
    TAP_OK(spec_rlimit_from_name("RLIMIT_RTTIME") == RLIMIT_RTTIME, "RLIMIT_RTTIME");
    TAP_OK(spec_rlimit_from_name("RLIMIT_FOO") == -1, "unknown rlimit");
    TAP_STR_EQ(spec_rlimit_name(RLIMIT_MSGQUEUE), "RLIMIT_MSGQUEUE", "rlimit name");

    enum spec_ns_type t = NS_PID;
    TAP_OK(spec_ns_from_name("network", &t) == 0 && t == NS_NET, "ns 'network'");
    TAP_OK(spec_ns_from_name("net", &t) == -EINVAL, "ns 'net' is not a spec name");
    TAP_OK(spec_ns_clone_flag(NS_TIME) == 0x80 && spec_ns_clone_flag(NS_MNT) == CLONE_NEWNS &&
               spec_ns_clone_flag(NS_USER) == CLONE_NEWUSER,
           "clone flags");
    TAP_OK(strcmp(spec_ns_proc_name(NS_MNT), "mnt") == 0 &&
               strcmp(spec_ns_proc_name(NS_NET), "net") == 0 &&
               strcmp(spec_ns_name(NS_MNT), "mount") == 0,
           "ns proc and spec names");
}

static void test_signals(void)
{
    static const struct {
        const char *name;
        int sig;
    } cases[] = {
        {"KILL", 9},         {"SIGKILL", 9},      {"9", 9},         {"kill", 9},
        {"SigTerm", 15},     {"SIGWINCH", 28},    {"SIGRTMIN", 34}, {"SIGRTMIN+3", 37},
        {"RTMIN+1", 35},     {"SIGRTMAX-1", 63},  {"SIGRTMAX", 64}, {"64", 64},
        {"0", -1},           {"65", -1},          {"SIGFOO", -1},   {"", -1},
        {"SIGRTMIN+31", -1}, {"SIGRTMAX-31", -1}, {"+9", -1},       {"SIGRTMIN-1", -1},
        {"SIG", -1},         {"9x", -1},
    };
    for (size_t i = 0; i < HK_ARRAY_SIZE(cases); i++)
        TAP_OK(spec_signal_from_name(cases[i].name) == cases[i].sig, "signal '%s' -> %d",
               cases[i].name, cases[i].sig);
}

static void test_mount_opts(void)
{
    struct spec_mount_opts m;

    m = MOPTS("ro");
    TAP_OK(m.flags == MS_RDONLY && m.clear == 0 && !m.data, "ro sets MS_RDONLY");
    m = MOPTS("ro", "rw");
    TAP_OK(!(m.flags & MS_RDONLY) && (m.clear & MS_RDONLY), "ro,rw -> rw (later wins)");
    m = MOPTS("rw", "ro");
    TAP_OK((m.flags & MS_RDONLY) && !(m.clear & MS_RDONLY), "rw,ro -> ro");
    m = MOPTS("nosuid", "nodev", "noexec", "suid");
    TAP_OK(m.flags == (MS_NODEV | MS_NOEXEC) && m.clear == MS_NOSUID, "suid clears nosuid");
    m = MOPTS("rro");
    TAP_OK(m.rec_attr_set == MOUNT_ATTR_RDONLY && m.rec_attr_clr == 0 && m.flags == 0,
           "rro is a recursive attribute");
    m = MOPTS("rro", "rrw");
    TAP_OK(m.rec_attr_set == 0 && m.rec_attr_clr == MOUNT_ATTR_RDONLY, "rro,rrw -> clear rdonly");
    m = MOPTS("rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow");
    TAP_OK(m.rec_attr_set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                              MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW),
           "rnosuid rnodev rnoexec rnodiratime rnosymfollow");
    m = MOPTS("rnoatime");
    TAP_OK(m.rec_attr_set == MOUNT_ATTR_NOATIME && m.rec_attr_clr == MOUNT_ATTR__ATIME,
           "rnoatime: NOATIME in set, __ATIME in clr");
    m = MOPTS("rnoatime", "rstrictatime");
    TAP_OK(m.rec_attr_set == MOUNT_ATTR_STRICTATIME && m.rec_attr_clr == MOUNT_ATTR__ATIME,
           "rnoatime,rstrictatime -> strictatime");
    m = MOPTS("rnoatime", "rrelatime");
    TAP_OK(m.rec_attr_set == MOUNT_ATTR_RELATIME && m.rec_attr_clr == MOUNT_ATTR__ATIME,
           "rnoatime,rrelatime -> relatime");
    m = MOPTS("rnoatime", "ratime");
    TAP_OK((m.rec_attr_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_RELATIME &&
               m.rec_attr_clr == MOUNT_ATTR__ATIME,
           "ratime resets to the default atime mode");
    m = MOPTS("rnosuid", "rsuid", "rexec");
    TAP_OK(m.rec_attr_set == 0 && m.rec_attr_clr == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC),
           "rsuid and rexec clear recursively");
    m = MOPTS("rbind");
    TAP_OK(m.flags == (MS_BIND | MS_REC) && m.bind && m.recursive_bind, "rbind");
    m = MOPTS("bind");
    TAP_OK(m.flags == MS_BIND && m.bind && !m.recursive_bind, "bind");
    m = MOPTS("rslave");
    TAP_OK(m.propagation == (MS_SLAVE | MS_REC) && m.flags == 0, "rslave propagation");
    m = MOPTS("shared", "private");
    TAP_OK(m.propagation == MS_PRIVATE, "later propagation wins");
    m = MOPTS("runbindable");
    TAP_OK(m.propagation == (MS_UNBINDABLE | MS_REC), "runbindable");
    m = MOPTS("mode=755", "nosuid", "size=65536k");
    TAP_STR_EQ(m.data, "mode=755,size=65536k", "unknown options join into data in order");
    free(m.data);
    m = MOPTS("defaults", "nosymfollow", "strictatime", "relatime");
    TAP_OK(!m.data && m.flags == (MS_NOSYMFOLLOW | MS_STRICTATIME | MS_RELATIME),
           "defaults is a no-op; nosymfollow, atime flags");
    m = MOPTS("tmpcopyup", "idmap");
    TAP_OK(m.tmpcopyup && m.idmap && !m.ridmap && !m.data, "tmpcopyup, idmap");
    m = MOPTS("idmap", "ridmap");
    TAP_OK(!m.idmap && m.ridmap, "ridmap after idmap");

    size_t n = 0;
    bool sorted = true, has_idmap = false;
    for (; spec_mount_option_names[n]; n++) {
        if (n && strcmp(spec_mount_option_names[n - 1], spec_mount_option_names[n]) >= 0)
            sorted = false;
        if (strcmp(spec_mount_option_names[n], "idmap") == 0)
            has_idmap = true;
    }
    TAP_OK(n == 60 && sorted && !has_idmap, "spec_mount_option_names: 60 sorted, no idmap");
    bool all_known = true;
    for (size_t i = 0; i < n; i++) {
        const char *o[] = {spec_mount_option_names[i]};
        m = mopts(o, 1);
        if (m.data) {
            all_known = false;
            free(m.data);
        }
    }
    TAP_OK(all_known, "every listed option is understood (none lands in data)");

    unsigned long p = 1;
    TAP_OK(spec_propagation_from_name("", &p) == 0 && p == 0, "rootfs propagation ''");
    TAP_OK(spec_propagation_from_name("rshared", &p) == 0 && p == (MS_SHARED | MS_REC),
           "rootfs propagation rshared");
    TAP_OK(spec_propagation_from_name("slave", &p) == 0 && p == MS_SLAVE,
           "rootfs propagation slave");
    TAP_OK(spec_propagation_from_name("bogus", &p) == -EINVAL &&
               spec_propagation_from_name("ro", &p) == -EINVAL,
           "unknown rootfs propagation");
}

static void test_seccomp_names(void)
{
    TAP_OK(spec_seccomp_action_known("SCMP_ACT_KILL_PROCESS") &&
               spec_seccomp_action_known("SCMP_ACT_NOTIFY") &&
               !spec_seccomp_action_known("SCMP_ACT_FOO") && !spec_seccomp_action_known(NULL),
           "seccomp actions");
    TAP_OK(spec_seccomp_op_known("SCMP_CMP_MASKED_EQ") && !spec_seccomp_op_known("SCMP_CMP_XX"),
           "seccomp operators");
    TAP_OK(
        spec_seccomp_arch_known("SCMP_ARCH_X86_64") && spec_seccomp_arch_known("SCMP_ARCH_SHEB") &&
            spec_seccomp_arch_known("SCMP_ARCH_LOONGARCH64") && !spec_seccomp_arch_known("x86_64"),
        "seccomp architectures");
    TAP_OK(spec_seccomp_flag_known("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") &&
               !spec_seccomp_flag_known("SECCOMP_FILTER_FLAG_NEW_LISTENER"),
           "seccomp flags");
}

/* ---------------------------------------------------------------- defaults */

static void test_defaults(void)
{
    struct hk_err err;
    const char *text = spec_default_json(false);
    TAP_OK(text[strlen(text) - 1] == '}' && strstr(text, "\n\t\"ociVersion\": \"1.3.0\",\n"),
           "default json: tab-indented, ociVersion 1.3.0, no trailing newline");
    struct spec *s = parse_json(text, &err);
    int vr = s ? spec_validate(s, &err) : -1;
    TAP_OK(vr == 0, "default spec parses and validates");
    if (!s)
        return;
    const uint64_t caps = (1ull << 29) | (1ull << 5) | (1ull << 10);
    TAP_OK(s->process.terminal && s->process.n_args == 1 && strcmp(s->process.args[0], "sh") == 0 &&
               s->process.n_env == 2 && strcmp(s->process.cwd, "/") == 0 &&
               s->process.no_new_privileges,
           "default process");
    TAP_OK(s->process.caps.set && s->process.caps.bounding == caps &&
               s->process.caps.effective == caps && s->process.caps.ambient == caps &&
               s->process.caps.inheritable == 0,
           "default capabilities as masks");
    TAP_OK(s->process.n_rlimits == 1 && s->process.rlimits[0].type == RLIMIT_NOFILE &&
               s->process.rlimits[0].soft == 1024 && s->process.rlimits[0].hard == 1024,
           "default rlimit");
    TAP_OK(s->has_root && strcmp(s->root_path, "rootfs") == 0 && s->root_readonly &&
               strcmp(s->hostname, "runc") == 0,
           "default root and hostname");
    TAP_OK(s->n_mounts == 7 && strcmp(s->mounts[1].destination, "/dev") == 0 &&
               s->mounts[1].opts.flags == (MS_NOSUID | MS_STRICTATIME) &&
               strcmp(s->mounts[1].opts.data, "mode=755,size=65536k") == 0 &&
               s->mounts[6].opts.flags ==
                   (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY),
           "default mounts and options");
    TAP_OK(s->linux.n_namespaces == 5 && spec_find_ns(s, NS_NET) && !spec_find_ns(s, NS_USER) &&
               s->linux.n_masked_paths == 10 && s->linux.n_readonly_paths == 5,
           "default namespaces and paths");
    TAP_OK(s->linux.resources.n_devices == 1 && !s->linux.resources.devices[0].allow &&
               s->linux.resources.devices[0].type == 'a' &&
               s->linux.resources.devices[0].major == -1 &&
               strcmp(s->linux.resources.devices[0].access, "rwm") == 0,
           "default device rule deny all, with defaults for absent fields");
    spec_free(s);

    s = parse_json(spec_default_json(true), &err);
    vr = s ? spec_validate(s, &err) : -1;
    TAP_OK(vr == 0, "rootless default parses and validates");
    if (s) {
        TAP_OK(spec_find_ns(s, NS_USER) && !spec_find_ns(s, NS_NET) &&
                   s->linux.n_uid_mappings == 1 && s->linux.uid_mappings[0].size == 1 &&
                   s->mounts[5].opts.recursive_bind && !s->linux.has_resources,
               "rootless default: userns, no netns, rbind /sys");
        spec_free(s);
    }
    char *rl = NULL;
    int rr = spec_default_rootless_json(1000, 1001, &rl);
    TAP_OK(rr == 0 && strstr(rl, "\"hostID\": 1000,") && strstr(rl, "\"hostID\": 1001,"),
           "rootless default with the caller's ids");
    s = rl ? parse_json(rl, &err) : NULL;
    TAP_OK(s && s->linux.uid_mappings[0].host_id == 1000 &&
               s->linux.gid_mappings[0].host_id == 1001,
           "rootless default ids parse back");
    spec_free(s);
    free(rl);
}

/* ---------------------------------------------------------------- parse: every field */

static const char full_json[] =
    "{'ociVersion':'1.3.0',"
    "'root':{'path':'/bundle/rootfs','readonly':false},"
    "'hostname':'h','domainname':'d',"
    "'annotations':{'z':'1','a':'2','m':'3'},"
    "'process':{'terminal':true,'consoleSize':{'height':25,'width':80},"
    " 'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,4294967294],'username':'x'},"
    " 'args':['/bin/sh','-c','true'],'env':['A=1','B='],'cwd':'/tmp',"
    " 'capabilities':{'bounding':['CAP_SYS_ADMIN','CAP_FOO'],'effective':[],'permitted':['CAP_BPF']"
    ","
    "  'inheritable':['CAP_CHOWN'],'ambient':['CAP_CHECKPOINT_RESTORE']},"
    " 'rlimits':[{'type':'RLIMIT_NOFILE','soft':18446744073709551615,'hard':18446744073709551615},"
    "  {'type':'RLIMIT_CORE','soft':0,'hard':1}],"
    " 'noNewPrivileges':true,'apparmorProfile':'aa','selinuxLabel':'se','oomScoreAdj':-1000,"
    " 'scheduler':{'policy':'SCHED_DEADLINE','nice':-3,'flags':['SCHED_FLAG_RECLAIM'],"
    "  'runtime':1,'deadline':2,'period':3},"
    " 'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
    " 'execCPUAffinity':{'initial':'0-3,7','final':'1'}},"
    "'mounts':[{'destination':'/data','type':'bind','source':'/src','options':['rbind','rro'],"
    "  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    "  'gidMappings':[{'containerID':0,'hostID':100000,'size':65536}]}],"
    "'hooks':{'prestart':[{'path':'/p'}],'createRuntime':[{'path':'/cr','args':['cr','1'],"
    "  'env':['X=1'],'timeout':5}],'createContainer':[{'path':'/cc'}],"
    "  'startContainer':[{'path':'/sc'}],'poststart':[{'path':'/ps'}],"
    "  'poststop':[{'path':'/p1'},{'path':'/p2'}]},"
    "'linux':{"
    " 'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    " 'gidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    " 'namespaces':[{'type':'pid'},{'type':'network','path':'/proc/1/ns/net'},{'type':'ipc'},"
    "  {'type':'uts'},{'type':'mount'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
    " 'timeOffsets':{'monotonic':{'secs':-5,'nanosecs':7},'boottime':{'secs':9}},"
    " 'devices':[{'type':'c','path':'/dev/fuse','major':10,'minor':229,'fileMode':438,"
    "  'uid':0,'gid':0},{'type':'p','path':'/dev/fifo'}],"
    " 'cgroupsPath':'/a/b',"
    " 'resources':{"
    "  'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':10,'minor':229,"
    "   'access':'rw'}],"
    "  'memory':{'limit':1000,'reservation':500,'swap':2000,'kernel':1,'kernelTCP':2,"
    "   'swappiness':60,'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':true},"
    "  'cpu':{'shares':1024,'quota':100000,'burst':1000,'period':100000,'realtimeRuntime':-1,"
    "   'realtimePeriod':1000000,'cpus':'0-1','mems':'0','idle':1},"
    "  'pids':{'limit':0},"
    "  "
    "'blockIO':{'weight':10,'leafWeight':1000,'weightDevice':[{'major':8,'minor':0,'weight':500}],"
    "   'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
    "   'throttleWriteBpsDevice':[{'major':8,'minor':1,'rate':700}],"
    "   'throttleReadIOPSDevice':[{'major':8,'minor':2,'rate':800}],"
    "   'throttleWriteIOPSDevice':[{'major':8,'minor':3,'rate':900}]},"
    "  'hugepageLimits':[{'pageSize':'2MB','limit':9223372036854775807}],"
    "  'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
    "  'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'rxe3':{'hcaObjects':1}},"
    "  'unified':{'memory.high':'max','io.weight':'100'}},"
    " 'sysctl':{'net.ipv4.ip_forward':'1','kernel.shmmax':'100','fs.mqueue.msg_max':'10'},"
    " 'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
    "  'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'flags':['SECCOMP_FILTER_FLAG_LOG'],"
    "  'listenerPath':'/run/l.sock','listenerMetadata':'meta',"
    "  'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
    "   {'names':['openat'],'action':'SCMP_ACT_NOTIFY'},"
    "   {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38,"
    "    "
    "'args':[{'index':0,'value':18446744073709551615,'valueTwo':3,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
    " 'rootfsPropagation':'rslave',"
    " 'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys','/proc/bus'],"
    " 'mountLabel':'ml',"
    " 'intelRdt':{'closID':'c','l3CacheSchema':'L3:0=f','memBwSchema':'MB:0=70',"
    "  'schemata':['L2:0=1'],'enableMonitoring':true},"
    " 'personality':{'domain':'LINUX32'},"
    " 'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'2-3','flags':['MPOL_F_STATIC_NODES']},"
    " 'netDevices':{'eth0':{'name':'ceth0'},'ens4':{}}},"
    "'windows':{'ignored':true}}";

static void test_full(void)
{
    struct hk_err err;
    char *json = js(full_json);
    struct spec *s = parse_json(json, &err);
    free(json);
    TAP_OK(s != NULL, "full config parses");
    if (!s) {
        printf("#   %s\n", err.msg);
        return;
    }
    int vr = spec_validate(s, &err);
    TAP_OK(vr == 0, "full config validates");
    if (vr < 0)
        printf("#   %s\n", err.msg);

    const struct spec_process *p = &s->process;
    TAP_OK(strcmp(s->oci_version, "1.3.0") == 0 && strcmp(s->root_path, "/bundle/rootfs") == 0 &&
               !s->root_readonly && strcmp(s->hostname, "h") == 0 &&
               strcmp(s->domainname, "d") == 0,
           "top-level fields");
    TAP_OK(s->n_annotations == 3 && strcmp(s->annotations[0].key, "z") == 0 &&
               strcmp(s->annotations[1].key, "a") == 0 && strcmp(s->annotations[2].value, "3") == 0,
           "annotations in document order");
    TAP_OK(p->terminal && p->has_console_size && p->console_height == 25 && p->console_width == 80,
           "consoleSize");
    TAP_OK(p->user.uid == 1000 && p->user.gid == 1001 && p->user.umask.set &&
               p->user.umask.v == 18 && p->user.n_additional_gids == 2 &&
               p->user.additional_gids[1] == 4294967294u,
           "user");
    TAP_OK(p->n_args == 3 && strcmp(p->args[2], "true") == 0 && !p->args[3] && p->n_env == 2 &&
               strcmp(p->env[1], "B=") == 0 && strcmp(p->cwd, "/tmp") == 0,
           "args, env (NULL-terminated), cwd");
    TAP_OK(p->caps.set && p->caps.bounding == (1ull << 21) && p->caps.effective == 0 &&
               p->caps.permitted == (1ull << 39) && p->caps.inheritable == 1 &&
               p->caps.ambient == (1ull << 40),
           "capability masks");
    TAP_OK(s->warnings && strcmp(s->warnings[0],
                                 "process.capabilities.bounding: unknown capability 'CAP_FOO', "
                                 "ignoring") == 0,
           "unknown capability warning");
    TAP_OK(
        p->n_rlimits == 2 && p->rlimits[0].soft == UINT64_MAX && p->rlimits[0].hard == UINT64_MAX &&
            strcmp(p->rlimits[0].name, "RLIMIT_NOFILE") == 0 && p->rlimits[1].type == RLIMIT_CORE,
        "rlimits, uint64 max accepted");
    TAP_OK(p->no_new_privileges && strcmp(p->apparmor_profile, "aa") == 0 &&
               strcmp(p->selinux_label, "se") == 0 && p->oom_score_adj.set &&
               p->oom_score_adj.v == -1000,
           "nnp, apparmor, selinux, oomScoreAdj");
    TAP_OK(p->scheduler.set && strcmp(p->scheduler.policy, "SCHED_DEADLINE") == 0 &&
               p->scheduler.nice == -3 && p->scheduler.n_flags == 1 && p->scheduler.runtime == 1 &&
               p->scheduler.deadline == 2 && p->scheduler.period == 3,
           "scheduler");
    TAP_OK(p->io_priority.set && strcmp(p->io_priority.class, "IOPRIO_CLASS_BE") == 0 &&
               p->io_priority.priority == 4 && strcmp(p->exec_cpu_affinity.initial, "0-3,7") == 0 &&
               strcmp(p->exec_cpu_affinity.final, "1") == 0,
           "ioPriority, execCPUAffinity");

    const struct spec_mount *m = &s->mounts[0];
    TAP_OK(s->n_mounts == 1 && strcmp(m->type, "bind") == 0 && strcmp(m->source, "/src") == 0 &&
               m->n_options == 2 && m->opts.recursive_bind &&
               m->opts.rec_attr_set == MOUNT_ATTR_RDONLY && m->opts.idmap &&
               m->n_uid_mappings == 1 && m->uid_mappings[0].host_id == 100000 &&
               m->gid_mappings[0].size == 65536,
           "mount with idmap implied by mappings");

    const struct spec_hooks *h = &s->hooks;
    TAP_OK(s->has_hooks && h->n_hooks[HOOK_PRESTART] == 1 && h->n_hooks[HOOK_CREATE_RUNTIME] == 1 &&
               h->n_hooks[HOOK_CREATE_CONTAINER] == 1 && h->n_hooks[HOOK_START_CONTAINER] == 1 &&
               h->n_hooks[HOOK_POSTSTART] == 1 && h->n_hooks[HOOK_POSTSTOP] == 2 &&
               strcmp(h->hooks[HOOK_POSTSTOP][1].path, "/p2") == 0,
           "all six hook kinds");
    const struct spec_hook *cr = &h->hooks[HOOK_CREATE_RUNTIME][0];
    TAP_OK(cr->n_args == 2 && cr->n_env == 1 && cr->timeout.set && cr->timeout.v == 5 &&
               !h->hooks[HOOK_PRESTART][0].timeout.set,
           "hook args, env, timeout");
    bool deprecated = false;
    for (char **w = s->warnings; w && *w; w++)
        deprecated |= strcmp(*w, "hooks.prestart: deprecated, use createRuntime hooks") == 0;
    TAP_OK(deprecated, "prestart hooks warn");

    const struct spec_linux *l = &s->linux;
    TAP_OK(l->n_uid_mappings == 1 && l->n_gid_mappings == 1 && l->gid_mappings[0].container_id == 0,
           "linux id mappings");
    TAP_OK(l->n_namespaces == 8 && l->namespaces[1].type == NS_NET &&
               strcmp(l->namespaces[1].path, "/proc/1/ns/net") == 0 && !l->namespaces[0].path &&
               spec_find_ns(s, NS_TIME) == &l->namespaces[7],
           "namespaces in order, with path");
    TAP_OK(l->time_monotonic.set && l->time_monotonic.secs == -5 &&
               l->time_monotonic.nanosecs == 7 && l->time_boottime.set &&
               l->time_boottime.secs == 9,
           "timeOffsets");
    TAP_OK(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10 &&
               l->devices[0].minor == 229 && l->devices[0].file_mode.v == 438 &&
               l->devices[0].uid.set && l->devices[1].type == 'p' && !l->devices[1].has_major,
           "devices");
    TAP_OK(strcmp(l->cgroups_path, "/a/b") == 0 && l->has_resources, "cgroupsPath");
    const struct spec_resources *r = &l->resources;
    TAP_OK(r->n_devices == 2 && r->devices[1].allow && r->devices[1].type == 'c' &&
               r->devices[1].minor == 229 && strcmp(r->devices[1].access, "rw") == 0,
           "device rules");
    TAP_OK(r->has_memory && r->memory.limit.v == 1000 && r->memory.reservation.v == 500 &&
               r->memory.swap.v == 2000 && r->memory.kernel.set && r->memory.kernel_tcp.v == 2 &&
               r->memory.swappiness.v == 60 && r->memory.disable_oom_killer.v &&
               r->memory.use_hierarchy.set && !r->memory.use_hierarchy.v &&
               r->memory.check_before_update.v,
           "memory");
    TAP_OK(r->has_cpu && r->cpu.shares.v == 1024 && r->cpu.quota.v == 100000 &&
               r->cpu.burst.v == 1000 && r->cpu.period.v == 100000 &&
               r->cpu.realtime_runtime.v == -1 && r->cpu.realtime_period.v == 1000000 &&
               strcmp(r->cpu.cpus, "0-1") == 0 && strcmp(r->cpu.mems, "0") == 0 &&
               r->cpu.idle.set && r->cpu.idle.v == 1,
           "cpu");
    TAP_OK(r->has_pids && r->pids_limit == 0, "pids limit 0 is a real limit");
    const struct spec_block_io *b = &r->block_io;
    TAP_OK(r->has_block_io && b->weight.v == 10 && b->leaf_weight.v == 1000 &&
               b->n_weight_device == 1 && b->weight_device[0].weight.v == 500 &&
               !b->weight_device[0].leaf_weight.set && b->throttle_read_bps[0].rate == 600 &&
               b->throttle_write_bps[0].minor == 1 && b->throttle_read_iops[0].rate == 800 &&
               b->throttle_write_iops[0].rate == 900,
           "blockIO");
    TAP_OK(r->n_hugepage_limits == 1 && strcmp(r->hugepage_limits[0].page_size, "2MB") == 0 &&
               r->hugepage_limits[0].limit == INT64_MAX,
           "hugepageLimits");
    TAP_OK(r->has_network && r->net_class_id.v == 1048577 && r->n_net_priorities == 1 &&
               r->net_priorities[0].priority == 500,
           "network");
    TAP_OK(r->n_rdma == 2 && strcmp(r->rdma[0].device, "mlx5_1") == 0 &&
               r->rdma[0].hca_handles.v == 3 && !r->rdma[1].hca_handles.set &&
               r->rdma[1].hca_objects.v == 1,
           "rdma map in document order");
    TAP_OK(r->n_unified == 2 && strcmp(r->unified[0].key, "memory.high") == 0 &&
               strcmp(r->unified[1].value, "100") == 0,
           "unified");
    TAP_OK(l->n_sysctl == 3 && strcmp(l->sysctl[1].key, "kernel.shmmax") == 0, "sysctl in order");
    const struct spec_seccomp *sc = &l->seccomp;
    TAP_OK(l->has_seccomp && strcmp(sc->default_action, "SCMP_ACT_ERRNO") == 0 &&
               sc->default_errno_ret.v == 1 && sc->n_architectures == 2 && sc->n_flags == 1 &&
               strcmp(sc->listener_path, "/run/l.sock") == 0 &&
               strcmp(sc->listener_metadata, "meta") == 0 && sc->n_syscalls == 3,
           "seccomp header");
    TAP_OK(sc->syscalls[0].n_names == 2 && sc->syscalls[2].errno_ret.v == 38 &&
               sc->syscalls[2].n_args == 1 && sc->syscalls[2].args[0].value == UINT64_MAX &&
               sc->syscalls[2].args[0].value_two == 3 &&
               strcmp(sc->syscalls[2].args[0].op, "SCMP_CMP_MASKED_EQ") == 0,
           "seccomp syscalls and args");
    TAP_OK(strcmp(l->rootfs_propagation, "rslave") == 0 &&
               l->rootfs_propagation_flags == (MS_SLAVE | MS_REC),
           "rootfsPropagation");
    TAP_OK(l->n_masked_paths == 1 && l->n_readonly_paths == 2 && strcmp(l->mount_label, "ml") == 0,
           "masked, readonly paths, mountLabel");
    TAP_OK(l->has_intel_rdt && strcmp(l->intel_rdt.clos_id, "c") == 0 &&
               strcmp(l->intel_rdt.mem_bw_schema, "MB:0=70") == 0 && l->intel_rdt.n_schemata == 1 &&
               l->intel_rdt.enable_monitoring,
           "intelRdt");
    TAP_OK(l->has_personality && strcmp(l->personality.domain, "LINUX32") == 0 &&
               l->has_memory_policy && strcmp(l->memory_policy.nodes, "2-3") == 0 &&
               l->memory_policy.n_flags == 1,
           "personality, memoryPolicy");
    TAP_OK(l->n_net_devices == 2 && strcmp(l->net_devices[0].host_name, "eth0") == 0 &&
               strcmp(l->net_devices[0].name, "ceth0") == 0 && !l->net_devices[1].name,
           "netDevices");
    spec_free(s);
}

/* ---------------------------------------------------------------- parse errors */

static void test_parse_errors(void)
{
    parse_fails("'user':{'uid':'0'}", "", "",
                "process.user.uid: expected unsigned integer, got string");
    parse_fails("'user':{'uid':4294967296}", "", "", "process.user.uid: 4294967296 out of range");
    parse_fails("'user':{'uid':4294967295}", "", "", "process.user.uid: 4294967295 out of range");
    parse_fails("'user':{'gid':-1}", "", "", "process.user.gid: -1 out of range");
    parse_fails("'user':{'uid':1.5}", "", "",
                "process.user.uid: expected unsigned integer, got '1.5'");
    parse_fails("'user':{'additionalGids':[1,4294967295]}", "", "",
                "process.user.additionalGids[1]: 4294967295 out of range");
    parse_fails("", "'uidMappings':[{'containerID':0,'hostID':4294967295,'size':1}]", "",
                "linux.uidMappings[0].hostID: 4294967295 out of range");
    parse_fails("", "'gidMappings':[{'containerID':0,'size':1}]", "",
                "linux.gidMappings[0].hostID: required");
    parse_fails("", "", "'mounts':[{'destination':'/a'},{'destination':'/b'},{'destination':5}]",
                "mounts[2].destination: expected string, got number");
    parse_fails("", "", "'mounts':[{'type':'tmpfs'}]", "mounts[0].destination: required");
    parse_fails("", "", "'mounts':[{'destination':null}]", "mounts[0].destination: required");
    parse_fails("", "", "'mounts':[{'destination':'/a','options':['ro',1]}]",
                "mounts[0].options[1]: expected string, got number");
    parse_fails("", "'namespaces':[{'type':'pid'},{'type':'foo'}]", "",
                "linux.namespaces[1].type: unknown namespace type 'foo'");
    parse_fails("", "'namespaces':[{'path':'/x'}]", "", "linux.namespaces[0].type: required");
    parse_fails("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]", "", "",
                "process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'");
    parse_fails("'rlimits':[{'type':'RLIMIT_CORE','hard':1}]", "", "",
                "process.rlimits[0].soft: required");
    parse_fails("'rlimits':[{'type':'RLIMIT_CORE','soft':18446744073709551616,'hard':1}]", "", "",
                "process.rlimits[0].soft: 18446744073709551616 out of range");
    parse_fails("'args':['a',null]", "", "", "process.args[1]: expected string, got null");
    parse_fails("'noNewPrivileges':1", "", "",
                "process.noNewPrivileges: expected boolean, got number");
    parse_fails("'oomScoreAdj':'1'", "", "", "process.oomScoreAdj: expected integer, got string");
    parse_fails("'scheduler':{'policy':'SCHED_RR','nice':2147483648}", "", "",
                "process.scheduler.nice: 2147483648 out of range");
    parse_fails("'scheduler':{'nice':1}", "", "", "process.scheduler.policy: required");
    parse_fails("'consoleSize':{'width':80}", "", "", "process.consoleSize.height: required");
    parse_fails("'capabilities':{'bounding':['CAP_KILL',7]}", "", "",
                "process.capabilities.bounding[1]: expected string, got number");
    parse_fails("", "'resources':{'blockIO':{'weight':65536}}", "",
                "linux.resources.blockIO.weight: 65536 out of range");
    parse_fails("", "'resources':{'pids':{}}", "", "linux.resources.pids.limit: required");
    parse_fails("", "'resources':{'devices':[{'access':'r'}]}", "",
                "linux.resources.devices[0].allow: required");
    parse_fails("", "'resources':{'rdma':{'mlx':{'hcaHandles':-1}}}", "",
                "linux.resources.rdma['mlx'].hcaHandles: -1 out of range");
    parse_fails("", "'sysctl':{'kernel.shmmax':5}", "",
                "linux.sysctl['kernel.shmmax']: expected string, got number");
    parse_fails("", "", "'annotations':{'a':'1','b':[]}",
                "annotations['b']: expected string, got array");
    parse_fails("", "'devices':[{'type':'cc','path':'/dev/x'}]", "",
                "linux.devices[0].type: invalid device type 'cc'");
    parse_fails("", "'rootfsPropagation':'bogus'", "",
                "linux.rootfsPropagation: unknown propagation 'bogus'");
    parse_fails(
        "", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'action':'SCMP_ACT_LOG'}]}",
        "", "linux.seccomp.syscalls[0].names: required");
    parse_fails("", "'timeOffsets':{'monotonic':{'nanosecs':-1}}", "",
                "linux.timeOffsets.monotonic.nanosecs: -1 out of range");
    parse_fails("", "", "'hooks':{'poststop':[{'args':['x']}]}",
                "hooks.poststop[0].path: required");
    parse_fails("", "'resources':[]", "", "linux.resources: expected object, got array");

    struct hk_err err;
    struct spec *s = parse_json("{\"process\": [1]}", &err);
    TAP_STR_EQ(s ? "(parsed)" : err.msg, "process: expected object, got array",
               "non-object section");
    spec_free(s);
    s = parse_json("[1]", &err);
    TAP_STR_EQ(s ? "(parsed)" : err.msg, "expected a JSON object at the top level, got array",
               "non-object document");
    spec_free(s);
    s = parse_json("{\n  \"ociVersion\": \"1.0\",,\n}", &err);
    TAP_OK(!s && strncmp(err.msg, "line 2 column ", 14) == 0 && err.code == EINVAL,
           "syntax error has line:column (%s)", err.msg);
    spec_free(s);
    s = parse_json("{\"hostname\": \"a\", \"hostname\": \"b\"}", &err);
    TAP_OK(!s && strstr(err.msg, "duplicate key 'hostname'"), "duplicate keys rejected (%s)",
           err.msg);
    spec_free(s);
}

static void test_parse_edges(void)
{
    struct spec *s =
        parse_cfg("'user':null,'env':null", "'seccomp':{},'namespaces':[{'type':'ipc','path':''}]",
                  "'hostname':null,'foo':{'bar':[1,2,{}]},'mounts':[]");
    TAP_OK(s && !s->hostname && s->n_mounts == 0 && !s->process.env && s->process.n_env == 0,
           "null means absent; unknown keys ignored");
    TAP_OK(s && !s->linux.has_seccomp, "seccomp without defaultAction and syscalls is disabled");
    TAP_OK(s && s->linux.namespaces[0].path == NULL, "empty namespace path means a new namespace");
    spec_free(s);

    s = parse_cfg("", "'resources':{'pids':{'limit':-1},'devices':[{'allow':true,'type':''}]}", "");
    TAP_OK(s && s->linux.resources.has_pids && s->linux.resources.pids_limit == -1 &&
               s->linux.resources.devices[0].type == 'a',
           "pids -1; empty rule type means all");
    spec_free(s);

    s = parse_cfg("'user':{'uid':4294967294,'gid':0}", "", "");
    TAP_OK(s && s->process.user.uid == 4294967294u, "uid 4294967294 accepted");
    spec_free(s);

    s = parse_cfg("", "",
                  "'mounts':[{'destination':'/m','type':'tmpfs','options':['ro','ro','mode=1']}]");
    TAP_OK(s && s->mounts[0].opts.flags == MS_RDONLY &&
               strcmp(s->mounts[0].opts.data, "mode=1") == 0 && s->mounts[0].n_options == 3,
           "mount options filled at parse");
    spec_free(s);
}

static void test_limits(void)
{
    struct hk_err err;
    size_t big = SPEC_MAX_BYTES + 1;
    char *buf = malloc(big + 1);
    if (!buf)
        abort();
    memset(buf, ' ', big);
    buf[0] = '{';
    buf[big - 1] = '}';
    buf[big] = '\0';
    struct spec *s = NULL;
    int r = spec_parse_buf(buf, big, &s, &err);
    TAP_OK(r < 0 && !s, "SPEC_MAX_BYTES + 1 rejected (%s)", err.msg);
    buf[big - 2] = '}';
    r = spec_parse_buf(buf, big - 1, &s, &err);
    TAP_OK(r == 0 && s, "SPEC_MAX_BYTES accepted");
    spec_free(s);
    s = NULL;
    free(buf);

    /* the root object is level 1: 63 arrays inside it reach the limit of 64 */
    char deep[256];
    int n = 0;
    n += sprintf(deep + n, "{\"x\":");
    for (int i = 0; i < 63; i++)
        deep[n++] = '[';
    for (int i = 0; i < 63; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    s = parse_json(deep, &err);
    TAP_OK(s != NULL, "depth 64 accepted");
    spec_free(s);
    n = 0;
    n += sprintf(deep + n, "{\"x\":");
    for (int i = 0; i < 64; i++)
        deep[n++] = '[';
    for (int i = 0; i < 64; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    s = parse_json(deep, &err);
    TAP_OK(!s, "depth 65 rejected (%s)", err.msg);
    spec_free(s);
}

/* ---------------------------------------------------------------- validate */

#define NS_MNT_PID "'namespaces':[{'type':'mount'},{'type':'pid'}]"
#define USERNS                                                                                     \
    "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"     \
    "'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"

static void validate_raw(const char *json, const char *want)
{
    struct hk_err err;
    struct spec *s = parse_json(json, &err);
    const char *got = !s ? "(parse failed)" : spec_validate(s, &err) < 0 ? err.msg : "(valid)";
    TAP_STR_EQ(got, want, "invalid: %s", want);
    spec_free(s);
}

static void test_validate_top(void)
{
    valid("", NS_MNT_PID, "", "minimal config");
    validate_raw("{\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]},\"root\":{\"path\":\"r\"}}",
                 "ociVersion: required");
    validate_raw("{\"ociVersion\":\"1\",\"root\":{\"path\":\"\"},\"process\":{\"cwd\":\"/"
                 "\",\"args\":[\"sh\"]}}",
                 "root.path: required");
    validate_raw("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]}}",
                 "root.path: required");
    validate_raw("{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}}", "process: required");

    invalid("", "", "'hostname':'h'", "hostname: requires a private UTS namespace");
    valid("", "'namespaces':[{'type':'uts','path':'/proc/1/ns/uts'}]", "'hostname':'h'",
          "hostname with a joined UTS namespace (pods)");
    valid("", "", "'hostname':''", "empty hostname needs no UTS namespace");
    invalid("", "", "'domainname':'d'", "domainname: requires a private UTS namespace");
    invalid("", "", "'annotations':{'':'x'}", "annotations: empty key");
    invalid("", "", "'hooks':{'createRuntime':[{'path':'/a'},{'path':'bin/hook'}]}",
            "hooks.createRuntime[1].path: 'bin/hook' is not an absolute path");
    invalid("", "", "'hooks':{'poststop':[{'path':'/a','timeout':0}]}",
            "hooks.poststop[0].timeout: 0 is not greater than 0");
}

static void test_validate_process(void)
{
    invalid("'args':[]", "", "", "process.args: required");
    invalid("'args':['']", "", "", "process.args[0]: empty");
    invalid("'cwd':''", "", "", "process.cwd: required");
    invalid("'cwd':'tmp'", "", "", "process.cwd: 'tmp' is not an absolute path");
    invalid("'env':['A=1','B=2','C=3','FOO']", "", "", "process.env[3]: 'FOO' is not KEY=VALUE");
    invalid("'env':['=x']", "", "", "process.env[0]: '=x' is not KEY=VALUE");
    invalid("'rlimits':[{'type':'RLIMIT_CORE','soft':2,'hard':1}]", "", "",
            "process.rlimits[0]: soft limit 2 is greater than hard limit 1");
    invalid("'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':1},"
            "{'type':'RLIMIT_CORE','soft':1,'hard':1}]",
            "", "", "process.rlimits[1].type: duplicate rlimit 'RLIMIT_CORE'");
    invalid("'oomScoreAdj':1001", "", "", "process.oomScoreAdj: 1001 out of range [-1000, 1000]");
    invalid("'oomScoreAdj':-1001", "", "", "process.oomScoreAdj: -1001 out of range [-1000, 1000]");
    valid("'oomScoreAdj':1000", "", "", "oomScoreAdj 1000");
    invalid("'scheduler':{'policy':'SCHED_OTHER','priority':1}", "", "",
            "process.scheduler.priority: only valid with SCHED_FIFO or SCHED_RR");
    invalid("'scheduler':{'policy':'SCHED_FOO'}", "", "",
            "process.scheduler.policy: unknown policy 'SCHED_FOO'");
    invalid("'scheduler':{'policy':'SCHED_OTHER','nice':20}", "", "",
            "process.scheduler.nice: 20 out of range [-20, 19]");
    invalid("'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}", "", "",
            "process.ioPriority.priority: 8 out of range [0, 7]");
    invalid("'execCPUAffinity':{'initial':'0-3;rm'}", "", "",
            "process.execCPUAffinity.initial: invalid cpu list '0-3;rm'");
}

static void test_validate_mounts(void)
{
    invalid("", "", "'mounts':[{'destination':''}]", "mounts[0].destination: required");
    struct spec *s = parse_cfg("", "", "'mounts':[{'destination':'rel','type':'tmpfs'}]");
    struct hk_err err;
    int vr = s ? spec_validate(s, &err) : -1;
    TAP_OK(vr == 0 && s->warnings &&
               strstr(s->warnings[0], "mounts[0].destination: relative path 'rel' is deprecated"),
           "relative mount destination is allowed, with a warning");
    spec_free(s);
    invalid("", "", "'mounts':[{'destination':'/a','options':['rbind']}]",
            "mounts[0].source: required for a bind mount");
    invalid("", "", "'mounts':[{'destination':'/a','type':'bind'}]",
            "mounts[0].source: required for a bind mount");
    invalid(
        "", "", "'mounts':[{'destination':'/a','source':'/b','options':['bind','idmap']}]",
        "mounts[0].options: idmap without uidMappings and gidMappings requires a user namespace");
    valid("", USERNS, "'mounts':[{'destination':'/a','source':'/b','options':['bind','idmap']}]",
          "idmap without mappings uses the container's user namespace");
    invalid("", "",
            "'mounts':[{'destination':'/a','source':'/b','type':'tmpfs','options':['idmap'],"
            "'uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]",
            "mounts[0]: idmapped mounts are only supported for bind mounts");
    invalid("", "",
            "'mounts':[{'destination':'/a','source':'/b','options':['bind'],"
            "'uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]",
            "mounts[0].gidMappings: required for an idmapped mount");
    invalid("", "",
            "'mounts':[{'destination':'/a','source':'/b','options':['rbind','ridmap'],"
            "'uidMappings':[{'containerID':0,'hostID':1,'size':0}],"
            "'gidMappings':[{'containerID':0,'hostID':1,'size':1}]}]",
            "mounts[0].uidMappings[0].size: must be greater than 0");
}

static void test_validate_namespaces(void)
{
    invalid("", "'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]", "",
            "linux.namespaces[2].type: duplicate namespace type 'pid'");
    invalid("", "'namespaces':[{'type':'network','path':'proc/1/ns/net'}]", "",
            "linux.namespaces[0].path: 'proc/1/ns/net' is not an absolute path");
    valid("", USERNS, "", "user namespace with mappings");
    invalid("", "'namespaces':[{'type':'user'}]", "",
            "linux.uidMappings: user namespace requested without uid mappings");
    invalid("",
            "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':1}]",
            "", "linux.gidMappings: user namespace requested without gid mappings");
    invalid("", "'uidMappings':[{'containerID':0,'hostID':1,'size':1}]", "",
            "linux.uidMappings: mappings given without a user namespace");
    valid("",
          "'namespaces':[{'type':'user','path':'/proc/1/ns/user'}],"
          "'uidMappings':[{'containerID':0,'hostID':1,'size':1}],"
          "'gidMappings':[{'containerID':0,'hostID':1,'size':1}]",
          "", "mappings with a joined user namespace are accepted (engines send them)");
    valid("", "'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]", "",
          "joined user namespace");
    invalid("",
            "'namespaces':[{'type':'user'}],'gidMappings':[{'containerID':0,'hostID':1,'size':1}],"
            "'uidMappings':[{'containerID':4294967294,'hostID':1,'size':3}]",
            "", "linux.uidMappings[0]: containerID 4294967294 + size 3 exceeds 2^32");
    valid("",
          "'namespaces':[{'type':'user'}],'gidMappings':[{'containerID':0,'hostID':1,'size':1}],"
          "'uidMappings':[{'containerID':0,'hostID':0,'size':4294967295}]",
          "", "mapping of 2^32-1 ids");
    invalid("",
            "'namespaces':[{'type':'user'}],'gidMappings':[{'containerID':0,'hostID':1,'size':1}],"
            "'uidMappings':[{'containerID':0,'hostID':4294967290,'size':7}]",
            "", "linux.uidMappings[0]: hostID 4294967290 + size 7 exceeds 2^32");
    invalid("",
            "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':1}],"
            "'gidMappings':[{'containerID':0,'hostID':100,'size':10},{'containerID':5,'hostID':200,"
            "'size':1}]",
            "", "linux.gidMappings[1]: container range overlaps linux.gidMappings[0]");
    invalid("",
            "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':1}],"
            "'gidMappings':[{'containerID':0,'hostID':100,'size':10},{'containerID':10,'hostID':"
            "109,'size':1}]",
            "", "linux.gidMappings[1]: host range overlaps linux.gidMappings[0]");

    /* 341 mappings */
    char *lnx = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&lnx, &len);
    fputs("'namespaces':[{'type':'user'}],'gidMappings':[{'containerID':0,'hostID':1,'size':1}],"
          "'uidMappings':[",
          f);
    for (int i = 0; i < 341; i++)
        fprintf(f, "%s{'containerID':%d,'hostID':%d,'size':1}", i ? "," : "", i, i);
    fputs("]", f);
    fclose(f);
    invalid("", lnx, "", "linux.uidMappings: 341 entries, at most 340 allowed");
    free(lnx);

    invalid("", "'timeOffsets':{'monotonic':{'secs':1}}", "",
            "linux.timeOffsets: requires a new time namespace");
    invalid("",
            "'namespaces':[{'type':'time','path':'/proc/1/ns/time'}],'timeOffsets':{'boottime':{}}",
            "", "linux.timeOffsets: requires a new time namespace");
    valid("",
          "'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'secs':-1,'nanosecs':"
          "999999999}}",
          "", "time offsets with a new time namespace");
    invalid("", "'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'nanosecs':1000000000}}",
            "", "linux.timeOffsets.boottime.nanosecs: 1000000000 out of range");
}

static void test_validate_sysctl(void)
{
    invalid("", "'sysctl':{'vm.swappiness':'1'}", "",
            "linux.sysctl: 'vm.swappiness' is not namespaced");
    invalid("", "'sysctl':{'kernel.shmmax':'1'}", "",
            "linux.sysctl: 'kernel.shmmax' requires an IPC namespace");
    valid(
        "",
        "'namespaces':[{'type':'ipc'}],'sysctl':{'kernel.shm_rmid_forced':'1','kernel.msgmax':'1',"
        "'fs.mqueue.queues_max':'1'}",
        "", "ipc sysctls with an ipc namespace");
    invalid("", "'sysctl':{'net.ipv4.ip_forward':'1'}", "",
            "linux.sysctl: 'net.ipv4.ip_forward' requires a network namespace");
    valid("",
          "'namespaces':[{'type':'network','path':'/run/netns/"
          "x'}],'sysctl':{'net.core.somaxconn':'1'}",
          "", "net sysctl with a joined network namespace");
    invalid("", "'sysctl':{'kernel.hostname':'x'}", "",
            "linux.sysctl: 'kernel.hostname' requires a UTS namespace");
    valid("", "'namespaces':[{'type':'uts'}],'sysctl':{'kernel.domainname':'x'}", "",
          "kernel.domainname with a UTS namespace");
    valid("", "'namespaces':[{'type':'network'}],'sysctl':{'net/ipv4/conf/eth0.100/forwarding':'1'}",
          "", "slash-separated sysctl key (runc accepts it)");
    invalid("", "'namespaces':[{'type':'network'}],'sysctl':{'net/ipv4/../../vm/x':'1'}", "",
            "linux.sysctl: 'net/ipv4/../../vm/x' has an empty, '.' or '..' component");
    invalid("", "'namespaces':[{'type':'network'}],'sysctl':{'vm/swappiness':'1'}", "",
            "linux.sysctl: 'vm/swappiness' is not namespaced");
    invalid("", "'namespaces':[{'type':'network'}],'sysctl':{'net..ipv4':'1'}", "",
            "linux.sysctl: 'net..ipv4' has an empty, '.' or '..' component");
    invalid("", "'sysctl':{'':'1'}", "", "linux.sysctl: empty key");
    invalid("", "'namespaces':[{'type':'ipc'}],'sysctl':{'kernel.msgmaxx':'1'}", "",
            "linux.sysctl: 'kernel.msgmaxx' is not namespaced");
}

static void test_validate_linux(void)
{
    invalid("", "'devices':[{'type':'x','path':'/dev/x'}]", "",
            "linux.devices[0].type: invalid device type 'x'");
    invalid("", "'devices':[{'type':'c','path':'dev/x','major':1,'minor':1}]", "",
            "linux.devices[0].path: 'dev/x' is not an absolute path");
    invalid("", "'devices':[{'type':'b','path':'/dev/x','minor':1}]", "",
            "linux.devices[0].major: required for type 'b'");
    valid("",
          "'devices':[{'type':'p','path':'/dev/fifo'},{'type':'u','path':'/dev/"
          "u','major':1,'minor':2}]",
          "", "fifo device without numbers");
    invalid("", "'resources':{'devices':[{'allow':true,'type':'p'}]}", "",
            "linux.resources.devices[0].type: invalid device type 'p'");
    invalid("", "'resources':{'devices':[{'allow':true,'access':'rx'}]}", "",
            "linux.resources.devices[0].access: invalid access 'rx'");
    invalid("", "'resources':{'devices':[{'allow':true,'access':'rr'}]}", "",
            "linux.resources.devices[0].access: invalid access 'rr'");
    invalid("", "'resources':{'devices':[{'allow':true,'access':''}]}", "",
            "linux.resources.devices[0].access: empty");
    invalid("", NS_MNT_PID ",'maskedPaths':['/proc/kcore','proc/keys']", "",
            "linux.maskedPaths[1]: 'proc/keys' is not an absolute path");
    invalid("", NS_MNT_PID ",'readonlyPaths':['sys']", "",
            "linux.readonlyPaths[0]: 'sys' is not an absolute path");
    invalid("", "'maskedPaths':['/proc/kcore']", "",
            "linux.maskedPaths: requires a mount namespace");

    invalid("", "'resources':{'memory':{'limit':2000,'swap':1000}}", "",
            "linux.resources.memory.swap: 1000 is less than memory limit 2000");
    invalid("", "'resources':{'memory':{'swap':1000}}", "",
            "linux.resources.memory.swap: unable to set swap limit without memory limit");
    valid("", "'resources':{'memory':{'limit':-1,'swap':-1}}", "", "unlimited memory and swap");
    invalid("", "'resources':{'memory':{'swappiness':101}}", "",
            "linux.resources.memory.swappiness: 101 out of range [0, 100]");
    invalid("", "'resources':{'cpu':{'period':0}}", "",
            "linux.resources.cpu.period: must not be 0");
    invalid("", "'resources':{'cpu':{'quota':1000,'burst':2000}}", "",
            "linux.resources.cpu.burst: 2000 is greater than quota 1000");
    invalid("", "'resources':{'blockIO':{'weight':5}}", "",
            "linux.resources.blockIO.weight: 5 out of range [10, 1000]");
    invalid("",
            "'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0,'leafWeight':1001}]}}",
            "", "linux.resources.blockIO.weightDevice[0].leafWeight: 1001 out of range [10, 1000]");
    invalid("", "'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0}]}}", "",
            "linux.resources.blockIO.weightDevice[0]: weight or leafWeight required");
    invalid("", "'resources':{'hugepageLimits':[{'pageSize':'2mb','limit':1}]}", "",
            "linux.resources.hugepageLimits[0].pageSize: invalid page size '2mb'");
    invalid("", "'resources':{'rdma':{'mlx':{}}}", "",
            "linux.resources.rdma['mlx']: hcaHandles or hcaObjects required");
    invalid("", "'resources':{'unified':{'../../cgroup.procs':'1'}}", "",
            "linux.resources.unified: '../../cgroup.procs' is not a file name");
    invalid("", "'personality':{'domain':'LINUX64'}", "",
            "linux.personality.domain: invalid personality domain 'LINUX64'");
    invalid("", "'memoryPolicy':{'mode':'MPOL_X'}", "",
            "linux.memoryPolicy.mode: unknown mode 'MPOL_X'");
    invalid("", "'intelRdt':{'closID':'..'}", "", "linux.intelRdt.closID: invalid closID '..'");
    invalid("", "'netDevices':{'eth0':{'name':'../x'}}", "",
            "linux.netDevices['eth0'].name: invalid interface name '../x'");
}

static void test_validate_seccomp(void)
{
    invalid("", "'seccomp':{'syscalls':[{'names':['a'],'action':'SCMP_ACT_ALLOW'}]}", "",
            "linux.seccomp.defaultAction: required");
    invalid("", "'seccomp':{'defaultAction':'SCMP_ACT_FOO'}", "",
            "linux.seccomp.defaultAction: unknown action 'SCMP_ACT_FOO'");
    invalid(
        "",
        "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','amd64']}",
        "", "linux.seccomp.architectures[1]: unknown architecture 'amd64'");
    invalid("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_FOO']}",
            "", "linux.seccomp.flags[0]: unknown flag 'SECCOMP_FILTER_FLAG_FOO'");
    invalid(
        "",
        "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],'action':'KILL'}]}",
        "", "linux.seccomp.syscalls[0].action: unknown action 'KILL'");
    invalid("",
            "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
            "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]}",
            "", "linux.seccomp.syscalls[0].args[0].op: unknown operator 'SCMP_CMP_FOO'");
    invalid("",
            "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
            "'action':'SCMP_ACT_KILL','errnoRet':1}]}",
            "", "linux.seccomp.syscalls[0].errnoRet: not valid with SCMP_ACT_KILL");
    invalid("", "'seccomp':{'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1}", "",
            "linux.seccomp.defaultErrnoRet: not valid with SCMP_ACT_KILL");
    valid("", "'seccomp':{'defaultAction':'SCMP_ACT_TRACE','defaultErrnoRet':1}", "",
          "defaultErrnoRet with SCMP_ACT_TRACE");
    invalid("",
            "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
            "'action':'SCMP_ACT_NOTIFY'}]}",
            "", "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
    invalid("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x'}", "",
            "linux.seccomp.listenerPath: given without any SCMP_ACT_NOTIFY action");
    invalid("", "'seccomp':{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/x'}", "",
            "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    invalid("",
            "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
            "'action':'SCMP_ACT_LOG'}]}",
            "", "linux.seccomp.syscalls[0].names: must not be empty");
    invalid("",
            "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
            "'action':'SCMP_ACT_LOG','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
            "", "linux.seccomp.syscalls[0].args[0].index: 6 out of range [0, 5]");
}

/* ---------------------------------------------------------------- spec_load */

static int write_at(int dirfd, const char *name, const char *text)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    close(fd);
    return w == (ssize_t)n ? 0 : -EIO;
}

static void test_load(void)
{
    char dir[] = "/tmp/husk-test-spec-XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_SKIP("mkdtemp failed", "spec_load tests");
        return;
    }
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct hk_err err;
    struct spec *s = NULL;

    int r = spec_load(dfd, "config.json", &s, &err);
    TAP_OK(r == -ENOENT && !s, "missing config.json -> ENOENT");
    TAP_STR_EQ(err.msg, "open 'config.json': No such file or directory", "missing file message");

    write_at(dfd, "config.json", spec_default_json(false));
    r = spec_load(dfd, "config.json", &s, &err);
    TAP_OK(r == 0 && s && s->n_mounts == 7, "spec_load reads the default spec");
    spec_free(s);
    s = NULL;

    write_at(dfd, "bad.json", "{\n\t\"ociVersion\": 1.0.0\n}");
    r = spec_load(dfd, "bad.json", &s, &err);
    TAP_OK(r < 0 && strncmp(err.msg, "bad.json: line 2 column ", 24) == 0,
           "syntax error names the file and line (%s)", err.msg);

    write_at(dfd, "uid.json", "{\"process\":{\"user\":{\"uid\":4294967296}}}");
    r = spec_load(dfd, "uid.json", &s, &err);
    TAP_STR_EQ(r < 0 ? err.msg : "(parsed)", "process.user.uid: 4294967296 out of range",
               "field errors keep the JSON path");

    r = symlinkat("config.json", dfd, "link.json");
    r = spec_load(dfd, "link.json", &s, &err);
    TAP_OK(r == -ELOOP && !s, "symlinked config.json refused (O_NOFOLLOW)");

    mkfifoat(dfd, "fifo.json", 0600);
    r = spec_load(dfd, "fifo.json", &s, &err);
    TAP_STR_EQ(r < 0 ? err.msg : "(parsed)", "'fifo.json' is not a regular file", "fifo refused");

    int fd = openat(dfd, "big.json", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (ftruncate(fd, (off_t)SPEC_MAX_BYTES + 1) < 0)
            perror("ftruncate");
        close(fd);
    }
    r = spec_load(dfd, "big.json", &s, &err);
    TAP_OK(r == -EFBIG && !s, "config larger than SPEC_MAX_BYTES refused (%s)", err.msg);

    const char *names[] = {"config.json", "bad.json",  "uid.json",
                           "link.json",   "fifo.json", "big.json"};
    for (size_t i = 0; i < HK_ARRAY_SIZE(names); i++)
        unlinkat(dfd, names[i], 0);
    close(dfd);
    rmdir(dir);
}

static void test_schema_examples(const char *dir)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        TAP_SKIP("OCI schema examples not found (pass the dir as argv[1] or $HUSK_OCI_SCHEMA_GOOD)",
                 "schema good examples parse");
        return;
    }
    int dfd = dirfd(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        size_t len = strlen(name);
        if (len < 5 || strcmp(name + len - 5, ".json") != 0)
            continue;
        if (strncmp(name, "freebsd", 7) == 0 || strncmp(name, "zos", 3) == 0 ||
            strncmp(name, "windows", 7) == 0 || strncmp(name, "solaris", 7) == 0)
            continue;
        struct hk_err err;
        struct spec *s = NULL;
        int r = spec_load(dfd, name, &s, &err);
        TAP_OK(r == 0, "schema example %s parses", name);
        if (r < 0)
            printf("#   %s\n", err.msg);
        spec_free(s);
        n++;
    }
    closedir(d);
    if (n == 0)
        TAP_SKIP("no Linux examples in the directory", "schema good examples parse");
}

int main(int argc, char **argv)
{
    test_names();
    test_signals();
    test_mount_opts();
    test_seccomp_names();
    test_defaults();
    test_full();
    test_parse_errors();
    test_parse_edges();
    test_limits();
    test_validate_top();
    test_validate_process();
    test_validate_mounts();
    test_validate_namespaces();
    test_validate_sysctl();
    test_validate_linux();
    test_validate_seccomp();
    test_load();

    const char *dir = argc > 1 ? argv[1] : getenv("HUSK_OCI_SCHEMA_GOOD");
    if (!dir && access(DEFAULT_SCHEMA_GOOD, R_OK) == 0)
        dir = DEFAULT_SCHEMA_GOOD;
    test_schema_examples(dir);
    return tap_done();
}
