package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares a request body with testdata/name, or rewrites it.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: body is not JSON: %v", name, err)
	}
	// msgParam is JSON in a string; unfold it so the diff is readable.
	if m, ok := v.(map[string]any); ok {
		if p, ok := m["msgParam"].(string); ok {
			var inner any
			if json.Unmarshal([]byte(p), &inner) == nil {
				m["msgParam"] = inner
			}
		}
	}
	got, _ := json.MarshalIndent(v, "", "  ")
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\ngot:\n%s\nwant:\n%s",
			name, got, want)
	}
}

// poolCard draws L1's pool card for a rep, as the sender would.
func poolCard(t *testing.T, w world, id engine.RepID) (engine.Rep, bot.Message) {
	t.Helper()
	ctx := context.Background()
	rep, err := w.store.Rep(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.rend.Notice(ctx, engine.Notice{Kind: engine.NoticePool, LeadID: 1}, rep)
	if err != nil {
		t.Fatal(err)
	}
	return rep, m
}

// With a template, a card is created with an outTrackId per lead and
// viewer and updated by it after a change.
func TestCardCreateAndUpdate(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	cfg := g.config()
	cfg.CardTemplateID = "tpl.schema"
	ch := NewChannel(NewAPI(cfg, nil), i18n.ZH, nil)
	ctx := context.Background()

	rep, m := poolCard(t, w, "r1")
	ref, err := ch.Send(ctx, rep, m)
	if err != nil {
		t.Fatalf("Send(pool card) = %v", err)
	}
	if want := outTrackID(m.Card); ref != want || !strings.HasPrefix(ref, "leadbot-L1-") {
		t.Errorf("Send ref = %q, want %q", ref, want)
	}
	golden(t, "card_create.json", g.callsTo("/v1.0/card/instances/createAndDeliver")[0].Body)

	if _, err := w.svc.Claim(ctx, 1, "r2", engine.Actor("r2")); err != nil {
		t.Fatal(err)
	}
	_, after := poolCard(t, w, "r1")
	d := engine.Delivery{Platform: Platform, RepID: "r1", LeadID: 1, Ref: ref}
	if err := ch.Update(ctx, d, rep, after); err != nil {
		t.Fatalf("Update = %v", err)
	}
	golden(t, "card_update.json", g.callsTo("/v1.0/card/instances")[0].Body)

	_, other := poolCard(t, w, "r2")
	if outTrackID(other.Card) == ref {
		t.Errorf("two viewers share outTrackId %s", ref)
	}
}

// Without a template, a card goes out as markdown that shows the
// commands to type, in the rep's language; texts go as plain text.
func TestMarkdownFallback(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	ch := NewChannel(NewAPI(g.config(), nil), i18n.ZH, nil)
	ctx := context.Background()

	tests := []struct {
		name, rep, golden, want string
	}{
		{"chinese", "r1", "markdown_zh.json", "抢单 L1"},
		{"english", "amy", "markdown_en.json", "claim L1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, m := poolCard(t, w, engine.RepID(tt.rep))
			ref, err := ch.Send(ctx, rep, m)
			if err != nil || ref != "" {
				t.Fatalf("Send = %q, %v; want no ref, no error", ref, err)
			}
			body := g.callsTo("/v1.0/robot/oToMessages/batchSend")[i].Body
			if !strings.Contains(string(body), tt.want) {
				t.Errorf("markdown %s does not show %q", body, tt.want)
			}
			golden(t, tt.golden, body)
		})
	}
	rep, _ := poolCard(t, w, "r1")
	if _, err := ch.Send(ctx, rep, bot.Message{Text: "提醒"}); err != nil {
		t.Fatal(err)
	}
	last := g.callsTo("/v1.0/robot/oToMessages/batchSend")[2].Body
	if !strings.Contains(string(last), `"msgKey":"sampleText"`) {
		t.Errorf("text message sent as %s, want sampleText", last)
	}
	d := engine.Delivery{Platform: Platform, RepID: "r1", LeadID: 1}
	if err := ch.Update(ctx, d, rep, bot.Message{Card: &bot.Card{Lead: "L1"}}); err != nil {
		t.Errorf("Update of a markdown card = %v, want nil", err)
	}
	if n := len(g.callsTo("/v1.0/card/instances")); n != 0 {
		t.Errorf("markdown card update called the card API %d times", n)
	}
}

