package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild logout [SERVER]}: removes the login docker's way, from config.json or its credential helper. */
@Command(name = "logout", mixinStandardHelpOptions = true,
    description = "Remove the saved login for a registry (default Docker Hub), from config.json or its credential "
        + "helper.")
final class LogoutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "host[:port] (default docker.io).")
  String server;

  @Override
  public Integer call() throws Exception {
    String host = DockerLogins.registry(server);
    boolean removed = DockerLogins.file(System.getenv()).erase(host);
    spec.commandLine().getOut().println(removed ? "Removing login credentials for " + host
        : "Not logged in to " + host);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
