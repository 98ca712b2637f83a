package dev.jbuild.cli;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.ConfigChanges;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.archive.RootfsImporter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild import FILE|URL|- [NAME]}: a root filesystem tarball as a one-layer image, like docker import. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Create a one-layer image from a root filesystem tarball (plain, gzip, zstd or xz): a file, an"
        + " http(s) URL or - for stdin. Prints the manifest digest.")
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Parameters(index = "0", paramLabel = "FILE|URL|-") String source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The name to tag the image with.")
  String name;

  @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION",
      description = "A Dockerfile instruction to apply to the config (repeatable): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,"
          + " ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.")
  List<String> changes = new ArrayList<>();

  @Option(names = {"-m", "--message"}, paramLabel = "TEXT",
      description = "The history comment (default: \"Imported from SOURCE\").")
  String message;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The image's platform (default: the host's).")
  String platform;

  @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "64G",
      description = "Refuse a download larger than this, e.g. 500M, 8G (default: ${DEFAULT-VALUE}); URLs only.")
  String maxSize;

  @Override
  public Integer call() throws Exception {
    String target = name == null ? null : LocalImages.parse(name).familiar();
    Platform wanted = ArchiveStreams.platform(platform);
    ContainerConfig cc;
    try {
      cc = ConfigChanges.apply(ContainerConfig.EMPTY, changes);
    } catch (BuildException e) {
      throw new Errors.UserError(e.getMessage());
    }
    Instant created = created();
    ImageConfig config = ImageConfig.scratch(wanted).withConfig(cc).withCreated(created);
    String shown = source.equals("-") ? "-" : source;
    ImageConfig.HistoryEntry history = new ImageConfig.HistoryEntry(created, null, null,
        message != null ? message : "Imported from " + shown, false);
    Descriptor manifest;
    try (Store store = parent.global.openStore(); InputStream in = open()) {
      manifest = RootfsImporter.importRootfs(store.blobs(), in, config, history,
          isUrl() ? "download " + source : ArchiveStreams.describe(source, "tarball"));
      if (target != null) {
        store.images().tag(target, manifest);
      } else {
        store.images().addUntagged(manifest);
      }
    }
    spec.commandLine().getOut().println(manifest.digest());
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** SOURCE_DATE_EPOCH when set, as the builder does, else now to the second. */
  private static Instant created() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch != null && epoch.matches("\\d{1,12}")) {
      return Instant.ofEpochSecond(Long.parseLong(epoch));
    }
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  private boolean isUrl() {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("http://") || s.startsWith("https://");
  }

  private InputStream open() throws IOException {
    if (!isUrl()) {
      if (source.contains("://")) {
        throw new Errors.UserError("unsupported URL " + source + ": only http and https");
      }
      return ArchiveStreams.input(source);
    }
    long cap = parseSize(maxSize);
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(HttpRequest.newBuilder(URI.create(source)).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError("invalid URL " + source + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while downloading " + source);
    }
    InputStream body = response.body();
    if (response.statusCode() != 200) {
      body.close();
      throw new IOException("GET " + source + " answered HTTP " + response.statusCode());
    }
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (length > cap) {
      body.close();
      throw new IOException(source + " has " + length + " bytes, more than --max-size " + maxSize);
    }
    return new Capped(body, cap, source, maxSize);
  }

  static long parseSize(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    if (!t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
      unit = 1L << (10 * ("KMGT".indexOf(t.charAt(t.length() - 1)) + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t);
      if (n <= 0 || n > Long.MAX_VALUE / unit) {
        throw new NumberFormatException();
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw new Errors.UserError("invalid size \"" + s + "\": use a number of bytes, or with K, M, G or T");
    }
  }

  /** Fails once more than {@code cap} bytes arrive, whatever Content-Length said. */
  private static final class Capped extends FilterInputStream {
    private final long cap;
    private final String what;
    private final String shownCap;
    private long total;

    Capped(InputStream in, long cap, String what, String shownCap) {
      super(in);
      this.cap = cap;
      this.what = what;
      this.shownCap = shownCap;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws IOException {
      total += n;
      if (total > cap) {
        throw new IOException(what + " sent more than --max-size " + shownCap);
      }
    }
  }
}
