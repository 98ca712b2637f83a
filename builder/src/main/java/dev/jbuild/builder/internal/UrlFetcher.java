package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Downloads the file of {@code ADD https://...} with the JDK's {@link HttpClient} (java.net.http: no extra
 * dependency, and the registry's Google HTTP client carries registry auth we must not send here). The body is
 * streamed to disk while hashed, never held in memory, and capped. As BuildKit's Dockerfile frontend does, the file
 * is named after the last segment of the URL's path as written (not a redirect's, nor Content-Disposition's), else
 * {@code __unnamed__}, and its mtime is the {@code Last-Modified} header when there is one.
 */
final class UrlFetcher {
  /** What one download left on disk. */
  record Download(Path file, String name, Instant lastModified, Digest digest, long size) {}

  private final long maxBytes;
  /** Made on the first ADD of a URL: building one loads the TLS trust store, ~80 ms that most builds never need. */
  private HttpClient client;

  UrlFetcher(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  private synchronized HttpClient client() {
    if (client == null) {
      // NORMAL: redirects are followed, except from https down to http. No credentials are ever attached.
      client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(30)).build();
    }
    return client;
  }

  static boolean isUrl(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("http://") || s.startsWith("https://");
  }

  /**
   * The URL for messages: no user info, no query (they may hold tokens). The user info ends at the last {@code @}
   * before the path, since a password often holds an unencoded {@code @} of its own.
   */
  static String redact(String url) {
    String s = url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/]*@", "$1");
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q) + "?<redacted>";
  }

  Download fetch(String url, Path dir, String where) throws BuildException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new BuildException(where + ": invalid URL " + redact(url) + ": " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new BuildException(where + ": invalid URL " + redact(url) + ": no host");
    }
    HttpRequest request = HttpRequest.newBuilder(uri).GET().header("User-Agent", "jbuild").build();
    Path file = dir.resolve("download");
    try {
      HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() / 100 != 2) {
          throw new BuildException(where + ": GET " + redact(url) + " returned HTTP "
              + response.statusCode());
        }
        MessageDigest sha = Digest.newSha256();
        long total = 0;
        byte[] buf = new byte[128 * 1024];
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
          for (int n; (n = body.read(buf)) > 0; ) {
            total += n;
            if (total > maxBytes) {
              throw new BuildException(where + ": " + redact(url) + " is larger than " + maxBytes
                  + " bytes");
            }
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
          }
        }
        String name = fileName(uri);
        Instant modified = response.headers().firstValue("Last-Modified").map(UrlFetcher::httpDate).orElse(null);
        return new Download(file, name, modified, Digest.sha256(sha.digest()), total);
      }
    } catch (IOException e) {
      throw new BuildException(where + ": cannot download " + redact(url) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException(where + ": interrupted while downloading " + redact(url), e);
    }
  }

  /** BuildKit's choice: the last segment of the URL's path as written, else {@code __unnamed__}. */
  static String fileName(URI uri) {
    String base = safeBase(uri.getPath() == null ? "" : uri.getPath());
    return base != null ? base : "__unnamed__";
  }

  /** The last path segment when it can name a file: not empty, ".", ".." nor holding a NUL. */
  private static String safeBase(String path) {
    if (path.endsWith("/")) {
      return null;
    }
    String base = path.substring(path.lastIndexOf('/') + 1);
    if (base.isEmpty() || base.equals(".") || base.equals("..") || base.indexOf('\0') >= 0) {
      return null;
    }
    return base;
  }

  static Instant httpDate(String value) {
    try {
      return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
