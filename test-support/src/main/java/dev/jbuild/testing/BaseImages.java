package dev.jbuild.testing;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Small base images for tests and samples, made from the host's busybox-static with no registry: one gzip
 * layer holding {@code /bin/busybox}, its applet links, {@code /etc/passwd} and {@code /etc/group} (users
 * root, app=1000 and nobody), {@code /tmp} and {@code /root}. The tar is written here with commons-compress
 * directly, not with jbuild's own layer writer, so the fixture stays an independent oracle.
 */
public final class BaseImages {
  public static final Path BUSYBOX = Path.of("/bin/busybox");
  private static final Instant TIME = Instant.parse("2024-01-01T00:00:00Z");
  private static final List<String> APPLETS = List.of(
      "sh", "ls", "cat", "echo", "env", "id", "pwd", "sleep", "touch", "mkdir", "rm", "cp", "mv", "ln", "sha256sum",
      "wc", "find", "tar", "grep", "sed", "head", "true", "false", "test", "ip", "hostname", "whoami", "stat");

  private BaseImages() {}

  /** Fails with the fix when busybox-static is missing, instead of a confusing I/O error. */
  public static void requireBusybox() {
    if (!Files.isRegularFile(BUSYBOX)) {
      throw new IllegalStateException(BUSYBOX + " is missing: run scripts/install-deps (package busybox-static)");
    }
  }

  /** Writes a busybox image for the host platform into {@code store} under {@code name}; returns its manifest. */
  public static Descriptor busybox(Store store, String name)
      throws IOException, StoreException, dev.jbuild.oci.DigestMismatchException {
    requireBusybox();
    byte[] tar = busyboxLayerTar();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] gzBytes = gz.toByteArray();
    Descriptor layer = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256Of(gzBytes), gzBytes.length);
    store.blobs().ingest(new ByteArrayInputStream(gzBytes), layer.digest(), layer.size());

    Platform platform = Platform.host();
    ContainerConfig cc = ContainerConfig.EMPTY
        .withEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .withCmd(List.of("sh"));
    ImageConfig config = new ImageConfig(TIME, null, platform.architecture(), platform.os(), platform.variant(), null,
        cc, List.of(Digest.sha256Of(tar)),
        List.of(new ImageConfig.HistoryEntry(TIME, "jbuild test fixture: busybox-static", null, null, false)));
    Descriptor configBlob = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST,
        OciJson.write(Manifest.oci(configBlob, List.of(layer))));
    store.images().tag(name, manifest);
    return manifest;
  }

  /** The uncompressed layer tar of the busybox image. */
  static byte[] busyboxLayerTar() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      dir(tar, "bin/", 0755, 0);
      file(tar, "bin/busybox", 0755, 0, Files.readAllBytes(BUSYBOX));
      List<String> applets = new ArrayList<>(APPLETS);
      applets.sort(null);
      for (String applet : applets) {
        TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarConstants.LF_SYMLINK);
        link.setLinkName("busybox");
        stamp(link, 0777, 0);
        tar.putArchiveEntry(link);
        tar.closeArchiveEntry();
      }
      dir(tar, "etc/", 0755, 0);
      file(tar, "etc/group", 0644, 0, "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8));
      file(tar, "etc/passwd", 0644, 0, ("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
          + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8));
      dir(tar, "home/", 0755, 0);
      dir(tar, "home/app/", 0755, 1000);
      dir(tar, "root/", 0700, 0);
      dir(tar, "tmp/", 01777, 0);
    }
    return bytes.toByteArray();
  }

  private static void dir(TarArchiveOutputStream tar, String name, int mode, int owner) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
    stamp(e, mode, owner);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, int mode, int owner, byte[] content)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    stamp(e, mode, owner);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static void stamp(TarArchiveEntry e, int mode, int owner) {
    e.setMode((e.isDirectory() ? 040000 : e.isSymbolicLink() ? 0120000 : 0100000) | mode);
    e.setUserId(owner);
    e.setGroupId(owner);
    e.setModTime(TIME.toEpochMilli());
  }

  /**
   * Copies a stored image to a registry with skopeo (a real peer, not jbuild's client), for tests that need a
   * base image in a registry. {@code destination} is like {@code localhost:5000/busybox:1}.
   */
  public static void pushWithSkopeo(Path storeRoot, String name, String destination)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
        "oci:" + storeRoot + ":" + name, "docker://" + destination).redirectErrorStream(true).start();
    byte[] output;
    try (InputStream in = p.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("skopeo copy to " + destination + " failed: " + new String(output, StandardCharsets.UTF_8));
    }
  }

}
