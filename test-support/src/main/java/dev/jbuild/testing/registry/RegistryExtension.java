package dev.jbuild.testing.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a real {@code docker-registry} (distribution 2.8) on a free loopback port for the tests of a class.
 *
 * <pre>{@code
 * @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();
 * @RegisterExtension static RegistryExtension secured = RegistryExtension.withBasicAuth("alice", "s3cret");
 * @RegisterExtension static RegistryExtension tokens = RegistryExtension.withTokenAuth("alice", "s3cret");
 * }</pre>
 *
 * <p>As a static field the registry lives from {@code BeforeAll} to {@code AfterAll}; as an instance field
 * JUnit only calls the per-method callbacks, so each test method gets a fresh registry. {@link #host()} is
 * {@code localhost:PORT} on purpose: jbuild treats {@code localhost} as a plain-HTTP loopback registry, the
 * same way users run a local registry. The registry's stderr goes to {@link #logFile()}; failures quote its
 * tail so a broken start is diagnosable from the test report alone.
 */
public final class RegistryExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AutoCloseable {
  private static final String BINARY_PROPERTY = "jbuild.test.registryBinary";
  private static final String DEFAULT_BINARY = "/usr/bin/docker-registry";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final int START_ATTEMPTS = 3;

  private final String username;
  private final String password;
  private final boolean tokenAuth;
  private TokenServer tokenServer;

  private Process process;
  private Path workDir;
  private int port;
  private boolean startedForMethod;

  private RegistryExtension(String username, String password, boolean tokenAuth) {
    this.username = username;
    this.password = password;
    this.tokenAuth = tokenAuth;
  }

  /** A registry that accepts anonymous pulls and pushes. */
  public static RegistryExtension anonymous() {
    return new RegistryExtension(null, null, false);
  }

  /**
   * A registry with {@code auth: token}: it answers {@code 401 Bearer realm=...} and accepts only JWTs from an
   * in-test {@link TokenServer}, which hands them out for these Basic credentials (anonymous requests get 401).
   */
  public static RegistryExtension withTokenAuth(String username, String password) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    return new RegistryExtension(username, password, true);
  }

  /** A registry that requires HTTP Basic auth (htpasswd, bcrypt) for every request. */
  public static RegistryExtension withBasicAuth(String username, String password) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.contains(":")) {
      throw new IllegalArgumentException("an htpasswd user name cannot contain ':'");
    }
    return new RegistryExtension(username, password, false);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    // Only an instance-field extension reaches here without a running registry.
    if (process == null) {
      start();
      startedForMethod = true;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (startedForMethod) {
      close();
      startedForMethod = false;
    }
  }

  /** Starts the registry; also usable outside JUnit together with {@link #close()}. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null) {
      return;
    }
    Path binary = Paths.get(System.getProperty(BINARY_PROPERTY, DEFAULT_BINARY));
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary + " not found or not executable: the integration tests need distribution's docker-registry."
              + " Run scripts/install-deps (it installs docker-registry, apache2-utils and skopeo).");
    }
    workDir = Files.createTempDirectory("jbuild-registry-");
    Files.createDirectories(storageDir());
    String htpasswdPath = username == null || tokenAuth ? null : writeHtpasswd();
    if (tokenAuth) {
      tokenServer = new TokenServer(username, password);
      tokenServer.start(workDir);
    }
    IllegalStateException last = null;
    // A port found free can be taken before the registry binds it; a few fresh ports make that race harmless.
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      port = freeLoopbackPort();
      Files.writeString(workDir.resolve("config.yml"), config(htpasswdPath), StandardCharsets.UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder(binary.toString(), "serve", workDir.resolve("config.yml").toString())
              .directory(workDir.toFile())
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
              .redirectError(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      process = builder.start();
      try {
        awaitReady();
        return;
      } catch (IllegalStateException e) {
        last = e;
        stopProcess();
        if (!logTail().contains("address already in use")) {
          break;
        }
      }
    }
    deleteWorkDir();
    if (tokenServer != null) {
      tokenServer.close();
      tokenServer = null;
    }
    throw last;
  }

  private String writeHtpasswd() throws IOException, InterruptedException {
    Process htpasswd;
    try {
      htpasswd =
          new ProcessBuilder("htpasswd", "-Bbn", username, password)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "htpasswd not found: run scripts/install-deps (it installs apache2-utils)", e);
    }
    String line = new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!htpasswd.waitFor(10, TimeUnit.SECONDS) || htpasswd.exitValue() != 0 || !line.startsWith(username + ":")) {
      htpasswd.destroyForcibly();
      throw new IllegalStateException("htpasswd -Bbn failed for user " + username);
    }
    Path file = workDir.resolve("htpasswd");
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8);
    return file.toString();
  }

  private String config(String htpasswdPath) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("version: 0.1\n")
        .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
        .append("storage:\n")
        .append("  filesystem:\n    rootdirectory: ").append(storageDir()).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append('\n')
        .append("  secret: ").append(UUID.randomUUID()).append('\n');
    if (htpasswdPath != null) {
      yaml.append("auth:\n  htpasswd:\n    realm: jbuild-test\n    path: ").append(htpasswdPath).append('\n');
    }
    if (tokenServer != null) {
      yaml.append("auth:\n  token:\n    realm: ").append(tokenServer.realm()).append('\n')
          .append("    service: ").append(tokenServer.service()).append('\n')
          .append("    issuer: ").append(tokenServer.issuer()).append('\n')
          .append("    rootcertbundle: ").append(tokenServer.certificate()).append('\n');
    }
    return yaml.toString();
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String lastError = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited with status " + process.exitValue() + " before answering on port " + port
                + "; log tail:\n" + logTail());
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) new URL(url() + "/v2/").openConnection();
        connection.setConnectTimeout(1000);
        connection.setReadTimeout(2000);
        int status = connection.getResponseCode();
        connection.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
        lastError = "GET /v2/ answered " + status;
      } catch (IOException e) {
        lastError = e.toString();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "docker-registry did not answer GET /v2/ on port " + port + " within " + START_TIMEOUT.toSeconds()
            + " s (" + lastError + "); log tail:\n" + logTail());
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** Stops the registry and deletes its storage. Safe to call more than once. */
  @Override
  public synchronized void close() {
    stopProcess();
    if (tokenServer != null) {
      tokenServer.close();
      tokenServer = null;
    }
    deleteWorkDir();
  }

  private void stopProcess() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private void deleteWorkDir() {
    if (workDir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(workDir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete the registry's temp dir " + workDir, e);
    }
    workDir = null;
  }

  /** The last lines the registry wrote to stderr/stdout, for failure messages. */
  public String logTail() {
    if (workDir == null || !Files.exists(logFile())) {
      return "(no log)";
    }
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private void requireRunning() {
    if (process == null) {
      throw new IllegalStateException("the registry is not running (register the extension with @RegisterExtension)");
    }
  }

  /** {@code localhost:PORT}: the registry name jbuild treats as plain-HTTP loopback. */
  public String host() {
    requireRunning();
    return "localhost:" + port;
  }

  public int port() {
    requireRunning();
    return port;
  }

  /** {@code http://localhost:PORT}, without a trailing slash. */
  public String url() {
    return "http://" + host();
  }

  /** The Basic-auth user, or null for an anonymous registry. */
  public String username() {
    return username;
  }

  /** The Basic-auth password, or null for an anonymous registry. */
  public String password() {
    return password;
  }

  /** The token service of a {@link #withTokenAuth} registry. */
  public TokenServer tokenServer() {
    if (tokenServer == null) {
      throw new IllegalStateException("not a token-auth registry, or not started");
    }
    return tokenServer;
  }

  public boolean requiresAuth() {
    return username != null;
  }

  /** Where the registry keeps blobs and manifests (distribution's filesystem driver layout). */
  public Path storageDir() {
    requireWorkDir();
    return workDir.resolve("data");
  }

  /** The registry's captured stdout and stderr. */
  public Path logFile() {
    requireWorkDir();
    return workDir.resolve("registry.log");
  }

  private void requireWorkDir() {
    if (workDir == null) {
      throw new IllegalStateException("the registry has not been started");
    }
  }
}
