package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/leadbot/leadbot/storage/storagetest"
)

var screenshot = flag.String("screenshot", "", "write a screenshot of the console to this file")

// chromium finds the browser, skipping the test where there is none
// unless CI requires it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH; CI must install it (.ci/run does)")
	}
	t.Skip("skipping browser test: no chromium on PATH (apt-get install chromium)")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1200, 800),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	return bctx
}

// waitFor waits until the JavaScript condition holds on the page, for as
// long as the test's browser context lasts: a loaded machine may take
// more than chromedp's own 30 seconds per step.
func waitFor(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(0))
}

// clickWhenReady clicks the element as soon as the page shows it. The
// feed redraws as cards change, so finding a node and clicking it in two
// steps can miss; one step in the page cannot.
func clickWhenReady(sel string) chromedp.Action[chromedp.Void] {
	return waitFor(fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false; el.click(); return true; })()`, sel))
}

func cardSel(lead string) string { return fmt.Sprintf(`.card[data-lead="%s"]`, lead) }

// answerPrompts types answer into every prompt the page opens.
func answerPrompts(ctx context.Context, answer string) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog,
				page.HandleJavaScriptDialogParams{Accept: true, PromptText: answer})
		}
	}()
}

func cardHas(lead, text string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll('%s')).some(c => c.textContent.includes(%q))`,
		cardSel(lead), text)
}

// A rep claims a pooled lead, records progress and closes it won, all by
// clicking cards in the console; another rep's card of the same lead
// shows who took it.
func TestConsoleClaimProgressDone(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			opts := storagetest.Options(t, driver)
			p := startServe(t, t.TempDir(), "LEADBOT_DATABASE_DRIVER="+opts.Driver,
				"LEADBOT_DATABASE_DSN="+opts.DSN, "LEADBOT_CONSOLE_DEMO=false", "LEADBOT_ENGINE_MODE=pool",
				"LEADBOT_CHAT_OUTBOX_INTERVAL=50ms")
			p.call(t, "PUT", "/api/v1/reps/r1", strings.NewReader(`{"name":"张三","team":"east","role":"rep","capacity":3}`))
			p.call(t, "PUT", "/api/v1/reps/r2", strings.NewReader(`{"name":"李四","team":"east","role":"rep","capacity":3}`))
			code, b := p.call(t, "POST", "/api/v1/leads",
				strings.NewReader(`{"external_id":"e2e-1","company":"华东某医院","expected_amount":150000,"close_probability":0.5}`))
			if code != 201 {
				t.Fatalf("POST lead = %d %s", code, b)
			}

			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatalf("start browser: %v", err)
			}
			other, cancel := chromedp.NewContext(ctx)
			defer cancel()
			answerPrompts(ctx, "40")
			claim := chromedp.CSS(cardSel("L1") + ` button[data-action="claim:L1"]`)
			err := chromedp.Do(other,
				chromedp.Navigate(p.base+"/"),
				chromedp.Click(chromedp.CSS(`button[data-user="r2"]`)),
				chromedp.WaitVisible(claim),
			)
			if err != nil {
				t.Fatalf("r2 sees the pool card: %v", err)
			}

			button := func(action string) string {
				return cardSel("L1") + fmt.Sprintf(` button[data-action="%s"]`, action)
			}
			steps := []struct {
				name   string
				action chromedp.Action[chromedp.Void]
			}{
				{"open as r1", chromedp.Navigate(p.base + "/")},
				{"pick r1", clickWhenReady(`button[data-user="r1"]`)},
				{"claim", clickWhenReady(string(claim))},
				{"owner card", chromedp.WaitVisible(chromedp.CSS(button("progress:L1")))},
				{"taken for r2", waitFor(cardHas("L1", "已被 张三 抢走"))},
				{"progress", clickWhenReady(button("progress:L1"))},
				{"progress shown", waitFor(cardHas("L1", "40%"))},
				{"won", clickWhenReady(button("won:L1"))},
				{"closed card", waitFor(cardHas("L1", "已完成：赢单"))},
			}
			for _, st := range steps {
				target := ctx
				if st.name == "taken for r2" {
					target = other
				}
				if err := chromedp.Do(target, st.action); err != nil {
					txt, _ := chromedp.Run(target, chromedp.Evaluate[string]("document.body.innerText"))
					t.Fatalf("%s: %v\npage:\n%s", st.name, err, txt)
				}
			}
			if err := chromedp.Do(other, waitFor(cardHas("L1", "已完成"))); err != nil {
				t.Errorf("r2's card never showed the lead closed: %v", err)
			}

			code, b = p.call(t, "GET", "/api/v1/leads/L1/history", nil)
			for _, ev := range []string{`"claimed"`, `"progress"`, `"closed"`} {
				if !strings.Contains(string(b), ev) {
					t.Errorf("history (%d) lacks %s: %s", code, ev, b)
				}
			}
			if *screenshot != "" && driver == "sqlite" {
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(*screenshot, png, 0o644)
			}
		})
	}
}

