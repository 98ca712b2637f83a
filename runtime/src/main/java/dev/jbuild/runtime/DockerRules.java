package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.JsonTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's rules for what a container runs and how its end is reported. */
public final class DockerRules {
  /** jbuild itself failed (docker's 125). */
  public static final int ERROR = 125;
  /** The command was found but cannot be invoked. */
  public static final int CANNOT_INVOKE = 126;
  /** The command was not found. */
  public static final int NOT_FOUND = 127;
  private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final long MAX_LOG = 1 << 20;

  private DockerRules() {}

  /**
   * The process a container runs: ENTRYPOINT followed by the command line's arguments, or by CMD when there are
   * none. {@code --entrypoint} ({@code entrypoint} not null) replaces ENTRYPOINT and drops the image's CMD; an empty
   * one removes ENTRYPOINT.
   *
   * @throws ContainerException when nothing is left to run (docker: "no command specified")
   */
  public static List<String> command(ContainerConfig image, String entrypoint, List<String> args)
      throws ContainerException {
    List<String> out = new ArrayList<>();
    List<String> cmd = image == null ? null : image.cmd();
    if (entrypoint != null) {
      if (!entrypoint.isEmpty()) {
        out.add(entrypoint);
      }
      cmd = null;
    } else if (image != null && image.entrypoint() != null) {
      out.addAll(image.entrypoint());
    }
    if (args != null && !args.isEmpty()) {
      out.addAll(args);
    } else if (cmd != null) {
      out.addAll(cmd);
    }
    if (out.isEmpty()) {
      throw new ContainerException("no command specified: the image has no ENTRYPOINT or CMD, so give one");
    }
    return out;
  }

  /**
   * The host's own name (the kernel's, as {@code hostname} prints it), which docker gives a container on the host
   * network; {@code fallback} when it cannot be read.
   */
  public static String hostName(String fallback) {
    try {
      String name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
      return name.isEmpty() ? fallback : name;
    } catch (java.io.IOException | RuntimeException e) {
      return fallback;
    }
  }

  /**
   * The environment: the image's, then {@code overrides} key by key; PATH when the image sets none,
   * {@code HOSTNAME}, and {@code TERM=xterm} with a tty (both only when not already set by the user). A bare
   * {@code KEY} in {@code overrides} (from {@code -e KEY} with KEY unset on the host) removes KEY, as docker does.
   */
  public static List<String> env(ContainerConfig image, List<String> overrides, String hostname, boolean tty) {
    List<String> defaults = new ArrayList<>(List.of("PATH=" + DEFAULT_PATH, "HOSTNAME=" + hostname));
    if (tty) {
      defaults.add("TERM=xterm");
    }
    List<String> all = new ArrayList<>();
    for (String e : image == null ? List.<String>of() : image.env()) {
      if (e.indexOf('=') > 0) {
        all.add(e);
      }
    }
    all.addAll(overrides);
    return replaceOrAppend(defaults, all);
  }

  /**
   * docker's {@code ReplaceOrAppendEnvValues}: each {@code KEY=VALUE} of {@code overrides} replaces the entry of the
   * same key in {@code defaults} (keeping its place) or is appended; a bare {@code KEY} removes it.
   */
  public static List<String> replaceOrAppend(List<String> defaults, List<String> overrides) {
    Map<String, String> env = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(defaults);
    all.addAll(overrides);
    for (String e : all) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        env.put(e.substring(0, eq), e.substring(eq + 1));
      } else if (eq < 0) {
        env.remove(e);
      }
    }
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /**
   * {@code -e} values and {@code --env-file} lines as {@code KEY=VALUE}: {@code KEY} alone takes the host's value.
   * When the host has none, docker's CLI sends a {@code -e KEY} as it is (the daemon then removes the image's KEY:
   * see {@link #env}) but leaves such a file line out (the image's value stays). In files, blank lines and {@code #}
   * comments are skipped.
   *
   * @param where names the source in errors (e.g. the file and line)
   */
  public static List<String> envEntries(List<String> specs, Map<String, String> host, String where) {
    List<String> out = new ArrayList<>();
    int line = 0;
    for (String raw : specs) {
      line++;
      String s = where == null ? raw : raw.stripLeading();
      if (where != null && (s.isEmpty() || s.startsWith("#"))) {
        continue;
      }
      int eq = s.indexOf('=');
      String key = eq < 0 ? s : s.substring(0, eq);
      if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("invalid environment variable \"" + s + "\""
            + (where == null ? "" : " at " + where + ":" + line) + ": use KEY=VALUE or KEY");
      }
      if (eq >= 0) {
        out.add(s);
      } else if (host.containsKey(key)) {
        out.add(key + "=" + host.get(key));
      } else if (where == null) {
        out.add(key);
      }
    }
    return out;
  }

  /**
   * The exit code to report for a runc run that ended with {@code runcCode}: the container's own, unless runc's log
   * says the process never started, which docker reports as 127 (not found), 126 (cannot be invoked) or 125.
   */
  public static int exitCode(int runcCode, Path runcLog) {
    String error = startError(runcLog);
    if (error == null) {
      return runcCode;
    }
    int exec = error.indexOf("exec: \"");
    if (exec >= 0) {
      String tail = error.substring(exec);
      if (tail.contains("executable file not found") || tail.contains("no such file or directory")) {
        return NOT_FOUND;
      }
      if (tail.contains("permission denied") || tail.contains("is a directory")
          || tail.contains("exec format error")) {
        return CANNOT_INVOKE;
      }
    }
    return ERROR;
  }

  /** Why runc could not start the process, from its JSON log ({@code --log-format json}), or null. */
  public static String startError(Path runcLog) {
    byte[] bytes;
    try {
      if (Files.size(runcLog) > MAX_LOG) {
        return "runc's log " + runcLog + " is larger than 1 MiB";
      }
      bytes = Files.readAllBytes(runcLog);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
    String found = null;
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JsonTrees.read(line);
        String msg = n.path("msg").asText("");
        if (n.path("level").asText().equals("error") && (msg.contains(" failed: ") || msg.contains("unable to start"))) {
          found = msg;
        }
      } catch (IOException e) {
        // not a JSON line: runc writes only JSON here
      }
    }
    return found;
  }
}
