package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.registry.transfer.RegistryCopy;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import dev.jbuild.testing.registry.TokenServer;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real docker-registry with {@code auth: token}: every request needs a JWT that the in-test token server
 * signs and the registry verifies against the token server's certificate.
 */
class TokenAuthRegistryIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.withTokenAuth("tom", "token-pass");

  @TempDir Path temp;

  @BeforeEach
  void resetLifetimes() {
    registry.tokenServer().setTokenLifetime(Duration.ofMinutes(5));
    registry.tokenServer().setAdvertisedLifetime(Duration.ofMinutes(5));
  }

  private RegistryClientSettings settings() {
    return RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.of(registry.host(), "tom", "token-pass"));
  }

  @Test
  void pushAndPull_rightCredentials_getsScopedTokensFromTheRealm() throws Exception {
    TokenServer tokens = registry.tokenServer();
    try (RegistryClient client = RegistryClient.create(settings(), registry.host(), "tok/app")) {
      Digest digest = RegistryClientIT.pushSmallImage(client, "v1");
      assertThat(client.pullManifest("v1").digest()).isEqualTo(digest);
    }
    assertThat(tokens.requests()).contains("GET basic repository:tok/app:pull,push");
    assertThat(tokens.requests()).noneMatch(r -> r.startsWith("GET anonymous"));
  }

  @Test
  void pullManifest_anonymous_isRefusedByTheTokenService() throws Exception {
    try (RegistryClient client = RegistryClient.create(RegistryClientSettings.defaults(), registry.host(), "tok/anon")) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryAuthenticationException.class)
          .hasMessageContaining("anonymous access was refused");
    }
  }

  @Test
  void pullManifest_wrongPassword_failsWithoutShowingIt() throws Exception {
    RegistryClientSettings wrong = RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.of(registry.host(), "tom", "not-the-pass"));
    try (RegistryClient client = RegistryClient.create(wrong, registry.host(), "tok/wrong")) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryAuthenticationException.class)
          .hasMessageContaining("user tom were rejected")
          .hasMessageNotContaining("not-the-pass");
    }
  }

  @Test
  void checkLogin_rightAndWrongPassword_acceptsOnlyTheRightOne() throws Exception {
    RegistryClient.checkLogin(RegistryClientSettings.defaults(), registry.host(), new Credential("tom", "token-pass"));
    assertThatThrownBy(() -> RegistryClient.checkLogin(
        RegistryClientSettings.defaults(), registry.host(), new Credential("tom", "nope")))
        .isInstanceOf(RegistryAuthenticationException.class);
  }

  @Test
  void pull_identityToken_usesTheOauth2RefreshGrantByPost() throws Exception {
    try (RegistryClient pusher = RegistryClient.create(settings(), registry.host(), "tok/oauth")) {
      RegistryClientIT.pushSmallImage(pusher, "v1");
    }
    RegistryClientSettings identity = RegistryClientSettings.defaults().withCredentials(CredentialSource.of(
        registry.host(), Credential.IDENTITY_TOKEN_USER, registry.tokenServer().refreshToken()));
    try (RegistryClient client = RegistryClient.create(identity, registry.host(), "tok/oauth")) {
      assertThat(client.pullManifest("v1").mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    }
    assertThat(registry.tokenServer().requests()).contains("POST refresh_token repository:tok/oauth:pull");
  }

  @Test
  void pushPullAndCopy_storedImage_roundTripsAndCopyMountsWithSourcePullScope() throws Exception {
    Descriptor local;
    try (Store store = Store.open(temp.resolve("a"))) {
      local = BaseImages.busybox(store, "busybox:1");
      new ImageTransfer(store, settings(), null).push(local, ref("tok/busybox:1"));
    }
    Digest copied = new RegistryCopy(settings(), temp, null).copy(ref("tok/busybox:1"), ref("tok/copied:1"));
    try (Store store = Store.open(temp.resolve("b"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null).pull(ref("tok/copied:1"),
          Platform.host());
      assertThat(pulled.stored().digest()).isEqualTo(copied);
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
    assertThat(registry.tokenServer().requests())
        .anyMatch(r -> r.contains("repository:tok/copied:pull,push") && r.contains("repository:tok/busybox:pull"));
  }

  @Test
  void pushBlobs_tokenExpiresMidPush_refreshesAndFinishes() throws Exception {
    TokenServer tokens = registry.tokenServer();
    // Valid for 2 s at the registry while the client is told 5 minutes: only a 401 reveals the expiry.
    tokens.setTokenLifetime(Duration.ofSeconds(2));
    int before = tokens.issuedTokens();
    List<Descriptor> pushed = new ArrayList<>();
    try (RegistryClient client = RegistryClient.create(settings(), registry.host(), "tok/slow")) {
      for (int i = 0; i < 3; i++) {
        byte[] blob = TestImages.randomBytes(200_000, 40 + i);
        Descriptor d = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, blob);
        assertThat(client.pushBlob(d, () -> slow(blob, Duration.ofMillis(1300)), null)).isTrue();
        pushed.add(d);
      }
      for (Descriptor d : pushed) {
        assertThat(client.blobSize(d.digest())).contains(d.size());
      }
    }
    assertThat(tokens.issuedTokens() - before).isGreaterThanOrEqualTo(2);
  }

  /** Content that takes {@code total} to read, so the push outlives the token. */
  private static InputStream slow(byte[] bytes, Duration total) {
    long pause = total.toMillis() / 10;
    int step = bytes.length / 10 + 1;
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
        return super.read(b, off, Math.min(len, step));
      }
    };
  }

  private static ImageReference ref(String path) throws Exception {
    return ImageReference.parse(registry.host() + "/" + path);
  }
}
