package dev.jbuild.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code --output} of {@code jbuild build}, parsed as buildx does: {@code type=TYPE,dest=PATH[,KEY=VALUE...]},
 * or the short forms {@code -o DIR} (type local) and {@code -o -} (type tar on stdout).
 *
 * @param type what to write
 * @param dest the file or directory, {@code -} for stdout; null for {@link Type#IMAGE} and {@link Type#REGISTRY}
 * @param attrs the other {@code KEY=VALUE} pairs ({@code name}, {@code tar}, {@code push})
 */
record BuildOutput(Type type, String dest, Map<String, String> attrs) {
  /** The exporters. */
  enum Type {
    /** The flattened filesystem into a directory. */
    LOCAL,
    /** The flattened filesystem as one tar. */
    TAR,
    /** An OCI image layout, as a tar or (a directory, or {@code tar=false}) unpacked. */
    OCI,
    /** A docker-archive tar for {@code docker load}. */
    DOCKER,
    /** The local store only (always written); {@code push=true} also pushes the tags. */
    IMAGE,
    /** The local store and a push of every tag: {@code --push}. */
    REGISTRY
  }

  BuildOutput {
    attrs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
  }

  static BuildOutput parse(String spec) {
    if (spec.equals("-")) {
      return new BuildOutput(Type.TAR, "-", Map.of());
    }
    if (!spec.contains("=")) {
      if (spec.isEmpty()) {
        throw new Errors.UserError("empty --output: give a directory or type=TYPE,dest=PATH");
      }
      return new BuildOutput(Type.LOCAL, spec, Map.of());
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new Errors.UserError("invalid --output \"" + spec + "\": \"" + part + "\" is not KEY=VALUE");
      }
      kv.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
    }
    String typeName = kv.remove("type");
    if (typeName == null) {
      throw new Errors.UserError("invalid --output \"" + spec + "\": it needs type=local|tar|oci|docker|image|registry");
    }
    Type type;
    try {
      type = Type.valueOf(typeName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError("unknown --output type \"" + typeName + "\": use local, tar, oci, docker, image or "
          + "registry");
    }
    String dest = kv.remove("dest");
    boolean needsDest = type != Type.IMAGE && type != Type.REGISTRY;
    if (needsDest && (dest == null || dest.isEmpty())) {
      throw new Errors.UserError("--output type=" + typeName + " needs dest=" + (type == Type.LOCAL ? "DIR" : "FILE"));
    }
    if (!needsDest && dest != null) {
      throw new Errors.UserError("--output type=" + typeName + " takes no dest: the image goes to the local store"
          + (type == Type.REGISTRY ? " and is pushed" : ""));
    }
    if (type == Type.LOCAL && dest.equals("-")) {
      throw new Errors.UserError("--output type=local writes a directory; use type=tar,dest=- for stdout");
    }
    for (String key : kv.keySet()) {
      if (!key.equals("name") && !key.equals("tar") && !key.equals("push")) {
        throw new Errors.UserError("unknown --output attribute \"" + key + "\" (known: type, dest, name, tar, push)");
      }
    }
    return new BuildOutput(type, dest, kv);
  }

  /** Whether this output writes to stdout. */
  boolean toStdout() {
    return "-".equals(dest);
  }

  /** Whether the tags are pushed: type=registry, or type=image with push=true. */
  boolean pushes() {
    return type == Type.REGISTRY || (type == Type.IMAGE && "true".equalsIgnoreCase(attrs.get("push")));
  }
}
