package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.ContainerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {
  @Test
  void apply_everyAllowedInstruction_setsTheConfigAsTheBuilderWould() throws Exception {
    ContainerConfig c = ConfigChanges.apply(ContainerConfig.EMPTY, List.of(
        "ENV BASE=/opt", "WORKDIR $BASE", "WORKDIR app", "ENTRYPOINT [\"/bin/tini\"]", "CMD run --fast",
        "EXPOSE 80 53/udp", "LABEL a=b", "USER 1000:1000", "VOLUME /data", "STOPSIGNAL SIGINT"));

    assertThat(c.env()).contains("BASE=/opt");
    assertThat(c.workingDir()).isEqualTo("/opt/app");
    assertThat(c.entrypoint()).containsExactly("/bin/tini");
    assertThat(c.cmd()).containsExactly("/bin/sh", "-c", "run --fast");
    assertThat(c.exposedPorts()).containsExactly("53/udp", "80/tcp");
    assertThat(c.labels()).containsEntry("a", "b");
    assertThat(c.user()).isEqualTo("1000:1000");
    assertThat(c.volumes()).containsExactly("/data");
    assertThat(c.stopSignal()).isEqualTo("SIGINT");
  }

  @Test
  void apply_runOrTwoInstructions_refusedNamingTheChange() {
    assertThatThrownBy(() -> ConfigChanges.apply(ContainerConfig.EMPTY, List.of("RUN true")))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("--change \"RUN true\": only CMD");
    assertThatThrownBy(() -> ConfigChanges.apply(ContainerConfig.EMPTY, List.of("CMD a\nCMD b")))
        .hasMessageContaining("exactly one instruction");
    assertThatThrownBy(() -> ConfigChanges.apply(ContainerConfig.EMPTY, List.of("EXPOSE 99999")))
        .hasMessage("--change \"EXPOSE 99999\": invalid port \"99999\" in EXPOSE");
  }
}
