package dev.jbuild.registry.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobSourcesTest {
  private static final Digest A = Digest.sha256Of("a".getBytes(StandardCharsets.UTF_8));
  private static final Digest B = Digest.sha256Of("b".getBytes(StandardCharsets.UTF_8));

  @TempDir Path root;

  @BeforeEach
  void storeLayout() throws Exception {
    Files.createDirectories(root.resolve("tmp"));
  }

  @Test
  void save_thenANewInstance_findsTheRepositoryOnItsRegistryOnly() throws Exception {
    BlobSources sources = new BlobSources(root);
    sources.add(A, "localhost:5000", "team/app");
    sources.save();
    BlobSources reread = new BlobSources(root);
    assertThat(reread.lookup(A, "localhost:5000")).contains(new BlobSources.Source("localhost:5000", "team/app"));
    assertThat(reread.lookup(A, "other.example")).isEmpty();
    assertThat(reread.lookup(B, "localhost:5000")).isEmpty();
    assertThat(Files.list(root.resolve("tmp"))).isEmpty(); // the temp file was renamed into place
  }

  @Test
  void save_mergesWithWhatAnotherProcessWroteMeanwhile_newestWins() throws Exception {
    BlobSources first = new BlobSources(root);
    BlobSources second = new BlobSources(root);
    first.lookup(A, "r"); // loaded (empty) before the other writer saves
    second.add(B, "localhost:5000", "second");
    second.add(A, "localhost:5000", "old");
    second.save();
    first.add(A, "localhost:5000", "new");
    first.save();
    BlobSources reread = new BlobSources(root);
    assertThat(reread.lookup(B, "localhost:5000")).map(BlobSources.Source::repository).contains("second");
    assertThat(reread.lookup(A, "localhost:5000")).map(BlobSources.Source::repository).contains("new");
  }

  @Test
  void add_sameBlobOnASecondRegistry_keepsTheFirstRegistrysRepository() throws Exception {
    BlobSources sources = new BlobSources(root);
    sources.add(A, "localhost:5000", "origin/app");
    sources.add(A, "registry.example", "mirror/app");
    sources.save();
    BlobSources reread = new BlobSources(root);
    assertThat(reread.lookup(A, "localhost:5000")).map(BlobSources.Source::repository).contains("origin/app");
    assertThat(reread.lookup(A, "registry.example")).map(BlobSources.Source::repository).contains("mirror/app");
  }

  @Test
  void lookup_damagedOrHostileLines_areIgnored() throws Exception {
    Files.writeString(root.resolve(BlobSources.FILE), String.join("\n",
        "garbage",
        "sha256:zz localhost:5000 app",
        A + " localhost:5000 ../../etc",
        A + " localhost:5000 app&from=x",
        B + " localhost:5000 good/repo",
        ""));
    BlobSources sources = new BlobSources(root);
    assertThat(sources.lookup(A, "localhost:5000")).isEmpty();
    assertThat(sources.lookup(B, "localhost:5000")).map(BlobSources.Source::repository).contains("good/repo");
  }

  @Test
  void add_invalidRepositoryName_isNotRecorded() throws Exception {
    BlobSources sources = new BlobSources(root);
    sources.add(A, "localhost:5000", "Upper/Case");
    sources.save();
    assertThat(Files.exists(root.resolve(BlobSources.FILE))).isFalse();
  }
}
