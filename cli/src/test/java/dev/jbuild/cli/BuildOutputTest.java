package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --output specs as buildx reads them. */
class BuildOutputTest {
  @TempDir Path tmp;

  @Test
  void parse_shortForms_dirIsLocalAndDashIsTarOnStdout() {
    assertThat(BuildOutput.parse("out/dir")).isEqualTo(new BuildOutput(BuildOutput.Type.LOCAL, "out/dir", Map.of()));
    BuildOutput stdout = BuildOutput.parse("-");
    assertThat(stdout.type()).isEqualTo(BuildOutput.Type.TAR);
    assertThat(stdout.toStdout()).isTrue();
  }

  @Test
  void parse_fullForms_typeDestAndAttributes() {
    assertThat(BuildOutput.parse("type=oci,dest=img.tar,name=x:1"))
        .isEqualTo(new BuildOutput(BuildOutput.Type.OCI, "img.tar", Map.of("name", "x:1")));
    assertThat(BuildOutput.parse("type=docker,dest=-").toStdout()).isTrue();
    assertThat(BuildOutput.parse("dest=d, type=LOCAL").type()).isEqualTo(BuildOutput.Type.LOCAL);
    assertThat(BuildOutput.parse("type=registry").pushes()).isTrue();
    assertThat(BuildOutput.parse("type=image,push=true").pushes()).isTrue();
    assertThat(BuildOutput.parse("type=image").pushes()).isFalse();
  }

  @Test
  void parse_badSpecs_sayWhatIsWrong() {
    assertThatThrownBy(() -> BuildOutput.parse("dest=x")).hasMessageContaining("it needs type=");
    assertThatThrownBy(() -> BuildOutput.parse("type=zip,dest=x"))
        .hasMessage("unknown --output type \"zip\": use local, tar, oci, docker, image or registry");
    assertThatThrownBy(() -> BuildOutput.parse("type=tar")).hasMessage("--output type=tar needs dest=FILE");
    assertThatThrownBy(() -> BuildOutput.parse("type=local,dest=-"))
        .hasMessageContaining("use type=tar,dest=- for stdout");
    assertThatThrownBy(() -> BuildOutput.parse("type=registry,dest=x")).hasMessageContaining("takes no dest");
    assertThatThrownBy(() -> BuildOutput.parse("type=oci,dest=x,compression=zstd"))
        .hasMessageContaining("unknown --output attribute \"compression\"");
    assertThatThrownBy(() -> BuildOutput.parse("type=oci,dest")).hasMessageContaining("\"dest\" is not KEY=VALUE");
  }

  @Test
  void ociAsDirectory_existingDirTrailingSlashOrTarFalse() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("layout"));
    assertThat(BuildExports.ociAsDirectory(BuildOutput.parse("type=oci,dest=" + dir))).isTrue();
    assertThat(BuildExports.ociAsDirectory(BuildOutput.parse("type=oci,dest=" + tmp.resolve("new") + "/"))).isTrue();
    assertThat(BuildExports.ociAsDirectory(BuildOutput.parse("type=oci,dest=" + tmp.resolve("x") + ",tar=false")))
        .isTrue();
    assertThat(BuildExports.ociAsDirectory(BuildOutput.parse("type=oci,dest=" + tmp.resolve("img.tar")))).isFalse();
    assertThat(BuildExports.ociAsDirectory(BuildOutput.parse("type=oci,dest=" + dir + ",tar=true"))).isFalse();
  }
}
