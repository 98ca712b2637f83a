package dev.jbuild.builder;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** A temp store and context for builder tests, with readers for what a build produced. */
final class BuildFixture implements AutoCloseable {
  final Path context;
  final Store store;

  BuildFixture(Path tmp) throws Exception {
    context = Files.createDirectories(tmp.resolve("ctx"));
    store = Store.open(tmp.resolve("store"));
  }

  BuildFixture file(String path, String content) throws IOException {
    Path p = context.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return this;
  }

  BuildResult build(String dockerfile, String... tags) throws Exception {
    return build(dockerfile, BuildListener.NONE, tags);
  }

  /** Builds with options set by {@code configure} (named contexts, say) and events to {@code listener}. */
  BuildResult build(String dockerfile, BuildListener listener,
      java.util.function.Consumer<BuildOptions.Builder> configure) throws Exception {
    file("Dockerfile", dockerfile);
    BuildOptions.Builder options = BuildOptions.builder(context);
    configure.accept(options);
    return new ImageBuilder(store, BaseImagePuller.OFFLINE, listener).build(options.build());
  }

  BuildResult build(String dockerfile, BuildListener listener, String... tags) throws Exception {
    file("Dockerfile", dockerfile);
    BuildOptions.Builder options = BuildOptions.builder(context);
    for (String t : tags) {
      options.tag(t);
    }
    return new ImageBuilder(store, BaseImagePuller.OFFLINE, listener).build(options.build());
  }

  /** The entries of the image's last layer. */
  Map<String, Entry> lastLayer(BuildResult r) throws Exception {
    java.util.List<Descriptor> layers = manifest(r).layers();
    return layer(layers.get(layers.size() - 1));
  }

  Manifest manifest(BuildResult r) throws Exception {
    return OciJson.readManifest(store.blobs().readAll(r.manifest().digest(), 1 << 20));
  }

  ImageConfig config(BuildResult r) throws Exception {
    return OciJson.readConfig(store.blobs().readAll(r.configDigest(), 1 << 20));
  }

  /** Path to entry of one layer, in tar order; file contents are read as UTF-8 into {@link Entry#content}. */
  Map<String, Entry> layer(Descriptor layer) throws Exception {
    Map<String, Entry> out = new LinkedHashMap<>();
    try (InputStream raw = new BufferedInputStream(store.blobs().open(layer.digest()));
        InputStream in = MediaType.layerCompression(layer.mediaType()) == MediaType.Compression.GZIP
            ? new GZIPInputStream(raw) : raw;
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String content = e.isFile() ? new String(tar.readAllBytes(), StandardCharsets.UTF_8) : null;
        out.put(e.getName(), new Entry(e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
            e.isDirectory(), e.isSymbolicLink() ? e.getLinkName() : null, content, e.getModTime().toInstant()));
      }
    }
    return out;
  }

  record Entry(int mode, long uid, long gid, boolean directory, String link, String content, java.time.Instant mtime) {}

  @Override
  public void close() {
    store.close();
  }
}
