package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/** Entry point: {@code jbuild [--root DIR] COMMAND ...}; a bare {@code jbuild -t x .} means {@code build}. */
public final class Main {
  /** Root options that take a value, so the implicit-build rewrite can skip over them. */
  private static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--root");
  private static final Set<String> ROOT_FLAGS = Set.of("--debug", "-h", "--help", "-V", "--version");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    String[] full = withImplicitBuild(args);
    String command = commandName(full);
    StartupWarmer.start(JbuildCommand.subcommandClass(command));
    CommandLine cli = JbuildCommand.commandLine(command);
    ((JbuildCommand) cli.getCommand()).realStdio = true;
    return cli.execute(full);
  }

  /** Runs one command with its output captured; tests and embedders use this. */
  static int run(String[] args, java.io.PrintWriter out, java.io.PrintWriter err) {
    return run(args, System.in, out, err);
  }

  /** As {@link #run(String[], java.io.PrintWriter, java.io.PrintWriter)}, with {@code in} as standard input. */
  static int run(String[] args, java.io.InputStream in, java.io.PrintWriter out, java.io.PrintWriter err) {
    String[] full = withImplicitBuild(args);
    CommandLine cli = JbuildCommand.commandLine(commandName(full));
    ((JbuildCommand) cli.getCommand()).stdin = in;
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(full);
  }

  /**
   * Inserts {@code build} where the first word is not a command, so {@code jbuild -t name .} works as with
   * docker's muscle memory. Root options before it are left where they are.
   */
  static String[] withImplicitBuild(String[] args) {
    int i = firstWord(args);
    if (i >= args.length || JbuildCommand.isCommand(args[i])) {
      return args;
    }
    List<String> out = new ArrayList<>(Arrays.asList(args).subList(0, i));
    out.add("build");
    out.addAll(Arrays.asList(args).subList(i, args.length));
    return out.toArray(String[]::new);
  }

  /** The command {@code args} names, or null when there is none (root options alone: help or version). */
  static String commandName(String[] args) {
    int i = firstWord(args);
    if (i < args.length) {
      return args[i];
    }
    boolean version = false;
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help")) {
        return null;
      }
      version |= a.equals("-V") || a.equals("--version");
    }
    return version ? JbuildCommand.VERSION : null;
  }

  /** The index of the first argument that is not a root option. */
  private static int firstWord(String[] args) {
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      if (ROOT_OPTIONS_WITH_VALUE.contains(a)) {
        i += 2;
      } else if (a.startsWith("--root=") || ROOT_FLAGS.contains(a)) {
        i++;
      } else {
        break;
      }
    }
    return i;
  }
}
