package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadbot/leadbot/storage/storagetest"
)

const dashboardSecret = "e2e-dashboard-secret-0123456789"

// seedDashboard gives the dashboard something to show: two teams,
// closed deals to learn strengths from, leads routed by the engine and
// one left on standby.
func seedDashboard(t *testing.T, p *process) {
	t.Helper()
	for _, rep := range []string{
		`r1 {"name":"张三","team":"east","role":"rep","capacity":2,"industries":["healthcare"]}`,
		`r2 {"name":"李四","team":"east","role":"rep","capacity":2}`,
		`r3 {"name":"王五","team":"west","role":"rep","capacity":1}`,
		`m1 {"name":"赵经理","team":"east","role":"manager","capacity":0}`,
	} {
		id, body, _ := strings.Cut(rep, " ")
		if code, b := p.call(t, "PUT", "/api/v1/reps/"+id, strings.NewReader(body)); code != 200 {
			t.Fatalf("PUT rep %s = %d %s", id, code, b)
		}
	}
	var rows []string
	industries := []string{"healthcare", "manufacturing", "energy"}
	for i := range 24 {
		rep := []string{"r1", "r2", "r3"}[i%3]
		outcome := "lost"
		if i%4 == 0 || (rep == "r1" && i%2 == 0) {
			outcome = "won"
		}
		rows = append(rows, fmt.Sprintf(`{"lead":{"external_id":"h%d","company":"历史客户%d","industry":%q},`+
			`"rep_id":%q,"outcome":%q,"amount":50000,"closed_at":"2026-10-%02dT10:00:00+08:00"}`,
			i, i, industries[i%len(industries)], rep, outcome, i+1))
	}
	if code, b := p.call(t, "POST", "/api/v1/history",
		strings.NewReader("["+strings.Join(rows, ",")+"]")); code != 200 {
		t.Fatalf("POST history = %d %s", code, b)
	}
	p.waitLog(t, "deals=24")
	lead := func(i int, company string) {
		body := fmt.Sprintf(`{"external_id":"crm-%d","company":%q,"industry":%q,"expected_amount":%d}`,
			i+1, company, industries[i%len(industries)], 80000+i*40000)
		if code, b := p.call(t, "POST", "/api/v1/leads", strings.NewReader(body)); code != 201 {
			t.Fatalf("POST lead = %d %s", code, b)
		}
	}
	for i, company := range []string{"华东某医院", "江南制造", "西部能源", "东方医院", "北方医药", "滨海工厂"} {
		lead(i, company)
	}
	// The two closes free two places, one of which the sixth lead takes
	// from standby; of the two leads after them one stays on standby.
	for lead, outcome := range map[string]string{"L1": "won", "L3": "lost"} {
		body := strings.NewReader(fmt.Sprintf(`{"outcome":%q}`, outcome))
		if code, b := p.call(t, "POST", "/api/v1/leads/"+lead+"/outcome", body); code != 200 {
			t.Fatalf("POST %s outcome = %d %s", lead, code, b)
		}
	}
	lead(6, "南山医疗器械")
	lead(7, "东港物流")
}

// setTarget gives team east a monthly target of 4 deals won through the
// REST API, split evenly over r1 and r2, and returns the rep who won L1
// this month, whose part has one done.
func setTarget(t *testing.T, p *process) string {
	t.Helper()
	body := `{"by":"m1","team":"east","period":"month","metric":"won","amount":4}`
	if code, b := p.call(t, "POST", "/api/v1/targets", strings.NewReader(body)); code != 201 {
		t.Fatalf("POST target = %d %s", code, b)
	}
	code, b := p.call(t, "GET", "/api/v1/leads/L1", nil)
	var l1 struct{ Assignee string }
	if err := json.Unmarshal(b, &l1); code != 200 || err != nil {
		t.Fatalf("GET L1 = %d %s (%v)", code, b, err)
	}
	if l1.Assignee != "r1" && l1.Assignee != "r2" {
		t.Fatalf("seeding: L1 won by %q, want a rep of east", l1.Assignee)
	}
	return l1.Assignee
}

