package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {
  @Test
  void url_userInfoAndQueryValues_areRemoved() {
    assertThat(Redact.url("https://user:pass@storage.example/b?X-Amz-Signature=abc&access_token=t"))
        .isEqualTo("https://storage.example/b?X-Amz-Signature=REDACTED&access_token=REDACTED");
  }

  @Test
  void text_authHeadersAndTokenFields_areBlanked() {
    String text = Redact.text("denied: Authorization: Bearer eyJhbGci.x.y and {\"token\":\"abc\"} password=hunter2");
    assertThat(text).doesNotContain("eyJhbGci").doesNotContain("abc").doesNotContain("hunter2");
  }

  @Test
  void credential_toString_hidesTheSecret() {
    assertThat(new Credential("alice", "s3cret").toString()).contains("alice").doesNotContain("s3cret");
  }
}
