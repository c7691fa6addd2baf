// Package runner runs one command the way runwrap needs it: in its own process
// group, with signals forwarded, an optional timeout with kill-after, output
// passed through unchanged while its tail is kept in a bounded buffer, plus
// the small pieces around a run (flock locking, jitter, a consecutive-failure
// counter). It knows nothing about Healthchecks. It is not a public API.
package runner
