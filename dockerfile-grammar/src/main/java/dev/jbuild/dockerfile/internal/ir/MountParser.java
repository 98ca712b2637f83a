package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.GoText;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.RunMount;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code RUN --mount=<csv>}: keys checked per mount type, with BuildKit's messages
 * (instructions/commands_runmount.go) wherever it has one. Values holding {@code $} are
 * checked by the builder after expansion.
 */
final class MountParser {
  private static final Set<String> TARGET = Set.of("target", "dst", "destination");
  private static final Set<String> RO_RW = Set.of("readonly", "ro", "readwrite", "rw");
  private static final Set<String> SOURCE = Set.of("source", "src");
  /** In BuildKit's order, for "did you mean" hints. */
  private static final List<String> ALL_KEYS = List.of("type", "from", "source", "target", "readonly", "id",
      "sharing", "required", "mode", "uid", "gid", "src", "dst", "destination", "ro", "rw", "readwrite", "size",
      "env");
  private static final List<String> TYPES = List.of("bind", "cache", "tmpfs", "secret", "ssh");
  private static final Map<String, Set<String>> KEYS_BY_TYPE = Map.of(
      "bind", union(TARGET, RO_RW, SOURCE, Set.of("from")),
      "cache", union(TARGET, RO_RW, SOURCE, Set.of("id", "sharing", "from", "mode", "uid", "gid")),
      "tmpfs", union(TARGET, Set.of("size")),
      "secret", union(TARGET, SOURCE, Set.of("id", "env", "required", "mode", "uid", "gid")),
      "ssh", union(TARGET, Set.of("id", "required", "mode", "uid", "gid")));
  private static final Set<String> FILE_INFO = Set.of("mode", "uid", "gid");
  private static final Set<String> BARE_KEYS = Set.of("readonly", "ro", "readwrite", "rw", "required");
  private static final Set<String> SHARING = Set.of("shared", "private", "locked");
  private static final Set<String> GO_BOOLS =
      Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False");

  private MountParser() {
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    Set<String> all = new HashSet<>();
    for (Set<String> s : sets) {
      all.addAll(s);
    }
    return Set.copyOf(all);
  }

  static RunMount parse(String spec) {
    List<String> fields = csvFields(spec);
    String type = type(fields);
    Map<String, String> options = new LinkedHashMap<>();
    for (String field : fields) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (key.equals("type")) {
        continue;
      }
      if (!ALL_KEYS.contains(key)) {
        throw ParseFailure.near(Suggest.withHint("unexpected key '" + key + "' in '" + field + "'", key, ALL_KEYS,
            true, ""), field);
      }
      if (FILE_INFO.contains(key) && !KEYS_BY_TYPE.get(type).contains(key)) {
        throw ParseFailure.near(key + " not allowed for " + GoText.quote(type) + " type mounts", field);
      }
      if (key.equals("sharing") && !type.equals("cache")) {
        throw ParseFailure.near("invalid cache sharing set for " + type + " mount", field);
      }
      if (!KEYS_BY_TYPE.get(type).contains(key)) {
        throw ParseFailure.near("unexpected key '" + key + "' for mount type '" + type + "'", field);
      }
      String value;
      if (eq < 0) {
        if (!BARE_KEYS.contains(key)) {
          throw ParseFailure.near("invalid field '" + field + "' must be a key=value pair", field);
        }
        value = "true";
      } else {
        value = field.substring(eq + 1);
      }
      check(key, value, field);
      options.put(key, value);
    }
    checkType(type, options);
    return new RunMount(type, options);
  }

  private static String type(List<String> fields) {
    String type = "bind";
    for (String field : fields) {
      int eq = field.indexOf('=');
      if (eq >= 0 && field.substring(0, eq).toLowerCase(Locale.ROOT).equals("type")) {
        String value = field.substring(eq + 1);
        type = value.toLowerCase(Locale.ROOT);
        if (!KEYS_BY_TYPE.containsKey(type)) {
          throw ParseFailure.near(Suggest.withHint("unsupported mount type " + GoText.quote(value), value, TYPES,
              true, ""), field);
        }
      }
    }
    return type;
  }

  private static void checkType(String type, Map<String, String> options) {
    boolean hasSource = containsAny(options, SOURCE);
    if (type.equals("secret")) {
      if (!hasSource && !containsAny(options, TARGET) && !options.containsKey("id")
          && !options.containsKey("env")) {
        throw new ParseFailure("invalid secret mount. one of source, target required");
      }
      if (hasSource && options.containsKey("id")) {
        throw new ParseFailure("both source and id can't be set");
      }
      return;
    }
    if (!type.equals("ssh") && !containsAny(options, TARGET)) {
      throw new ParseFailure("mount type '" + type + "' requires a target");
    }
  }

  // Loops rather than streams and method references: each of those costs a class spun at run time on the
  // first parse.
  private static boolean containsAny(Map<String, String> options, Set<String> keys) {
    for (String key : keys) {
      if (options.containsKey(key)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code value} matches {@code \$.} somewhere: a {@code $} followed by a character other than a line end. */
  private static boolean hasVariable(String value) {
    for (int i = value.indexOf('$'); i >= 0 && i + 1 < value.length(); i = value.indexOf('$', i + 1)) {
      char next = value.charAt(i + 1);
      if (next != '\n' && next != '\r' && next != 0x85 && next != 0x2028 && next != 0x2029) {
        return true;
      }
    }
    return false;
  }

  private static void check(String key, String value, String field) {
    if (key.equals("from") && hasVariable(value)) {
      throw ParseFailure.near("'from' doesn't support variable expansion, define alias stage instead", field);
    }
    if (value.contains("$")) {
      return; // checked after expansion by the builder
    }
    switch (key) {
      case "readonly", "ro", "readwrite", "rw", "required" -> {
        if (!GO_BOOLS.contains(value)) {
          throw ParseFailure.near("invalid value for " + key + ": " + value, field);
        }
      }
      case "sharing" -> {
        if (!SHARING.contains(value.toLowerCase(Locale.ROOT))) {
          throw ParseFailure.near("unsupported sharing value " + GoText.quote(value), field);
        }
      }
      case "mode" -> {
        if (!fitsUint32(value, 8)) {
          throw ParseFailure.near("invalid value " + value + " for mode", field);
        }
      }
      case "uid", "gid" -> {
        if (!fitsUint32(value, 10)) {
          throw ParseFailure.near("invalid value " + value + " for " + key, field);
        }
      }
      default -> {
      }
    }
  }

  /** Go's {@code strconv.ParseUint(value, radix, 32)} succeeds. */
  private static boolean fitsUint32(String value, int radix) {
    if (value.isEmpty() || value.length() > 12 || value.charAt(0) == '+' || value.charAt(0) == '-') {
      return false;
    }
    try {
      return Long.parseLong(value, radix) <= 0xFFFF_FFFFL;
    } catch (NumberFormatException e) {
      return false;
    }
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
            throw badCsv(spec);
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
          throw badCsv(spec);
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
    List<String> nonEmpty = new ArrayList<>(fields.size());
    for (String f : fields) {
      if (!f.isEmpty()) {
        nonEmpty.add(f);
      }
    }
    return nonEmpty;
  }

  private static ParseFailure badCsv(String spec) {
    return ParseFailure.near("failed to parse csv mounts: extraneous or missing \" in quoted-field", spec);
  }
}
