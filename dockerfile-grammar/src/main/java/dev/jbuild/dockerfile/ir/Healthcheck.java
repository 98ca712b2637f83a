package dev.jbuild.dockerfile.ir;

/** {@code HEALTHCHECK NONE} ({@code none}, command null) or {@code HEALTHCHECK [flags] CMD ...}; durations raw. */
public record Healthcheck(SourceSpan span, String original, boolean none, Command command, String interval,
              String timeout, String startPeriod, String startInterval, Integer retries)
    implements Instruction {
}
