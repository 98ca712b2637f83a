package dev.jbuild.dockerfile.internal.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written checks that replaced regular expressions agree with them. */
class MatchersTest {
  private static final String UNIT = "(ns|us|\u00b5s|ms|s|m|h)";
  private static final String NUMBER = "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)";
  private static final Pattern DURATION = Pattern.compile(NUMBER + UNIT + "(" + NUMBER + UNIT + ")*|0");

  @Test
  void isDuration_randomText_agreesWithGoDurationPattern() {
    String[] pieces = {"0", "1", "25", ".", "s", "m", "h", "ns", "us", "\u00b5", "ms", "x", "-"};
    Random random = new Random(3);
    for (int i = 0; i < 50_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(6);
      for (int j = 0; j < length; j++) {
        s.append(pieces[random.nextInt(pieces.length)]);
      }
      String text = s.toString();
      assertThat(CommandInstructions.isDuration(text)).as(text).isEqualTo(DURATION.matcher(text).matches());
    }
  }

  @Test
  void translate_stageNames_followBuildKitPattern() {
    Pattern stageName = Pattern.compile("[a-z][a-z0-9-_.]*");
    for (String name : new String[] {"a", "st-a_g.e", "9x", "a:b", "A-1", "a/b", "-a", "\u00e9", "a\u00e9"}) {
      boolean valid = stageName.matcher(name.toLowerCase(java.util.Locale.ROOT)).matches();
      var node = dev.jbuild.dockerfile.internal.ast.AstParser.parse("FROM x AS " + name + "\n").nodes().get(0);
      if (valid) {
        assertThat(StageInstructions.from(node).stageName()).isEqualTo(name);
      } else {
        assertThatThrownBy(() -> StageInstructions.from(node)).as(name).isInstanceOf(ParseFailure.class)
            .hasMessageStartingWith("invalid name for build stage");
      }
    }
  }

  @Test
  void parse_mountFromWithDollar_rejectedWhenFollowedByACharacterOtherThanLineEnd() {
    Pattern variable = Pattern.compile("\\$.");
    for (String from : new String[] {"a", "$x", "a$", "$", "a$\u2028", "a$\rb", "a$\u0085", "a$$", "${x}"}) {
      boolean rejected = variable.matcher(from).find();
      String spec = "type=bind,from=" + from + ",target=/t";
      if (rejected) {
        assertThatThrownBy(() -> MountParser.parse(spec)).as(from)
            .hasMessage("'from' doesn't support variable expansion, define alias stage instead");
      } else {
        assertThat(MountParser.parse(spec).options()).as(from).containsEntry("from", from);
      }
    }
  }
}
