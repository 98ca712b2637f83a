/**
 * jbuild-maven-plugin: the {@code build}, {@code push} and {@code save} goals, a thin adapter that maps Maven's
 * configuration (project, settings.xml servers, offline mode, reproducible-build timestamp) onto the builder's public
 * API ({@link dev.jbuild.builder.ImageBuilder}), the registry client and the store's archive writer, and sends build
 * events to Maven's log. Without uid 0 a build is forked into a user namespace ({@link dev.jbuild.maven.ForkMain})
 * and its events come back as JSON lines ({@link dev.jbuild.maven.EventCodec}).
 */
package dev.jbuild.maven;
