package dev.jbuild.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code registries.json}: {@code {"insecure":["host:port"], "ca":{"host:port":"/path/ca.pem"}}}, read from
 * {@code $XDG_CONFIG_HOME/jbuild} (default {@code ~/.config/jbuild}) and {@code /etc/jbuild}; the user's file is
 * read first and wins for a CA named in both. A relative CA path is resolved against the file's folder.
 */
record RegistriesConfig(List<String> insecure, Map<String, Path> ca) {
  static RegistriesConfig load(Map<String, String> env, String home) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path user = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".config")).resolve("jbuild")
        .resolve("registries.json");
    List<String> insecure = new ArrayList<>();
    Map<String, Path> ca = new LinkedHashMap<>();
    for (Path file : List.of(user, Path.of("/etc/jbuild/registries.json"))) {
      if (Files.isRegularFile(file)) {
        read(file, insecure, ca);
      }
    }
    return new RegistriesConfig(List.copyOf(insecure), Map.copyOf(ca));
  }

  private static void read(Path file, List<String> insecure, Map<String, Path> ca) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new Errors.UserError("cannot read " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new Errors.UserError(file + ": expected a JSON object with \"insecure\" and \"ca\"");
    }
    JsonNode list = root.path("insecure");
    if (!list.isMissingNode() && !list.isArray()) {
      throw new Errors.UserError(file + ": \"insecure\" must be an array of \"host[:port]\" strings");
    }
    for (JsonNode entry : list) {
      if (!entry.isTextual()) {
        throw new Errors.UserError(file + ": \"insecure\" must be an array of \"host[:port]\" strings");
      }
      insecure.add(entry.asText());
    }
    JsonNode cas = root.path("ca");
    if (!cas.isMissingNode() && !cas.isObject()) {
      throw new Errors.UserError(file + ": \"ca\" must map \"host[:port]\" to a PEM file path");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = cas.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new Errors.UserError(file + ": the CA for " + e.getKey() + " must be a file path");
      }
      ca.putIfAbsent(e.getKey(), file.getParent().resolve(e.getValue().asText()));
    }
  }
}
