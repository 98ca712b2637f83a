package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.jbuild.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ADD: local archives, URLs (a real local HTTP server), and their failure modes. */
class AddTest {
  @TempDir Path tmp;
  private BuildFixture f;
  private HttpServer server;

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop(0);
    }
    f.close();
  }

  private static byte[] sampleTar() throws Exception {
    return TestImages.tar(List.of(TestImages.dir("pkg/"), TestImages.file("pkg/a.txt", "A"),
        TestImages.symlink("pkg/l", "a.txt")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tar", "gzip", "bzip2", "xz", "zstd"})
  void add_localArchive_isUnpackedWhateverItsCompression(String kind) throws Exception {
    byte[] tar = sampleTar();
    byte[] bytes = switch (kind) {
      case "gzip" -> compress(tar, o -> new GZIPOutputStream(o));
      case "bzip2" -> compress(tar, BZip2CompressorOutputStream::new);
      case "xz" -> compress(tar, XZCompressorOutputStream::new);
      case "zstd" -> compress(tar, dev.jbuild.store.compress.Zstd::compressing);
      default -> tar;
    };
    Files.write(f.context.resolve("archive.bin"), bytes); // by content, not by name
    BuildResult r = f.build("FROM scratch\nADD archive.bin /opt\n");
    Map<String, BuildFixture.Entry> layer = f.lastLayer(r);
    assertThat(layer.keySet()).containsExactly("opt/", "opt/pkg/", "opt/pkg/a.txt", "opt/pkg/l");
    assertThat(layer.get("opt/pkg/a.txt").content()).isEqualTo("A");
    assertThat(layer.get("opt/pkg/a.txt").uid()).isEqualTo(3); // archive owners kept
    assertThat(layer.get("opt/pkg/l").link()).isEqualTo("a.txt");
  }

  @Test
  void add_unpackFalse_orANonTarNamedTar_copiesTheFile() throws Exception {
    Files.write(f.context.resolve("real.tar"), sampleTar());
    f.file("fake.tar.gz", "not an archive");
    BuildResult r = f.build("FROM scratch\nADD --unpack=false real.tar /x/\nADD fake.tar.gz /y/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0)).keySet()).containsExactly("x/", "x/real.tar");
    assertThat(f.layer(layers.get(1)).get("y/fake.tar.gz").content()).isEqualTo("not an archive");
  }

  @Test
  void add_hostileArchive_neverTouchesAnythingOutside() throws Exception {
    // B16 with L01/L06: ../victim/dotdot and a symlink leading out, then a file through it.
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("hello"), "victim");
    Files.write(f.context.resolve("evil.tar"), TestImages.tar(List.of(TestImages.symlink("loophole", "../../victim"),
        TestImages.file("loophole/newfile", "pwn"))));
    Files.write(f.context.resolve("dotdot.tar"), TestImages.tar(List.of(TestImages.file("../victim/dotdot", "pwn"))));
    for (String archive : List.of("evil.tar", "dotdot.tar")) {
      // The layer applier's policy: entries that climb out are rejected, and the build stops naming the archive.
      assertThatThrownBy(() -> f.build("FROM scratch\nADD " + archive + " /x/\n", "t:1"))
          .isInstanceOf(BuildException.class).hasMessageContaining("cannot unpack " + archive);
      assertThat(f.store.images().resolve("t:1")).isEmpty();
      try (var s = Files.list(victim)) {
        assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("hello");
      }
      assertThat(Files.readString(victim.resolve("hello"))).isEqualTo("victim");
    }
  }

  @Test
  void add_url_namesTheFileFromThePath_mode0600_mtimeFromLastModified() throws Exception {
    serve("/files/tool.sh", "echo hi\n".getBytes(StandardCharsets.UTF_8), Map.of("Last-Modified",
        "Wed, 21 Oct 2015 07:28:00 GMT"));
    BuildResult r = f.build("FROM scratch\nADD " + url("/files/tool.sh") + " /bin/\nADD " + url("/files/tool.sh")
        + " /named\n");
    BuildFixture.Entry e = f.layer(f.manifest(r).layers().get(0)).get("bin/tool.sh");
    assertThat(e.content()).isEqualTo("echo hi\n");
    assertThat(e.mode()).isEqualTo(0600);
    assertThat(e.mtime()).isEqualTo(Instant.parse("2015-10-21T07:28:00Z"));
    assertThat(f.lastLayer(r).get("named").content()).isEqualTo("echo hi\n");
  }

  /** A download that takes the place of a hard-linked context file is the download, not a link to its partner. */
  @Test
  void add_urlReplacingAHardLinkedContextFile_keepsTheDownloadedBytes() throws Exception {
    f.file("a.txt", "context\n");
    Files.createLink(f.context.resolve("b.txt"), f.context.resolve("a.txt"));
    serve("/b.txt", "downloaded\n".getBytes(StandardCharsets.UTF_8), Map.of());
    BuildResult r = f.build("FROM scratch\nADD a.txt b.txt " + url("/b.txt") + " /d/\n");
    Map<String, BuildFixture.Entry> layer = f.layer(f.manifest(r).layers().get(0));
    assertThat(layer.get("d/a.txt").content()).isEqualTo("context\n");
    assertThat(layer.get("d/b.txt").content()).isEqualTo("downloaded\n");
  }

  @Test
  void add_urlWithChecksum_verifiesIt() throws Exception {
    byte[] body = "payload".getBytes(StandardCharsets.UTF_8);
    serve("/p", body, Map.of("Content-Disposition", "attachment; filename=\"../../etc/passwd\""));
    BuildResult r = f.build("FROM scratch\nADD --checksum=" + Digest.sha256Of(body) + " " + url("/p") + " /d/\n");
    // Named after the URL as written, as BuildKit's frontend does: never after Content-Disposition.
    assertThat(f.lastLayer(r).keySet()).containsExactly("d/", "d/p");
    String wrong = Digest.sha256Of("other".getBytes(StandardCharsets.UTF_8)).toString();
    assertThatThrownBy(() -> f.build("FROM scratch\nADD --checksum=" + wrong + " " + url("/p") + " /d/\n", "t:1"))
        .isInstanceOf(BuildException.class).hasMessageContaining("digest mismatch");
    assertThat(f.store.images().resolve("t:1")).isEmpty();
  }

  @Test
  void add_urlErrors_nameTheStatusAndNeverTheCredentials() throws Exception {
    serve("/ok", new byte[0], Map.of());
    String secretUrl = "http://user:s3cret@127.0.0.1:" + server.getAddress().getPort() + "/missing?token=abc";
    assertThatThrownBy(() -> f.build("FROM scratch\nADD " + secretUrl + " /x\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("404")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("abc"));
  }

  @Test
  void add_urlTruncatedBody_fails() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/cut", ex -> {
      ex.sendResponseHeaders(200, 1000);
      ex.getResponseBody().write(new byte[10]);
      ex.close(); // fewer bytes than Content-Length: the connection ends early
    });
    server.start();
    assertThatThrownBy(() -> f.build("FROM scratch\nADD " + url("/cut") + " /x\n", "t:1"))
        .isInstanceOf(BuildException.class).hasMessageContaining("cannot download");
    assertThat(f.store.images().resolve("t:1")).isEmpty();
  }

  @Test
  void add_urlUnpackTrue_unpacksTheDownload_copyOfAUrlIsRefused() throws Exception {
    serve("/a.tgz", compress(sampleTar(), o -> new GZIPOutputStream(o)), Map.of());
    BuildResult r = f.build("FROM scratch\nADD --unpack=true " + url("/a.tgz") + " /u/\nADD " + url("/a.tgz")
        + " /p/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0))).containsKey("u/pkg/a.txt");
    assertThat(f.layer(layers.get(1)).keySet()).containsExactly("p/", "p/a.tgz");
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY " + url("/a.tgz") + " /p/\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("source can't be a URL for COPY");
  }

  /**
   * The Dockerfile frontend names a download after the base of the URL's path as written, so neither
   * Content-Disposition nor a redirect's target names the file.
   */
  @Test
  void add_url_isNamedAfterTheOriginalUrlPath() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String p = ex.getRequestURI().getPath();
      if (p.equals("/latest")) {
        ex.getResponseHeaders().add("Location", "/files/app-1.2.3.txt");
        ex.sendResponseHeaders(302, -1);
        ex.close();
        return;
      }
      if (p.equals("/dl")) {
        ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"real-name.txt\"");
      }
      byte[] body = "x".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    BuildResult r = f.build("FROM scratch\nADD " + base + "/dl?id=3 /u1/\nADD " + base + "/latest /u2/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0)).keySet()).containsExactly("u1/", "u1/dl");
    assertThat(f.layer(layers.get(1)).keySet()).containsExactly("u2/", "u2/latest");
  }

  /** An unpacked local archive keeps its own modes: --chmod does not apply to it. */
  @Test
  void add_localArchiveWithChmod_keepsTheArchiveModes() throws Exception {
    byte[] tar = TestImages.tar(List.of(TestImages.dir("pkg/"), TestImages.file("pkg/a.txt", "A")));
    Files.write(f.context.resolve("a.tar"), tar);
    BuildResult r = f.build("FROM scratch\nADD --chmod=640 a.tar /opt/\n");
    Map<String, BuildFixture.Entry> layer = f.lastLayer(r);
    assertThat(layer.get("opt/pkg/").mode() & 0111).isNotZero(); // a directory the archive made searchable
  }

  private void serve(String path, byte[] body, Map<String, String> headers) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      if (!ex.getRequestURI().getPath().equals(path)) {
        ex.sendResponseHeaders(404, -1);
        ex.close();
        return;
      }
      headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  interface Compressor {
    OutputStream wrap(OutputStream out) throws java.io.IOException;
  }

  static byte[] compress(byte[] data, Compressor c) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = c.wrap(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }
}
