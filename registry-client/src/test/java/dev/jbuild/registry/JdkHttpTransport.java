package dev.jbuild.registry;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test transport on {@code java.net.http.HttpClient}, which (unlike HttpURLConnection) can send PATCH, so
 * chunked uploads can be exercised against the real registry. The Apache transport jib-core ships needs
 * commons-logging, which the build excludes.
 */
final class JdkHttpTransport extends com.google.api.client.http.HttpTransport {
  private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");
  private final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

  @Override
  public boolean supportsMethod(String method) {
    return true;
  }

  /** Every method sent, in order, so tests can tell chunked from monolithic uploads. */
  final List<String> methods = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  protected LowLevelHttpRequest buildRequest(String method, String url) {
    methods.add(method);
    return new Request(method, url);
  }

  private final class Request extends LowLevelHttpRequest {
    private final String method;
    private final String url;
    private final List<String[]> headers = new ArrayList<>();
    private Duration readTimeout = Duration.ofSeconds(60);

    Request(String method, String url) {
      this.method = method;
      this.url = url;
    }

    @Override
    public void addHeader(String name, String value) {
      headers.add(new String[] {name, value});
    }

    @Override
    public void setTimeout(int connectTimeout, int readTimeoutMillis) {
      readTimeout = Duration.ofMillis(readTimeoutMillis <= 0 ? 60_000 : readTimeoutMillis);
    }

    @Override
    public LowLevelHttpResponse execute() throws IOException {
      HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
      if (getStreamingContent() != null) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        getStreamingContent().writeTo(buffer);
        body = HttpRequest.BodyPublishers.ofByteArray(buffer.toByteArray());
      }
      HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).method(method, body).timeout(readTimeout);
      for (String[] h : headers) {
        if (!RESTRICTED.contains(h[0].toLowerCase(java.util.Locale.ROOT))) {
          builder.header(h[0], h[1]);
        }
      }
      if (getContentType() != null) {
        builder.header("Content-Type", getContentType());
      }
      try {
        return new Response(client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
  }

  private static final class Response extends LowLevelHttpResponse {
    private final HttpResponse<InputStream> response;
    private final List<String[]> headers = new ArrayList<>();

    Response(HttpResponse<InputStream> response) {
      this.response = response;
      for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
        for (String v : e.getValue()) {
          headers.add(new String[] {e.getKey(), v});
        }
      }
    }

    @Override
    public InputStream getContent() {
      return response.body();
    }

    @Override
    public String getContentEncoding() {
      return response.headers().firstValue("Content-Encoding").orElse(null);
    }

    @Override
    public long getContentLength() {
      return response.headers().firstValueAsLong("Content-Length").orElse(-1);
    }

    @Override
    public String getContentType() {
      return response.headers().firstValue("Content-Type").orElse(null);
    }

    @Override
    public String getStatusLine() {
      return "HTTP/1.1 " + response.statusCode();
    }

    @Override
    public int getStatusCode() {
      return response.statusCode();
    }

    @Override
    public String getReasonPhrase() {
      return "";
    }

    @Override
    public int getHeaderCount() {
      return headers.size();
    }

    @Override
    public String getHeaderName(int index) {
      return headers.get(index)[0];
    }

    @Override
    public String getHeaderValue(int index) {
      return headers.get(index)[1];
    }

    @Override
    public void disconnect() throws IOException {
      response.body().close();
    }
  }
}
