package dev.jbuild.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How the host mounts its cgroups, as an OCI runtime sees them at {@code /sys/fs/cgroup}: one cgroup v2 hierarchy
 * (unified), the v1 controllers alone (legacy), or v1 controllers beside a v2 hierarchy at {@code
 * /sys/fs/cgroup/unified} (hybrid). crun runs on the first two, and on a hybrid host only while the v2 hierarchy
 * holds no controller ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"); runc runs on all
 * three. Read from {@code /proc/self/mountinfo}, so it is the view of this process's mount namespace.
 *
 * @param mode the layout
 * @param unifiedControllers the controllers of the v2 hierarchy of a hybrid layout (empty otherwise)
 */
public record CgroupLayout(Mode mode, List<String> unifiedControllers) {
  /** The three layouts. */
  public enum Mode { UNIFIED, HYBRID, LEGACY }

  private static final String ROOT = "/sys/fs/cgroup";
  private static final String UNIFIED = ROOT + "/unified";

  public CgroupLayout {
    unifiedControllers = List.copyOf(unifiedControllers);
  }

  /** This host's layout; a host without readable mount information counts as legacy. */
  public static CgroupLayout detect() {
    List<String> mountinfo;
    try {
      mountinfo = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new CgroupLayout(Mode.LEGACY, List.of());
    }
    Mode mode = mode(mountinfo);
    List<String> controllers = List.of();
    if (mode == Mode.HYBRID) {
      try {
        controllers = controllers(Files.readString(Path.of(UNIFIED, "cgroup.controllers")));
      } catch (IOException e) {
        controllers = List.of("unknown"); // unreadable: not known to be empty, so not a layout crun is sure to take
      }
    }
    return new CgroupLayout(mode, controllers);
  }

  /** The layout {@code mountinfo} (the lines of {@code /proc/self/mountinfo}) describes. */
  static Mode mode(List<String> mountinfo) {
    boolean unifiedBeside = false;
    for (String line : mountinfo) {
      // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
        continue;
      }
      String point = f[4].replace("\\040", " ");
      if (!f[dash + 1].equals("cgroup2")) {
        continue;
      }
      if (point.equals(ROOT)) {
        return Mode.UNIFIED;
      }
      unifiedBeside |= point.equals(UNIFIED);
    }
    return unifiedBeside ? Mode.HYBRID : Mode.LEGACY;
  }

  /** The names in a {@code cgroup.controllers} file. */
  static List<String> controllers(String content) {
    String s = content.strip();
    return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
  }

  /** Whether crun can run containers here. */
  public boolean crunCanRun() {
    return mode != Mode.HYBRID || unifiedControllers.isEmpty();
  }

  /** For messages: {@code hybrid (cgroup v2 holds hugetlb)}, {@code unified}, {@code legacy}. */
  @Override
  public String toString() {
    String name = mode.name().toLowerCase(java.util.Locale.ROOT);
    return mode == Mode.HYBRID && !unifiedControllers.isEmpty()
        ? name + " (cgroup v2 holds " + String.join(", ", unifiedControllers) + ")" : name;
  }
}
