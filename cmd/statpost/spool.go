package main

import "github.com/spf13/cobra"

func newSpoolCmd(po *postOptions) *cobra.Command { return &cobra.Command{Use: "spool", Hidden: true} }