// targetRows reads the targets panel's figures table, a line per row:
// rep, amount, done, share.
const targetRows = `[...document.querySelectorAll("#targets tbody tr")].map(tr =>
	[0, 1, 2, 4].map(i => tr.cells[i].textContent).join(" ")).join("\n")`

// writeScreenshot saves the whole page as docs/name.
func writeScreenshot(ctx context.Context, name string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join("..", "..", "docs", name), png, 0o644)
}

// dashboardLink asks the CLI for a rep's link, as an admin would.
func dashboardLink(t *testing.T, p *process, env []string, rep string) (string, error) {
	t.Helper()
	cmd := exec.Command(leadbotBinary(t), "dashboard-link", "--base", p.base, rep)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir}, env...)
	// The link is on stdout; logs, such as a slow statement on a busy
	// database, and the refusal are on stderr.
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(stderr.String()), err
	}
	return strings.TrimSpace(stdout.String()), nil
}

// A manager opens the dashboard link: the tiles, heatmap, target and
// strength charts draw, the standby queue lists the lead nobody had room for, and
// the decision explorer finds a lead by company and shows whom the
// engine weighed for it.
func TestDashboardInBrowser(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			opts := storagetest.Options(t, driver)
			env := []string{"LEADBOT_DATABASE_DRIVER=" + opts.Driver, "LEADBOT_DATABASE_DSN=" + opts.DSN,
				"LEADBOT_DASHBOARD_SECRET=" + dashboardSecret}
			p := startServe(t, t.TempDir(), append(env, "LEADBOT_CONSOLE_DEMO=false",
				"LEADBOT_ENGINE_MODE=auto")...)
			seedDashboard(t, p)
			winner := setTarget(t, p)
			link, err := dashboardLink(t, p, env, "m1")
			if err != nil || !strings.HasPrefix(link, p.base+"/dashboard?t=") {
				t.Fatalf("dashboard-link m1 = %q, %v", link, err)
			}
			if out, err := dashboardLink(t, p, env, "r1"); err == nil ||
				!strings.Contains(out, "for active leads and managers") {
				t.Errorf("dashboard-link r1 = %q, %v; want a refusal", out, err)
			}

			ctx := browser(t)
			count := func(sel string) string {
				return fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)
			}
			steps := []struct {
				name   string
				action chromedp.Action[chromedp.Void]
			}{
				{"open the link", chromedp.Navigate(link)},
				{"everything loaded", waitFor(`document.body.dataset.ready === "1"`)},
				{"tiles", waitFor(count("#tiles .tile") + ` >= 10`)},
				{"sparklines", waitFor(count("#tiles svg.spark path") + ` > 0`)},
				{"heatmap cells", waitFor(count("#load svg rect[data-rep]") + ` === 3 * 14`)},
				{"strength bars", waitFor(count("#strengths svg rect") + ` > 0`)},
				{"standby queue", waitFor(count("#standby tr[data-lead]") + ` > 0`)},
				{"target bars", waitFor(count("#targets svg.progress rect[data-status]") + ` === 3`)},
				{"search", waitFor(`(() => { document.getElementById("q").value = "制造";` +
					` document.getElementById("search").requestSubmit(); return true; })()`)},
				{"candidates", waitFor(count("#decision tr.candidate") + ` >= 2`)},
				{"chosen rep", waitFor(count("#decision tr.candidate.chosen") + ` === 1`)},
				{"in Chinese", waitFor(`document.querySelector("h1").textContent === "Leadbot 看板"`)},
				{"screenshot", func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
					if os.Getenv("LEADBOT_WRITE_SCREENSHOTS") != "1" || driver != "sqlite" {
						return chromedp.Void{}, nil
					}
					return chromedp.Void{}, writeScreenshot(ctx, "dashboard.png")
				}},
				{"english by setting", func(context.Context, *chromedp.Target) (chromedp.Void, error) {
					body := strings.NewReader(`{"name":"Zhao","team":"east","role":"manager",` +
						`"capacity":0,"language":"en"}`)
					if code, b := p.call(t, "PUT", "/api/v1/reps/m1", body); code != 200 {
						return chromedp.Void{}, fmt.Errorf("PUT m1 = %d %s", code, b)
					}
					return chromedp.Void{}, nil
				}},
				{"reopen", chromedp.Navigate(p.base + "/dashboard")},
				{"reloaded", waitFor(`document.body.dataset.ready === "1"`)},
				{"in English", waitFor(`document.querySelector("h1").textContent === "Leadbot dashboard"`)},
				{"search again", waitFor(`(() => { document.getElementById("q").value = "L2";` +
					` document.getElementById("search").requestSubmit(); return true; })()`)},
				{"candidates again", waitFor(count("#decision tr.candidate") + ` >= 2`)},
			}
			for _, st := range steps {
				if err := chromedp.Do(ctx, st.action); err != nil {
					txt, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
					t.Fatalf("%s: %v\npage:\n%s\nlog:\n%s", st.name, err, txt, p.stderr)
				}
			}
			rows, err := chromedp.Run(ctx, chromedp.Evaluate[string](targetRows))
			want := map[string]string{"r1": "张三 2 1 50%\n李四 2 0 0%", "r2": "张三 2 0 0%\n李四 2 1 50%"}
			if err != nil || rows != "Whole team 4 1 25%\n"+want[winner] {
				t.Errorf("targets table = %q (%v), want the team's 1 of 4 and %s's 1 of 2", rows, err, winner)
			}
			// One of four done fills a quarter of the 240-wide bar.
			w, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`document.querySelector("#targets svg.progress rect[data-status]").getAttribute("width")`))
			if err != nil || w != "60" {
				t.Errorf("team bar width = %q (%v), want 60", w, err)
			}
			txt, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decision").innerText`))
			if err != nil || !strings.Contains(txt, "江南制造") {
				t.Errorf("decision explorer shows %q (%v), want 江南制造", txt, err)
			}
		})
	}
}

