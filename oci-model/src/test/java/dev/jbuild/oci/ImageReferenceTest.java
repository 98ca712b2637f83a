package dev.jbuild.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  @ParameterizedTest
  @CsvSource({
    "busybox, docker.io, library/busybox, latest, busybox:latest",
    "busybox:1.36, docker.io, library/busybox, 1.36, busybox:1.36",
    "user/app, docker.io, user/app, latest, user/app:latest",
    "docker.io/library/debian:bookworm, docker.io, library/debian, bookworm, debian:bookworm",
    "index.docker.io/user/app:v1, docker.io, user/app, v1, user/app:v1",
    "localhost:5000/hello:1, localhost:5000, hello, 1, localhost:5000/hello:1",
    "localhost/hello, localhost, hello, latest, localhost/hello:latest",
    "gcr.io/distroless/java17-debian12:nonroot, gcr.io, distroless/java17-debian12, nonroot, gcr.io/distroless/java17-debian12:nonroot",
    "127.0.0.1:5000/a/b/c:x.y-z_w, 127.0.0.1:5000, a/b/c, x.y-z_w, 127.0.0.1:5000/a/b/c:x.y-z_w",
    "[::1]:5000/app:1, [::1]:5000, app, 1, [::1]:5000/app:1",
  })
  void parse_commonNames_normaliseLikeDocker(String in, String registry, String repo, String tag, String familiar)
      throws Exception {
    ImageReference ref = ImageReference.parse(in);
    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.repository()).isEqualTo(repo);
    assertThat(ref.tag()).isEqualTo(tag);
    assertThat(ref.familiar()).isEqualTo(familiar);
    assertThat(ImageReference.parse(ref.familiar())).isEqualTo(ref);
    assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "busybox", "busybox:1.36", "user/app", "localhost:5000/hello:1", "gcr.io/a/b:c",
      "registry.example.com:443/team/app:2.0.1", "a.b/c_d/e__f/g-h:tag",
      "busybox@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
  void parse_agreesWithJibOnValidNames(String in) throws Exception {
    ImageReference ours = ImageReference.parse(in);
    com.google.cloud.tools.jib.api.ImageReference jib = com.google.cloud.tools.jib.api.ImageReference.parse(in);
    String jibRegistry = jib.getRegistry().equals("registry-1.docker.io") ? "docker.io" : jib.getRegistry();
    assertThat(ours.registry()).isEqualTo(jibRegistry);
    assertThat(ours.repository()).isEqualTo(jib.getRepository());
    if (ours.digest() != null) {
      assertThat(jib.getDigest()).contains(ours.digest().toString());
    } else {
      assertThat(jib.getTag()).contains(ours.tag());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|empty reference",
      "user/App|repository name must be lowercase",
      "app:bad tag|invalid tag",
      "a//b|empty path component",
      "app@sha256:abc|invalid digest",
      "app:|invalid tag",
      "-leading/app|invalid path component"})
  void parse_invalid_namesTheReferenceAndTheReason(String in, String reason) {
    assertThatThrownBy(() -> ImageReference.parse(in))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining("\"" + in + "\"")
        .hasMessageContaining(reason);
  }

  @Test
  void apiHost_dockerHub_isRegistry1() throws Exception {
    assertThat(ImageReference.parse("busybox").apiHost()).isEqualTo("registry-1.docker.io");
    assertThat(ImageReference.parse("quay.io/a/b").apiHost()).isEqualTo("quay.io");
  }

  @Test
  void isLoopbackRegistry_onlyLocalhostAndLoopbackRange() throws Exception {
    assertThat(ImageReference.parse("localhost:5000/a").isLoopbackRegistry()).isTrue();
    assertThat(ImageReference.parse("127.0.0.2:80/a").isLoopbackRegistry()).isTrue();
    assertThat(ImageReference.parse("[::1]:5000/a").isLoopbackRegistry()).isTrue();
    assertThat(ImageReference.parse("localhost.evil.com/a").isLoopbackRegistry()).isFalse();
    assertThat(ImageReference.parse("10.0.0.1:5000/a").isLoopbackRegistry()).isFalse();
    assertThat(ImageReference.parse("busybox").isLoopbackRegistry()).isFalse();
  }
}
