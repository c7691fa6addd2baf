package main

import (
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/stats"
)

func (o *postOptions) buildOtherSink(spec stats.Spec) (stats.Sink, error) {
	return nil, cli.Usagef("--sink %s: not built yet", spec.Kind)
}

func (o *postOptions) promSource() (source, error) {
	return nil, cli.Usagef("--from prometheus: not built yet")
}
