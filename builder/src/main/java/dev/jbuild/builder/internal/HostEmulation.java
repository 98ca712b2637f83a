package dev.jbuild.builder.internal;

import dev.jbuild.oci.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether this host can execute another architecture's binaries: RUN of a foreign stage needs an enabled
 * binfmt_misc entry for it (qemu-user, as {@code tonistiigi/binfmt} or Debian's {@code qemu-user-static} register).
 * Building a foreign stage without RUN needs nothing, so only RUN asks.
 */
public final class HostEmulation {
  /** Where the kernel lists its binfmt_misc handlers. */
  public static final Path BINFMT_MISC = Path.of("/proc/sys/fs/binfmt_misc");

  /** OCI architecture names to the names qemu (and so its binfmt entries) use. */
  private static final Map<String, String> QEMU = Map.ofEntries(
      Map.entry("amd64", "x86_64"), Map.entry("386", "i386"), Map.entry("arm64", "aarch64"),
      Map.entry("arm", "arm"), Map.entry("ppc64le", "ppc64le"), Map.entry("ppc64", "ppc64"),
      Map.entry("s390x", "s390x"), Map.entry("riscv64", "riscv64"), Map.entry("mips64le", "mips64el"),
      Map.entry("mips64", "mips64"), Map.entry("loong64", "loongarch64"));

  private HostEmulation() {}

  /** Whether {@code target} runs here without emulation: same OS and architecture as {@code host}. */
  public static boolean isNative(Platform target, Platform host) {
    return target.os().equals(host.os()) && target.architecture().equals(host.architecture());
  }

  /**
   * Why RUN cannot execute {@code target} binaries here, or empty when it can (native, or an enabled binfmt_misc
   * entry in {@code binfmtDir} whose name carries the qemu name of the architecture).
   */
  public static Optional<String> refusal(Platform target, Platform host, Path binfmtDir) {
    if (isNative(target, host)) {
      return Optional.empty();
    }
    String qemu = QEMU.getOrDefault(target.architecture(), target.architecture());
    if (!target.os().equals("linux")) {
      return Optional.of("jbuild cannot build for " + target + " on this " + host + " host: RUN needs a Linux "
          + "platform");
    }
    if (registered(binfmtDir, qemu)) {
      return Optional.empty();
    }
    return Optional.of("jbuild cannot build for " + target + " on this " + host + " host: no emulation "
        + "(binfmt_misc) registered for " + target.architecture() + " (register qemu-" + qemu
        + " with binfmt_misc, for example by installing qemu-user-static)");
  }

  private static boolean registered(Path dir, String qemu) {
    try {
      if (Files.isRegularFile(dir.resolve("status")) && !firstLine(dir.resolve("status")).equals("enabled")) {
        return false;
      }
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
          boolean forArch = name.equals("qemu-" + qemu) || name.endsWith("-" + qemu) || name.equals(qemu);
          if (forArch && Files.isRegularFile(entry) && firstLine(entry).equals("enabled")) {
            return true;
          }
        }
      }
    } catch (IOException e) {
      return false; // not mounted or not readable: no emulation we can count on
    }
    return false;
  }

  private static String firstLine(Path file) throws IOException {
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = in.readLine();
      return line == null ? "" : line.strip();
    }
  }
}
