package dev.jbuild.registry;

import com.google.api.client.http.HttpTransport;
import java.time.Duration;
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
 *     so tests can stand in for Docker Hub; the override's scheme is used as given
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
    Map<String, String> hostOverrides) {

  public static final String DEFAULT_USER_AGENT = "jbuild/0.1";

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
    hostOverrides =
        hostOverrides == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(hostOverrides));
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
        Map.of());
  }

  public RegistryClientSettings withCredentials(CredentialSource value) {
    return new RegistryClientSettings(value, allowInsecure, userAgent, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, hostOverrides);
  }

  public RegistryClientSettings withAllowInsecure(boolean value) {
    return new RegistryClientSettings(credentials, value, userAgent, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, hostOverrides);
  }

  public RegistryClientSettings withUserAgent(String value) {
    return new RegistryClientSettings(credentials, allowInsecure, value, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, hostOverrides);
  }

  public RegistryClientSettings withMaxRetries(int value) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, value, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, hostOverrides);
  }

  public RegistryClientSettings withTimeouts(Duration connect, Duration read) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connect, read,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, hostOverrides);
  }

  /** Bounds on retrying: total time, the cap on {@code Retry-After}, and the first backoff. */
  public RegistryClientSettings withRetryTiming(Duration maxTotal, Duration maxRetryAfterValue, Duration initial) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connectTimeout, readTimeout,
        maxTotal, maxRetryAfterValue, initial, chunkSize, events, transport, hostOverrides);
  }

  public RegistryClientSettings withChunkSize(long value) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, value, events, transport, hostOverrides);
  }

  public RegistryClientSettings withEvents(EventListener value) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, value, transport, hostOverrides);
  }

  public RegistryClientSettings withTransport(HttpTransport value) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, value, hostOverrides);
  }

  public RegistryClientSettings withHostOverrides(Map<String, String> value) {
    return new RegistryClientSettings(credentials, allowInsecure, userAgent, maxRetries, connectTimeout, readTimeout,
        maxRetryTime, maxRetryAfter, initialBackoff, chunkSize, events, transport, value);
  }
}
