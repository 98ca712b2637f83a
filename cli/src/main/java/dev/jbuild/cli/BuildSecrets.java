package dev.jbuild.cli;

import dev.jbuild.builder.BuildOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses {@code --secret} and {@code --ssh} as docker buildx does; the environment is read here, not in libraries. */
final class BuildSecrets {
  private BuildSecrets() {}

  /** {@code id=ID[,src=FILE|source=FILE|,env=VAR][,type=file|env]}; without src or env, the env var named ID. */
  static void add(BuildOptions.Builder options, String spec) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new Errors.UserError("invalid --secret \"" + spec + "\": expected id=ID,src=FILE or id=ID,env=VAR");
      }
      kv.put(part.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT), part.substring(eq + 1));
    }
    String id = kv.get("id");
    if (id == null || id.isEmpty()) {
      throw new Errors.UserError("invalid --secret \"" + spec + "\": it needs id=ID");
    }
    String src = kv.containsKey("src") ? kv.get("src") : kv.get("source");
    String env = kv.get("env");
    if ("env".equals(kv.get("type")) && env == null) {
      env = src != null ? src : id;
      src = null;
    }
    if (src != null) {
      Path file = Path.of(src);
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new Errors.UserError("--secret " + id + ": " + src + " is not a readable file");
      }
      options.secret(id, new BuildOptions.Secret(file.toAbsolutePath(), null));
      return;
    }
    String name = env != null ? env : id;
    String value = System.getenv(name);
    if (value == null) {
      if (env != null) {
        throw new Errors.UserError("--secret " + id + ": environment variable " + name + " is not set");
      }
      throw new Errors.UserError("--secret " + id + ": give src=FILE or env=VAR (no variable " + name + " is set)");
    }
    options.secret(id, new BuildOptions.Secret(null, value.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code default}, {@code ID} (both from SSH_AUTH_SOCK) or {@code ID=SOCKET}. */
  static void addSsh(BuildOptions.Builder options, String spec) {
    int eq = spec.indexOf('=');
    String id = eq < 0 ? spec : spec.substring(0, eq);
    String socket = eq < 0 ? System.getenv("SSH_AUTH_SOCK") : spec.substring(eq + 1);
    if (id.isEmpty()) {
      throw new Errors.UserError("invalid --ssh \"" + spec + "\": expected default or ID=SOCKET");
    }
    if (socket == null || socket.isEmpty()) {
      throw new Errors.UserError("--ssh " + id + ": SSH_AUTH_SOCK is not set; start an agent or give " + id
          + "=SOCKET");
    }
    Path p = Path.of(socket);
    if (!Files.exists(p)) {
      throw new Errors.UserError("--ssh " + id + ": " + socket + " does not exist");
    }
    options.ssh(id, p.toAbsolutePath());
  }
}
