package dev.jbuild.store.archive;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.InvalidDigestException;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The one streaming pass over an archive: small JSON into memory (capped), every other regular file into the
 * store (hashed while written; checked against its name when the name is a digest), links recorded as edges.
 * Entries may come in any order; nothing is extracted to disk and nothing is seeked.
 */
final class ArchiveScanner {
  static final long MAX_ARCHIVE_MANIFEST = 1L << 20;
  static final long MAX_JSON = 4L << 20;
  static final long MAX_TOTAL_JSON = 64L << 20;
  /**
   * What the scan keeps in memory per entry is bounded too (CASES M06, L32): a few MiB of gzip can hold millions of
   * entries, or names and link targets of a few KiB each. A docker save of hundreds of images has tens of thousands.
   */
  static final int MAX_ENTRIES = 1 << 18;
  static final long MAX_NAME_BYTES = 32L << 20;
  private static final Set<String> TOP_LEVEL = Set.of("manifest.json", "repositories", "index.json", "oci-layout");
  private static final Pattern BLOB = Pattern.compile("blobs/([a-z0-9]+)/([^/]+)");

  private final BlobStore blobs;
  private final String source;

  ArchiveScanner(BlobStore blobs, String source) {
    this.blobs = blobs;
    this.source = source;
  }

  ScannedArchive scan(InputStream raw) throws StoreException {
    ScannedArchive archive = new ScannedArchive();
    try {
      Counting counted = new Counting(Decompression.open(raw));
      TarArchiveInputStream tar = new TarArchiveInputStream(counted, "UTF-8");
      long dataEnd = 0;
      boolean any = false;
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        any = true;
        long dataSize = isRegular(e) ? e.getSize() : 0;
        dataEnd = counted.count + (dataSize + 511) / 512 * 512;
        entry(archive, tar, e);
      }
      if (!any) {
        throw new ArchiveException(source + " is empty or not a tar archive");
      }
      if (counted.count < dataEnd + 512) {
        throw new ArchiveException(source + " is truncated: it ends without the tar end-of-archive marker");
      }
    } catch (IOException e) {
      throw new ArchiveException(source + " is unreadable: " + e.getMessage(), e);
    }
    return archive;
  }

  private static boolean isRegular(TarArchiveEntry e) {
    byte f = e.getLinkFlag();
    return f == TarConstants.LF_NORMAL || f == TarConstants.LF_OLDNORM || f == TarConstants.LF_CONTIG;
  }

  private void entry(ScannedArchive archive, TarArchiveInputStream tar, TarArchiveEntry e)
      throws IOException, StoreException {
    if (e.isGlobalPaxHeader()) {
      return;
    }
    String name = TarNames.clean(e.getName(), source);
    String where = source + ": entry " + TarNames.shown(name);
    if (name.isEmpty() || e.isDirectory()) {
      return;
    }
    if (!archive.names.add(name)) {
      throw new ArchiveException(where + " appears twice");
    }
    keep(archive, name, where);
    boolean special = TOP_LEVEL.contains(name) || name.startsWith("blobs/");
    if (e.isSymbolicLink() || e.isLink()) {
      if (special) {
        throw new ArchiveException(where + " is a " + (e.isSymbolicLink() ? "symlink" : "hardlink")
            + "; refusing it (it must be a regular file)");
      }
      String target = e.isSymbolicLink()
          ? TarNames.resolveSymlink(name, e.getLinkName(), where)
          : TarNames.clean(e.getLinkName(), where);
      keep(archive, target, where);
      archive.links.put(name, target);
      return;
    }
    if (!isRegular(e) || e.isSparse()) {
      throw new ArchiveException(where + " has tar type '" + (char) e.getLinkFlag()
          + "', which an image archive never holds");
    }
    long size = e.getSize();
    Matcher blob = BLOB.matcher(name);
    if (name.equals("manifest.json") || name.equals("repositories")) {
      archive.json.put(name, readJson(archive, tar, size, MAX_ARCHIVE_MANIFEST, where));
    } else if (name.equals("index.json")) {
      archive.json.put(name, readJson(archive, tar, size, MAX_JSON, where));
    } else if (name.equals("oci-layout")) {
      archive.json.put(name, readJson(archive, tar, size, 4096, where));
    } else if (blob.matches()) {
      Digest d;
      try {
        d = Digest.parse(blob.group(1) + ":" + blob.group(2));
      } catch (InvalidDigestException ex) {
        throw new ArchiveException(where + ": a file under blobs/ must be named by its digest (" + ex.getMessage()
            + ")");
      }
      ingestKnown(tar, d, size, where);
      archive.files.put(name, new ScannedArchive.StoredFile(d, size));
    } else if (name.startsWith("blobs/")) {
      throw new ArchiveException(where + ": a file under blobs/ must be blobs/ALGORITHM/HEX");
    } else if (!name.contains("/") && name.endsWith(".json")) {
      archive.json.put(name, readJson(archive, tar, size, MAX_JSON, where)); // an old-layout config
    } else if (name.endsWith("/json") || name.endsWith("/VERSION")) {
      return; // legacy v1 metadata next to old-layout layers; docker itself ignores it on load
    } else {
      try {
        Digest d = blobs.ingest(tar, null, size);
        archive.files.put(name, new ScannedArchive.StoredFile(d, size));
      } catch (DigestMismatchException ex) {
        throw new ArchiveException(where + " is truncated: " + ex.getMessage(), ex);
      } catch (StoreException ex) {
        throw new ArchiveException(where + ": " + ex.getMessage(), ex);
      }
    }
  }

  /** Counts an entry name or link target the scan keeps, refusing an archive past the caps. */
  private void keep(ScannedArchive archive, String kept, String where) throws ArchiveException {
    archive.nameBytes += kept.length();
    if (archive.names.size() > MAX_ENTRIES) {
      throw new ArchiveException(where + ": the archive has more than " + MAX_ENTRIES + " entries, more than any"
          + " image archive; refusing it");
    }
    if (archive.nameBytes > MAX_NAME_BYTES) {
      throw new ArchiveException(where + ": the archive's entry names and link targets exceed "
          + (MAX_NAME_BYTES >> 20) + " MiB, more than any image archive; refusing it");
    }
  }

  private static byte[] readJson(ScannedArchive archive, InputStream tar, long size, long max, String where)
      throws IOException, ArchiveException {
    if (size > max) {
      throw new ArchiveException(where + " has " + size + " bytes, more than the " + (max >> 10)
          + " KiB allowed for it");
    }
    archive.jsonBytes += size;
    if (archive.jsonBytes > MAX_TOTAL_JSON) {
      throw new ArchiveException(where + ": the archive's JSON files exceed " + (MAX_TOTAL_JSON >> 20) + " MiB");
    }
    byte[] bytes = tar.readNBytes((int) size);
    if (bytes.length != size) {
      throw new ArchiveException(where + " is truncated");
    }
    return bytes;
  }

  /** A blob already in the store is only hashed, not written again; either way it must match its name. */
  private void ingestKnown(InputStream tar, Digest d, long size, String where) throws IOException, StoreException {
    try {
      if (blobs.has(d) && blobs.size(d) == size) {
        MessageDigest h = d.newHasher();
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        for (int n; (n = tar.read(buf)) > 0; ) {
          h.update(buf, 0, n);
          total += n;
        }
        Digest actual = d.finish(h);
        if (total != size || !actual.equals(d)) {
          throw new DigestMismatchException("blob", d, actual);
        }
      } else {
        blobs.ingest(tar, d, size);
      }
    } catch (DigestMismatchException ex) {
      throw new ArchiveException(where + " does not hash to its name: " + ex.getMessage(), ex);
    } catch (StoreException ex) {
      throw new ArchiveException(where + ": " + ex.getMessage(), ex);
    }
  }

  /** Counts what the tar reader consumed, to tell a proper end-of-archive marker from a cut stream. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(n);
      count += s;
      return s;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
