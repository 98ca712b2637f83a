package dev.jbuild.runtime;

import java.util.List;
import java.util.Objects;

/**
 * How a long-lived container runs, fixed when it is created (docker's container config): the image's defaults and
 * the command line already combined by {@link DockerRules}.
 *
 * @param args the process and its arguments
 * @param env {@code KEY=VALUE} entries
 * @param cwd the absolute working directory
 * @param user {@code user[:group]} as names or ids, resolved in the image's /etc/passwd at each start (empty: root)
 * @param hostname the container's hostname
 * @param hostNetwork share the host's network; false gives a network namespace with only {@code lo}
 * @param mounts binds and tmpfs mounts; a {@code volume} mount names a volume kept under {@code STORE/volumes}
 * @param readOnly the root filesystem is mounted read-only
 * @param tty the process gets a pseudo-terminal
 * @param interactive stdin stays open (attached runs only)
 * @param stopSignal the signal {@code stop} sends first, e.g. {@code SIGTERM}
 * @param autoRemove remove the container and its writable layer when it exits ({@code --rm})
 * @param addHosts {@code NAME:IP} entries added to a copy of the host's /etc/hosts
 * @param seccompUnconfined run without the default seccomp filter ({@code --security-opt seccomp=unconfined})
 */
public record RunOptions(
    List<String> args, List<String> env, String cwd, String user, String hostname, boolean hostNetwork,
    List<Mount> mounts, boolean readOnly, boolean tty, boolean interactive, String stopSignal, boolean autoRemove,
    List<String> addHosts, boolean seccompUnconfined) {

  /** The mount type of a named volume in {@link #mounts()}: its source is the volume's name. */
  public static final String VOLUME = "volume";

  public RunOptions {
    args = List.copyOf(Objects.requireNonNull(args, "args"));
    env = List.copyOf(env == null ? List.of() : env);
    Objects.requireNonNull(cwd, "cwd");
    user = user == null ? "" : user;
    Objects.requireNonNull(hostname, "hostname");
    mounts = List.copyOf(mounts == null ? List.of() : mounts);
    stopSignal = stopSignal == null || stopSignal.isEmpty() ? "SIGTERM" : stopSignal;
    addHosts = List.copyOf(addHosts == null ? List.of() : addHosts);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("a container needs a command to run");
    }
  }

  /** Options under the default seccomp filter. */
  public RunOptions(
      List<String> args, List<String> env, String cwd, String user, String hostname, boolean hostNetwork,
      List<Mount> mounts, boolean readOnly, boolean tty, boolean interactive, String stopSignal, boolean autoRemove,
      List<String> addHosts) {
    this(args, env, cwd, user, hostname, hostNetwork, mounts, readOnly, tty, interactive, stopSignal, autoRemove,
        addHosts, false);
  }
}
