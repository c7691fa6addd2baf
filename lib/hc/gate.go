package hc

// Failing names the checks that fail a status gate: down, or in grace
// too when grace is set (hcctl status --fail-on).
func Failing(checks []Check, grace bool) []string {
	var out []string
	for _, c := range checks {
		if c.Status == "down" || (grace && c.Status == "grace") {
			out = append(out, c.Name)
		}
	}
	return out
}
