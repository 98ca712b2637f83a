package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command; it only groups the subcommands and the global options. */
@Command(
    name = "jbuild",
    mixinStandardHelpOptions = true,
    versionProvider = JbuildCommand.Version.class,
    description = "A daemonless OCI image toolchain: build Dockerfiles rootless, move images between registries.",
    subcommands = {
      BuildCommand.class,
      ImagesCommand.class,
      TagCommand.class,
      InspectCommand.class,
      PullCommand.class,
      PushCommand.class,
      RmiCommand.class,
      HistoryCommand.class,
      PruneCommand.class,
      SystemCommand.class,
      ParseCommand.class,
      SaveCommand.class,
      LoadCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      CopyCommand.class,
      TagsCommand.class,
      ManifestCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      RunCommand.class,
      StartCommand.class,
      StopCommand.class,
      KillCommand.class,
      RmCommand.class,
      PsCommand.class,
      LogsCommand.class,
      ExecCommand.class,
      CommitCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "A first word that is not a command means 'build': jbuild -t name:tag . is jbuild build -t name:tag ."})
final class JbuildCommand {
  @CommandLine.Mixin GlobalOptions global;
  /** Where {@code -} reads from ({@code build -f -}, {@code build -}); tests give their own. */
  java.io.InputStream stdin = System.in;

  /** True when jbuild runs as its own process (not embedded): containers may then use fds 0, 1 and 2 directly. */
  boolean realStdio;

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new JbuildCommand());
    cli.setExecutionExceptionHandler(new Errors());
    cli.setExitCodeExceptionMapper(new Errors());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // Everything after the image (run) or the container (exec) is the command, options included.
    cli.getSubcommands().get("run").setStopAtPositional(true);
    cli.getSubcommands().get("exec").setStopAtPositional(true);
    return cli;
  }

  /** Reads the version Maven wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = JbuildCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "jbuild " + p.getProperty("version", "unknown"),
        "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
