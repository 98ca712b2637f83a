package dev.jbuild.registry;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.ConnectionFactory;
import com.google.api.client.http.javanet.NetHttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the HTTP transport of one client: the JDK's connection, a proxy chosen per URL by the settings'
 * {@link ProxySelector}, and for a registry with a configured CA file a trust store of the system CAs plus that
 * file's certificates.
 */
final class Transports {
  private Transports() {}

  /** @throws IllegalArgumentException when the registry's CA file cannot be read or holds no certificate */
  static HttpTransport create(RegistryClientSettings settings, String registry) {
    NetHttpTransport.Builder builder = new NetHttpTransport.Builder();
    ProxySelector proxies = settings.proxySelector();
    if (proxies != null) {
      builder.setConnectionFactory(new ProxyingConnectionFactory(proxies));
    }
    Path ca = settings.caFileFor(registry);
    if (ca != null) {
      builder.setSslSocketFactory(sslContext(ca, registry).getSocketFactory());
    }
    return builder.build();
  }

  /** The system's trusted CAs plus every certificate in the PEM file {@code ca}. */
  static SSLContext sslContext(Path ca, String registry) {
    try {
      Collection<? extends Certificate> extra;
      try (InputStream in = Files.newInputStream(ca)) {
        extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (extra.isEmpty()) {
        throw new GeneralSecurityException("no certificate in the file");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate system : systemTrust().getAcceptedIssuers()) {
        store.setCertificateEntry("system-" + i++, system);
      }
      i = 0;
      for (Certificate c : extra) {
        store.setCertificateEntry("extra-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use the CA file " + ca + " for registry " + registry + ": " + e.getMessage(), e);
    }
  }

  private static X509TrustManager systemTrust() throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("the JDK has no X.509 trust manager");
  }

  /** Opens each connection through the proxy the selector picks for its URL. */
  private static final class ProxyingConnectionFactory implements ConnectionFactory {
    private final ProxySelector selector;

    ProxyingConnectionFactory(ProxySelector selector) {
      this.selector = selector;
    }

    @Override
    public HttpURLConnection openConnection(URL url) throws IOException {
      List<Proxy> choices;
      try {
        choices = new ArrayList<>(selector.select(url.toURI()));
      } catch (URISyntaxException e) {
        throw new IOException("invalid URL " + Redact.url(url.toString()), e);
      }
      Proxy proxy = choices.isEmpty() ? Proxy.NO_PROXY : choices.get(0);
      return (HttpURLConnection) url.openConnection(proxy);
    }
  }
}
