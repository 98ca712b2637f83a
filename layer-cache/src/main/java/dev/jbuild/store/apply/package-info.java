/**
 * The safe layer applier: unpacks an untrusted layer tar into a root directory, the security boundary of DESIGN
 * section 2 and of the group L cases in {@code security/CASES.md}.
 *
 * <p>Policy, pinned by the tests: entry names are cleaned and rejected when they climb out of the root; absolute
 * names become relative; every path component is resolved inside the root by hand (lstat and readlink per
 * component, absolute symlinks re-rooted, a relative symlink that climbs above the root is an error); hard link
 * targets are resolved the same way and never followed at their last component; metadata is never set through a
 * symlink. The applier assumes it is the only writer of the root while it runs (a private snapshot directory),
 * which is what makes path-based resolution sound.
 *
 * <p>Entry point: {@link dev.jbuild.store.apply.LayerApplier}.
 */
package dev.jbuild.store.apply;
