package dev.jbuild.registry;

import com.google.api.client.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/** One HTTP response with the URL that produced it (after redirects) and capped body reading. */
final class RegistryResponse implements AutoCloseable {
  private static final int REUSE_LIMIT = 64 * 1024;

  private final HttpResponse response;
  private final URI url;
  private final boolean headRequest;
  private EofTracking body;

  RegistryResponse(HttpResponse response, URI url, boolean headRequest) {
    this.response = response;
    this.url = url;
    this.headRequest = headRequest;
  }

  int status() {
    return response.getStatusCode();
  }

  URI url() {
    return url;
  }

  String header(String name) {
    return response.getHeaders().getFirstHeaderStringValue(name);
  }

  List<String> headers(String name) {
    List<String> values = response.getHeaders().getHeaderStringValues(name);
    return values == null ? List.of() : values;
  }

  /** The declared {@code Content-Length}, or -1. */
  long contentLength() {
    Long length = response.getHeaders().getContentLength();
    return length == null ? -1 : length;
  }

  /** The media type of {@code Content-Type} without parameters, or null. */
  String contentType() {
    String type = response.getContentType();
    if (type == null) {
      return null;
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
  }

  /** The raw body (never decompressed); an empty stream when there is none. */
  InputStream body() throws IOException {
    if (body == null) {
      InputStream content = response.getContent();
      body = new EofTracking(content == null ? InputStream.nullInputStream() : content);
    }
    return body;
  }

  /**
   * Reads the whole body, failing with {@link BodyTooLargeException} past {@code max} bytes so a hostile
   * server cannot exhaust memory (M06, C09).
   */
  byte[] readCapped(long max, String what) throws IOException {
    long declared = contentLength();
    if (declared > max) {
      throw new BodyTooLargeException(what + " of " + declared + " bytes exceeds the limit of " + max + " bytes");
    }
    InputStream in = body();
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 64 * 1024)));
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) != -1) {
      total += n;
      if (total > max) {
        throw new BodyTooLargeException(what + " exceeds the limit of " + max + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads at most {@code max} bytes and silently truncates: for error bodies that only feed a message. */
  byte[] readTruncated(int max) {
    try {
      return body().readNBytes(max);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /**
   * Releases the connection. A small remaining body (declared at most {@value #REUSE_LIMIT} bytes, or a
   * HEAD answer) is drained so the connection goes back to the keep-alive pool, which saves a TLS handshake
   * per request; so does a body already read to its end (a whole blob). Anything else, possibly most of a blob,
   * is cut off instead of being read.
   */
  @Override
  public void close() {
    if (body != null && body.atEof) {
      try {
        body.close();
        return;
      } catch (IOException | RuntimeException e) {
        // Fall through to disconnect.
      }
    }
    try {
      long declared = contentLength();
      if (headRequest || (declared >= 0 && declared <= REUSE_LIMIT)) {
        InputStream in = body();
        in.readNBytes(REUSE_LIMIT);
        in.close();
        return;
      }
    } catch (IOException | RuntimeException e) {
      // Fall through: a connection we could not drain is not worth keeping.
    }
    try {
      response.disconnect();
    } catch (IOException | RuntimeException e) {
      // Nothing useful to do: the connection is being thrown away anyway.
    }
  }

  /** A body larger than its cap: not retryable, the server is misbehaving. */
  static final class BodyTooLargeException extends RegistryCaller.NotRetryableException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
      super(message, null);
    }
  }

  /** Notes when the body has been read to its end, so close() can hand the connection back for reuse. */
  private static final class EofTracking extends java.io.FilterInputStream {
    boolean atEof;

    EofTracking(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      atEof |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      atEof |= n < 0;
      return n;
    }
  }
}
