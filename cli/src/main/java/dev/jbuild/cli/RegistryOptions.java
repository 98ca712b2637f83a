package dev.jbuild.cli;

import dev.jbuild.builder.BaseImagePuller;
import dev.jbuild.builder.BuildException;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.CredentialSource;
import dev.jbuild.registry.EnvironmentProxies;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** Options of every command that talks to a registry. */
final class RegistryOptions {
  @Option(names = "--tls-verify", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Require HTTPS for registries other than localhost and 127.0.0.0/8, which always use plain "
          + "HTTP (default true). --no-tls-verify allows plain HTTP everywhere.")
  boolean tlsVerify = true;

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "Reach this registry over plain HTTP (repeatable). Also read from registries.json.")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(names = "--ca-file", paramLabel = "[HOST[:PORT]=]PEM",
      description = "Trust the CA certificates in this PEM file, besides the system's, for HOST[:PORT] (or, "
          + "without HOST, for every registry of this command). Repeatable. Also read from registries.json.")
  List<String> caFiles = new ArrayList<>();

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
      description = "Layers transferred at once (default 4).")
  int parallel = RegistryClientSettings.DEFAULT_PARALLEL_TRANSFERS;

  /**
   * The settings for a command: docker's credentials, the named insecure registries and CA files (options
   * first, then {@code registries.json}), and the proxy from {@code HTTPS_PROXY}/{@code NO_PROXY}.
   *
   * @param registries the registries this command talks to, for {@code --ca-file PEM} without a host
   */
  RegistryClientSettings settings(String... registries) {
    RegistriesConfig config = RegistriesConfig.load(System.getenv(), System.getProperty("user.home"));
    Set<String> insecure = new LinkedHashSet<>(insecureRegistries);
    insecure.addAll(config.insecure());
    Map<String, Path> cas = new LinkedHashMap<>(config.ca());
    for (String spec : caFiles) {
      int eq = spec.indexOf('=');
      if (eq > 0) {
        cas.put(spec.substring(0, eq), Path.of(spec.substring(eq + 1)));
      } else {
        for (String registry : registries) {
          cas.put(registry, Path.of(spec));
        }
      }
    }
    for (Map.Entry<String, Path> ca : cas.entrySet()) {
      if (!java.nio.file.Files.isReadable(ca.getValue())) {
        throw new Errors.UserError("CA file " + ca.getValue() + " for " + ca.getKey() + " is not readable");
      }
    }
    if (parallel < 1 || parallel > 64) {
      throw new Errors.UserError("--parallel must be between 1 and 64, not " + parallel);
    }
    EnvironmentProxies proxies;
    try {
      proxies = EnvironmentProxies.from(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError(e.getMessage());
    }
    return RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.dockerConfig())
        .withAllowInsecure(!tlsVerify)
        .withInsecureRegistries(insecure)
        .withCaCertificates(cas)
        .withProxySelector(proxies)
        .withParallelTransfers(parallel);
  }

  ImageTransfer transfer(Store store, ProgressPrinter printer, String registry) {
    return new ImageTransfer(store, settings(registry).withEvents(new TransferPrinter(printer)), printer::info);
  }

  /** Pulls a missing base image for the builder, reporting progress on the printer. */
  BaseImagePuller puller(Store store, ProgressPrinter printer) {
    return (ref, platform) -> {
      printer.info("pulling " + ref.familiar());
      try {
        Descriptor pulled = transfer(store, printer, ref.registry()).unpackingFor(Platform.host()).pull(ref, platform)
            .stored();
        store.images().tag(ref.familiar(), pulled);
        return pulled;
      } catch (RegistryException | IOException | dev.jbuild.store.StoreException | dev.jbuild.oci.OciException e) {
        throw new BuildException("pulling " + ref.familiar() + " failed: " + e.getMessage(), e);
      }
    };
  }
}
