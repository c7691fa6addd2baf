// Package releasetest checks what scripts/release builds: the tarballs, the
// .deb (its control fields and contents, installed with dpkg into a scratch
// root, man pages rendered by man), and SHA256SUMS. The code is all in the
// test; it is not a public API.
//
// scripts/test runs scripts/release first and passes its folder in
// CRONKIT_DIST; without it the test builds a linux/amd64 release itself.
package releasetest
