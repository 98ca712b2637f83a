/**
 * Generic AST to typed IR: BuildKit's instruction layer (flag and argument validation, stages).
 * Not API.
 */
package dev.jbuild.dockerfile.internal.ir;
