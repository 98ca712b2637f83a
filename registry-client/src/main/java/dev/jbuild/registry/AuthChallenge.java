package dev.jbuild.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="...",service="...",scope="..."}
 * or {@code Basic realm="..."}.
 *
 * @param scheme {@code bearer} or {@code basic}, lowercase
 * @param params parameter names lowercase, values unquoted
 */
record AuthChallenge(String scheme, Map<String, String> params) {

  boolean isBearer() {
    return scheme.equals("bearer");
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  String realm() {
    return params.get("realm");
  }

  String service() {
    return params.get("service");
  }

  /** Picks Bearer over Basic when a server offers both; null when none is usable. */
  static AuthChallenge choose(List<String> headerValues) {
    AuthChallenge basic = null;
    for (String value : headerValues) {
      AuthChallenge c = parse(value);
      if (c == null) {
        continue;
      }
      if (c.isBearer()) {
        return c;
      }
      if (c.isBasic() && basic == null) {
        basic = c;
      }
    }
    return basic;
  }

  /** Parses one challenge; null for an unknown scheme or garbage. */
  static AuthChallenge parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    int space = h.indexOf(' ');
    String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
    if (!scheme.equals("bearer") && !scheme.equals("basic")) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = space < 0 ? h.length() : space + 1;
    while (i < h.length()) {
      while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
        i++;
      }
      int eq = h.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < h.length() && h.charAt(i) == '"') {
        i++;
        while (i < h.length() && h.charAt(i) != '"') {
          if (h.charAt(i) == '\\' && i + 1 < h.length()) {
            i++;
          }
          value.append(h.charAt(i++));
        }
        i++;
      } else {
        while (i < h.length() && h.charAt(i) != ',') {
          value.append(h.charAt(i++));
        }
      }
      params.putIfAbsent(name, value.toString().trim());
    }
    if (scheme.equals("bearer") && (params.get("realm") == null || params.get("realm").isEmpty())) {
      return null;
    }
    return new AuthChallenge(scheme, Map.copyOf(params));
  }
}
