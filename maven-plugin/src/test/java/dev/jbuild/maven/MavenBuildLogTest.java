package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.builder.BuildEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MavenBuildLogTest {
  @Test
  void onEvent_quietStep_isOneInfoLineWithCachedAndTime() {
    RecordingLog log = new RecordingLog();
    MavenBuildLog listener = new MavenBuildLog(log);
    listener.onEvent(new BuildEvent.StepStarted("stage-0", 2, 4, "COPY target/app.jar /app/app.jar"));
    listener.onEvent(new BuildEvent.StepFinished("stage-0", 2, "COPY target/app.jar /app/app.jar", true,
        Duration.ofMillis(3)));
    assertThat(log.at("INFO")).containsExactly("#2 [stage-0 2/4] COPY target/app.jar /app/app.jar CACHED 0.00s");
  }

  @Test
  void onEvent_stepWithOutput_headerThenOutputThenOutcome() {
    RecordingLog log = new RecordingLog();
    MavenBuildLog listener = new MavenBuildLog(log);
    listener.onEvent(new BuildEvent.StepStarted("stage-0", 3, 4, "RUN java -version"));
    listener.onEvent(new BuildEvent.Output("stage-0", 3, "openjdk version \"17.0.15\""));
    listener.onEvent(new BuildEvent.Output("stage-0", 3, "OpenJDK Runtime Environment"));
    listener.onEvent(new BuildEvent.StepFinished("stage-0", 3, "RUN java -version", false, Duration.ofMillis(1500)));
    assertThat(log.at("INFO")).containsExactly(
        "#3 [stage-0 3/4] RUN java -version",
        "#3 | openjdk version \"17.0.15\"",
        "#3 | OpenJDK Runtime Environment",
        "#3 DONE 1.50s");
  }

  @Test
  void onEvent_logLevelsAndCacheMiss_goToMatchingMavenLevels() {
    RecordingLog log = new RecordingLog();
    MavenBuildLog listener = new MavenBuildLog(log);
    listener.onEvent(new BuildEvent.Log(BuildEvent.Level.WARN, "unused build arg X"));
    listener.onEvent(new BuildEvent.Log(BuildEvent.Level.INFO, "pulling busybox"));
    listener.onEvent(new BuildEvent.CacheMiss("s", 1, "the instruction changed"));
    assertThat(log.at("WARN")).containsExactly("unused build arg X");
    assertThat(log.at("INFO")).containsExactly("pulling busybox");
    assertThat(log.at("DEBUG")).containsExactly("#1 cache miss: the instruction changed");
  }
}
