package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
  @Test
  void parse_dockerHubBearer_readsRealmServiceAndScope() {
    AuthChallenge c = AuthChallenge.parse(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
            + "scope=\"repository:library/busybox:pull,push\"");
    assertThat(c.isBearer()).isTrue();
    assertThat(c.realm()).isEqualTo("https://auth.docker.io/token");
    assertThat(c.service()).isEqualTo("registry.docker.io");
    assertThat(c.params().get("scope")).isEqualTo("repository:library/busybox:pull,push");
  }

  @Test
  void parse_unquotedValuesAndEscapes_areUnderstood() {
    AuthChallenge c = AuthChallenge.parse("bearer realm=https://a/t, service=\"s\\\"x\"");
    assertThat(c.realm()).isEqualTo("https://a/t");
    assertThat(c.service()).isEqualTo("s\"x");
  }

  @Test
  void parse_bearerWithoutRealmOrUnknownScheme_isNull() {
    assertThat(AuthChallenge.parse("Bearer service=\"s\"")).isNull();
    assertThat(AuthChallenge.parse("Negotiate abc")).isNull();
    assertThat(AuthChallenge.parse(null)).isNull();
  }

  @Test
  void choose_basicAndBearerOffered_prefersBearer() {
    AuthChallenge c = AuthChallenge.choose(List.of("Basic realm=\"r\"", "Bearer realm=\"https://a/t\""));
    assertThat(c.isBearer()).isTrue();
    assertThat(AuthChallenge.choose(List.of("Basic realm=\"r\"")).isBasic()).isTrue();
  }
}
