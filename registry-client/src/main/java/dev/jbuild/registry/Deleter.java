package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import java.util.List;

/** {@code DELETE /v2/<name>/blobs/<digest>} or {@code .../manifests/<digest>}. */
final class Deleter implements RegistryEndpoint<Boolean> {
  private final String kind;
  private final Digest digest;

  private Deleter(String kind, Digest digest) {
    this.kind = kind;
    this.digest = digest;
  }

  static Deleter blob(Digest digest) {
    return new Deleter("blobs", digest);
  }

  static Deleter manifest(Digest digest) {
    return new Deleter("manifests", digest);
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String url(RegistryTarget target) {
    return target.baseUrl() + "/v2/" + target.repository() + "/" + kind + "/" + digest;
  }

  @Override
  public List<String> scopes(RegistryTarget target) {
    return List.of("repository:" + target.repository() + ":delete");
  }

  @Override
  public boolean accepts(int status) {
    return status == 202 || status == 200 || status == 404;
  }

  @Override
  public Boolean handle(RegistryResponse response) {
    return response.status() != 404;
  }

  @Override
  public String action() {
    return "deleting " + (kind.equals("blobs") ? "blob " : "manifest ") + digest;
  }
}
