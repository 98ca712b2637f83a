package dev.jbuild.maven;

import dev.jbuild.builder.BaseImagePuller;
import dev.jbuild.builder.BuildException;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.OciException;
import dev.jbuild.registry.Credential;
import dev.jbuild.registry.CredentialSource;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Registry access as the plugin configures it: credentials from settings.xml servers first, then docker's
 * config.json and its credential helpers, exactly as the CLI reads them. Plain HTTP only for loopback registries
 * ({@code localhost}, 127.0.0.0/8), which the registry client decides; nothing here widens it.
 */
final class Registries {
  private Registries() {}

  /** Settings servers first (by registry name as written in the image reference), then docker's config. */
  static CredentialSource credentials(Map<String, Credential> fromSettings) {
    CredentialSource settings = registry -> Optional.ofNullable(fromSettings.get(registry));
    return settings.orElse(CredentialSource.dockerConfig());
  }

  static RegistryClientSettings settings(Map<String, Credential> fromSettings) {
    return RegistryClientSettings.defaults().withCredentials(credentials(fromSettings));
  }

  /**
   * The builder's puller: {@link BaseImagePuller#OFFLINE} when Maven is offline, otherwise a pull into the store
   * that tags the base image under the name the Dockerfile used, as {@code jbuild pull} would.
   */
  static BaseImagePuller puller(Store store, boolean offline, Map<String, Credential> fromSettings,
      Consumer<String> log) {
    if (offline) {
      return (ref, platform) -> {
        throw new BuildException("base image " + ref.familiar() + " is not in the local store " + store.root()
            + ", and Maven is offline (-o), so it cannot be pulled. Build or pull it first (jbuild pull "
            + ref.familiar() + "), or run Maven without -o.");
      };
    }
    return (ref, platform) -> {
      log.accept("pulling " + ref.familiar());
      try {
        Descriptor pulled = new ImageTransfer(store, settings(fromSettings), log::accept).pull(ref, platform).stored();
        store.images().tag(ref.familiar(), pulled);
        return pulled;
      } catch (RegistryException | IOException | StoreException | OciException e) {
        throw new BuildException("pulling " + ref.familiar() + " failed: " + e.getMessage(), e);
      }
    };
  }
}
