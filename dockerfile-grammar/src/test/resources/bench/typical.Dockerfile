# syntax=docker/dockerfile:1
# A typical multi-stage service build: the benchmark's "first parse" input (60 lines).
ARG JAVA_VERSION=17
ARG BASE=eclipse-temurin:${JAVA_VERSION}-jre-alpine

FROM maven:3.9-eclipse-temurin-${JAVA_VERSION} AS deps
WORKDIR /src
COPY pom.xml .
COPY core/pom.xml core/
COPY api/pom.xml api/
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    mvn -B -q dependency:go-offline

FROM deps AS build
ARG VERSION=0.0.0-SNAPSHOT
ENV MAVEN_OPTS="-Xmx1g -XX:+UseParallelGC" \
    LANG=C.UTF-8
COPY --link core/src core/src
COPY --link api/src api/src
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    mvn -B -q -Drevision=${VERSION} -DskipTests package && \
    mkdir -p /out && \
    cp api/target/api-*.jar /out/app.jar
RUN <<EOF
set -eux
java -Djarmode=layertools -jar /out/app.jar extract --destination /out/layers
ls -la /out/layers
EOF

FROM ${BASE} AS runtime
ARG VERSION
LABEL org.opencontainers.image.title="api" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://example.com/api.git"
RUN apk add --no-cache tini curl ca-certificates \
    && addgroup -S app \
    && adduser -S -G app -h /app app
WORKDIR /app
COPY --from=build --chown=app:app /out/layers/dependencies/ ./
COPY --from=build --chown=app:app /out/layers/spring-boot-loader/ ./
COPY --from=build --chown=app:app /out/layers/snapshot-dependencies/ ./
COPY --from=build --chown=app:app /out/layers/application/ ./
COPY --chmod=0755 <<"EOT" /usr/local/bin/healthcheck
#!/bin/sh
curl -fsS http://localhost:8080/actuator/health || exit 1
EOT
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75" \
    SERVER_PORT=8080
EXPOSE 8080/tcp
VOLUME ["/app/data"]
USER app:app
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/sbin/tini", "--", "java", "org.springframework.boot.loader.launch.JarLauncher"]
CMD ["--spring.profiles.active=prod"]

FROM runtime AS debug
USER root
RUN apk add --no-cache busybox-extras strace
USER app:app
