package dev.jbuild.registry;

import com.google.api.client.http.HttpHeaders;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>} (OCI distribution 1.1). Empty when the registry has no referrers
 * API (404), so the caller can fall back to the {@code sha256-<hex>} tag schema.
 */
final class ReferrersFetcher implements RegistryEndpoint<Optional<ImageIndex>> {
  private final RegistryTarget target;
  private final Digest subject;
  private final String artifactType;

  ReferrersFetcher(RegistryTarget target, Digest subject, String artifactType) {
    this.target = target;
    this.subject = subject;
    this.artifactType = artifactType;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String url(RegistryTarget t) {
    String url = t.baseUrl() + "/v2/" + t.repository() + "/referrers/" + subject;
    return artifactType == null ? url : url + "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
  }

  @Override
  public void headers(HttpHeaders headers) {
    headers.setAccept(MediaType.OCI_INDEX);
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return List.of(RegistryEndpoint.pullScope(t.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 200 || status == 404;
  }

  @Override
  public Optional<ImageIndex> handle(RegistryResponse response) throws IOException, RegistryException {
    if (response.status() == 404) {
      return Optional.empty();
    }
    byte[] body = response.readCapped(ManifestPuller.MAX_MANIFEST, "referrers of " + subject);
    try {
      return Optional.of(OciJson.readIndex(body));
    } catch (MalformedContentException e) {
      throw new RegistryProtocolException(
          target.name() + ": referrers of " + subject + " are malformed: " + e.getMessage(),
          target.registry(), target.repository(), e);
    }
  }

  @Override
  public String action() {
    return "listing referrers of " + subject;
  }
}
