package dev.jbuild.oci;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A normalised image reference: {@code registry/repository[:tag][@digest]}.
 *
 * <p>Parsing follows the distribution reference grammar and docker's normalisation: a first path component
 * is a registry only when it contains {@code .} or {@code :} or is {@code localhost}; otherwise the registry
 * is {@code docker.io} and a single-component name gets the {@code library/} prefix. A reference with neither
 * tag nor digest means {@code :latest}.
 *
 * <p>Example: {@code ImageReference.parse("busybox")} gives registry {@code docker.io}, repository {@code
 * library/busybox}, tag {@code latest}; its {@link #familiar()} form is {@code busybox:latest}.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final String DOCKER_HUB_API = "registry-1.docker.io";

  private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
              + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final int MAX_NAME_LENGTH = 255;

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (tag == null && digest == null) {
      tag = "latest";
    }
  }

  /** Parses and normalises a reference typed by a user or written in a Dockerfile. */
  public static ImageReference parse(String reference) throws InvalidReferenceException {
    if (reference == null || reference.isEmpty()) {
      throw new InvalidReferenceException(String.valueOf(reference), "empty reference");
    }
    String rest = reference;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (InvalidDigestException e) {
        throw new InvalidReferenceException(reference, e.getMessage());
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReferenceException(
            reference, "invalid tag \"" + tag + "\" (letters, digits, _ . - and at most 128 characters)");
      }
    }
    if (rest.isEmpty()) {
      throw new InvalidReferenceException(reference, "missing repository name");
    }
    String registry;
    String repository;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    boolean firstIsDomain =
        slash >= 0
            && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT)));
    if (firstIsDomain) {
      registry = first;
      repository = rest.substring(slash + 1);
      if (!DOMAIN.matcher(registry).matches()) {
        throw new InvalidReferenceException(reference, "invalid registry host \"" + registry + "\"");
      }
    } else {
      registry = DOCKER_HUB;
      repository = rest;
    }
    if (registry.equals("index.docker.io") || registry.equals(DOCKER_HUB_API)) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && repository.indexOf('/') < 0) {
      repository = "library/" + repository;
    }
    if (!repository.equals(repository.toLowerCase(java.util.Locale.ROOT))) {
      throw new InvalidReferenceException(reference, "repository name must be lowercase");
    }
    for (String component : repository.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component).matches()) {
        throw new InvalidReferenceException(
            reference,
            component.isEmpty()
                ? "empty path component in the repository name"
                : "invalid path component \"" + component + "\" (lowercase letters, digits and . _ - separators)");
      }
    }
    if (registry.length() + 1 + repository.length() > MAX_NAME_LENGTH) {
      throw new InvalidReferenceException(reference, "name longer than " + MAX_NAME_LENGTH + " characters");
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /** The host to connect to: Docker Hub's API lives on {@code registry-1.docker.io}. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** Whether the registry defaults to plain HTTP: {@code localhost} and the loopback range. */
  public boolean isLoopbackRegistry() {
    String host = registry;
    if (host.startsWith("[")) {
      return host.startsWith("[::1]");
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    return host.equals("localhost") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, null);
  }

  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, newDigest);
  }

  /** {@code registry/repository}, with no tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The shortest form that parses back to this reference, as {@code docker images} shows it. */
  public String familiarName() {
    if (registry.equals(DOCKER_HUB)) {
      return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
          ? repository.substring("library/".length())
          : repository;
    }
    return name();
  }

  /** The familiar name with its tag and digest: {@code busybox:latest}, {@code localhost:5000/a/b:1}. */
  public String familiar() {
    return familiarName() + suffix();
  }

  private String suffix() {
    return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  /** The fully qualified form: {@code docker.io/library/busybox:latest}. */
  @Override
  public String toString() {
    return name() + suffix();
  }
}
