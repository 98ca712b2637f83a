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

  /**
   * Blob GETs in flight: from sending the request until its response is released (body closed or connection
   * dropped), which is how long a transfer holds its slot (K12).
   */
  final java.util.concurrent.atomic.AtomicInteger blobGetsOpen = new java.util.concurrent.atomic.AtomicInteger();
  /** The most {@link #blobGetsOpen} ever reached. */
  final java.util.concurrent.atomic.AtomicInteger blobGetsMax = new java.util.concurrent.atomic.AtomicInteger();

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
      boolean counted = method.equals("GET") && url.contains("/blobs/");
      if (counted) {
        blobGetsMax.accumulateAndGet(blobGetsOpen.incrementAndGet(), Math::max);
      }
      try {
        return new Response(client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream()),
            counted ? blobGetsOpen : null);
      } catch (InterruptedException e) {
        if (counted) {
          blobGetsOpen.decrementAndGet();
        }
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } catch (IOException | RuntimeException e) {
        if (counted) {
          blobGetsOpen.decrementAndGet();
        }
        throw e;
      }
    }
  }

  private static final class Response extends LowLevelHttpResponse {
    private final HttpResponse<InputStream> response;
    private final List<String[]> headers = new ArrayList<>();
    private final InputStream body;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    Response(HttpResponse<InputStream> response, java.util.concurrent.atomic.AtomicInteger open) {
      this.response = response;
      this.body = new java.io.FilterInputStream(response.body()) {
        @Override
        public void close() throws IOException {
          if (open != null && released.compareAndSet(false, true)) {
            open.decrementAndGet();
          }
          super.close();
        }
      };
      for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
        for (String v : e.getValue()) {
          headers.add(new String[] {e.getKey(), v});
        }
      }
    }

    @Override
    public InputStream getContent() {
      return body;
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
      body.close();
    }
  }
}
