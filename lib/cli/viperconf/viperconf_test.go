package viperconf_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/viperconf"
)

// cli.ParseConfig (runwrap's, without viper) reads YAML and JSON files as
// viper does: the same settings, the same lookups, the same errors.
func TestParseConfigMatchesViper(t *testing.T) {
	for _, tc := range []struct{ name, typ, data string }{
		{"flat", "yaml", "api-url: https://config.example\ncount: 7\ntag: [a, b]\n"},
		{"mixed case keys", "yaml", "API-URL: x\nTimeout: 30s\n"},
		{"nested map", "yaml", "req-header:\n  X-One: 1\n  Two: b\n"},
		{"null value", "yaml", "uuid:\nslug: s\n"},
		{"types", "yaml", "retry: 2\nquiet: true\nratio: 1.5\nempty: ''\nwhen: 2024-01-02\n"},
		{"list of maps", "yaml", "items:\n  - {A: 1}\n  - B: 2\n"},
		{"empty file", "yaml", ""},
		{"comment only", "yaml", "# nothing\n"},
		{"bad yaml", "yaml", "api-url: [unclosed\n"},
		{"not a map", "yaml", "- a\n- b\n"},
		{"tab indent", "yaml", "a:\n\tb: 1\n"},
		{"json", "json", `{"API-URL": "x", "retry": 2, "tag": ["a", "b"], "h": {"K": "v"}, "n": null}`},
		{"bad json", "json", `{"a": `},
		{"unsupported", "toml", "a = 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, werr := viperconf.Parse("/etc/x."+tc.typ, tc.typ, []byte(tc.data))
			got, gerr := cli.ParseConfig("/etc/x."+tc.typ, tc.typ, []byte(tc.data))
			if tc.typ == "toml" {
				// viper reads TOML; ParseConfig refuses it with viper's wording.
				if werr != nil || gerr == nil || !strings.HasPrefix(gerr.Error(), `Unsupported Config Type "toml"`) {
					t.Fatalf("toml: viper err %v, ParseConfig err %v", werr, gerr)
				}
				return
			}
			if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
				t.Fatalf("errors differ:\nviper:       %v\nParseConfig: %v", werr, gerr)
			}
			if werr != nil {
				return
			}
			if w, g := want.AllSettings(), got.AllSettings(); !reflect.DeepEqual(w, g) {
				t.Errorf("AllSettings differ:\nviper:       %#v\nParseConfig: %#v", w, g)
			}
			for _, k := range []string{"api-url", "API-URL", "count", "tag", "req-header", "uuid", "slug", "retry",
				"quiet", "ratio", "empty", "when", "items", "timeout", "h", "n", "missing"} {
				if w, g := want.InConfig(k), got.InConfig(k); w != g {
					t.Errorf("InConfig(%q): viper %v, ParseConfig %v", k, w, g)
				}
				if w, g := want.Get(k), got.Get(k); !reflect.DeepEqual(w, g) {
					t.Errorf("Get(%q): viper %#v, ParseConfig %#v", k, w, g)
				}
			}
		})
	}
}

// A tool's parser error reaches lib/cli as a nil Settings, not a typed nil
// *viper.Viper that would pass a nil check.
func TestConfigParserError(t *testing.T) {
	s, err := cli.ConfigParser(viperconf.Parse)("/etc/x.yaml", "yaml", []byte("a: [\n"))
	if err == nil || s != nil {
		t.Fatalf("got %v, %v; want nil settings and an error", s, err)
	}
	s, err = cli.ConfigParser(viperconf.Parse)("/etc/x.yaml", "yaml", []byte("A: 1\n"))
	if err != nil || s == nil || !s.InConfig("a") {
		t.Fatalf("got %v, %v; want settings with a", s, err)
	}
}
