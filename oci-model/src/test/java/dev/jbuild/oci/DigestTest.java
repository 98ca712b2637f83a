package dev.jbuild.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DigestTest {
  private static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void sha256Of_emptyInput_isTheWellKnownDigest() {
    assertThat(Digest.sha256Of(new byte[0])).hasToString(EMPTY_SHA256);
  }

  @Test
  void parse_validDigest_roundTrips() throws Exception {
    Digest d = Digest.parse(EMPTY_SHA256);
    assertThat(d.algorithm()).isEqualTo("sha256");
    assertThat(d.shortHex()).isEqualTo("e3b0c44298fc");
    assertThat(d).isEqualTo(Digest.sha256Of("".getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "sha256:../../../etc/passwd",
      "sha256",
      "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
      "md5:d41d8cd98f00b204e9800998ecf8427e",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/..",
      ""})
  void parse_hostileOrMalformed_isRejectedBeforeAnyUse(String value) {
    assertThatThrownBy(() -> Digest.parse(value))
        .isInstanceOf(InvalidDigestException.class)
        .hasMessageContaining("digest");
  }
}
