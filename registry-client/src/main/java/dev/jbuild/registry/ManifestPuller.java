package dev.jbuild.registry;

import com.google.api.client.http.HttpHeaders;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /v2/<name>/manifests/<reference>}. The digest is computed here over the raw bytes; a header
 * never substitutes for it (M04). The body is parsed strictly so an index posing as a manifest, or a body
 * whose {@code mediaType} contradicts {@code Content-Type}, is refused (M01-M03).
 */
final class ManifestPuller implements RegistryEndpoint<ManifestResponse> {
  static final long MAX_MANIFEST = 4L * 1024 * 1024;

  private final ManifestReference reference;
  private final RegistryTarget target;

  ManifestPuller(RegistryTarget target, ManifestReference reference) {
    this.target = target;
    this.reference = reference;
  }

  @Override
  public String method() {
    return "GET";
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
    return status == 200;
  }

  @Override
  public ManifestResponse handle(RegistryResponse response) throws IOException, RegistryException {
    byte[] bytes = response.readCapped(MAX_MANIFEST, "manifest " + reference);
    Digest expected = reference.digest();
    Digest actual = expected != null ? expected.finish(hash(expected, bytes)) : Digest.sha256Of(bytes);
    if (expected != null && !expected.equals(actual)) {
      throw protocol("manifest " + reference + " does not match its digest: got " + actual,
          new dev.jbuild.oci.DigestMismatchException("manifest", expected, actual));
    }
    String header = response.header("Docker-Content-Digest");
    if (expected == null && header != null && header.startsWith(actual.algorithm() + ":")
        && !header.trim().equals(actual.toString())) {
      throw protocol("manifest " + reference + ": Docker-Content-Digest " + Redact.text(header)
          + " does not match the body's digest " + actual, null);
    }
    return new ManifestResponse(bytes, checkMediaType(response.contentType(), bytes), actual);
  }

  private static java.security.MessageDigest hash(Digest expected, byte[] bytes) {
    java.security.MessageDigest hasher = expected.newHasher();
    hasher.update(bytes);
    return hasher;
  }

  /** Agrees Content-Type with the body and parses it strictly; returns the media type. */
  private String checkMediaType(String contentType, byte[] bytes) throws RegistryException {
    try {
      String declared = OciJson.detectMediaType(bytes);
      boolean bodyHasField = OciJson.readObject(bytes, "manifest").has("mediaType");
      boolean headerKnown = MediaType.isManifest(contentType) || MediaType.isIndex(contentType);
      String mediaType;
      if (bodyHasField && headerKnown && !declared.equals(contentType)) {
        throw protocol("manifest " + reference + " is served as " + contentType + " but its body says " + declared, null);
      } else if (!bodyHasField && headerKnown) {
        mediaType = contentType;
      } else {
        mediaType = declared;
      }
      if (MediaType.isIndex(mediaType)) {
        OciJson.readIndex(bytes);
      } else if (MediaType.isManifest(mediaType)) {
        OciJson.readManifest(bytes);
      } else {
        throw protocol("manifest " + reference + " has unsupported media type " + Redact.text(mediaType), null);
      }
      return mediaType;
    } catch (MalformedContentException e) {
      throw protocol("manifest " + reference + " is malformed: " + e.getMessage(), e);
    }
  }

  private RegistryProtocolException protocol(String detail, Throwable cause) {
    return new RegistryProtocolException(target.name() + ": " + detail, target.registry(), target.repository(), cause);
  }

  @Override
  public String action() {
    return "pulling manifest " + reference;
  }

  @Override
  public RegistryException notFound(RegistryTarget t, String message, List<String> codes) {
    return new ManifestNotFoundException(
        "manifest " + reference + " not found in " + t.name() + " (" + message + ")",
        t.registry(), t.repository(), reference.toString(), 404, codes);
  }
}
