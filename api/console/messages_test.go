package console

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gimark/model"
)

// TestEveryCodeHasChineseWords reads the whole tree's Go source (tests aside) for every
// machine code a refusal can carry: the Kind and field-code constants of package model, the
// codes written where errors are made (Error{Code: "…"}, CodeError(k, "…", …),
// model.Code("…"), Fields.Add and Invalid with a literal code). Each needs its words in
// messages. A field error made without a code fails too.
func TestEveryCodeHasChineseWords(t *testing.T) {
	codes, missingCode := sourceCodes(t, "../..")
	for _, want := range []string{"required", "too_long", "login_locked", "invalid_transition", "validation_failed", "not_found", "duplicate_record"} {
		if _, ok := codes[want]; !ok {
			t.Fatalf("the source scan did not find code %q (found %d codes): the scan is broken", want, len(codes))
		}
	}
	var names []string
	for c := range codes {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		if !codeShape.MatchString(c) {
			t.Errorf("%q (%s) is not a code (lower case, digits and _): a message passed where the code goes?", c, codes[c])
		}
		if _, ok := messages[model.Code(c)]; !ok {
			t.Errorf("code %q (%s) has no Chinese words in messages", c, codes[c])
		}
	}
	for _, where := range missingCode {
		t.Errorf("%s: a field error without a Code", where)
	}
}

var codeShape = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// sourceCodes returns every code found under root, with where it was first seen, and the
// places that make a field error without a code.
func sourceCodes(t *testing.T, root string) (map[string]string, []string) {
	t.Helper()
	codes := map[string]string{}
	var missing []string
	fset := token.NewFileSet()
	add := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			if err == nil {
				if _, seen := codes[s]; !seen {
					codes[s] = fset.Position(lit.Pos()).String()
				}
			}
		}
	}
	typeName := func(e ast.Expr) string {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.SelectorExpr:
			return x.Sel.Name
		}
		return ""
	}
	checkFieldError := func(cl *ast.CompositeLit) {
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok && typeName(kv.Key) == "Code" {
				add(kv.Value)
				return
			}
		}
		missing = append(missing, fset.Position(cl.Pos()).String())
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "vendor" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.ValueSpec: // const FieldX Code = "…", const KindX Kind = "…"
				if x.Type != nil && f.Name.Name == "model" && (typeName(x.Type) == "Code" || typeName(x.Type) == "Kind") {
					for _, v := range x.Values {
						add(v)
					}
				}
			case *ast.CompositeLit:
				switch typeName(x.Type) {
				case "Error":
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && typeName(kv.Key) == "Code" {
							add(kv.Value)
						}
					}
				case "FieldError":
					checkFieldError(x)
				}
				if at, ok := x.Type.(*ast.ArrayType); ok && typeName(at.Elt) == "FieldError" || typeName(x.Type) == "Fields" {
					for _, el := range x.Elts {
						if cl, ok := el.(*ast.CompositeLit); ok && cl.Type == nil {
							checkFieldError(cl)
						}
					}
				}
			case *ast.CallExpr:
				switch typeName(x.Fun) {
				case "CodeError", "Invalid":
					if len(x.Args) >= 2 {
						add(x.Args[1])
					}
				case "Add":
					if len(x.Args) >= 3 {
						add(x.Args[1])
					}
				case "Code": // model.Code("…")
					if len(x.Args) == 1 {
						add(x.Args[0])
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes, missing
}
