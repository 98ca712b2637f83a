package dev.jbuild.registry;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Writes logins the way {@code docker login} does, so docker, podman, skopeo and jbuild share them: into {@code
 * config.json}'s {@code auths} as {@code {"auth": base64(user:password)}}, or, when {@code credHelpers} names a
 * helper for the registry or {@code credsStore} is set, through {@code docker-credential-<name> store|erase}.
 * Every other key of the file is kept. The file is replaced atomically (temp file, fsync, rename) with mode
 * 0600, so a crash never leaves it half-written and other users never read it.
 *
 * <pre>{@code
 * new DockerConfigFile(Path.of(home, ".docker/config.json")).store("localhost:5000", new Credential("me", "pw"));
 * }</pre>
 */
public final class DockerConfigFile {
  /** The key docker uses for Docker Hub in {@code auths} and with helpers. */
  public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";
  private static final long MAX_CONFIG = 16L << 20;

  private final Path file;
  private final Path helperDir;
  private final ObjectMapper mapper = new ObjectMapper();

  /** The file at {@code file}; credential helpers are found on {@code PATH}, as docker finds them. */
  public DockerConfigFile(Path file) {
    this(file, null);
  }

  /** For tests: helpers are taken from {@code helperDir} instead of {@code PATH}. */
  DockerConfigFile(Path file, Path helperDir) {
    this.file = Objects.requireNonNull(file, "file");
    this.helperDir = helperDir;
  }

  public Path file() {
    return file;
  }

  /** The key for {@code registry} in {@code auths} and for helpers: docker's legacy URL for Docker Hub. */
  public static String serverKey(String registry) {
    return RegistryTarget.isDockerHub(registry) ? DOCKER_HUB_KEY : registry;
  }

  /**
   * Stores the credential for {@code registry}; returns where it went ({@code config.json} path, or the helper
   * program). A stale {@code auths} entry is removed when a helper takes the credential.
   */
  public String store(String registry, Credential credential) throws IOException {
    ObjectNode root = read();
    String key = serverKey(registry);
    String helper = helperFor(root, registry, key);
    ObjectNode auths = root.with("auths");
    if (helper != null) {
      ObjectNode request = mapper.createObjectNode();
      request.put("ServerURL", key).put("Username", credential.username()).put("Secret", credential.secret());
      runHelper(helperDir, helper, "store", mapper.writeValueAsBytes(request));
      if (auths.has(key)) {
        auths.remove(key);
        write(root);
      }
      return "docker-credential-" + helper;
    }
    ObjectNode entry = mapper.createObjectNode();
    entry.put("auth", Base64.getEncoder().encodeToString(
        (credential.username() + ":" + credential.secret()).getBytes(StandardCharsets.UTF_8)));
    auths.set(key, entry);
    write(root);
    return file.toString();
  }

  /** Removes the login for {@code registry}; false when there was none in the file (a helper is asked anyway). */
  public boolean erase(String registry) throws IOException {
    if (!Files.exists(file)) {
      return false;
    }
    ObjectNode root = read();
    String key = serverKey(registry);
    String helper = helperFor(root, registry, key);
    boolean found = false;
    if (helper != null) {
      found = runHelper(helperDir, helper, "erase", key.getBytes(StandardCharsets.UTF_8));
    }
    JsonNode auths = root.get("auths");
    if (auths instanceof ObjectNode a && a.has(key)) {
      a.remove(key);
      write(root);
      found = true;
    }
    return found;
  }

  private static String helperFor(ObjectNode root, String registry, String key) {
    JsonNode helpers = root.path("credHelpers");
    for (String name : List.of(registry, key)) {
      if (helpers.path(name).isTextual() && !helpers.path(name).asText().isEmpty()) {
        return helpers.path(name).asText();
      }
    }
    String store = root.path("credsStore").asText("");
    return store.isEmpty() ? null : store;
  }

  private ObjectNode read() throws IOException {
    if (!Files.exists(file)) {
      return mapper.createObjectNode();
    }
    if (Files.size(file) > MAX_CONFIG) {
      throw new IOException(file + " is larger than 16 MiB; refusing to rewrite it");
    }
    byte[] bytes = Files.readAllBytes(file);
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return mapper.createObjectNode();
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(bytes);
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON; fix or remove it first", e);
    }
    if (!(tree instanceof ObjectNode object)) {
      throw new IOException(file + " does not hold a JSON object; fix or remove it first");
    }
    if (object.has("auths") && !object.get("auths").isObject()) {
      throw new IOException(file + ": \"auths\" is not an object; fix or remove it first");
    }
    return object;
  }

  /** Temp file beside the target with mode 0600, fsync, rename: readers see the old or the new file, whole. */
  private void write(ObjectNode root) throws IOException {
    Path target = Files.isSymbolicLink(file) ? file.toRealPath() : file;
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("\t", "\n"));
    byte[] bytes = mapper.writer(printer).writeValueAsBytes(root);
    Path temp = Files.createTempFile(dir, ".config.json.", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
        out.write(bytes);
        out.write('\n');
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Runs {@code docker-credential-<helper> <action>} with {@code input} on stdin. Returns false when erase found
   * nothing ({@code credentials not found in native keychain}); any other failure is an error naming the helper
   * but never the secret.
   */
  private static boolean runHelper(Path helperDir, String helper, String action, byte[] input) throws IOException {
    if (!helper.matches("[A-Za-z0-9._-]+")) {
      throw new IOException("invalid credential helper name \"" + helper + "\" in the docker config");
    }
    String program = "docker-credential-" + helper;
    Process process;
    try {
      String executable = helperDir == null ? program : helperDir.resolve(program).toString();
      process = new ProcessBuilder(executable, action).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("credential helper " + program + " is configured but cannot be run (is it on PATH?)", e);
    }
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input);
    }
    byte[] output;
    try (InputStream stdout = process.getInputStream()) {
      output = stdout.readNBytes(64 * 1024);
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("credential helper " + program + " " + action + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running " + program);
    }
    if (process.exitValue() == 0) {
      return true;
    }
    String message = new String(output, StandardCharsets.UTF_8).trim();
    if (action.equals("erase") && message.contains("credentials not found")) {
      return false;
    }
    throw new IOException("credential helper " + program + " " + action + " failed (exit " + process.exitValue()
        + "): " + Redact.text(message));
  }
}
