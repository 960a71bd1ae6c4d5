/*
 * `husk spec`: runc's default config.json, byte for byte as `runc spec` (1.1.5) writes it
 * (tab-indented, no trailing newline), except ociVersion, which is the version husk
 * implements. The rootless variant is `runc spec --rootless`; runc maps container id 0 to
 * the caller's euid/egid, so the text is split around the two hostID values.
 */
#include "spec/spec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* The parts both variants share. */
#define SPEC_HEAD                                                                                  \
    "{\n"                                                                                          \
    "\t\"ociVersion\": \"" SPEC_OCI_VERSION "\",\n"                                                \
    "\t\"process\": {\n"                                                                           \
    "\t\t\"terminal\": true,\n"                                                                    \
    "\t\t\"user\": {\n"                                                                            \
    "\t\t\t\"uid\": 0,\n"                                                                          \
    "\t\t\t\"gid\": 0\n"                                                                           \
    "\t\t},\n"                                                                                     \
    "\t\t\"args\": [\n"                                                                            \
    "\t\t\t\"sh\"\n"                                                                               \
    "\t\t],\n"                                                                                     \
    "\t\t\"env\": [\n"                                                                             \
    "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"               \
    "\t\t\t\"TERM=xterm\"\n"                                                                       \
    "\t\t],\n"                                                                                     \
    "\t\t\"cwd\": \"/\",\n"                                                                        \
    "\t\t\"capabilities\": {\n"                                                                    \
    "\t\t\t\"bounding\": [\n"                                                                      \
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"                                                               \
    "\t\t\t\t\"CAP_KILL\",\n"                                                                      \
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"                                                           \
    "\t\t\t],\n"                                                                                   \
    "\t\t\t\"effective\": [\n"                                                                     \
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"                                                               \
    "\t\t\t\t\"CAP_KILL\",\n"                                                                      \
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"                                                           \
    "\t\t\t],\n"                                                                                   \
    "\t\t\t\"permitted\": [\n"                                                                     \
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"                                                               \
    "\t\t\t\t\"CAP_KILL\",\n"                                                                      \
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"                                                           \
    "\t\t\t],\n"                                                                                   \
    "\t\t\t\"ambient\": [\n"                                                                       \
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"                                                               \
    "\t\t\t\t\"CAP_KILL\",\n"                                                                      \
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"                                                           \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t\"rlimits\": [\n"                                                                         \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"                                                       \
    "\t\t\t\t\"hard\": 1024,\n"                                                                    \
    "\t\t\t\t\"soft\": 1024\n"                                                                     \
    "\t\t\t}\n"                                                                                    \
    "\t\t],\n"                                                                                     \
    "\t\t\"noNewPrivileges\": true\n"                                                              \
    "\t},\n"                                                                                       \
    "\t\"root\": {\n"                                                                              \
    "\t\t\"path\": \"rootfs\",\n"                                                                  \
    "\t\t\"readonly\": true\n"                                                                     \
    "\t},\n"                                                                                       \
    "\t\"hostname\": \"runc\",\n"                                                                  \
    "\t\"mounts\": [\n"                                                                            \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/proc\",\n"                                                          \
    "\t\t\t\"type\": \"proc\",\n"                                                                  \
    "\t\t\t\"source\": \"proc\"\n"                                                                 \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/dev\",\n"                                                           \
    "\t\t\t\"type\": \"tmpfs\",\n"                                                                 \
    "\t\t\t\"source\": \"tmpfs\",\n"                                                               \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"strictatime\",\n"                                                                   \
    "\t\t\t\t\"mode=755\",\n"                                                                      \
    "\t\t\t\t\"size=65536k\"\n"                                                                    \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/dev/pts\",\n"                                                       \
    "\t\t\t\"type\": \"devpts\",\n"                                                                \
    "\t\t\t\"source\": \"devpts\",\n"                                                              \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"newinstance\",\n"                                                                   \
    "\t\t\t\t\"ptmxmode=0666\",\n"

