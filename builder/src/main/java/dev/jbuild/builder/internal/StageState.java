package dev.jbuild.builder.internal;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.store.Store;
import dev.jbuild.store.cache.LayerHeaderCache;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The image a stage is building, as it stands after each step. */
final class StageState {
  private final String label;
  private ImageConfig config;
  private final List<Descriptor> layers;
  private boolean treeWanted;
  private final Map<String, String> args = new LinkedHashMap<>();
  private FileIndex files;
  /** Layers added since {@link #files} was last brought up to date (read from their tars on demand). */
  private final List<Descriptor> pendingForIndex = new ArrayList<>();
  private boolean cmdSet;
  private boolean basePulled;

  StageState(String label, ImageConfig config, List<Descriptor> layers) {
    this.label = label;
    this.config = config;
    this.layers = new ArrayList<>(layers);
  }

  /** A copy for a stage that builds on this one ({@code FROM stage}). ARGs do not carry over. */
  StageState fork(String newLabel) {
    StageState s = new StageState(newLabel, config, layers);
    s.files = files == null ? null : files.copy();
    s.pendingForIndex.addAll(pendingForIndex);
    return s;
  }

  String label() {
    return label;
  }

  ImageConfig config() {
    return config;
  }

  ContainerConfig containerConfig() {
    return config.config();
  }

  void setConfig(ImageConfig newConfig) {
    config = newConfig;
  }

  void setContainerConfig(ContainerConfig newConfig) {
    config = config.withConfig(newConfig);
  }

  List<Descriptor> layers() {
    return List.copyOf(layers);
  }

  void addLayer(Descriptor layer, ImageConfig withLayer) {
    layers.add(layer);
    config = withLayer;
  }

  /** Adds a layer whose files the index does not know yet (a RUN step's, or one taken from the cache). */
  void addUnindexedLayer(Descriptor layer, ImageConfig withLayer) {
    addLayer(layer, withLayer);
    if (files != null) {
      pendingForIndex.add(layer);
    }
  }

  /** Whether FROM had to pull the base image (for progress: otherwise FROM did no work). */
  boolean basePulled() {
    return basePulled;
  }

  void setBasePulled(boolean value) {
    basePulled = value;
  }

  /** The ARG values declared in this stage, in order (null when declared without a value). */
  Map<String, String> args() {
    return java.util.Collections.unmodifiableMap(args);
  }

  void declareArg(String name, String value) {
    args.put(name, value);
  }

  /**
   * The variables visible to expansion: the stage's ARGs, then ENV, which wins over an ARG of the same name as
   * the Dockerfile reference says.
   */
  Map<String, String> expansionEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    args.forEach((k, v) -> {
      if (v != null) {
        env.put(k, v);
      }
    });
    for (String e : config.config().env()) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        env.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    return env;
  }

  /** The filesystem index, read from the layers on first use. */
  FileIndex files(Store store) throws IOException, StoreException {
    LayerHeaderCache headers = LayerHeaderCache.open(store.root());
    if (files == null) {
      files = FileIndex.recentOrOf(store.blobs(), headers, layers);
      pendingForIndex.clear();
    } else if (!pendingForIndex.isEmpty()) {
      for (Descriptor layer : pendingForIndex) {
        files.applyLayer(store.blobs(), headers, layer);
      }
      pendingForIndex.clear();
    }
    return files;
  }

  /** Whether a layer this step writes should get its extracted tree at once (a RUN follows in the stage). */
  boolean treeWanted() {
    return treeWanted;
  }

  void setTreeWanted(boolean value) {
    treeWanted = value;
  }

  /** Records that this stage set CMD, so a later ENTRYPOINT keeps it (docker resets only an inherited CMD). */
  void markCmdSet() {
    cmdSet = true;
  }

  boolean cmdSet() {
    return cmdSet;
  }

  /** The working directory for relative paths: WORKDIR, or / when unset. */
  String workingDir() {
    String wd = config.config().workingDir();
    return wd == null ? "/" : wd;
  }
}
