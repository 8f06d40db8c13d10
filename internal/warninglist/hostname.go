package warninglist

import "strings"

// hostnameIndex maps listed domains (lower-case, without leading or
// trailing dots, as MISP keys them) to the hostname lists holding them.
type hostnameIndex struct {
	domains map[string]listRefs
	maxLen  int // longest key: longer suffixes cannot match
}

type hostnameBuilder struct{ ix hostnameIndex }

func newHostnameBuilder(size int) *hostnameBuilder {
	return &hostnameBuilder{ix: hostnameIndex{domains: make(map[string]listRefs, size)}}
}

func (b *hostnameBuilder) add(entry string, list int32) {
	key := strings.ToLower(strings.Trim(entry, "."))
	if key == "" {
		return
	}
	addRef(b.ix.domains, key, list)
	b.ix.maxLen = max(b.ix.maxLen, len(key))
}

func (b *hostnameBuilder) build() hostnameIndex { return b.ix }

// match checks the host of v and each of its parent domains, shortest
// first as MISP does, so each list reports the shortest suffix it holds.
func (h hostnameIndex) match(st *matchState, mask listSet, v string) {
	host := strings.ToLower(strings.TrimRight(hostOf(v), "."))
	if host == "" {
		return
	}
	end := len(host)
	for {
		dot := strings.LastIndexByte(host[:end], '.')
		suffix := host[dot+1:]
		if len(suffix) > h.maxLen {
			return
		}
		if r, ok := h.domains[suffix]; ok {
			r.addTo(st, mask, suffix)
		}
		if dot < 0 {
			return
		}
		end = dot
	}
}

// hostOf reduces a value to a host name the way MISP does: a value
// containing "//" is split at every "/" and its third field is the host
// ("https://www.example.com/a" → "www.example.com"); any other value is cut
// at its first "/". Ports and user info are not removed.
func hostOf(v string) string {
	if !strings.Contains(v, "//") {
		host, _, _ := strings.Cut(v, "/")
		return host
	}
	for range 2 {
		_, rest, found := strings.Cut(v, "/")
		if !found {
			return ""
		}
		v = rest
	}
	host, _, _ := strings.Cut(v, "/")
	return host
}
