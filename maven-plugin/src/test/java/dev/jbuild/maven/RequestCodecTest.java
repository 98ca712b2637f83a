package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.builder.BuildOptions;
import dev.jbuild.registry.Credential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestCodecTest {
  @Test
  void write_fullRequest_readsBackEqualOptions() throws IOException {
    BuildOptions options = BuildOptions.builder(Path.of("/ctx")).dockerfile(Path.of("/ctx/Dockerfile.app"))
        .tag("app:1").tag("localhost:5000/app:1").buildArg("BASE", "b:1").buildArg("EMPTY", "").target("runtime")
        .platform("linux/arm64").sourceDateEpoch(Instant.ofEpochSecond(1767225600)).label("a", "b").noCache(true)
        .noCacheFilter("build").secret("npm", new BuildOptions.Secret(Path.of("/home/u/.npmrc"), null))
        .secret("token", new BuildOptions.Secret(null, "s3cr\u00e9t\n".getBytes(StandardCharsets.UTF_8)))
        .ssh("default", Path.of("/run/agent.sock")).jobs(2).ociRuntime("crun").build();
    BuildRequest request = new BuildRequest(options, Path.of("/store"), true,
        Map.of("localhost:5000", new Credential("u", "p@ss")));

    BuildRequest read = RequestCodec.read(RequestCodec.write(request));

    assertThat(read.options()).isEqualTo(options);
    assertThat(read.storeRoot()).isEqualTo(Path.of("/store"));
    assertThat(read.offline()).isTrue();
    assertThat(read.credentials()).isEqualTo(request.credentials());
  }

  @Test
  void write_minimalRequest_keepsNullsNull() throws IOException {
    BuildRequest request = new BuildRequest(BuildOptions.builder(Path.of("/ctx")).build(), Path.of("/s"), false, null);
    BuildRequest read = RequestCodec.read(RequestCodec.write(request));
    assertThat(read.options().dockerfile()).isNull();
    assertThat(read.options().target()).isNull();
    assertThat(read.options().sourceDateEpoch()).isNull();
    assertThat(read.options().ociRuntime()).isNull();
    assertThat(read).isEqualTo(request);
  }

  @Test
  void read_withoutContext_failsNamingTheField() {
    assertThatThrownBy(() -> RequestCodec.read("{\"storeRoot\":\"/s\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("contextDir");
    assertThatThrownBy(() -> RequestCodec.read("[1]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("not a JSON object");
  }
}
