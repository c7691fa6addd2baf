package stats

import (
	"context"
	"net/http/httptrace"
	"sync"

	"github.com/cronkit/cronkit/lib/httpx"
)

// sentTracker follows a request's attempts through httptrace to tell whether
// any attempt could have reached the server's handler: an attempt "may have
// been processed" once its headers were written and until a response began.
// httpx reports a deadline hit during a backoff pause as a plain deadline
// error, which alone cannot tell "every attempt was refused" (nothing sent:
// a count may be re-sent) from "the last attempt stalled after sending"
// (ambiguous).
type sentTracker struct {
	mu       sync.Mutex
	inflight bool // the current attempt wrote its headers and has no response yet
	maybe    bool // an earlier attempt ended while in flight
}

func (s *sentTracker) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) {
			// a new attempt: the previous one ended
			s.mu.Lock()
			s.maybe = s.maybe || s.inflight
			s.inflight = false
			s.mu.Unlock()
		},
		WroteHeaders: func() {
			s.mu.Lock()
			s.inflight = true
			s.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			s.mu.Lock()
			s.inflight = false
			s.mu.Unlock()
		},
	}
}

// mayHaveArrived reports whether some attempt ended after sending and before
// an answer began.
func (s *sentTracker) mayHaveArrived() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maybe || s.inflight
}

// doHTTP sends r and classifies a failure (see classifyHTTP). A transport
// error with no status, where no attempt was ever in flight, is a clear
// failure: a 429/408/503 or refused connection followed by a deadline hit
// during the pause before the next attempt. A 5xx answer keeps its own
// classification, since the server may have acted before answering.
func doHTTP(ctx context.Context, c *httpx.Client, r httpx.Request) (*httpx.Response, error) {
	var tr sentTracker
	resp, err := c.Do(httptrace.WithClientTrace(ctx, tr.trace()), r)
	if err == nil {
		return resp, nil
	}
	se := classifyHTTP(nil, err)
	if se.Ambiguous && httpx.StatusOf(err) == 0 && !tr.mayHaveArrived() {
		se.Ambiguous = false
	}
	return resp, se
}
