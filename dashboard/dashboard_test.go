package dashboard_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/dashboard"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

var start = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// env is a dashboard on a real store with a team in two places: r1 and
// the lead l1 in east, r3 and the manager m1 in west.
type env struct {
	t      *testing.T
	svc    *engine.Service
	clock  *enginetest.Clock
	signer *dashboard.Signer
	srv    *httptest.Server
}

func newEnv(t *testing.T, s *storage.Store) *env {
	t.Helper()
	clock := enginetest.NewClock(start)
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	signer, _ := dashboard.NewSigner([]byte("0123456789abcdef"))
	h := dashboard.New(dashboard.Options{Service: svc, Source: s,
		Insight: insight.NewReporter(s, insight.Settings{}, clock), Signer: signer, Clock: clock})
	e := &env{t: t, svc: svc, clock: clock, signer: signer, srv: httptest.NewServer(h)}
	t.Cleanup(e.srv.Close)
	for _, r := range []engine.Rep{
		{ID: "r1", Name: "张三", Team: "east", Role: engine.RoleRep, Capacity: 1, Active: true},
		{ID: "r3", Name: "王五", Team: "west", Role: engine.RoleRep, Capacity: 1, Active: true},
		{ID: "l1", Name: "李组长", Team: "east", Role: engine.RoleLead, Active: true},
		{ID: "m1", Name: "赵经理", Team: "west", Role: engine.RoleManager, Active: true},
	} {
		e.putRep(r)
	}
	return e
}

func (e *env) putRep(r engine.Rep) {
	e.t.Helper()
	if _, err := e.svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		e.t.Fatalf("put rep %s: %v", r.ID, err)
	}
}

func (e *env) intake(ext, company string) engine.Lead {
	e.t.Helper()
	l, _, err := e.svc.Intake(context.Background(), engine.LeadInput{ExternalID: ext,
		Profile: engine.Profile{Company: company, Industry: "healthcare", ExpectedAmount: 100000}},
		engine.ActorAPI)
	if err != nil {
		e.t.Fatalf("intake %s: %v", ext, err)
	}
	return l
}

// client returns a browser-like client that has opened rep's link.
func (e *env) client(rep engine.RepID) (*http.Client, int) {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(e.srv.URL + "/dashboard?t=" +
		url.QueryEscape(e.signer.Sign(rep, e.clock.Now().Add(time.Hour))))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return c, resp.StatusCode
}

func (e *env) get(c *http.Client, path string, v any) int {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			e.t.Fatalf("decode %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func TestAccess(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		if _, code := e.client("r1"); code != http.StatusForbidden {
			t.Errorf("a rep's link = %d, want 403", code)
		}
		if _, code := e.client("nobody"); code != http.StatusForbidden {
			t.Errorf("an unknown rep's link = %d, want 403", code)
		}
		if code := e.get(http.DefaultClient, "/dashboard/api/me", nil); code != http.StatusUnauthorized {
			t.Errorf("no session = %d, want 401", code)
		}
		resp, _ := http.Get(e.srv.URL + "/dashboard?t=" + e.signer.Sign("m1", start) + "x")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a tampered link = %d, want 401", resp.StatusCode)
		}

		c, code := e.client("l1")
		if code != http.StatusOK {
			t.Fatalf("the lead's link = %d, want 200 after the redirect", code)
		}
		u, _ := url.Parse(e.srv.URL + "/dashboard")
		if cs := c.Jar.Cookies(u); len(cs) != 1 || cs[0].Name != dashboard.CookieName {
			t.Fatalf("cookies = %v, want the session cookie", cs)
		}
		var me struct{ RepID, Role, Lang string }
		if code := e.get(c, "/dashboard/api/me", &me); code != http.StatusOK || me.Role != "lead" ||
			me.Lang != "zh-CN" {
			t.Errorf("me = %d %+v", code, me)
		}

		e.putRep(engine.Rep{ID: "l1", Name: "李组长", Team: "east", Role: engine.RoleRep, Active: true})
		if code := e.get(c, "/dashboard/api/me", nil); code != http.StatusForbidden {
			t.Errorf("after demotion = %d, want 403", code)
		}
		e.putRep(engine.Rep{ID: "l1", Name: "李组长", Team: "east", Role: engine.RoleLead, Active: false})
		if code := e.get(c, "/dashboard/api/me", nil); code != http.StatusForbidden {
			t.Errorf("when inactive = %d, want 403", code)
		}
		e.putRep(engine.Rep{ID: "l1", Name: "李组长", Team: "east", Role: engine.RoleLead, Active: true})
		e.clock.Add(time.Hour)
		if code := e.get(c, "/dashboard/api/me", nil); code != http.StatusUnauthorized {
			t.Errorf("after the link expired = %d, want 401", code)
		}
	})
}

