package assets

import _ "embed"

// CJKFont is the TrueType font label sheets are set in (fonts/README.md: Droid Sans Fallback,
// Apache 2.0). It is compiled into the binary so no font is read from the host at run time.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var CJKFont []byte
