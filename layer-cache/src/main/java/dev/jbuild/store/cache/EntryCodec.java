package dev.jbuild.store.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.InvalidDigestException;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.OciJson;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of one cache entry file. Kept apart from {@link CacheEntry} so the record stays free of Jackson. The
 * config travels as base64 with its digest, so its exact bytes survive and a damaged file is detected.
 */
final class EntryCodec {
  /** The format written; a file with a higher version was written by a newer jbuild and is left alone. */
  static final int VERSION = 1;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EntryCodec() {}

  static byte[] write(CacheEntry e) {
    ObjectNode root = NODES.objectNode();
    root.put("version", VERSION);
    root.put("key", e.key().toString());
    ArrayNode fields = root.putArray("fields");
    for (CacheKey.Field f : e.fields()) {
      ObjectNode n = fields.addObject();
      n.put("name", f.name());
      n.put("kind", f.kind().name());
      n.put("value", f.value());
      if (!f.entries().isEmpty()) {
        ObjectNode entries = n.putObject("entries");
        f.entries().forEach(entries::put);
      }
    }
    if (e.layer() != null) {
      root.put("diffId", e.diffId().toString());
      root.set("layer", OciJson.descriptorNode(e.layer()));
    }
    byte[] config = e.configJson();
    root.put("config", Base64.getEncoder().encodeToString(config));
    root.put("configDigest", Digest.sha256Of(config).toString());
    root.put("created", e.created().toString());
    return OciJson.bytes(root);
  }

  /** The version a parsed file declares (0 when missing or not a number, which {@link #read} then rejects). */
  static int version(ObjectNode root) {
    JsonNode v = root.get("version");
    return v != null && v.canConvertToInt() && v.isIntegralNumber() ? v.asInt() : 0;
  }

  static CacheEntry read(ObjectNode root, String what) throws MalformedContentException {
    if (version(root) != VERSION) {
      throw new MalformedContentException(what + ": unsupported version " + root.get("version"));
    }
    Digest key = digest(root, "key", what);
    List<CacheKey.Field> fields = new ArrayList<>();
    JsonNode fs = root.get("fields");
    if (fs == null || !fs.isArray()) {
      throw new MalformedContentException(what + ": 'fields' must be an array");
    }
    for (JsonNode f : fs) {
      fields.add(field(f, what));
    }
    Digest diffId = null;
    Descriptor layer = null;
    if (root.has("layer")) {
      diffId = digest(root, "diffId", what);
      layer = OciJson.readDescriptor(root.get("layer"), what + " layer");
    }
    byte[] config;
    try {
      config = Base64.getDecoder().decode(text(root, "config", what));
    } catch (IllegalArgumentException e) {
      throw new MalformedContentException(what + ": 'config' is not base64", e);
    }
    Digest configDigest = digest(root, "configDigest", what);
    if (!Digest.sha256Of(config).equals(configDigest)) {
      throw new MalformedContentException(what + ": the config does not match its digest " + configDigest);
    }
    Instant created;
    try {
      created = Instant.parse(text(root, "created", what));
    } catch (DateTimeParseException e) {
      throw new MalformedContentException(what + ": 'created' is not an instant", e);
    }
    try {
      return new CacheEntry(key, fields, diffId, layer, config, created);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MalformedContentException(what + ": " + e.getMessage(), e);
    }
  }

  private static CacheKey.Field field(JsonNode f, String what) throws MalformedContentException {
    if (!f.isObject()) {
      throw new MalformedContentException(what + ": a field must be an object");
    }
    CacheKey.Kind kind;
    try {
      kind = CacheKey.Kind.valueOf(text(f, "kind", what));
    } catch (IllegalArgumentException e) {
      throw new MalformedContentException(what + ": unknown field kind " + f.get("kind"), e);
    }
    Map<String, String> entries = new TreeMap<>();
    JsonNode es = f.get("entries");
    if (es != null) {
      if (!es.isObject()) {
        throw new MalformedContentException(what + ": field entries must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = es.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new MalformedContentException(what + ": field entry " + e.getKey() + " must be a string");
        }
        entries.put(e.getKey(), e.getValue().asText());
      }
    }
    return new CacheKey.Field(text(f, "name", what), kind, text(f, "value", what), new TreeMap<>(entries));
  }

  private static Digest digest(JsonNode n, String name, String what) throws MalformedContentException {
    try {
      return Digest.parse(text(n, name, what));
    } catch (InvalidDigestException e) {
      throw new MalformedContentException(what + ": '" + name + "': " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String name, String what) throws MalformedContentException {
    JsonNode v = n.get(name);
    if (v == null || !v.isTextual()) {
      throw new MalformedContentException(what + ": '" + name + "' must be a string");
    }
    return v.asText();
  }
}
