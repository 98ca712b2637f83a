package dev.jbuild.registry;

import java.util.Objects;

/**
 * A user name and secret for one registry. A user name of {@code <token>} marks the secret as an OAuth2
 * refresh (identity) token, as docker's config.json {@code identitytoken} does.
 *
 * @param username the user name, or {@code <token>} for an identity token
 * @param secret the password, access token or identity token; never printed
 */
public record Credential(String username, String secret) {
  /** The user name docker uses to mark an identity (OAuth2 refresh) token. */
  public static final String IDENTITY_TOKEN_USER = "<token>";

  public Credential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
  }

  /** Whether {@link #secret()} is an OAuth2 refresh token to be exchanged by POST at the token realm. */
  public boolean isIdentityToken() {
    return IDENTITY_TOKEN_USER.equals(username);
  }

  /** Redacts the secret: credentials end up in logs through careless string concatenation. */
  @Override
  public String toString() {
    return "Credential[username=" + username + ", secret=<redacted>]";
  }
}
