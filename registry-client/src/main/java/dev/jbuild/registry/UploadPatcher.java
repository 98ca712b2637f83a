package dev.jbuild.registry;

import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpHeaders;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * {@code PATCH <location>} with one chunk and {@code Content-Range: start-end}. Returns the next location
 * and the offset the registry has; a 416 (out of order) yields {@code outOfOrder} so the caller asks the
 * session status and resumes where the registry is (R15).
 */
final class UploadPatcher implements RegistryEndpoint<UploadPatcher.Result> {
  private final RegistryCaller caller;
  private final URI location;
  private final long start;
  private final BlobBody body;

  record Result(URI location, long nextOffset, boolean outOfOrder) {}

  UploadPatcher(RegistryCaller caller, URI location, long start, BlobBody body) {
    this.caller = caller;
    this.location = location;
    this.start = start;
    this.body = body;
  }

  @Override
  public String method() {
    return "PATCH";
  }

  @Override
  public String url(RegistryTarget t) {
    return location.toString();
  }

  @Override
  public void headers(HttpHeaders headers) {
    headers.set("Content-Range", start + "-" + (start + body.getLength() - 1));
  }

  @Override
  public HttpContent content() throws IOException {
    return body;
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return List.of(RegistryEndpoint.pushScope(t.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 202 || status == 416;
  }

  @Override
  public boolean retryable() {
    return false;
  }

  @Override
  public Result handle(RegistryResponse response) throws RegistryException {
    if (response.status() == 416) {
      return new Result(location, -1, true);
    }
    String next = response.header("Location");
    URI nextLocation = next == null ? location : caller.resolve(response.url(), next);
    long end = UploadStatusChecker.rangeEnd(response.header("Range"));
    long expected = start + body.getLength();
    if (end >= 0 && end + 1 != expected) {
      return new Result(nextLocation, end + 1, true);
    }
    return new Result(nextLocation, expected, false);
  }

  @Override
  public String action() {
    return "uploading a chunk at offset " + start;
  }
}
