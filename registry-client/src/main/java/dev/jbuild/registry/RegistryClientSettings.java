package dev.jbuild.registry;

import com.google.api.client.http.HttpTransport;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a {@link RegistryClient} needs besides the registry and repository. Immutable; start from
 * {@link #defaults()} and derive with the {@code with*} methods:
 *
 * <pre>{@code
 * RegistryClientSettings settings =
 *     RegistryClientSettings.defaults().withCredentials(CredentialSource.dockerConfig()).withEvents(myListener);
 * }</pre>
 *
 * @param credentials where credentials come from
 * @param allowInsecure use plain HTTP (and allow Basic credentials over it) for a non-loopback registry;
 *     {@code localhost}, 127.0.0.0/8 and {@code [::1]} always use plain HTTP
 * @param userAgent the {@code User-Agent} header
 * @param maxRetries retries after the first attempt of one request (so at most {@code maxRetries + 1} attempts)
 * @param connectTimeout TCP connect timeout
 * @param readTimeout idle timeout of each socket read: a registry that trickles stalls out after this
 * @param maxRetryTime the total time one request may spend in retries; no retry starts past it
 * @param maxRetryAfter the longest {@code Retry-After} honoured; a longer wait is capped to this
 * @param initialBackoff the first backoff; doubled per attempt with full jitter
 * @param chunkSize blobs larger than this are uploaded in chunks (PATCH) when the transport supports PATCH
 * @param events receives progress and retry events
 * @param transport the HTTP transport, or null for a fresh {@code NetHttpTransport}; tests inject one
 * @param hostOverrides registry (as named, or its API host) to a base URL such as {@code http://127.0.0.1:8080},
 *     so tests can stand in for Docker Hub; the override's scheme is used as given. A token realm whose host is a
 *     key (such as {@code auth.docker.io}) is sent to the override too
 * @param insecureRegistries registries ({@code host} or {@code host:port}, as the user names them) reached over
 *     plain HTTP; loopback registries need no entry
 * @param caCertificates registry ({@code host} or {@code host:port}) to a PEM file of extra CA certificates trusted
 *     for it in addition to the system's; only used when {@code transport} is null
 * @param proxySelector chooses the proxy per URL (the CLI builds one from {@code HTTPS_PROXY}/{@code NO_PROXY}), or
 *     null for direct connections; only used when {@code transport} is null
 * @param parallelTransfers how many layers one image transfer moves at once
 */
public record RegistryClientSettings(
    CredentialSource credentials,
    boolean allowInsecure,
    String userAgent,
    int maxRetries,
    Duration connectTimeout,
    Duration readTimeout,
    Duration maxRetryTime,
    Duration maxRetryAfter,
    Duration initialBackoff,
    long chunkSize,
    EventListener events,
    HttpTransport transport,
    Map<String, String> hostOverrides,
    Set<String> insecureRegistries,
    Map<String, Path> caCertificates,
    ProxySelector proxySelector,
    int parallelTransfers) {

  public static final String DEFAULT_USER_AGENT = "jbuild/0.1";

  /** Layers moved at once by default: enough to hide latency, few enough not to trip registry rate limits. */
  public static final int DEFAULT_PARALLEL_TRANSFERS = 4;

  public RegistryClientSettings {
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(userAgent, "userAgent");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(maxRetryTime, "maxRetryTime");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(events, "events");
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, not " + maxRetries);
    }
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be positive, not " + chunkSize);
    }
    if (parallelTransfers < 1) {
      throw new IllegalArgumentException("parallelTransfers must be positive, not " + parallelTransfers);
    }
    hostOverrides =
        hostOverrides == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(hostOverrides));
    insecureRegistries = insecureRegistries == null ? Set.of()
        : Collections.unmodifiableSet(new TreeSet<>(insecureRegistries));
    caCertificates = caCertificates == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(caCertificates));
  }

  /** Anonymous, 5 retries, 20 s connect, 60 s read idle, 5 min of retries, Retry-After capped at 60 s. */
  public static RegistryClientSettings defaults() {
    return new RegistryClientSettings(
        CredentialSource.none(),
        false,
        DEFAULT_USER_AGENT,
        5,
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        Duration.ofMinutes(5),
        Duration.ofSeconds(60),
        Duration.ofMillis(500),
        64L * 1024 * 1024,
        EventListener.NONE,
        null,
        Map.of(),
        Set.of(),
        Map.of(),
        null,
        DEFAULT_PARALLEL_TRANSFERS);
  }

  /**
   * Whether {@code registry} ({@code host[:port]}) was named insecure, by itself or by its host alone: {@code
   * myhost} covers every port of myhost, {@code myhost:5000} only that port.
   */
  public boolean isNamedInsecure(String registry) {
    return allowInsecure || insecureRegistries.contains(registry) || insecureRegistries.contains(hostPart(registry));
  }

  /** The extra CA file for {@code registry}, by {@code host:port} first, then by host alone. */
  public Path caFileFor(String registry) {
    Path exact = caCertificates.get(registry);
    return exact != null ? exact : caCertificates.get(hostPart(registry));
  }

  private static String hostPart(String registry) {
    if (registry.startsWith("[")) {
      return registry.substring(0, registry.indexOf(']') + 1);
    }
    int colon = registry.lastIndexOf(':');
    return colon < 0 ? registry : registry.substring(0, colon);
  }

  public RegistryClientSettings withCredentials(CredentialSource value) {
    Copy c = new Copy(this);
    c.credentials = value;
    return c.build();
  }

  public RegistryClientSettings withAllowInsecure(boolean value) {
    Copy c = new Copy(this);
    c.allowInsecure = value;
    return c.build();
  }

  public RegistryClientSettings withUserAgent(String value) {
    Copy c = new Copy(this);
    c.userAgent = value;
    return c.build();
  }

  public RegistryClientSettings withMaxRetries(int value) {
    Copy c = new Copy(this);
    c.maxRetries = value;
    return c.build();
  }

  public RegistryClientSettings withTimeouts(Duration connect, Duration read) {
    Copy c = new Copy(this);
    c.connectTimeout = connect;
    c.readTimeout = read;
    return c.build();
  }

  /** Bounds on retrying: total time, the cap on {@code Retry-After}, and the first backoff. */
  public RegistryClientSettings withRetryTiming(Duration maxTotal, Duration maxRetryAfterValue, Duration initial) {
    Copy c = new Copy(this);
    c.maxRetryTime = maxTotal;
    c.maxRetryAfter = maxRetryAfterValue;
    c.initialBackoff = initial;
    return c.build();
  }

  public RegistryClientSettings withChunkSize(long value) {
    Copy c = new Copy(this);
    c.chunkSize = value;
    return c.build();
  }

  public RegistryClientSettings withEvents(EventListener value) {
    Copy c = new Copy(this);
    c.events = value;
    return c.build();
  }

  public RegistryClientSettings withTransport(HttpTransport value) {
    Copy c = new Copy(this);
    c.transport = value;
    return c.build();
  }

  public RegistryClientSettings withHostOverrides(Map<String, String> value) {
    Copy c = new Copy(this);
    c.hostOverrides = value;
    return c.build();
  }

  /** Registries ({@code host} or {@code host:port}) to reach over plain HTTP. */
  public RegistryClientSettings withInsecureRegistries(Set<String> value) {
    Copy c = new Copy(this);
    c.insecureRegistries = value;
    return c.build();
  }

  /** Extra CA PEM files per registry ({@code host} or {@code host:port}). */
  public RegistryClientSettings withCaCertificates(Map<String, Path> value) {
    Copy c = new Copy(this);
    c.caCertificates = value;
    return c.build();
  }

  public RegistryClientSettings withProxySelector(ProxySelector value) {
    Copy c = new Copy(this);
    c.proxySelector = value;
    return c.build();
  }

  public RegistryClientSettings withParallelTransfers(int value) {
    Copy c = new Copy(this);
    c.parallelTransfers = value;
    return c.build();
  }

  /** A mutable copy so each {@code with*} method names only the field it changes. */
  private static final class Copy {
    CredentialSource credentials;
    boolean allowInsecure;
    String userAgent;
    int maxRetries;
    Duration connectTimeout;
    Duration readTimeout;
    Duration maxRetryTime;
    Duration maxRetryAfter;
    Duration initialBackoff;
    long chunkSize;
    EventListener events;
    HttpTransport transport;
    Map<String, String> hostOverrides;
    Set<String> insecureRegistries;
    Map<String, Path> caCertificates;
    ProxySelector proxySelector;
    int parallelTransfers;

    Copy(RegistryClientSettings s) {
      credentials = s.credentials;
      allowInsecure = s.allowInsecure;
      userAgent = s.userAgent;
      maxRetries = s.maxRetries;
      connectTimeout = s.connectTimeout;
      readTimeout = s.readTimeout;
      maxRetryTime = s.maxRetryTime;
      maxRetryAfter = s.maxRetryAfter;
      initialBackoff = s.initialBackoff;
      chunkSize = s.chunkSize;
      events = s.events;
      transport = s.transport;
      hostOverrides = s.hostOverrides;
      insecureRegistries = s.insecureRegistries;
      caCertificates = s.caCertificates;
      proxySelector = s.proxySelector;
      parallelTransfers = s.parallelTransfers;
    }

    RegistryClientSettings build() {
      return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connectTimeout,
          readTimeout, maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, hostOverrides,
          insecureRegistries, caCertificates, proxySelector, parallelTransfers);
    }
  }
}