// An expired token is replaced and the call repeated; concurrent callers
// share one token.
func TestTokenRefresh(t *testing.T) {
	g := newGateway(t)
	api := NewAPI(g.config(), nil)
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := api.Token(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	send := func(text string) error {
		_, err := api.SendToUsers(ctx, []string{"ding-r1"}, "sampleText", map[string]string{"content": text})
		return err
	}
	if err := send("a"); err != nil {
		t.Fatal(err)
	}
	g.expireTokens()
	if err := send("b"); err != nil {
		t.Fatalf("send after the token expired = %v, want it refreshed", err)
	}
	g.mu.Lock()
	issued := g.issued
	g.mu.Unlock()
	calls := g.callsTo("/v1.0/robot/oToMessages/batchSend")
	if issued != 2 || len(calls) != 2 || calls[0].Token != "tok-1" || calls[1].Token != "tok-2" {
		t.Errorf("tokens issued %d, sends %d with %v; want 2 tokens, the second send with tok-2",
			issued, len(calls), calls)
	}

	g.mu.Lock()
	g.badCreds = true
	g.mu.Unlock()
	g.expireTokens()
	err := send("c")
	if !errors.Is(err, bot.ErrPermanent) || strings.Contains(err.Error(), "csecret") {
		t.Errorf("send with rejected credentials = %v, want a permanent error without the secret", err)
	}
}

// Throttling and flow control are transient; permission and parameter
// errors are permanent.
func TestThrottling(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	ch := NewChannel(NewAPI(g.config(), nil), i18n.ZH, nil)
	ctx := context.Background()
	rep, m := poolCard(t, w, "r1")

	g.mu.Lock()
	g.throttle = 1
	g.mu.Unlock()
	_, err := ch.Send(ctx, rep, m)
	if !errors.Is(err, ErrThrottled) || errors.Is(err, bot.ErrPermanent) {
		t.Errorf("Send under QPS limit = %v, want a transient ErrThrottled", err)
	}
	g.mu.Lock()
	g.flow = []string{"ding-r1"}
	g.mu.Unlock()
	_, err = ch.Send(ctx, rep, m)
	if !errors.Is(err, ErrThrottled) || errors.Is(err, bot.ErrPermanent) {
		t.Errorf("Send under flow control = %v, want a transient ErrThrottled", err)
	}
	if _, err := ch.Send(ctx, rep, m); err != nil {
		t.Errorf("Send after the limits passed = %v", err)
	}
}

func TestAPIErrorKinds(t *testing.T) {
	tests := []struct {
		name      string
		err       APIError
		throttled bool
		permanent bool
	}{
		{"qps 403", APIError{Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"}, true, false},
		{"bare 403", APIError{Status: 403}, true, false},
		{"429", APIError{Status: 429}, true, false},
		{"no permission", APIError{Status: 403, Code: "Forbidden.AccessDenied.AccessTokenPermissionDenied"}, false, true},
		{"bad robot", APIError{Status: 400, Code: "invalidParameter.robotCode.auth"}, false, true},
		{"server", APIError{Status: 503}, false, false},
		{"timeout", APIError{Status: 408}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &tt.err
			if got := errors.Is(err, ErrThrottled); got != tt.throttled {
				t.Errorf("Is(%v, ErrThrottled) = %v, want %v", err, got, tt.throttled)
			}
			if got := errors.Is(err, bot.ErrPermanent); got != tt.permanent {
				t.Errorf("Is(%v, ErrPermanent) = %v, want %v", err, got, tt.permanent)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" for valid
	}{
		{"valid", Config{ClientID: "a", ClientSecret: "s"}, ""},
		{"no id", Config{ClientSecret: "s"}, "LEADBOT_DINGTALK_CLIENT_ID"},
		{"no secret", Config{ClientID: "a"}, "LEADBOT_DINGTALK_CLIENT_SECRET"},
		{"bad base", Config{ClientID: "a", ClientSecret: "s", APIBase: "api.dingtalk.com"}, "LEADBOT_DINGTALK_API_BASE"},
		{"bad template", Config{ClientID: "a", ClientSecret: "s", CardTemplateID: "a b"}, "LEADBOT_DINGTALK_CARD_TEMPLATE_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want it to name %s", err, tt.want)
			}
		})
	}
	c := Config{ClientID: "a", ClientSecret: "s"}.WithDefaults()
	if c.RobotCode != "a" || c.APIBase != DefaultAPIBase {
		t.Errorf("defaults = %q, %q; want robot code a and %s", c.RobotCode, c.APIBase, DefaultAPIBase)
	}
}

func TestTypedAction(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"approve:L3:T1", true},
		{"reject:L3:T1", true},
		{"move:L3:r1>r2", true}, // a digest's rebalance move
		{"claim:L3", false},     // has a typed command; a click only
		{"cover:L3", false},
		{"抢单 3", false},
		{"approve", false},
	}
	for _, tt := range tests {
		if got := typedAction(tt.text); got != tt.want {
			t.Errorf("typedAction(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// Without a card template, an alert's supervisor buttons become the
// commands that do the same, in the reader's language.
func TestMarkdownAlertCommands(t *testing.T) {
	card := &bot.Card{Title: "升级提醒", Buttons: []bot.Button{
		{Label: "延期", Action: "extend:L7"},
		{Label: "改派", Action: "reassign:L7"},
		{Label: "退回公海", Action: "return:L7"},
	}}
	for lang, want := range map[i18n.Lang][]string{
		i18n.ZH: {"`延期 L7`", "`改派 L7`", "`退回 L7`"},
		i18n.EN: {"`extend L7`", "`reassign L7`", "`return L7`"},
	} {
		_, text := markdown(bot.Message{Card: card}, lang)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s markdown = %q, want it to show %s", lang, text, w)
			}
		}
	}
}

// Without a card template, a health digest's buttons become "改派 L4"
// for an uncovered account and the move's action, which Stream takes as
// a click.
func TestMarkdownHealthDigestCommands(t *testing.T) {
	card := &bot.Card{Title: "east 团队健康周报 12-07", Buttons: []bot.Button{
		{Label: "改派 L4", Action: "cover:L4"},
		{Label: "执行 L3", Action: "move:L3:r1>r2"},
	}}
	for lang, want := range map[i18n.Lang][]string{
		i18n.ZH: {"`改派 L4`", "`move:L3:r1>r2`"},
		i18n.EN: {"`reassign L4`", "`move:L3:r1>r2`"},
	} {
		_, text := markdown(bot.Message{Card: card}, lang)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s markdown = %q, want it to show %s", lang, text, w)
			}
		}
	}
}
