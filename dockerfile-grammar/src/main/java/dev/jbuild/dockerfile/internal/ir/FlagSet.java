package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The flags one instruction accepts, checked like BuildKit's BFlags (same messages, plus hints). */
final class FlagSet {
  private enum Kind { BOOL, STRING, STRINGS }

  /** Every instruction's flags, to tell a misplaced flag from a misspelt one. */
  private static final Map<String, Set<String>> ALL_FLAGS = Map.of(
      "FROM", Set.of("platform"),
      "RUN", Set.of("mount", "network", "security"),
      "COPY", Set.of("from", "chown", "chmod", "link", "exclude", "parents"),
      "ADD", Set.of("chown", "chmod", "link", "exclude", "checksum", "keep-git-dir", "unpack"),
      "HEALTHCHECK", Set.of("interval", "timeout", "start-period", "start-interval", "retries"));

  private final String instruction;
  private final Map<String, Kind> defined = new LinkedHashMap<>();
  private final Map<String, List<String>> values = new HashMap<>();

  /** @param instruction the upper-case instruction word, for hints */
  FlagSet(String instruction) {
    this.instruction = instruction;
  }

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
        throw ParseFailure.near("arg should start with -- : " + flag, flag);
      }
      String body = flag.substring(2);
      int eq = body.indexOf('=');
      String name = eq >= 0 ? body.substring(0, eq) : body;
      String value = eq >= 0 ? body.substring(eq + 1) : "";
      Kind kind = defined.get(name);
      if (kind == null) {
        throw ParseFailure.near(unknown(name), flag.substring(0, Math.min(flag.length(), 2 + name.length())));
      }
      if (values.containsKey(name) && kind != Kind.STRINGS) {
        throw ParseFailure.near("duplicate flag specified: " + name, flag);
      }
      switch (kind) {
        case BOOL -> {
          if (eq >= 0 && value.isEmpty()) {
            throw ParseFailure.near("missing a value on flag: " + name, "--" + name);
          }
          String v = value.toLowerCase(Locale.ROOT);
          if (!v.isEmpty() && !v.equals("true") && !v.equals("false")) {
            throw ParseFailure.near("expecting boolean value for flag " + name + ", not: " + value, "--" + name);
          }
          values.put(name, List.of(v.isEmpty() ? "true" : v));
        }
        case STRING, STRINGS -> {
          if (eq < 0) {
            throw ParseFailure.near("missing a value on flag: " + name, "--" + name);
          }
          List<String> list = values.get(name);
          if (list == null) {
            list = new ArrayList<>();
            values.put(name, list);
          }
          list.add(value);
        }
      }
    }
    return this;
  }

  private String unknown(String name) {
    String message = "unknown flag: " + name;
    String spelt = Suggest.closest(name, defined.keySet(), true);
    if (spelt != null) {
      return message + " (did you mean --" + spelt + "?)";
    }
    List<String> owners = new ArrayList<>();
    ALL_FLAGS.forEach((owner, names) -> {
      if (names.contains(name) && !owner.equals(instruction)) {
        owners.add(owner);
      }
    });
    if (!owners.isEmpty()) {
      owners.sort(null);
      return message + " (--" + name + " is a flag of " + String.join(" and ", owners) + ", not of " + instruction
          + ")";
    }
    return message;
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
