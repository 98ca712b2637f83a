package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciBundleTest {
  @TempDir Path tmp;

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isObject() ? n.get("type").asText() : n.asText()));
    return out;
  }

  @Test
  void write_sameSpec_sameBytes() throws Exception {
    ContainerSpec spec = ContainerSpec.of(List.of("sh", "-c", "true")).withEnv(List.of("A=1"));
    OciBundle a = OciBundle.write(tmp.resolve("a"), spec);
    OciBundle b = OciBundle.write(tmp.resolve("b"), spec);
    assertThat(Files.readAllBytes(a.dir().resolve("config.json")))
        .isEqualTo(Files.readAllBytes(b.dir().resolve("config.json")));
    assertThat(a.rootfs()).isEqualTo(tmp.resolve("a/rootfs"));
  }

  @Test
  void config_process_carriesTheSpec() throws Exception {
    JsonNode c = OciBundle.write(tmp, new ContainerSpec(List.of("ls", "-l"), List.of("K=v"), "/work", 1000, 100,
        "box", true, List.of(), List.of())).readConfig();
    JsonNode p = c.get("process");
    assertThat(p.get("terminal").asBoolean()).isFalse();
    assertThat(p.get("user").get("uid").asLong()).isEqualTo(1000);
    assertThat(p.get("user").get("gid").asLong()).isEqualTo(100);
    assertThat(texts(p.get("args"))).containsExactly("ls", "-l");
    assertThat(texts(p.get("env"))).containsExactly("K=v");
    assertThat(p.get("cwd").asText()).isEqualTo("/work");
    assertThat(p.get("noNewPrivileges").asBoolean()).isTrue();
    assertThat(p.get("rlimits").get(0).get("type").asText()).isEqualTo("RLIMIT_NOFILE");
    assertThat(p.get("rlimits").get(0).get("hard").asLong()).isEqualTo(1024);
    assertThat(c.get("hostname").asText()).isEqualTo("box");
    assertThat(c.get("root").get("path").asText()).isEqualTo("rootfs");
  }

  @Test
  void config_capabilities_dockerDefaultsAndNoInheritable() {
    JsonNode caps = OciBundle.config(ContainerSpec.of(List.of("true"))).get("process").get("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      assertThat(texts(caps.get(set))).containsExactlyElementsOf(OciBundle.DEFAULT_CAPABILITIES)
          .doesNotContain("CAP_SYS_ADMIN", "CAP_NET_ADMIN");
    }
    assertThat(caps.get("inheritable")).isEmpty();
    assertThat(caps.get("ambient")).isEmpty();
  }

  @Test
  void config_hostNetwork_hasNoNetworkNamespace() {
    JsonNode host = OciBundle.config(ContainerSpec.of(List.of("true"))).get("linux").get("namespaces");
    JsonNode none = OciBundle.config(ContainerSpec.of(List.of("true")).withHostNetwork(false)).get("linux")
        .get("namespaces");
    assertThat(texts(host)).containsExactly("pid", "ipc", "uts", "mount");
    assertThat(texts(none)).containsExactly("pid", "ipc", "uts", "mount", "network");
  }

  @Test
  void config_mounts_standardSetWithReadOnlySysAndHostFiles() {
    JsonNode mounts = OciBundle.config(ContainerSpec.of(List.of("true"))).get("mounts");
    List<String> dests = new ArrayList<>();
    mounts.forEach(m -> dests.add(m.get("destination").asText()));
    assertThat(dests).startsWith("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys");
    assertThat(texts(mounts.get(1).get("options"))).contains("mode=755");
    assertThat(texts(mounts.get(5).get("options"))).contains("ro");
    if (Files.isRegularFile(Path.of("/etc/resolv.conf"))) {
      assertThat(dests).contains("/etc/resolv.conf");
    }
    mounts.forEach(m -> {
      if (m.get("type").asText().equals("bind")) {
        assertThat(texts(m.get("options"))).contains("ro");
      }
    });
    JsonNode linux = OciBundle.config(ContainerSpec.of(List.of("true"))).get("linux");
    assertThat(texts(linux.get("maskedPaths"))).contains("/proc/kcore", "/sys/firmware");
    assertThat(texts(linux.get("readonlyPaths"))).contains("/proc/sys", "/proc/sysrq-trigger");
  }

  @Test
  void config_seccomp_defaultProfileUnlessUnconfined() {
    JsonNode seccomp = OciBundle.config(ContainerSpec.of(List.of("true"))).get("linux").get("seccomp");
    assertThat(seccomp.get("defaultAction").asText()).isEqualTo("SCMP_ACT_ALLOW");
    assertThat(seccomp.get("syscalls")).isNotEmpty();
    assertThat(seccomp.get("syscalls").get(0).get("names")).extracting(JsonNode::asText)
        .contains("unshare", "mount", "keyctl");
    assertThat(OciBundle.config(ContainerSpec.of(List.of("true")).withUser(5, 5)).get("linux").has("seccomp"))
        .as("kept by the other withers").isTrue();
    assertThat(OciBundle.config(ContainerSpec.of(List.of("true")).withSeccompUnconfined(true).withUser(5, 5))
        .get("linux").has("seccomp")).isFalse();
  }

  @Test
  void spec_badInput_isRefused() {
    assertThatThrownBy(() -> ContainerSpec.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ContainerSpec.of(List.of("true")).withCwd("rel"))
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> ContainerSpec.of(List.of("true")).withEnv(List.of("=x")))
        .hasMessageContaining("KEY=VALUE");
    assertThatThrownBy(() -> ContainerSpec.of(List.of("true")).withUser(-1, 0))
        .hasMessageContaining("uid");
  }
}
