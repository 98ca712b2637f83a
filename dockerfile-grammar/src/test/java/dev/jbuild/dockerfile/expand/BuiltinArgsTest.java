package dev.jbuild.dockerfile.expand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BuiltinArgsTest {

  @Test
  void predefinedArgs_proxyVariables_sortedAndUnmodifiable() {
    assertThat(BuiltinArgs.PREDEFINED_ARGS).containsExactly("ALL_PROXY", "FTP_PROXY", "HTTPS_PROXY", "HTTP_PROXY",
        "NO_PROXY", "all_proxy", "ftp_proxy", "http_proxy", "https_proxy", "no_proxy");
    assertThatThrownBy(() -> BuiltinArgs.PREDEFINED_ARGS.add("X")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void automaticPlatformArgs_buildAndTarget_sortedAndUnmodifiable() {
    assertThat(BuiltinArgs.AUTOMATIC_PLATFORM_ARGS).containsExactly("BUILDARCH", "BUILDOS", "BUILDPLATFORM",
        "BUILDVARIANT", "TARGETARCH", "TARGETOS", "TARGETPLATFORM", "TARGETVARIANT");
    assertThatThrownBy(() -> BuiltinArgs.AUTOMATIC_PLATFORM_ARGS.clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
