package dev.jbuild.cli;

import dev.jbuild.store.Store;
import dev.jbuild.store.admin.CheckReport;
import dev.jbuild.store.admin.StoreCheck;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild system check}: verifies every blob, image, compression record and snapshot; one line per problem.
 * Exits 0 when the store is sound (or {@code --repair} fixed everything), 1 when problems remain.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Verify the store: blob digests, images, compression records, snapshots, leftover temp files.",
        "Exits 1 when problems remain."})
final class SystemCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand SystemCommand parent;

  @Option(names = "--repair", description = "Delete what is corrupt or stray and untag images that are broken.")
  boolean repair;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CheckReport r;
    try (Store store = parent.parent.global.openStore()) {
      r = new StoreCheck(store).check(repair);
    }
    for (CheckReport.Problem p : r.problems()) {
      out.println(p);
    }
    if (!r.removedTags().isEmpty()) {
      out.println("Removed broken images: " + String.join(", ", r.removedTags()));
    }
    long repaired = r.problems().stream().filter(CheckReport.Problem::repaired).count();
    long remaining = r.problems().size() - repaired;
    String checked = "Checked " + PruneCommand.count(r.blobs(), "blob") + ", " + PruneCommand.count(r.images(), "image")
        + ", " + PruneCommand.count(r.compressionRecords(), "compression record") + ", "
        + PruneCommand.count(r.snapshots(), "snapshot") + ": ";
    if (r.problems().isEmpty()) {
      out.println(checked + "no problems");
    } else {
      out.println(checked + PruneCommand.count(r.problems().size(), "problem") + ", " + repaired + " repaired"
          + (remaining > 0 && !repair ? "; run jbuild system check --repair" : ""));
    }
    out.flush();
    return r.clean() ? 0 : Errors.FAILED;
  }
}
