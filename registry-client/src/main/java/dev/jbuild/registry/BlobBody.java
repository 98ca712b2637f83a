package dev.jbuild.registry;

import com.google.api.client.http.HttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A request body of {@code length} bytes from {@code offset} of re-openable blob content. Opened anew for
 * every send, so an auth re-send or a restarted upload replays it instead of sending a half-consumed stream
 * (R05). Failures reading the content are the caller's, never retried as network errors.
 */
final class BlobBody implements HttpContent {
  private final RegistryClient.BlobContent content;
  private final long offset;
  private final long length;
  private final ProgressReporter progress;

  BlobBody(RegistryClient.BlobContent content, long offset, long length, ProgressReporter progress) {
    this.content = content;
    this.offset = offset;
    this.length = length;
    this.progress = progress;
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public String getType() {
    return "application/octet-stream";
  }

  @Override
  public boolean retrySupported() {
    return false;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    InputStream in;
    try {
      in = content.open();
    } catch (IOException e) {
      throw new RegistryCaller.NotRetryableException("could not open the blob content", e);
    }
    try (in) {
      skipFully(in, offset);
      byte[] buffer = new byte[64 * 1024];
      long left = length;
      while (left > 0) {
        int n;
        try {
          n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        } catch (IOException e) {
          throw new RegistryCaller.NotRetryableException("could not read the blob content", e);
        }
        if (n < 0) {
          throw new RegistryCaller.NotRetryableException(
              "the blob content ended " + left + " bytes before its descriptor's size",
              new IOException("blob content shorter than its descriptor"));
        }
        out.write(buffer, 0, n);
        left -= n;
        progress.advance(n);
      }
    }
  }

  private static void skipFully(InputStream in, long count) throws IOException {
    try {
      in.skipNBytes(count);
    } catch (IOException e) {
      throw new RegistryCaller.NotRetryableException("could not seek in the blob content", e);
    }
  }
}
