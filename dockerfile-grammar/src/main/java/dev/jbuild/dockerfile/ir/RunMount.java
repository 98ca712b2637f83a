package dev.jbuild.dockerfile.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code RUN --mount}: the type (bind, cache, tmpfs, secret, ssh) and the other options
 * in written order, keys lowercased as written (aliases such as dst are not normalised),
 * values raw; a bare boolean option ({@code ro}, {@code required}) has the value "true".
 */
public record RunMount(String type, Map<String, String> options) {
  public RunMount {
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }
}
