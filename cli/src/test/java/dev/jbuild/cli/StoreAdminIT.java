package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rmi, history, prune and system df/check end to end on a store holding the hello sample and the busybox fixture,
 * with skopeo (not jbuild) confirming that what remains is still a readable OCI layout.
 */
class StoreAdminIT {
  private static final Path HELLO = Processes.repoRoot().resolve("samples/hello");

  @TempDir Path tmp;
  Path root;
  Cli cli;
  String hello;
  Descriptor busybox;

  @BeforeEach
  void storeWithHelloAndBusybox() throws Exception {
    root = tmp.resolve("store");
    cli = new Cli(root);
    Cli.Result build = cli.run("build", "-t", "hello:1", HELLO.toString());
    assertThat(build.exit()).as(build.toString()).isZero();
    hello = build.line();
    try (Store store = Store.open(root)) {
      busybox = BaseImages.busybox(store, "busybox:1");
    }
  }

  private Cli.Result ok(String... args) {
    Cli.Result r = cli.run(args);
    assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isZero();
    return r;
  }

  private static List<String> lines(Cli.Result r) {
    return r.out().lines().toList();
  }

  @Test
  void history_helloAndBusybox_newestFirstWithLayerSizes() throws Exception {
    Cli.Result table = ok("history", "hello:1");
    List<String> rows = lines(table);
    assertThat(rows.get(0)).matches("IMAGE\\s+CREATED\\s+CREATED BY\\s+SIZE\\s+COMMENT");
    assertThat(rows.get(1)).startsWith(hello.substring("sha256:".length(), "sha256:".length() + 12));
    assertThat(rows.subList(2, rows.size())).allMatch(l -> l.startsWith("<missing>"));

    JsonNode json = OciJson.mapper().readTree(ok("history", "--format", "json", "hello:1").out());
    Manifest manifest;
    try (Store store = Store.open(root)) {
      Descriptor d = store.images().resolve("hello:1").orElseThrow();
      manifest = OciJson.readManifest(store.blobs().readAll(d.digest(), 1 << 20));
    }
    List<Long> layerSizes = new ArrayList<>();
    List<String> createdBy = new ArrayList<>();
    for (JsonNode row : json) {
      createdBy.add(row.get("createdBy").asText());
      if (!row.get("emptyLayer").asBoolean()) {
        layerSizes.add(0, row.get("size").asLong()); // newest first: prepend to get manifest order
      } else {
        assertThat(row.get("size").asLong()).isZero();
      }
    }
    assertThat(layerSizes).isEqualTo(manifest.layers().stream().map(Descriptor::size).toList());
    assertThat(createdBy.get(0)).contains("CMD");
    assertThat(createdBy).anyMatch(c -> c.contains("COPY")).anyMatch(c -> c.contains("WORKDIR"));
    assertThat(json.get(0).get("id").asText()).isEqualTo(hello);

    JsonNode bb = OciJson.mapper().readTree(ok("history", "--format=json", busybox.digest().shortHex()).out());
    assertThat(bb).hasSize(1);
    assertThat(bb.get(0).get("createdBy").asText()).isEqualTo("jbuild test fixture: busybox-static");
    assertThat(bb.get(0).get("size").asLong()).isGreaterThan(100_000);
  }

