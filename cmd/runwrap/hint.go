package main

import (
	"errors"
	"fmt"

	"github.com/cronkit/cronkit/lib/hc"
)

// setupHint words lib/hc's setup errors in runwrap's flags and variables.
func (o *wrapOptions) setupHint(err error) error {
	var se *hc.SlugError
	var ue *hc.URLError
	switch {
	case errors.Is(err, hc.ErrNoCheck):
		return errors.New("no check: give --uuid, --ping-key with --slug, or --ping-url (or CHECK_UUID, CHECK_SLUG with PING_KEY)")
	case errors.Is(err, hc.ErrSlugNeedsKey):
		return errors.New("--slug needs a project ping key (--ping-key or $PING_KEY)")
	case errors.Is(err, hc.ErrKeyNeedsSlug):
		return errors.New("--ping-key needs a --slug (or give --uuid)")
	case errors.Is(err, hc.ErrCreateNeedsSlug):
		return errors.New("--create works with --ping-key and --slug, not --uuid")
	case errors.As(err, &se):
		return fmt.Errorf("--slug (or CHECK_SLUG): %w", err)
	case errors.As(err, &ue) && o.app.PingURL != "":
		return fmt.Errorf("--ping-url: %w", err)
	case errors.As(err, &ue):
		return fmt.Errorf("--api-url (or HC_API_URL): %w: give the Healthchecks site root or its ping endpoint", err)
	}
	return err
}

// pingHint words the ping errors that fail every ping of a run alike (lib/wrap
// says them once a run) in runwrap's flags and variables.
func (o *wrapOptions) pingHint(err error) (hint string, reason error) {
	switch {
	case errors.Is(err, hc.ErrNotPingEndpoint):
		reason, hint = hc.ErrNotPingEndpoint, "set --api-url or HC_API_URL to the Healthchecks site root or its /ping endpoint"
	case errors.Is(err, hc.ErrCheckNotFound):
		reason, hint = hc.ErrCheckNotFound, "check --uuid (or --slug and the ping key), and that --api-url or HC_API_URL names the server that has it"
	default:
		return "", nil
	}
	if o.app.PingURL != "" {
		hint = "check --ping-url"
	}
	return hint, reason
}