#define SPEC_TAIL                                                                                  \
    "\t\t\t}\n"                                                                                    \
    "\t\t],\n"                                                                                     \
    "\t\t\"maskedPaths\": [\n"                                                                     \
    "\t\t\t\"/proc/acpi\",\n"                                                                      \
    "\t\t\t\"/proc/asound\",\n"                                                                    \
    "\t\t\t\"/proc/kcore\",\n"                                                                     \
    "\t\t\t\"/proc/keys\",\n"                                                                      \
    "\t\t\t\"/proc/latency_stats\",\n"                                                             \
    "\t\t\t\"/proc/timer_list\",\n"                                                                \
    "\t\t\t\"/proc/timer_stats\",\n"                                                               \
    "\t\t\t\"/proc/sched_debug\",\n"                                                               \
    "\t\t\t\"/sys/firmware\",\n"                                                                   \
    "\t\t\t\"/proc/scsi\"\n"                                                                       \
    "\t\t],\n"                                                                                     \
    "\t\t\"readonlyPaths\": [\n"                                                                   \
    "\t\t\t\"/proc/bus\",\n"                                                                       \
    "\t\t\t\"/proc/fs\",\n"                                                                        \
    "\t\t\t\"/proc/irq\",\n"                                                                       \
    "\t\t\t\"/proc/sys\",\n"                                                                       \
    "\t\t\t\"/proc/sysrq-trigger\"\n"                                                              \
    "\t\t]\n"                                                                                      \
    "\t}\n"                                                                                        \
    "}"

#define DEFAULT_JSON                                                                               \
    SPEC_HEAD                                                                                      \
    "\t\t\t\t\"mode=0620\",\n"                                                                     \
    "\t\t\t\t\"gid=5\"\n"                                                                          \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/dev/shm\",\n"                                                       \
    "\t\t\t\"type\": \"tmpfs\",\n"                                                                 \
    "\t\t\t\"source\": \"shm\",\n"                                                                 \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\",\n"                                                                         \
    "\t\t\t\t\"mode=1777\",\n"                                                                     \
    "\t\t\t\t\"size=65536k\"\n"                                                                    \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/dev/mqueue\",\n"                                                    \
    "\t\t\t\"type\": \"mqueue\",\n"                                                                \
    "\t\t\t\"source\": \"mqueue\",\n"                                                              \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\"\n"                                                                          \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/sys\",\n"                                                           \
    "\t\t\t\"type\": \"sysfs\",\n"                                                                 \
    "\t\t\t\"source\": \"sysfs\",\n"                                                               \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\",\n"                                                                         \
    "\t\t\t\t\"ro\"\n"                                                                             \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/sys/fs/cgroup\",\n"                                                 \
    "\t\t\t\"type\": \"cgroup\",\n"                                                                \
    "\t\t\t\"source\": \"cgroup\",\n"                                                              \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\",\n"                                                                         \
    "\t\t\t\t\"relatime\",\n"                                                                      \
    "\t\t\t\t\"ro\"\n"                                                                             \
    "\t\t\t]\n"                                                                                    \
    "\t\t}\n"                                                                                      \
    "\t],\n"                                                                                       \
    "\t\"linux\": {\n"                                                                             \
    "\t\t\"resources\": {\n"                                                                       \
    "\t\t\t\"devices\": [\n"                                                                       \
    "\t\t\t\t{\n"                                                                                  \
    "\t\t\t\t\t\"allow\": false,\n"                                                                \
    "\t\t\t\t\t\"access\": \"rwm\"\n"                                                              \
    "\t\t\t\t}\n"                                                                                  \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t\"namespaces\": [\n"                                                                      \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"pid\"\n"                                                                  \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"network\"\n"                                                              \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"ipc\"\n"                                                                  \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"uts\"\n"                                                                  \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"mount\"\n" SPEC_TAIL

