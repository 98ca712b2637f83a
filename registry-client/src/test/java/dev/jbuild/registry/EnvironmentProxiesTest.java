package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentProxiesTest {
  private static String proxyOf(EnvironmentProxies p, String url) {
    Proxy proxy = p.select(URI.create(url)).get(0);
    if (proxy.type() == Proxy.Type.DIRECT) {
      return "DIRECT";
    }
    InetSocketAddress a = (InetSocketAddress) proxy.address();
    return a.getHostString() + ":" + a.getPort();
  }

  @Test
  void from_noVariables_isNull() {
    assertThat(EnvironmentProxies.from(Map.of("PATH", "/bin"))).isNull();
  }

  @Test
  void select_httpsProxyWithNoProxyList_bypassesListedHostsDomainsAndLoopback() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of(
        "HTTPS_PROXY", "http://proxy.corp:3128", "NO_PROXY", "internal.example, .corp.example,reg.example:5000"));
    assertThat(proxyOf(p, "https://registry-1.docker.io/v2/")).isEqualTo("proxy.corp:3128");
    assertThat(proxyOf(p, "https://internal.example/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://a.corp.example/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://reg.example:5000/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://reg.example:6000/v2/")).isEqualTo("proxy.corp:3128");
    assertThat(proxyOf(p, "http://localhost:5000/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "http://plain.example/v2/")).isEqualTo("DIRECT"); // no HTTP_PROXY set
  }

  @Test
  void from_lowerCaseWinsAndStarDisables() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of("https_proxy", "lower:1", "HTTPS_PROXY", "upper:2"));
    assertThat(proxyOf(p, "https://x.example/")).isEqualTo("lower:1");
    EnvironmentProxies none = EnvironmentProxies.from(Map.of("HTTPS_PROXY", "p:1", "NO_PROXY", "*"));
    assertThat(proxyOf(none, "https://x.example/")).isEqualTo("DIRECT");
  }

  @Test
  void from_socksProxy_isRejected() {
    assertThatThrownBy(() -> EnvironmentProxies.from(Map.of("HTTPS_PROXY", "socks5://p:1080")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("socks5");
  }

  /** Address ranges in NO_PROXY match hosts given as addresses (Go's rule), and bracketed IPv6 hosts match. */
  @Test
  void select_noProxyRanges_andIpv6Hosts() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of(
        "HTTPS_PROXY", "http://proxy.corp:3128", "NO_PROXY", "10.0.0.0/8,192.168.1.0/24,fd00::/8,[2001:db8::1]"));
    assertThat(proxyOf(p, "https://10.20.30.40:5000/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://192.168.1.7/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://192.168.2.7/v2/")).isEqualTo("proxy.corp:3128");
    assertThat(proxyOf(p, "https://[fd12::5]/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://[2001:db8::1]:443/v2/")).isEqualTo("DIRECT");
    assertThat(proxyOf(p, "https://[2001:db8::2]/v2/")).isEqualTo("proxy.corp:3128");
    // A name is never resolved to test a range.
    assertThat(proxyOf(p, "https://ten.example/v2/")).isEqualTo("proxy.corp:3128");
  }
}
