package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** save, load, import and export through the command line, in-process. */
class ArchiveCommandsTest {
  @TempDir Path tmp;
  Cli cli;
  Path root;

  @BeforeEach
  void busybox() throws Exception {
    root = tmp.resolve("store");
    try (Store store = Store.open(root)) {
      BaseImages.busybox(store, "busybox:1");
      store.images().tag("busybox:other", store.images().resolve("busybox:1").orElseThrow());
    }
    cli = new Cli(root);
  }

  private static Cli.Result ok(Cli c, String... args) {
    Cli.Result r = c.run(args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void saveThenLoad_intoAnEmptyStore_sameDigestsAndValid() throws Exception {
    Path archive = tmp.resolve("bb.tar");
    ok(cli, "save", "-o", archive.toString(), "busybox:1", "busybox:other");
    String digest = ok(cli, "images", "--digests").out().lines().filter(l -> l.startsWith("busybox"))
        .findFirst().orElseThrow().replaceAll(".*(sha256:[0-9a-f]+).*", "$1");

    Cli fresh = new Cli(tmp.resolve("fresh"));
    Cli.Result load = ok(fresh, "load", "-i", archive.toString());

    assertThat(load.out()).contains("Loaded image: busybox:1 " + digest, "Loaded image: busybox:other " + digest);
    try (Store store = Store.open(tmp.resolve("fresh"))) {
      ImageValidator.validate(store.blobs(), store.images().resolve("busybox:other").orElseThrow());
    }
    assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
  }

  @Test
  void load_hostileArchive_errorNamesTheEntryAndTheStoreIsUntouched() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry link = new TarArchiveEntry("manifest.json", TarConstants.LF_SYMLINK);
      link.setLinkName("/etc/passwd");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    }
    Path evil = Files.write(tmp.resolve("evil.tar"), bytes.toByteArray());
    String images = ok(cli, "images").out();
    byte[] index = Files.readAllBytes(root.resolve("index.json"));

    Cli.Result load = cli.run("load", "-i", evil.toString());

    assertThat(load.exit()).isEqualTo(1);
    assertThat(load.err()).contains("jbuild: error: archive " + evil + ": entry manifest.json is a symlink");
    assertThat(ok(cli, "images").out()).isEqualTo(images);
    assertThat(Files.readAllBytes(root.resolve("index.json"))).isEqualTo(index);
    assertThat(ok(cli, "system", "check").out()).contains("no problems");
  }

  @Test
  void import_fromHttpWithChanges_makesAOneLayerImageWithThatConfig() throws Exception {
    Path rootfs = tmp.resolve("rootfs.tar");
    ok(cli, "export", "--rootfs-only", "busybox:1", "-o", rootfs.toString());
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(Files.readAllBytes(rootfs));
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/rootfs.tar.gz", exchange -> {
      exchange.sendResponseHeaders(200, gz.size());
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(gz.toByteArray());
      }
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/rootfs.tar.gz";
      Cli.Result imp = ok(cli, "import", "--change", "ENV GREETING=hi", "--change", "CMD echo $GREETING",
          "-c", "EXPOSE 8080/udp", "-c", "WORKDIR /srv", "-c", "USER 1000", "-m", "from the test", url, "imported:1");
      assertThat(imp.line()).matches("sha256:[0-9a-f]{64}");

      JsonNode config = OciJson.mapper().readTree(ok(cli, "inspect", "imported:1").out()).get("config");
      assertThat(config.get("config").get("Env").toString()).contains("GREETING=hi");
      assertThat(config.get("config").get("Cmd").toString()).isEqualTo("[\"/bin/sh\",\"-c\",\"echo $GREETING\"]");
      assertThat(config.get("config").get("ExposedPorts").has("8080/udp")).isTrue();
      assertThat(config.get("config").get("WorkingDir").asText()).isEqualTo("/srv");
      assertThat(config.get("config").get("User").asText()).isEqualTo("1000");
      assertThat(config.get("history").get(0).get("comment").asText()).isEqualTo("from the test");
      assertThat(config.get("rootfs").get("diff_ids")).hasSize(1);
      try (Store store = Store.open(root)) {
        Descriptor d = store.images().resolve("imported:1").orElseThrow();
        ImageValidator.validate(store.blobs(), d);
      }
      // The flattened import holds what the rootfs held.
      Path again = tmp.resolve("again.tar");
      ok(cli, "export", "--rootfs-only", "imported:1", "-o", again.toString());
      assertThat(TarListing.names(again)).containsExactlyElementsOf(TarListing.names(rootfs));

      Cli.Result capped = cli.run("import", "--max-size", "1K", url, "capped:1");
      assertThat(capped.exit()).isEqualTo(1);
      assertThat(capped.err()).contains("more than --max-size 1K");
      assertThat(ok(cli, "images").out()).doesNotContain("capped");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void import_changeThatIsNotAllowed_failsAndNamesIt() throws Exception {
    Path rootfs = Files.write(tmp.resolve("r.tar"), "not used".getBytes(StandardCharsets.UTF_8));
    Cli.Result r = cli.run("import", "-c", "RUN rm -rf /", rootfs.toString(), "x:1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--change \"RUN rm -rf /\": only CMD, ENTRYPOINT");
  }

  /**
   * docker save takes an image ID (full or a prefix) and repo@digest as well as a tag; an archive of an image named
   * only by its content has no RepoTags (docker load would refuse a digest there) and loads untagged.
   */
  @Test
  void save_byIdPrefixDigestAndRepoAtDigest_writesTheImageUntagged() throws Exception {
    String digest;
    try (Store store = Store.open(root)) {
      digest = store.images().resolve("busybox:1").orElseThrow().digest().toString();
    }
    String hex = digest.substring("sha256:".length());
    for (String arg : new String[] {digest, hex.substring(0, 12), "busybox@" + digest}) {
      Path archive = tmp.resolve(arg.replace(':', '_').replace('@', '_') + ".tar");
      ok(cli, "save", "-o", archive.toString(), arg);

      JsonNode manifest = OciJson.mapper().readTree(TarListing.content(archive, "manifest.json"));
      assertThat(manifest).as(arg).hasSize(1);
      assertThat(manifest.get(0).get("RepoTags").isNull()).as(arg).isTrue();
      Cli fresh = new Cli(tmp.resolve("fresh-" + hex.substring(0, 4) + arg.length()));
      assertThat(ok(fresh, "load", "-i", archive.toString()).out()).as(arg)
          .isEqualTo("Loaded image ID: " + digest + " (untagged)\n");
    }
    Path rootfs = tmp.resolve("by-id-rootfs.tar");
    ok(cli, "export", "--rootfs-only", "-o", rootfs.toString(), hex.substring(0, 12));
    assertThat(TarListing.names(rootfs)).contains("bin/busybox");
  }

  @Test
  void save_repoAtDigestOfAnotherRepository_isNoSuchImage() throws Exception {
    String digest;
    try (Store store = Store.open(root)) {
      digest = store.images().resolve("busybox:1").orElseThrow().digest().toString();
    }
    Cli.Result r = cli.run("save", "-o", tmp.resolve("x.tar").toString(), "alpine@" + digest);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no such image: alpine@" + digest);
  }

  @Test
  void save_unknownImage_failsWithoutLeavingAFile() throws Exception {
    Path out = tmp.resolve("nothing.tar");
    Cli.Result r = cli.run("save", "-o", out.toString(), "busybox:1", "nope:1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no such image: nope:1");
    assertThat(out).doesNotExist();
    assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
  }
}