#define ROOTLESS_A                                                                                 \
    SPEC_HEAD                                                                                      \
    "\t\t\t\t\"mode=0620\"\n"                                                                      \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/dev/shm\",\n"                                                       \
    "\t\t\t\"type\": \"tmpfs\",\n"                                                                 \
    "\t\t\t\"source\": \"shm\",\n"                                                                 \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\",\n"                                                                         \
    "\t\t\t\t\"mode=1777\",\n"                                                                     \
    "\t\t\t\t\"size=65536k\"\n"                                                                    \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/dev/mqueue\",\n"                                                    \
    "\t\t\t\"type\": \"mqueue\",\n"                                                                \
    "\t\t\t\"source\": \"mqueue\",\n"                                                              \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\"\n"                                                                          \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/sys\",\n"                                                           \
    "\t\t\t\"type\": \"none\",\n"                                                                  \
    "\t\t\t\"source\": \"/sys\",\n"                                                                \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"rbind\",\n"                                                                         \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\",\n"                                                                         \
    "\t\t\t\t\"ro\"\n"                                                                             \
    "\t\t\t]\n"                                                                                    \
    "\t\t},\n"                                                                                     \
    "\t\t{\n"                                                                                      \
    "\t\t\t\"destination\": \"/sys/fs/cgroup\",\n"                                                 \
    "\t\t\t\"type\": \"cgroup\",\n"                                                                \
    "\t\t\t\"source\": \"cgroup\",\n"                                                              \
    "\t\t\t\"options\": [\n"                                                                       \
    "\t\t\t\t\"nosuid\",\n"                                                                        \
    "\t\t\t\t\"noexec\",\n"                                                                        \
    "\t\t\t\t\"nodev\",\n"                                                                         \
    "\t\t\t\t\"relatime\",\n"                                                                      \
    "\t\t\t\t\"ro\"\n"                                                                             \
    "\t\t\t]\n"                                                                                    \
    "\t\t}\n"                                                                                      \
    "\t],\n"                                                                                       \
    "\t\"linux\": {\n"                                                                             \
    "\t\t\"uidMappings\": [\n"                                                                     \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"containerID\": 0,\n"                                                                \
    "\t\t\t\t\"hostID\": "

#define ROOTLESS_B                                                                                 \
    ",\n"                                                                                          \
    "\t\t\t\t\"size\": 1\n"                                                                        \
    "\t\t\t}\n"                                                                                    \
    "\t\t],\n"                                                                                     \
    "\t\t\"gidMappings\": [\n"                                                                     \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"containerID\": 0,\n"                                                                \
    "\t\t\t\t\"hostID\": "

#define ROOTLESS_C                                                                                 \
    ",\n"                                                                                          \
    "\t\t\t\t\"size\": 1\n"                                                                        \
    "\t\t\t}\n"                                                                                    \
    "\t\t],\n"                                                                                     \
    "\t\t\"namespaces\": [\n"                                                                      \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"pid\"\n"                                                                  \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"ipc\"\n"                                                                  \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"uts\"\n"                                                                  \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"mount\"\n"                                                                \
    "\t\t\t},\n"                                                                                   \
    "\t\t\t{\n"                                                                                    \
    "\t\t\t\t\"type\": \"user\"\n" SPEC_TAIL

const char *spec_default_json(bool rootless)
{
    return rootless ? ROOTLESS_A "0" ROOTLESS_B "0" ROOTLESS_C : DEFAULT_JSON;
}

int spec_default_rootless_json(uint32_t host_uid, uint32_t host_gid, char **ret_json)
{
    char *s = NULL;
    if (asprintf(&s, "%s%" PRIu32 "%s%" PRIu32 "%s", ROOTLESS_A, host_uid, ROOTLESS_B, host_gid,
                 ROOTLESS_C) < 0)
        return -ENOMEM;
    *ret_json = s;
    return 0;
}
