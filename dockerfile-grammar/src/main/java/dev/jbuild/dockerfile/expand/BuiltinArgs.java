package dev.jbuild.dockerfile.expand;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Build arguments a Dockerfile may use without declaring them, as BuildKit defines them.
 *
 * <ul>
 *   <li>{@link #PREDEFINED_ARGS}: the proxy variables. They can be set with {@code --build-arg}
 *       without an {@code ARG} line, reach {@code RUN} steps, and are left out of the image history
 *       (they often hold credentials).</li>
 *   <li>{@link #AUTOMATIC_PLATFORM_ARGS}: set by the builder from the build and target platforms;
 *       visible in the global scope, and in a stage after an {@code ARG NAME} line.</li>
 * </ul>
 */
public final class BuiltinArgs {
  /** {@code HTTP_PROXY} ... {@code all_proxy}, sorted. */
  public static final Set<String> PREDEFINED_ARGS = sorted("HTTP_PROXY", "http_proxy", "HTTPS_PROXY",
      "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

  /** {@code TARGETPLATFORM}, {@code TARGETOS}, ... {@code BUILDVARIANT}, sorted. */
  public static final Set<String> AUTOMATIC_PLATFORM_ARGS = sorted("TARGETPLATFORM", "TARGETOS", "TARGETARCH",
      "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT");

  private BuiltinArgs() {
  }

  private static Set<String> sorted(String... names) {
    return Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(names)));
  }
}
