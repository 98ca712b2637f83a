package dev.jbuild.registry;

import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.HttpContent;
import dev.jbuild.oci.Digest;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * {@code PUT <location>?digest=<digest>}, with the whole blob (monolithic) or empty after chunks. Not retried
 * by the caller: a failed upload restarts from POST with freshly opened content.
 */
final class UploadCommitter implements RegistryEndpoint<Digest> {
  private final RegistryCaller caller;
  private final URI location;
  private final Digest digest;
  private final BlobBody body;

  UploadCommitter(RegistryCaller caller, URI location, Digest digest, BlobBody body) {
    this.caller = caller;
    this.location = location;
    this.digest = digest;
    this.body = body;
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String url(RegistryTarget t) {
    String base = location.toString();
    return base + (location.getRawQuery() == null ? "?" : "&") + "digest=" + digest;
  }

  @Override
  public HttpContent content() throws IOException {
    return body != null ? body : new ByteArrayContent("application/octet-stream", new byte[0]);
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return List.of(RegistryEndpoint.pushScope(t.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 201 || status == 204;
  }

  @Override
  public boolean retryable() {
    return false;
  }

  @Override
  public Digest handle(RegistryResponse response) throws RegistryException {
    String header = response.header("Docker-Content-Digest");
    if (header != null && header.startsWith(digest.algorithm() + ":") && !header.trim().equals(digest.toString())) {
      throw caller.errors().protocol(
          "registry stored blob " + digest + " as " + Redact.text(header), null);
    }
    return digest;
  }

  @Override
  public String action() {
    return "uploading blob " + digest;
  }
}
