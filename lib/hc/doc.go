// Package hc talks to Healthchecks: the ping client that runwrap uses
// (ping*.go) and the Management API v3 client that hcctl uses (api*.go).
// Behaviour follows shared/reference/healthchecks-api.md and the captures of a
// real server; lib/testutil/fakehc is the fake the tests run against.
//
// It is not a public API.
package hc
