package dev.jbuild.oci;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The image configuration blob: what runs (the {@link ContainerConfig}), the layer diffIDs, and history.
 *
 * @param created when the image was created; null when unknown
 * @param diffIds sha256 of each uncompressed layer, in order ({@code rootfs.diff_ids})
 */
public record ImageConfig(
    Instant created,
    String author,
    String architecture,
    String os,
    String variant,
    String osVersion,
    ContainerConfig config,
    List<Digest> diffIds,
    List<HistoryEntry> history) {

  public ImageConfig {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(os, "os");
    config = config == null ? ContainerConfig.EMPTY : config;
    diffIds = List.copyOf(diffIds);
    history = history == null ? List.of() : List.copyOf(history);
  }

  /** The config of {@code FROM scratch} for a platform. */
  public static ImageConfig scratch(Platform platform) {
    return new ImageConfig(
        null, null, platform.architecture(), platform.os(), platform.variant(), platform.osVersion(),
        ContainerConfig.EMPTY, List.of(), List.of());
  }

  public Platform platform() {
    return new Platform(os, architecture, variant, osVersion);
  }

  public ImageConfig withConfig(ContainerConfig newConfig) {
    return new ImageConfig(created, author, architecture, os, variant, osVersion, newConfig, diffIds, history);
  }

  public ImageConfig withCreated(Instant newCreated) {
    return new ImageConfig(newCreated, author, architecture, os, variant, osVersion, config, diffIds, history);
  }

  public ImageConfig withAuthor(String newAuthor) {
    return new ImageConfig(created, newAuthor, architecture, os, variant, osVersion, config, diffIds, history);
  }

  /** Appends a layer and its history line. */
  public ImageConfig withLayer(Digest diffId, HistoryEntry entry) {
    List<Digest> ids = new java.util.ArrayList<>(diffIds);
    ids.add(diffId);
    List<HistoryEntry> h = new java.util.ArrayList<>(history);
    h.add(entry);
    return new ImageConfig(created, author, architecture, os, variant, osVersion, config, ids, h);
  }

  /** Appends a history line for a step that made no layer ({@code empty_layer: true}). */
  public ImageConfig withEmptyLayerHistory(HistoryEntry entry) {
    List<HistoryEntry> h = new java.util.ArrayList<>(history);
    h.add(entry);
    return new ImageConfig(created, author, architecture, os, variant, osVersion, config, diffIds, h);
  }

  /** One line of {@code history}. */
  public record HistoryEntry(Instant created, String createdBy, String author, String comment, boolean emptyLayer) {}
}
