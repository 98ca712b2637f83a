package dev.jbuild.store.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
  private static final Digest BASE = Digest.sha256Of("base manifest".getBytes(StandardCharsets.UTF_8));
  private static final Digest SOURCES = Digest.sha256Of("sources".getBytes(StandardCharsets.UTF_8));

  private static SortedMap<String, String> map(String... kv) {
    SortedMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** A typical COPY step's key, with one input replaced by {@code change} when given. */
  private static CacheKey step(String changed) {
    CacheKey.Builder b = CacheKey.builder();
    b.field(CacheKey.PARENT, "parent".equals(changed) ? SOURCES : BASE);
    b.field(CacheKey.INSTRUCTION, "instruction".equals(changed) ? "COPY . /srv" : "COPY . /app");
    b.fields(CacheKey.ARGS, "args".equals(changed) ? map("VERSION", "2") : map("VERSION", "1"));
    b.fields(CacheKey.ENV, "env".equals(changed) ? map("PATH", "/bin") : map("PATH", "/usr/bin:/bin"));
    b.field(CacheKey.SOURCES, "sources".equals(changed) ? BASE : SOURCES);
    b.fields(CacheKey.MOUNTS, "mounts".equals(changed) ? map("/src", BASE.toString()) : map());
    b.field(CacheKey.PLATFORM, "platform".equals(changed) ? "linux/arm64" : "linux/amd64");
    return b.build();
  }

  @Test
  void build_sameFields_sameKey() {
    assertThat(step(null)).isEqualTo(step(null));
    assertThat(step(null).key()).isEqualTo(step(null).key());
  }

  @Test
  void build_anyOneFieldChanged_keyChanges() {
    Set<Digest> keys = new HashSet<>();
    keys.add(step(null).key());
    for (String f : List.of("parent", "instruction", "args", "env", "sources", "mounts", "platform")) {
      assertThat(keys.add(step(f).key())).as("changing %s changes the key", f).isTrue();
    }
  }

  @Test
  void build_boundaryBetweenNameAndValueShifted_keysDiffer() {
    assertThat(CacheKey.builder().field("a", "bc").build().key())
        .isNotEqualTo(CacheKey.builder().field("ab", "c").build().key());
    // Two fields against one whose value swallows the second.
    assertThat(CacheKey.builder().field("a", "b").field("c", "d").build().key())
        .isNotEqualTo(CacheKey.builder().field("a", "bcd").build().key());
    // Map entries: moving the boundary between key and value, or between entries.
    assertThat(CacheKey.builder().fields("m", map("a", "bc")).build().key())
        .isNotEqualTo(CacheKey.builder().fields("m", map("ab", "c")).build().key());
    assertThat(CacheKey.builder().fields("m", map("a", "b", "c", "d")).build().key())
        .isNotEqualTo(CacheKey.builder().fields("m", map("a", "b c=d")).build().key());
    // An empty map field is not the absence of the field.
    assertThat(CacheKey.builder().fields("m", map()).build().key())
        .isNotEqualTo(CacheKey.builder().build().key());
  }

  @Test
  void build_sameFieldsInAnotherOrder_keysDiffer() {
    CacheKey ab = CacheKey.builder().field("a", "1").field("b", "2").build();
    CacheKey ba = CacheKey.builder().field("b", "2").field("a", "1").build();
    assertThat(ab.key()).isNotEqualTo(ba.key());
  }

  @Test
  void build_sameTextAsStringNumberAndDigest_keysDiffer() {
    Set<Digest> keys = new HashSet<>();
    keys.add(CacheKey.builder().field("n", "5").build().key());
    keys.add(CacheKey.builder().field("n", 5L).build().key());
    keys.add(CacheKey.builder().field("d", BASE.toString()).build().key());
    keys.add(CacheKey.builder().field("d", BASE).build().key());
    assertThat(keys).hasSize(4);
  }

  @Test
  void build_loneSurrogate_differsFromItsReplacementCharacter() {
    // String.getBytes(UTF_8) turns a lone surrogate into '?': the key must not.
    assertThat(CacheKey.builder().field("i", "RUN echo \uD800").build().key())
        .isNotEqualTo(CacheKey.builder().field("i", "RUN echo ?").build().key());
  }

  @Test
  void fields_mapWithReverseComparator_sameKeyAsNaturalOrder() {
    SortedMap<String, String> reversed = new TreeMap<>(Comparator.reverseOrder());
    reversed.putAll(map("A", "1", "B", "2"));
    assertThat(CacheKey.builder().fields("args", reversed).build())
        .isEqualTo(CacheKey.builder().fields("args", map("A", "1", "B", "2")).build());
  }

  @Test
  void build_documentedFraming_matchesAnIndependentEncoding() {
    CacheKey key = CacheKey.builder().field("instruction", "RUN make").field("size", 7L)
        .fields("args", map("V", "1")).build();

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    string(expected, "jbuild cache key v1");
    expected.write('S');
    string(expected, "instruction");
    string(expected, "RUN make");
    expected.write('N');
    string(expected, "size");
    expected.writeBytes(ByteBuffer.allocate(8).putLong(7).array());
    expected.write('M');
    string(expected, "args");
    expected.writeBytes(ByteBuffer.allocate(8).putLong(1).array());
    string(expected, "V");
    string(expected, "1");

    assertThat(key.key()).isEqualTo(Digest.sha256Of(expected.toByteArray()));
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write('u');
    out.writeBytes(ByteBuffer.allocate(8).putLong(b.length).array());
    out.writeBytes(b);
  }

  @Test
  void fields_renderings_keptForExplanations() {
    String longValue = "x".repeat(CacheKey.MAX_INLINE + 1);
    CacheKey key = CacheKey.builder()
        .field(CacheKey.PARENT, BASE)
        .field(CacheKey.INSTRUCTION, "x".repeat(CacheKey.MAX_INLINE))
        .field("long", longValue)
        .field("count", 42)
        .fields(CacheKey.ARGS, map("A", "1", "B", longValue))
        .build();

    List<String> names = new ArrayList<>();
    key.fields().forEach(f -> names.add(f.name()));
    assertThat(names).containsExactly("parent", "instruction", "long", "count", "args");
    assertThat(key.field("parent").orElseThrow().value()).isEqualTo(BASE.toString());
    assertThat(key.field("instruction").orElseThrow().value()).isEqualTo("x".repeat(200));
    String hashed = Digest.sha256Of(longValue.getBytes(StandardCharsets.UTF_8)) + " (201 bytes)";
    assertThat(key.field("long").orElseThrow().value()).isEqualTo(hashed);
    assertThat(key.field("count").orElseThrow().value()).isEqualTo("42");
    CacheKey.Field args = key.field("args").orElseThrow();
    assertThat(args.kind()).isEqualTo(CacheKey.Kind.MAP);
    assertThat(args.entries()).isEqualTo(Map.of("A", "1", "B", hashed));
    assertThat(args.value()).startsWith("sha256:");
    assertThat(key.field("mounts")).isEmpty();
  }

  @Test
  void field_givenTwice_rejected() {
    CacheKey.Builder b = CacheKey.builder().field("args", "1");
    assertThatThrownBy(() -> b.field("args", "2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args given twice");
  }

  @Test
  void field_invalidName_rejected() {
    for (String name : new String[] {"", "Args", "a b", "1x", "x".repeat(65)}) {
      assertThatThrownBy(() -> CacheKey.builder().field(name, "v")).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid cache key field name");
    }
  }

  @Test
  void build_calledTwice_rejected() {
    CacheKey.Builder b = CacheKey.builder().field("a", "1");
    b.build();
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.field("b", "2")).isInstanceOf(IllegalStateException.class);
  }
}
