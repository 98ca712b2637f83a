package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {
  private static final ObjectNode AMD64 = SeccompProfile.of("amd64", "6.1.0-18-amd64");

  /** The errno the profile returns for {@code name} called with {@code arg0} (and arg1 the same), or 0: allowed. */
  private static int errno(JsonNode profile, String name, long arg0) {
    for (JsonNode rule : profile.get("syscalls")) {
      boolean named = false;
      for (JsonNode n : rule.get("names")) {
        named |= n.asText().equals(name);
      }
      if (!named) {
        continue;
      }
      boolean all = true;
      for (JsonNode a : rule.path("args")) {
        long value = a.get("value").asLong();
        long two = a.get("valueTwo").asLong();
        switch (a.get("op").asText()) {
          case "SCMP_CMP_MASKED_EQ":
            all &= (arg0 & value) == two;
            break;
          case "SCMP_CMP_GT":
            all &= Long.compareUnsigned(arg0, value) > 0;
            break;
          default:
            throw new AssertionError("unexpected op " + a);
        }
      }
      if (all) {
        assertThat(rule.get("action").asText()).isEqualTo("SCMP_ACT_ERRNO");
        return rule.get("errnoRet").asInt();
      }
    }
    return 0;
  }

  private static Set<String> names(JsonNode profile, int errno) {
    Set<String> out = new TreeSet<>();
    for (JsonNode rule : profile.get("syscalls")) {
      if (rule.get("errnoRet").asInt() == errno && !rule.has("args")) {
        rule.get("names").forEach(n -> out.add(n.asText()));
      }
    }
    return out;
  }

  @Test
  void of_amd64_allowsByDefaultForTheX86Family() {
    assertThat(AMD64.get("defaultAction").asText()).isEqualTo("SCMP_ACT_ALLOW");
    assertThat(AMD64.get("architectures")).extracting(JsonNode::asText)
        .containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    assertThat(SeccompProfile.of("aarch64", "6.1.0").get("architectures")).extracting(JsonNode::asText)
        .containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
    for (JsonNode rule : AMD64.get("syscalls")) {
      assertThat(rule.get("action").asText()).isEqualTo("SCMP_ACT_ERRNO");
      for (JsonNode a : rule.path("args")) {
        assertThat(a.get("index").asInt()).as("flags and persona are the first argument").isZero();
      }
    }
  }

  @Test
  void of_deniesDockersBlockedSyscallsWithEperm() {
    assertThat(names(AMD64, SeccompProfile.EPERM)).contains("add_key", "keyctl", "request_key", "bpf", "kexec_load",
        "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module", "open_by_handle_at",
        "name_to_handle_at", "perf_event_open", "mount", "umount", "umount2", "pivot_root", "unshare", "setns",
        "swapon", "swapoff", "reboot", "settimeofday", "stime", "clock_settime", "acct", "lookup_dcookie", "quotactl",
        "userfaultfd", "vm86", "vm86old", "uselib", "sysfs", "_sysctl", "ustat", "nfsservctl", "iopl", "ioperm",
        "syslog", "get_mempolicy", "set_mempolicy", "mbind", "move_pages", "kcmp", "process_madvise",
        "fsopen", "fsmount", "move_mount", "open_tree", "io_uring_setup")
        // what ordinary programs and package managers need
        .doesNotContain("clone", "fork", "vfork", "execve", "chroot", "ptrace", "process_vm_readv", "adjtimex",
            "clock_adjtime", "personality", "seccomp", "setuid", "chown", "mknod");
    assertThat(names(AMD64, SeccompProfile.ENOSYS)).containsExactly("clone3");
    assertThat(errno(AMD64, "openat", 0)).isZero();
  }

  @Test
  void of_kernelBefore4_8_alsoDeniesPtrace() {
    ObjectNode old = SeccompProfile.of("amd64", "4.4.0-210-generic");
    assertThat(names(old, SeccompProfile.EPERM)).contains("ptrace", "process_vm_readv", "process_vm_writev");
    assertThat(names(SeccompProfile.of("amd64", "4.8.0"), SeccompProfile.EPERM)).doesNotContain("ptrace");
    assertThat(SeccompProfile.kernelAtLeast("5.10.0-28-cloud-amd64", 4, 8)).isTrue();
    assertThat(SeccompProfile.kernelAtLeast("3.10.0", 4, 8)).isFalse();
    assertThat(SeccompProfile.kernelAtLeast("", 4, 8)).isTrue();
  }

  @Test
  void of_clone_refusesNamespaceFlagsOnly() {
    long sigchld = 17;
    long thread = 0x3d0f00; // glibc's pthread_create: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|*_TID
    assertThat(errno(AMD64, "clone", sigchld)).isZero();
    assertThat(errno(AMD64, "clone", thread)).isZero();
    assertThat(errno(AMD64, "clone", 0x01200011L)).as("fork: CHILD_SETTID|CHILD_CLEARTID|SIGCHLD").isZero();
    for (long flag : SeccompProfile.NAMESPACE_FLAGS) {
      assertThat(errno(AMD64, "clone", flag | sigchld)).as("flag %x", flag).isEqualTo(SeccompProfile.EPERM);
      assertThat(errno(AMD64, "clone", flag | thread)).as("flag %x", flag).isEqualTo(SeccompProfile.EPERM);
    }
    assertThat(errno(AMD64, "clone", 0x10000000L | 0x00020000L | sigchld)).isEqualTo(SeccompProfile.EPERM);
    assertThat(errno(AMD64, "clone3", 0)).isEqualTo(SeccompProfile.ENOSYS);
    assertThat(errno(AMD64, "unshare", 0x10000000L)).isEqualTo(SeccompProfile.EPERM);
    // s390 passes clone's flags second
    for (JsonNode rule : SeccompProfile.of("s390x", "6.1.0").get("syscalls")) {
      if (rule.get("names").get(0).asText().equals("clone")) {
        assertThat(rule.get("args").get(0).get("index").asInt()).isEqualTo(1);
      }
    }
  }

  /** Docker allows exactly five personality values; the rules, evaluated here, refuse every other one. */
  @Test
  void of_personality_allowsExactlyDockersValues() {
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      for (int j = i; j < 64; j++) {
        long v = (1L << i) | (1L << j);
        values.add(v);
        values.add(~v);
        values.add(v ^ 0xffffffffL);
        values.add(v ^ 0x20008L);
        values.add(v | 0x20008L);
      }
    }
    Random random = new Random(42);
    for (int i = 0; i < 20000; i++) {
      values.add(random.nextLong());
      values.add(random.nextLong() & 0xffffffffL);
      values.add(random.nextLong() & 0x2000fL);
    }
    values.addAll(List.of(0L, 0x8L, 0x20000L, 0x20008L, 0xffffffffL, 0x6L, 0x0040000L, 0x0400000L, 0x0100000L,
        0xffffffffffffffffL, 0x1_0000_0000L, 0xfffffffeL, 0x7fffffffL));
    Set<Long> allowed = LongStream.of(SeccompProfile.PERSONALITIES).boxed().collect(Collectors.toSet());
    for (long v : values) {
      assertThat(errno(AMD64, "personality", v)).as("personality(0x%x)", v)
          .isEqualTo(allowed.contains(v) ? 0 : SeccompProfile.EPERM);
    }
  }
}
