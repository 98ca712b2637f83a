package dev.jbuild.oci;

import java.util.Locale;
import java.util.Objects;

/**
 * An OS/architecture/variant triple such as {@code linux/arm64/v8}, normalised the way containerd's
 * {@code platforms.Normalize} does, so {@code linux/aarch64} and {@code linux/arm64} are the same platform.
 */
public record Platform(String os, String architecture, String variant, String osVersion) {
  /** A variant that is a level: {@code v3}, {@code v8.2}. */
  private static final java.util.regex.Pattern VARIANT_LEVEL =
      java.util.regex.Pattern.compile("v([0-9]{1,2})(\\.[0-9]+)?");

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    variant = variant == null || variant.isEmpty() ? null : variant;
    osVersion = osVersion == null || osVersion.isEmpty() ? null : osVersion;
  }

  public static Platform of(String os, String architecture) {
    return new Platform(os, architecture, null, null);
  }

  /** Parses {@code os/arch[/variant]}; the error names the bad input. */
  public static Platform parse(String spec) throws OciException {
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new OciException("invalid platform \"" + spec + "\": expected os/arch[/variant], such as linux/amd64");
    }
    return normalize(new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null, null));
  }

  /** The platform of the machine jbuild runs on (always linux: images run on Linux). */
  public static Platform host() {
    String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
    return normalize(new Platform("linux", arch, null, null));
  }

  /** Maps the aliases used by uname, the JVM and Go to the OCI names. */
  public static Platform normalize(Platform p) {
    String arch = p.architecture;
    String variant = p.variant;
    switch (arch) {
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if ("v1".equals(variant)) {
          variant = null;
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        if (variant == null || "8".equals(variant) || "v8".equals(variant)) {
          variant = null;
        }
      }
      case "armhf" -> {
        arch = "arm";
        variant = "v7";
      }
      case "armel" -> {
        arch = "arm";
        variant = "v6";
      }
      case "arm" -> {
        if (variant == null) {
          variant = "v7";
        } else if (variant.matches("[5-8]")) {
          variant = "v" + variant;
        }
      }
      case "i386", "i686", "x86" -> arch = "386";
      case "ppc64le", "s390x", "riscv64", "mips64le", "loong64", "386" -> {}
      default -> {}
    }
    return new Platform(p.os, arch, variant, p.osVersion);
  }

  /**
   * Whether an image built for {@code candidate} serves a request for this platform: same os and architecture,
   * and a variant this one can run, as containerd matches them. For amd64, arm64 and arm the variant is a level
   * (amd64 without one is v1, arm64 v8, arm v7) and an image for the same or a lower level serves: arm/v7 runs
   * arm/v6, but plain amd64 must not get an amd64/v3 image (SIGILL on older CPUs). For other architectures an
   * unset variant on either side matches.
   */
  public boolean matches(Platform candidate) {
    return distance(candidate) >= 0;
  }

  /**
   * How far {@code candidate} is from this platform: 0 for the same variant, more for an older variant that still
   * serves, -1 when it does not serve at all. Of several images in an index, the nearest is chosen.
   */
  public int distance(Platform candidate) {
    Platform want = normalize(this);
    Platform have = normalize(candidate);
    if (!want.os.equals(have.os) || !want.architecture.equals(have.architecture)) {
      return -1;
    }
    int w = level(want);
    int h = level(have);
    if (w > 0 && h > 0) {
      return h <= w ? w - h : -1;
    }
    if (want.variant == null || have.variant == null) {
      return want.variant == have.variant ? 0 : 1;
    }
    return want.variant.equals(have.variant) ? 0 : -1;
  }

  /**
   * The manifest of {@code manifests} (an index's) that serves this platform best, if any: the nearest variant,
   * the first of equals. Only image manifests with a platform are considered.
   */
  public java.util.Optional<Descriptor> select(java.util.List<Descriptor> manifests) {
    Descriptor best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Descriptor d : manifests) {
      if (d.platform() != null && MediaType.isManifest(d.mediaType())) {
        int distance = distance(d.platform());
        if (distance >= 0 && distance < bestDistance) {
          best = d;
          bestDistance = distance;
        }
      }
    }
    return java.util.Optional.ofNullable(best);
  }

  /**
   * As {@link #select}, else the first image manifest without a platform: an index some tools write without
   * platforms (the local store and image archives accept those; a registry pull does not).
   */
  public java.util.Optional<Descriptor> selectOrUnlabelled(java.util.List<Descriptor> manifests) {
    return select(manifests).or(() -> manifests.stream()
        .filter(d -> d.platform() == null && MediaType.isManifest(d.mediaType())).findFirst());
  }

  /** The variant of a normalized amd64, arm64 or arm platform as a level (v3 is 3), or 0 when it has none. */
  private static int level(Platform p) {
    int unset;
    switch (p.architecture) {
      case "amd64" -> unset = 1;
      case "arm64" -> unset = 8;
      case "arm" -> unset = 7;
      default -> {
        return 0;
      }
    }
    if (p.variant == null) {
      return unset;
    }
    java.util.regex.Matcher m = VARIANT_LEVEL.matcher(p.variant);
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
