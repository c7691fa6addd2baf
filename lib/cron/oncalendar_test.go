package cron

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCalendarVectors checks vectors of /work/shared/reference/oncalendar.md
// without systemd (the differential test covers the whole corpus where
// systemd-analyze is installed): normalised form and next times in UTC.
func TestCalendarVectors(t *testing.T) {
	b := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		x, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, v := range []struct {
		id, expr, norm string
		base           time.Time
		next           []string
	}{
		{"V2", "hourly", "*-*-* *:00:00", b, []string{"2026-01-01 01:00:00", "2026-01-01 02:00:00"}},
		{"V4", "weekly", "Mon *-*-* 00:00:00", b, []string{"2026-01-05 00:00:00", "2026-01-12 00:00:00"}},
		{"V8", "semi-annually", "*-01,07-01 00:00:00", b, []string{"2026-07-01 00:00:00", "2027-01-01 00:00:00"}},
		{"V9", "Sat,Thu,Mon..Wed,Sat..Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00", b, []string{"2026-01-03 00:00:00"}},
		{"V14", "08..18/3:00", "*-*-* 08..17/3:00:00", b, []string{"2026-01-01 08:00:00", "2026-01-01 11:00:00"}},
		{"V16", "mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45", b, []string{"2026-05-01 00:30:45", "2026-05-01 01:30:45"}},
		{"V19", "26-03-05", "2026-03-05 00:00:00", b, []string{"2026-03-05 00:00:00"}},
		{"V23", "Sat *-02-29", "Sat *-02-29 00:00:00", b, []string{"2048-02-29 00:00:00", "2076-02-29 00:00:00"}},
		{"V24", "*-02-30", "*-02-30 00:00:00", b, nil},
		{"V29", "Mon *-05~07/1", "Mon *-05~07/1 00:00:00", b, []string{"2026-05-25 00:00:00", "2027-05-31 00:00:00", "2028-05-29 00:00:00"}},
		{"V32", "2026-01-01", "2026-01-01 00:00:00", b, nil},
		{"V33", "@1767225600", "2026-01-01 00:00:00 UTC", b, nil},
		{"V37", "daily Europe/Riga", "*-*-* 00:00:00 Europe/Riga", b, []string{"2026-01-01 22:00:00", "2026-01-02 22:00:00"}},
		{"V43", "*-*-* 03:30 Europe/Riga", "*-*-* 03:30:00 Europe/Riga", at("2026-03-28 00:00:00"), []string{"2026-03-28 01:30:00", "2026-03-30 00:30:00"}},
		{"V45", "*-*-* *:30 Europe/Riga", "*-*-* *:30:00 Europe/Riga", at("2026-03-29 00:00:00"), []string{"2026-03-29 00:30:00", "2026-03-29 01:30:00", "2026-03-29 02:30:00"}},
		{"V46", "*-*-* 03:30 Europe/Riga", "*-*-* 03:30:00 Europe/Riga", at("2026-10-24 00:00:00"), []string{"2026-10-24 00:30:00", "2026-10-25 00:30:00", "2026-10-26 01:30:00"}},
		{"V48", "*-*-* *:30 Europe/Riga", "*-*-* *:30:00 Europe/Riga", at("2026-10-24 23:00:00"), []string{"2026-10-24 23:30:00", "2026-10-25 00:30:00", "2026-10-25 02:30:00"}},
		{"V49", "*-*-* *:30 Europe/Riga", "*-*-* *:30:00 Europe/Riga", at("2026-10-25 01:00:00"), []string{"2026-10-25 01:30:00", "2026-10-25 02:30:00"}},
		{"V50", "*-*-* *:*:00 Europe/Riga", "*-*-* *:*:00 Europe/Riga", at("2026-10-25 00:58:00"), []string{"2026-10-25 00:59:00", "2026-10-25 02:00:00", "2026-10-25 02:01:00"}},
	} {
		c, err := ParseCalendar(v.expr)
		if err != nil {
			t.Errorf("%s %q: %v", v.id, v.expr, err)
			continue
		}
		if c.String() != v.norm {
			t.Errorf("%s %q: normalised %q, want %q", v.id, v.expr, c.String(), v.norm)
		}
		n := len(v.next)
		if n == 0 {
			n = 1
		}
		var got []string
		for _, x := range c.NextN(v.base, n) {
			got = append(got, x.UTC().Format("2006-01-02 15:04:05"))
		}
		if strings.Join(got, ",") != strings.Join(v.next, ",") {
			t.Errorf("%s %q from %s: %q, want %q", v.id, v.expr, v.base, got, v.next)
		}
	}
}

