package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.testing.registry.RegistryExtension;
import org.junit.jupiter.api.Test;

class RegistryExtensionTest {
  @Test
  void start_binaryMissing_failsPointingAtInstallDeps() {
    String previous = System.getProperty("jbuild.test.registryBinary");
    System.setProperty("jbuild.test.registryBinary", "/nonexistent/docker-registry");
    try (RegistryExtension registry = RegistryExtension.anonymous()) {
      assertThatThrownBy(registry::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/nonexistent/docker-registry")
          .hasMessageContaining("scripts/install-deps");
    } finally {
      if (previous == null) {
        System.clearProperty("jbuild.test.registryBinary");
      } else {
        System.setProperty("jbuild.test.registryBinary", previous);
      }
    }
  }

  @Test
  void host_beforeStart_explainsHowToRegister() {
    assertThatThrownBy(() -> RegistryExtension.anonymous().host())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@RegisterExtension");
  }
}
