package dev.jbuild.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest such as {@code sha256:e3b0c4...}.
 *
 * <p>Only {@code sha256} and {@code sha512} with lowercase hex of the exact length are accepted. The check
 * runs before a digest is ever used as a file name or in a URL, so {@code sha256:../../etc/passwd} can never
 * reach the filesystem (CVE-2024-3727).
 */
public final class Digest implements Comparable<Digest> {
  public static final String SHA256 = "sha256";
  public static final String SHA512 = "sha512";

  private final String algorithm;
  private final String hex;

  private Digest(String algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /** Parses and validates {@code algorithm:hex}. */
  public static Digest parse(String value) throws InvalidDigestException {
    if (value == null) {
      throw new InvalidDigestException("missing digest");
    }
    int colon = value.indexOf(':');
    if (colon < 0) {
      throw new InvalidDigestException("invalid digest \"" + shorten(value) + "\": expected algorithm:hex");
    }
    String algorithm = value.substring(0, colon);
    String hex = value.substring(colon + 1);
    int expectedLength;
    if (SHA256.equals(algorithm)) {
      expectedLength = 64;
    } else if (SHA512.equals(algorithm)) {
      expectedLength = 128;
    } else {
      throw new InvalidDigestException(
          "invalid digest \"" + shorten(value) + "\": unsupported algorithm \"" + shorten(algorithm) + "\"");
    }
    if (hex.length() != expectedLength) {
      throw new InvalidDigestException(
          "invalid digest \"" + shorten(value) + "\": " + algorithm + " needs " + expectedLength + " hex digits");
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new InvalidDigestException(
            "invalid digest \"" + shorten(value) + "\": only lowercase hex digits are allowed");
      }
    }
    return new Digest(algorithm, hex);
  }

  /** Parses a digest known to be valid (constants, values this program computed). */
  public static Digest of(String value) {
    try {
      return parse(value);
    } catch (InvalidDigestException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Builds a sha256 digest from raw hash bytes. */
  public static Digest sha256(byte[] rawHash) {
    if (rawHash.length != 32) {
      throw new IllegalArgumentException("a sha256 hash has 32 bytes, not " + rawHash.length);
    }
    return new Digest(SHA256, HexFormat.of().formatHex(rawHash));
  }

  /** Hashes {@code content} with sha256. */
  public static Digest sha256Of(byte[] content) {
    return sha256(newSha256().digest(content));
  }

  /**
   * A fresh sha256 {@link MessageDigest}: the JDK's, or NSS's where the launcher asked for it ({@link NativeSha256}).
   */
  public static MessageDigest newSha256() {
    MessageDigest nss = NativeSha256.newDigest();
    if (nss != null) {
      return nss;
    }
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /**
   * Loads the native SHA-256 when the launcher asked for it ({@link NativeSha256}); digests made afterwards use it.
   * For code about to hash megabytes: a command's start-up thread, an image transfer. Costs 30-60 ms once.
   */
  public static void prepareSha256() {
    NativeSha256.prepare();
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm. */
  public MessageDigest newHasher() {
    if (SHA256.equals(algorithm)) {
      return newSha256();
    }
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no " + algorithm, e);
    }
  }

  /** The digest of what {@code hasher} has seen, in this digest's algorithm. */
  public Digest finish(MessageDigest hasher) {
    return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
  }

  public String algorithm() {
    return algorithm;
  }

  public String hex() {
    return hex;
  }

  /** The first 12 hex digits, as {@code docker images} shows IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  @Override
  public int compareTo(Digest other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && d.algorithm.equals(algorithm) && d.hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, hex);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
