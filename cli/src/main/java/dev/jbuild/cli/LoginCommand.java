package dev.jbuild.cli;

import dev.jbuild.registry.Credential;
import dev.jbuild.registry.RegistryAuthenticationException;
import dev.jbuild.registry.RegistryClient;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jbuild login [SERVER]}: checks the credentials against the registry, then stores them where docker
 * does ({@code config.json} or its credential helper), so docker, skopeo and podman see the same login.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = "Log in to a registry (default Docker Hub): the credentials are checked against the registry, "
        + "then saved as docker login saves them ($DOCKER_CONFIG/config.json or ~/.docker/config.json, or its "
        + "credential helper).")
final class LoginCommand implements Callable<Integer> {
  private static final int MAX_PASSWORD = 64 * 1024;

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "host[:port] (default docker.io).")
  String server;

  @Option(names = {"-u", "--username"}, paramLabel = "USER") String username;

  @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
      description = "The password (visible to other users in the process list; prefer --password-stdin).")
  String password;

  @Option(names = "--password-stdin", description = "Read the password (or token) from standard input.")
  boolean passwordStdin;

  @Override
  public Integer call() throws Exception {
    String host = DockerLogins.registry(server);
    if (password != null && passwordStdin) {
      throw new Errors.UserError("--password and --password-stdin exclude each other");
    }
    Console console = System.console();
    if (password != null) {
      spec.commandLine().getErr().println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    if (username == null || username.isEmpty()) {
      if (passwordStdin || console == null) {
        throw new Errors.UserError("give the user name with --username (-u)");
      }
      username = console.readLine("Username: ");
    }
    String secret = password;
    if (passwordStdin) {
      secret = readStdin(System.in);
    } else if (secret == null) {
      if (console == null) {
        throw new Errors.UserError("no terminal to ask for the password: use --password-stdin");
      }
      char[] typed = console.readPassword("Password: ");
      secret = typed == null ? "" : new String(typed);
    }
    if (username == null || username.isBlank() || secret.isEmpty()) {
      throw new Errors.UserError("a user name and a password are both required");
    }
    Credential credential = new Credential(username, secret);
    try {
      RegistryClient.checkLogin(registry.settings(host), host, credential);
    } catch (RegistryAuthenticationException e) {
      throw new Errors.UserError("login to " + host + " failed: " + e.getMessage());
    }
    String where = DockerLogins.file(System.getenv()).store(host, credential);
    spec.commandLine().getErr().println("credentials saved in " + where);
    spec.commandLine().getOut().println("Login Succeeded");
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The whole of stdin, less one trailing newline, as docker does. */
  static String readStdin(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_PASSWORD + 1);
    if (bytes.length > MAX_PASSWORD) {
      throw new Errors.UserError("the password on standard input is longer than 64 KiB");
    }
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("\r")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
