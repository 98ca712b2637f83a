package dev.jbuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every syntax error: BuildKit's wording, the exact line and column, and the rendered message. */
class DockerfileSyntaxErrorTest {

  private static DockerfileSyntaxException error(String text) {
    try {
      DockerfileParser.parse(text, "Dockerfile");
    } catch (DockerfileSyntaxException e) {
      return e;
    }
    throw new AssertionError("expected a syntax error for: " + text);
  }

  private static String at(DockerfileSyntaxException e) {
    return e.line() + ":" + e.column() + " " + e.what();
  }

  @Test
  void parse_misspeltInstruction_suggestsKeywordAndPointsAtIt() {
    DockerfileSyntaxException e = error("FROM a\n\n# c\n\nFORM b\n");

    assertThat(e.getMessage()).isEqualTo("""
        Dockerfile:5:1: unknown instruction: FORM (did you mean FROM?)
         5 | FORM b
           | ^~~~""");
    assertThat(e.what()).isEqualTo("unknown instruction: FORM (did you mean FROM?)");
    assertThat(e.fileName()).isEqualTo("Dockerfile");
    assertThat(e.line()).isEqualTo(5);
    assertThat(e.column()).isEqualTo(1);
  }

  @Test
  void parse_misspeltFlag_suggestsFlagAndPointsAtIt() {
    assertThat(error("FROM a\nCOPY --chwon=app a /b\n").getMessage()).isEqualTo("""
        Dockerfile:2:6: unknown flag: chwon (did you mean --chown?)
         2 | COPY --chwon=app a /b
           |      ^~~~~~~""");
  }

  @Test
  void parse_errorAfterTabs_copiesTabsIntoMarker() {
    assertThat(error("FROM a\n\tRUN --netwrk=none x\n").getMessage()).isEqualTo(
        "Dockerfile:2:6: unknown flag: netwrk (did you mean --network?)\n 2 | \tRUN --netwrk=none x\n   | \t    ^~~~~~~~");
  }

  @Test
  void parse_flagOnContinuationLine_pointsAtThatLine() {
    DockerfileSyntaxException e = error("FROM a\nCOPY --chown=1 \\\n     --bogus \\\n  a b\n");

    assertThat(e.getMessage()).isEqualTo("""
        Dockerfile:3:6: unknown flag: bogus
         3 |      --bogus \\
           |      ^~~~~~~""");
  }

