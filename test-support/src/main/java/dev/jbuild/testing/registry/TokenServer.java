package dev.jbuild.testing.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token service for docker-registry's {@code auth: token}: on loopback, it checks Basic credentials (or an
 * OAuth2 password or refresh-token grant) and answers with an RS256 JWT granting every requested action, signed by
 * an RSA key made at start-up whose self-signed certificate (from {@code openssl req -x509}) the registry
 * trusts as its {@code rootcertbundle}. The JWT header names the key by the libtrust key ID distribution 2.8
 * looks it up by.
 *
 * <p>{@link #setTokenLifetime} makes tokens expire at the registry that soon: distribution accepts a token
 * until 60 s after its {@code exp}, so the {@code exp} written is the lifetime minus that leeway. The {@code
 * expires_in} the client reads stays as set by {@link #setAdvertisedLifetime}, so a test can make a token die at
 * the registry while the client still believes in it.
 */
public final class TokenServer implements AutoCloseable {
  /** distribution's clock-skew allowance on {@code exp} and {@code nbf}. */
  static final long REGISTRY_LEEWAY_SECONDS = 60;

  private final String username;
  private final String password;
  private final String issuer = "jbuild-test-issuer";
  private final String service = "jbuild-test-registry";
  private final String refreshToken = "refresh-" + UUID.randomUUID();
  private final AtomicInteger issued = new AtomicInteger();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile Duration tokenLifetime = Duration.ofMinutes(5);
  private volatile long advertisedSeconds = 300;
  private KeyPair keys;
  private String keyId;
  private HttpServer server;
  private Path certificate;

  TokenServer(String username, String password) {
    this.username = username;
    this.password = password;
  }

  /** Makes the key pair and certificate in {@code dir} and starts serving {@code /token}. */
  void start(Path dir) throws IOException, InterruptedException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      keys = generator.generateKeyPair();
      keyId = libtrustKeyId(keys.getPublic().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make an RSA key", e);
    }
    Path key = dir.resolve("token-key.pem");
    Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
    certificate = dir.resolve("token-cert.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-new", "-key", key.toString(), "-subj",
        "/CN=token", "-days", "1", "-out", certificate.toString())
        .redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
      openssl.destroyForcibly();
      throw new IllegalStateException("openssl req -x509 failed: " + output);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
    server.createContext("/token", this::handle);
    server.start();
  }

  /** The base32 of the first 240 bits of sha256(DER public key), in 12 groups of 4 joined by ':' (libtrust). */
  static String libtrustKeyId(byte[] derPublicKey) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(derPublicKey);
      String b32 = base32(java.util.Arrays.copyOf(hash, 30));
      StringBuilder id = new StringBuilder();
      for (int i = 0; i < b32.length(); i += 4) {
        id.append(i == 0 ? "" : ":").append(b32, i, i + 4);
      }
      return id.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base32(byte[] data) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String query = exchange.getRequestURI().getRawQuery();
      String form = "";
      if (exchange.getRequestMethod().equals("POST")) {
        form = new String(exchange.getRequestBody().readNBytes(64 * 1024), StandardCharsets.UTF_8);
      }
      List<String[]> params = new ArrayList<>(parse(query));
      params.addAll(parse(form));
      List<String> scopes = new ArrayList<>();
      String grant = null;
      String formUser = null;
      String formPassword = null;
      String formRefresh = null;
      for (String[] p : params) {
        switch (p[0]) {
          case "scope" -> scopes.addAll(List.of(p[1].split(" ")));
          case "grant_type" -> grant = p[1];
          case "username" -> formUser = p[1];
          case "password" -> formPassword = p[1];
          case "refresh_token" -> formRefresh = p[1];
          default -> { }
        }
      }
      boolean ok;
      String how;
      if ("refresh_token".equals(grant)) {
        ok = refreshToken.equals(formRefresh);
        how = "refresh_token";
      } else if ("password".equals(grant)) {
        ok = username.equals(formUser) && password.equals(formPassword);
        how = "password";
      } else {
        String expected = "Basic " + Base64.getEncoder().encodeToString(
            (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        ok = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
        how = exchange.getRequestHeaders().getFirst("Authorization") == null ? "anonymous" : "basic";
      }
      requests.add(exchange.getRequestMethod() + " " + how + " " + String.join(" ", scopes));
      if (!ok) {
        send(exchange, 401, "{\"details\":\"incorrect username or password\"}");
        return;
      }
      String token = sign(scopes);
      issued.incrementAndGet();
      String body = "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":"
          + advertisedSeconds + ",\"issued_at\":\"" + Instant.now() + "\""
          + ("password".equals(grant) ? ",\"refresh_token\":\"" + refreshToken + "\"" : "") + "}";
      send(exchange, 200, body);
    } catch (RuntimeException | GeneralSecurityException e) {
      send(exchange, 500, "{\"details\":\"" + e.getClass().getSimpleName() + "\"}");
    }
  }

  private String sign(List<String> scopes) throws GeneralSecurityException {
    long now = Instant.now().getEpochSecond();
    StringBuilder access = new StringBuilder("[");
    for (String scope : scopes) {
      String[] parts = scope.split(":");
      if (parts.length < 3) {
        continue;
      }
      // repository:name:actions, where name may hold a port-less path; actions is the last part.
      String type = parts[0];
      String actions = parts[parts.length - 1];
      String name = scope.substring(type.length() + 1, scope.length() - actions.length() - 1);
      if (access.length() > 1) {
        access.append(',');
      }
      access.append("{\"type\":\"").append(type).append("\",\"name\":\"").append(name).append("\",\"actions\":[");
      String[] list = actions.split(",");
      for (int i = 0; i < list.length; i++) {
        access.append(i == 0 ? "" : ",").append('"').append(list[i]).append('"');
      }
      access.append("]}");
    }
    access.append(']');
    long exp = now + tokenLifetime.toSeconds() - REGISTRY_LEEWAY_SECONDS;
    String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"" + keyId + "\"}";
    String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + username + "\",\"aud\":\"" + service + "\",\"exp\":"
        + exp + ",\"nbf\":" + (now - 1) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID() + "\",\"access\":"
        + access + "}";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature rs256 = Signature.getInstance("SHA256withRSA");
    rs256.initSign(keys.getPrivate());
    rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + b64.encodeToString(rs256.sign());
  }

  private static List<String[]> parse(String encoded) {
    List<String[]> out = new ArrayList<>();
    if (encoded == null || encoded.isEmpty()) {
      return out;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.add(new String[] {k, v});
    }
    return out;
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** How long tokens stay valid at the registry from now on. */
  public void setTokenLifetime(Duration lifetime) {
    this.tokenLifetime = lifetime;
  }

  /** The {@code expires_in} the token responses state. */
  public void setAdvertisedLifetime(Duration lifetime) {
    this.advertisedSeconds = lifetime.toSeconds();
  }

  /** Tokens handed out so far. */
  public int issuedTokens() {
    return issued.get();
  }

  /** Each token request as {@code METHOD how scopes}, {@code how} being anonymous, basic, password or refresh_token. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** A refresh token this server accepts for the OAuth2 refresh-token grant (as docker's identity token). */
  public String refreshToken() {
    return refreshToken;
  }

  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  public String issuer() {
    return issuer;
  }

  public String service() {
    return service;
  }

  Path certificate() {
    return certificate;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }
}
