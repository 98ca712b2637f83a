package dev.jbuild.cli;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.runtime.ContainerException;
import dev.jbuild.runtime.ContainerStore;
import dev.jbuild.runtime.DockerRules;
import dev.jbuild.runtime.Mount;
import dev.jbuild.runtime.RunOptions;
import dev.jbuild.runtime.Signals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** The options of {@code jbuild run} that shape the container, turned into {@link RunOptions} by docker's rules. */
final class ContainerOptions {
  @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]",
      description = "Set an environment variable; KEY alone takes the value from jbuild's environment (repeatable).")
  List<String> env = new ArrayList<>();

  @Option(names = "--env-file", paramLabel = "FILE",
      description = "Read KEY=VALUE (or KEY) lines from a file; blank lines and # comments are skipped (repeatable).")
  List<Path> envFiles = new ArrayList<>();

  @Option(names = {"-v", "--volume"}, paramLabel = "[SRC:]DST[:ro]",
      description = "Bind a host path (SRC absolute or starting with '.'), mount a named volume (SRC a name, kept "
          + "under STORE/volumes and filled from the image on first use) or an anonymous volume (DST alone). "
          + "':ro' makes it read-only (repeatable).")
  List<String> volumes = new ArrayList<>();

  @Option(names = "--tmpfs", paramLabel = "DST[:OPTIONS]",
      description = "Mount a tmpfs, e.g. /run:size=64m,mode=755 (repeatable).")
  List<String> tmpfs = new ArrayList<>();

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The working directory (absolute).")
  String workdir;

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
      description = "The user, by name or id, resolved in the image's /etc/passwd and /etc/group.")
  String user;

  @Option(names = "--entrypoint", paramLabel = "CMD",
      description = "Replace the image's ENTRYPOINT (and drop its CMD); \"\" removes it.")
  String entrypoint;

  @Option(names = {"-i", "--interactive"}, description = "Keep stdin open and pass it to the container.")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Give the container a pseudo-terminal.")
  boolean tty;

  @Option(names = "--network", paramLabel = "host|none", defaultValue = "host",
      description = "host (default: share the host's network; jbuild has no bridge) or none (only lo).")
  String network;

  @Option(names = "--hostname", paramLabel = "NAME",
      description = "The hostname (default: the host's on the host network, else the short container id).")
  String hostname;

  @Option(names = "--read-only", description = "Mount the root filesystem read-only.")
  boolean readOnly;

  @Option(names = "--add-host", paramLabel = "NAME:IP",
      description = "Add a line to the container's /etc/hosts, a copy of the host's (repeatable).")
  List<String> addHosts = new ArrayList<>();

  @Option(names = "--stop-signal", paramLabel = "SIGNAL",
      description = "The signal jbuild stop sends first (default: the image's STOPSIGNAL, else SIGTERM).")
  String stopSignal;

  @Option(names = "--security-opt", paramLabel = "seccomp=unconfined",
      description = "seccomp=unconfined runs without the default seccomp filter (which refuses what Docker's "
          + "default profile refuses: mount, unshare, new namespaces, keyrings, bpf, kernel modules, ...).")
  List<String> securityOpts = new ArrayList<>();

  /** The container's options for {@code image}'s config, the command line's {@code command}, and its short id. */
  RunOptions resolve(ContainerConfig image, List<String> command, String shortId, boolean autoRemove)
      throws ContainerException {
    if (!network.equals("host") && !network.equals("none")) {
      throw new Errors.UserError("--network " + network + " is not supported: use host or none");
    }
    if (workdir != null && !workdir.startsWith("/")) {
      throw new Errors.UserError("the working directory '" + workdir + "' is invalid, it needs to be an absolute path");
    }
    // On the host network docker gives a container the host's own name; otherwise its short id.
    String name = hostname != null ? hostname : network.equals("host") ? DockerRules.hostName(shortId) : shortId;
    List<String> overrides = new ArrayList<>();
    Map<String, String> host = System.getenv();
    for (Path f : envFiles) {
      try {
        overrides.addAll(DockerRules.envEntries(Files.readAllLines(f, StandardCharsets.UTF_8), host, f.toString()));
      } catch (IOException e) {
        throw new Errors.UserError("cannot read the env file " + f + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new Errors.UserError(e.getMessage());
      }
    }
    try {
      overrides.addAll(DockerRules.envEntries(env, host, null));
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError(e.getMessage());
    }
    String signal = stopSignal != null ? stopSignal : image.stopSignal() != null ? image.stopSignal() : "SIGTERM";
    try {
      Signals.number(signal);
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError(e.getMessage() + (stopSignal == null ? " (the image's STOPSIGNAL)" : ""));
    }
    boolean unconfined = false;
    for (String o : securityOpts) {
      // docker also reads the old "seccomp:unconfined"
      if (o.equals("seccomp=unconfined") || o.equals("seccomp:unconfined")) {
        unconfined = true;
      } else {
        throw new Errors.UserError("--security-opt " + o + " is not supported: jbuild takes seccomp=unconfined");
      }
    }
    List<Mount> mounts = mounts(image);
    List<String> hosts = new ArrayList<>();
    for (String h : addHosts) {
      hosts.add(addHost(h));
    }
    return new RunOptions(DockerRules.command(image, entrypoint, command),
        DockerRules.env(image, overrides, name, tty),
        workdir != null ? workdir : image.workingDir() != null ? image.workingDir() : "/",
        user != null ? user : image.user() != null ? image.user() : "",
        name, network.equals("host"), mounts, readOnly, tty, interactive, signal, autoRemove, hosts, unconfined);
  }

  private List<Mount> mounts(ContainerConfig image) {
    List<Mount> out = new ArrayList<>();
    Set<String> targets = new HashSet<>();
    for (String v : volumes) {
      Mount m = volume(v);
      targets.add(m.destination());
      out.add(m);
    }
    for (String t : tmpfs) {
      int colon = t.indexOf(':');
      String dst = colon < 0 ? t : t.substring(0, colon);
      requireAbsolute(dst, "--tmpfs " + t);
      List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
      if (colon >= 0 && !t.substring(colon + 1).isEmpty()) {
        opts.addAll(Arrays.asList(t.substring(colon + 1).split(",")));
      }
      if (opts.stream().noneMatch(o -> o.startsWith("mode="))) {
        opts.add("mode=1777");
      }
      targets.add(dst);
      out.add(new Mount(dst, "tmpfs", "tmpfs", opts));
    }
    // The image's VOLUMEs get anonymous volumes (filled from the image), as with docker.
    for (String v : image.volumes()) {
      if (v.startsWith("/") && !targets.contains(v)) {
        out.add(new Mount(v, RunOptions.VOLUME, "", List.of("rbind", "rw", "nosuid", "nodev")));
      }
    }
    return out;
  }

  private static Mount volume(String spec) {
    String[] parts = spec.split(":", -1);
    String src;
    String dst;
    String opts = "";
    if (parts.length == 1) {
      src = "";
      dst = parts[0];
    } else if (parts.length == 2 && parts[1].startsWith("/")) {
      src = parts[0];
      dst = parts[1];
    } else if (parts.length == 2) {
      src = "";
      dst = parts[0];
      opts = parts[1];
    } else if (parts.length == 3) {
      src = parts[0];
      dst = parts[1];
      opts = parts[2];
    } else {
      throw new Errors.UserError("invalid volume " + spec + ": use [SRC:]DST[:ro|rw]");
    }
    requireAbsolute(dst, "-v " + spec);
    boolean ro = false;
    for (String o : opts.split(",")) {
      if (o.equals("ro")) {
        ro = true;
      } else if (!o.isEmpty() && !o.equals("rw")) {
        throw new Errors.UserError("invalid volume option " + o + " in -v " + spec + ": use ro or rw");
      }
    }
    if (src.startsWith("/") || src.startsWith(".")) {
      Path host = Path.of(src).toAbsolutePath().normalize();
      try {
        if (!Files.exists(host)) {
          Files.createDirectories(host); // docker makes a missing bind source a directory
        }
      } catch (IOException e) {
        throw new Errors.UserError("cannot create the bind source " + host + ": " + e.getMessage());
      }
      return Mount.bind(host.toString(), dst, ro);
    }
    if (!src.isEmpty() && !ContainerStore.isVolumeName(src)) {
      throw new Errors.UserError("invalid volume name \"" + src + "\" in -v " + spec + ": a volume name has letters,"
          + " digits, '_', '.' and '-'; to bind a host directory, give an absolute path or one starting with '.'");
    }
    return new Mount(dst, RunOptions.VOLUME, src,
        ro ? List.of("rbind", "ro", "nosuid", "nodev") : List.of("rbind", "rw", "nosuid", "nodev"));
  }

  private static String addHost(String spec) {
    int sep = spec.indexOf('=') > 0 ? spec.indexOf('=') : spec.indexOf(':');
    if (sep <= 0 || sep == spec.length() - 1 || spec.chars().anyMatch(Character::isWhitespace)) {
      throw new Errors.UserError("invalid --add-host " + spec + ": use NAME:IP");
    }
    return spec.substring(0, sep) + ":" + spec.substring(sep + 1);
  }

  private static void requireAbsolute(String path, String where) {
    if (!path.startsWith("/")) {
      throw new Errors.UserError("invalid mount destination " + path + " in " + where + ": it must be absolute");
    }
  }
}
