package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
  @Test
  void encode_everyEventKind_decodesToAnEqualEvent() throws IOException {
    List<BuildEvent> events = List.of(
        new BuildEvent.StepStarted("build", 2, 7, "COPY a.txt /a"),
        new BuildEvent.StepFinished("build", 2, "COPY a.txt /a", true, Duration.ofMillis(1234)),
        new BuildEvent.Output("stage-1", 3, "openjdk version \"17\""),
        new BuildEvent.CacheMiss("build", 4, "instruction differs"),
        new BuildEvent.Log(BuildEvent.Level.WARN, "one or more build args were not consumed: X"));
    for (BuildEvent e : events) {
      EventCodec.Line line = EventCodec.decode(EventCodec.encode(e));
      assertThat(line).isEqualTo(new EventCodec.EventLine(e));
    }
  }

  @Test
  void encode_outputWithLineBreaksAndControls_staysOneLine() throws IOException {
    BuildEvent.Output o = new BuildEvent.Output("s", 1, "a\nb\r\u0000c\u001b[31m");
    String encoded = EventCodec.encode(o);
    assertThat(encoded).doesNotContain("\n").doesNotContain("\r");
    assertThat(EventCodec.decode(encoded)).isEqualTo(new EventCodec.EventLine(o));
  }

  @Test
  void encodeResult_roundTrip_keepsDescriptorConfigAndTags() throws IOException {
    Digest m = Digest.sha256Of("manifest".getBytes(StandardCharsets.UTF_8));
    Digest c = Digest.sha256Of("config".getBytes(StandardCharsets.UTF_8));
    BuildResult r = new BuildResult(new Descriptor(MediaType.OCI_MANIFEST, m, 480), c, List.of("app:1", "reg/app:1"));
    assertThat(EventCodec.decode(EventCodec.encodeResult(r))).isEqualTo(new EventCodec.ResultLine(r));
  }

  @Test
  void encodeError_roundTrip_keepsMultiLineMessage() throws IOException {
    String message = "Dockerfile:3:1: unknown instruction COPPY\n 3 | COPPY x /\n   | ^~~~~";
    assertThat(EventCodec.decode(EventCodec.encodeError(message))).isEqualTo(new EventCodec.ErrorLine(message));
  }

  @Test
  void decode_lineThatIsNotProtocol_failsNamingTheLine() {
    assertThatThrownBy(() -> EventCodec.decode("Picked up JAVA_TOOL_OPTIONS: -Xmx1g"))
        .isInstanceOf(IOException.class).hasMessageContaining("Picked up JAVA_TOOL_OPTIONS");
    assertThatThrownBy(() -> EventCodec.decode("{\"event\":\"teleport\"}"))
        .isInstanceOf(IOException.class).hasMessageContaining("unknown build event kind");
    assertThatThrownBy(() -> EventCodec.decode("{\"event\":\"result\",\"config\":\"sha256:xyz\"}"))
        .isInstanceOf(IOException.class).hasMessageContaining("malformed build result");
  }
}
