package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.registry.Credential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.junit.jupiter.api.Test;
import org.sonatype.plexus.components.sec.dispatcher.SecDispatcherException;

/** Maven's own decrypter; its dispatcher fails for "{...}" values as a missing settings-security.xml makes it. */
class ServerCredentialsTest {
  private static final SettingsDecrypter DECRYPTER = new DefaultSettingsDecrypter(value -> {
    if (value.startsWith("{")) {
      throw new SecDispatcherException("settings-security.xml not found");
    }
    return value;
  });

  private static Server server(String id, String user, String password) {
    Server s = new Server();
    s.setId(id);
    s.setUsername(user);
    s.setPassword(password);
    return s;
  }

  @Test
  void of_plainServers_byIdAndOnlyThoseWithUserAndPassword() throws MojoExecutionException {
    Map<String, Credential> c = ServerCredentials.of(List.of(server("localhost:5000", "u", "p"),
        server("nexus", null, null), server("ghcr.io", "me", "tok")), DECRYPTER, null, null);
    assertThat(c).containsOnlyKeys("localhost:5000", "ghcr.io");
    assertThat(c.get("ghcr.io")).isEqualTo(new Credential("me", "tok"));
  }

  @Test
  void of_only_keepsThatServer() throws MojoExecutionException {
    assertThat(ServerCredentials.of(List.of(server("a:1", "u", "p"), server("b:2", "v", "q")), DECRYPTER, "b:2", null))
        .containsOnlyKeys("b:2");
  }

  @Test
  void of_undecryptablePassword_failsWhenStrictAndIsSkippedOtherwise() throws MojoExecutionException {
    List<Server> servers = List.of(server("reg:5000", "u", "{abc=}"), server("ok:1", "u", "p"));
    assertThatThrownBy(() -> ServerCredentials.of(servers, DECRYPTER, "reg:5000", null))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("reg:5000")
        .hasMessageContaining("settings-security.xml");
    List<String> skipped = new ArrayList<>();
    assertThat(ServerCredentials.of(servers, DECRYPTER, null, skipped::add)).containsOnlyKeys("ok:1");
    assertThat(skipped).singleElement().asString().contains("reg:5000");
  }
}
