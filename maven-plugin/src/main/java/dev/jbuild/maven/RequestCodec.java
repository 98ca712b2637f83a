package dev.jbuild.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.registry.Credential;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link BuildRequest} as one JSON document, sent to the forked build on its stdin (never on its command line or in
 * a file, since it may carry secrets and registry passwords).
 */
final class RequestCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestCodec() {}

  static byte[] write(BuildRequest request) throws IOException {
    BuildOptions o = request.options();
    ObjectNode root = JSON.createObjectNode();
    root.put("storeRoot", request.storeRoot().toString());
    root.put("offline", request.offline());
    root.put("contextDir", o.contextDir().toString());
    if (o.dockerfile() != null) {
      root.put("dockerfile", o.dockerfile().toString());
    }
    o.tags().forEach(root.putArray("tags")::add);
    ObjectNode args = root.putObject("buildArgs");
    o.buildArgs().forEach(args::put);
    if (o.target() != null) {
      root.put("target", o.target());
    }
    if (o.platform() != null) {
      root.put("platform", o.platform());
    }
    if (o.sourceDateEpoch() != null) {
      root.put("sourceDateEpoch", o.sourceDateEpoch().getEpochSecond());
    }
    ObjectNode labels = root.putObject("labels");
    o.labels().forEach(labels::put);
    root.put("noCache", o.noCache());
    o.noCacheFilter().stream().sorted().forEach(root.putArray("noCacheFilter")::add);
    ObjectNode secrets = root.putObject("secrets");
    o.secrets().forEach((id, s) -> {
      ObjectNode n = secrets.putObject(id);
      if (s.file() != null) {
        n.put("file", s.file().toString());
      } else {
        n.put("value", Base64.getEncoder().encodeToString(s.value()));
      }
    });
    ObjectNode ssh = root.putObject("ssh");
    o.sshSockets().forEach((id, p) -> ssh.put(id, p.toString()));
    root.put("jobs", o.jobs());
    if (o.ociRuntime() != null) {
      root.put("ociRuntime", o.ociRuntime());
    }
    ObjectNode creds = root.putObject("credentials");
    request.credentials().forEach((registry, c) ->
        creds.putObject(registry).put("username", c.username()).put("secret", c.secret()));
    return JSON.writeValueAsBytes(root);
  }

  static BuildRequest read(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    if (root == null || !root.isObject()) {
      throw new IOException("the build request is not a JSON object");
    }
    BuildOptions.Builder b = BuildOptions.builder(Path.of(text(root, "contextDir")));
    if (root.hasNonNull("dockerfile")) {
      b.dockerfile(Path.of(root.get("dockerfile").asText()));
    }
    root.path("tags").forEach(t -> b.tag(t.asText()));
    fields(root.path("buildArgs")).forEach((k, v) -> b.buildArg(k, v.asText()));
    if (root.hasNonNull("target")) {
      b.target(root.get("target").asText());
    }
    if (root.hasNonNull("platform")) {
      b.platform(root.get("platform").asText());
    }
    if (root.hasNonNull("sourceDateEpoch")) {
      b.sourceDateEpoch(Instant.ofEpochSecond(root.get("sourceDateEpoch").asLong()));
    }
    fields(root.path("labels")).forEach((k, v) -> b.label(k, v.asText()));
    b.noCache(root.path("noCache").asBoolean(false));
    root.path("noCacheFilter").forEach(s -> b.noCacheFilter(s.asText()));
    fields(root.path("secrets")).forEach((id, s) -> b.secret(id, s.hasNonNull("file")
        ? new BuildOptions.Secret(Path.of(s.get("file").asText()), null)
        : new BuildOptions.Secret(null, Base64.getDecoder().decode(s.path("value").asText()))));
    fields(root.path("ssh")).forEach((id, p) -> b.ssh(id, Path.of(p.asText())));
    b.jobs(root.path("jobs").asInt(0));
    if (root.hasNonNull("ociRuntime")) {
      b.ociRuntime(root.get("ociRuntime").asText());
    }
    Map<String, Credential> creds = new LinkedHashMap<>();
    fields(root.path("credentials")).forEach((registry, c) ->
        creds.put(registry, new Credential(c.path("username").asText(), c.path("secret").asText())));
    return new BuildRequest(b.build(), Path.of(text(root, "storeRoot")), root.path("offline").asBoolean(false), creds);
  }

  private static String text(JsonNode root, String field) throws IOException {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new IOException("the build request has no \"" + field + "\"");
    }
    return n.asText();
  }

  private static Map<String, JsonNode> fields(JsonNode node) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }
}
