package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.jbuild.testing.BaseImages;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY and ADD corner cases, each as BuildKit's Dockerfile frontend produces it (buildah agrees unless said). */
class CopyCornerCasesTest {
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

  /**
   * The destination of a directory copy is made 0755 (owned per --chown) before the copy, as BuildKit's
   * prepareTargetDir does with MkdirAll (buildah agrees): the source directory's own mode is not copied. A context
   * made by mktemp -d is 0700.
   */
  @Test
  void copy_directoryToNewDestination_is0755_notTheSourceMode() throws Exception {
    f.file("priv/sub/x", "x");
    Files.setPosixFilePermissions(f.context.resolve("priv"), PosixFilePermissions.fromString("rwx------"));
    BuildResult r = f.build("FROM scratch\nCOPY priv /app\nCOPY --chown=1000:1000 priv /app2/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0)).get("app/").mode()).isEqualTo(0755);
    assertThat(f.layer(layers.get(1)).get("app2/").mode()).isEqualTo(0755);
    assertThat(f.layer(layers.get(1)).get("app2/").uid()).isEqualTo(1000);
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

  /** Copying into, or a directory onto, a file of the image fails ("not a directory"), never replacing it. */
  @Test
  void copy_ontoOrUnderAnExistingFile_fails() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    f.file("d/x", "x").file("f", "f");
    assertThatThrownBy(() -> f.build("FROM busybox:test\nCOPY f /etc/passwd/\n"))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: COPY failed: /etc/passwd is not");
    assertThatThrownBy(() -> f.build("FROM busybox:test\nCOPY d /etc/passwd\n"))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: COPY failed: cannot copy a directory");
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

  /** A heredoc named ../x is written as dest/x (its name is cleaned inside a scratch root), not a crash. */
  @Test
  void copy_heredocNameWithDotDot_isABuildResult_notACrash() throws Exception {
    BuildResult r = f.build("FROM scratch\nCOPY <<../x /dst/\nhello\n../x\n");
    assertThat(f.lastLayer(r)).containsKey("dst/x");
  }
}
