package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The auth state of one client: the registry's last challenge, its credential, and bearer tokens cached per
 * scope set. Tokens live only in this object (one client, one build session), so a token for one
 * repository is never reused for another (C07). No method ever puts a credential or token in a message.
 */
final class Authenticator {
  /** A token response larger than this is hostile (C09). */
  static final long MAX_TOKEN_BODY = 1024 * 1024;
  private static final long MIN_TOKEN_SECONDS = 60;
  private static final String CLIENT_ID = "jbuild";

  private final RegistryTarget target;
  private final RegistryClientSettings settings;
  private final HttpRequestFactory factory;
  private final Map<String, Token> tokens = new HashMap<>();
  private AuthChallenge challenge;
  private Optional<Credential> credential;
  private String refreshToken;

  private record Token(String value, Instant refreshAfter) {}

  Authenticator(RegistryTarget target, RegistryClientSettings settings, HttpRequestFactory factory) {
    this.target = target;
    this.settings = settings;
    this.factory = factory;
  }

  /** The credential for this registry, looked up once; empty when Basic would travel over plain HTTP. */
  synchronized Optional<Credential> credential() throws IOException {
    if (credential == null) {
      try {
        credential = settings.credentials().credentialFor(target.registry());
      } catch (IOException e) {
        // A failing credential helper is a local problem: surface it as is, never retry it as a network error.
        throw new RegistryCaller.NotRetryableException("credential lookup failed", e);
      }
    }
    return credential;
  }

  /**
   * The Authorization header for a request to the registry's origin, or null to go anonymous. Before the
   * first challenge nothing is sent: the registry tells us which scheme it wants.
   */
  synchronized String authorization(List<String> scopes, boolean forceRefresh) throws IOException, RegistryException {
    if (challenge == null) {
      return null;
    }
    if (challenge.isBasic()) {
      Optional<Credential> c = credential();
      if (c.isEmpty() || c.get().isIdentityToken() || !target.credentialsAllowed()) {
        return null;
      }
      return basic(c.get());
    }
    String key = String.join(" ", new TreeSet<>(scopes));
    Token token = tokens.get(key);
    if (token == null || forceRefresh || Instant.now().isAfter(token.refreshAfter())) {
      token = fetchToken(scopes);
      tokens.put(key, token);
    }
    return "Bearer " + token.value();
  }

  /**
   * Records a 401 challenge from the registry's origin. Returns whether sending again can help: false when
   * there is no usable challenge, or Basic credentials were already sent and refused.
   */
  synchronized boolean onChallenge(List<String> headerValues, String sentAuthorization) throws IOException {
    AuthChallenge parsed = AuthChallenge.choose(headerValues);
    if (parsed == null) {
      return false;
    }
    challenge = parsed;
    if (parsed.isBasic()) {
      Optional<Credential> c = credential();
      return sentAuthorization == null && c.isPresent() && !c.get().isIdentityToken() && target.credentialsAllowed();
    }
    return true;
  }

  /** Why a 401 could not be answered, for the exception message. */
  synchronized String explainFailure(String sentAuthorization) throws IOException {
    Optional<Credential> c = credential();
    if (sentAuthorization == null) {
      if (c.isPresent() && !target.credentialsAllowed()) {
        return "authentication required (credentials are not sent over plain HTTP to a registry not marked insecure)";
      }
      return c.isPresent() ? "authentication required" : "authentication required (no credentials configured for "
          + target.registry() + ")";
    }
    return c.isPresent()
        ? "the credentials for user " + c.get().username() + " were rejected"
        : "anonymous access was refused (log in to " + target.registry() + ")";
  }