// Without a secret the console on this machine still offers leads and
// managers their dashboard, signed with a key made at start-up.
func TestConsoleOpensDashboard(t *testing.T) {
	opts := storagetest.Options(t, "sqlite")
	p := startServe(t, t.TempDir(), "LEADBOT_DATABASE_DRIVER="+opts.Driver,
		"LEADBOT_DATABASE_DSN="+opts.DSN, "LEADBOT_CONSOLE_DEMO=false")
	p.call(t, "PUT", "/api/v1/reps/r1", strings.NewReader(`{"name":"张三","team":"east","role":"rep","capacity":3}`))
	if code, b := p.call(t, "PUT", "/api/v1/reps/m1", strings.NewReader(`{"name":"赵六","team":"east","role":"manager","capacity":0}`)); code != 200 {
		t.Fatalf("PUT m1 = %d %s", code, b)
	}

	ctx := browser(t)
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"open the console", chromedp.Navigate(p.base + "/")},
		{"manager's link", waitFor(`document.querySelector('a[data-dashboard="m1"]') !== null`)},
		{"no link for a rep", waitFor(`document.querySelector('a[data-dashboard="r1"]') === null`)},
		{"follow it", func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`document.querySelector('a[data-dashboard="m1"]').href`))
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Run(ctx, chromedp.Navigate(href))
		}},
		{"dashboard loaded", waitFor(`document.body && document.body.dataset.ready === "1"`)},
		{"heatmap", waitFor(`document.querySelectorAll("#load svg rect[data-rep]").length === 14`)},
	}
	for _, st := range steps {
		if err := chromedp.Do(ctx, st.action); err != nil {
			txt, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
			t.Fatalf("%s: %v\npage:\n%s", st.name, err, txt)
		}
	}
}
