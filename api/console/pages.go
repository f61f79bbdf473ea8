package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"time"

	"gimark/assets"
	"gimark/internal/decimal"
	"gimark/model"
)

// cst is the time zone every page shows (China Standard Time).
var cst = time.FixedZone("CST", 8*3600)

var funcs = template.FuncMap{
	"statusName": func(s any) string {
		v := toString(s)
		return or(statusNames[model.FilingStatus(v)], v)
	},
	"actionName": func(a any) string {
		v := toString(a)
		return or(actionNames[model.Action(v)], v)
	},
	"filingKindName":  func(k model.FilingKind) string { return or(filingKindNames[k], string(k)) },
	"docKindName":     func(k model.DocumentKind) string { return or(docKindNames[k], string(k)) },
	"productKindName": func(k model.ProductKind) string { return or(productKindNames[k], string(k)) },
	"roleName":        func(r any) string { v := toString(r); return or(roleNames[model.Role(v)], v) },
	"ruleName":        func(k string) string { return or(ruleNames[k], k) },
	"stateName":       func(k string) string { return or(signalStateNames[k], k) },
	"resolutionName":  func(k string) string { return or(resolutionNames[k], k) },
	"signalAction":    func(k string) string { return or(signalActionNames[k], k) },
	"subject":         subject,
	"eventName": func(a string) string {
		a = strings.TrimPrefix(a, "filing.")
		if n, ok := actionNames[model.Action(a)]; ok {
			return n
		}
		return or(eventNames[a], a)
	},
	"kg": decimal.FormatGrams,
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"ptime": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return decimal.Format(n*100>>20, 2) + " MB"
		case n >= 1<<10:
			return decimal.Format(n*10>>10, 1) + " KB"
		}
		return decimal.Format(n, 0) + " B"
	},
	"statuses":     func() []model.FilingStatus { return model.AllStatuses },
	"docKinds":     func() []model.DocumentKind { return docKinds },
	"productKinds": func() []model.ProductKind { return productKinds },
	"str":          func(v any) string { return toString(v) },
	"platformName": func(k string) string { return or(platformNames[k], k) },
	"countryName":  countryName,
	"period":       func(p int) string { return fmt.Sprintf("%04d-%02d", p/100, p%100) },
	"yuan":         decimal.FormatFen,
	"channelName":  func(c string) string { return or(channelNames[c], c) },
	"channels":     func() []string { return []string{model.ChannelOnline, model.ChannelExport, model.ChannelOffline} },
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case model.FilingStatus:
		return string(x)
	case model.ProductKind:
		return string(x)
	case model.DocumentKind:
		return string(x)
	case model.FilingKind:
		return string(x)
	case model.Action:
		return string(x)
	case model.Role:
		return string(x)
	case int64:
		return decimal.Format(x, 0)
	case int:
		return decimal.Format(int64(x), 0)
	}
	return ""
}

// loadPages parses each page with the shared layout (templates/console/layout.html), so each
// page defines its own "content" block.
func loadPages() map[string]*template.Template {
	names, err := fs.Glob(assets.FS, "templates/console/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		if base == "layout.html" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(assets.FS, "templates/console/layout.html", n))
	}
	return pages
}
