package dev.jbuild.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link ProxySelector} following the {@code HTTPS_PROXY}/{@code HTTP_PROXY}/{@code NO_PROXY} conventions of
 * curl and Go: the variables come in as a map (the CLI passes {@code System.getenv()}), so the library itself
 * never reads the environment. Loopback hosts are never proxied, as in Go's net/http.
 *
 * <pre>{@code
 * ProxySelector proxies = EnvironmentProxies.from(System.getenv());
 * settings = settings.withProxySelector(proxies);
 * }</pre>
 */
public final class EnvironmentProxies extends ProxySelector {
  private final Proxy https;
  private final Proxy http;
  private final List<String> noProxy;

  private EnvironmentProxies(Proxy https, Proxy http, List<String> noProxy) {
    this.https = https;
    this.http = http;
    this.noProxy = noProxy;
  }

  /**
   * The selector for {@code env}, or null when no proxy variable is set. Upper- and lower-case names are read,
   * lower case winning as in curl.
   *
   * @throws IllegalArgumentException when a proxy variable is not a {@code [http://]host:port} URL
   */
  public static EnvironmentProxies from(Map<String, String> env) {
    Proxy https = parse(first(env, "https_proxy", "HTTPS_PROXY"), "HTTPS_PROXY");
    Proxy http = parse(first(env, "http_proxy", "HTTP_PROXY"), "HTTP_PROXY");
    if (https == null && http == null) {
      return null;
    }
    List<String> no = new ArrayList<>();
    String value = first(env, "no_proxy", "NO_PROXY");
    if (value != null) {
      for (String entry : value.split(",")) {
        String e = entry.trim().toLowerCase(Locale.ROOT);
        if (!e.isEmpty()) {
          no.add(e);
        }
      }
    }
    return new EnvironmentProxies(https, http, List.copyOf(no));
  }

  private static String first(Map<String, String> env, String lower, String upper) {
    String v = env.get(lower);
    if (v == null || v.isBlank()) {
      v = env.get(upper);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static Proxy parse(String value, String name) {
    if (value == null) {
      return null;
    }
    URI uri = URI.create(value.contains("://") ? value : "http://" + value);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(name + " is not a proxy URL: " + Redact.url(value));
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(name + ": only http proxies are supported, not " + scheme);
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : (scheme.equals("https") ? 443 : 80);
    return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
  }

  @Override
  public List<Proxy> select(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    Proxy proxy = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
    int port = uri.getPort() >= 0 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
    if (proxy == null || HostPolicy.isLoopback(host) || bypassed(host, port)) {
      return List.of(Proxy.NO_PROXY);
    }
    return List.of(proxy);
  }

  /**
   * NO_PROXY entries: {@code *}, a host, a domain suffix ({@code .corp} or {@code corp}), optionally with a port,
   * or an address range ({@code 10.0.0.0/8}, {@code fd00::/8}) for a host given as an address, as in Go.
   */
  private boolean bypassed(String host, int port) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    for (String entry : noProxy) {
      if (entry.equals("*")) {
        return true;
      }
      int slash = entry.indexOf('/');
      if (slash > 0) {
        if (inRange(bare, entry.substring(0, slash), entry.substring(slash + 1))) {
          return true;
        }
        continue;
      }
      String name = entry;
      int colon = entry.lastIndexOf(':');
      if (colon > 0 && entry.indexOf(']') < colon && entry.substring(colon + 1).matches("\\d+")) {
        if (Integer.parseInt(entry.substring(colon + 1)) != port) {
          continue;
        }
        name = entry.substring(0, colon);
      }
      String suffix = name.startsWith(".") ? name.substring(1) : name;
      if (suffix.startsWith("[") && suffix.endsWith("]")) {
        suffix = suffix.substring(1, suffix.length() - 1);
      }
      if (bare.equals(suffix) || bare.endsWith("." + suffix)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the address literal {@code host} lies in {@code network/bits}; false for names (never resolved). */
  private static boolean inRange(String host, String network, String bits) {
    byte[] h = literal(host);
    byte[] n = literal(network);
    if (h == null || n == null || h.length != n.length || !bits.matches("\\d{1,3}")) {
      return false;
    }
    int prefix = Integer.parseInt(bits);
    if (prefix > h.length * 8) {
      return false;
    }
    for (int i = 0; i < prefix; i++) {
      int mask = 0x80 >> (i % 8);
      if ((h[i / 8] & mask) != (n[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** The bytes of an IPv4 or IPv6 address literal, or null for anything else (no name is ever looked up). */
  private static byte[] literal(String s) {
    boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return java.net.InetAddress.getByName(s).getAddress();
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  @Override
  public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
    // Nothing to remember: the caller's retry policy decides what to do next.
  }
}
