package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.testing.registry.RegistryExtension;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry fixture itself: a per-method registry as an instance field, cleaned up afterwards. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryExtensionIT {
  @RegisterExtension RegistryExtension registry = RegistryExtension.anonymous();

  private static Path firstStorage;
  private static int firstPort;

  @Test
  @Order(1)
  void instanceField_firstMethod_getsARunningRegistryOnLocalhost() throws Exception {
    assertThat(registry.host()).isEqualTo("localhost:" + registry.port());
    HttpURLConnection c = (HttpURLConnection) new URL(registry.url() + "/v2/").openConnection();
    assertThat(c.getResponseCode()).isEqualTo(200);
    assertThat(registry.storageDir()).isDirectory();
    assertThat(registry.logFile()).exists();
    firstStorage = registry.storageDir();
    firstPort = registry.port();
  }

  @Test
  @Order(2)
  void instanceField_secondMethod_getsAFreshRegistryAndTheFirstIsGone() throws Exception {
    assertThat(registry.storageDir()).isNotEqualTo(firstStorage);
    assertThat(Files.exists(firstStorage)).isFalse();
    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + firstPort + "/v2/").openConnection();
    c.setConnectTimeout(1000);
    boolean refused;
    try {
      c.getResponseCode();
      refused = registry.port() == firstPort;
    } catch (java.io.IOException e) {
      refused = true;
    }
    assertThat(refused).isTrue();
  }

  @AfterAll
  static void reset() {
    firstStorage = null;
  }
}