  @Test
  void rmi_pruneAndCheck_leaveAStoreSkopeoStillReads() throws Exception {
    ok("tag", "hello:1", "hello:latest");
    ok("tag", "hello:1", "mirror/hello:1");
    String helloId = hello.substring("sha256:".length(), "sha256:".length() + 12);

    // By ID, names in two repositories need --force; by name, only that name goes.
    Cli.Result refused = cli.run("rmi", helloId);
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("conflict: unable to delete " + helloId + " (must be forced)")
        .contains("hello:1, hello:latest, mirror/hello:1");
    assertThat(ok("rmi", "mirror/hello:1").out()).isEqualTo("Untagged: mirror/hello:1\n");
    Cli.Result removed = ok("rmi", "--force", helloId);
    List<String> out = lines(removed);
    assertThat(out).startsWith("Untagged: hello:1", "Untagged: hello:latest", "Deleted: " + hello);
    assertThat(out).filteredOn(l -> l.startsWith("Deleted: ")).hasSizeGreaterThan(2);
    assertThat(ok("images").out()).doesNotContain("hello").contains("busybox");
    Cli.Result missing = cli.run("rmi", "hello:1", "nosuch:2");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("no such image: hello:1").contains("no such image: nosuch:2");

    // An untagged build leaves blobs that only a prune past the grace period removes.
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
    Files.writeString(ctx.resolve("a.txt"), "dangling\n");
    ok("build", ctx.toString());
    assertThat(ok("prune").out()).startsWith("Deleted 0 blobs").contains("Kept 3 unreferenced blobs");
    JsonNode df = OciJson.mapper().readTree(ok("system", "df", "--format", "json").out());
    assertThat(df.get(1).get("type").asText()).isEqualTo("Blobs");
    assertThat(df.get(1).get("total").asLong()).isEqualTo(6); // busybox: 3, the untagged build: 3
    assertThat(df.get(1).get("active").asLong()).isEqualTo(3);
    assertThat(ok("system", "df").out()).containsPattern("Images\\s+1\\s+1\\s+");
    assertThat(ok("prune", "--grace", "0").out()).startsWith("Deleted 3 blobs, 0 snapshots");

    Cli.Result check = ok("system", "check");
    assertThat(check.out()).contains("Checked 3 blobs, 1 image").contains("no problems");
    assertThat(ok("prune", "--all", "--grace=0", "-f").out()).startsWith("Deleted 0 blobs");
    assertThat(ok("system", "check").out()).contains("no problems");
    Processes.Output skopeo = Processes.run(
        List.of("skopeo", "inspect", "oci:" + root + ":busybox:1"), Map.of(), null);
    assertThat(skopeo.exit()).as(skopeo.toString()).isZero();
    assertThat(OciJson.mapper().readTree(skopeo.out()).get("Layers")).hasSize(1);
  }

  @Test
  void systemCheck_corruptLayer_exitsOneThenRepairRemovesTheBrokenImage() throws Exception {
    Manifest manifest;
    try (Store store = Store.open(root)) {
      manifest = OciJson.readManifest(store.blobs().readAll(busybox.digest(), 1 << 20));
    }
    Path layer = root.resolve("blobs/sha256").resolve(manifest.layers().get(0).digest().hex());
    try (RandomAccessFile f = new RandomAccessFile(layer.toFile(), "rw")) {
      f.seek(1000);
      int b = f.read();
      f.seek(1000);
      f.write(b ^ 0x20);
    }

    Cli.Result found = cli.run("system", "check");
    assertThat(found.exit()).as(found.toString()).isEqualTo(1);
    assertThat(found.out())
        .contains("blobs/sha256/" + layer.getFileName() + ": corrupt: its content hashes to sha256:")
        .contains("image busybox:1: layer 1 " + manifest.layers().get(0).digest() + " is corrupt")
        .contains("run jbuild system check --repair");

    Cli.Result repaired = cli.run("system", "check", "--repair");
    assertThat(repaired.exit()).as(repaired.toString()).isZero();
    assertThat(repaired.out()).contains("(repaired: deleted)").contains("Removed broken images: busybox:1");
    assertThat(ok("system", "check").out()).contains("no problems");
    assertThat(ok("images").out()).contains("hello").doesNotContain("busybox");
    Processes.Output skopeo = Processes.run(List.of("skopeo", "inspect", "oci:" + root + ":hello:1"), Map.of(), null);
    assertThat(skopeo.exit()).as(skopeo.toString()).isZero();
  }

  @Test
  void system_withoutSubcommand_isAUsageError() {
    Cli.Result r = cli.run("system");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("jbuild system df or check");
  }
}
