package dev.jbuild.registry;

import com.google.api.client.http.HttpHeaders;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.InvalidDigestException;
import dev.jbuild.oci.MediaType;
import java.util.List;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}. Returns null when the answer cannot be used on its own (405,
 * no digest header, unknown media type): the client then falls back to GET and hashes the body (R17).
 */
final class ManifestChecker implements RegistryEndpoint<ManifestChecker.Result> {
  private final ManifestReference reference;
  private final RegistryTarget target;

  /** {@code descriptor} is null for 404; {@code needsGet} when only a GET can tell. */
  record Result(Descriptor descriptor, boolean needsGet) {}

  ManifestChecker(RegistryTarget target, ManifestReference reference) {
    this.target = target;
    this.reference = reference;
  }

  @Override
  public String method() {
    return "HEAD";
  }

  @Override
  public String url(RegistryTarget t) {
    return t.baseUrl() + "/v2/" + t.repository() + "/manifests/" + reference;
  }

  @Override
  public void headers(HttpHeaders headers) {
    headers.setAccept(MediaType.manifestAccept());
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return List.of(RegistryEndpoint.pullScope(t.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 200 || status == 404 || status == 405;
  }

  @Override
  public Result handle(RegistryResponse response) throws RegistryException {
    if (response.status() == 404) {
      return new Result(null, false);
    }
    String header = response.header("Docker-Content-Digest");
    String type = response.contentType();
    long size = response.contentLength();
    if (response.status() == 405 || header == null || size < 0
        || !(MediaType.isManifest(type) || MediaType.isIndex(type))) {
      return new Result(null, true);
    }
    Digest digest;
    try {
      digest = Digest.parse(header.trim());
    } catch (InvalidDigestException e) {
      throw new RegistryProtocolException(
          target.name() + ": invalid Docker-Content-Digest for manifest " + reference,
          target.registry(), target.repository(), e);
    }
    if (reference.digest() != null && !reference.digest().equals(digest)) {
      throw new RegistryProtocolException(
          target.name() + ": HEAD of manifest " + reference + " answered for a different digest " + digest,
          target.registry(), target.repository(), null);
    }
    if (size > ManifestPuller.MAX_MANIFEST) {
      throw new RegistryProtocolException(
          target.name() + ": manifest " + reference + " of " + size + " bytes exceeds the 4 MiB limit",
          target.registry(), target.repository(), null);
    }
    return new Result(new Descriptor(type, digest, size), false);
  }

  @Override
  public String action() {
    return "checking manifest " + reference;
  }
}
