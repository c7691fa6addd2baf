package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Settings is a parsed config file: what the binding reads of it. Keys are
// lower-cased; a key with a null value is not in the file. *viper.Viper has
// these methods.
type Settings interface {
	AllSettings() map[string]any
	InConfig(key string) bool
	Get(key string) any
}

// ParseConfig parses a YAML or JSON config file (typ "yaml" or "json") as
// viper does (the same decoders, keys lower-cased, the same error text), so
// that a tool reads its config without linking viper: its package
// initialisers (gotenv's and cast's regexps, html/template, TOML) cost every
// run of runwrap 0.3M instructions of start-up, file or no file.
func ParseConfig(path, typ string, data []byte) (Settings, error) {
	m := map[string]any{}
	var err error
	switch typ {
	case "yaml":
		err = yaml.Unmarshal(data, &m)
	case "json":
		err = json.Unmarshal(data, &m)
	default:
		//lint:ignore ST1005 viper's wording: the same message whichever parser a tool uses
		return nil, fmt.Errorf("Unsupported Config Type %q (this tool reads YAML or JSON)", typ)
	}
	if err != nil {
		//lint:ignore ST1005 viper's wording: the same message whichever parser a tool uses
		return nil, fmt.Errorf("While parsing config: %w", err)
	}
	lowerKeys(m)
	return &fileSettings{m: m}, nil
}

// ConfigParser adapts a parser that returns its own settings type
// (lib/cli/viperconf.Parse: *viper.Viper) to Tool.ParseConfig.
func ConfigParser[S Settings](parse func(path, typ string, data []byte) (S, error)) func(path, typ string, data []byte) (Settings, error) {
	return func(path, typ string, data []byte) (Settings, error) {
		s, err := parse(path, typ, data)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
}

// lowerKeys lower-cases the keys of m and of the maps in it, as viper does.
func lowerKeys(m map[string]any) {
	for k, v := range m {
		v = lowerVal(v)
		if l := strings.ToLower(k); l != k {
			delete(m, k)
			k = l
		}
		m[k] = v
	}
}

func lowerVal(v any) any {
	switch x := v.(type) {
	case map[string]any:
		lowerKeys(x)
	case map[any]any: // YAML maps with non-string keys
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = e
		}
		lowerKeys(m)
		return m
	case []any:
		for i := range x {
			x[i] = lowerVal(x[i])
		}
	}
	return v
}

type fileSettings struct{ m map[string]any }

func (s *fileSettings) AllSettings() map[string]any {
	out := make(map[string]any, len(s.m))
	for k, v := range s.m {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func (s *fileSettings) InConfig(key string) bool { return s.m[strings.ToLower(key)] != nil }
func (s *fileSettings) Get(key string) any       { return s.m[strings.ToLower(key)] }
