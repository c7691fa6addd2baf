// Package viperconf reads a config file with viper, for the tools whose
// lib/cli root takes every format viper knows (YAML, JSON, TOML, dotenv):
// cli.Tool{ParseConfig: viperconf.Parse}. It is kept out of lib/cli so that
// a tool that does not use it (runwrap) does not link viper, whose package
// initialisers cost every run about 1 ms. It is not a public API.
package viperconf

import (
	"bytes"

	"github.com/spf13/viper"
)

// Settings is lib/cli's Settings (the same interface literal).
type Settings = interface {
	AllSettings() map[string]any
	InConfig(key string) bool
	Get(key string) any
	ConfigFileUsed() string
}

// Parse reads data, the config file path of type typ ("yaml", "json",
// "toml", ...), into one viper.New().
func Parse(path, typ string, data []byte) (Settings, error) {
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType(typ)
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return v, nil
}
