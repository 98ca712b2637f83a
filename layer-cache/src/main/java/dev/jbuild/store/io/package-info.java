/**
 * Stream plumbing shared by the store and the registry client: {@link dev.jbuild.store.io.HandOff} gives the bytes
 * one thread writes to a second thread that reads them as a stream (decompressing a download while it arrives,
 * extracting a layer while it is written).
 */
package dev.jbuild.store.io;
