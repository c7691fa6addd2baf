//go:build !mangen

package cli

import "github.com/spf13/cobra"

// newManCmd: the shipped binaries have no __man command (see man_on.go).
func newManCmd(*cobra.Command) *cobra.Command { return nil }
