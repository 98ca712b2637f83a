package dev.jbuild.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Provider;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NSS digest against the JDK's, on the host's real NSS (scripts/install-deps installs libnss3). Every case
 * feeds both the same bytes in the same way and wants the same hash.
 */
class NativeSha256Test {
  private static Provider nss;

  private static String propertyBefore;
  private static String nssDir;

  /** As the launcher does: the property names NSS's directory, and the first digest loads it. */
  @BeforeAll
  static void loadNss() throws IOException {
    String dir = nssDirectory();
    nssDir = dir;
    assertThat(dir).as("libsoftokn3.so (Debian package libnss3; scripts/install-deps installs it)").isNotNull();
    propertyBefore = System.getProperty(NativeSha256.PROPERTY);
    System.setProperty(NativeSha256.PROPERTY, dir);
    NativeSha256.prepare();
    MessageDigest md = NativeSha256.newDigest();
    assertThat(md).as("NSS loaded from " + dir).isNotNull();
    nss = md.getProvider();
  }

  @AfterAll
  static void restoreProperty() {
    if (propertyBefore == null) {
      System.clearProperty(NativeSha256.PROPERTY);
    } else {
      System.setProperty(NativeSha256.PROPERTY, propertyBefore);
    }
  }

  /** Where the launcher looks, in its order. */
  static String nssDirectory() throws IOException {
    try (DirectoryStream<Path> lib = Files.newDirectoryStream(Path.of("/usr/lib"), "*-linux-gnu")) {
      for (Path d : lib) {
        if (Files.isRegularFile(d.resolve("libsoftokn3.so"))) {
          return d.toString();
        }
      }
    }
    for (String d : new String[] {"/usr/lib64", "/usr/lib"}) {
      if (Files.isRegularFile(Path.of(d, "libsoftokn3.so"))) {
        return d;
      }
    }
    return null;
  }

  private static MessageDigest nssDigest() throws Exception {
    return MessageDigest.getInstance("SHA-256", nss);
  }

  private static MessageDigest jdkDigest() throws Exception {
    return MessageDigest.getInstance("SHA-256", "SUN");
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 55, 56, 63, 64, 65, 1000, 65_536, 1_000_003, 9 * 1024 * 1024 + 7})
  void wholeInput_sameHashAsTheJdk(int size) throws Exception {
    byte[] data = random(size, size);
    assertThat(nssDigest().digest(data)).isEqualTo(jdkDigest().digest(data));
  }

  @Test
  void unevenUpdatesSingleBytesAndBuffers_sameHashAsTheJdk() throws Exception {
    byte[] data = random(300_001, 7);
    MessageDigest a = nssDigest();
    MessageDigest b = jdkDigest();
    Random cuts = new Random(11);
    int i = 0;
    while (i < data.length) {
      int n = Math.min(data.length - i, cuts.nextInt(9000));
      switch (cuts.nextInt(4)) {
        case 0 -> {
          a.update(data[i]);
          b.update(data[i]);
          n = 1;
        }
        case 1 -> {
          ByteBuffer direct = ByteBuffer.allocateDirect(n).put(data, i, n).flip();
          a.update(direct);
          b.update(ByteBuffer.wrap(data, i, n));
          assertThat(direct.hasRemaining()).isFalse();
        }
        default -> {
          a.update(data, i, n);
          b.update(data, i, n);
        }
      }
      i += n;
    }
    assertThat(a.digest()).isEqualTo(b.digest());
  }

  @Test
  void cloneMidStream_bothCopiesGoOnIndependently() throws Exception {
    // FileBlobWriter.digestSoFar clones the digest of a blob being written.
    byte[] head = random(100_000, 1);
    byte[] tail = random(5_000, 2);
    MessageDigest a = nssDigest();
    a.update(head);
    MessageDigest copy = (MessageDigest) a.clone();
    assertThat(copy.digest()).isEqualTo(jdkDigest().digest(head));
    a.update(tail);
    MessageDigest whole = jdkDigest();
    whole.update(head);
    whole.update(tail);
    assertThat(a.digest()).isEqualTo(whole.digest());
  }

  @Test
  void digestResets_theInstanceHashesAgainFromEmpty() throws Exception {
    MessageDigest a = nssDigest();
    a.update(random(10_000, 3));
    a.digest();
    byte[] second = random(777, 4);
    assertThat(a.digest(second)).isEqualTo(jdkDigest().digest(second));
    a.update(random(10, 5));
    a.reset();
    assertThat(a.digest()).isEqualTo(jdkDigest().digest());
  }

  @Test
  void concurrentDigests_eachRightAlone() throws Exception {
    byte[][] inputs = new byte[8][];
    byte[][] got = new byte[8][];
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      int k = t;
      inputs[k] = random(200_000 + k, 100 + k);
      threads[k] = new Thread(() -> {
        try {
          MessageDigest md = nssDigest();
          for (int off = 0; off < inputs[k].length; off += 4096) {
            md.update(inputs[k], off, Math.min(4096, inputs[k].length - off));
          }
          got[k] = md.digest();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      threads[k].start();
    }
    for (int t = 0; t < threads.length; t++) {
      threads[t].join();
      assertThat(got[t]).isEqualTo(jdkDigest().digest(inputs[t]));
    }
  }

  @Test
  void load_noLibraryThere_nullSoTheJdkDigestIsUsed() {
    assertThat(NativeSha256.load("/nonexistent/jbuild-nss")).isNull();
    assertThat(NativeSha256.load("")).isNull();
    assertThat(NativeSha256.load(null)).isNull();
    assertThat(NativeSha256.load("/usr/lib\nnssModule=fips")).isNull(); // no smuggled configuration lines
  }

  @Test
  void newSha256_propertySet_nssDigestsThroughDigest() throws Exception {
    assertThat(Digest.newSha256().getProvider()).isSameAs(nss);
    assertThat(nss.getName()).isEqualTo("SunPKCS11-jbuild-sha256");
    assertThat(Digest.sha256Of(new byte[0])).hasToString(
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(Digest.of("sha256:" + "0".repeat(64)).newHasher().getProvider()).isSameAs(nss);
  }

  @Test
  void newSha256_propertyUnset_theJdkDigest() {
    System.clearProperty(NativeSha256.PROPERTY);
    try {
      assertThat(Digest.newSha256().getProvider().getName()).isEqualTo("SUN");
    } finally {
      System.setProperty(NativeSha256.PROPERTY, nssDir);
    }
  }
}
