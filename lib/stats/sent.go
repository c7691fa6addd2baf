package stats

import (
	"context"

	"github.com/cronkit/cronkit/lib/httpx"
)

// doHTTP sends r and classifies a failure (see classifyHTTP). Whether a
// failure without a status could have reached the server (a deadline hit in
// the pause after refused or 429 attempts is a clear failure; a stall after
// sending is ambiguous) is httpx's call: httpx.NeverSent.
func doHTTP(ctx context.Context, c *httpx.Client, r httpx.Request) (*httpx.Response, error) {
	resp, err := c.Do(ctx, r)
	if err == nil {
		return resp, nil
	}
	return resp, classifyHTTP(nil, err)
}
