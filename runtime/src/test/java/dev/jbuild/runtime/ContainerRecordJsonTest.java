package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.JsonTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerRecordJsonTest {
  private static final RunOptions OPTIONS = new RunOptions(List.of("sh", "-c", "echo \"hi\""),
      List.of("A=1", "PATH=/bin"), "/work", "app:staff", "box", false,
      List.of(Mount.bind("/src", "/dst", true), Mount.tmpfs("/run", 1 << 20),
          new Mount("/data", RunOptions.VOLUME, "vol1", List.of("rw"))),
      true, true, true, "SIGQUIT", true, List.of("db:10.0.0.2"));
  private static final ContainerRecord RUNNING = new ContainerRecord("ab".repeat(32), "web", "busybox:1",
      "sha256:" + "cd".repeat(32), "application/vnd.oci.image.manifest.v1+json", 1234,
      "2026-11-23T00:00:00Z", OPTIONS,
      ContainerRecord.State.created().withMountPoints(List.of("/run", "/dst"), Map.of("/", "0:0:755"))
          .running(4242, 99, "2026-11-23T00:00:01Z"));

  @Test
  void write_thenRead_roundTripsEveryField() throws Exception {
    assertThat(ContainerRecordJson.read(ContainerRecordJson.write(RUNNING))).isEqualTo(RUNNING);
    ContainerRecord exited = RUNNING.withState(RUNNING.state().exited(137, "2026-11-23T00:00:02Z", "killed"));
    assertThat(ContainerRecordJson.read(ContainerRecordJson.write(exited))).isEqualTo(exited);
    RunOptions o = RUNNING.options();
    ContainerRecord unconfined = new ContainerRecord(RUNNING.id(), RUNNING.name(), RUNNING.image(),
        RUNNING.imageDigest(), RUNNING.imageMediaType(), RUNNING.imageSize(), RUNNING.created(),
        new RunOptions(o.args(), o.env(), o.cwd(), o.user(), o.hostname(), o.hostNetwork(), o.mounts(), o.readOnly(),
            o.tty(), o.interactive(), o.stopSignal(), o.autoRemove(), o.addHosts(), true), RUNNING.state());
    assertThat(ContainerRecordJson.read(ContainerRecordJson.write(unconfined))).isEqualTo(unconfined);
  }

  /** A container kept by a jbuild from before the seccomp filter starts confined. */
  @Test
  void read_recordWithoutSeccompField_isConfined() throws Exception {
    ObjectNode tree = (ObjectNode) JsonTrees.read(ContainerRecordJson.write(RUNNING));
    ((ObjectNode) tree.get("options")).remove("seccompUnconfined");
    assertThat(ContainerRecordJson.read(JsonTrees.write(tree)).options().seccompUnconfined()).isFalse();
  }

  /** Stores written before this codec (by databind's record serialiser) must still read, field for field. */
  @Test
  void read_recordWrittenByDatabind_readsTheSame() throws Exception {
    ObjectMapper databind = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    assertThat(ContainerRecordJson.read(databind.writeValueAsBytes(RUNNING))).isEqualTo(RUNNING);
    // And the other way: what we write is what databind would read into the same record.
    assertThat(databind.readValue(ContainerRecordJson.write(RUNNING), ContainerRecord.class)).isEqualTo(RUNNING);
  }

  @Test
  void read_unknownFields_areIgnored_missingOnesDefault() throws Exception {
    ObjectNode tree = (ObjectNode) JsonTrees.read(ContainerRecordJson.write(RUNNING));
    tree.put("addedByANewerJbuild", true);
    ((ObjectNode) tree.get("state")).remove("error");
    ((ObjectNode) tree.get("options")).remove("addHosts");
    ContainerRecord r = ContainerRecordJson.read(JsonTrees.write(tree));
    assertThat(r.state()).isEqualTo(RUNNING.state());
    assertThat(r.options().addHosts()).isEmpty();
  }

  @Test
  void read_notARecord_isAnIoErrorSayingWhatIsWrong() {
    assertThatThrownBy(() -> ContainerRecordJson.read("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("not a container record");
    assertThatThrownBy(() -> ContainerRecordJson.read(
        "{\"id\":\"x\",\"name\":\"n\",\"options\":{\"args\":\"sh\"},\"state\":{\"status\":\"CREATED\"}}"
            .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("expected an array of strings");
    assertThatThrownBy(() -> ContainerRecordJson.read("{\"id\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
  }
}
