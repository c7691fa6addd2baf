// Package viperconf reads a config file with viper, for the tools whose
// lib/cli root takes every format viper knows (YAML, JSON, TOML, dotenv):
// cli.Tool{ParseConfig: cli.ConfigParser(viperconf.Parse)}. It is kept out
// of lib/cli so that a tool that does not use it (runwrap) does not link
// viper, whose package initialisers cost every run of it 0.3M instructions
// (docs/benchmarks.md, runwrap). It is not a public API.
package viperconf

import (
	"bytes"

	"github.com/spf13/viper"
)

// Parse reads data, the config file path of type typ ("yaml", "json",
// "toml", ...), into one viper.New().
func Parse(path, typ string, data []byte) (*viper.Viper, error) {
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType(typ)
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return v, nil
}
