package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.JsonTrees;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code container.json}: a {@link ContainerRecord} as an indented JSON object whose fields are the record
 * components by name. Mapped by hand rather than by databind, whose start-up and record introspection cost more
 * than the rest of {@code jbuild run} (DESIGN 8). Reading ignores fields it does not know, so a record written by a
 * newer jbuild still lists; a field that is missing reads as null, 0 or false.
 */
final class ContainerRecordJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ContainerRecordJson() {}

  static byte[] write(ContainerRecord r) {
    ObjectNode o = NODES.objectNode();
    o.put("id", r.id());
    o.put("name", r.name());
    o.put("image", r.image());
    o.put("imageDigest", r.imageDigest());
    o.put("imageMediaType", r.imageMediaType());
    o.put("imageSize", r.imageSize());
    o.put("created", r.created());
    o.set("options", options(r.options()));
    o.set("state", state(r.state()));
    return JsonTrees.writePretty(o);
  }

  /**
   * Parses {@code json}.
   *
   * @throws IOException when it is not JSON or not a container record; the message says which field is wrong
   */
  static ContainerRecord read(byte[] json) throws IOException {
    JsonNode o = JsonTrees.read(json);
    try {
      return new ContainerRecord(text(o, "id"), text(o, "name"), text(o, "image"), text(o, "imageDigest"),
          text(o, "imageMediaType"), o.path("imageSize").asLong(), text(o, "created"),
          options(o.get("options")), state(o.get("state")));
    } catch (RuntimeException e) {
      throw new IOException("not a container record: " + e.getMessage(), e);
    }
  }

  private static ObjectNode options(RunOptions p) {
    ObjectNode o = NODES.objectNode();
    strings(o.putArray("args"), p.args());
    strings(o.putArray("env"), p.env());
    o.put("cwd", p.cwd());
    o.put("user", p.user());
    o.put("hostname", p.hostname());
    o.put("hostNetwork", p.hostNetwork());
    ArrayNode mounts = o.putArray("mounts");
    for (Mount m : p.mounts()) {
      ObjectNode n = mounts.addObject();
      n.put("destination", m.destination());
      n.put("type", m.type());
      n.put("source", m.source());
      strings(n.putArray("options"), m.options());
    }
    o.put("readOnly", p.readOnly());
    o.put("tty", p.tty());
    o.put("interactive", p.interactive());
    o.put("stopSignal", p.stopSignal());
    o.put("autoRemove", p.autoRemove());
    strings(o.putArray("addHosts"), p.addHosts());
    o.put("seccompUnconfined", p.seccompUnconfined()); // missing (an older record) reads as false: confined
    return o;
  }

  private static RunOptions options(JsonNode o) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("'options' is not an object");
    }
    List<Mount> mounts = new ArrayList<>();
    for (JsonNode m : array(o, "mounts")) {
      mounts.add(new Mount(text(m, "destination"), text(m, "type"), text(m, "source"),
          strings(m.get("options"))));
    }
    return new RunOptions(strings(o.get("args")), strings(o.get("env")), text(o, "cwd"), text(o, "user"),
        text(o, "hostname"), o.path("hostNetwork").asBoolean(), mounts, o.path("readOnly").asBoolean(),
        o.path("tty").asBoolean(), o.path("interactive").asBoolean(), text(o, "stopSignal"),
        o.path("autoRemove").asBoolean(), strings(o.get("addHosts")), o.path("seccompUnconfined").asBoolean());
  }

  private static ObjectNode state(ContainerRecord.State s) {
    ObjectNode o = NODES.objectNode();
    o.put("status", s.status().name());
    o.put("exitCode", s.exitCode());
    o.put("monitorPid", s.monitorPid());
    o.put("monitorStart", s.monitorStart());
    o.put("startedAt", s.startedAt());
    o.put("finishedAt", s.finishedAt());
    strings(o.putArray("mountPoints"), s.mountPoints());
    ObjectNode parents = o.putObject("mountParents");
    new TreeMap<>(s.mountParents()).forEach(parents::put);
    o.put("error", s.error());
    return o;
  }

  private static ContainerRecord.State state(JsonNode o) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("'state' is not an object");
    }
    String status = text(o, "status");
    if (status == null) {
      throw new IllegalArgumentException("'state.status' is missing");
    }
    Map<String, String> parents = new TreeMap<>();
    JsonNode p = o.path("mountParents");
    if (p.isObject()) {
      for (Map.Entry<String, JsonNode> e : p.properties()) {
        parents.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
      }
    }
    return new ContainerRecord.State(ContainerRecord.Status.valueOf(status), o.path("exitCode").asInt(),
        o.path("monitorPid").asLong(), o.path("monitorStart").asLong(), text(o, "startedAt"), text(o, "finishedAt"),
        strings(o.get("mountPoints")), parents, text(o, "error"));
  }

  /** The field as text; null when it is missing or JSON null. */
  private static String text(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isValueNode()) {
      throw new IllegalArgumentException("'" + field + "' is not a string");
    }
    return n.asText();
  }

  private static Iterable<JsonNode> array(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException("'" + field + "' is not an array");
    }
    return n;
  }

  /** The strings of an array node; null when the node is missing or JSON null (the records default those). */
  private static List<String> strings(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException("expected an array of strings, found " + n.getNodeType());
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      out.add(e.isNull() ? null : e.asText());
    }
    return out;
  }

  private static void strings(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }
}
