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
   * @param skipped receives the message for a server whose password cannot be decrypted, which is then left out;
   *     null makes that an error
   * @throws MojoExecutionException when a password cannot be decrypted (wrong master password, missing
   *     settings-security.xml) and {@code skipped} is null: silently going anonymous would hide the real problem
   */
  static Map<String, Credential> of(List<Server> servers, SettingsDecrypter decrypter, String only,
      java.util.function.Consumer<String> skipped) throws MojoExecutionException {
    Map<String, Credential> out = new LinkedHashMap<>();
    for (Server server : servers) {
      if (server.getId() == null || (only != null && !only.equals(server.getId()))) {
        continue;
      }
      Server plain = server;
      if (decrypter != null) {
        SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        String problem = null;
        for (SettingsProblem p : result.getProblems()) {
          if (p.getSeverity() != SettingsProblem.Severity.WARNING && problem == null) {
            problem = "cannot decrypt the password of settings.xml server " + server.getId() + ": " + p.getMessage();
          }
        }
        if (problem != null) {
          if (skipped == null) {
            throw new MojoExecutionException(problem);
          }
          skipped.accept(problem);
          continue;
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
