// Package fakehc is the one in-process fake of a Healthchecks server used by
// cronkit's tests and demo: the Ping API and the Management API v3 sharing
// one project's state, so that pings show up in the API.
//
// It reproduces what a self-hosted Healthchecks v2.10 answers, as recorded in
// shared/reference/healthchecks-captures.md (status codes, headers, plain-text
// and JSON bodies with Python's ", " and ": " separators, key order), and the
// API facts in shared/reference/healthchecks-api.md. Where the captures are
// silent (429 bodies, the 404 of an unknown unique_key) the choice is noted
// beside the code.
//
// Tests get knobs the real server lacks: a clock, injected faults (5xx, 429
// with Retry-After, stalls), per-kind request counters and the recorded pings.
//
// It is not a public API.
package fakehc
