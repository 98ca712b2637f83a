package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.JsonTrees;
import dev.jbuild.store.StoredImages.StoredImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gets a kept container ready to start: its overlay mounted over its own upper dir, volumes made, the user
 * resolved in the image, and the bundle's {@code config.json} written. The container's dir is the bundle.
 */
final class ContainerSetup {
  private static final Path HOST_HOSTS = Path.of("/etc/hosts");

  private ContainerSetup() {}

  /** A mounted, configured container and its record with the mount points it adds. */
  record Prepared(ContainerRecord record, MountedRootfs rootfs, Path bundle) {}

  static Prepared prepare(ContainerStore containers, Rootfs rootfs, ContainerRecord record)
      throws ContainerException {
    Path dir = containers.dir(record.id());
    StoredImage image = rootfs.read(record.imageDescriptor(), record.image());
    unmountStale(dir.resolve("rootfs"));
    MountedRootfs fs = rootfs.mountKept(image.manifest().layers(), image.config().diffIds(), record.image(), dir);
    try {
      RunOptions o = record.options();
      ImageUsers.Ids ids = ImageUsers.resolve(fs.merged(), o.user());
      List<Mount> mounts = new ArrayList<>();
      int anonymous = 0;
      for (Mount m : o.mounts()) {
        if (m.type().equals(RunOptions.VOLUME)) {
          Path data = m.source().isEmpty()
              ? dir.resolve("volumes").resolve(Integer.toString(anonymous++))
              : containers.volume(m.source());
          Volumes.ensure(data, fs.merged(), m.destination());
          mounts.add(new Mount(m.destination(), "bind", data.toString(), m.options()));
        } else {
          mounts.add(m);
        }
      }
      if (mounts.stream().noneMatch(m -> m.destination().equals("/etc/hostname"))) {
        Path file = Files.writeString(dir.resolve("hostname"), o.hostname() + "\n", StandardCharsets.UTF_8);
        mounts.add(Mount.bind(file.toString(), "/etc/hostname", false)); // as docker's, the container's own
      }
      if (mounts.stream().noneMatch(m -> m.destination().equals("/etc/hosts"))) {
        // The container's own copy, writable as in docker, so the host's file is never shown or changed.
        mounts.add(Mount.bind(hostsFile(dir, o.hostname(), o.addHosts()).toString(), "/etc/hosts", false));
      }
      ContainerSpec spec = new ContainerSpec(o.args(), o.env(), o.cwd(), ids.uid(), ids.gid(), o.hostname(),
          o.hostNetwork(), ids.additionalGids(), mounts, o.seccompUnconfined());
      ObjectNode config = OciBundle.config(spec);
      ((ObjectNode) config.path("process")).put("terminal", o.tty());
      ((ObjectNode) config.path("root")).put("readonly", o.readOnly());
      // The mount points runc is about to create in the writable layer: commit leaves them out while empty.
      Set<String> created = new TreeSet<>(record.state().mountPoints());
      Set<String> fresh = Containers.missingMountPoints(fs.merged(), config);
      // runc also makes a missing working directory (docker does the same): not the container's change either.
      ObjectNode cwd = JsonNodeFactory.instance.objectNode();
      cwd.putArray("mounts").addObject().put("destination", o.cwd());
      fresh.addAll(Containers.missingMountPoints(fs.merged(), cwd));
      created.addAll(fresh);
      Map<String, String> parents = new HashMap<>(record.state().mountParents());
      Containers.ownerAndMode(fs.merged(), fresh).forEach(parents::putIfAbsent);
      Files.write(dir.resolve("config.json"), JsonTrees.writePretty(config));
      return new Prepared(record.withState(record.state().withMountPoints(new ArrayList<>(created), parents)), fs,
          dir);
    } catch (IOException | ContainerException | RuntimeException e) {
      try {
        fs.close();
      } catch (ContainerException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof ContainerException c) {
        throw c;
      }
      if (e instanceof IOException io) {
        throw new ContainerException("cannot prepare container " + record.name() + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * The container's /etc/hosts, in its dir: a copy of the host's, a line for {@code hostname} when the copy does not
   * name it already (so the container can resolve its own name, as Java's {@code InetAddress.getLocalHost()} needs;
   * docker adds its container's address the same way), and the {@code NAME:IP} entries of --add-host.
   */
  static Path hostsFile(Path dir, String hostname, List<String> addHosts) throws IOException {
    StringBuilder s = new StringBuilder();
    if (Files.isRegularFile(HOST_HOSTS)) {
      s.append(Files.readString(HOST_HOSTS, StandardCharsets.UTF_8));
      if (s.length() > 0 && s.charAt(s.length() - 1) != '\n') {
        s.append('\n');
      }
    } else {
      s.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    }
    if (!names(s.toString()).contains(hostname)) {
      s.append("127.0.1.1\t").append(hostname).append('\n');
    }
    for (String h : addHosts) {
      int colon = h.indexOf(':');
      s.append(h.substring(colon + 1)).append('\t').append(h, 0, colon).append('\n');
    }
    Path file = dir.resolve("hosts");
    Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
    return file;
  }

  /** The host names a hosts file gives addresses to (every field after the first of a line, comments left out). */
  private static Set<String> names(String hosts) {
    Set<String> names = new java.util.HashSet<>();
    for (String line : hosts.split("\n")) {
      int hash = line.indexOf('#');
      String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
      for (int i = 1; i < fields.length; i++) {
        names.add(fields[i]);
      }
    }
    return names;
  }

  /** A mount left by a monitor or jbuild that died: unmounted so the new one is not stacked on it. */
  static void unmountStale(Path merged) throws ContainerException {
    if (isMounted(merged)) {
      HostTools.check(List.of(HostTools.locate("umount", "/usr/bin/umount", "/bin/umount").toString(), "-l",
          merged.toString()));
    }
  }

  /** Whether {@code path} is a mount point in this mount namespace. */
  static boolean isMounted(Path path) throws ContainerException {
    String p = path.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && f[4].replace("\\040", " ").equals(p)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new ContainerException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
    }
  }
}
