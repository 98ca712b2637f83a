package dev.jbuild.registry;

import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the credential for a registry. Called with the registry as the user named it ({@code docker.io},
 * {@code localhost:5000}); the client only ever sends the result to that registry's host or to the token
 * realm the registry names.
 */
@FunctionalInterface
public interface CredentialSource {
  Optional<Credential> credentialFor(String registry) throws IOException;

  /** No credentials: anonymous access only. */
  static CredentialSource none() {
    return registry -> Optional.empty();
  }

  /** One fixed credential for exactly one registry (e.g. from {@code --username/--password-stdin}). */
  static CredentialSource of(String registry, String username, String secret) {
    Objects.requireNonNull(registry, "registry");
    Credential credential = new Credential(username, secret);
    return r -> registry.equals(r) ? Optional.of(credential) : Optional.empty();
  }

  /**
   * docker's {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}):
   * {@code auths}, {@code credsStore} and {@code credHelpers}, read by Jib Core's retriever so the rules
   * (Docker Hub aliases, helper invocation) match the rest of the ecosystem.
   */
  static CredentialSource dockerConfig() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path file =
        dir != null && !dir.isEmpty()
            ? Paths.get(dir, "config.json")
            : Paths.get(System.getProperty("user.home"), ".docker", "config.json");
    return dockerConfig(file);
  }

  /** Like {@link #dockerConfig()} with an explicit config file; a missing file means no credentials. */
  static CredentialSource dockerConfig(Path configFile) {
    Objects.requireNonNull(configFile, "configFile");
    return registry -> {
      if (!Files.exists(configFile)) {
        return Optional.empty();
      }
      try {
        // Jib's log events are never printed (the library does not print). Jib only warns when a configured
        // credential helper is missing or fails and then carries on anonymously; we treat that warning as the
        // hard error it is, so a broken helper never silently downgrades to anonymous access (C06).
        java.util.List<String> warnings = new java.util.ArrayList<>();
        CredentialRetrieverFactory factory =
            CredentialRetrieverFactory.forImage(
                com.google.cloud.tools.jib.api.ImageReference.of(registry, "jbuild/credential-lookup", null),
                logEvent -> {
                  if (logEvent.getLevel() == com.google.cloud.tools.jib.api.LogEvent.Level.WARN
                      || logEvent.getLevel() == com.google.cloud.tools.jib.api.LogEvent.Level.ERROR) {
                    warnings.add(logEvent.getMessage());
                  }
                });
        Optional<Credential> found = factory.dockerConfig(configFile).retrieve()
            .map(c -> new Credential(c.getUsername(), c.getPassword()));
        // A helper that answers but has no entry for this registry ("credentials not found in native keychain",
        // what docker-credential-desktop, -pass and -secretservice say for a registry never logged in to) means no
        // credentials, as in docker: only a missing or failing helper is an error.
        // Jib reports that answer, and unreadable output alike, as "has nothing for server URL" with the output.
        warnings.removeIf(w -> w.contains("has nothing for server URL")
            && w.contains("credentials not found in native keychain"));
        if (found.isEmpty() && !warnings.isEmpty()) {
          throw new IOException("could not get credentials for " + registry + " from " + configFile + ": "
              + String.join("; ", warnings));
        }
        return found;
      } catch (CredentialRetrievalException e) {
        // A configured helper that fails must stop the operation rather than fall back to anonymous (C06).
        throw new IOException("could not get credentials for " + registry + " from " + configFile + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IOException("invalid registry name for credential lookup: " + registry, e);
      }
    };
  }

  /** Tries {@code this} first, then {@code other}. */
  default CredentialSource orElse(CredentialSource other) {
    return registry -> {
      Optional<Credential> mine = credentialFor(registry);
      return mine.isPresent() ? mine : other.credentialFor(registry);
    };
  }
}
