package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PushMojoTest {
  @Test
  void namesRegistry_hostWithDotPortOrLocalhost_isARegistry() {
    assertThat(PushMojo.namesRegistry("localhost:5000/samples/app:1")).isTrue();
    assertThat(PushMojo.namesRegistry("localhost/app:1")).isTrue();
    assertThat(PushMojo.namesRegistry("ghcr.io/team/app:1")).isTrue();
    assertThat(PushMojo.namesRegistry("docker.io/team/app:1")).isTrue();
  }

  @Test
  void namesRegistry_localNames_areNotPushed() {
    assertThat(PushMojo.namesRegistry("app:1")).isFalse();
    assertThat(PushMojo.namesRegistry("team/app:1")).isFalse();
  }
}
