package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerRecord;
import dev.jbuild.runtime.ContainerStore;
import dev.jbuild.store.Store;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild ps [-a] [-q]}: the containers in the store, docker's columns. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List containers (running ones, or all with -a).")
final class PsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-a", "--all"}, description = "Show stopped and created containers too.")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Print only the ids.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Do not shorten ids and commands.")
  boolean noTrunc;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"});
    try (Store store = parent.global.openStore()) {
      List<ContainerRecord> list = ContainerStore.of(store).list();
      for (int i = list.size() - 1; i >= 0; i--) { // newest first
        ContainerRecord c = list.get(i);
        if (!all && c.state().status() != ContainerRecord.Status.RUNNING) {
          continue;
        }
        String id = noTrunc ? c.id() : c.shortId();
        if (quiet) {
          out.println(id);
          continue;
        }
        String cmd = String.join(" ", c.options().args());
        if (!noTrunc && cmd.length() > 20) {
          cmd = cmd.substring(0, 19) + "…";
        }
        rows.add(new String[] {id, c.image(), "\"" + cmd + "\"", ago(c.created()) + " ago", status(c), c.name()});
      }
    }
    if (!quiet) {
      int[] width = new int[6];
      for (String[] r : rows) {
        for (int i = 0; i < 6; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 6; i++) {
          line.append(i < 5 ? String.format("%-" + (width[i] + 3) + "s", r[i]) : r[i]);
        }
        out.println(line.toString().stripTrailing());
      }
    }
    out.flush();
    return 0;
  }

  private static String status(ContainerRecord c) {
    ContainerRecord.State s = c.state();
    switch (s.status()) {
      case RUNNING:
        return "Up " + ago(s.startedAt());
      case EXITED:
        return "Exited (" + s.exitCode() + ") " + ago(s.finishedAt()) + " ago";
      default:
        return "Created";
    }
  }

  static String ago(String iso) {
    if (iso == null) {
      return "?";
    }
    long s = Math.max(0, Duration.between(Instant.parse(iso), Instant.now()).getSeconds());
    if (s < 60) {
      return s + " second" + (s == 1 ? "" : "s");
    }
    if (s < 3600) {
      return s / 60 + " minute" + (s / 60 == 1 ? "" : "s");
    }
    if (s < 86400) {
      return s / 3600 + " hour" + (s / 3600 == 1 ? "" : "s");
    }
    return s / 86400 + " day" + (s / 86400 == 1 ? "" : "s");
  }
}
