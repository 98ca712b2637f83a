package dev.jbuild.registry;

import java.util.List;

/** {@code GET /v2/}: is this a registry, and will it talk to us (with auth)? */
final class Ping implements RegistryEndpoint<Boolean> {
  private final boolean withRepositoryScope;

  /** @param withRepositoryScope ask for the repository's pull scope; a login check asks for no scope at all */
  Ping(boolean withRepositoryScope) {
    this.withRepositoryScope = withRepositoryScope;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String url(RegistryTarget target) {
    return target.baseUrl() + "/v2/";
  }

  @Override
  public List<String> scopes(RegistryTarget target) {
    return withRepositoryScope ? List.of(RegistryEndpoint.pullScope(target.repository())) : List.of();
  }

  @Override
  public boolean accepts(int status) {
    return status == 200;
  }

  @Override
  public Boolean handle(RegistryResponse response) {
    return true;
  }

  @Override
  public String action() {
    return "checking the registry API";
  }
}