// TestCalendarRefused: V35/V36 are refused with a *FieldError naming the
// expression.
func TestCalendarRefused(t *testing.T) {
	for _, e := range []string{"*-*~29", "*-*~7..1", "*-*-32", "25:00", "*-*-* 24:00", "*:60", "*:50/20",
		"1969-01-01", "Wed..Mon", "Mon..", "*-*-* *:*/5", "* 12:00", "daily europe/riga", "09:00 Mars/Base",
		"09:00 +02:00", "*:0/0", "", " daily", "2200-01-01"} {
		_, err := ParseCalendar(e)
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "") {
			t.Errorf("ParseCalendar(%q) = %v, want a *FieldError", e, err)
		}
	}
}

func TestKindAndParseAny(t *testing.T) {
	for _, v := range []struct{ expr, kind, str string }{
		{"*/5 * * * *", "cron", "*/5 * * * *"},
		{"@daily", "cron", "0 0 * * *"},
		{"@1767225600", "oncalendar", "2026-01-01 00:00:00 UTC"},
		{"daily", "oncalendar", "*-*-* 00:00:00"},
		{"Mon..Fri 09:00 Europe/Riga", "oncalendar", "Mon..Fri *-*-* 09:00:00 Europe/Riga"},
		{"hourly\nMon 12:00\n", "oncalendar", "*-*-* *:00:00\nMon *-*-* 12:00:00"},
	} {
		if k := Kind(v.expr); k != v.kind {
			t.Errorf("Kind(%q) = %s, want %s", v.expr, k, v.kind)
		}
		e, err := ParseAny(v.expr)
		if err != nil {
			t.Errorf("ParseAny(%q): %v", v.expr, err)
			continue
		}
		if e.String() != v.str {
			t.Errorf("ParseAny(%q).String() = %q, want %q", v.expr, e.String(), v.str)
		}
	}
	// Two expressions OR together: the earliest wins.
	e, _ := ParseAny("Mon 12:00\nTue 06:00")
	got := e.NextN(time.Date(2026, 1, 5, 13, 0, 0, 0, time.UTC), 2)
	if len(got) != 2 || got[0] != time.Date(2026, 1, 6, 6, 0, 0, 0, time.UTC) || got[1] != time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC) {
		t.Errorf("two expressions: %v", got)
	}
}

func TestCalendarExplain(t *testing.T) {
	for _, v := range []struct{ expr, want string }{
		{"daily", "At 00:00"},
		{"Mon..Fri 09:00 Europe/Riga", "At 09:00 on Monday through Friday (Europe/Riga)"},
		{"Sat,Sun 10:30 UTC", "At 10:30 on Saturday and Sunday (UTC)"},
		{"*:0/15", "Every 15th minute from 0 of every hour"},
		{"hourly", "Minute 0 of every hour"},
		{"minutely", "Every minute of every hour"},
		{"*-*~01 23:00", "At 23:00 on the last day of the month"},
		{"quarterly", "At 00:00 on day 1 in months 1, 4, 7, and 10"},
		{"*-02-29 12:00", "At 12:00 on day 29 in February"},
		{"08..17:00:30", "Second 30 of minute 0 of hours 8 through 17"},
	} {
		c, err := ParseCalendar(v.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Explain(); got != v.want {
			t.Errorf("Explain(%q) = %q, want %q", v.expr, got, v.want)
		}
	}
}
