package dev.jbuild.cli;

import dev.jbuild.registry.DockerConfigFile;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Where docker's login file is, and the registry a login command means. */
final class DockerLogins {
  private DockerLogins() {}

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}: the file docker itself uses. */
  static DockerConfigFile file(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    Path path = dir != null && !dir.isBlank() ? Path.of(dir, "config.json")
        : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    return new DockerConfigFile(path);
  }

  /**
   * The registry as {@code host[:port]}: docker accepts URLs too ({@code https://index.docker.io/v1/}), and
   * no server at all means Docker Hub.
   */
  static String registry(String server) {
    if (server == null || server.isBlank()) {
      return "docker.io";
    }
    String s = server.trim();
    if (s.contains("://")) {
      URI uri = URI.create(s);
      if (uri.getHost() == null) {
        throw new Errors.UserError("not a registry: " + server);
      }
      s = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    } else if (s.indexOf('/') >= 0) {
      s = s.substring(0, s.indexOf('/'));
    }
    s = s.toLowerCase(Locale.ROOT);
    return s.equals("index.docker.io") || s.equals("registry-1.docker.io") ? "docker.io" : s;
  }
}
