package api

import (
	_ "embed"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// OpenAPISpec is the contract, api/openapi.yaml, as built into the binary.
//
//go:embed openapi.yaml
var OpenAPISpec []byte

// LoadSpec parses the embedded contract.
func LoadSpec() (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromData(OpenAPISpec)
}

func (a *app) openapiYAML(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", OpenAPISpec)
}

type docOp struct {
	Method, Path, Summary, Auth string
	Params                      []string
	Body                        string
	Responses                   []string
}

type docTag struct {
	Name string
	Ops  []docOp
}

var (
	docsOnce sync.Once
	docsPage []byte
	docsErr  error
)

// docs renders a readable reference of the contract on the server: no script, nothing
// fetched from elsewhere.
func (a *app) docs(c *gin.Context) {
	docsOnce.Do(func() { docsPage, docsErr = renderDocs() })
	if docsErr != nil {
		a.writeError(c, docsErr)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", docsPage)
}

func schemaName(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	if ref.Ref != "" {
		return ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
	}
	if ref.Value != nil && ref.Value.Type != nil {
		return strings.Join(ref.Value.Type.Slice(), "|")
	}
	return "object"
}

func renderDocs() ([]byte, error) {
	spec, err := LoadSpec()
	if err != nil {
		return nil, err
	}
	byTag := map[string]*docTag{}
	var tags []*docTag
	paths := spec.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := spec.Paths.Value(p)
		for method, op := range item.Operations() {
			d := docOp{Method: method, Path: p, Summary: op.Summary, Auth: "bearer token"}
			if op.Security != nil && len(*op.Security) == 0 {
				d.Auth = "public"
			}
			for _, prm := range append(item.Parameters, op.Parameters...) {
				if prm.Value != nil {
					d.Params = append(d.Params, prm.Value.In+" "+prm.Value.Name)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					d.Body = ct + " " + schemaName(mt.Schema)
				}
			}
			for code := range op.Responses.Map() {
				d.Responses = append(d.Responses, code)
			}
			sort.Strings(d.Responses)
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if byTag[tag] == nil {
				byTag[tag] = &docTag{Name: tag}
				tags = append(tags, byTag[tag])
			}
			byTag[tag].Ops = append(byTag[tag].Ops, d)
		}
	}
	for _, t := range tags {
		sort.Slice(t.Ops, func(i, j int) bool {
			if t.Ops[i].Path != t.Ops[j].Path {
				return t.Ops[i].Path < t.Ops[j].Path
			}
			return t.Ops[i].Method < t.Ops[j].Method
		})
	}
	var b strings.Builder
	err = docsTemplate.Execute(&b, map[string]any{"Title": spec.Info.Title, "Version": spec.Info.Version, "Summary": spec.Info.Summary, "Tags": tags})
	return []byte(b.String()), err
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} API {{.Version}}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2rem}.op{margin:.8rem 0;padding:.5rem .8rem;border-left:4px solid #2a6}
.m{font-weight:700;text-transform:uppercase;display:inline-block;min-width:4.5rem}code{background:#f4f4f4;padding:0 .2rem}
.meta{color:#555;font-size:13px}</style></head><body>
<h1>{{.Title}} API <small>{{.Version}}</small></h1><p>{{.Summary}}</p>
<p>The machine-readable contract is <a href="/openapi.yaml">/openapi.yaml</a> (OpenAPI 3.1). Errors are
<code>application/problem+json</code> with a machine-readable <code>code</code>.</p>
{{range .Tags}}<h2>{{.Name}}</h2>{{range .Ops}}<div class="op"><span class="m">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}
<div class="meta">auth: {{.Auth}}{{if .Params}} · parameters: {{range $i, $p := .Params}}{{if $i}}, {{end}}<code>{{$p}}</code>{{end}}{{end}}{{if .Body}} · body: <code>{{.Body}}</code>{{end}} · answers: {{range $i, $r := .Responses}}{{if $i}} {{end}}{{$r}}{{end}}</div></div>{{end}}{{end}}
</body></html>`))
