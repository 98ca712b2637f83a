package dev.jbuild.oci;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.HexFormat;

/**
 * SHA-256 from the host's NSS softoken, reached through the JDK's own SunPKCS11 provider, for a JVM that runs
 * without its optimising compiler (DESIGN 8).
 *
 * <p>Why: jbuild's launcher runs the CLI with the quick JIT tier alone ({@code -XX:TieredStopAtLevel=1}), which makes
 * a one-file-edit rebuild about a fifth faster, because most of its CPU went to compiling code that runs once. That
 * tier has no SHA-256 intrinsic, and hashes at 60-100 MB/s where C2 reaches 1-2 GB/s; a cold build hashes hundreds
 * of megabytes. NSS hashes natively (with the CPU's SHA instructions) at over 1 GB/s from any JIT tier, needs no
 * library beyond the JDK, and is installed wherever Debian's JDK is (it depends on libnss3).
 *
 * <p>It is used only when the launcher names NSS's directory in the system property {@value #PROPERTY}, and only
 * once {@link #prepare()} has loaded it: loading takes 30-60 ms of CPU, worth it for commands that hash megabytes
 * (their start-up thread or their transfer code prepares it) and not for the rest, whose few small digests the JDK
 * makes well enough. Anything that goes wrong while loading it (no SunPKCS11 in this JDK, no library, a wrong answer
 * to a known-answer test) leaves the JDK's digest in use: only speed is at stake.
 */
final class NativeSha256 {
  /** The system property naming the directory of {@code libsoftokn3.so}; unset means the JDK's SHA-256. */
  static final String PROPERTY = "jbuild.sha256.nss";

  /** NSS once {@link #prepare()} loaded it; until then (or if it failed) the JDK's digests are used. */
  private static volatile Provider ready;

  private NativeSha256() {}

  /**
   * Loads NSS (once per JVM; a second caller waits for the first) when {@value #PROPERTY} asks for it, so that later
   * digests use it. A no-op otherwise.
   */
  static void prepare() {
    if (ready == null && System.getProperty(PROPERTY) != null) {
      ready = Loaded.PROVIDER;
    }
  }

  /** A fresh NSS SHA-256 digest, or null to use the JDK's (NSS not asked for, not prepared, or not loadable). */
  static MessageDigest newDigest() {
    Provider p = ready;
    if (p == null || System.getProperty(PROPERTY) == null) {
      return null;
    }
    try {
      return MessageDigest.getInstance("SHA-256", p);
    } catch (NoSuchAlgorithmException | RuntimeException e) {
      return null;
    }
  }

  /** Loaded on first use, by whichever thread gets there first; others wait for it (class initialisation). */
  private static final class Loaded {
    static final Provider PROVIDER = load(System.getProperty(PROPERTY));
  }

  /** SHA-256 of "abc" (FIPS 180-2, appendix B.1). */
  private static final byte[] ABC = HexFormat.of()
      .parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  /**
   * Loads NSS from {@code directory}; null when that fails. NSS takes one configuration per process, so only the
   * first successful call returns a provider: callers go through {@link Loaded}.
   */
  static Provider load(String directory) {
    if (directory == null || directory.isEmpty() || directory.indexOf('\n') >= 0) {
      return null;
    }
    try {
      // NSS can be configured once per process: a directory without the library must not use up that once.
      if (!Files.isRegularFile(Path.of(directory, "libsoftokn3.so"))) {
        return null;
      }
      Provider base = Security.getProvider("SunPKCS11");
      if (base == null) {
        return null;
      }
      // noDb: the softoken alone, with no key database: digests need no keys. NSS may be initialised in this
      // process already (by the JDK's own NSS provider, or an earlier load), which is fine for digests. The leading
      // "--" passes the configuration inline rather than as a file name.
      Provider p = base.configure("--name=jbuild-sha256\nnssLibraryDirectory=" + directory
          + "\nnssDbMode=noDb\nattributes=compatibility\nhandleStartupErrors=ignoreMultipleInitialisation\n");
      MessageDigest md = MessageDigest.getInstance("SHA-256", p);
      if (!MessageDigest.isEqual(md.digest("abc".getBytes(StandardCharsets.US_ASCII)), ABC)) {
        return null;
      }
      return p;
    } catch (Throwable e) { // ProviderException, UnsatisfiedLinkError, ...: the JDK's digest it is
      return null;
    }
  }
}
