package dev.jbuild.builder;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Raw tars (hostile names included) and one-layer images made from them, written with commons-compress. */
final class TestImages {
  private static final Instant TIME = Instant.parse("2024-01-01T00:00:00Z");

  private TestImages() {}

  /** One raw tar entry. */
  record RawEntry(String name, byte type, String content, String link) {}

  static RawEntry file(String name, String content) {
    return new RawEntry(name, TarConstants.LF_NORMAL, content, null);
  }

  static RawEntry dir(String name) {
    return new RawEntry(name, TarConstants.LF_DIR, null, null);
  }

  static RawEntry symlink(String name, String target) {
    return new RawEntry(name, TarConstants.LF_SYMLINK, null, target);
  }

  static RawEntry hardlink(String name, String target) {
    return new RawEntry(name, TarConstants.LF_LINK, null, target);
  }

  static byte[] tar(List<RawEntry> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (RawEntry r : entries) {
        TarArchiveEntry e = new TarArchiveEntry(r.name(), r.type(), true);
        e.setModTime(TIME.toEpochMilli());
        e.setMode(r.type() == TarConstants.LF_DIR ? 040755 : r.type() == TarConstants.LF_SYMLINK ? 0120777 : 0100644);
        e.setUserId(3);
        e.setGroupId(4);
        if (r.link() != null) {
          e.setLinkName(r.link());
        }
        byte[] content = r.content() == null ? new byte[0] : r.content().getBytes(StandardCharsets.UTF_8);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** Stores a one-layer image (uncompressed layer) under {@code name}. */
  static Descriptor singleLayer(Store store, String name, List<RawEntry> entries) throws Exception {
    byte[] tar = tar(entries);
    Descriptor layer = new Descriptor(MediaType.OCI_LAYER, Digest.sha256Of(tar), tar.length);
    store.blobs().ingest(new ByteArrayInputStream(tar), layer.digest(), layer.size());
    Platform p = Platform.host();
    ImageConfig config = new ImageConfig(TIME, null, p.architecture(), p.os(), p.variant(), null,
        ContainerConfig.EMPTY, List.of(Digest.sha256Of(tar)),
        List.of(new ImageConfig.HistoryEntry(TIME, "test layer", null, null, false)));
    Descriptor configBlob = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST,
        OciJson.write(Manifest.oci(configBlob, List.of(layer))));
    store.images().tag(name, manifest);
    return manifest;
  }
}