  @Test
  void parse_unknownInstructionFarFromKeywords_hasNoHint() {
    assertThat(at(error("FROM a\nFROBNICATE x\n"))).isEqualTo("2:1 unknown instruction: FROBNICATE");
    assertThat(at(error("FROM a\nRUM x\n"))).isEqualTo("2:1 unknown instruction: RUM (did you mean RUN?)");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
    // flags
    "FROM a\\nWORKDIR --foo /x|2:9 unknown flag: foo",
    "FROM a\\nCOPY --checksum=x a b|2:6 unknown flag: checksum (--checksum is a flag of ADD, not of COPY)",
    "FROM a\\nRUN --chown=1 x|2:5 unknown flag: chown (--chown is a flag of ADD and COPY, not of RUN)",
    "FROM a\\nCOPY --link=maybe a b|2:6 expecting boolean value for flag link, not: maybe",
    "FROM a\\nCOPY --from a b|2:6 missing a value on flag: from",
    "FROM a\\nCOPY --from=x --from=y a b|2:15 duplicate flag specified: from",
    "FROM --platfrom=linux/amd64 a|1:6 unknown flag: platfrom (did you mean --platform?)",
    "FROM a\\nHEALTHCHECK --interval=5 CMD x|2:13 invalid duration for --interval: \"5\"",
    "FROM a\\nHEALTHCHECK --retries=-1 CMD x|2:13 --retries cannot be negative (-1)",
    // stages
    "FROM a AS 1x|1:11 invalid name for build stage: \"1x\", name can't start with a number or contain symbols",
    "FROM a AS b$c|1:11 invalid name for build stage: \"b$c\", name can't start with a number or contain symbols",
    "FROM a AS x\\nFROM b AS X|2:11 duplicate stage name \"x\"",
    "FROM\\n|1:1 FROM requires either one or three arguments",
    "FROM a AS|1:1 FROM requires either one or three arguments",
    "ARG A\\nRUN x\\nFROM a|2:1 no build stage in current context: RUN must come after FROM (only ARG may precede it)",
    "ARG A\\nARG B|2:1 dockerfile contains no stages to build",
    // arguments
    "FROM busybox\\nENV PATH|2:5 ENV must have two arguments",
    "FROM a\\nLABEL x|2:7 LABEL must have two arguments",
    "FROM a\\nENV a=b c|2:9 Syntax error - can't find = in \"c\". Must be of the form: name=value",
    "FROM a\\nENV =b|2:1 ENV names can not be blank",
    "FROM a\\nARG =x|2:1 ARG names can not be blank",
    "FROM a\\nCOPY a|2:1 COPY requires at least two arguments, but only one was provided. Destination could not be determined.",
    "FROM a\\nCOPY a <<EOF\\nx\\nEOF|2:8 COPY cannot accept a heredoc as a destination",
    "FROM a\\nWORKDIR|2:1 WORKDIR requires exactly one argument",
    "FROM a\\nEXPOSE|2:1 EXPOSE requires at least one argument",
    "FROM a\\nVOLUME [\"\"]|2:1 VOLUME specified can not be an empty string",
    "FROM a\\nSHELL bash -c|2:1 SHELL requires the arguments to be in JSON form",
    "FROM a\\nONBUILD FROM b|2:9 FROM isn't allowed as an ONBUILD trigger",
    "FROM a\\nONBUILD ONBUILD RUN x|2:1 Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    "FROM a\\nONBUILD|2:1 ONBUILD requires at least one argument",
    "FROM a\\nHEALTHCHECK FOO x|2:13 Unknown type \"FOO\" in HEALTHCHECK (try CMD)",
    "FROM a\\nHEALTHCHECK NONE x|2:1 HEALTHCHECK NONE takes no arguments",
    "FROM a\\nHEALTHCHECK CMD|2:1 Missing command after HEALTHCHECK CMD",
    "FROM a\\nCMD [ \"echo\", [ \"nested\" ] ]|2:15 when using JSON array syntax, arrays must be comprised of strings only",
    "FROM a\\nCMD [\"a\", 1]|2:11 when using JSON array syntax, arrays must be comprised of strings only",
    // RUN options
    "FROM a\\nRUN --network=bridge true|2:15 invalid network mode \"bridge\"",
    "FROM a\\nRUN --network=hots true|2:15 invalid network mode \"hots\" (did you mean host?)",
    "FROM a\\nRUN --security=root true|2:16 security \"root\" is not valid",
    // directives
    "# escape=`\\n# escape=\\\\\\nFROM a|2:3 only one escape parser directive can be used",
    "# escape=x\\nFROM a|1:10 invalid escape token 'x' does not match ` or \\",
    // file level
    "~~|1:1 file with no instructions",
    "# only\\n# comments\\n|2:1 file with no instructions",
    "FROM a\\nRUN <<EOF\\necho|2:5 unterminated heredoc: no line \"EOF\" ends it",
  })
  void parse_invalidDockerfile_reportsBuildKitMessageAtExactPosition(String source, String expected) {
    assertThat(at(error(source.replace("\\n", "\n")))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
    "type=tmpfs,target=/t,id=x|2:34 unexpected key 'id' for mount type 'tmpfs'",
    "type=cache,target=/t,bogus=1|2:34 unexpected key 'bogus' in 'bogus=1'",
    "type=cache,target=/t,trget=/u|2:34 unexpected key 'trget' in 'trget=/u' (did you mean target?)",
    "type=nfs,target=/t|2:13 unsupported mount type \"nfs\"",
    "type=cahce,target=/t|2:13 unsupported mount type \"cahce\" (did you mean cache?)",
    "type=bind,target=/t,mode=0755|2:33 mode not allowed for \"bind\" type mounts",
    "type=tmpfs,target=/t,uid=1|2:34 uid not allowed for \"tmpfs\" type mounts",
    "type=bind,target=/t,sharing=locked|2:33 invalid cache sharing set for bind mount",
    "type=cache,target=/t,sharing=open|2:34 unsupported sharing value \"open\"",
    "type=cache,target=/t,mode=999|2:34 invalid value 999 for mode",
    "type=cache,target=/t,uid=x|2:34 invalid value x for uid",
    "type=cache,target=/t,gid=4294967296|2:34 invalid value 4294967296 for gid",
    "type=bind,target=/t,required|2:33 unexpected key 'required' for mount type 'bind'",
    "type=bind,target=/t,ro=maybe|2:33 invalid value for ro: maybe",
    "type=bind,target=/t,source|2:33 invalid field 'source' must be a key=value pair",
    "type=bind,target=/t,from=$X|2:33 'from' doesn't support variable expansion, define alias stage instead",
    "type=cache,id=x|2:1 mount type 'cache' requires a target",
    "type=secret|2:1 invalid secret mount. one of source, target required",
    "type=secret,id=a,src=b|2:1 both source and id can't be set",
  })
  void parse_badMountOption_reportsBuildKitMessageAtTheOption(String mount, String expected) {
    // "FROM a\nRUN --mount=" puts the first option at column 13, the third one at 33 or 34.
    assertThat(at(error("FROM a\nRUN --mount=" + mount + " true\n"))).isEqualTo(expected);
  }

  @Test
  void parse_oversizedInput_statesTheLimit() {
    String huge = "FROM a\n#" + "x".repeat(12 * 1024 * 1024);

    DockerfileSyntaxException e = error(huge);

    assertThat(e.getMessage()).isEqualTo("Dockerfile:1:1: Dockerfile is 12.1 MiB; the limit is 10 MiB");
  }

  @Test
  void parseBytes_oversizedInput_isRefusedBeforeDecoding() {
    byte[] huge = new byte[DockerfileParser.MAX_SOURCE_BYTES + 1];

    assertThat(DockerfileParserBytes.error(huge).what()).isEqualTo("Dockerfile is 10.1 MiB; the limit is 10 MiB");
  }

  @Test
  void parseBytes_invalidUtf8_namesByteLineAndColumn() {
    byte[] bytes = "FROM a\nRUN échø \u00ff!\n".getBytes(StandardCharsets.UTF_8);
    bytes[bytes.length - 4] = (byte) 0xff; // the first byte of "ÿ" (0xc3 0xbf) becomes an invalid 0xff

    DockerfileSyntaxException e = DockerfileParserBytes.error(bytes);

    assertThat(e.getMessage()).isEqualTo("""
        Dockerfile:2:10: invalid UTF-8: byte 0xff at offset 18 is not valid here; a Dockerfile must be UTF-8 text
         2 | RUN échø \ufffd\ufffd!
           |          ^""");
  }

  @Test
  void parseBytes_truncatedSequenceAtEnd_isReported() {
    byte[] bytes = {'F', 'R', 'O', 'M', ' ', 'a', '\n', 'R', 'U', 'N', ' ', (byte) 0xe2, (byte) 0x82};

    assertThat(at(DockerfileParserBytes.error(bytes))).isEqualTo(
        "2:5 invalid UTF-8: the file ends inside a multi-byte character; a Dockerfile must be UTF-8 text");
  }

  @Test
  void parse_longLine_showsWindowAroundColumn() {
    String line = "CMD [" + "\"a\", ".repeat(100) + "1]";

    DockerfileSyntaxException e = error("FROM a\n" + line + "\n");

    assertThat(e.column()).isEqualTo(506);
    assertThat(e.getMessage().lines().skip(1).toList()).containsExactly(
        " 2 | ..." + line.substring(387),
        "   | " + " ".repeat(3 + 505 - 387) + "^~");
  }

  /** Small adapter so tests read like the string ones. */
  private static final class DockerfileParserBytes {
    static DockerfileSyntaxException error(byte[] bytes) {
      try {
        DockerfileParser.parse(bytes, "Dockerfile");
      } catch (DockerfileSyntaxException e) {
        return e;
      }
      throw new AssertionError("expected a syntax error");
    }
  }
}
