package dev.jbuild.registry;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.store.BlobWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The multi-request blob operations: a pull that resumes with {@code Range} after resets, and a push that
 * checks, mounts, then uploads, restarting from POST when a step fails. Single requests go through {@link
 * RegistryCaller}; this class only sequences them.
 */
final class BlobTransfers {
  /** Attempts in a row that moved no byte before a pull gives up (R09; containerd uses 3). */
  static final int MAX_NO_PROGRESS = 3;

  private final RegistryCaller caller;
  private final RegistryClientSettings settings;
  private final RetryPolicy retry;

  BlobTransfers(RegistryCaller caller, RegistryClientSettings settings) {
    this.caller = caller;
    this.settings = settings;
    this.retry = new RetryPolicy(settings);
  }

  /**
   * Downloads the blob into {@code sink} and verifies it. With {@code hashedBy} (the store writer every byte of
   * {@code sink} ends up in, as they are), the digest checked is the writer's own hash of what it received, so the
   * bytes are hashed once rather than twice; null hashes here.
   */
  void pull(Descriptor descriptor, OutputStream sink, BlobWriter hashedBy) throws IOException, RegistryException {
    RegistryTarget target = caller.target();
    if (descriptor.size() == 0) {
      // A zero size in a descriptor is how a broken or hostile manifest hides an unbounded body (R19).
      throw new RegistryProtocolException(target.name() + ": blob " + descriptor.digest()
          + " has a zero-size descriptor", target.registry(), target.repository(), null);
    }
    ProgressReporter progress = new ProgressReporter(
        target, settings.events(), RegistryEvent.Direction.PULL, descriptor.digest(), descriptor.size());
    // The writer's hash stands for ours only when it covers exactly the bytes we write, in the same algorithm.
    boolean sinkHashes = hashedBy != null && hashedBy.written() == 0
        && hashedBy.algorithm().equals(descriptor.digest().algorithm());
    BlobPuller.State state = new BlobPuller.State(target, descriptor, sink, sinkHashes, progress);
    int stalls = 0;
    int resumes = 0;
    long start = System.nanoTime();
    while (true) {
      long before = state.offset;
      caller.call(new BlobPuller(state));
      if (state.offset == descriptor.size()) {
        break;
      }
      stalls = state.offset == before ? stalls + 1 : 0;
      resumes++;
      Duration delay = retry.delay(Math.max(1, stalls), null);
      if (stalls >= MAX_NO_PROGRESS || resumes > 10 * (settings.maxRetries() + 1) || !retry.allows(0, start, delay)) {
        throw new RegistryUnreachableException(
            target.name() + ": blob " + descriptor.digest() + " broke off at byte " + state.offset + " of "
                + descriptor.size() + " and resuming made no progress (" + resumes + " attempts)",
            target.registry(), target.repository(), null);
      }
      settings.events().onEvent(new RegistryEvent.Retrying(target.registry(), target.repository(),
          "pulling blob " + descriptor.digest(), resumes + 1, delay, "connection broke at byte " + state.offset));
      if (stalls > 0) {
        RetryPolicy.sleep(delay);
      }
    }
    Digest actual = sinkHashes ? hashedBy.digestSoFar() : descriptor.digest().finish(state.hasher);
    if (!actual.equals(descriptor.digest())) {
      throw new RegistryProtocolException(
          target.name() + ": blob " + descriptor.digest() + " does not match its digest (got " + actual + ")",
          target.registry(), target.repository(),
          new DigestMismatchException("blob", descriptor.digest(), actual));
    }
  }

