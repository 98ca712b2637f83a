package dev.jbuild.store.archive;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Turns a root filesystem tarball (plain, gzip, zstd or xz) into a one-layer image, like {@code docker import}.
 * The entries are re-serialised as they stream through (as docker does): names cleaned ({@code /etc} and {@code
 * ./etc} become {@code etc}), a {@code ..} component refused, owner, mode, times, links and xattrs kept. The layer
 * is stored uncompressed, so its digest is its diffID.
 */
public final class RootfsImporter {
  private RootfsImporter() {}

  /**
   * Imports the tarball read from {@code in} (not closed) and stores layer, config and manifest.
   *
   * @param config the image config without layers: platform, created, container config
   * @param history the history line of the layer
   * @param source how errors name the input
   * @return the manifest descriptor (OCI), not tagged
   */
  public static Descriptor importRootfs(BlobStore blobs, InputStream in, ImageConfig config,
      ImageConfig.HistoryEntry history, String source) throws StoreException {
    if (!config.diffIds().isEmpty()) {
      throw new IllegalArgumentException("the config of an import has no layers yet");
    }
    Digest diffId;
    long size;
    try (BlobWriter w = blobs.newWriter()) {
      try {
        TarArchiveInputStream input = new TarArchiveInputStream(Decompression.open(in), "UTF-8");
        int entries = 0;
        try (TarArchiveOutputStream out = TarCopy.output(w.stream())) {
          TarArchiveEntry e;
          long[] sparseBudget = {TarCopy.MAX_SPARSE_EXPANSION};
          while ((e = input.getNextEntry()) != null) {
            entries += copyEntry(input, e, out, source, sparseBudget) ? 1 : 0;
          }
          out.finish();
        }
        if (entries == 0) {
          throw new ArchiveException(source + " is empty or not a tar archive");
        }
      } catch (IOException e) {
        throw new ArchiveException(source + " is unreadable: " + e.getMessage(), e);
      }
      size = w.written();
      diffId = w.commit(null, -1);
    } catch (DigestMismatchException e) {
      throw new IllegalStateException("a commit without expectations cannot mismatch", e);
    }
    Descriptor layer = new Descriptor(MediaType.OCI_LAYER, diffId, size);
    Descriptor configBlob = blobs.put(MediaType.OCI_CONFIG, OciJson.write(config.withLayer(diffId, history)));
    return blobs.put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(configBlob, List.of(layer))));
  }

  private static boolean copyEntry(TarArchiveInputStream in, TarArchiveEntry e, TarArchiveOutputStream out,
      String source, long[] sparseBudget) throws IOException, ArchiveException {
    if (e.isGlobalPaxHeader()) {
      return false;
    }
    String name = TarNames.clean(e.getName(), source);
    String where = source + ": entry " + TarNames.shown(name);
    if (name.isEmpty()) {
      return false; // the root directory itself
    }
    byte flag = e.getLinkFlag();
    String link = null;
    boolean sparse = e.isSparse();
    if (sparse && !(flag == TarConstants.LF_GNUTYPE_SPARSE || flag == TarConstants.LF_NORMAL
        || flag == TarConstants.LF_OLDNORM)) {
      throw new ArchiveException(where + " carries a sparse map but is not a regular file");
    }
    if (sparse) {
      // A GNU sparse file (old GNU, or PAX 0.0, 0.1, 1.0): the reader gives its whole content, holes as zeros, and
      // the layer holds it as the plain file docker import makes of it.
      flag = TarConstants.LF_NORMAL;
    } else if (e.isLink()) {
      link = TarNames.clean(e.getLinkName(), where + " (hardlink target)");
      flag = TarConstants.LF_LINK;
    } else if (e.isSymbolicLink()) {
      link = e.getLinkName();
      flag = TarConstants.LF_SYMLINK;
    } else if (e.isDirectory()) {
      flag = TarConstants.LF_DIR;
    } else if (flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG || flag == TarConstants.LF_NORMAL) {
      flag = TarConstants.LF_NORMAL;
    } else if (flag != TarConstants.LF_CHR && flag != TarConstants.LF_BLK && flag != TarConstants.LF_FIFO) {
      throw new ArchiveException(where + " has tar type '" + (char) flag + "', which a layer cannot hold");
    }
    long size = flag != TarConstants.LF_NORMAL ? 0 : sparse ? TarCopy.sparseSize(e, where, sparseBudget) : e.getSize();
    out.putArchiveEntry(TarCopy.header(e, name, flag, link, size));
    if (size > 0) {
      TarCopy.copy(in, out, size, where);
    }
    out.closeArchiveEntry();
    return true;
  }
}
