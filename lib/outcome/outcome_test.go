package outcome

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

type status int

func (s status) Error() string   { return fmt.Sprintf("HTTP %d", int(s)) }
func (s status) HTTPStatus() int { return int(s) }

type sqlState string

func (s sqlState) Error() string    { return "SQLSTATE " + string(s) }
func (s sqlState) SQLState() string { return string(s) }

type badInput bool

func (b badInput) Error() string  { return "bad input" }
func (b badInput) BadInput() bool { return bool(b) }

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, Unknown},
		{"plain", errors.New("connection refused"), Unknown},
		{"kind", Errorf(Partial, "2 of 3"), Partial},
		{"wrapped kind", fmt.Errorf("post: %w", &Error{Kind: Interrupted}), Interrupted},
		{"kind wins over what it wraps", Wrap(Failed, status(401)), Failed},
		{"cancelled", fmt.Errorf("post: %w", context.Canceled), Interrupted},
		{"a kind wins over a cancelled context", Wrap(Failed, context.Canceled), Failed},
		{"http 401", fmt.Errorf("x: %w", status(401)), Refused},
		{"http 403", status(403), Refused},
		{"http 400", status(400), BadInput},
		{"http 500", status(500), Failed},
		{"sqlstate 28P01", sqlState("28P01"), Refused},
		{"sqlstate 3D000", sqlState("3D000"), Failed},
		{"bad input", fmt.Errorf("x: %w", badInput(true)), BadInput},
		{"not bad input", badInput(false), Unknown},
		{"coded", fmt.Errorf("check: %w", &Error{Kind: Coded, Code: 2}), Coded},
		{"coded wins over the usage error it wraps", &Error{Kind: Coded, Code: 3, Err: Errorf(Usage, "rules.yaml:3: x")}, Coded},
	} {
		if got := Of(tt.err); got != tt.want {
			t.Errorf("%s: Of(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestError(t *testing.T) {
	if Wrap(Failed, nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
	inner := errors.New("listen tcp: address in use")
	e := Wrap(Failed, inner)
	if e.Error() != inner.Error() || !errors.Is(e, inner) {
		t.Errorf("%v does not say or wrap %v", e, inner)
	}
	if got := (&Error{Kind: Partial}).Error(); got != "partial" {
		t.Errorf("a silent error says %q", got)
	}
	if got := (&Error{Kind: Coded, Code: 2}).Error(); got != "coded" {
		t.Errorf("a silent coded error says %q", got)
	}
	if got := Kind(42).String(); got != "outcome.Kind(42)" {
		t.Errorf("%q", got)
	}
}

// A Usage or BadInput error is the user's to fix, as lib/hc's and
// lib/pgdash's BadInput() errors say; the other kinds are not.
func TestErrorBadInput(t *testing.T) {
	for k := Unknown; k <= Coded; k++ {
		want := k == Usage || k == BadInput
		var bi interface{ BadInput() bool }
		if got := errors.As(fmt.Errorf("x: %w", Errorf(k, "y")), &bi) && bi.BadInput(); got != want {
			t.Errorf("%v: BadInput %v, want %v", k, got, want)
		}
	}
}
