package dev.jbuild.store.cache;

import dev.jbuild.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The cache key of one build step: a sha256 over its named, length-prefixed input fields, plus a short rendering
 * of each field kept to explain a later miss (DESIGN 4).
 *
 * <pre>{@code
 * CacheKey key = CacheKey.builder()
 *     .field(CacheKey.PARENT, previousStep.key())
 *     .field(CacheKey.INSTRUCTION, "RUN make VERSION=2")
 *     .fields(CacheKey.ARGS, new TreeMap<>(Map.of("VERSION", "2")))
 *     .field(CacheKey.PLATFORM, "linux/amd64")
 *     .build();
 * }</pre>
 *
 * <p>Every field is hashed as its kind, its name and its value, each length-prefixed, so {@code field("a", "bc")}
 * and {@code field("ab", "c")} give different keys, as do the same fields in another order. Field names are unique
 * within a key.
 *
 * <p><b>Secrets are never fields.</b> A {@code RUN --mount=type=secret} step contributes only the secret's id (and
 * its target), never its value: the renderings are stored in plain text under {@code cache/}, and a key that
 * depended on a secret's value would let anyone holding the cache test guesses against it.
 *
 * @param key the sha256 identifying the step's result
 * @param fields the fields in the order they were hashed, with renderings for explanations
 */
public record CacheKey(Digest key, List<Field> fields) {
  /** The previous step's key, or for FROM the base's manifest digest resolved for the platform. */
  public static final String PARENT = "parent";
  /** The instruction after variable expansion. */
  public static final String INSTRUCTION = "instruction";
  /** The ARG values in effect. */
  public static final String ARGS = "args";
  /** The ENV values in effect. */
  public static final String ENV = "env";
  /** The content hash of COPY/ADD sources ({@link ContextHasher#treeDigest}). */
  public static final String SOURCES = "sources";
  /** The content hashes of RUN bind mount sources. */
  public static final String MOUNTS = "mounts";
  /** The target platform, e.g. {@code linux/amd64}. */
  public static final String PLATFORM = "platform";
  /**
   * SOURCE_DATE_EPOCH when the build has one: it clamps the mtimes in every layer a step writes and is the time of
   * its history line, so a result made without it (or with another) is not this step's result.
   */
  public static final String SOURCE_DATE_EPOCH = "source-date-epoch";

  /** Values up to this many characters are kept as they are; longer ones are kept as their sha256. */
  public static final int MAX_INLINE = 200;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
  private static final String DOMAIN = "jbuild cache key v1";

  public CacheKey {
    Objects.requireNonNull(key, "key");
    fields = List.copyOf(fields);
  }

  /** The field called {@code name}, if the key has one. */
  public Optional<Field> field(String name) {
    for (Field f : fields) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What kind of value a field holds; part of the hash, so a string "5" and the number 5 differ. */
  public enum Kind {
    STRING('S'), DIGEST('D'), NUMBER('N'), MAP('M');

    // Fixed tags rather than ordinals: reordering the constants must not change every key.
    private final char tag;

    Kind(char tag) {
      this.tag = tag;
    }
  }

  /**
   * One input of a key as kept for explanations.
   *
   * @param name the field name
   * @param kind the kind of value
   * @param value the value itself when at most {@link #MAX_INLINE} characters, else {@code "sha256:HEX (N bytes)"};
   *     a map renders as {@code K=V} pairs separated by spaces
   * @param entries for {@link Kind#MAP} the entries, each value rendered by the same rule; empty otherwise
   */
  public record Field(String name, Kind kind, String value, SortedMap<String, String> entries) {
    public Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(value, "value");
      TreeMap<String, String> natural = new TreeMap<>();
      if (entries != null) {
        natural.putAll(entries);
      }
      entries = Collections.unmodifiableSortedMap(natural);
    }

    /** Whether two renderings stand for the same input (equal kinds and values). */
    boolean sameAs(Field other) {
      return kind == other.kind && value.equals(other.value) && entries.equals(other.entries);
    }
  }

  /** Renders a value for a field: itself when short, else its sha256 and size. */
  static String render(String value) {
    if (value.length() <= MAX_INLINE) {
      return value;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    return Digest.sha256Of(utf8) + " (" + utf8.length + " bytes)";
  }

  /** Collects fields for one key. Not thread-safe; a builder builds one key. */
  public static final class Builder {
    private final MessageDigest sha = Digest.newSha256();
    private final List<Field> fields = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean built;

    private Builder() {
      Framing.string(sha, DOMAIN);
    }

    public Builder field(String name, String value) {
      Objects.requireNonNull(value, "value of " + name);
      begin(name, Kind.STRING);
      Framing.string(sha, value);
      fields.add(new Field(name, Kind.STRING, render(value), null));
      return this;
    }

    public Builder field(String name, Digest value) {
      Objects.requireNonNull(value, "value of " + name);
      begin(name, Kind.DIGEST);
      Framing.string(sha, value.toString());
      fields.add(new Field(name, Kind.DIGEST, value.toString(), null));
      return this;
    }

    public Builder field(String name, long value) {
      begin(name, Kind.NUMBER);
      Framing.u64(sha, value);
      fields.add(new Field(name, Kind.NUMBER, Long.toString(value), null));
      return this;
    }

    /** A map field such as the ARG or ENV values in effect; entries are hashed in key order. */
    public Builder fields(String name, SortedMap<String, String> values) {
      Objects.requireNonNull(values, "values of " + name);
      begin(name, Kind.MAP);
      // A copy in natural order: a map with a custom comparator must not change the hash.
      // (new TreeMap<>(sortedMap) would keep that comparator.)
      TreeMap<String, String> sorted = new TreeMap<>();
      sorted.putAll(values);
      Framing.u64(sha, sorted.size());
      StringBuilder whole = new StringBuilder();
      TreeMap<String, String> rendered = new TreeMap<>();
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        String v = Objects.requireNonNull(e.getValue(), () -> "value of " + name + " " + e.getKey());
        Framing.string(sha, e.getKey());
        Framing.string(sha, v);
        if (whole.length() > 0) {
          whole.append(' ');
        }
        whole.append(e.getKey()).append('=').append(v);
        rendered.put(e.getKey(), render(v));
      }
      fields.add(new Field(name, Kind.MAP, render(whole.toString()), rendered));
      return this;
    }

    public CacheKey build() {
      if (built) {
        throw new IllegalStateException("this builder already built its key");
      }
      built = true;
      return new CacheKey(Digest.sha256(sha.digest()), fields);
    }

    private void begin(String name, Kind kind) {
      if (built) {
        throw new IllegalStateException("this builder already built its key");
      }
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("invalid cache key field name " + name + ": expected [a-z][a-z0-9._-]*");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("cache key field " + name + " given twice");
      }
      Framing.u8(sha, kind.tag);
      Framing.string(sha, name);
    }
  }
}
