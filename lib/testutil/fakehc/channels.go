package fakehc

import "strings"

// AddChannel adds an integration to the project: the channels list shows it
// and a check's channels may name it by UUID or by name.
func (f *Fake) AddChannel(ch Channel) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.Channels = append(f.opts.Channels, ch)
}

// lookupChannel is the server's views._lookup: an identifier shaped like a
// UUID matches an integration's UUID (in any case), any other its exact name.
// The caller holds f.mu.
func (f *Fake) lookupChannel(id string) []string {
	var ids []string
	byUUID := ridRe.MatchString(id)
	for _, ch := range f.opts.Channels {
		if byUUID && strings.EqualFold(ch.ID, id) || !byUUID && ch.Name == id {
			ids = append(ids, ch.ID)
		}
	}
	return ids
}
