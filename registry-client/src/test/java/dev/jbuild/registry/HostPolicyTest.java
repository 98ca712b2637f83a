package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SSRF and realm rules for a public (non-loopback) registry, which WireMock cannot stand for (R13, R14, C03). */
class HostPolicyTest {
  private static final RegistryTarget PUBLIC =
      RegistryTarget.resolve("registry.example.com", "team/app", RegistryClientSettings.defaults());
  private static final RegistryTarget LOCAL =
      RegistryTarget.resolve("localhost:5000", "app", RegistryClientSettings.defaults());

  @ParameterizedTest
  @ValueSource(strings = {
      "http://169.254.169.254/latest/meta-data", "https://10.0.0.5/x", "https://127.0.0.1/x", "https://0.0.0.0/x",
      "https://[::1]/x", "https://localhost/x", "https://192.168.1.1/x", "https://[fd00::1]/x", "https://2130706433/x"})
  void checkRedirect_publicRegistryToInternalAddress_isRefused(String url) {
    assertThat(HostPolicy.checkRedirect(PUBLIC, URI.create(url))).isNotNull();
  }

  @Test
  void checkRedirect_publicRegistryToStorageOrItself_isAllowed() {
    assertThat(HostPolicy.checkRedirect(PUBLIC, URI.create("https://bucket.s3.amazonaws.com/b?sig=1"))).isNull();
    assertThat(HostPolicy.checkRedirect(PUBLIC, URI.create("https://registry.example.com/v2/other"))).isNull();
  }

  @Test
  void checkRedirect_httpsToPlainHttp_isRefused() {
    assertThat(HostPolicy.checkRedirect(PUBLIC, URI.create("http://cdn.example.com/blob")))
        .contains("downgrades https");
  }

  @Test
  void checkRedirect_loopbackRegistryToOtherLoopbackPort_isAllowedButLinkLocalIsNot() {
    assertThat(HostPolicy.checkRedirect(LOCAL, URI.create("http://127.0.0.1:9999/blob"))).isNull();
    assertThat(HostPolicy.checkRedirect(LOCAL, URI.create("http://169.254.169.254/"))).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "file:///etc/passwd", "ftp://auth.example.com/token", "http://auth.example.com/token",
      "https://169.254.169.254/token", "https://127.0.0.1/token"})
  void checkRealm_publicHttpsRegistry_refusesUnsafeRealms(String realm) {
    assertThat(HostPolicy.checkRealm(PUBLIC, URI.create(realm))).isNotNull();
  }

  @Test
  void checkRealm_usualRealms_areAllowed() {
    assertThat(HostPolicy.checkRealm(PUBLIC, URI.create("https://auth.docker.io/token"))).isNull();
    assertThat(HostPolicy.checkRealm(LOCAL, URI.create("http://127.0.0.1:5001/auth"))).isNull();
  }

  @Test
  void resolve_loopbackAndDockerHub_pickSchemeAndApiHost() {
    assertThat(LOCAL.baseUrl()).isEqualTo("http://localhost:5000");
    assertThat(RegistryTarget.resolve("127.0.0.2:80", "a", RegistryClientSettings.defaults()).https()).isFalse();
    assertThat(RegistryTarget.resolve("[::1]:5000", "a", RegistryClientSettings.defaults()).baseUrl())
        .isEqualTo("http://[::1]:5000");
    assertThat(PUBLIC.baseUrl()).isEqualTo("https://registry.example.com");
    assertThat(RegistryTarget.resolve("docker.io", "library/busybox", RegistryClientSettings.defaults()).baseUrl())
        .isEqualTo("https://registry-1.docker.io");
    assertThat(RegistryTarget.resolve("registry.example.com", "a",
        RegistryClientSettings.defaults().withAllowInsecure(true)).baseUrl()).isEqualTo("http://registry.example.com");
  }
}
