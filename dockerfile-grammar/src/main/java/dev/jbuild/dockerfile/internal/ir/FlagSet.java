package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The flags one instruction accepts, checked like BuildKit's BFlags (same messages). */
final class FlagSet {
  private enum Kind { BOOL, STRING, STRINGS }

  private final Map<String, Kind> defined = new LinkedHashMap<>();
  private final Map<String, List<String>> values = new HashMap<>();

  FlagSet withBool(String name) {
    defined.put(name, Kind.BOOL);
    return this;
  }

  FlagSet withString(String name) {
    defined.put(name, Kind.STRING);
    return this;
  }

  FlagSet withStrings(String name) {
    defined.put(name, Kind.STRINGS);
    return this;
  }

  /** @throws ParseFailure for an unknown, duplicate or malformed flag */
  FlagSet parse(List<String> flags) {
    for (String flag : flags) {
      if (!flag.startsWith("--")) {
        throw new ParseFailure("arg should start with -- : " + flag);
      }
      String body = flag.substring(2);
      int eq = body.indexOf('=');
      String name = eq >= 0 ? body.substring(0, eq) : body;
      String value = eq >= 0 ? body.substring(eq + 1) : "";
      Kind kind = defined.get(name);
      if (kind == null) {
        throw new ParseFailure("unknown flag: " + name);
      }
      if (values.containsKey(name) && kind != Kind.STRINGS) {
        throw new ParseFailure("duplicate flag specified: " + name);
      }
      switch (kind) {
        case BOOL -> {
          if (eq >= 0 && value.isEmpty()) {
            throw new ParseFailure("missing a value on flag: " + name);
          }
          String v = value.toLowerCase(Locale.ROOT);
          if (!v.isEmpty() && !v.equals("true") && !v.equals("false")) {
            throw new ParseFailure("expecting boolean value for flag " + name + ", not: " + value);
          }
          values.put(name, List.of(v.isEmpty() ? "true" : v));
        }
        case STRING, STRINGS -> {
          if (eq < 0) {
            throw new ParseFailure("missing a value on flag: " + name);
          }
          values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return this;
  }

  /** The value, or null when the flag was not given. */
  String string(String name) {
    List<String> v = values.get(name);
    return v == null ? null : v.get(0);
  }

  boolean bool(String name) {
    return "true".equals(string(name));
  }

  /** Null when not given. */
  Boolean optionalBool(String name) {
    String v = string(name);
    return v == null ? null : Boolean.valueOf(v);
  }

  List<String> strings(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }
}
