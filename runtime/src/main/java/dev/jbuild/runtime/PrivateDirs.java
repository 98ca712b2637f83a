package dev.jbuild.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Directories for what must not reach a disk, secrets above all: mode 0700, in memory ({@code /dev/shm}) where the
 * host has it writable, else in {@code java.io.tmpdir}. Never under the store, whose files outlive the build.
 */
public final class PrivateDirs {
  private PrivateDirs() {}

  /** A new, empty 0700 directory named {@code prefix} plus a random suffix; the caller deletes it. */
  public static Path create(String prefix) throws IOException {
    Path shm = Path.of("/dev/shm");
    Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    return Files.createTempDirectory(parent, prefix,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }
}
