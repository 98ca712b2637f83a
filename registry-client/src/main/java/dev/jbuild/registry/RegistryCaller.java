package dev.jbuild.registry;

import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Runs {@link RegistryEndpoint}s: the one place that owns HTTP, auth, redirects, retries and error mapping.
 *
 * <p>Redirects are followed here, never by the transport, so each hop is checked (at most {@value
 * #MAX_REDIRECTS}, no SSRF to internal addresses) and an Authorization header is attached only to requests
 * for the registry's own origin: a redirect to storage or to another port never carries credentials (R11,
 * C01). A 401 is answered only when it comes from that origin (C02, C08).
 */
final class RegistryCaller {
  static final int MAX_REDIRECTS = 10;

  private final RegistryTarget target;
  private final RegistryClientSettings settings;
  private final HttpTransport transport;
  private final HttpRequestFactory factory;
  private final Authenticator auth;
  private final RetryPolicy retry;
  private final ErrorMapper errors;

  RegistryCaller(RegistryTarget target, RegistryClientSettings settings, HttpTransport transport) {
    this.transport = transport;
    HttpRequestFactory factory = transport.createRequestFactory();
    this.target = target;
    this.settings = settings;
    this.factory = factory;
    this.auth = new Authenticator(target, settings, factory);
    this.retry = new RetryPolicy(settings);
    this.errors = new ErrorMapper(target);
  }

  RegistryTarget target() {
    return target;
  }

  HttpTransport transport() {
    return transport;
  }

  ErrorMapper errors() {
    return errors;
  }

  Authenticator authenticator() {
    return auth;
  }

  /** Runs {@code endpoint} with retries; returns what its handler returns. */
  <T> T call(RegistryEndpoint<T> endpoint) throws IOException, RegistryException {
    long start = System.nanoTime();
    int attempt = 0;
    while (true) {
      attempt++;
      ErrorMapper.ErrorInfo failure;
      String retryAfter;
      try {
        RegistryResponse response = exchange(endpoint);
        try {
          if (endpoint.accepts(response.status())) {
            return endpoint.handle(response);
          }
          failure = ErrorMapper.ErrorInfo.read(response);
          retryAfter = response.header("Retry-After");
        } finally {
          response.close();
        }
      } catch (NotRetryableException e) {
        throw e.toRegistryException(errors);
      } catch (IOException e) {
        if (!isTransient(e) || !endpoint.retryable()) {
          throw errors.fromTransport(endpoint, e, attempt);
        }
        Duration delay = retry.delay(attempt, null);
        if (!retry.allows(attempt, start, delay)) {
          throw errors.fromTransport(endpoint, e, attempt);
        }
        announceRetry(endpoint, attempt, delay, Redact.text(e.getClass().getSimpleName() + ": " + e.getMessage()));
        RetryPolicy.sleep(delay);
        continue;
      }
      if (RetryPolicy.isRetryableStatus(failure.status()) && endpoint.retryable()) {
        Duration delay = retry.delay(attempt, retryAfter);
        if (retry.allows(attempt, start, delay)) {
          announceRetry(endpoint, attempt, delay, "HTTP " + failure.status());
          RetryPolicy.sleep(delay);
          continue;
        }
      }
      throw errors.fromResponse(endpoint, failure, attempt);
    }
  }

  private void announceRetry(RegistryEndpoint<?> endpoint, int failedAttempts, Duration delay, String reason) {
    settings.events().onEvent(new RegistryEvent.Retrying(
        target.registry(), target.repository(), endpoint.action(), failedAttempts + 1, delay, reason));
  }

  /** Connection refused and unknown hosts will not heal in seconds; resets and timeouts may. */
  private static boolean isTransient(IOException e) {
    return !(e instanceof ConnectException
        || e instanceof UnknownHostException
        || e instanceof NoRouteToHostException
        || e instanceof SSLException
        || e instanceof java.io.InterruptedIOException && !(e instanceof java.net.SocketTimeoutException));
  }

  /** One logical request: follows redirects and answers auth challenges; returns the final response. */
  private RegistryResponse exchange(RegistryEndpoint<?> endpoint) throws IOException, RegistryException {
    URI url = URI.create(endpoint.url(target));
    String method = endpoint.method();
    boolean withBody = true;
    boolean forceRefresh = false;
    int authRetries = 0;
    int redirects = 0;
    while (true) {
      boolean sameOrigin = target.sameOrigin(url);
      String authorization = sameOrigin ? auth.authorization(endpoint.scopes(target), forceRefresh) : null;
      forceRefresh = false;
      RegistryResponse response = send(method, url, endpoint, withBody, authorization);
      int status = response.status();
      if (status == 401 && sameOrigin) {
        List<String> challenges = response.headers("WWW-Authenticate");
        ErrorMapper.ErrorInfo info = ErrorMapper.ErrorInfo.read(response);
        response.close();
        // Two re-sends at most: one to answer the first challenge, one to refresh a token that went stale.
        if (authRetries >= 2 || !auth.onChallenge(challenges, authorization)) {
          throw errors.unauthorized(endpoint, info, auth.explainFailure(authorization));
        }
        authRetries++;
        forceRefresh = authorization != null;
        continue;
      }
      if (isRedirect(status)) {
        String location = response.header("Location");
        response.close();
        if (location == null) {
          throw errors.protocol("redirect " + status + " without a Location header (" + endpoint.action() + ")", null);
        }
        if (++redirects > MAX_REDIRECTS) {
          throw errors.protocol("more than " + MAX_REDIRECTS + " redirects (" + endpoint.action() + ")", null);
        }
        url = resolve(url, location);
        if (status == 303 || ((status == 301 || status == 302) && method.equals("POST"))) {
          method = "GET";
          withBody = false;
        }
        continue;
      }
      return response;
    }
  }

  /**
   * Resolves a server-provided location (redirect or upload URL) against the request URL and applies the
   * redirect policy; relative locations are normal for upload sessions (R14).
   */
  URI resolve(URI base, String location) throws RegistryException {
    URI next;
    try {
      next = base.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw errors.protocol("the registry sent an invalid location " + Redact.url(location), null);
    }
    String problem = HostPolicy.checkRedirect(target, next);
    if (problem != null) {
      throw errors.protocol("refusing to follow " + Redact.url(next.toString()) + ": " + problem, null);
    }
    return next;
  }

  private RegistryResponse send(
      String method, URI url, RegistryEndpoint<?> endpoint, boolean withBody, String authorization)
      throws IOException {
    HttpContent content = withBody ? endpoint.content() : null;
    HttpRequest request = factory.buildRequest(method, new GenericUrl(url.toString(), true), content);
    // identity: digests cover the bytes as stored; a transparently decompressed body would never verify.
    HttpHeaders headers = new HttpHeaders().setUserAgent(settings.userAgent()).setAcceptEncoding("identity");
    endpoint.headers(headers);
    if (authorization != null) {
      headers.setAuthorization(authorization);
    }
    request.setHeaders(headers)
        .setFollowRedirects(false)
        .setThrowExceptionOnExecuteError(false)
        .setNumberOfRetries(0)
        .setLoggingEnabled(false)
        .setCurlLoggingEnabled(false)
        .setSuppressUserAgentSuffix(true)
        .setResponseReturnRawInputStream(true)
        .setConnectTimeout((int) settings.connectTimeout().toMillis())
        .setReadTimeout((int) settings.readTimeout().toMillis());
    HttpResponse response = request.execute();
    return new RegistryResponse(response, url, method.equals("HEAD"));
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * An I/O failure that must not be retried: a body over its cap, or the caller's own sink failing. Carries
   * what to throw instead.
   */
  static class NotRetryableException extends IOException {
    private static final long serialVersionUID = 1L;

    NotRetryableException(String message, Throwable cause) {
      super(message, cause);
    }

    RegistryException toRegistryException(ErrorMapper errors) throws IOException {
      if (getCause() instanceof IOException io) {
        throw io;
      }
      return errors.protocol(getMessage(), getCause());
    }
  }
}
