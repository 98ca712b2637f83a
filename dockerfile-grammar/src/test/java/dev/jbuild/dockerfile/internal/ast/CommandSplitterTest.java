package dev.jbuild.dockerfile.internal.ast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CommandSplitterTest {
  /** BuildKit's reWhitespace, the reference the hand-written splitter must agree with. */
  private static final Pattern RE_WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");

  @Test
  void splitWhitespace_randomText_agreesWithRegexSplit() {
    char[] alphabet = {'a', 'b', ' ', '\t', 0x0B, '\f', '\r', '\n', 0xA0};
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(8);
      for (int j = 0; j < length; j++) {
        s.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String text = s.toString();
      assertThat(CommandSplitter.splitWhitespace(text, 2)).as("%s, 2", text)
          .containsExactly(RE_WHITESPACE.split(text, 2));
      assertThat(CommandSplitter.splitWhitespace(text, -1)).as("%s, -1", text)
          .containsExactly(RE_WHITESPACE.split(text, -1));
    }
  }

  @Test
  void split_flagsAndRest_separatesThem() {
    CommandSplitter.Split split = CommandSplitter.split(" \u00A0COPY\t--from=a  --link src dst \u3000");

    assertThat(split.keyword()).isEqualTo("COPY");
    assertThat(split.flags()).containsExactly("--from=a", "--link");
    assertThat(split.rest()).isEqualTo("src dst");
  }

  @Test
  void split_wordAlone_hasEmptyRest() {
    CommandSplitter.Split split = CommandSplitter.split("RUN\u00A0x ");

    assertThat(split.keyword()).isEqualTo("RUN\u00A0x");
    assertThat(split.rest()).isEmpty();
  }
}
