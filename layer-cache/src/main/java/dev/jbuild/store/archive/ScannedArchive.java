package dev.jbuild.store.archive;

import dev.jbuild.oci.Digest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one streaming pass over an archive found: small JSON documents in memory, every other regular file as a
 * verified blob in the store, and links as name-to-name edges. Names are cleaned archive keys.
 */
final class ScannedArchive {
  /** A regular file of the archive that went into the store. */
  record StoredFile(Digest digest, long size) {}

  final Map<String, byte[]> json = new HashMap<>();
  final Map<String, StoredFile> files = new HashMap<>();
  final Map<String, String> links = new HashMap<>();
  final Set<String> names = new HashSet<>();
  long jsonBytes;
  /** The characters of {@link #names} and of the link targets, for the scanner's memory cap. */
  long nameBytes;

  /** Follows links from {@code name} to a regular file's name; a cycle or a chain of more than 16 is an error. */
  String resolve(String name) throws ArchiveException {
    String current = name;
    Set<String> visited = new HashSet<>();
    while (links.containsKey(current)) {
      if (!visited.add(current) || visited.size() > 16) {
        throw new ArchiveException("archive entry " + TarNames.shown(name) + ": link cycle (or a chain of more"
            + " than 16 links) through " + TarNames.shown(current));
      }
      current = links.get(current);
    }
    return current;
  }
}
