package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.testing.BaseImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY corner cases, each as BuildKit's Dockerfile frontend produces it (buildah agrees unless said). */
class CopyCornerCasesTest {
  @TempDir Path tmp;
  private BuildFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
  }

  @AfterEach
  void tearDown() {
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

  /** A heredoc named ../x is written as dest/x (its name is cleaned inside a scratch root), not a crash. */
  @Test
  void copy_heredocNameWithDotDot_isABuildResult_notACrash() throws Exception {
    BuildResult r = f.build("FROM scratch\nCOPY <<../x /dst/\nhello\n../x\n");
    assertThat(f.lastLayer(r)).containsKey("dst/x");
  }
}
