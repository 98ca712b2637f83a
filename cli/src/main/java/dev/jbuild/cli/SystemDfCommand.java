package dev.jbuild.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.store.admin.DiskUsage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jbuild system df}: disk usage of the store per category, like {@code docker system df}. */
@Command(name = "df", description = "Show the store's disk usage.", mixinStandardHelpOptions = true)
final class SystemDfCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand SystemCommand parent;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.", defaultValue = "table")
  String format;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("table") && !format.equals("json")) {
      throw new Errors.UserError("unknown --format \"" + format + "\": use table or json");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = parent.parent.global.openStore()) {
      DiskUsage.Report report = new DiskUsage(store).measure();
      if (format.equals("json")) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (DiskUsage.Category c : report.categories()) {
          ObjectNode o = array.addObject();
          o.put("type", c.type());
          o.put("total", c.total());
          o.put("active", c.active());
          o.put("size", c.bytes());
          o.put("reclaimable", c.reclaimableBytes());
        }
        out.println(new String(OciJson.bytes(array), StandardCharsets.UTF_8));
      } else {
        String row = "%-13s %-9s %-9s %-11s %s%n";
        out.printf(row, "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        for (DiskUsage.Category c : report.categories()) {
          out.printf(row, c.type(), c.total(), c.active(), Sizes.human(c.bytes()),
              Sizes.human(c.reclaimableBytes()) + " (" + Sizes.percent(c.reclaimableBytes(), c.bytes()) + "%)");
        }
      }
    }
    out.flush();
    return 0;
  }
}
