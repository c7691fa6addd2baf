package hc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// IsUUID reports whether s is a canonical UUID.
func IsUUID(s string) bool {
	// By hand, not a regexp: compiling one at start-up costs every runwrap run.
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// AmbiguousError is a CHECK that names more than one check.
type AmbiguousError struct {
	Ref        string
	Candidates []Check
}

func (e *AmbiguousError) Error() string {
	var parts []string
	for _, c := range e.Candidates {
		parts = append(parts, fmt.Sprintf("%q (slug %q, %s)", c.Name, c.Slug, c.ID()))
	}
	return fmt.Sprintf("check %q is ambiguous; it matches %s: use a UUID", e.Ref, strings.Join(parts, ", "))
}

// BadInput: the reference is the user's to fix (lib/cli: exit 2).
func (e *AmbiguousError) BadInput() bool { return true }

// NotFoundError is a CHECK that names no check.
type NotFoundError struct{ Ref string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("check %q not found", e.Ref) }
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ResolveCheck finds ref among checks: a UUID (or unique_key), else a slug
// or an exact name. More than one match is an *AmbiguousError listing them.
func ResolveCheck(checks []Check, ref string) (Check, error) {
	for _, c := range checks {
		if strings.EqualFold(c.ID(), ref) || (c.UniqueKey != "" && c.UniqueKey == ref) {
			return c, nil
		}
	}
	var found []Check
	for _, c := range checks {
		if (c.Slug != "" && c.Slug == ref) || c.Name == ref {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return Check{}, &NotFoundError{Ref: ref}
	case 1:
		return found[0], nil
	}
	return Check{}, &AmbiguousError{Ref: ref, Candidates: found}
}

// Resolve finds the check ref names: a UUID is fetched directly (one
// request); a slug or name needs the list.
func (a *API) Resolve(ctx context.Context, ref string) (Check, error) {
	if ref == "" {
		return Check{}, fmt.Errorf("empty check name")
	}
	if IsUUID(ref) {
		c, err := a.Check(ctx, strings.ToLower(ref))
		if err != nil {
			if e, ok := err.(*APIError); ok && e.Status == 404 {
				return Check{}, &NotFoundError{Ref: ref}
			}
			return Check{}, err
		}
		return c, nil
	}
	checks, err := a.Checks(ctx, ListOptions{})
	if err != nil {
		return Check{}, err
	}
	return ResolveCheck(checks, ref)
}

// ParseSeconds reads a period: whole seconds ("600"), a Go duration
// ("10m", "1h30m") or days ("7d", "1d12h"). It must be whole seconds.
func ParseSeconds(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	var total time.Duration
	rest := s
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || days < 0 || days > 100000 {
			return 0, fmt.Errorf("%q is not a duration (e.g. 600, 10m, 1h30m, 7d)", s)
		}
		total = time.Duration(days) * 24 * time.Hour
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%q is not a duration (e.g. 600, 10m, 1h30m, 7d)", s)
		}
		total += d
	}
	if total%time.Second != 0 {
		return 0, fmt.Errorf("%q is not a whole number of seconds", s)
	}
	return int64(total / time.Second), nil
}

// Period limits of the API's timeout and grace (healthchecks-api.md §3.3).
const (
	MinPeriod = 60
	MaxPeriod = 31536000
)

// CheckPeriod validates a timeout or grace in seconds.
func CheckPeriod(field string, n int64) error {
	if n < MinPeriod || n > MaxPeriod {
		return fmt.Errorf("%s %s is outside 1m..365d (the API takes %d to %d seconds)", field, FormatSeconds(n), MinPeriod, MaxPeriod)
	}
	return nil
}

// FormatSeconds prints seconds the short way: 90 -> "1m30s", 86400 -> "1d".
func FormatSeconds(n int64) string {
	if n <= 0 {
		return strconv.FormatInt(n, 10) + "s"
	}
	var b strings.Builder
	if d := n / 86400; d > 0 {
		fmt.Fprintf(&b, "%dd", d)
		n %= 86400
	}
	if h := n / 3600; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		n %= 3600
	}
	if m := n / 60; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
		n %= 60
	}
	if n > 0 {
		fmt.Fprintf(&b, "%ds", n)
	}
	return b.String()
}

// sortedFields returns the space-separated words of s, sorted, for
// order-insensitive comparison of tags.
func sortedFields(s string) string {
	f := strings.Fields(s)
	sort.Strings(f)
	return strings.Join(f, " ")
}
