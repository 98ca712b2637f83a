/**
 * How a build runs: the context (paths resolved strictly inside it, .dockerignore applied), the per-stage state,
 * and one small class per instruction family. COPY and ADD read their sources through {@code SourceTree} views
 * (context, earlier stage or image, download, archive, git checkout) and plan their layer in {@code CopyPlanner}. Nothing here is API; the CLI and the Maven plugin use {@code
 * dev.jbuild.builder}.
 */
package dev.jbuild.builder.internal;
