package dev.jbuild.oci;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code config} object of an image configuration: how a container from the image runs.
 *
 * <p>{@code entrypoint}, {@code cmd} and {@code shell} are null when unset, which differs from an empty list
 * (docker's {@code CMD []}). Collections are sorted or ordered so the JSON is reproducible.
 */
public record ContainerConfig(
    String user,
    SortedSet<String> exposedPorts,
    List<String> env,
    List<String> entrypoint,
    List<String> cmd,
    SortedSet<String> volumes,
    String workingDir,
    SortedMap<String, String> labels,
    String stopSignal,
    Healthcheck healthcheck,
    List<String> onBuild,
    List<String> shell,
    Boolean argsEscaped) {

  public static final ContainerConfig EMPTY =
      new ContainerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);

  public ContainerConfig {
    exposedPorts = Collections.unmodifiableSortedSet(exposedPorts == null ? new TreeSet<>() : new TreeSet<>(exposedPorts));
    env = env == null ? List.of() : List.copyOf(env);
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    cmd = cmd == null ? null : List.copyOf(cmd);
    volumes = Collections.unmodifiableSortedSet(volumes == null ? new TreeSet<>() : new TreeSet<>(volumes));
    labels = Collections.unmodifiableSortedMap(labels == null ? new TreeMap<>() : new TreeMap<>(labels));
    onBuild = onBuild == null ? List.of() : List.copyOf(onBuild);
    shell = shell == null ? null : List.copyOf(shell);
    user = user == null || user.isEmpty() ? null : user;
    workingDir = workingDir == null || workingDir.isEmpty() ? null : workingDir;
    stopSignal = stopSignal == null || stopSignal.isEmpty() ? null : stopSignal;
  }

  /** The value of {@code name} in {@link #env}, or null. */
  public String envValue(String name) {
    String prefix = name + "=";
    for (String e : env) {
      if (e.startsWith(prefix)) {
        return e.substring(prefix.length());
      }
    }
    return null;
  }

  /** Sets {@code name=value}, replacing an earlier value in place (docker keeps the position). */
  public ContainerConfig withEnv(String name, String value) {
    List<String> out = new ArrayList<>(env);
    String prefix = name + "=";
    boolean replaced = false;
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).startsWith(prefix)) {
        out.set(i, prefix + value);
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.add(prefix + value);
    }
    return new ContainerConfig(user, exposedPorts, out, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withLabels(Map<String, String> added) {
    TreeMap<String, String> out = new TreeMap<>(labels);
    out.putAll(added);
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, out, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withWorkingDir(String dir) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, dir, labels, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withUser(String newUser) {
    return new ContainerConfig(newUser, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withCmd(List<String> newCmd) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, newCmd, volumes, workingDir, labels, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  /** Sets the entrypoint; like docker, a new ENTRYPOINT resets an inherited CMD. */
  public ContainerConfig withEntrypoint(List<String> newEntrypoint, boolean resetCmd) {
    return new ContainerConfig(user, exposedPorts, env, newEntrypoint, resetCmd ? null : cmd, volumes, workingDir,
        labels, stopSignal, healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withExposedPorts(SortedSet<String> ports) {
    return new ContainerConfig(user, ports, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withVolumes(SortedSet<String> newVolumes) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, newVolumes, workingDir, labels, stopSignal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withStopSignal(String signal) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, signal,
        healthcheck, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withHealthcheck(Healthcheck check) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
        check, onBuild, shell, argsEscaped);
  }

  public ContainerConfig withOnBuild(List<String> triggers) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
        healthcheck, triggers, shell, argsEscaped);
  }

  public ContainerConfig withShell(List<String> newShell) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
        healthcheck, onBuild, newShell, argsEscaped);
  }

  /**
   * A HEALTHCHECK. {@code test} is {@code ["NONE"]}, {@code ["CMD", ...]} or {@code ["CMD-SHELL", cmd]};
   * durations are null when not set.
   */
  public record Healthcheck(
      List<String> test, Duration interval, Duration timeout, Duration startPeriod, Duration startInterval,
      Integer retries) {
    public Healthcheck {
      test = test == null ? List.of() : List.copyOf(test);
    }
  }
}
