package freetext

import (
	"net/netip"
	"strconv"
	"strings"
)

// MISP offers the pseudo-types "ip-src/ip-dst" and "ip-src|port/ip-dst|port"
// to create the address twice, once with each type.
var (
	ipTypes     = []string{"ip-dst", "ip-src", "ip-src/ip-dst"}
	ipPortTypes = []string{"ip-dst|port", "ip-src|port", "ip-src|port/ip-dst|port"}
)

// isIP reports whether s is an IPv4 or IPv6 address as PHP's
// FILTER_VALIDATE_IP accepts it: no zone, no brackets, no prefix, and no
// leading zeros in IPv4 octets. Unlike MISP we leave out the unspecified
// addresses 0.0.0.0 and "::": the second is a token of program code, and
// neither is an indicator.
func isIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == "" && !a.IsUnspecified()
}

// splitPort splits a trailing ":<1–5 digits>" off s. MISP wants 2–5
// digits; we also take the one-digit ports.
func splitPort(s string) (host, port string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || len(s)-i-1 > 5 || !isDigits(s[i+1:]) {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// validPort reports whether p, a run of digits, is a port number.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// resolveIP recognises, in refanged text r whose port split gives host and
// port, an address with a port ("1.2.3.4:80", "[2001:db8::1]:443"), an
// address, or a CIDR block.
func resolveIP(r, host, port string, hasPort bool) (hit, bool) {
	if hasPort {
		addr := host
		// Brackets may wrap an IPv4 address too (MISP wants IPv6).
		// Like MISP we take "ipv6:port" without brackets when the
		// whole is no address.
		if len(addr) > 2 && addr[0] == '[' && addr[len(addr)-1] == ']' {
			addr = addr[1 : len(addr)-1]
		}
		// "2001:db8:::1" is a typo, not 2001:db8:: and port 1.
		if isIP(addr) && !strings.Contains(r, ":::") {
			return hit{types: ipPortTypes, value: addr + "|" + port, comment: "On port " + port}, true
		}
	}
	if isIP(r) {
		return hit{types: ipTypes, value: r}, true
	}
	if isCIDR(host) {
		return hit{types: ipTypes, value: host}, true
	}
	return hit{}, false
}

// isCIDRShaped reports whether s is an address, '/' and digits: a CIDR
// block if isCIDR agrees, otherwise nothing (not a URL).
func isCIDRShaped(s string) bool {
	addr, bits, ok := strings.Cut(s, "/")
	return ok && isDigits(bits) && isIP(addr)
}

// isCIDR reports whether s is an address, '/', and a prefix length in
// range. MISP accepts any numeric suffix ("1.2.3.4/99", "1.2.3.4/1e1"),
// which the attribute validation then rejects.
func isCIDR(s string) bool {
	addr, bits, ok := strings.Cut(s, "/")
	if !ok || !isDigits(bits) || len(bits) > 3 || !isIP(addr) {
		return false
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
