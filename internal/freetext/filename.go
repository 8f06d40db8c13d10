package freetext

import "strings"

var (
	filenameTypes = []string{"filename"}
	regkeyTypes   = []string{"regkey"}
)

// isFilename is MISP's file name test (__resolveFilename): a dot after the
// first character, or a drive letter, and an extension of ASCII letters and
// digits that is not a number. So "report.pdf" and "C:\x.exe" are file
// names and "1.2.3.4.5" is not. Unlike MISP we reject abbreviations made
// of single letters ("e.g", "i.e", "U.S.A"), which prose is full of.
func isFilename(s string) bool {
	if strings.IndexByte(s, '.') <= 0 && !hasDrive(s) {
		return false
	}
	ext := s[strings.LastIndexByte(s, '.')+1:]
	if ext == "" || isDigits(ext) {
		return false
	}
	for i := 0; i < len(ext); i++ {
		if !isAlnum(ext[i]) {
			return false
		}
	}
	return !isAbbreviation(s)
}

// hasDrive reports whether s starts with a character and a colon, as
// "C:" does (MISP's /^.:/).
func hasDrive(s string) bool {
	return len(s) >= 2 && s[1] == ':'
}

// isAbbreviation reports whether s is single letters joined by dots.
func isAbbreviation(s string) bool {
	for part := range strings.SplitSeq(s, ".") {
		if len(part) != 1 || !isLetter(part[0]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// resolveBackslash recognises Windows paths and registry keys in raw text
// with a backslash. As in MISP, a path whose last part holds a dot, or one
// starting with a drive, is a file name if that last part is one. The
// rest is a registry key in MISP whenever it does not start with a
// backslash, which makes "DOMAIN\user" a key; we want a hive ("HKLM",
// "HKEY_CURRENT_USER:", …) or at least three parts
// ("Software\Microsoft\Windows").
func resolveBackslash(raw string) (hit, bool) {
	first := raw[:strings.IndexByte(raw, '\\')]
	last := raw[strings.LastIndexByte(raw, '\\')+1:]
	if strings.Contains(last, ".") || hasDrive(first) {
		if isFilename(last) {
			return hit{types: filenameTypes, value: raw}, true
		}
		return hit{}, false
	}
	if first == "" {
		return hit{}, false
	}
	if isHive(first) || countParts(raw) >= 3 {
		return hit{types: regkeyTypes, value: raw}, true
	}
	return hit{}, false
}

// hives are the registry roots, short and long, lower case.
var hives = []string{
	"hklm", "hkcu", "hkcr", "hku", "hkcc",
	"hkey_local_machine", "hkey_current_user", "hkey_classes_root",
	"hkey_users", "hkey_current_config", "hkey_performance_data",
}

// isHive reports whether s names a registry root, with or without the
// PowerShell drive colon.
func isHive(s string) bool {
	s = strings.TrimSuffix(s, ":")
	for _, h := range hives {
		if strings.EqualFold(s, h) {
			return true
		}
	}
	return false
}

// countParts counts the non-empty parts between backslashes.
func countParts(s string) int {
	n := 0
	for part := range strings.SplitSeq(s, `\`) {
		if part != "" {
			n++
		}
	}
	return n
}
