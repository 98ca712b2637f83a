package dev.jbuild.cli;

import dev.jbuild.builder.BaseImagePuller;
import dev.jbuild.builder.BuildException;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.registry.CredentialSource;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.store.Store;
import java.io.IOException;
import picocli.CommandLine.Option;

/** Options of every command that talks to a registry. */
final class RegistryOptions {
  @Option(names = "--tls-verify", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Require HTTPS for registries other than localhost and 127.0.0.0/8, which always use plain "
          + "HTTP (default true). --no-tls-verify allows plain HTTP everywhere.")
  boolean tlsVerify = true;

  RegistryClientSettings settings() {
    return RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.dockerConfig())
        .withAllowInsecure(!tlsVerify);
  }

  ImageTransfer transfer(Store store, ProgressPrinter printer) {
    return new ImageTransfer(store, settings(), printer::info);
  }

  /** Pulls a missing base image for the builder, reporting progress on the printer. */
  BaseImagePuller puller(Store store, ProgressPrinter printer) {
    return (ref, platform) -> {
      printer.info("pulling " + ref.familiar());
      try {
        Descriptor pulled = transfer(store, printer).pull(ref, platform).stored();
        store.images().tag(ref.familiar(), pulled);
        return pulled;
      } catch (RegistryException | IOException | dev.jbuild.store.StoreException | dev.jbuild.oci.OciException e) {
        throw new BuildException("pulling " + ref.familiar() + " failed: " + e.getMessage(), e);
      }
    };
  }
}
