package dev.jbuild.dockerfile.bench;

import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.ir.Dockerfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parser speed (run with bench/parser.sh). Targets: {@link #firstParse} at most 100 ms, the cold cost
 * every {@code jbuild build} pays (class loading, ANTLR's ATN deserialisation, interpreted code);
 * {@link #throughput} at least 20 MB/s on a 10,000-instruction file, reported as {@code bytes} per second.
 */
@State(Scope.Benchmark)
public class ParserBenchmark {
  private static final String[] LINES = {
    "RUN apk add --no-cache git make gcc musl-dev \\\n    && rm -rf /var/cache/apk/*\n",
    "COPY --chown=app:app --chmod=0644 src/ /app/src/\n",
    "ENV PATH=/usr/local/bin:$PATH LANG=C.UTF-8\n",
    "WORKDIR /app\n",
    "ARG VERSION=1.0\n",
    "LABEL org.opencontainers.image.version=$VERSION org.opencontainers.image.title=\"demo\"\n",
    "CMD [\"/app/bin/server\", \"--port\", \"8080\"]\n",
    "# a comment between instructions\n",
    "EXPOSE 8080/tcp\n",
    "RUN --mount=type=cache,target=/root/.cache go build -o /out/app ./cmd/app\n",
    "USER app\n",
  };

  private byte[] typical;
  private byte[] large;

  /** Bytes parsed, reported by JMH as a rate next to ops/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Parsed {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  @Setup
  public void load() throws IOException {
    // Only JDK classes here: the parser's classes must load inside the measured first call.
    try (InputStream in = ParserBenchmark.class.getResourceAsStream("/bench/typical.Dockerfile")) {
      typical = in.readAllBytes();
    }
    StringBuilder text = new StringBuilder("FROM alpine:3.19 AS build\n");
    int instructions = 1;
    for (int i = 0; instructions < 10_000; i++) {
      String line = LINES[i % LINES.length];
      text.append(line);
      if (!line.startsWith("#")) {
        instructions++;
      }
    }
    large = text.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 0)
  @Measurement(iterations = 1)
  @Fork(15)
  public Dockerfile firstParse() throws DockerfileSyntaxException {
    return DockerfileParser.parse(typical, "Dockerfile");
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 4, time = 2)
  @Measurement(iterations = 5, time = 2)
  @Fork(1)
  public Dockerfile throughput(Parsed parsed) throws DockerfileSyntaxException {
    parsed.bytes += large.length;
    return DockerfileParser.parse(large, "Dockerfile");
  }
}
