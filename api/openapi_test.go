package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leadbot/leadbot/docs"
)

// mountedRoutes are the "METHOD /path" patterns that (*Server).routes
// mounts, the catch-all for unknown /api/v1 paths aside. The tests below
// hold this table to both api.go and docs/openapi.yaml.
var mountedRoutes = []string{
	"GET /healthz",
	"GET /readyz",
	"GET /api/v1/openapi.yaml",
	"PUT /api/v1/reps/{rep_id}",
	"GET /api/v1/reps",
	"POST /api/v1/history",
	"POST /api/v1/leads",
	"GET /api/v1/leads",
	"GET /api/v1/leads/{id}",
	"POST /api/v1/leads/{id}/claim",
	"POST /api/v1/leads/{id}/outcome",
	"POST /api/v1/leads/{id}/extend",
	"POST /api/v1/leads/{id}/reassign",
	"POST /api/v1/leads/{id}/return",
	"GET /api/v1/leads/{id}/history",
	"GET /api/v1/leads/{id}/decision",
	"GET /api/v1/disputes",
	"GET /api/v1/experiments/report",
	"PUT /api/v1/leads/{id}/target",
	"GET /api/v1/leads/{id}/milestones",
	"POST /api/v1/leads/{id}/milestones/{kind}/done",
	"GET /api/v1/metrics/health",
	"GET /api/v1/export/tasks.csv",
	"GET /api/v1/export/decisions.csv",
	"GET /api/v1/export/metrics.csv",
	"POST /api/v1/targets",
	"GET /api/v1/targets",
	"GET /api/v1/targets/history",
}

// operationKeys are the keys of an OpenAPI path item that name operations.
var operationKeys = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatalf("parse docs/openapi.yaml: %v", err)
	}
	return doc
}

// documentedRoutes lists the "METHOD /path" pairs of the document.
func documentedRoutes(t *testing.T, doc map[string]any) []string {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatalf("paths is %T, want a mapping", doc["paths"])
	}
	var out []string
	for path, item := range paths {
		ops, ok := item.(map[string]any)
		if !ok {
			t.Errorf("path %s is %T, want a mapping", path, item)
			continue
		}
		for key := range ops {
			if operationKeys[key] {
				out = append(out, strings.ToUpper(key)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestOpenAPIVersion(t *testing.T) {
	doc := loadOpenAPI(t)
	if got, want := doc["openapi"], "3.0.3"; got != want {
		t.Errorf("openapi = %v, want %q", got, want)
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	documented := documentedRoutes(t, loadOpenAPI(t))
	for _, r := range mountedRoutes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %q is mounted but not in docs/openapi.yaml", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(mountedRoutes, r) {
			t.Errorf("docs/openapi.yaml documents %q, which the server does not mount", r)
		}
	}
}

// TestOpenAPIRouteTableMatchesMux asks the server's own mux which
// pattern each table entry reaches, so the table cannot name a route
// that is not mounted. Handlers are not called: the server has no
// service.
func TestOpenAPIRouteTableMatchesMux(t *testing.T) {
	s := New(Options{Token: "t"})
	for _, route := range mountedRoutes {
		method, path, _ := strings.Cut(route, " ")
		concrete := strings.NewReplacer("{id}", "L1", "{rep_id}", "r1", "{kind}", "demo").Replace(path)
		req := httptest.NewRequest(method, concrete, nil)
		if _, got := s.mux.Handler(req); got != route {
			t.Errorf("%s %s reaches pattern %q, want %q", method, concrete, got, route)
		}
	}
}

// TestOpenAPIRouteTableMatchesSource reads the patterns that routes
// registers in api.go, so a route added there must be added to the
// table, and so to the document.
func TestOpenAPIRouteTableMatchesSource(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "api.go", nil, 0)
	if err != nil {
		t.Fatalf("parse api.go: %v", err)
	}
	var routes *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "routes" && fd.Recv != nil {
			routes = fd
		}
	}
	if routes == nil {
		t.Fatal("api.go has no (*Server).routes")
	}
	var registered []string
	ast.Inspect(routes.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			if fn.Name != "v1" {
				return true
			}
		case *ast.SelectorExpr:
			if fn.Sel.Name != "HandleFunc" && fn.Sel.Name != "Handle" {
				return true
			}
		default:
			return true
		}
		if _, ok := call.Args[0].(*ast.Ident); ok {
			return true // the v1 helper passing its own pattern on
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Errorf("%s: route pattern is not a string literal", fset.Position(call.Pos()))
			return true
		}
		pattern, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Errorf("%s: %v", fset.Position(call.Pos()), err)
			return true
		}
		// A pattern without a method is the catch-all that answers 404.
		if method, _, ok := strings.Cut(pattern, " "); ok && isHTTPMethod(method) {
			registered = append(registered, pattern)
		}
		return true
	})
	slices.Sort(registered)
	want := slices.Sorted(slices.Values(mountedRoutes))
	if !slices.Equal(registered, want) {
		t.Errorf("routes in api.go:\n got %q\nwant %q (the table in openapi_test.go)", registered, want)
	}
}

func isHTTPMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// TestOpenAPIRefsResolve checks that every $ref names a component the
// document defines.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	components, _ := doc["components"].(map[string]any)
	var refs []string
	collectRefs(doc, &refs)
	if len(refs) == 0 {
		t.Fatal("the document has no $ref at all; is it the right file?")
	}
	for _, ref := range refs {
		rest, ok := strings.CutPrefix(ref, "#/components/")
		if !ok {
			t.Errorf("$ref %q does not point into #/components/", ref)
			continue
		}
		kind, name, ok := strings.Cut(rest, "/")
		if !ok || strings.Contains(name, "/") {
			t.Errorf("$ref %q, want #/components/<kind>/<name>", ref)
			continue
		}
		defs, _ := components[kind].(map[string]any)
		if _, ok := defs[name]; !ok {
			t.Errorf("$ref %q: components.%s has no %q", ref, kind, name)
		}
	}
}

func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
				continue
			}
			collectRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, refs)
		}
	}
}

// TestOpenAPIPathParameters checks that each {param} of a documented
// path is declared as a path parameter of its operations.
func TestOpenAPIPathParameters(t *testing.T) {
	doc := loadOpenAPI(t)
	components, _ := doc["components"].(map[string]any)
	shared, _ := components["parameters"].(map[string]any)
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		var want []string
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				want = append(want, strings.Trim(seg, "{}"))
			}
		}
		ops, _ := item.(map[string]any)
		for key, op := range ops {
			if !operationKeys[key] {
				continue
			}
			opMap, _ := op.(map[string]any)
			params, _ := opMap["parameters"].([]any)
			var got []string
			for _, p := range params {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm, _ = shared[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
				}
				if pm["in"] == "path" {
					got = append(got, pm["name"].(string))
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: path parameters %q, want %q", strings.ToUpper(key), path, got, want)
			}
		}
	}
}
