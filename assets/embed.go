// Package assets embeds the files the binary serves: page templates and static files. Nothing
// is fetched from the internet at run time.
package assets

import "embed"

// FS holds templates/ and static/.
//
//go:embed static templates
var FS embed.FS
