package dev.jbuild.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.registry.RegistryEvent;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * {@code --progress=json}: one JSON object per line on stderr for each event, for tools to read. Nothing else is
 * written to stderr, not even the final error, which comes as an {@code error} object. Fields absent from an
 * object do not apply to its type. The types and their fields:
 *
 * <table>
 * <caption>event objects</caption>
 * <tr><th>type</th><th>fields</th><th>when</th></tr>
 * <tr><td>{@code step}</td><td>stage, index, total, instruction</td><td>a step began</td></tr>
 * <tr><td>{@code step-done}</td><td>stage, index, total, instruction, cached, duration</td><td>a step finished;
 *     duration in seconds (a number)</td></tr>
 * <tr><td>{@code output}</td><td>stage, index, line</td><td>a line a RUN step wrote (stdout and stderr)</td></tr>
 * <tr><td>{@code cache-miss}</td><td>stage, index, message</td><td>why a step missed the build cache</td></tr>
 * <tr><td>{@code log}</td><td>level ({@code info}, {@code warn}), message</td><td>pulls, naming, warnings</td></tr>
 * <tr><td>{@code transfer}</td><td>direction ({@code pull}, {@code push}), digest, current, size</td><td>bytes of
 *     one blob moved so far</td></tr>
 * <tr><td>{@code error}</td><td>message, and stage, index, instruction when a step failed</td><td>the build
 *     failed; one object per failed step, or one without a step</td></tr>
 * <tr><td>{@code result}</td><td>digest (manifest), config (the image ID), tags, duration</td><td>the build
 *     succeeded; always the last object</td></tr>
 * </table>
 *
 * <p>For example:
 * <pre>
 * {"type":"step","stage":"stage-0","index":2,"total":3,"instruction":"RUN echo hi"}
 * {"type":"output","stage":"stage-0","index":2,"line":"hi"}
 * {"type":"step-done","stage":"stage-0","index":2,"total":3,"instruction":"RUN echo hi","cached":false,"duration":0.31}
 * </pre>
 */
final class JsonProgress extends ProgressPrinter {
  private final ObjectMapper mapper = new ObjectMapper();
  private int total;

  JsonProgress(PrintWriter err, LongSupplier clock) {
    super(err, false, clock);
  }

  @Override
  void render(BuildEvent event) {
    ObjectNode o = mapper.createObjectNode();
    if (event instanceof BuildEvent.StepStarted s) {
      total = Math.max(total, s.total());
      o.put("type", "step").put("stage", s.stage()).put("index", s.index()).put("total", s.total())
          .put("instruction", s.instruction());
    } else if (event instanceof BuildEvent.StepFinished f) {
      o.put("type", "step-done").put("stage", f.stage()).put("index", f.index()).put("total", total)
          .put("instruction", f.instruction()).put("cached", f.cached())
          .put("duration", Math.round(f.took().toNanos() / 1e6) / 1e3);
    } else if (event instanceof BuildEvent.Output out) {
      o.put("type", "output").put("stage", out.stage()).put("index", out.index()).put("line", out.line());
    } else if (event instanceof BuildEvent.CacheMiss m) {
      o.put("type", "cache-miss").put("stage", m.stage()).put("index", m.index()).put("message", m.explanation());
    } else if (event instanceof BuildEvent.Log log) {
      if (log.level() == BuildEvent.Level.DEBUG) {
        return;
      }
      o.put("type", "log").put("level", log.level().name().toLowerCase(Locale.ROOT)).put("message", log.message());
    } else {
      return;
    }
    write(o);
  }

  @Override
  synchronized boolean onTransfer(RegistryEvent event) {
    if (event instanceof RegistryEvent.BlobProgress p) {
      write(mapper.createObjectNode().put("type", "transfer")
          .put("direction", p.direction().name().toLowerCase(Locale.ROOT)).put("digest", p.digest().toString())
          .put("current", p.transferred()).put("size", p.total()));
      return true;
    }
    if (event instanceof RegistryEvent.BlobSkipped s) {
      write(mapper.createObjectNode().put("type", "log").put("level", "info")
          .put("message", s.digest().shortHex() + ": " + s.reason()));
      return true;
    }
    return false;
  }

  @Override
  synchronized void failed(String message) {
    var steps = stepsFailed();
    if (steps.isEmpty()) {
      write(mapper.createObjectNode().put("type", "error").put("message", message));
    }
    for (BuildEvent.StepStarted s : steps) {
      write(mapper.createObjectNode().put("type", "error").put("stage", s.stage()).put("index", s.index())
          .put("instruction", s.instruction()).put("message", message));
    }
  }

  @Override
  boolean reportsErrors() {
    return true;
  }

  @Override
  synchronized void done(BuildResult result) {
    ObjectNode o = mapper.createObjectNode().put("type", "result").put("digest", result.manifest().digest().toString())
        .put("config", result.configDigest().toString());
    result.tags().forEach(o.putArray("tags")::add);
    o.put("duration", Math.round((clock.getAsLong() - start) / 1e6) / 1e3);
    write(o);
  }

  private void write(ObjectNode o) {
    try {
      err.println(mapper.writeValueAsString(o));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a progress event as JSON", e);
    }
    err.flush();
  }
}
