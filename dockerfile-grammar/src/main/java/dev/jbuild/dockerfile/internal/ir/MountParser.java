package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.RunMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code RUN --mount=<csv>}: keys checked per mount type as the Dockerfile reference lists them. */
final class MountParser {
  private static final Set<String> TARGET = Set.of("target", "dst", "destination");
  private static final Set<String> RO_RW = Set.of("readonly", "ro", "readwrite", "rw");
  private static final Set<String> ALL_KEYS = Set.of("type", "from", "source", "src", "target", "dst",
      "destination", "readonly", "ro", "readwrite", "rw", "id", "sharing", "required", "size", "mode", "uid",
      "gid", "env");
  private static final Map<String, Set<String>> KEYS_BY_TYPE = Map.of(
      "bind", union(TARGET, RO_RW, Set.of("source", "src", "from")),
      "cache", union(TARGET, RO_RW, Set.of("id", "sharing", "from", "source", "src", "mode", "uid", "gid")),
      "tmpfs", union(TARGET, Set.of("size")),
      "secret", union(TARGET, Set.of("id", "env", "required", "mode", "uid", "gid")),
      "ssh", union(TARGET, Set.of("id", "required", "mode", "uid", "gid")));
  private static final Set<String> BARE_BOOLEANS = Set.of("readonly", "ro", "readwrite", "rw", "required");
  private static final Set<String> SHARING = Set.of("shared", "private", "locked");

  private MountParser() {
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    java.util.HashSet<String> all = new java.util.HashSet<>();
    for (Set<String> s : sets) {
      all.addAll(s);
    }
    return Set.copyOf(all);
  }

  static RunMount parse(String spec) {
    List<String> fields = csvFields(spec);
    String type = "bind";
    for (String field : fields) {
      int eq = field.indexOf('=');
      if (eq >= 0 && field.substring(0, eq).toLowerCase(Locale.ROOT).equals("type")) {
        type = field.substring(eq + 1).toLowerCase(Locale.ROOT);
        if (!KEYS_BY_TYPE.containsKey(type)) {
          throw new ParseFailure("unsupported mount type \"" + field.substring(eq + 1) + "\"");
        }
      }
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (String field : fields) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (key.equals("type")) {
        continue;
      }
      if (!ALL_KEYS.contains(key)) {
        throw new ParseFailure("unexpected key '" + key + "' in '" + field + "'");
      }
      if (!KEYS_BY_TYPE.get(type).contains(key)) {
        throw new ParseFailure("unexpected key '" + key + "' for mount type '" + type + "'");
      }
      String value;
      if (eq < 0) {
        if (!BARE_BOOLEANS.contains(key)) {
          throw new ParseFailure("invalid field '" + field + "' must be a key=value pair");
        }
        value = "true";
      } else {
        value = field.substring(eq + 1);
      }
      check(key, value);
      options.put(key, value);
    }
    if (!type.equals("secret") && !type.equals("ssh") && TARGET.stream().noneMatch(options::containsKey)) {
      throw new ParseFailure("mount type '" + type + "' requires a target");
    }
    return new RunMount(type, options);
  }

  private static void check(String key, String value) {
    if (value.contains("$")) {
      return; // checked after expansion by the builder
    }
    switch (key) {
      case "readonly", "ro", "readwrite", "rw", "required" -> {
        if (!isGoBool(value)) {
          throw new ParseFailure("invalid value for " + key + ": " + value);
        }
      }
      case "sharing" -> {
        if (!value.isEmpty() && !SHARING.contains(value.toLowerCase(Locale.ROOT))) {
          throw new ParseFailure("unsupported sharing value \"" + value + "\"");
        }
      }
      case "mode" -> {
        if (!value.matches("[0-7]+")) {
          throw new ParseFailure("invalid mode \"" + value + "\"");
        }
      }
      case "uid", "gid" -> {
        if (!value.matches("[0-9]+")) {
          throw new ParseFailure("invalid " + key + " \"" + value + "\"");
        }
      }
      default -> {
      }
    }
  }

  /** Go's strconv.ParseBool. */
  private static boolean isGoBool(String v) {
    return Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False").contains(v);
  }

  /** One CSV record (Go encoding/csv): comma-separated, fields may be double-quoted with "" escapes. */
  static List<String> csvFields(String spec) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = spec.length();
    while (true) {
      field.setLength(0);
      if (i < n && spec.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new ParseFailure("invalid --mount value \"" + spec + "\": extraneous or missing \" in quoted-field");
          }
          char c = spec.charAt(i++);
          if (c == '"') {
            if (i < n && spec.charAt(i) == '"') {
              field.append('"');
              i++;
              continue;
            }
            break;
          }
          field.append(c);
        }
        if (i < n && spec.charAt(i) != ',') {
          throw new ParseFailure("invalid --mount value \"" + spec + "\": extraneous or missing \" in quoted-field");
        }
      } else {
        while (i < n && spec.charAt(i) != ',') {
          field.append(spec.charAt(i++));
        }
      }
      fields.add(field.toString());
      if (i >= n) {
        break;
      }
      i++; // the comma
    }
    fields.removeIf(String::isEmpty);
    return fields;
  }
}
