package signal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
)

// Networker names a client's network — the /24 of an IPv4 address, the /48 of an IPv6 one —
// by a keyed hash, so rules can count places without keeping addresses (DESIGN.md "Scan":
// only a salted hash of the client address is stored).
type Networker struct{ key []byte }

// NewNetworker returns a Networker keyed by key (the scan key).
func NewNetworker(key []byte) *Networker {
	return &Networker{key: append([]byte("gimark network\x00"), key...)}
}

// Of returns the network's hash, 32 hex characters; an unreadable address is its own network.
func (n *Networker) Of(client string) string {
	m := hmac.New(sha256.New, n.key)
	if a, err := netip.ParseAddr(client); err == nil {
		a = a.Unmap()
		bits := 48
		if a.Is4() {
			bits = 24
		}
		p, _ := a.Prefix(bits)
		m.Write([]byte(p.String()))
	} else {
		m.Write([]byte("raw:" + client))
	}
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Prefix returns the client's network as text ("203.0.113.0/24"), for the in-memory set of
// networks whose verification limit is tightened; "" for an unreadable address.
func Prefix(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p.String()
}

// Pair returns the network's keyed hash and its prefix, for the scan recorder.
func (n *Networker) Pair(client string) (hash, prefix string) { return n.Of(client), Prefix(client) }
