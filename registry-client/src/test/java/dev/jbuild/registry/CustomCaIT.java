package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry whose certificate comes from a private CA (made with openssl): trusted only when its PEM is
 * configured for that registry, on top of the system CAs.
 */
class CustomCaIT {
  @TempDir Path dir;
  private HttpsServer server;

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + ": " + out);
    }
  }

  @BeforeEach
  void startHttpsRegistry() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
        "-subj", "/CN=jbuild test CA");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "1", "-extfile", "san.ext");
    openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12",
        "-passout", "pass:changeit");
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(dir.resolve("server.p12").toFile())) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/v2/", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private RegistryClientSettings settings() {
    return RegistryClientSettings.defaults().withMaxRetries(0)
        .withHostOverrides(Map.of("registry.test", "https://localhost:" + server.getAddress().getPort()));
  }

  @Test
  void ping_caFileConfiguredForTheRegistry_trustsItsCertificate() throws Exception {
    RegistryClientSettings settings = settings().withCaCertificates(Map.of("registry.test", dir.resolve("ca.pem")));
    try (RegistryClient client = RegistryClient.create(settings, "registry.test", "app")) {
      client.ping();
    }
  }

  @Test
  void ping_noCaFile_failsTlsAndSuggestsCaFile() throws Exception {
    try (RegistryClient client = RegistryClient.create(settings(), "registry.test", "app")) {
      assertThatThrownBy(client::ping)
          .isInstanceOf(RegistryUnreachableException.class)
          .hasMessageContaining("TLS with localhost")
          .hasMessageContaining("--ca-file");
    }
  }

  @Test
  void create_caFileWithoutCertificates_failsNamingTheFile() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    assertThatThrownBy(() -> RegistryClient.create(settings().withCaCertificates(Map.of("registry.test", empty)),
        "registry.test", "app"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.toString());
    assertThat(empty).exists();
  }
}
