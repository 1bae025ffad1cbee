package wecom

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// BenchmarkCallbackBurst sends 200 signed, encrypted callbacks at once to
// the real handler behind an HTTP server, over a real core and SQLite
// store, and reports the p50 and p99 time to the callback's answer
// (WeCom waits 5 s) and the time until every reply reached the fake.
func BenchmarkCallbackBurst(b *testing.B) {
	const n = 200
	ctx := context.Background()
	s := storagetest.Open(b, "sqlite")
	c := &clock{t: time.Now()}
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
	var users []string
	for i := range n {
		u := fmt.Sprintf("u%03d", i)
		users = append(users, u)
		r := engine.Rep{ID: engine.RepID("r" + u), Name: u, WeComUserID: u, Role: engine.RoleRep,
			Team: "east", Capacity: 5, Active: true}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			b.Fatal(err)
		}
	}
	in := engine.LeadInput{ExternalID: "x", Profile: engine.Profile{Company: "公司 x"}}
	if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
		b.Fatal(err)
	}
	f := newFakeWeCom(b, testCorp, testSecret, users...)
	ch := NewChannel(testConfig(f.srv.URL), Options{Clock: c})
	core := bot.NewCore(svc, bot.NewRenderer(s, i18n.ZH, time.UTC), nil)
	h, err := NewHandler(testConfig(f.srv.URL),
		HandlerOptions{Core: core, Reps: s, Inbox: s, Channel: ch, Clock: c})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}

	var answers, all []time.Duration
	msgID := 0
	b.ResetTimer()
	for range b.N {
		reqs := make([]*http.Request, n)
		for i, u := range users {
			msgID++
			enc := encrypt(b, testAESKey, testCorp, []byte(textMsg(u, "抢单 1", msgID)))
			ts, nonce := strconv.FormatInt(c.Now().Unix(), 10), "1372623149"
			q := url.Values{"msg_signature": {util.Signature(testToken, ts, nonce, enc)},
				"timestamp": {ts}, "nonce": {nonce}}
			r := postRequest(q, testCorp, enc)
			r.RequestURI, r.URL.Scheme, r.URL.Host = "", "http", srv.Listener.Addr().String()
			reqs[i] = r
		}
		took := make([]time.Duration, n)
		start := time.Now()
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Go(func() {
				t0 := time.Now()
				resp, err := hc.Do(r)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				took[i] = time.Since(t0)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("callback answered %d", resp.StatusCode)
				}
			})
		}
		wg.Wait()
		h.Wait()
		all = append(all, time.Since(start))
		answers = append(answers, took...)
	}
	b.StopTimer()
	slices.Sort(answers)
	q := func(p float64) float64 {
		return float64(answers[int(p*float64(len(answers)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-answer-ms")
	b.ReportMetric(q(0.99), "p99-answer-ms")
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Milliseconds()), "burst-with-replies-ms")
}
