package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BuildMojoTest {
  @Test
  void withDockerfilePath_messageNamingDockerfileInContext_namesTheAbsolutePath() {
    assertThat(BuildMojo.withDockerfilePath("Dockerfile:3:1: unknown instruction COPPY", Path.of("/p"),
        Path.of("/p/Dockerfile"))).isEqualTo("/p/Dockerfile:3:1: unknown instruction COPPY");
    assertThat(BuildMojo.withDockerfilePath("docker/Dockerfile.app:2: bad", Path.of("/p"),
        Path.of("/p/docker/Dockerfile.app"))).isEqualTo("/p/docker/Dockerfile.app:2: bad");
  }

  @Test
  void withDockerfilePath_otherMessages_areKept() {
    assertThat(BuildMojo.withDockerfilePath("pulling x failed", Path.of("/p"), Path.of("/p/Dockerfile")))
        .isEqualTo("pulling x failed");
    assertThat(BuildMojo.withDockerfilePath("/elsewhere/Dockerfile:1: x", Path.of("/p"),
        Path.of("/elsewhere/Dockerfile"))).isEqualTo("/elsewhere/Dockerfile:1: x");
  }
}
