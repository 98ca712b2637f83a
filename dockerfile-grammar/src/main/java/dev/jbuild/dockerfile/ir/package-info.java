/**
 * The typed Dockerfile IR: immutable records, values kept raw (unexpanded) exactly as BuildKit's
 * instruction layer keeps them, so the builder expands them with its own ARG/ENV scope.
 * Deliberately free of ANTLR types so consumers never see the parser technology.
 */
package dev.jbuild.dockerfile.ir;
