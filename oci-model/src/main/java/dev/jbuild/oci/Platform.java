package dev.jbuild.oci;

import java.util.Locale;
import java.util.Objects;

/**
 * An OS/architecture/variant triple such as {@code linux/arm64/v8}, normalised the way containerd's
 * {@code platforms.Normalize} does, so {@code linux/aarch64} and {@code linux/arm64} are the same platform.
 */
public record Platform(String os, String architecture, String variant, String osVersion) {

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
   * Whether an image built for {@code candidate} serves a request for this platform. An unset variant on
   * either side matches, except that arm without a variant means v7.
   */
  public boolean matches(Platform candidate) {
    Platform want = normalize(this);
    Platform have = normalize(candidate);
    if (!want.os.equals(have.os) || !want.architecture.equals(have.architecture)) {
      return false;
    }
    return want.variant == null || have.variant == null || want.variant.equals(have.variant);
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
