package hcctl

import (
	"context"
	"strings"
	"testing"
)

// The DST vector is shared/reference/cron-semantics.md's (Europe/Riga
// springs forward on 2026-03-29: a job in the skipped hour runs at 04:00,
// as Debian cron runs it).
func TestRunCronNext(t *testing.T) {
	for _, tt := range []struct {
		name     string
		o        CronOptions
		terminal bool
		want     string
		kind     Kind
		warn     bool
	}{
		{name: "piped: one time a line", o: CronOptions{Expr: []string{"0 3 * * *"}, N: 2, TZ: "UTC"},
			want: "2026-11-23T03:00:00Z\n2026-11-24T03:00:00Z\n"},
		{name: "terminal: with the weekday", terminal: true, o: CronOptions{Expr: []string{"0 3 * * *"}, N: 1, TZ: "UTC"},
			want: "2026-11-23T03:00:00Z  Mon\n"},
		{name: "five arguments, json", o: CronOptions{Expr: strings.Fields("*/30 * * * *"), N: 2, TZ: "UTC", Format: "json"},
			want: "[\n  \"2026-11-22T12:30:00Z\",\n  \"2026-11-22T13:00:00Z\"\n]\n"},
		{name: "--from a wall time in --tz, across DST", o: CronOptions{Expr: []string{"30 3 * * *"}, N: 2, TZ: "Europe/Riga", From: "2026-03-28 12:00"},
			want: "2026-03-29T04:00:00+03:00\n2026-03-30T03:30:00+03:00\n"},
		{name: "OnCalendar in its own zone", o: CronOptions{Expr: []string{"*-*-* 09:00 Asia/Tokyo"}, N: 1, TZ: "UTC"},
			want: "2026-11-23T09:00:00+09:00\n"},
		{name: "--tz wins over the expression's zone", o: CronOptions{Expr: []string{"*-*-* 09:00 Asia/Tokyo"}, N: 1, TZ: "UTC", TZSet: true},
			want: "2026-11-23T00:00:00Z\n"},
		{name: "a date that never comes again", o: CronOptions{Expr: []string{"2020-01-01 00:00"}, N: 1, TZ: "UTC"}, want: "", warn: true},
		{name: "-n 0", o: CronOptions{Expr: []string{"* * * * *"}, N: 0, TZ: "UTC"}, kind: Usage},
		{name: "no zone", o: CronOptions{Expr: []string{"* * * * *"}, N: 1, TZ: "Local"}, kind: Usage},
		{name: "a bad --from", o: CronOptions{Expr: []string{"* * * * *"}, N: 1, TZ: "UTC", From: "tomorrow"}, kind: Usage},
		{name: "six fields are not cron", o: CronOptions{Expr: []string{"0 0 3 * * *"}, N: 1, TZ: "UTC"}, kind: Usage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, "")
			tt.o.Env = e.Env
			tt.o.Terminal = tt.terminal
			err := RunCronNext(context.Background(), tt.o)
			if kindOf(err) != tt.kind || (tt.kind == 0 && err != nil) {
				t.Fatalf("err = %v, want kind %d", err, tt.kind)
			}
			if e.out.String() != tt.want {
				t.Errorf("stdout %q, want %q", e.out, tt.want)
			}
			if (len(e.warnings) > 0) != tt.warn {
				t.Errorf("warnings %q", e.warnings)
			}
		})
	}
}

func TestRunCronExplainAndCheck(t *testing.T) {
	for _, tt := range []struct {
		expr    string
		explain string // "" when the expression is refused
		check   bool
	}{
		{"0 9 * * MON-FRI", "At 09:00 on Monday through Friday", true},
		{"0 0 31 2 *", "", false},
		{"@daily", "At 00:00", true},
		{"Mon..Fri 09:00", "", true},
		{"61 * * * *", "", false},
	} {
		e := newEnv(t, nil, "")
		err := RunCronExplain(context.Background(), CronOptions{Env: e.Env, Expr: []string{tt.expr}})
		if tt.explain != "" && (err != nil || !strings.HasPrefix(e.out.String(), tt.explain)) {
			t.Errorf("explain %q: %v, %q, want %q", tt.expr, err, e.out, tt.explain)
		}
		e.out.Reset()
		err = RunCronCheck(context.Background(), CronOptions{Env: e.Env, Expr: []string{tt.expr}})
		if (err == nil) != tt.check || (err != nil && kindOf(err) != Usage) {
			t.Errorf("check %q: %v, want ok=%v", tt.expr, err, tt.check)
		}
		if tt.check && !strings.HasPrefix(e.out.String(), "ok: ") {
			t.Errorf("check %q printed %q", tt.expr, e.out)
		}
	}
}
