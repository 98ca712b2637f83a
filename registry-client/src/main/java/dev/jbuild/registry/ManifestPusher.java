package dev.jbuild.registry;

import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.HttpContent;
import dev.jbuild.oci.Digest;
import java.util.List;

/**
 * {@code PUT /v2/<name>/manifests/<reference>}. The digest returned is the one computed locally; a
 * {@code Docker-Content-Digest} that disagrees means the registry stored something else, which is an error.
 */
final class ManifestPusher implements RegistryEndpoint<Digest> {
  private final RegistryTarget target;
  private final ManifestReference reference;
  private final byte[] bytes;
  private final String mediaType;
  private final Digest digest;

  ManifestPusher(RegistryTarget target, ManifestReference reference, byte[] bytes, String mediaType, Digest digest) {
    this.target = target;
    this.reference = reference;
    this.bytes = bytes;
    this.mediaType = mediaType;
    this.digest = digest;
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String url(RegistryTarget t) {
    return t.baseUrl() + "/v2/" + t.repository() + "/manifests/" + reference;
  }

  @Override
  public HttpContent content() {
    return new ByteArrayContent(mediaType, bytes);
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return List.of(RegistryEndpoint.pushScope(t.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 201 || status == 200 || status == 202;
  }

  @Override
  public Digest handle(RegistryResponse response) throws RegistryException {
    String header = response.header("Docker-Content-Digest");
    if (header != null && header.startsWith(digest.algorithm() + ":") && !header.trim().equals(digest.toString())) {
      throw new RegistryProtocolException(
          target.name() + ": registry stored manifest " + reference + " as " + Redact.text(header)
              + " but we sent " + digest,
          target.registry(), target.repository(), response.status(), List.of(), null);
    }
    return digest;
  }

  @Override
  public String action() {
    return "pushing manifest " + reference;
  }
}
