package dev.jbuild.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.OciException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The forked build's stdout protocol: one JSON object per line. Every {@link BuildEvent} becomes a line with
 * {@code "event"} naming its kind; the build ends with exactly one {@code "result"} or {@code "error"} line.
 *
 * <pre>
 * {"event":"started","stage":"build","index":1,"total":4,"instruction":"FROM busybox:base"}
 * {"event":"finished","stage":"build","index":1,"instruction":"FROM busybox:base","cached":true,"tookNanos":120}
 * {"event":"result","manifest":{"mediaType":"...","digest":"sha256:...","size":480},"config":"sha256:...","tags":[]}
 * </pre>
 */
final class EventCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventCodec() {}

  /** What one line decodes to: an event, the result, or the failure message. */
  sealed interface Line {}

  record EventLine(BuildEvent event) implements Line {}

  record ResultLine(BuildResult result) implements Line {}

  record ErrorLine(String message) implements Line {}

  static String encode(BuildEvent event) {
    ObjectNode n = JSON.createObjectNode();
    if (event instanceof BuildEvent.StepStarted s) {
      n.put("event", "started").put("stage", s.stage()).put("index", s.index()).put("total", s.total())
          .put("instruction", s.instruction());
    } else if (event instanceof BuildEvent.StepFinished f) {
      n.put("event", "finished").put("stage", f.stage()).put("index", f.index()).put("instruction", f.instruction())
          .put("cached", f.cached()).put("tookNanos", f.took().toNanos());
    } else if (event instanceof BuildEvent.Output o) {
      n.put("event", "output").put("stage", o.stage()).put("index", o.index()).put("line", o.line());
    } else if (event instanceof BuildEvent.CacheMiss m) {
      n.put("event", "cacheMiss").put("stage", m.stage()).put("index", m.index()).put("explanation", m.explanation());
    } else if (event instanceof BuildEvent.Log l) {
      n.put("event", "log").put("level", l.level().name()).put("message", l.message());
    } else {
      throw new IllegalArgumentException("unknown build event " + event);
    }
    return line(n);
  }

  static String encodeResult(BuildResult result) {
    ObjectNode n = JSON.createObjectNode().put("event", "result");
    n.putObject("manifest").put("mediaType", result.manifest().mediaType())
        .put("digest", result.manifest().digest().toString()).put("size", result.manifest().size());
    n.put("config", result.configDigest().toString());
    result.tags().forEach(n.putArray("tags")::add);
    return line(n);
  }

  static String encodeError(String message) {
    return line(JSON.createObjectNode().put("event", "error").put("message", message));
  }

  /**
   * Decodes one line.
   *
   * @throws IOException when the line is not part of the protocol (the child printed something else)
   */
  static Line decode(String line) throws IOException {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      throw new IOException("not a build event: " + line, e);
    }
    if (n == null || !n.isObject() || !n.path("event").isTextual()) {
      throw new IOException("not a build event: " + line);
    }
    String stage = n.path("stage").asText();
    int index = n.path("index").asInt();
    switch (n.get("event").asText()) {
      case "started":
        return new EventLine(new BuildEvent.StepStarted(stage, index, n.path("total").asInt(),
            n.path("instruction").asText()));
      case "finished":
        return new EventLine(new BuildEvent.StepFinished(stage, index, n.path("instruction").asText(),
            n.path("cached").asBoolean(), Duration.ofNanos(n.path("tookNanos").asLong())));
      case "output":
        return new EventLine(new BuildEvent.Output(stage, index, n.path("line").asText()));
      case "cacheMiss":
        return new EventLine(new BuildEvent.CacheMiss(stage, index, n.path("explanation").asText()));
      case "log":
        return new EventLine(new BuildEvent.Log(level(n.path("level").asText()), n.path("message").asText()));
      case "result":
        return new ResultLine(result(n));
      case "error":
        return new ErrorLine(n.path("message").asText());
      default:
        throw new IOException("unknown build event kind in: " + line);
    }
  }

  private static BuildEvent.Level level(String name) throws IOException {
    try {
      return BuildEvent.Level.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IOException("unknown log level " + name, e);
    }
  }

  private static BuildResult result(JsonNode n) throws IOException {
    try {
      JsonNode m = n.path("manifest");
      Descriptor manifest = new Descriptor(m.path("mediaType").asText(), Digest.parse(m.path("digest").asText()),
          m.path("size").asLong());
      List<String> tags = new ArrayList<>();
      n.path("tags").forEach(t -> tags.add(t.asText()));
      return new BuildResult(manifest, Digest.parse(n.path("config").asText()), tags);
    } catch (OciException | IllegalArgumentException e) {
      throw new IOException("malformed build result: " + e.getMessage(), e);
    }
  }

  private static String line(ObjectNode n) {
    try {
      // Jackson escapes control characters, so a RUN output line can never break the one-object-per-line framing.
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
