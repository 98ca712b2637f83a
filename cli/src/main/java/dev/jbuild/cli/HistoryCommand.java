package dev.jbuild.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.admin.ImageHistory;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild history IMAGE}: the steps that made an image, newest first, as {@code docker history} shows. */
@Command(name = "history", description = "Show the history of an image.", mixinStandardHelpOptions = true)
final class HistoryCommand implements Callable<Integer> {
  private static final int CREATED_BY_WIDTH = 45;

  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Option(names = "--no-trunc", description = "Show full digests and commands.")
  boolean noTrunc;

  @Option(names = {"-H", "--human"}, arity = "1", defaultValue = "true", paramLabel = "BOOL",
      description = "Print times as ages (\"2 hours ago\"); false prints RFC 3339 (default: true).")
  boolean human;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.", defaultValue = "table")
  String format;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "A name, an ID prefix or a sha256: digest.")
  String image;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("table") && !format.equals("json")) {
      throw new Errors.UserError("unknown --format \"" + format + "\": use table or json");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = parent.global.openStore()) {
      ImageArgs.Target target = ImageArgs.resolve(store, image);
      List<ImageHistory.Row> rows = ImageHistory.of(store, target.descriptor(), Platform.host(), image);
      if (format.equals("json")) {
        out.println(new String(OciJson.bytes(json(rows)), StandardCharsets.UTF_8));
      } else {
        table(out, rows);
      }
    }
    out.flush();
    return 0;
  }

  private void table(PrintWriter out, List<ImageHistory.Row> rows) {
    Instant now = Instant.now();
    String row = "%-" + (noTrunc ? 71 : 12) + "s   %-20s   %-" + CREATED_BY_WIDTH + "s   %-9s   %s%n";
    out.printf(row, "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
    for (ImageHistory.Row r : rows) {
      String id = r.image() == null ? "<missing>" : noTrunc ? r.image().toString() : r.image().shortHex();
      String created = human ? Sizes.ago(r.created(), now) : r.created() == null ? "N/A" : r.created().toString();
      String by = r.createdBy().replace('\n', ' ').replace('\t', ' ');
      if (!noTrunc && by.length() > CREATED_BY_WIDTH) {
        by = by.substring(0, CREATED_BY_WIDTH - 1) + "…";
      }
      out.printf(row, id, created, by, Sizes.human(r.size()), r.comment()).flush();
    }
  }

  private static ArrayNode json(List<ImageHistory.Row> rows) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (ImageHistory.Row r : rows) {
      ObjectNode o = array.addObject();
      o.put("id", r.image() == null ? "<missing>" : r.image().toString());
      if (r.created() != null) {
        o.put("created", r.created().toString());
      }
      o.put("createdBy", r.createdBy());
      o.put("size", r.size());
      o.put("comment", r.comment());
      o.put("emptyLayer", r.emptyLayer());
      if (r.layer() != null) {
        o.put("layer", r.layer().toString());
      }
    }
    return array;
  }
}
