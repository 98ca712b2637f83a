package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.registry.RegistryClientSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RegistriesConfigTest {
  @TempDir Path home;

  @Test
  void load_userFile_readsInsecureHostsAndCaPathsRelativeToTheFile() throws Exception {
    Path dir = Files.createDirectories(home.resolve("cfg/jbuild"));
    Files.writeString(dir.resolve("registries.json"),
        "{\"insecure\":[\"reg.lan:5000\"],\"ca\":{\"secure.lan\":\"certs/ca.pem\"}}");
    RegistriesConfig config = RegistriesConfig.load(Map.of("XDG_CONFIG_HOME", home.resolve("cfg").toString()),
        home.toString());
    assertThat(config.insecure()).contains("reg.lan:5000");
    assertThat(config.ca()).containsEntry("secure.lan", dir.resolve("certs/ca.pem"));
  }

  @Test
  void load_malformedFile_failsNamingIt() throws Exception {
    Path dir = Files.createDirectories(home.resolve(".config/jbuild"));
    Files.writeString(dir.resolve("registries.json"), "{\"insecure\":\"reg.lan\"}");
    assertThatThrownBy(() -> RegistriesConfig.load(Map.of(), home.toString()))
        .hasMessageContaining(dir.resolve("registries.json").toString())
        .hasMessageContaining("\"insecure\" must be an array");
  }

  @Test
  void settings_insecureRegistryOption_makesThatRegistryPlainHttpOnly() {
    PullCommand pull = CommandLine.populateCommand(new PullCommand(), "--insecure-registry", "reg.lan:5000",
        "--parallel", "2", "reg.lan:5000/app");
    RegistryClientSettings settings = pull.registry.settings("reg.lan:5000");
    assertThat(settings.isNamedInsecure("reg.lan:5000")).isTrue();
    assertThat(settings.isNamedInsecure("reg.lan:6000")).isFalse();
    assertThat(settings.isNamedInsecure("other.lan")).isFalse();
    assertThat(settings.parallelTransfers()).isEqualTo(2);
  }

  @Test
  void settings_caFileWithoutHost_appliesToTheCommandsRegistries() throws Exception {
    Path pem = Files.writeString(home.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    CopyCommand copy = CommandLine.populateCommand(new CopyCommand(), "--ca-file", pem.toString(),
        "--ca-file", "third.lan=" + pem, "a.lan/x:1", "b.lan/y:1");
    RegistryClientSettings settings = copy.registry.settings("a.lan", "b.lan");
    assertThat(settings.caFileFor("a.lan")).isEqualTo(pem);
    assertThat(settings.caFileFor("b.lan")).isEqualTo(pem);
    assertThat(settings.caFileFor("third.lan:443")).isEqualTo(pem);
    assertThat(settings.caFileFor("fourth.lan")).isNull();
  }
}
