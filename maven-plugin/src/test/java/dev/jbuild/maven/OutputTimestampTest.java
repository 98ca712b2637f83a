package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutputTimestampTest {
  @Test
  void parse_iso8601WithOffset_isThatInstantToTheSecond() {
    assertThat(OutputTimestamp.parse("2026-01-01T00:00:00Z")).contains(Instant.ofEpochSecond(1767225600));
    assertThat(OutputTimestamp.parse("2026-01-01T02:00:00.999+02:00")).contains(Instant.ofEpochSecond(1767225600));
  }

  @Test
  void parse_seconds_isSecondsSinceTheEpoch() {
    assertThat(OutputTimestamp.parse("1767225600")).contains(Instant.ofEpochSecond(1767225600));
    assertThat(OutputTimestamp.parse(" 10 ")).contains(Instant.ofEpochSecond(10));
  }

  @Test
  void parse_unsetOrOneCharacter_isNone() {
    assertThat(OutputTimestamp.parse(null)).isEmpty();
    assertThat(OutputTimestamp.parse("-")).isEmpty();
    assertThat(OutputTimestamp.parse("")).isEmpty();
  }

  @Test
  void parse_invalidOrOutOfRange_failsNamingTheValue() {
    assertThatThrownBy(() -> OutputTimestamp.parse("yesterday")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"yesterday\"").hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> OutputTimestamp.parse("2026-01-01T00:00:00")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> OutputTimestamp.parse("1970-01-01T00:00:00Z")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the range");
  }
}
