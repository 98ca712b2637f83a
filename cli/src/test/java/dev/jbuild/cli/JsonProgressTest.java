package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.builder.BuildEvent;
import dev.jbuild.oci.Digest;
import dev.jbuild.registry.RegistryEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --progress=json: each event one object on one line, with the documented fields. */
class JsonProgressTest {
  private final StringWriter out = new StringWriter();
  private final JsonProgress json = new JsonProgress(new PrintWriter(out), () -> 0L);

  private List<JsonNode> objects() throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      nodes.add(new ObjectMapper().readTree(line));
    }
    return nodes;
  }

  @Test
  void onEvent_eachKind_oneObjectPerLineWithItsFields() throws Exception {
    json.onEvent(new BuildEvent.StepStarted("build", 2, 5, "RUN echo \"hi\""));
    json.onEvent(new BuildEvent.Output("build", 2, "hi\tthere \u00e9"));
    json.onEvent(new BuildEvent.CacheMiss("build", 2, "ENV changed"));
    json.onEvent(new BuildEvent.StepFinished("build", 2, "RUN echo \"hi\"", false, Duration.ofMillis(1234)));
    json.onEvent(new BuildEvent.StepFinished("build", 3, "COPY a /", true, Duration.ofMillis(3)));
    json.onEvent(new BuildEvent.Log(BuildEvent.Level.WARN, "one or more build args were not consumed: X"));
    Digest blob = Digest.sha256Of("x".getBytes(StandardCharsets.UTF_8));
    assertThat(json.onTransfer(new RegistryEvent.BlobProgress("r", "x", RegistryEvent.Direction.PULL, blob, 10, 20)))
        .isTrue();

    List<JsonNode> o = objects();
    assertThat(o).hasSize(7);
    assertThat(o.get(0).toString())
        .isEqualTo("{\"type\":\"step\",\"stage\":\"build\",\"index\":2,\"total\":5,\"instruction\":\"RUN echo \\\"hi\\\"\"}");
    assertThat(o.get(1).get("line").asText()).isEqualTo("hi\tthere \u00e9");
    assertThat(o.get(2).get("type").asText()).isEqualTo("cache-miss");
    assertThat(o.get(2).get("message").asText()).isEqualTo("ENV changed");
    assertThat(o.get(3).get("type").asText()).isEqualTo("step-done");
    assertThat(o.get(3).get("cached").asBoolean()).isFalse();
    assertThat(o.get(3).get("duration").asDouble()).isEqualTo(1.234);
    assertThat(o.get(3).get("total").asInt()).isEqualTo(5);
    assertThat(o.get(4).get("cached").asBoolean()).isTrue();
    assertThat(o.get(5).get("level").asText()).isEqualTo("warn");
    assertThat(o.get(6).toString()).isEqualTo("{\"type\":\"transfer\",\"direction\":\"pull\",\"digest\":\"" + blob
        + "\",\"current\":10,\"size\":20}");
  }

  @Test
  void failed_duringAStep_errorObjectNamesTheStepAndCarriesTheWholeMessage() throws Exception {
    json.onEvent(new BuildEvent.StepStarted("stage-0", 1, 1, "RUN exit 3"));
    json.failed("Dockerfile:2: exit code: 3\nlast lines of its output:\n  x");

    JsonNode error = objects().get(1);
    assertThat(error.get("type").asText()).isEqualTo("error");
    assertThat(error.get("index").asInt()).isEqualTo(1);
    assertThat(error.get("instruction").asText()).isEqualTo("RUN exit 3");
    assertThat(error.get("message").asText()).isEqualTo("Dockerfile:2: exit code: 3\nlast lines of its output:\n  x");
    assertThat(json.reportsErrors()).isTrue();
  }
}
