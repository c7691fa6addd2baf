package main

import "github.com/spf13/cobra"

func newTimeCmd(po *postOptions) *cobra.Command { return &cobra.Command{Use: "time", Hidden: true} }
