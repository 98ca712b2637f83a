package dev.jbuild.dockerfile.internal.ast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HeredocScannerTest {
  /** BuildKit's heredoc word pattern, the reference for the hand-written matcher. */
  private static final Pattern HEREDOC = Pattern.compile("(\\d*)<<(-?)([^<]*)", Pattern.DOTALL);

  @Test
  void parse_randomWords_agreesWithBuildKitPattern() {
    char[] alphabet = {'1', '0', '<', '-', 'E', 'x', '\n'};
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(7);
      for (int j = 0; j < length; j++) {
        s.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String word = s.toString();
      Matcher m = HEREDOC.matcher(word);
      HeredocMarker marker = HeredocScanner.parse(word);
      if (!m.matches() || m.group(3).isEmpty()) {
        assertThat(marker).as(word).isNull();
      } else if (marker != null) {
        assertThat(marker.fileDescriptor()).as(word).isEqualTo(m.group(1).isEmpty() ? 0 : Integer.parseInt(m.group(1)));
        assertThat(marker.chomp()).as(word).isEqualTo(m.group(2).equals("-"));
      }
    }
  }

  @Test
  void parse_markers_readFdChompAndQuoting() {
    assertThat(HeredocScanner.parse("12<<-EOF")).isEqualTo(new HeredocMarker("EOF", 12, true, true));
    assertThat(HeredocScanner.parse("<<'E O'")).isEqualTo(new HeredocMarker("E O", 0, false, false));
    assertThat(HeredocScanner.parse("<<-")).isNull();
    assertThat(HeredocScanner.parse("<<a<b")).isNull();
    assertThat(HeredocScanner.parse("x<<EOF")).isNull();
  }
}
