package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The default seccomp filter of every container ({@code linux.seccomp} in the runtime config), with the effect of
 * Docker's default profile for a container holding {@link OciBundle#DEFAULT_CAPABILITIES}: the syscalls Docker's
 * documentation lists as blocked (docs.docker.com/engine/security/seccomp, "Significant syscalls blocked by the
 * default profile") fail with EPERM, and so do the ones Docker allows only with a capability jbuild never grants.
 *
 * <p>Docker's profile is an allowlist; this one allows by default and denies a list. A deny list does not need the
 * name of every harmless syscall of every architecture to stay correct, and a name runc's libseccomp does not know
 * is skipped rather than breaking the start. The price: a syscall newer than this list is allowed where Docker
 * would refuse it, which is why the list names the dangerous families (mount API, keyrings, bpf, io_uring) whole.
 *
 * <p>Where Docker allows a syscall only with certain arguments, the rules deny the complement, each rule holding
 * one comparison: runc splits several comparisons of one argument into separate rules (OR), and crun does not, so
 * one comparison per rule means the same thing to both.
 */
final class SeccompProfile {
  static final int EPERM = 1;
  static final int ENOSYS = 38; // the same number on x86, x86_64, arm and arm64

  /**
   * CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID and CLONE_NEWNET: the
   * flags of clone(2) that make a namespace. Docker refuses a clone with any of them (without CAP_SYS_ADMIN);
   * threads and forks (CLONE_THREAD, CLONE_VM, SIGCHLD, ...) pass.
   */
  static final long[] NAMESPACE_FLAGS = {
      0x00020000L, 0x02000000L, 0x04000000L, 0x08000000L, 0x10000000L, 0x20000000L, 0x40000000L};

  /**
   * The personality(2) values Docker allows: PER_LINUX, PER_LINUX32, UNAME26, both together, and the query
   * 0xffffffff. Anything else (BSD or SVR4 emulation, ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO) is
   * refused.
   */
  static final long[] PERSONALITIES = {0x0L, 0x0008L, 0x20000L, 0x20008L, 0xffffffffL};

  /** The syscalls refused outright, with EPERM. Grouped by why. */
  private static final List<List<String>> DENIED = List.of(
      // The kernel keyrings are not namespaced.
      List.of("add_key", "keyctl", "request_key"),
      // Kernel modules and kexec (CAP_SYS_MODULE, CAP_SYS_BOOT are not granted; Docker blocks them regardless).
      List.of("init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms",
          "kexec_load", "kexec_file_load", "reboot"),
      // bpf programs may outlive the container; tracing and profiling leak host information.
      List.of("bpf", "perf_event_open", "lookup_dcookie"),
      // Mounting and namespaces (CAP_SYS_ADMIN, never granted). unshare is refused whole, as Docker does without
      // CAP_SYS_ADMIN: unshare(CLONE_NEWUSER) would otherwise hand the process a namespace where it holds
      // CAP_SYS_ADMIN and can mount. clone is filtered by flags below.
      List.of("mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
          "open_tree", "open_tree_attr", "mount_setattr", "setns", "unshare"),
      // The rest of Docker's CAP_SYS_ADMIN group.
      List.of("swapon", "swapoff", "quotactl", "quotactl_fd", "syslog", "sethostname", "setdomainname",
          "fanotify_init", "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules"),
      // File handles: open_by_handle_at was an old container breakout (CAP_DAC_READ_SEARCH is not granted either).
      // Docker now allows name_to_handle_at, which only names a handle; it stays refused here since nothing in a
      // build needs it.
      List.of("open_by_handle_at", "name_to_handle_at"),
      // Time is not namespaced (CAP_SYS_TIME is not granted). adjtimex and clock_adjtime stay allowed, as in
      // Docker: they only read unless the caller holds CAP_SYS_TIME.
      List.of("settimeofday", "stime", "clock_settime", "clock_settime64"),
      // Accounting and I/O privilege levels (CAP_SYS_PACCT, CAP_SYS_RAWIO not granted).
      List.of("acct", "iopl", "ioperm"),
      // Inspecting other processes beyond ptrace (CAP_SYS_PTRACE not granted).
      List.of("kcmp", "pidfd_getfd", "process_madvise"),
      // NUMA memory policy (CAP_SYS_NICE not granted) and page migration.
      List.of("get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind", "move_pages", "migrate_pages"),
      // Userspace page-fault handling makes kernel races easy to win; io_uring bypasses syscall filtering and has
      // been a steady source of kernel bugs (Docker dropped it from its profile).
      List.of("userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register"),
      // Obsolete or legacy interfaces.
      List.of("uselib", "ustat", "sysfs", "_sysctl", "nfsservctl", "vm86", "vm86old", "vhangup"));

  /**
   * Docker allows these only on kernels from 4.8, where seccomp checks a syscall again after a ptrace stop
   * (before that, a tracer could rewrite a checked syscall into a refused one).
   */
  private static final List<String> PTRACE = List.of("ptrace", "process_vm_readv", "process_vm_writev");

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SeccompProfile() {}

  /** The profile for this host's architecture and kernel. */
  static ObjectNode forHost() {
    return of(System.getProperty("os.arch", ""), System.getProperty("os.version", ""));
  }

  /**
   * The profile for a host.
   *
   * @param osArch Java's {@code os.arch}: {@code amd64}, {@code aarch64}, ...
   * @param kernelRelease the kernel's release, as {@code uname -r} prints it
   */
  static ObjectNode of(String osArch, String kernelRelease) {
    ObjectNode p = JSON.objectNode();
    p.put("defaultAction", "SCMP_ACT_ALLOW");
    ArrayNode arches = p.putArray("architectures");
    architectures(osArch).forEach(arches::add);
    ArrayNode rules = p.putArray("syscalls");
    List<String> denied = new ArrayList<>();
    DENIED.forEach(denied::addAll);
    if (!kernelAtLeast(kernelRelease, 4, 8)) {
      denied.addAll(PTRACE);
    }
    deny(rules, denied, EPERM);
    // glibc (2.34 and later) tries clone3 first and falls back to clone on ENOSYS; clone3's flags sit behind a
    // pointer that seccomp cannot read, so it is refused whole and clone is filtered instead.
    deny(rules, List.of("clone3"), ENOSYS);
    int flagsArg = osArch.startsWith("s390") ? 1 : 0; // s390 swaps clone's first two arguments
    for (long flag : NAMESPACE_FLAGS) {
      denyIf(rules, "clone", arg(flagsArg, "SCMP_CMP_MASKED_EQ", flag, flag));
    }
    for (ObjectNode a : personalityRefusals()) {
      denyIf(rules, "personality", a);
    }
    return p;
  }

  /**
   * One comparison per rule, together true exactly for the values Docker refuses: every 64-bit value but
   * {@link #PERSONALITIES}. Above 32 bits: one rule. Below, a refused value has a bit set besides PER_LINUX32 (bit
   * 3) and UNAME26 (bit 17) and is not all ones; reading its bits in a circle, some set bit is followed by a clear
   * one. Either that set bit is not bit 3 or 17 (rule "bit b set, bit b+1 clear"), or every such step starts at bit
   * 3 or 17, and then the run of set bits ending there is longer than one bit, since it holds a bit other than 3
   * and 17 (rule "bits 2 and 3 set, bit 4 clear", and the same at 17). Each rule in turn only matches values that
   * have a bit other than 3 and 17 set and some bit clear. {@code SeccompProfileTest} checks this by evaluating the
   * rules.
   */
  static List<ObjectNode> personalityRefusals() {
    List<ObjectNode> out = new ArrayList<>();
    out.add(arg(0, "SCMP_CMP_GT", 0xffffffffL, 0));
    for (int b = 0; b < 32; b++) {
      int next = (b + 1) % 32;
      if (b == 3 || b == 17) {
        long mask = (1L << (b - 1)) | (1L << b) | (1L << next);
        out.add(arg(0, "SCMP_CMP_MASKED_EQ", mask, (1L << (b - 1)) | (1L << b)));
      } else {
        out.add(arg(0, "SCMP_CMP_MASKED_EQ", (1L << b) | (1L << next), 1L << b));
      }
    }
    return out;
  }

  /** The native seccomp architecture and the compat ones its kernel also runs (Docker's arch map). */
  static List<String> architectures(String osArch) {
    switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
        return List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
      case "aarch64":
      case "arm64":
        return List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
      case "s390x":
        return List.of("SCMP_ARCH_S390X", "SCMP_ARCH_S390");
      default:
        return List.of(); // the native architecture only
    }
  }

  /** Whether {@code release} (like {@code 6.1.0-18-amd64}) is at least {@code major.minor}; true when unreadable. */
  static boolean kernelAtLeast(String release, int major, int minor) {
    String[] parts = release.split("[^0-9]+", 3);
    try {
      int ma = Integer.parseInt(parts[0]);
      int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException e) {
      return true; // jbuild's overlay and user-namespace needs put any kernel it runs on well past 4.8
    }
  }

  private static void deny(ArrayNode rules, List<String> names, int errno) {
    ObjectNode r = rules.addObject();
    ArrayNode n = r.putArray("names");
    names.forEach(n::add);
    r.put("action", "SCMP_ACT_ERRNO");
    r.put("errnoRet", errno);
  }

  private static void denyIf(ArrayNode rules, String name, ObjectNode condition) {
    ObjectNode r = rules.addObject();
    r.putArray("names").add(name);
    r.put("action", "SCMP_ACT_ERRNO");
    r.put("errnoRet", EPERM);
    r.putArray("args").add(condition);
  }

  private static ObjectNode arg(int index, String op, long value, long valueTwo) {
    ObjectNode a = JSON.objectNode();
    a.put("index", index);
    a.put("value", value);
    a.put("valueTwo", valueTwo);
    a.put("op", op);
    return a;
  }
}
