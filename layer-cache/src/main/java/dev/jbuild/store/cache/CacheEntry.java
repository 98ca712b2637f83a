package dev.jbuild.store.cache;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The result of one cached build step.
 *
 * @param key the step's key
 * @param fields the key's fields, kept to explain later misses
 * @param diffId the layer's diffID, or null for a step that only changes the config (ENV, LABEL, WORKDIR...)
 * @param layer the layer blob in the store, or null exactly when {@code diffId} is
 * @param configJson the image config after the step, the exact bytes (copied in and out)
 * @param created when the step was built
 */
public record CacheEntry(
    Digest key, List<CacheKey.Field> fields, Digest diffId, Descriptor layer, byte[] configJson, Instant created) {

  public CacheEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(configJson, "configJson");
    Objects.requireNonNull(created, "created");
    fields = List.copyOf(fields);
    if ((diffId == null) != (layer == null)) {
      throw new IllegalArgumentException("cache entry " + key + ": diffId and layer must both be set or both null");
    }
    configJson = configJson.clone();
  }

  /** An entry for {@code key}, taking its fields from the key. */
  public static CacheEntry of(CacheKey key, Digest diffId, Descriptor layer, byte[] configJson, Instant created) {
    return new CacheEntry(key.key(), key.fields(), diffId, layer, configJson, created);
  }

  @Override
  public byte[] configJson() {
    return configJson.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheEntry e && key.equals(e.key) && fields.equals(e.fields) && Objects.equals(diffId, e.diffId)
        && Objects.equals(layer, e.layer) && Arrays.equals(configJson, e.configJson) && created.equals(e.created);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, fields, diffId, layer, Arrays.hashCode(configJson), created);
  }

  @Override
  public String toString() {
    return "CacheEntry[key=" + key + ", layer=" + (layer == null ? "none" : layer.digest()) + ", config="
        + configJson.length + " bytes, created=" + created + "]";
  }
}