// A rep disputes a lead someone else took, the manager approves it from
// the approval card, and both reps' cards show the new owner.
func TestConsoleDisputeApproved(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) { disputeInConsole(t, driver) })
	}
}

func disputeInConsole(t *testing.T, driver string) {
	opts := storagetest.Options(t, driver)
	p := startServe(t, t.TempDir(), "LEADBOT_DATABASE_DRIVER="+opts.Driver, "LEADBOT_DATABASE_DSN="+opts.DSN,
		"LEADBOT_CONSOLE_DEMO=false", "LEADBOT_ENGINE_MODE=pool", "LEADBOT_CHAT_OUTBOX_INTERVAL=50ms")
	for _, rep := range []string{
		`"r1", {"name":"张三","team":"east","role":"rep","capacity":3}`,
		`"r2", {"name":"李四","team":"east","role":"rep","capacity":3}`,
		`"m1", {"name":"赵六","team":"east","role":"manager","capacity":0}`,
	} {
		id, body, _ := strings.Cut(rep, ", ")
		p.call(t, "PUT", "/api/v1/reps/"+strings.Trim(id, `"`), strings.NewReader(body))
	}
	p.call(t, "POST", "/api/v1/leads", strings.NewReader(`{"external_id":"d-1","company":"华东某医院","expected_amount":80000}`))
	if code, b := p.call(t, "POST", "/api/v1/leads/L1/claim", strings.NewReader(`{"rep_id":"r1"}`)); code != 200 {
		t.Fatalf("claim = %d %s", code, b)
	}

	first := browser(t)
	if err := chromedp.Do(first, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	filer, cancel := chromedp.NewContext(first)
	defer cancel()
	manager, cancel2 := chromedp.NewContext(first)
	defer cancel2()
	answerPrompts(filer, "我三月就登记过这个客户")
	answerPrompts(manager, "以登记记录为准")

	open := func(ctx context.Context, user string) error {
		return chromedp.Do(ctx, chromedp.Navigate(p.base+"/"), clickWhenReady(fmt.Sprintf(`button[data-user="%s"]`, user)))
	}
	steps := []struct {
		name string
		ctx  context.Context
		do   chromedp.Action[chromedp.Void]
	}{
		{"r1 sees the lead as theirs", first, waitFor(cardHas("L1", "更新进度"))},
		{"r2 disputes", filer, clickWhenReady(cardSel("L1") + ` button[data-action="dispute:L1"]`)},
		{"manager approves", manager, clickWhenReady(`button[data-action="dapprove:L1:D1"]`)},
		{"manager's card settles", manager, waitFor(cardHas("L1", "赵六 已同意"))},
		{"r2 now owns it", filer, waitFor(cardHas("L1", "更新进度"))},
		{"r1 sees it gone", first, waitFor(cardHas("L1", "李四"))},
	}
	for _, user := range []struct {
		ctx  context.Context
		name string
	}{{first, "r1"}, {filer, "r2"}, {manager, "m1"}} {
		if err := open(user.ctx, user.name); err != nil {
			t.Fatalf("open the console as %s: %v", user.name, err)
		}
	}
	for _, st := range steps {
		if err := chromedp.Do(st.ctx, st.do); err != nil {
			txt, _ := chromedp.Run(st.ctx, chromedp.Evaluate[string]("document.body.innerText"))
			t.Fatalf("%s: %v\npage:\n%s", st.name, err, txt)
		}
	}
	_, b := p.call(t, "GET", "/api/v1/disputes?lead_id=L1", nil)
	if !strings.Contains(string(b), `"status":"approved"`) || !strings.Contains(string(b), `"decided_by":"m1"`) ||
		!strings.Contains(string(b), "以登记记录为准") {
		t.Errorf("disputes after approval: %s", b)
	}
}
