package hc

import (
	"strings"
	"testing"
	"time"
)

func TestWriteChecks(t *testing.T) {
	last := time.Date(2026, 11, 22, 21, 5, 0, 0, time.FixedZone("CET", 3600))
	checks := []Check{
		{Name: "db7", Slug: "db7", Status: "up", Started: true, Schedule: "*/5 * * * *", TZ: "UTC", Grace: 600,
			LastPing: &last, Tags: "prod db", UUID: "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"},
		{Name: "tab\tname", Status: "paused", Started: true, Timeout: 86400, Grace: 3600},
	}
	for _, tc := range []struct{ format, want string }{
		{"table", `NAME      SLUG  STATUS        EXPECTED           GRACE  LAST PING             TAGS     ID
db7       db7   up (running)  */5 * * * * (UTC)  10m    2026-11-22T20:05:00Z  prod db  5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278
tab name  -     paused        every 1d           1h     -                     -        -
`},
		{"jsonl", ""},
		{"json", ""},
	} {
		var b strings.Builder
		if err := WriteChecks(&b, tc.format, checks); err != nil {
			t.Fatal(err)
		}
		switch tc.format {
		case "table":
			if b.String() != tc.want {
				t.Errorf("table:\n%s\nwant\n%s", b.String(), tc.want)
			}
		case "jsonl":
			if n := strings.Count(b.String(), "\n"); n != 2 || !strings.HasPrefix(b.String(), `{"name":"db7"`) {
				t.Errorf("jsonl: %s", b.String())
			}
		case "json":
			if !strings.HasPrefix(b.String(), "[\n  {") {
				t.Errorf("json: %s", b.String())
			}
		}
	}
	var b strings.Builder
	if err := WriteList[Check](&b, "json", nil); err != nil || b.String() != "[]\n" {
		t.Errorf("empty json list: %q %v", b.String(), err)
	}
}

func TestWriteCheck(t *testing.T) {
	var b strings.Builder
	ch := "*"
	if err := WriteCheck(&b, "table", Check{Name: "backups", Status: "down", Timeout: 3600, Grace: 60, Channels: &ch,
		FilterBody: true, PingURL: "https://hc-ping.com/u1"}); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"name:           backups", "period:         1h", "channels:       *",
		"filter:         subject=false body=true", "ping url:       https://hc-ping.com/u1"} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("no %q in\n%s", line, b.String())
		}
	}
}

func TestWriteFlipsStatus(t *testing.T) {
	var b strings.Builder
	flips := []Flip{{Timestamp: time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC), Up: 0}, {Timestamp: time.Date(2026, 11, 22, 21, 9, 0, 0, time.UTC), Up: 1}}
	if err := WriteFlips(&b, "table", flips); err != nil {
		t.Fatal(err)
	}
	if want := "TIME                  CHANGE\n2026-11-22T21:05:00Z  not up\n2026-11-22T21:09:00Z  up\n"; b.String() != want {
		t.Errorf("flips:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	checks := []Check{{Name: "db7", Slug: "db7", Status: "grace", UUID: "u1"}}
	if err := WriteStatus(&b, "jsonl", checks); err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"db7","slug":"db7","id":"u1","status":"grace","started":false,"last_ping":null,"next_ping":null}` + "\n"; b.String() != want {
		t.Errorf("status jsonl: %s", b.String())
	}
	b.Reset()
	if err := WriteStatus(&b, "table", checks); err != nil || b.String() != "NAME  STATUS  LAST PING  NEXT PING\ndb7   grace   -          -\n" {
		t.Errorf("status table: %q %v", b.String(), err)
	}
}

func TestWriteChannelsBadges(t *testing.T) {
	var b strings.Builder
	if err := WriteChannels(&b, "table", []Channel{{ID: "c1", Name: "Ops mail", Kind: "email"}}); err != nil {
		t.Fatal(err)
	}
	if want := "ID  NAME      KIND\nc1  Ops mail  email\n"; b.String() != want {
		t.Errorf("channels:\n%s", b.String())
	}
	badges := map[string]Badge{"prod": {SVG: "s", JSON: "j", Shields: "sh"}, "*": {SVG: "S", JSON: "J"}}
	b.Reset()
	if err := WriteBadges(&b, "table", badges, false); err != nil {
		t.Fatal(err)
	}
	if want := "TAG   FORMAT  URL\nprod  svg     s\nprod  json    j\n*     svg     S\n*     json    J\n"; b.String() != want {
		t.Errorf("badges:\n%q", b.String())
	}
	b.Reset()
	if err := WriteBadges(&b, "table", badges, true); err != nil || strings.Count(b.String(), "\n") != 13 || !strings.Contains(b.String(), "prod  shields   sh\n") {
		t.Errorf("badges --all:\n%s", b.String())
	}
	b.Reset()
	if err := WriteBadges(&b, "jsonl", badges, false); err != nil || !strings.HasPrefix(b.String(), `{"tag":"prod","svg":"s"`) || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("badges jsonl:\n%s", b.String())
	}
}
