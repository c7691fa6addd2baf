package hcctl

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFieldsSpec(t *testing.T) {
	for _, tt := range []struct {
		name    string
		f       Fields
		changed []string
		want    string // the spec as sent (JSON)
		warn    bool
		kind    Kind
	}{
		{name: "only the flags given", f: Fields{Slug: "b", Grace: "10m", Desc: "not given"}, changed: []string{"slug", "grace"},
			want: `{"slug":"b","grace":600}`},
		{name: "--tag joins --tags", f: Fields{Tags: "prod", TagList: []string{"db", "eu"}}, changed: []string{"tags", "tag"},
			want: `{"tags":"prod db eu"}`},
		{name: "a bool given false is sent", f: Fields{}, changed: []string{"manual-resume"}, want: `{"manual_resume":false}`},
		{name: "--schedule wins over --period", f: Fields{Schedule: "0 3 * * *", Period: "1h"}, changed: []string{"schedule", "period"},
			want: `{"schedule":"0 3 * * *"}`, warn: true},
		{name: "a bad period names its flag", f: Fields{Period: "soon"}, changed: []string{"period"}, kind: Usage},
		{name: "a schedule that never fires", f: Fields{Schedule: "0 0 31 2 *"}, changed: []string{"schedule"}, kind: Usage},
		{name: "nothing given", f: Fields{Name: "x"}, want: `{}`},
		{name: "--name where the command has it", f: Fields{Name: "x"}, changed: []string{"name"}, want: `{"name":"x"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set := map[string]bool{}
			for _, c := range tt.changed {
				set[c] = true
			}
			tt.f.Changed = func(flag string) bool { return set[flag] }
			warned := false
			s, err := tt.f.spec(func(string, ...any) { warned = true })
			if kindOf(err) != tt.kind || (tt.kind == 0) != (err == nil) {
				t.Fatalf("err = %v, want kind %d", err, tt.kind)
			}
			if err != nil {
				if tt.kind == Usage && tt.f.Period != "" && !strings.Contains(err.Error(), "--period") {
					t.Errorf("err %q does not name --period", err)
				}
				return
			}
			b, _ := json.Marshal(s)
			if got := string(b); got != tt.want {
				t.Errorf("spec = %q, want %q", got, tt.want)
			}
			if warned != tt.warn {
				t.Errorf("warned = %v, want %v", warned, tt.warn)
			}
		})
	}
}
