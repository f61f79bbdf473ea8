package filing

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanFilename keeps only the last element of a client's file name, without control
// characters or path separators, at most 200 characters. It is a label for downloads: files
// are stored under their hash, so a name like "../../etc/passwd" can never reach the disk.
func CleanFilename(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '/' || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.Trim(name, "."))
	if name == "/" || name == "" {
		return ""
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}
