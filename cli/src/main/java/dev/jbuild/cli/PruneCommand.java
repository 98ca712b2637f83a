package dev.jbuild.cli;

import dev.jbuild.store.Store;
import dev.jbuild.store.admin.DirectoryBuildCache;
import dev.jbuild.store.admin.ImageUsers;
import dev.jbuild.store.admin.PruneReport;
import dev.jbuild.store.admin.StoreGc;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild prune}: deletes what no image references. Never prompts (CI has no terminal); {@code -f} is
 * accepted for docker's muscle memory and changes nothing. The grace period, not {@code -f}, decides how recent
 * an unreferenced file may be and still go: a build running now writes its blobs before it tags them.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Delete blobs, compression records, snapshots and temp files that no image references.",
        "Unreferenced files younger than the grace period are kept: they may belong to a build still running."})
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Option(names = {"-a", "--all"},
      description = "Also remove untagged images (and what only they use) and the whole build cache.")
  boolean all;

  @Option(names = {"-f", "--force"}, description = "Accepted for docker compatibility; prune never prompts.")
  boolean force;

  @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class,
      description = "Keep unreferenced files modified within this long (default: 1h; 0 when no other jbuild runs;"
          + " e.g. 30m, 2h, 1d).")
  Duration grace;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = parent.global.openStore()) {
      PruneReport r = new StoreGc(store, grace, new DirectoryBuildCache(store), ImageUsers.NONE).prune(all);
      List<String> parts = new ArrayList<>();
      parts.add(count(r.deletedBlobs().size(), "blob"));
      parts.add(count(r.snapshots(), "snapshot"));
      parts.add(count(r.compressionRecords(), "compression record"));
      if (r.tempFiles() > 0) {
        parts.add(count(r.tempFiles(), "temp file"));
      }
      if (all) {
        parts.add(count(r.removedEntries().size(), "untagged image"));
        parts.add("build cache (" + Sizes.human(r.buildCacheBytes()) + ")");
      }
      out.println("Deleted " + String.join(", ", parts) + "; reclaimed " + Sizes.human(r.bytesFreed()));
      if (r.keptRecent() > 0) {
        out.println("Kept " + count(r.keptRecent(), "unreferenced blob") + " (" + Sizes.human(r.keptRecentBytes())
            + ") modified within the last " + DurationConverter.format(grace)
            + "; --grace 0 removes them when no other jbuild is running");
      }
    }
    out.flush();
    return 0;
  }

  static String count(long n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** {@code 0}, {@code 90s}, {@code 30m}, {@code 1h30m}, {@code 2d}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      if (value.equals("0")) {
        return Duration.ZERO;
      }
      Matcher m = PART.matcher(value);
      Duration total = Duration.ZERO;
      int end = 0;
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
          case "ms": total = total.plusMillis(n); break;
          case "s": total = total.plusSeconds(n); break;
          case "m": total = total.plusMinutes(n); break;
          case "h": total = total.plusHours(n); break;
          default: total = total.plusDays(n);
        }
        end = m.end();
      }
      if (end == 0 || end != value.length()) {
        throw new CommandLine.TypeConversionException(
            "invalid duration \"" + value + "\": use 0 or a number with a unit, e.g. 30m, 1h, 2h30m, 1d");
      }
      return total;
    }

    static String format(Duration d) {
      if (d.toSeconds() % 3600 == 0 && d.toHours() > 0) {
        return d.toHours() + "h";
      }
      if (d.toSeconds() % 60 == 0 && d.toMinutes() > 0) {
        return d.toMinutes() + "m";
      }
      return d.toSeconds() + "s";
    }
  }
}
