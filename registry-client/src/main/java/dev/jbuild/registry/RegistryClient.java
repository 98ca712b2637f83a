package dev.jbuild.registry;

import com.google.api.client.http.HttpTransport;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The OCI distribution protocol for one repository of one registry.
 *
 * <pre>{@code
 * try (RegistryClient client = RegistryClient.create(RegistryClientSettings.defaults(), "localhost:5000", "hello")) {
 *   ManifestResponse manifest = client.pullManifest("latest");
 *   client.pullBlob(configDescriptor, out);
 * }
 * }</pre>
 *
 * <p>Thread-safe: layers may be transferred in parallel through one client (tokens are shared). {@code
 * localhost}, 127.0.0.0/8 and {@code [::1]} use plain HTTP, other registries HTTPS unless {@link
 * RegistryClientSettings#allowInsecure()}; {@code docker.io} is reached at {@code registry-1.docker.io}.
 *
 * <p>Every method throws {@link IOException} only for local failures (the caller's sink, blob content, the
 * credential helper), and a {@link RegistryException} subclass for everything the registry did or did not do.
 * Verification failures are {@link RegistryProtocolException}s whose cause is the oci-model {@link
 * dev.jbuild.oci.DigestMismatchException} (digest or size) or {@link MalformedContentException}.
 */
public final class RegistryClient implements AutoCloseable {
  /** Blob bytes to upload; opened again for every attempt, so a failed upload can restart from scratch. */
  @FunctionalInterface
  public interface BlobContent {
    InputStream open() throws IOException;
  }

  private final RegistryCaller caller;
  private final BlobTransfers blobs;
  private final HttpTransport ownedTransport;

  private RegistryClient(RegistryCaller caller, BlobTransfers blobs, HttpTransport ownedTransport) {
    this.caller = caller;
    this.blobs = blobs;
    this.ownedTransport = ownedTransport;
  }

  /**
   * A client for {@code registry} (as users write it: {@code docker.io}, {@code localhost:5000}) and a
   * repository already normalised (Docker Hub's {@code library/} prefix applied, as {@link ImageReference} does).
   *
   * @throws IllegalArgumentException for an invalid registry or repository name, or an unreadable CA file
   */
  public static RegistryClient create(RegistryClientSettings settings, String registry, String repository) {
    Objects.requireNonNull(settings, "settings");
    RegistryTarget target = RegistryTarget.resolve(registry, repository, settings);
    HttpTransport transport = settings.transport();
    HttpTransport owned = null;
    if (transport == null) {
      transport = Transports.create(settings, registry);
      owned = transport;
    }
    RegistryCaller caller = new RegistryCaller(target, settings, transport);
    return new RegistryClient(caller, new BlobTransfers(caller, settings), owned);
  }

  /** A client for the registry and repository of {@code reference}; its tag and digest are ignored. */
  public static RegistryClient create(RegistryClientSettings settings, ImageReference reference) {
    return create(settings, reference.registry(), reference.repository());
  }

  public String registry() {
    return caller.target().registry();
  }

  public String repository() {
    return caller.target().repository();
  }

  /** {@code GET /v2/}: checks that the registry answers and that our credentials (if any) work for it. */
  public void ping() throws IOException, RegistryException {
    caller.call(new Ping(true));
  }

  /**
   * Checks that {@code registry} accepts {@code credential}, as {@code docker login} does: {@code GET /v2/},
   * answering the registry's challenge (Basic, or a token request without scope) with exactly that credential.
   *
   * @throws RegistryAuthenticationException when the registry or its token service rejects the credential
   */
  public static void checkLogin(RegistryClientSettings settings, String registry, Credential credential)
      throws IOException, RegistryException {
    Objects.requireNonNull(credential, "credential");
    RegistryClientSettings only = settings.withCredentials(
        r -> r.equals(registry) ? Optional.of(credential) : Optional.empty());
    try (RegistryClient client = create(only, registry, "jbuild/login")) {
      client.caller.call(new Ping(false));
    }
  }

  /** {@code HEAD} of the blob. */
  public boolean blobExists(Digest digest) throws IOException, RegistryException {
    return blobSize(digest).isPresent();
  }

  /** {@code HEAD} of the blob: its size, or empty when the repository does not have it. */
  public Optional<Long> blobSize(Digest digest) throws IOException, RegistryException {
    return caller.call(new BlobChecker(Objects.requireNonNull(digest, "digest"), false, repository()));
  }

  /**
   * Streams the blob into {@code sink}, verifying size and digest over the raw bytes. After a connection
   * reset it resumes with {@code Range}; a server that ignores Range has the bytes already written skipped.
   * On a size or digest mismatch it throws {@link RegistryProtocolException} with a {@link
   * dev.jbuild.oci.DigestMismatchException} cause; the sink has then received unverified bytes and must be
   * discarded (write it to a temp file and commit only on success).
   */
  public void pullBlob(Descriptor descriptor, OutputStream sink) throws IOException, RegistryException {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(sink, "sink");
    blobs.pull(descriptor, sink, null);
  }

  /**
   * As {@link #pullBlob(Descriptor, OutputStream)}, into the store: {@code sink} is {@code writer.stream()}, or a
   * stream that passes every byte on to it unchanged (a tee). The writer hashes what it receives anyway, so the
   * digest is verified against its hash, before this returns, instead of hashing the blob a second time here. The
   * caller commits the writer afterwards, which checks digest and size once more.
   */
  public void pullBlob(Descriptor descriptor, OutputStream sink, BlobWriter writer)
      throws IOException, RegistryException {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(sink, "sink");
    blobs.pull(descriptor, sink, Objects.requireNonNull(writer, "writer"));
  }

  /**
   * Uploads the blob unless the repository has it: HEAD first, then a cross-repository mount from {@code
   * mountFromRepository} (same registry; null to skip), then POST and a monolithic PUT, or chunked PATCHes for
   * blobs above {@link RegistryClientSettings#chunkSize()} when the transport can PATCH. A failed upload
   * restarts from POST with {@code content} opened anew.
   *
   * @return true if bytes were uploaded, false if the blob existed already or was mounted
   */
  public boolean pushBlob(Descriptor descriptor, BlobContent content, String mountFromRepository)
      throws IOException, RegistryException {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(content, "content");
    if (mountFromRepository != null) {
      RegistryTarget.resolve(registry(), mountFromRepository, RegistryClientSettings.defaults());
    }
    return blobs.push(descriptor, content, mountFromRepository);
  }

  /**
   * Pulls a manifest or index by tag or digest (at most 4 MiB). The digest is computed locally over the raw
   * bytes; pulling by digest rejects a body with another digest. The media type from {@code Content-Type}
   * must agree with the body's {@code mediaType}, and the body must parse strictly as that kind.
   *
   * @throws ManifestNotFoundException when the tag or digest does not exist
   */
  public ManifestResponse pullManifest(String tagOrDigest) throws IOException, RegistryException {
    return caller.call(new ManifestPuller(caller.target(), ManifestReference.parse(tagOrDigest)));
  }

  /**
   * The descriptor of a manifest by tag or digest via {@code HEAD}, or empty when absent. Falls back to GET
   * (and hashes the body) when the registry answers 405 or leaves out {@code Docker-Content-Digest}.
   */
  public Optional<Descriptor> headManifest(String tagOrDigest) throws IOException, RegistryException {
    ManifestReference reference = ManifestReference.parse(tagOrDigest);
    ManifestChecker.Result head = caller.call(new ManifestChecker(caller.target(), reference));
    if (!head.needsGet()) {
      return Optional.ofNullable(head.descriptor());
    }
    try {
      ManifestResponse full = pullManifest(tagOrDigest);
      return Optional.of(new Descriptor(full.mediaType(), full.digest(), full.size()));
    } catch (ManifestNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Pushes a manifest or index under {@code tag} (or under its digest when {@code tag} is a digest).
   *
   * @return the sha256 digest computed locally over {@code bytes}
   * @throws IllegalArgumentException when {@code mediaType} contradicts the body
   */
  public Digest pushManifest(String tag, byte[] bytes, String mediaType) throws IOException, RegistryException {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(mediaType, "mediaType");
    ManifestReference reference = ManifestReference.parse(tag);
    byte[] copy = bytes.clone();
    checkPushedMediaType(copy, mediaType);
    Digest digest = reference.digest() != null
        ? reference.digest().finish(hasherOver(reference.digest(), copy))
        : Digest.sha256Of(copy);
    if (reference.digest() != null && !reference.digest().equals(digest)) {
      throw new IllegalArgumentException("manifest bytes hash to " + digest + ", not to " + reference.digest());
    }
    return caller.call(new ManifestPusher(caller.target(), reference, copy, mediaType, digest));
  }

  private static java.security.MessageDigest hasherOver(Digest digest, byte[] bytes) {
    java.security.MessageDigest hasher = digest.newHasher();
    hasher.update(bytes);
    return hasher;
  }

  private static void checkPushedMediaType(byte[] bytes, String mediaType) {
    try {
      String declared = OciJson.detectMediaType(bytes);
      boolean hasField = OciJson.readObject(bytes, "manifest").has("mediaType");
      if (hasField && !declared.equals(mediaType)) {
        throw new IllegalArgumentException("media type " + mediaType + " contradicts the body's " + declared);
      }
      if (MediaType.isIndex(mediaType)) {
        OciJson.readIndex(bytes);
      } else if (MediaType.isManifest(mediaType)) {
        OciJson.readManifest(bytes);
      }
    } catch (MalformedContentException e) {
      throw new IllegalArgumentException("refusing to push a malformed manifest: " + e.getMessage(), e);
    }
  }

  /** All tags, following {@code Link} pagination (same origin only). */
  public List<String> listTags() throws IOException, RegistryException {
    return listAll(true);
  }

  /** All repositories of the registry ({@code /v2/_catalog}), following pagination. */
  public List<String> listRepositories() throws IOException, RegistryException {
    return listAll(false);
  }

  /** A bound on the names a listing gathers, so a hostile registry's endless pages cannot exhaust memory. */
  static final int MAX_LISTED = 500_000;

  private List<String> listAll(boolean tags) throws IOException, RegistryException {
    List<String> all = new ArrayList<>();
    java.util.Set<URI> seen = new java.util.HashSet<>();
    String url = null;
    URI current = null;
    for (int page = 0; page < 10_000; page++) {
      RegistryTarget t = caller.target();
      ListPageFetcher.Page result =
          caller.call(tags ? ListPageFetcher.tags(t, url) : ListPageFetcher.catalog(t, url));
      all.addAll(result.items());
      if (all.size() > MAX_LISTED) {
        throw caller.errors().protocol("more than " + MAX_LISTED + " names listed", null);
      }
      if (result.next() == null) {
        return all;
      }
      current = current == null ? URI.create(tags ? t.baseUrl() + "/v2/" + t.repository() + "/tags/list"
          : t.baseUrl() + "/v2/_catalog") : current;
      seen.add(current.normalize());
      URI next = caller.resolve(current, result.next());
      if (!t.sameOrigin(next)) {
        throw caller.errors().protocol("pagination link leaves the registry: " + Redact.url(next.toString()), null);
      }
      if (!seen.add(next.normalize())) {
        throw caller.errors().protocol("pagination link leads back to a page already read: "
            + Redact.url(next.toString()), null);
      }
      current = next;
      url = next.toString();
    }
    throw caller.errors().protocol("more than 10000 pages of results", null);
  }

  /** Deletes a manifest by digest (the registry must allow deletes); false when it did not exist. */
  public boolean deleteManifest(Digest digest) throws IOException, RegistryException {
    return caller.call(Deleter.manifest(digest));
  }

  /** Deletes a blob by digest; false when it did not exist. */
  public boolean deleteBlob(Digest digest) throws IOException, RegistryException {
    return caller.call(Deleter.blob(digest));
  }

  /**
   * The referrers of {@code subject} (manifests whose {@code subject} is it), filtered by {@code artifactType}
   * (null for all): through the OCI 1.1 referrers API, or, on a registry without it, through the fallback tag
   * schema ({@code sha256-<hex>} tagging an index of the referrers). Empty when neither exists.
   */
  public Optional<ImageIndex> referrers(Digest subject, String artifactType) throws IOException, RegistryException {
    Objects.requireNonNull(subject, "subject");
    Optional<ImageIndex> api = caller.call(new ReferrersFetcher(caller.target(), subject, artifactType));
    if (api.isPresent()) {
      return Optional.of(filtered(api.get(), artifactType));
    }
    ManifestResponse tagged;
    try {
      tagged = pullManifest(subject.algorithm() + "-" + subject.hex());
    } catch (ManifestNotFoundException e) {
      return Optional.empty();
    }
    if (!MediaType.isIndex(tagged.mediaType())) {
      throw caller.errors().protocol("the referrers tag of " + subject + " is a " + tagged.mediaType()
          + ", not an index", null);
    }
    try {
      return Optional.of(filtered(OciJson.readIndex(tagged.bytes()), artifactType));
    } catch (MalformedContentException e) {
      throw caller.errors().protocol("the referrers index of " + subject + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Registries may ignore the artifactType filter; applying it again is harmless. */
  private static ImageIndex filtered(ImageIndex index, String artifactType) {
    if (artifactType == null) {
      return index;
    }
    List<Descriptor> kept = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (artifactType.equals(d.artifactType())) {
        kept.add(d);
      }
    }
    return new ImageIndex(index.mediaType(), index.artifactType(), kept, index.subject(), index.annotations());
  }

  /** Releases the HTTP transport if this client created it; an injected transport stays open. */
  @Override
  public void close() {
    if (ownedTransport != null) {
      try {
        ownedTransport.shutdown();
      } catch (IOException e) {
        // Shutting down NetHttpTransport cannot meaningfully fail; nothing to report.
      }
    }
  }

  /** For tests in this package. */
  RegistryCaller caller() {
    return caller;
  }
}
