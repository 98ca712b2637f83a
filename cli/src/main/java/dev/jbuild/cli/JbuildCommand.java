package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command; it only groups the subcommands and the global options. */
@Command(
    name = "jbuild",
    mixinStandardHelpOptions = true,
    versionProvider = JbuildCommand.Version.class,
    description = "A daemonless OCI image toolchain: build Dockerfiles rootless, move images between registries.",
    footer = {"", "A first word that is not a command means 'build': jbuild -t name:tag . is jbuild build -t name:tag ."})
final class JbuildCommand {
  @CommandLine.Mixin GlobalOptions global;
  /** Where {@code -} reads from ({@code build -f -}, {@code build -}); tests give their own. */
  java.io.InputStream stdin = System.in;

  /** True when jbuild runs as its own process (not embedded): containers may then use fds 0, 1 and 2 directly. */
  boolean realStdio;

  /**
   * The subcommands by name, in the order help lists them. They are registered lazily: building picocli's model of
   * one command costs reflection over its options, and doing it for all thirty on every start-up was half of the
   * time {@code jbuild run --rm IMAGE true} took (DESIGN 8).
   */
  private static final Map<String, Class<?>> SUBCOMMANDS = new LinkedHashMap<>();

  static {
    SUBCOMMANDS.put("build", BuildCommand.class);
    SUBCOMMANDS.put("images", ImagesCommand.class);
    SUBCOMMANDS.put("tag", TagCommand.class);
    SUBCOMMANDS.put("inspect", InspectCommand.class);
    SUBCOMMANDS.put("pull", PullCommand.class);
    SUBCOMMANDS.put("push", PushCommand.class);
    SUBCOMMANDS.put("rmi", RmiCommand.class);
    SUBCOMMANDS.put("history", HistoryCommand.class);
    SUBCOMMANDS.put("prune", PruneCommand.class);
    SUBCOMMANDS.put("system", SystemCommand.class);
    SUBCOMMANDS.put("parse", ParseCommand.class);
    SUBCOMMANDS.put("save", SaveCommand.class);
    SUBCOMMANDS.put("load", LoadCommand.class);
    SUBCOMMANDS.put("import", ImportCommand.class);
    SUBCOMMANDS.put("export", ExportCommand.class);
    SUBCOMMANDS.put("copy", CopyCommand.class);
    SUBCOMMANDS.put("tags", TagsCommand.class);
    SUBCOMMANDS.put("manifest", ManifestCommand.class);
    SUBCOMMANDS.put("login", LoginCommand.class);
    SUBCOMMANDS.put("logout", LogoutCommand.class);
    SUBCOMMANDS.put("run", RunCommand.class);
    SUBCOMMANDS.put("start", StartCommand.class);
    SUBCOMMANDS.put("stop", StopCommand.class);
    SUBCOMMANDS.put("kill", KillCommand.class);
    SUBCOMMANDS.put("rm", RmCommand.class);
    SUBCOMMANDS.put("ps", PsCommand.class);
    SUBCOMMANDS.put("logs", LogsCommand.class);
    SUBCOMMANDS.put("exec", ExecCommand.class);
    SUBCOMMANDS.put("commit", CommitCommand.class);
    SUBCOMMANDS.put("help", CommandLine.HelpCommand.class);
  }

  /** What {@link Main#commandName} gives for {@code jbuild --version} alone. */
  static final String VERSION = "--version";

  /** True when {@code name} is one of jbuild's commands. */
  static boolean isCommand(String name) {
    return SUBCOMMANDS.containsKey(name);
  }

  /** The class of subcommand {@code name}, or null when {@code name} is null or not a command. */
  static Class<?> subcommandClass(String name) {
    return name == null ? null : SUBCOMMANDS.get(name);
  }

  /** The root command with every subcommand, for help and for callers that do not know the command yet. */
  static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The root command with only {@code command} registered, or every subcommand when {@code command} is null or not
   * a command (so help, suggestions and "unknown command" errors see them all).
   */
  static CommandLine commandLine(String command) {
    CommandLine cli = new CommandLine(new JbuildCommand());
    if (command != null && SUBCOMMANDS.containsKey(command) && !command.equals("help")) {
      cli.addSubcommand(command, SUBCOMMANDS.get(command));
    } else if (VERSION.equals(command)) {
      // jbuild --version needs no subcommand at all.
    } else {
      // A loop, not forEach(cli::addSubcommand): a lambda over a picocli type would get CommandLine linked while
      // the launcher dumps its class-data archive, and the archive would then leave picocli's Java 5 classes out.
      for (Map.Entry<String, Class<?>> e : SUBCOMMANDS.entrySet()) {
        cli.addSubcommand(e.getKey(), e.getValue());
      }
    }
    cli.setExecutionExceptionHandler(new Errors());
    cli.setExitCodeExceptionMapper(new Errors());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // Everything after the image (run) or the container (exec) is the command, options included.
    for (String name : new String[] {"run", "exec"}) {
      CommandLine sub = cli.getSubcommands().get(name);
      if (sub != null) {
        sub.setStopAtPositional(true);
      }
    }
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
