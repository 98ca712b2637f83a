package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;

/**
 * The moby testBreakout harness (CASES.md section 0): {@code tmp/dest} to extract into and {@code
 * tmp/victim/hello} with unique content that must stay exactly as it is, unread.
 */
final class VictimDir {
  final Path tmp;
  final Path dest;
  final Path victim;
  final byte[] secret;
  final List<String> warnings = new ArrayList<>();
  private final List<String> extras = new ArrayList<>();

  VictimDir(Path tmp) throws IOException {
    this.tmp = tmp;
    this.dest = Files.createDirectory(tmp.resolve("dest"));
    this.victim = Files.createDirectory(tmp.resolve("victim"));
    this.secret = ("victim secret " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    Files.write(victim.resolve("hello"), secret);
  }

  /** Another entry the test itself puts in {@code tmp} (a sibling such as {@code dest-evil}). */
  Path extra(String name) {
    extras.add(name);
    return tmp.resolve(name);
  }

  ApplyOptions options() {
    return ApplyOptions.defaults().withWarnings(warnings::add);
  }

  ApplyResult apply(byte[] tar) throws Exception {
    return LayerApplier.apply(new ByteArrayInputStream(tar), dest, options());
  }

  ApplyResult apply(byte[] tar, ApplyOptions options) throws Exception {
    return LayerApplier.apply(new ByteArrayInputStream(tar), dest, options);
  }

  AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] tar) {
    return assertThatThrownBy(() -> apply(tar)).isInstanceOf(LayerApplyException.class);
  }

  /** The invariants: victim unchanged, nothing in dest holds its bytes, tmp holds only what the test made. */
  void assertIntact() throws IOException {
    assertThat(victim).isDirectory();
    try (Stream<Path> s = Files.list(victim)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("hello");
    }
    assertThat(Files.isSymbolicLink(victim.resolve("hello"))).isFalse();
    assertThat(Files.readAllBytes(victim.resolve("hello"))).isEqualTo(secret);
    try (Stream<Path> s = Files.walk(dest)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          byte[] content = Files.readAllBytes(p);
          assertThat(indexOf(content, secret)).as("victim's bytes leaked into " + p).isEqualTo(-1);
        }
      }
    }
    List<String> expected = new ArrayList<>(List.of("dest", "victim"));
    expected.addAll(extras);
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return Arrays.equals(hay, needle) ? 0 : -1;
  }
}
