package dev.jbuild.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides which hosts a request may go to. Credentials only ever go to the registry's own origin; redirects,
 * upload locations and token realms must not turn a public registry into a way to reach loopback, private or
 * link-local addresses (SSRF: cloud metadata at 169.254.169.254). Only IP literals and {@code localhost} are
 * classified: resolving names here would not stop DNS rebinding and would cost a lookup per request.
 */
final class HostPolicy {
  // Digits and dots only: Java also parses "2130706433" and "127.1" as IPv4 literals, without DNS.
  private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");

  private HostPolicy() {}

  /** {@code localhost}, 127.0.0.0/8 or ::1. */
  static boolean isLoopback(String host) {
    String h = unbracket(host).toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    InetAddress address = literal(h);
    return address != null && address.isLoopbackAddress();
  }

  /** Loopback, private (RFC 1918, ULA, CGNAT), link-local or unspecified. */
  static boolean isInternal(String host) {
    if (isLoopback(host)) {
      return true;
    }
    InetAddress a = literal(unbracket(host));
    if (a == null) {
      return false;
    }
    byte[] b = a.getAddress();
    boolean ula = b.length == 16 && (b[0] & 0xfe) == 0xfc;
    boolean cgnat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    return a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || ula || cgnat;
  }

  /** Link-local or unspecified: never a legitimate target for anything (metadata services live here). */
  static boolean isLinkLocalOrUnspecified(String host) {
    InetAddress a = literal(unbracket(host));
    return a != null && (a.isAnyLocalAddress() || a.isLinkLocalAddress());
  }

  /**
   * Checks a redirect or server-provided upload location; returns null when allowed, else the reason.
   * Same host is always fine (local test registries redirect to themselves).
   */
  static String checkRedirect(RegistryTarget registry, URI next) {
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "scheme \"" + scheme + "\" is not http(s)";
    }
    if (next.getHost() == null) {
      return "no host";
    }
    if (registry.https() && scheme.equals("http") && !registry.allowInsecure()) {
      return "it downgrades https to plain http";
    }
    if (next.getHost().equalsIgnoreCase(registry.host())) {
      return null;
    }
    if (isLinkLocalOrUnspecified(next.getHost())) {
      return "it points at a link-local or unspecified address";
    }
    if (!registry.loopback() && isInternal(next.getHost())) {
      return "a non-loopback registry may not send us to a loopback or private address";
    }
    return null;
  }

  /** Checks a token realm from a challenge; returns null when allowed, else the reason (C03). */
  static String checkRealm(RegistryTarget registry, URI realm) {
    String scheme = realm.getScheme() == null ? "" : realm.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "scheme \"" + scheme + "\" is not https";
    }
    if (scheme.equals("http") && registry.https()) {
      return "a plain-http realm for an https registry would expose credentials";
    }
    if (realm.getHost() == null || realm.getHost().isEmpty()) {
      return "no host";
    }
    if (isLinkLocalOrUnspecified(realm.getHost())) {
      return "it points at a link-local or unspecified address";
    }
    if (!registry.loopback() && isInternal(realm.getHost()) && !realm.getHost().equalsIgnoreCase(registry.host())) {
      return "a non-loopback registry may not name a loopback or private realm";
    }
    return null;
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static InetAddress literal(String host) {
    if (host.isEmpty() || !(IPV4ISH.matcher(host).matches() || host.indexOf(':') >= 0)) {
      return null;
    }
    try {
      // Only literals reach here, so this never does a DNS lookup.
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
