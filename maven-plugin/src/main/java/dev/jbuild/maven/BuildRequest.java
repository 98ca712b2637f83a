package dev.jbuild.maven;

import dev.jbuild.builder.BuildOptions;
import dev.jbuild.registry.Credential;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a build needs besides a listener: the builder's options, where the store is, whether base images may
 * be pulled, and the credentials Maven's settings give for registries. It crosses the process boundary when the build
 * is forked into a user namespace, so it is plain data ({@link RequestCodec}).
 *
 * @param options what to build
 * @param storeRoot the local store
 * @param offline {@code mvn -o}: a base image missing from the store is an error, nothing is pulled
 * @param credentials registry (as named in image references) to the credential from a settings.xml server; docker's
 *     config.json is consulted after these
 */
public record BuildRequest(BuildOptions options, Path storeRoot, boolean offline, Map<String, Credential> credentials) {
  public BuildRequest {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(storeRoot, "storeRoot");
    credentials = Collections.unmodifiableMap(new TreeMap<>(credentials == null ? Map.of() : credentials));
  }
}
