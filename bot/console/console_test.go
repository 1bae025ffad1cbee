package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/console"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

type env struct {
	srv    *httptest.Server
	con    *console.Console
	sender *bot.Sender
	svc    *engine.Service
}

func newEnv(t *testing.T, s *storage.Store) env {
	t.Helper()
	svc := engine.NewService(engine.Deps{Store: s})
	if seeded, err := console.SeedDemo(context.Background(), svc); err != nil || !seeded {
		t.Fatalf("SeedDemo = %t, %v", seeded, err)
	}
	r := bot.NewRenderer(s, i18n.ZH, time.UTC)
	core := bot.NewCore(svc, r, nil)
	reps, _ := s.Reps(context.Background())
	con := console.New(console.Options{Core: core, Store: s, Renderer: r, Lang: i18n.ZH, Demo: console.HasDemo(reps)})
	snd := bot.NewSender(s, s, r, []bot.Channel{con}, bot.SenderOptions{})
	for snd.Pass(context.Background()) > 0 {
	}
	srv := httptest.NewServer(con.Handler())
	t.Cleanup(srv.Close)
	return env{srv: srv, con: con, sender: snd, svc: svc}
}

func (e env) get(t *testing.T, path string, v any) int {
	t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

func (e env) post(t *testing.T, path, body string) bot.Reply {
	t.Helper()
	resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r bot.Reply
	json.NewDecoder(resp.Body).Decode(&r)
	return r
}

func TestConsolePages(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)

		resp, err := http.Get(e.srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		var page strings.Builder
		bufio.NewReader(resp.Body).WriteTo(&page)
		resp.Body.Close()
		if !strings.Contains(page.String(), "演示数据") || !strings.Contains(page.String(), "/console/static/app.js") {
			t.Errorf("page lacks the demo banner or the script:\n%s", page.String())
		}
		if code := e.get(t, "/console/static/app.js", nil); code != 200 {
			t.Errorf("app.js = %d", code)
		}

		var users struct {
			Demo  bool `json:"demo"`
			Users []struct{ ID string }
		}
		e.get(t, "/console/api/users", &users)
		if !users.Demo || len(users.Users) != 4 {
			t.Errorf("users = %+v, want the 4 demo reps, marked demo", users)
		}

		var feed struct {
			Items []struct{ Card *bot.Card }
		}
		e.get(t, "/console/api/feed?user=demo-zhangsan", &feed)
		if len(feed.Items) == 0 || feed.Items[0].Card == nil || len(feed.Items[0].Card.Buttons) == 0 {
			t.Errorf("demo rep's feed = %+v, want pool cards with a claim button", feed)
		}
		if code := e.get(t, "/console/api/feed?user=nobody", nil); code != 404 {
			t.Errorf("feed of an unknown user = %d, want 404", code)
		}
	})
}

func TestConsoleCommands(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		if r := e.post(t, "/console/api/say", `{"user":"nobody","text":"公海"}`); !strings.Contains(r.Text, "还没有在 Leadbot 登记") {
			t.Errorf("stranger = %q", r.Text)
		}
		if r := e.post(t, "/console/api/say", `{"user":"demo-zhangsan","text":"help"}`); !strings.Contains(r.Text, "公海 / pool") {
			t.Errorf("help = %q", r.Text)
		}
		r := e.post(t, "/console/api/click", `{"user":"demo-zhangsan","action":"claim:L2"}`)
		if !strings.Contains(r.Text, "已抢到 L2") || r.Card == nil {
			t.Errorf("claim click = %+v", r)
		}
		if r := e.post(t, "/console/api/say", `not json`); r.Text != "" {
			t.Errorf("malformed request answered %q", r.Text)
		}
	})
}

// The event stream speaks when a card the user sees changes.
func TestConsoleEventsStream(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/console/api/events?user=demo-lisi", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		lines.Scan() // the connection comment
		if _, err := e.svc.Claim(context.Background(), 2, "demo-zhangsan", "demo-zhangsan"); err != nil {
			t.Fatal(err)
		}
		for e.sender.Pass(context.Background()) > 0 {
		}
		for lines.Scan() {
			if lines.Text() == "data: feed" {
				return
			}
		}
		t.Errorf("no feed event after a lead the user sees was claimed: %v", lines.Err())
	})
}

// A manager in the console answers a late lead with the alert card's
// buttons and the typed commands.
func TestConsoleAlertActions(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		if r := e.post(t, "/console/api/click", `{"user":"demo-zhangsan","action":"claim:L2"}`); r.Card == nil {
			t.Fatalf("claim click = %+v", r)
		}
		steps := []struct{ path, body, want string }{
			{"click", `{"user":"demo-lisi","action":"extend:L2"}`, "只有 张三 所在团队的组长、经理或仲裁人"},
			{"click", `{"user":"demo-zhaoliu","action":"extend:L2"}`, "已把 L2 的截止时间延到"},
			{"say", `{"user":"demo-wangwu","text":"延期 2 4小时"}`, "已把 L2 的截止时间延到"},
			{"say", `{"user":"demo-zhaoliu","text":"改派 2 @李四"}`, "已把 L2 改派给 李四"},
			{"click", `{"user":"demo-zhaoliu","action":"return:L2"}`, "已把 L2 退回公海"},
			{"click", `{"user":"demo-zhaoliu","action":"return:L2"}`, "过期"},
		}
		for _, st := range steps {
			if r := e.post(t, "/console/api/"+st.path, st.body); !strings.Contains(r.Text, st.want) {
				t.Errorf("%s %s = %q, want it to say %q", st.path, st.body, r.Text, st.want)
			}
		}
	})
}