  boolean push(Descriptor descriptor, RegistryClient.BlobContent content, String mountFrom)
      throws IOException, RegistryException {
    RegistryTarget target = caller.target();
    Digest digest = descriptor.digest();
    if (caller.call(new BlobChecker(digest, true, target.repository())).isPresent()) {
      settings.events().onEvent(new RegistryEvent.BlobSkipped(target.registry(), target.repository(), digest,
          "already exists"));
      return false;
    }
    URI location = null;
    long minChunk = 0;
    if (mountFrom != null && !mountFrom.equals(target.repository())) {
      UploadStarter.Result mount;
      try {
        mount = caller.call(new UploadStarter(caller, digest, mountFrom));
      } catch (RegistryAuthenticationException e) {
        // No pull access to mountFrom (a token service grants only what the user may do: 401 insufficient_scope,
        // or 403): upload instead, as docker and crane do. A refused push shows up on the upload itself.
        mount = null;
      }
      if (mount != null && mount.mounted()) {
        settings.events().onEvent(new RegistryEvent.BlobSkipped(target.registry(), target.repository(), digest,
            "mounted from " + mountFrom));
        return false;
      }
      if (mount != null) {
        // The registry could not mount (blob absent there, or no access) and opened a session instead: use it.
        location = mount.location();
        minChunk = mount.minChunk();
      }
    }
    ProgressReporter progress = new ProgressReporter(
        target, settings.events(), RegistryEvent.Direction.PUSH, digest, descriptor.size());
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        if (location == null) {
          UploadStarter.Result session = caller.call(new UploadStarter(caller, null, null));
          location = session.location();
          minChunk = session.minChunk();
        }
        progress.reset(0);
        upload(descriptor, content, location, minChunk, progress);
        return true;
      } catch (RegistryException e) {
        Duration delay = retry.delay(attempt, null);
        if (!restartable(e) || !retry.allows(attempt, start, delay)) {
          throw e;
        }
        settings.events().onEvent(new RegistryEvent.Retrying(target.registry(), target.repository(),
            "uploading blob " + digest, attempt + 1, delay, "restarting the upload: " + e.getMessage()));
        RetryPolicy.sleep(delay);
        location = null;
      }
    }
  }

  private void upload(
      Descriptor descriptor, RegistryClient.BlobContent content, URI location, long minChunk, ProgressReporter progress)
      throws IOException, RegistryException {
    long size = descriptor.size();
    long chunk = Math.max(settings.chunkSize(), minChunk);
    boolean chunked = size > chunk && transportSupportsPatch();
    if (!chunked) {
      caller.call(new UploadCommitter(caller, location, descriptor.digest(), new BlobBody(content, 0, size, progress)));
      return;
    }
    long offset = 0;
    int resyncs = 0;
    while (offset < size) {
      long length = Math.min(chunk, size - offset);
      UploadPatcher.Result result =
          caller.call(new UploadPatcher(caller, location, offset, new BlobBody(content, offset, length, progress)));
      location = result.location();
      if (result.outOfOrder()) {
        // The registry holds a different amount than we think: ask it, and continue from there (R15).
        if (++resyncs > 3) {
          throw caller.errors().protocol("upload of blob " + descriptor.digest() + " keeps losing chunks", null);
        }
        UploadPatcher.Result status = caller.call(new UploadStatusChecker(caller, location));
        location = status.location();
        offset = Math.max(0, status.nextOffset());
        progress.reset(offset);
      } else {
        offset = result.nextOffset();
      }
    }
    caller.call(new UploadCommitter(caller, location, descriptor.digest(), null));
  }

  private boolean transportSupportsPatch() {
    try {
      return caller.transport().supportsMethod("PATCH");
    } catch (IOException e) {
      // NetHttpTransport (HttpURLConnection) cannot PATCH at all: such uploads stream one monolithic PUT.
      return false;
    }
  }

  /** Network breaks and server-side failures restart the session; auth, 4xx and bad data do not. */
  private static boolean restartable(RegistryException e) {
    if (e instanceof RegistryUnreachableException) {
      return !(e.getCause() instanceof ConnectException || e.getCause() instanceof UnknownHostException);
    }
    if (e instanceof RegistryAuthenticationException || e instanceof RegistryProtocolException) {
      return false;
    }
    return RetryPolicy.isRetryableStatus(e.statusCode());
  }
}
