package dev.jbuild.registry;

import com.google.api.client.http.HttpHeaders;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, from {@link State#offset} on. One instance per attempt; the {@link
 * State} carries the running hash and byte count across attempts so a reset resumes with {@code Range}.
 * Returns the offset reached; a body that breaks off is not an error here, the caller resumes (R06, R10).
 */
final class BlobPuller implements RegistryEndpoint<Long> {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");

  /**
   * What survives between attempts: bytes already in the sink and the hash over exactly those bytes (kept by the
   * sink itself when {@code hasher} is null: a store writer, which hashes what it receives anyway).
   */
  static final class State {
    final Descriptor descriptor;
    final MessageDigest hasher;
    final OutputStream sink;
    final ProgressReporter progress;
    final RegistryTarget target;
    long offset;

    State(RegistryTarget target, Descriptor descriptor, OutputStream sink, boolean sinkHashes,
        ProgressReporter progress) {
      this.target = target;
      this.descriptor = descriptor;
      this.hasher = sinkHashes ? null : descriptor.digest().newHasher();
      this.sink = sink;
      this.progress = progress;
    }
  }

  private final State state;

  BlobPuller(State state) {
    this.state = state;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String url(RegistryTarget target) {
    return target.baseUrl() + "/v2/" + target.repository() + "/blobs/" + state.descriptor.digest();
  }

  @Override
  public void headers(HttpHeaders headers) {
    if (state.offset > 0) {
      headers.setRange("bytes=" + state.offset + "-");
    }
  }

  @Override
  public List<String> scopes(RegistryTarget target) {
    return List.of(RegistryEndpoint.pullScope(target.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 200 || status == 206;
  }

  @Override
  public Long handle(RegistryResponse response) throws IOException, RegistryException {
    long size = state.descriptor.size();
    long skip = 0;
    if (response.status() == 206) {
      checkContentRange(response, size);
    } else if (state.offset == 0 && response.contentLength() > size) {
      // Declared longer than the descriptor: fail before writing a byte (M08).
      throw new RegistryCaller.NotRetryableException(
          "blob " + state.descriptor.digest() + " is longer than its descriptor's " + size + " bytes",
          new DigestMismatchException("blob", size, response.contentLength(), state.descriptor.digest()));
    } else if (state.offset > 0) {
      // The server ignored Range and sent everything: drop what the sink already has, keep hashing on. The
      // final digest then covers exactly the bytes written, so a changed body still fails verification (R07).
      skip = state.offset;
    }
    InputStream body = response.body();
    byte[] buffer = new byte[64 * 1024];
    try {
      while (skip > 0) {
        long skipped = body.read(buffer, 0, (int) Math.min(buffer.length, skip));
        if (skipped < 0) {
          return state.offset;
        }
        skip -= skipped;
      }
      int n;
      while ((n = body.read(buffer)) != -1) {
        if (Thread.currentThread().isInterrupted()) {
          // A parallel transfer was cancelled: stop now instead of resuming.
          throw new RegistryCaller.NotRetryableException("interrupted",
              new java.io.InterruptedIOException("blob " + state.descriptor.digest() + " download cancelled"));
        }
        if (state.offset + n > size) {
          throw new RegistryCaller.NotRetryableException(
              "blob " + state.descriptor.digest() + " is longer than its descriptor's " + size + " bytes",
              new DigestMismatchException("blob", size, state.offset + n, state.descriptor.digest()));
        }
        write(buffer, n);
      }
    } catch (RegistryCaller.NotRetryableException e) {
      throw e;
    } catch (IOException e) {
      // A reset or short body: report how far we got; the caller decides whether to resume.
      return state.offset;
    }
    return state.offset;
  }

  private void write(byte[] buffer, int n) throws RegistryCaller.NotRetryableException {
    try {
      state.sink.write(buffer, 0, n);
    } catch (IOException e) {
      // The caller's sink failing is not a network problem: surface it as is, never retry it.
      throw new RegistryCaller.NotRetryableException("writing the blob failed", e);
    }
    if (state.hasher != null) {
      state.hasher.update(buffer, 0, n);
    }
    state.offset += n;
    state.progress.advance(n);
  }

  private void checkContentRange(RegistryResponse response, long size) throws RegistryException {
    List<String> values = response.headers("Content-Range");
    String problem = null;
    if (state.offset == 0) {
      problem = "a 206 Partial Content answer to a request without Range";
    } else if (values.size() != 1) {
      problem = values.isEmpty() ? "206 without Content-Range" : "duplicate Content-Range headers";
    } else {
      Matcher m = CONTENT_RANGE.matcher(values.get(0).trim());
      if (!m.matches()) {
        problem = "malformed Content-Range \"" + Redact.text(values.get(0)) + "\"";
      } else if (Long.parseLong(m.group(1)) != state.offset) {
        problem = "Content-Range starts at " + m.group(1) + ", not at the requested " + state.offset;
      } else if (Long.parseLong(m.group(2)) != size - 1
          || (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size)) {
        problem = "Content-Range " + values.get(0) + " does not end at the blob's size " + size;
      }
    }
    if (problem != null) {
      RegistryTarget t = state.target;
      throw new RegistryProtocolException(
          "registry " + t.registry() + " sent " + problem + " for " + t.repository() + " while resuming blob "
              + state.descriptor.digest(),
          t.registry(), t.repository(), response.status(), List.of(), null);
    }
  }

  @Override
  public String action() {
    return "pulling blob " + state.descriptor.digest();
  }

  @Override
  public RegistryException notFound(RegistryTarget target, String message, List<String> codes) {
    return new BlobNotFoundException(
        message, target.registry(), target.repository(), state.descriptor.digest(), 404, codes);
  }
}
