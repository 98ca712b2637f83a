package dev.jbuild.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A busybox root filesystem tarball made with GNU tar from the host's busybox-static, with users root, alice
 * (1234, group staff 2345) and nobody; tests {@code jbuild import} it as their base image.
 */
final class BusyboxRootfs {
  private static final List<String> APPLETS = List.of("sh", "ls", "cat", "echo", "id", "pwd", "sleep", "touch",
      "mkdir", "rm", "true", "false", "test", "stty", "tty", "env", "grep", "hostname", "kill", "wc", "readlink");

  private BusyboxRootfs() {}

  /** Writes the rootfs under {@code dir/rootfs} and returns the tarball {@code dir/rootfs.tar}. */
  static Path tar(Path dir) throws IOException, InterruptedException {
    return tar(dir, root -> { });
  }

  /** Changes a rootfs before it is packed (hostile images). */
  interface Customizer {
    void apply(Path root) throws IOException;
  }

  static Path tar(Path dir, Customizer customize) throws IOException, InterruptedException {
    Path root = dir.resolve("rootfs");
    Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    for (String a : APPLETS) {
      Files.createSymbolicLink(root.resolve("bin").resolve(a), Path.of("busybox"));
    }
    for (String d : List.of("etc", "tmp", "root", "home/alice", "data")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
        + "alice:x:1234:2345:Alice:/home/alice:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\nstaff:x:2345:alice\nnogroup:x:65534:\n");
    Files.writeString(root.resolve("data/seed"), "from the image\n");
    customize.apply(root);
    Path tar = dir.resolve("rootfs.tar");
    Processes.Output out = Processes.run(List.of("tar", "--numeric-owner", "-C", root.toString(), "-cf",
        tar.toString(), "."), Map.of(), null);
    if (out.exit() != 0) {
      throw new IOException("tar failed: " + out);
    }
    return tar;
  }
}
