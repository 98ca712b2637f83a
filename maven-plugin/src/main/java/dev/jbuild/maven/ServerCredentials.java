package dev.jbuild.maven;

import dev.jbuild.registry.Credential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Registry credentials from settings.xml: a {@code <server>} whose {@code id} is the registry as image references
 * name it ({@code localhost:5000}, {@code ghcr.io}), with a password that may be encrypted the Maven way
 * ({@code mvn --encrypt-password}, decrypted here with Maven's {@link SettingsDecrypter}).
 */
final class ServerCredentials {
  private ServerCredentials() {}

  /**
   * The credentials of the servers in {@code servers} that have a user name and password, by server id; when
   * {@code only} is not null, just that server.
   *
   * @throws MojoExecutionException when a password cannot be decrypted (wrong master password, missing
   *     settings-security.xml): silently going anonymous would hide the real problem
   */
  static Map<String, Credential> of(List<Server> servers, SettingsDecrypter decrypter, String only)
      throws MojoExecutionException {
    Map<String, Credential> out = new LinkedHashMap<>();
    for (Server server : servers) {
      if (server.getId() == null || (only != null && !only.equals(server.getId()))) {
        continue;
      }
      Server plain = server;
      if (decrypter != null) {
        SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        for (SettingsProblem problem : result.getProblems()) {
          if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
            throw new MojoExecutionException("cannot decrypt the password of settings.xml server " + server.getId()
                + ": " + problem.getMessage());
          }
        }
        plain = result.getServer();
      }
      if (plain.getUsername() != null && plain.getPassword() != null) {
        out.put(plain.getId(), new Credential(plain.getUsername(), plain.getPassword()));
      }
    }
    return out;
  }
}