  private Token fetchToken(List<String> scopes) throws IOException, RegistryException {
    URI realm;
    try {
      realm = URI.create(challenge.realm());
    } catch (IllegalArgumentException e) {
      throw protocol("the token realm in the registry's challenge is not a valid URL", null);
    }
    realm = overridden(realm);
    String problem = HostPolicy.checkRealm(target, realm);
    if (problem != null) {
      throw protocol("refusing token realm " + Redact.url(realm.toString()) + ": " + problem, null);
    }
    Optional<Credential> c = credential();
    String refresh = c.isPresent() && c.get().isIdentityToken() ? c.get().secret() : refreshToken;
    HttpRequest request;
    if (refresh != null) {
      // OAuth2 refresh-token grant: docker's identity tokens and tokens we got back from an earlier exchange.
      StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=" + CLIENT_ID);
      if (challenge.service() != null) {
        form.append("&service=").append(encode(challenge.service()));
      }
      form.append("&scope=").append(encode(String.join(" ", scopes)));
      form.append("&refresh_token=").append(encode(refresh));
      request = factory.buildPostRequest(new GenericUrl(realm.toString(), true),
          new ByteArrayContent("application/x-www-form-urlencoded", form.toString().getBytes(StandardCharsets.UTF_8)));
    } else {
      StringBuilder url = new StringBuilder(realm.toString());
      char sep = realm.getRawQuery() == null ? '?' : '&';
      if (challenge.service() != null) {
        url.append(sep).append("service=").append(encode(challenge.service()));
        sep = '&';
      }
      for (String scope : scopes) {
        url.append(sep).append("scope=").append(encode(scope));
        sep = '&';
      }
      request = factory.buildGetRequest(new GenericUrl(url.toString(), true));
    }
    HttpHeaders headers = new HttpHeaders().setUserAgent(settings.userAgent()).setAcceptEncoding("identity");
    boolean realmSafeForSecrets = "https".equalsIgnoreCase(realm.getScheme()) || target.credentialsAllowed();
    if (refresh == null && c.isPresent() && realmSafeForSecrets) {
      headers.setAuthorization(basic(c.get()));
    }
    request.setHeaders(headers)
        .setFollowRedirects(false) // a redirected token request would carry the Basic credentials along
        .setThrowExceptionOnExecuteError(false)
        .setNumberOfRetries(0)
        .setLoggingEnabled(false)
        .setCurlLoggingEnabled(false)
        .setSuppressUserAgentSuffix(true)
        .setResponseReturnRawInputStream(true)
        .setConnectTimeout((int) settings.connectTimeout().toMillis())
        .setReadTimeout((int) settings.readTimeout().toMillis());
    HttpResponse raw = request.execute();
    try (RegistryResponse response = new RegistryResponse(raw, realm, false)) {
      int status = response.status();
      if (status == 401 || status == 403) {
        String who = c.isPresent() ? "the credentials for user " + c.get().username() + " were rejected"
            : "anonymous access was refused (log in to " + target.registry() + ")";
        throw new RegistryAuthenticationException(
            "registry " + target.registry() + " token service " + realm.getHost() + " returned " + status + " for "
                + target.repository() + ": " + who,
            target.registry(), target.repository(), status, List.of(), null);
      }
      if (status != 200) {
        throw new RegistryException(
            "registry " + target.registry() + " token service " + realm.getHost() + " returned " + status + " for "
                + target.repository(),
            target.registry(), target.repository(), status, List.of(), null);
      }
      byte[] body = response.readCapped(MAX_TOKEN_BODY, "token response");
      return parseToken(body);
    }
  }

  /** A realm host named in the host overrides (tests standing in for auth.docker.io) goes to the override. */
  private URI overridden(URI realm) {
    String override = realm.getHost() == null ? null : settings.hostOverrides().get(realm.getHost());
    if (override == null) {
      return realm;
    }
    String base = override.endsWith("/") ? override.substring(0, override.length() - 1) : override;
    return URI.create(base + (realm.getRawPath() == null ? "" : realm.getRawPath())
        + (realm.getRawQuery() == null ? "" : "?" + realm.getRawQuery()));
  }

  private Token parseToken(byte[] body) throws RegistryException {
    JsonNode json;
    try {
      json = OciJson.mapper().readTree(body);
    } catch (IOException e) {
      throw protocol("the token service answered with invalid JSON", null);
    }
    String value = json.path("token").asText("");
    if (value.isEmpty()) {
      value = json.path("access_token").asText("");
    }
    if (value.isEmpty()) {
      throw protocol("the token service answered without a token", null);
    }
    if (json.path("refresh_token").isTextual() && !json.path("refresh_token").asText().isEmpty()) {
      refreshToken = json.path("refresh_token").asText();
    }
    long seconds = Math.max(MIN_TOKEN_SECONDS, json.path("expires_in").asLong(MIN_TOKEN_SECONDS));
    // Refresh early: a token that expires between our check and the registry's would cost a failed request.
    long margin = Math.min(30, seconds / 5);
    return new Token(value, Instant.now().plus(Duration.ofSeconds(seconds - margin)));
  }

  private RegistryProtocolException protocol(String detail, Throwable cause) {
    return new RegistryProtocolException(
        target.name() + ": " + detail, target.registry(), target.repository(), cause);
  }

  private static String basic(Credential c) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** For tests: the scope keys with a cached token. */
  synchronized List<String> cachedScopes() {
    return new ArrayList<>(tokens.keySet());
  }
}
