package dev.jbuild.builder;

import dev.jbuild.builder.internal.ConfigChangeApplier;
import dev.jbuild.oci.ContainerConfig;
import java.util.List;

/**
 * Dockerfile instructions applied to a config outside a build, as {@code docker import --change} does.
 *
 * <pre>{@code
 * ContainerConfig c = ConfigChanges.apply(ContainerConfig.EMPTY, List.of("ENV A=1", "CMD [\"/bin/sh\"]"));
 * }</pre>
 */
public final class ConfigChanges {
  private ConfigChanges() {}

  /**
   * Applies each change in order, with the builder's semantics (shell-form CMD wrapped in {@code /bin/sh -c},
   * variables expanded from the config's ENV). Accepted: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL,
   * USER, VOLUME, WORKDIR (which only sets the working directory).
   *
   * @throws BuildException naming the change that does not parse or is not allowed
   */
  public static ContainerConfig apply(ContainerConfig config, List<String> changes) throws BuildException {
    return ConfigChangeApplier.apply(config, changes);
  }
}
