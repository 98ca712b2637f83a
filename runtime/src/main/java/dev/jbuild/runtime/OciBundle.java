package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.JsonTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * An OCI runtime bundle: a directory holding {@code config.json} and the root filesystem at {@code rootfs}.
 *
 * <p>The config follows what runc's {@code spec} and Docker produce by default: Docker's default capabilities in the
 * bounding, effective and permitted sets with empty inheritable and ambient sets (X08), {@code noNewPrivileges},
 * runc's masked and read-only paths, the standard mounts, and the effect of Docker's default seccomp profile
 * ({@code SeccompProfile}; left out with {@link ContainerSpec#seccompUnconfined()}). The JSON is a function of the
 * {@link ContainerSpec} and the host (its architecture and kernel, which host files exist), so the same spec always
 * gives the same bytes on one machine.
 */
public final class OciBundle {
  /** The OCI runtime-spec version the config claims. */
  public static final String OCI_VERSION = "1.0.2";

  /** Docker's default capability set (moby's oci/caps/defaults.go). */
  public static final List<String> DEFAULT_CAPABILITIES = List.of(
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
      "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
      "CAP_AUDIT_WRITE");

  private static final List<String> MASKED_PATHS = List.of(
      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
      "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware");
  private static final List<String> READONLY_PATHS = List.of(
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
  /** Lower than the host's: some tools in this sandbox fail with very high limits (podman needed the same). */
  private static final long NOFILE = 1024;
  private static final List<Path> HOST_FILES = List.of(Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"));

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Path dir;

  private OciBundle(Path dir) {
    this.dir = dir;
  }

  /** The bundle directory. */
  public Path dir() {
    return dir;
  }

  /** Where runc expects the root filesystem: {@code dir/rootfs}. */
  public Path rootfs() {
    return dir.resolve("rootfs");
  }

  /**
   * Writes {@code dir/config.json} for {@code spec} (creating {@code dir} if needed); the caller puts the root
   * filesystem at {@link #rootfs()}.
   */
  public static OciBundle write(Path dir, ContainerSpec spec) throws IOException {
    return write(dir, spec, null);
  }

  /**
   * As {@link #write(Path, ContainerSpec)}, with the root filesystem at {@code rootfs} (absolute) instead of inside
   * the bundle: a bundle kept apart from the store, in memory, so the process environment it holds (a secret passed
   * with {@code env=}) never reaches the store's disk.
   */
  public static OciBundle write(Path dir, ContainerSpec spec, Path rootfs) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Files.createDirectories(dir);
    ObjectNode config = config(spec);
    if (rootfs != null) {
      if (!rootfs.isAbsolute()) {
        throw new IllegalArgumentException("the root filesystem must be an absolute path, not " + rootfs);
      }
      ((ObjectNode) config.get("root")).put("path", rootfs.toString());
    }
    Files.write(dir.resolve("config.json"), JsonTrees.writePretty(config));
    return new OciBundle(dir);
  }

  /** The runtime config for {@code spec}. Host files that do not exist are not bound. */
  public static ObjectNode config(ContainerSpec spec) {
    ObjectNode root = JSON.objectNode();
    root.put("ociVersion", OCI_VERSION);
    root.set("process", process(spec));
    ObjectNode rootfs = root.putObject("root");
    rootfs.put("path", "rootfs");
    rootfs.put("readonly", false);
    root.put("hostname", spec.hostname());
    root.set("mounts", mounts(spec));
    root.set("linux", linux(spec));
    return root;
  }

  private static ObjectNode process(ContainerSpec spec) {
    ObjectNode p = JSON.objectNode();
    p.put("terminal", false);
    ObjectNode user = p.putObject("user");
    user.put("uid", spec.uid());
    user.put("gid", spec.gid());
    if (!spec.additionalGids().isEmpty()) {
      ArrayNode gids = user.putArray("additionalGids");
      spec.additionalGids().forEach(gids::add);
    }
    p.set("args", strings(spec.args()));
    p.set("env", strings(spec.env()));
    p.put("cwd", spec.cwd());
    ObjectNode caps = p.putObject("capabilities");
    caps.set("bounding", strings(DEFAULT_CAPABILITIES));
    caps.set("effective", strings(DEFAULT_CAPABILITIES));
    caps.set("permitted", strings(DEFAULT_CAPABILITIES));
    caps.putArray("inheritable"); // X08: nothing survives an execve of a non-capability-aware binary
    caps.putArray("ambient");
    ObjectNode nofile = p.putArray("rlimits").addObject();
    nofile.put("type", "RLIMIT_NOFILE");
    nofile.put("hard", NOFILE);
    nofile.put("soft", NOFILE);
    p.put("noNewPrivileges", true);
    return p;
  }

  private static ArrayNode mounts(ContainerSpec spec) {
    boolean userns = UserNamespace.isNamespaceRoot();
    ArrayNode m = JSON.arrayNode();
    mount(m, "/proc", "proc", "proc", List.of());
    mount(m, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    // gid=5 (tty) only where it is mapped: a rootless namespace without a subgid range maps root alone.
    mount(m, "/dev/pts", "devpts", "devpts", !userns || UserNamespace.gidMapped(5)
        ? List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")
        : List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
    mount(m, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
    mount(m, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
    if (userns && spec.hostNetwork()) {
      // sysfs can only be mounted by the owner of the network namespace; rootless with the host network binds it,
      // as podman does.
      mount(m, "/sys", "bind", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro"));
    } else {
      mount(m, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
    }
    for (Path host : HOST_FILES) {
      if (Files.isRegularFile(host) && !overridden(spec, host.toString())) {
        mount(m, host.toString(), "bind", host.toString(), List.of("rbind", "ro", "nosuid", "nodev", "noexec"));
      }
    }
    for (Mount extra : spec.mounts()) {
      mount(m, extra.destination(), extra.type(), extra.source(), extra.options());
    }
    return m;
  }

  private static boolean overridden(ContainerSpec spec, String destination) {
    return spec.mounts().stream().anyMatch(x -> x.destination().equals(destination));
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
    ObjectNode o = mounts.addObject();
    o.put("destination", destination);
    o.put("type", type);
    o.put("source", source);
    o.set("options", strings(options));
  }

  private static ObjectNode linux(ContainerSpec spec) {
    ObjectNode l = JSON.objectNode();
    ArrayNode ns = l.putArray("namespaces");
    for (String t : List.of("pid", "ipc", "uts", "mount")) {
      ns.addObject().put("type", t);
    }
    if (!spec.hostNetwork()) {
      ns.addObject().put("type", "network"); // runc brings up lo and nothing else
    }
    l.set("maskedPaths", strings(MASKED_PATHS));
    l.set("readonlyPaths", strings(READONLY_PATHS));
    if (!spec.seccompUnconfined()) {
      l.set("seccomp", SeccompProfile.forHost());
    }
    return l;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = JSON.arrayNode();
    values.forEach(a::add);
    return a;
  }

  /** The config as written, for tests and diagnostics. */
  public JsonNode readConfig() throws IOException {
    return JsonTrees.read(Files.readAllBytes(dir.resolve("config.json")));
  }
}
