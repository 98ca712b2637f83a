package dev.jbuild.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Translates manifests, indexes, configs and descriptors to and from their JSON bytes.
 *
 * <p>Writing is deterministic: fields in a fixed order, maps sorted, compact output, so the same record always
 * hashes to the same digest. Reading is strict where ambiguity could be abused: duplicate keys are rejected
 * (CVE-2014-8179), a manifest carrying {@code manifests} and an index carrying {@code config} or {@code
 * layers} are rejected (CVE-2021-41190), and a {@code mediaType} field must agree with the kind of document.
 */
public final class OciJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private OciJson() {}

  private static final class Holder {
    // Configured once, never mutated afterwards: ObjectMapper is then thread-safe.
    static final ObjectMapper MAPPER = create();

    private static ObjectMapper create() {
      ObjectMapper mapper = new ObjectMapper();
      mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      mapper.getFactory()
          .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
      mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
      return mapper;
    }
  }

  /**
   * The shared, pre-configured mapper (strict duplicates, no trailing tokens), for documents mapped to types by
   * databind. jbuild's own documents go through {@link JsonTrees}, which never pays for the mapper's start-up.
   */
  public static ObjectMapper mapper() {
    return Holder.MAPPER;
  }

  // ---------------------------------------------------------------- reading

  /** Parses a JSON object strictly; the {@code what} names the document in errors. */
  public static ObjectNode readObject(byte[] json, String what) throws MalformedContentException {
    JsonNode node;
    try {
      node = JsonTrees.read(json);
    } catch (JsonProcessingException e) {
      throw new MalformedContentException(what + ": invalid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MalformedContentException(what + ": unreadable JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new MalformedContentException(what + ": expected a JSON object");
    }
    return (ObjectNode) node;
  }

  /** Parses an image manifest, rejecting index fields and a contradicting media type. */
  public static Manifest readManifest(byte[] json) throws MalformedContentException {
    ObjectNode root = readObject(json, "manifest");
    checkSchemaVersion(root, "manifest");
    if (root.has("manifests")) {
      throw new MalformedContentException("manifest: forbidden 'manifests' field (an index posing as a manifest)");
    }
    String mediaType = optText(root, "mediaType", "manifest");
    if (mediaType != null && !MediaType.isManifest(mediaType)) {
      throw new MalformedContentException("manifest: mediaType \"" + mediaType + "\" is not an image manifest type");
    }
    JsonNode config = root.get("config");
    if (config == null || !config.isObject()) {
      throw new MalformedContentException("manifest: missing 'config' descriptor");
    }
    JsonNode layers = root.get("layers");
    if (layers != null && !layers.isArray()) {
      throw new MalformedContentException("manifest: 'layers' must be an array");
    }
    List<Descriptor> layerList = new ArrayList<>();
    if (layers != null) {
      int i = 0;
      for (JsonNode layer : layers) {
        layerList.add(readDescriptor(layer, "manifest layers[" + i++ + "]"));
      }
    }
    return new Manifest(
        mediaType == null ? MediaType.OCI_MANIFEST : mediaType,
        optText(root, "artifactType", "manifest"),
        readDescriptor(config, "manifest config"),
        layerList,
        root.has("subject") ? readDescriptor(root.get("subject"), "manifest subject") : null,
        readStringMap(root.get("annotations"), "manifest annotations"));
  }

  /** Parses an image index or manifest list, rejecting manifest fields and a contradicting media type. */
  public static ImageIndex readIndex(byte[] json) throws MalformedContentException {
    ObjectNode root = readObject(json, "index");
    checkSchemaVersion(root, "index");
    if (root.has("config") || root.has("layers")) {
      throw new MalformedContentException("index: forbidden 'config' or 'layers' field (a manifest posing as an index)");
    }
    String mediaType = optText(root, "mediaType", "index");
    if (mediaType != null && !MediaType.isIndex(mediaType)) {
      throw new MalformedContentException("index: mediaType \"" + mediaType + "\" is not an index type");
    }
    JsonNode manifests = root.get("manifests");
    if (manifests == null || !manifests.isArray()) {
      throw new MalformedContentException("index: missing 'manifests' array");
    }
    List<Descriptor> list = new ArrayList<>();
    int i = 0;
    for (JsonNode m : manifests) {
      list.add(readDescriptor(m, "index manifests[" + i++ + "]"));
    }
    return new ImageIndex(
        mediaType == null ? MediaType.OCI_INDEX : mediaType,
        optText(root, "artifactType", "index"),
        list,
        root.has("subject") ? readDescriptor(root.get("subject"), "index subject") : null,
        readStringMap(root.get("annotations"), "index annotations"));
  }

  /**
   * Tells a manifest from an index by its {@code mediaType} field, falling back to its shape. Returns the
   * media type the document claims or implies.
   */
  public static String detectMediaType(byte[] json) throws MalformedContentException {
    ObjectNode root = readObject(json, "manifest");
    String mediaType = optText(root, "mediaType", "manifest");
    if (mediaType != null) {
      return mediaType;
    }
    if (root.has("manifests")) {
      return MediaType.OCI_INDEX;
    }
    if (root.has("config")) {
      return MediaType.OCI_MANIFEST;
    }
    throw new MalformedContentException("manifest: neither an image manifest nor an index");
  }

  public static Descriptor readDescriptor(JsonNode node, String what) throws MalformedContentException {
    if (node == null || !node.isObject()) {
      throw new MalformedContentException(what + ": expected a descriptor object");
    }
    String mediaType = optText(node, "mediaType", what);
    if (mediaType == null || mediaType.isEmpty()) {
      throw new MalformedContentException(what + ": missing mediaType");
    }
    Digest digest;
    try {
      digest = Digest.parse(optText(node, "digest", what));
    } catch (InvalidDigestException e) {
      throw new MalformedContentException(what + ": " + e.getMessage(), e);
    }
    JsonNode size = node.get("size");
    if (size == null || !size.canConvertToExactIntegral() || !size.canConvertToLong() || size.asLong() < 0) {
      throw new MalformedContentException(what + ": 'size' must be a non-negative integer");
    }
    List<String> urls = readStringList(node.get("urls"), what + " urls");
    Platform platform = null;
    JsonNode p = node.get("platform");
    if (p != null && !p.isNull()) {
      if (!p.isObject()) {
        throw new MalformedContentException(what + ": 'platform' must be an object");
      }
      String os = optText(p, "os", what);
      String arch = optText(p, "architecture", what);
      if (os == null || arch == null) {
        throw new MalformedContentException(what + ": platform needs os and architecture");
      }
      platform = new Platform(os, arch, optText(p, "variant", what), optText(p, "os.version", what));
    }
    return new Descriptor(
        mediaType, digest, size.asLong(), readStringMap(node.get("annotations"), what + " annotations"), platform,
        urls, optText(node, "artifactType", what));
  }

  /** Parses an image configuration. Unknown fields are ignored; known ones must have the right types. */
  public static ImageConfig readConfig(byte[] json) throws MalformedContentException {
    ObjectNode root = readObject(json, "image config");
    String what = "image config";
    String os = optText(root, "os", what);
    String arch = optText(root, "architecture", what);
    if (os == null || arch == null) {
      throw new MalformedContentException("image config: missing 'os' or 'architecture'");
    }
    List<Digest> diffIds = new ArrayList<>();
    JsonNode rootfs = root.get("rootfs");
    if (rootfs != null && !rootfs.isNull()) {
      if (!rootfs.isObject()) {
        throw new MalformedContentException("image config: 'rootfs' must be an object");
      }
      for (String id : readStringList(rootfs.get("diff_ids"), "image config rootfs.diff_ids")) {
        try {
          diffIds.add(Digest.parse(id));
        } catch (InvalidDigestException e) {
          throw new MalformedContentException("image config rootfs.diff_ids: " + e.getMessage(), e);
        }
      }
    }
    List<ImageConfig.HistoryEntry> history = new ArrayList<>();
    JsonNode h = root.get("history");
    if (h != null && !h.isNull()) {
      if (!h.isArray()) {
        throw new MalformedContentException("image config: 'history' must be an array");
      }
      for (JsonNode e : h) {
        history.add(new ImageConfig.HistoryEntry(
            readTime(e.get("created")), optText(e, "created_by", what), optText(e, "author", what),
            optText(e, "comment", what), e.path("empty_layer").asBoolean(false)));
      }
    }
    return new ImageConfig(
        readTime(root.get("created")), optText(root, "author", what), arch, os, optText(root, "variant", what),
        optText(root, "os.version", what), readContainerConfig(root.get("config")), diffIds, history);
  }

  private static ContainerConfig readContainerConfig(JsonNode c) throws MalformedContentException {
    if (c == null || c.isNull()) {
      return ContainerConfig.EMPTY;
    }
    if (!c.isObject()) {
      throw new MalformedContentException("image config: 'config' must be an object");
    }
    String w = "image config config";
    ContainerConfig.Healthcheck health = null;
    JsonNode hc = c.get("Healthcheck");
    if (hc != null && hc.isObject()) {
      health = new ContainerConfig.Healthcheck(
          readStringList(hc.get("Test"), w + ".Healthcheck.Test"), readDuration(hc.get("Interval")),
          readDuration(hc.get("Timeout")), readDuration(hc.get("StartPeriod")), readDuration(hc.get("StartInterval")),
          hc.hasNonNull("Retries") ? hc.get("Retries").asInt() : null);
    }
    TreeMap<String, String> labels = new TreeMap<>(readStringMap(c.get("Labels"), w + ".Labels"));
    return new ContainerConfig(
        optText(c, "User", w), new TreeSet<>(readKeys(c.get("ExposedPorts"))), readStringList(c.get("Env"), w + ".Env"),
        readNullableList(c.get("Entrypoint"), w + ".Entrypoint"), readNullableList(c.get("Cmd"), w + ".Cmd"),
        new TreeSet<>(readKeys(c.get("Volumes"))), optText(c, "WorkingDir", w), labels, optText(c, "StopSignal", w),
        health, readStringList(c.get("OnBuild"), w + ".OnBuild"), readNullableList(c.get("Shell"), w + ".Shell"),
        c.hasNonNull("ArgsEscaped") ? c.get("ArgsEscaped").asBoolean() : null);
  }

  private static void checkSchemaVersion(ObjectNode root, String what) throws MalformedContentException {
    JsonNode v = root.get("schemaVersion");
    if (v == null || !v.isIntegralNumber() || v.asInt() != 2) {
      throw new MalformedContentException(what + ": schemaVersion must be 2");
    }
  }

  private static String optText(JsonNode node, String field, String what) throws MalformedContentException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new MalformedContentException(what + ": '" + field + "' must be a string");
    }
    return v.asText();
  }

  private static List<String> readStringList(JsonNode node, String what) throws MalformedContentException {
    List<String> list = readNullableList(node, what);
    return list == null ? List.of() : list;
  }

  private static List<String> readNullableList(JsonNode node, String what) throws MalformedContentException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw new MalformedContentException(what + ": expected an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : node) {
      if (!e.isTextual()) {
        throw new MalformedContentException(what + ": expected an array of strings");
      }
      out.add(e.asText());
    }
    return out;
  }

  private static Map<String, String> readStringMap(JsonNode node, String what) throws MalformedContentException {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw new MalformedContentException(what + ": expected an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new MalformedContentException(what + ": value of \"" + e.getKey() + "\" must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static List<String> readKeys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    if (node != null && node.isObject()) {
      node.fieldNames().forEachRemaining(keys::add);
    }
    return keys;
  }

  private static Instant readTime(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(node.asText()).toInstant();
    } catch (DateTimeParseException e) {
      return null; // a creation time is informational; Go tools write several layouts
    }
  }

  private static Duration readDuration(JsonNode node) {
    return node == null || !node.isIntegralNumber() || node.asLong() == 0 ? null : Duration.ofNanos(node.asLong());
  }

  // ---------------------------------------------------------------- writing

  public static byte[] write(Manifest m) {
    ObjectNode root = NODES.objectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", m.mediaType());
    if (m.artifactType() != null) {
      root.put("artifactType", m.artifactType());
    }
    root.set("config", descriptorNode(m.config()));
    ArrayNode layers = root.putArray("layers");
    m.layers().forEach(l -> layers.add(descriptorNode(l)));
    if (m.subject() != null) {
      root.set("subject", descriptorNode(m.subject()));
    }
    putMap(root, "annotations", m.annotations());
    return bytes(root);
  }

  public static byte[] write(ImageIndex index) {
    ObjectNode root = NODES.objectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", index.mediaType());
    if (index.artifactType() != null) {
      root.put("artifactType", index.artifactType());
    }
    ArrayNode manifests = root.putArray("manifests");
    index.manifests().forEach(d -> manifests.add(descriptorNode(d)));
    if (index.subject() != null) {
      root.set("subject", descriptorNode(index.subject()));
    }
    putMap(root, "annotations", index.annotations());
    return bytes(root);
  }

  public static ObjectNode descriptorNode(Descriptor d) {
    ObjectNode n = NODES.objectNode();
    n.put("mediaType", d.mediaType());
    n.put("digest", d.digest().toString());
    n.put("size", d.size());
    if (!d.urls().isEmpty()) {
      ArrayNode urls = n.putArray("urls");
      d.urls().forEach(urls::add);
    }
    putMap(n, "annotations", d.annotations());
    if (d.platform() != null) {
      ObjectNode p = n.putObject("platform");
      p.put("architecture", d.platform().architecture());
      p.put("os", d.platform().os());
      if (d.platform().osVersion() != null) {
        p.put("os.version", d.platform().osVersion());
      }
      if (d.platform().variant() != null) {
        p.put("variant", d.platform().variant());
      }
    }
    if (d.artifactType() != null) {
      n.put("artifactType", d.artifactType());
    }
    return n;
  }

  public static byte[] write(ImageConfig c) {
    ObjectNode root = NODES.objectNode();
    if (c.created() != null) {
      root.put("created", DateTimeFormatter.ISO_INSTANT.format(c.created()));
    }
    if (c.author() != null) {
      root.put("author", c.author());
    }
    root.put("architecture", c.architecture());
    if (c.variant() != null) {
      root.put("variant", c.variant());
    }
    root.put("os", c.os());
    if (c.osVersion() != null) {
      root.put("os.version", c.osVersion());
    }
    root.set("config", containerConfigNode(c.config()));
    ObjectNode rootfs = root.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode ids = rootfs.putArray("diff_ids");
    c.diffIds().forEach(d -> ids.add(d.toString()));
    if (!c.history().isEmpty()) {
      ArrayNode history = root.putArray("history");
      for (ImageConfig.HistoryEntry h : c.history()) {
        ObjectNode e = history.addObject();
        if (h.created() != null) {
          e.put("created", DateTimeFormatter.ISO_INSTANT.format(h.created()));
        }
        if (h.createdBy() != null) {
          e.put("created_by", h.createdBy());
        }
        if (h.author() != null) {
          e.put("author", h.author());
        }
        if (h.comment() != null) {
          e.put("comment", h.comment());
        }
        if (h.emptyLayer()) {
          e.put("empty_layer", true);
        }
      }
    }
    return bytes(root);
  }

  private static ObjectNode containerConfigNode(ContainerConfig c) {
    ObjectNode n = NODES.objectNode();
    if (c.user() != null) {
      n.put("User", c.user());
    }
    if (!c.exposedPorts().isEmpty()) {
      ObjectNode ports = n.putObject("ExposedPorts");
      c.exposedPorts().forEach(p -> ports.putObject(p));
    }
    if (!c.env().isEmpty()) {
      ArrayNode env = n.putArray("Env");
      c.env().forEach(env::add);
    }
    putList(n, "Entrypoint", c.entrypoint());
    putList(n, "Cmd", c.cmd());
    if (!c.volumes().isEmpty()) {
      ObjectNode v = n.putObject("Volumes");
      c.volumes().forEach(v::putObject);
    }
    if (c.workingDir() != null) {
      n.put("WorkingDir", c.workingDir());
    }
    putMap(n, "Labels", c.labels());
    if (c.stopSignal() != null) {
      n.put("StopSignal", c.stopSignal());
    }
    if (c.argsEscaped() != null) {
      n.put("ArgsEscaped", c.argsEscaped());
    }
    if (c.healthcheck() != null) {
      ContainerConfig.Healthcheck h = c.healthcheck();
      ObjectNode hn = n.putObject("Healthcheck");
      putList(hn, "Test", h.test());
      putDuration(hn, "Interval", h.interval());
      putDuration(hn, "Timeout", h.timeout());
      putDuration(hn, "StartPeriod", h.startPeriod());
      putDuration(hn, "StartInterval", h.startInterval());
      if (h.retries() != null) {
        hn.put("Retries", h.retries());
      }
    }
    if (!c.onBuild().isEmpty()) {
      putList(n, "OnBuild", c.onBuild());
    }
    putList(n, "Shell", c.shell());
    return n;
  }

  private static void putDuration(ObjectNode n, String field, Duration d) {
    if (d != null) {
      n.put(field, d.toNanos());
    }
  }

  private static void putList(ObjectNode n, String field, List<String> values) {
    if (values != null) {
      ArrayNode a = n.putArray(field);
      values.forEach(a::add);
    }
  }

  private static void putMap(ObjectNode n, String field, Map<String, String> map) {
    if (map != null && !map.isEmpty()) {
      ObjectNode o = n.putObject(field);
      new TreeMap<>(map).forEach(o::put);
    }
  }

  /** Compact, deterministic bytes of a node built by this class. */
  public static byte[] bytes(JsonNode node) {
    return JsonTrees.write(node);
  }
}
