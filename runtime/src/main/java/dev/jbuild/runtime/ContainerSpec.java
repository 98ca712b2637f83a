package dev.jbuild.runtime;

import java.util.List;
import java.util.Objects;

/**
 * What to run in a container.
 *
 * @param args the command and its arguments (at least one)
 * @param env {@code KEY=VALUE} entries, in order
 * @param cwd the absolute working directory inside the container
 * @param uid the numeric user the process runs as
 * @param gid the numeric group the process runs as
 * @param hostname the container's hostname (it gets its own UTS namespace)
 * @param hostNetwork share the host's network (the default for builds); when false the container gets a new network
 *     namespace with only {@code lo} ({@code --network=none})
 * @param additionalGids supplementary groups of the process
 * @param mounts extra mounts, after the standard ones, in order
 * @param seccompUnconfined run without the default seccomp filter ({@code --security-opt seccomp=unconfined})
 */
public record ContainerSpec(
    List<String> args, List<String> env, String cwd, long uid, long gid, String hostname, boolean hostNetwork,
    List<Long> additionalGids, List<Mount> mounts, boolean seccompUnconfined) {

  public ContainerSpec {
    args = List.copyOf(Objects.requireNonNull(args, "args"));
    env = List.copyOf(Objects.requireNonNull(env, "env"));
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(hostname, "hostname");
    additionalGids = List.copyOf(additionalGids == null ? List.of() : additionalGids);
    mounts = List.copyOf(mounts == null ? List.of() : mounts);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("a container needs a command to run");
    }
    if (!cwd.startsWith("/")) {
      throw new IllegalArgumentException("the working directory must be absolute, not " + cwd);
    }
    if (uid < 0 || gid < 0 || uid > 0xFFFF_FFFEL || gid > 0xFFFF_FFFEL) {
      throw new IllegalArgumentException("uid and gid must be in 0..4294967294, not " + uid + ":" + gid);
    }
    for (String e : env) {
      if (e.indexOf('=') <= 0) {
        throw new IllegalArgumentException("environment entries are KEY=VALUE, not " + e);
      }
    }
  }

  /** A spec under the default seccomp filter. */
  public ContainerSpec(
      List<String> args, List<String> env, String cwd, long uid, long gid, String hostname, boolean hostNetwork,
      List<Long> additionalGids, List<Mount> mounts) {
    this(args, env, cwd, uid, gid, hostname, hostNetwork, additionalGids, mounts, false);
  }

  /** Runs {@code args} as root in {@code /}, with the host network and hostname {@code jbuild}. */
  public static ContainerSpec of(List<String> args) {
    return new ContainerSpec(args, List.of(), "/", 0, 0, "jbuild", true, List.of(), List.of());
  }

  public ContainerSpec withEnv(List<String> newEnv) {
    return new ContainerSpec(args, newEnv, cwd, uid, gid, hostname, hostNetwork, additionalGids, mounts,
        seccompUnconfined);
  }

  public ContainerSpec withCwd(String newCwd) {
    return new ContainerSpec(args, env, newCwd, uid, gid, hostname, hostNetwork, additionalGids, mounts,
        seccompUnconfined);
  }

  public ContainerSpec withUser(long newUid, long newGid) {
    return new ContainerSpec(args, env, cwd, newUid, newGid, hostname, hostNetwork, additionalGids, mounts,
        seccompUnconfined);
  }

  public ContainerSpec withAdditionalGids(List<Long> gids) {
    return new ContainerSpec(args, env, cwd, uid, gid, hostname, hostNetwork, gids, mounts, seccompUnconfined);
  }

  public ContainerSpec withMounts(List<Mount> newMounts) {
    return new ContainerSpec(args, env, cwd, uid, gid, hostname, hostNetwork, additionalGids, newMounts,
        seccompUnconfined);
  }

  public ContainerSpec withHostname(String newHostname) {
    return new ContainerSpec(args, env, cwd, uid, gid, newHostname, hostNetwork, additionalGids, mounts,
        seccompUnconfined);
  }

  public ContainerSpec withHostNetwork(boolean host) {
    return new ContainerSpec(args, env, cwd, uid, gid, hostname, host, additionalGids, mounts, seccompUnconfined);
  }

  public ContainerSpec withSeccompUnconfined(boolean unconfined) {
    return new ContainerSpec(args, env, cwd, uid, gid, hostname, hostNetwork, additionalGids, mounts, unconfined);
  }
}
