// Package cron parses five-field cron expressions and computes their run
// times the way Debian's cron daemon does, as followed by Healthchecks'
// evaluator cronsim 2.x (see /work/shared/reference/cron-semantics.md and
// docs/cron.md). It is used by hcctl (cron next/explain/check, schedule
// validation) and runwrap (--schedule).
//
// This package is internal to cronkit and not a public API.
//
// Semantics in brief:
//
//   - Day of month and day of week are ANDed when either field starts with
//     '*', and ORed when both are restricted.
//   - A schedule whose minute or hour field starts with '*' follows the wall
//     clock: it fires at every instant whose local reading matches, so it
//     skips a jumped-over hour and runs in both copies of a repeated one.
//   - Any other schedule is a fixed-time job: a matching wall time w fires at
//     the first instant whose local reading is w or later. That runs jobs of
//     a skipped interval once, at the first minute after the jump, and jobs
//     of a repeated interval once, in its first copy.
//
// Expressions that can never fire are refused by Parse, so Next and Prev
// always find a run for them within the 40 years a Feb 29 + weekday
// combination may take; their 100-year search limit is only a safety net.
package cron
