package dev.jbuild.maven;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * {@code project.build.outputTimestamp} as Maven's reproducible builds define it (maven-archiver): a number of
 * seconds since the epoch, or an ISO-8601 date-time with an offset ({@code 2026-01-01T00:00:00Z}) between
 * 1980-01-01T00:00:02Z and 2099-12-31T23:59:59Z; unset or a single character (used to cancel an inherited value)
 * means none. The result becomes the build's SOURCE_DATE_EPOCH, to the second.
 */
final class OutputTimestamp {
  private static final Instant MIN = Instant.parse("1980-01-01T00:00:02Z");
  private static final Instant MAX = Instant.parse("2099-12-31T23:59:59Z");

  private OutputTimestamp() {}

  /**
   * Parses the property value.
   *
   * @throws IllegalArgumentException naming the value and the accepted forms
   */
  static Optional<Instant> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.matches("\\d+")) {
      try {
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(v)));
      } catch (NumberFormatException e) {
        throw invalid(value);
      }
    }
    if (v.length() < 2) {
      return Optional.empty();
    }
    Instant instant;
    try {
      instant = OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
          .truncatedTo(ChronoUnit.SECONDS);
    } catch (DateTimeParseException e) {
      throw invalid(value);
    }
    if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
      throw new IllegalArgumentException("project.build.outputTimestamp \"" + value + "\" is outside the range "
          + MIN + " to " + MAX + " that reproducible Maven builds accept");
    }
    return Optional.of(instant);
  }

  private static IllegalArgumentException invalid(String value) {
    return new IllegalArgumentException("invalid project.build.outputTimestamp \"" + value + "\": use seconds since "
        + "the epoch or an ISO-8601 date-time with an offset, such as 2026-01-01T00:00:00Z");
  }
}
