package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import java.util.List;
import java.util.Optional;

/** {@code HEAD /v2/<name>/blobs/<digest>}: the blob's size if it exists. */
final class BlobChecker implements RegistryEndpoint<Optional<Long>> {
  private final Digest digest;
  private final String scope;

  /** {@code push} asks for a push-capable token, so a HEAD before an upload shares the upload's token. */
  BlobChecker(Digest digest, boolean push, String repository) {
    this.digest = digest;
    this.scope = push ? RegistryEndpoint.pushScope(repository) : RegistryEndpoint.pullScope(repository);
  }

  @Override
  public String method() {
    return "HEAD";
  }

  @Override
  public String url(RegistryTarget target) {
    return target.baseUrl() + "/v2/" + target.repository() + "/blobs/" + digest;
  }

  @Override
  public List<String> scopes(RegistryTarget target) {
    return List.of(scope);
  }

  @Override
  public boolean accepts(int status) {
    return status == 200 || status == 404;
  }

  @Override
  public Optional<Long> handle(RegistryResponse response) {
    if (response.status() == 404) {
      return Optional.empty();
    }
    return Optional.of(response.contentLength());
  }

  @Override
  public String action() {
    return "checking blob " + digest;
  }
}
