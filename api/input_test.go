package api_test

import (
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

// Every bad request gets a clear 4xx naming what is wrong, and stores
// nothing.
func TestBadInput(t *testing.T) {
	big := strings.Repeat("长", 1<<20)
	huge := strings.Repeat("x", 10<<20)
	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		status      int
		code, field string
	}{
		{"malformed lead", "POST", "/api/v1/leads", `{"external_id": "x",`, 400, "malformed_json", ""},
		{"empty body", "POST", "/api/v1/leads", ``, 400, "malformed_json", ""},
		{"trailing garbage", "POST", "/api/v1/leads", `{"external_id":"x","company":"c"} {}`, 400, "malformed_json", ""},
		{"amount as text", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","expected_amount":"much"}`,
			400, "invalid_type", "expected_amount"},
		{"size as fraction", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","company_size":1.5}`,
			400, "invalid_type", "company_size"},
		{"contact as text", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","contact":{"name":7}}`,
			400, "invalid_type", "contact.name"},
		{"missing external id", "POST", "/api/v1/leads", `{"company":"c"}`, 422, "missing_field", "external_id"},
		{"missing company", "POST", "/api/v1/leads", `{"external_id":"x"}`, 422, "missing_field", "company"},
		{"blank company", "POST", "/api/v1/leads", `{"external_id":"x","company":"  "}`, 422, "missing_field", "company"},
		{"unknown customer type", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","customer_type":"vip"}`,
			422, "invalid_value", "customer_type"},
		{"probability over 1", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","close_probability":1.5}`,
			422, "out_of_range", "close_probability"},
		{"negative amount", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","expected_amount":-5}`,
			422, "out_of_range", "expected_amount"},
		{"due without offset", "POST", "/api/v1/leads", `{"external_id":"x","company":"c","due_at":"2026-12-05 18:00"}`,
			422, "invalid_time", "due_at"},
		{"1 MB company", "POST", "/api/v1/leads", `{"external_id":"x","company":"` + big + `"}`, 422, "too_long", "company"},
		{"10 MB body", "POST", "/api/v1/leads", `{"external_id":"x","company":"` + huge + `"}`, 413, "body_too_large", ""},
		{"long company", "POST", "/api/v1/leads", `{"external_id":"x","company":"` + strings.Repeat("a", 300) + `"}`,
			422, "too_long", "company"},
		{"long external id", "POST", "/api/v1/leads", `{"external_id":"` + strings.Repeat("x", 200) + `","company":"c"}`,
			422, "too_long", "external_id"},
		{"invalid utf-8", "POST", "/api/v1/leads", "{\"external_id\":\"x\",\"company\":\"\xff\xfe\"}",
			400, "invalid_utf8", "company"},
		{"invalid utf-8 nested", "POST", "/api/v1/leads", "{\"external_id\":\"x\",\"company\":\"c\",\"contact\":{\"name\":\"\xc3\"}}",
			400, "invalid_utf8", "contact.name"},
		{"rep negative capacity", "PUT", "/api/v1/reps/r1", `{"name":"n","role":"rep","capacity":-1}`,
			422, "out_of_range", "capacity"},
		{"rep missing name", "PUT", "/api/v1/reps/r1", `{"role":"rep","capacity":1}`, 422, "missing_field", "name"},
		{"rep missing role", "PUT", "/api/v1/reps/r1", `{"name":"n","capacity":1}`, 422, "missing_field", "role"},
		{"rep missing capacity", "PUT", "/api/v1/reps/r1", `{"name":"n","role":"rep"}`, 422, "missing_field", "capacity"},
		{"rep unknown role", "PUT", "/api/v1/reps/r1", `{"name":"n","role":"boss","capacity":1}`, 422, "invalid_value", "role"},
		{"rep capacity as text", "PUT", "/api/v1/reps/r1", `{"name":"n","role":"rep","capacity":"8"}`,
			400, "invalid_type", "capacity"},
		{"rep active as text", "PUT", "/api/v1/reps/r1", `{"name":"n","role":"rep","capacity":1,"active":"yes"}`,
			400, "invalid_type", "active"},
		{"rep bad id", "PUT", "/api/v1/reps/a%20b", `{"name":"n","role":"rep","capacity":1}`, 422, "invalid_id", "rep_id"},
		{"rep bad timezone", "PUT", "/api/v1/reps/r1", `{"name":"n","role":"rep","capacity":1,"timezone":"Moon/Base"}`,
			422, "invalid_value", "timezone"},
		{"rep long name", "PUT", "/api/v1/reps/r1", `{"name":"` + strings.Repeat("名", 101) + `","role":"rep","capacity":1}`,
			422, "too_long", "name"},
		{"claim without rep", "POST", "/api/v1/leads/L1/claim", `{}`, 422, "missing_field", "rep_id"},
		{"claim rep as number", "POST", "/api/v1/leads/L1/claim", `{"rep_id": 2}`, 400, "invalid_type", "rep_id"},
		{"outcome unknown", "POST", "/api/v1/leads/L1/outcome", `{"outcome":"draw"}`, 422, "invalid_value", "outcome"},
		{"outcome missing", "POST", "/api/v1/leads/L1/outcome", `{"amount": 5}`, 422, "missing_field", "outcome"},
		{"list unknown status", "GET", "/api/v1/leads?status=open", ``, 422, "invalid_value", "status"},
		{"list bad limit", "GET", "/api/v1/leads?limit=5000", ``, 422, "out_of_range", "limit"},
		{"disputes unknown status", "GET", "/api/v1/disputes?status=maybe", ``, 422, "invalid_value", "status"},
	}
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		e.must(200, "PUT", "/api/v1/reps/keep", map[string]any{"name": "keep", "role": "rep", "capacity": 3})
		pooled := e.postLead("keep-lead", 100, 0.5)
		if pooled.ID != "L1" {
			t.Fatalf("first lead id = %s, want L1", pooled.ID)
		}
		before := snapshot(e)

		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var body any
				if tt.method != "GET" {
					body = tt.body
				}
				expectError(t, e.call(tt.method, tt.path, body), tt.status, tt.code, tt.field)
			})
		}
		if after := snapshot(e); after != before {
			t.Errorf("state changed by bad requests:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// snapshot renders what the API shows of the state, to compare.
func snapshot(e *env) string {
	e.t.Helper()
	reps := e.must(200, "GET", "/api/v1/reps", nil).Body
	leads := e.must(200, "GET", "/api/v1/leads", nil).Body
	return string(reps) + string(leads)
}
