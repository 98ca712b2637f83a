package dev.jbuild.registry;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where one client talks to: the registry as named, the repository, and the origin (scheme, host, port) that
 * is the only place credentials go.
 */
record RegistryTarget(
    String registry, String repository, String baseUrl, String host, int port, boolean https, boolean loopback,
    boolean allowInsecure) {
  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final Pattern REGISTRY =
      Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
          + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

  static RegistryTarget resolve(String registry, String repository, RegistryClientSettings settings) {
    if (registry == null || !REGISTRY.matcher(registry).matches()) {
      throw new IllegalArgumentException("invalid registry \"" + registry + "\": expected host[:port]");
    }
    if (repository == null || repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name \"" + repository + "\"");
    }
    String apiHost = isDockerHub(registry) ? DOCKER_HUB_API : registry;
    String override = settings.hostOverrides().get(registry);
    if (override == null) {
      override = settings.hostOverrides().get(apiHost);
    }
    String base;
    if (override != null) {
      base = override.endsWith("/") ? override.substring(0, override.length() - 1) : override;
    } else {
      boolean plain = HostPolicy.isLoopback(hostOf(apiHost)) || settings.isNamedInsecure(registry);
      base = (plain ? "http://" : "https://") + apiHost;
    }
    URI uri = URI.create(base);
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    if (!https && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("host override for " + registry + " must be an http(s) URL");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : (https ? 443 : 80);
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return new RegistryTarget(
        registry, repository, base, host, port, https, HostPolicy.isLoopback(host), settings.isNamedInsecure(registry));
  }

  static boolean isDockerHub(String registry) {
    return registry.equals("docker.io") || registry.equals("index.docker.io") || registry.equals(DOCKER_HUB_API);
  }

  private static String hostOf(String hostPort) {
    if (hostPort.startsWith("[")) {
      return hostPort.substring(0, hostPort.indexOf(']') + 1);
    }
    int colon = hostPort.indexOf(':');
    return colon < 0 ? hostPort : hostPort.substring(0, colon);
  }

  /** {@code host:port} of the origin, for messages. */
  String hostPort() {
    return host + ":" + port;
  }

  /** Whether {@code uri} is this registry's origin: only then may an Authorization header be attached. */
  boolean sameOrigin(URI uri) {
    if (uri.getScheme() == null || uri.getHost() == null) {
      return false;
    }
    boolean uriHttps = "https".equalsIgnoreCase(uri.getScheme());
    int uriPort = uri.getPort() >= 0 ? uri.getPort() : (uriHttps ? 443 : 80);
    return uriHttps == https && uri.getHost().equalsIgnoreCase(host) && uriPort == port;
  }

  /** Whether Basic credentials may travel to this origin: TLS, loopback, or explicitly allowed (C04). */
  boolean credentialsAllowed() {
    return https || loopback || allowInsecure;
  }

  /** {@code registry/repository}, the prefix of connection-level messages. */
  String name() {
    return registry + "/" + repository;
  }
}