type loadOut struct {
	Days []string
	Reps []struct {
		RepID string `json:"rep_id"`
		Held  []int
		Ratio []*float64
	}
}

func TestData(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		l1 := e.intake("crm-1", "华东某医院")
		e.clock.Add(24 * time.Hour)
		l2 := e.intake("crm-2", "西部能源集团")
		l3 := e.intake("crm-3", "东方医院")
		e.clock.Add(24 * time.Hour)
		if l1.Assignee != "r1" || l2.Assignee != "r3" ||
			l3.Status != engine.StatusStandby {
			t.Fatalf("seeding: L1 to %q, L2 to %q, L3 %s; want L1 to r1, L2 to r3, L3 on standby",
				l1.Assignee, l2.Assignee, l3.Status)
		}
		_, _, err := e.svc.ImportHistory(ctx, []engine.Deal{
			{ExternalID: "h1", RepID: "r1", Outcome: engine.Won, Amount: 1000, ClosedAt: start,
				Profile: engine.Profile{Company: "a", Industry: "healthcare"}},
			{ExternalID: "h2", RepID: "r1", Outcome: engine.Lost, ClosedAt: start,
				Profile: engine.Profile{Company: "b", Industry: "healthcare"}},
			{ExternalID: "h3", RepID: "r1", Outcome: engine.Won, Amount: 500, ClosedAt: start,
				Profile: engine.Profile{Company: "c", Industry: "energy"}},
		}, engine.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		manager, _ := e.client("m1")
		lead, _ := e.client("l1")

		var load loadOut
		if code := e.get(manager, "/dashboard/api/load?days=3", &load); code != http.StatusOK {
			t.Fatalf("load = %d", code)
		}
		if want := []string{"2026-12-01", "2026-12-02", "2026-12-03"}; !slices.Equal(load.Days, want) {
			t.Errorf("days = %v, want %v", load.Days, want)
		}
		held := map[string][]int{}
		for _, r := range load.Reps {
			held[r.RepID] = r.Held
		}
		// L1 came on the first day, L2 on the second; both are held.
		if got := held[string(l1.Assignee)]; !slices.Equal(got, []int{1, 1, 1}) {
			t.Errorf("%s held %v, want [1 1 1]", l1.Assignee, got)
		}
		if got := held[string(l2.Assignee)]; !slices.Equal(got, []int{0, 1, 1}) {
			t.Errorf("%s held %v, want [0 1 1]", l2.Assignee, got)
		}
		if len(load.Reps) != 2 {
			t.Errorf("manager's heatmap has %d reps, want r1 and r3", len(load.Reps))
		}
		e.get(lead, "/dashboard/api/load?days=3", &load)
		if len(load.Reps) != 1 || load.Reps[0].RepID != "r1" {
			t.Errorf("east lead's heatmap = %+v, want r1 only", load.Reps)
		}
		if code := e.get(manager, "/dashboard/api/load?days=61", nil); code != http.StatusBadRequest {
			t.Errorf("61 days = %d, want 400", code)
		}

		var standby []struct{ ID, Company string }
		e.get(manager, "/dashboard/api/standby", &standby)
		if len(standby) != 1 || standby[0].ID != l3.ID.String() {
			t.Errorf("standby = %+v, want %s", standby, l3.ID)
		}

		for _, q := range []string{l2.ID.String(), "2", "crm-2", "能源"} {
			var found []struct{ ID string }
			e.get(manager, "/dashboard/api/search?q="+url.QueryEscape(q), &found)
			if len(found) == 0 || found[0].ID != l2.ID.String() {
				t.Errorf("search %q = %+v, want %s first", q, found, l2.ID)
			}
		}
		var found []struct{ ID string }
		e.get(manager, "/dashboard/api/search?q="+url.QueryEscape("医院"), &found)
		if len(found) != 2 || found[0].ID != l3.ID.String() || found[1].ID != l1.ID.String() {
			t.Errorf("search 医院 = %+v, want L3 then L1", found)
		}

		var dec struct {
			Log []struct {
				RepID      string `json:"rep_id"`
				Reasons    []string
				Candidates []struct {
					RepID  string `json:"rep_id"`
					Chosen bool
					Parts  []struct{ Name string }
				}
			}
		}
		if code := e.get(manager, "/dashboard/api/decision?lead="+l1.ID.String(), &dec); code != 200 {
			t.Fatalf("decision = %d", code)
		}
		if len(dec.Log) != 1 || dec.Log[0].RepID != string(l1.Assignee) || len(dec.Log[0].Reasons) == 0 {
			t.Fatalf("decision log = %+v", dec.Log)
		}
		var ids []string
		for _, c := range dec.Log[0].Candidates {
			ids = append(ids, c.RepID)
			if c.Chosen != (c.RepID == string(l1.Assignee)) || len(c.Parts) == 0 {
				t.Errorf("candidate %+v", c)
			}
		}
		if slices.Sort(ids); !slices.Equal(ids, []string{"r1", "r3"}) {
			t.Errorf("candidates = %v, want r1 and r3", ids)
		}
		// L2 came while r1 was full: only r3 was weighed for it, so the
		// east lead may not open it; L3 on standby belongs to nobody.
		for lead2, want := range map[engine.LeadID]int{l1.ID: 200, l2.ID: 404, l3.ID: 200} {
			if code := e.get(lead, "/dashboard/api/decision?lead="+lead2.String(), nil); code != want {
				t.Errorf("east lead opening %s = %d, want %d", lead2, code, want)
			}
		}
		var strengths []struct {
			RepID      string `json:"rep_id"`
			Overall    struct{ Deals, Wins int }
			Industries []struct {
				Industry   string
				Deals      int
				Wins       int
				Confidence float64
			}
		}
		e.get(lead, "/dashboard/api/strengths", &strengths)
		if len(strengths) != 1 || strengths[0].RepID != "r1" {
			t.Fatalf("strengths = %+v, want r1's", strengths)
		}
		st := strengths[0]
		if st.Overall.Deals != 3 || st.Overall.Wins != 2 || len(st.Industries) != 2 ||
			st.Industries[0].Industry != "healthcare" || st.Industries[0].Deals != 2 ||
			st.Industries[0].Wins != 1 || st.Industries[1].Industry != "energy" {
			t.Errorf("r1's strengths = %+v", st)
		}
		// Two own deals against a pull of ten pseudo-deals: 2/12.
		if c := st.Industries[0].Confidence; c < 0.16 || c > 0.17 {
			t.Errorf("healthcare confidence = %v, want 2/12", c)
		}

		var tiles struct {
			Team  string
			Tiles []struct {
				ID    string
				Trend []json.RawMessage
			}
		}
		if code := e.get(lead, "/dashboard/api/tiles?weeks=3", &tiles); code != 200 {
			t.Fatalf("tiles = %d", code)
		}
		if tiles.Team != "east" || len(tiles.Tiles) == 0 || len(tiles.Tiles[0].Trend) != 3 {
			t.Errorf("lead's tiles = team %q, %d tiles", tiles.Team, len(tiles.Tiles))
		}
	})
}

func TestPageNeedsSession(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		resp, _ := http.Get(e.srv.URL + "/dashboard")
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("page without a session = %d, want 401", resp.StatusCode)
		}
		c, _ := e.client("m1")
		resp, _ = c.Get(e.srv.URL + "/dashboard/assets/app.js")
		buf := new(strings.Builder)
		resp.Write(buf)
		if resp.StatusCode != 200 || !strings.Contains(buf.String(), "STRINGS") {
			t.Errorf("app.js = %d", resp.StatusCode)
		}
	})
}

// A dashboard keyed at start-up answers this machine only.
func TestLoopbackOnly(t *testing.T) {
	s := storagetest.Open(t, storage.SQLite)
	signer, _ := dashboard.NewSigner([]byte("0123456789abcdef"))
	h := dashboard.New(dashboard.Options{Service: engine.NewService(engine.Deps{Store: s}),
		Source: s, Signer: signer, LoopbackOnly: true})
	for addr, want := range map[string]int{"192.0.2.1:1234": 403, "127.0.0.1:1234": 401, "[::1]:1234": 401} {
		r := httptest.NewRequest("GET", "/dashboard/api/me", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("from %s = %d, want %d", addr, w.Code, want)
		}
	}
}
