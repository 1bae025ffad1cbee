package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// memInbox is Inbox in memory.
type memInbox struct {
	mu   sync.Mutex
	seen map[string]bool
	fail error
}

func (b *memInbox) Seen(_ context.Context, platform, id string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return false, b.fail
	}
	k := platform + "/" + id
	first := !b.seen[k]
	b.seen[k] = true
	return first, nil
}

func (b *memInbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.seen)
}

// callbackFixture is a handler over a real chat core and store, sending
// through a fake WeCom.
type callbackFixture struct {
	h     *Handler
	ch    *Channel
	wecom *fakeWeCom
	inbox *memInbox
	store *storage.Store
	svc   *engine.Service
	rend  *bot.Renderer
	clock *clock
}

// The store is what cmd/leadbot hands the handler.
var (
	_ Inbox = (*storage.Store)(nil)
	_ Reps  = (*storage.Store)(nil)
)

func newCallbackFixture(t *testing.T) *callbackFixture {
	t.Helper()
	ctx := context.Background()
	s := storagetest.Open(t, "sqlite")
	c := &clock{t: time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)}
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
	for _, r := range []engine.Rep{
		{ID: "r1", Name: "张三", WeComUserID: "zhangsan"},
		{ID: "r2", Name: "李四", WeComUserID: "lisi"},
	} {
		r.Role, r.Team, r.Capacity, r.Active = engine.RoleRep, "east", 5, true
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	in := engine.LeadInput{ExternalID: "x", Profile: engine.Profile{Company: "公司 x"}}
	if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}

	f := newFakeWeCom(t, testCorp, testSecret, "zhangsan", "lisi", "stranger")
	ch := NewChannel(testConfig(f.srv.URL), Options{Clock: c})
	rend := bot.NewRenderer(s, i18n.ZH, time.UTC)
	core := bot.NewCore(svc, rend, nil)
	inbox := &memInbox{seen: map[string]bool{}}
	h, err := NewHandler(testConfig(f.srv.URL),
		HandlerOptions{Core: core, Reps: s, Inbox: inbox, Channel: ch, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	return &callbackFixture{h: h, ch: ch, wecom: f, inbox: inbox, store: s, svc: svc, rend: rend,
		clock: c}
}

// callback is one signed, encrypted POST as WeCom sends it.
type callback struct {
	plain     string
	receiveID string
	timestamp time.Time
	token     string // signs it; testToken unless set
}

func (f *callbackFixture) post(t *testing.T, cb callback) *httptest.ResponseRecorder {
	t.Helper()
	if cb.receiveID == "" {
		cb.receiveID = testCorp
	}
	if cb.timestamp.IsZero() {
		cb.timestamp = f.clock.Now()
	}
	if cb.token == "" {
		cb.token = testToken
	}
	enc := encrypt(t, testAESKey, cb.receiveID, []byte(cb.plain))
	ts, nonce := strconv.FormatInt(cb.timestamp.Unix(), 10), "1372623149"
	q := url.Values{"msg_signature": {util.Signature(cb.token, ts, nonce, enc)},
		"timestamp": {ts}, "nonce": {nonce}}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, postRequest(q, testCorp, enc))
	f.h.Wait()
	return w
}

// postRequest is a callback POST carrying the ciphertext enc.
func postRequest(q url.Values, corp, enc string) *http.Request {
	body := "<xml><ToUserName><![CDATA[" + corp + "]]></ToUserName>" +
		"<AgentID><![CDATA[1000002]]></AgentID>" +
		"<Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	target := "/wecom/callback?" + q.Encode()
	return httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
}

// header is the start of a decrypted callback from a user.
func header(from, msgType string) string {
	return "<xml><ToUserName><![CDATA[" + testCorp + "]]></ToUserName>" +
		"<FromUserName><![CDATA[" + from + "]]></FromUserName>" +
		"<CreateTime>1764813600</CreateTime>" +
		"<MsgType><![CDATA[" + msgType + "]]></MsgType>"
}

func textMsg(from, content string, msgID int) string {
	return header(from, "text") + fmt.Sprintf("<Content><![CDATA[%s]]></Content>"+
		"<MsgId>%d</MsgId><AgentID>1000002</AgentID></xml>", content, msgID)
}

func clickEvent(from, key, task, code string) string {
	return header(from, "event") + fmt.Sprintf(
		"<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[%s]]></EventKey>"+
			"<TaskId><![CDATA[%s]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>"+
			"<ResponseCode><![CDATA[%s]]></ResponseCode><AgentID>1000002</AgentID></xml>",
		key, task, code)
}

// sentTexts returns what the fake received, as text content or a card's
// title and subtitle, one line per message.
func (f *callbackFixture) sentTexts(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, raw := range f.wecom.sentMessages() {
		var m struct {
			ToUser string `json:"touser"`
			Text   struct {
				Content string `json:"content"`
			} `json:"text"`
			TemplateCard templateCard `json:"template_card"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		tc := m.TemplateCard
		out = append(out, m.ToUser+": "+m.Text.Content+tc.MainTitle.Title+tc.SubTitleText)
	}
	return out
}

func (f *callbackFixture) lead(t *testing.T) engine.Lead {
	t.Helper()
	l, err := f.svc.Lead(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCallbackCommand(t *testing.T) {
	f := newCallbackFixture(t)
	for range 2 { // WeCom's retry of the same MsgId
		w := f.post(t, callback{plain: textMsg("zhangsan", "抢单 1", 42)})
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("POST = %d %q, want an empty 200", w.Code, w.Body)
		}
	}
	if l := f.lead(t); l.Assignee != "r1" {
		t.Errorf("lead 1 assignee = %q, want r1", l.Assignee)
	}
	got := f.sentTexts(t)
	if len(got) != 1 || !strings.HasPrefix(got[0], "zhangsan: ") ||
		!strings.Contains(got[0], "已抢到 L1") {
		t.Errorf("replies = %q, want one to zhangsan saying 已抢到 L1", got)
	}
}

func TestCallbackStranger(t *testing.T) {
	f := newCallbackFixture(t)
	if w := f.post(t, callback{plain: textMsg("stranger", "抢单 1", 7)}); w.Code != http.StatusOK {
		t.Fatalf("POST = %d, want 200", w.Code)
	}
	want := "stranger: " + i18n.T(i18n.ZH, "error.unknown_user", nil)
	if got := f.sentTexts(t); len(got) != 1 || got[0] != want {
		t.Errorf("replies = %q, want [%q]", got, want)
	}
	if l := f.lead(t); l.Assignee != "" {
		t.Errorf("lead 1 assignee = %q after a stranger's claim, want none", l.Assignee)
	}
}

// A click claims the lead, redraws the clicked card with the click's
// code and says so in a text; the click delivered again does nothing.
func TestCallbackClick(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	r1, err := f.store.Rep(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	card := &bot.Card{Key: "L1:r1", Title: "公海线索 L1",
		Buttons: []bot.Button{{Label: "抢单", Action: "claim:L1"}}}
	task, err := f.ch.Send(ctx, r1, bot.Message{Card: card})
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, _ = f.ch.codes.Take(ctx, task) // the send's code is spent elsewhere

	code := f.wecom.click(task)
	for range 2 {
		w := f.post(t, callback{plain: clickEvent("zhangsan", "claim:L1", task, code)})
		if w.Code != http.StatusOK {
			t.Fatalf("POST click = %d, want 200", w.Code)
		}
	}
	if l := f.lead(t); l.Assignee != "r1" {
		t.Errorf("lead 1 assignee = %q, want r1", l.Assignee)
	}
	ups := f.wecom.updated()
	if len(ups) != 1 || !strings.Contains(string(ups[0]), `"task_id":"`+task+`"`) ||
		!strings.Contains(string(ups[0]), `"response_code":"`+code+`"`) {
		t.Errorf("updates = %s, want one redraw of %s with the click's code", ups, task)
	}
	got := f.sentTexts(t)
	if len(got) != 2 || !strings.Contains(got[1], "已抢到 L1") {
		t.Errorf("messages = %q, want the card and then a text saying 已抢到 L1", got)
	}
}

// A callback that does not check out is refused with a 4xx and has no
// effect: nothing recorded, nothing claimed, nothing sent.
func TestCallbackRefused(t *testing.T) {
	claim := textMsg("zhangsan", "抢单 1", 43)
	tests := []struct {
		name string
		cb   func(now time.Time) callback
	}{
		{"bad signature", func(time.Time) callback {
			return callback{plain: claim, token: "not-the-token"}
		}},
		{"other receiveid", func(time.Time) callback {
			return callback{plain: claim, receiveID: "wwother"}
		}},
		{"stale timestamp", func(now time.Time) callback {
			return callback{plain: claim, timestamp: now.Add(-6 * time.Minute)}
		}},
		{"future timestamp", func(now time.Time) callback {
			return callback{plain: claim, timestamp: now.Add(6 * time.Minute)}
		}},
		{"not xml inside", func(time.Time) callback { return callback{plain: "hello"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newCallbackFixture(t)
			w := f.post(t, tt.cb(f.clock.Now()))
			if w.Code < 400 || w.Code > 499 {
				t.Errorf("POST = %d, want 4xx", w.Code)
			}
			if n := f.inbox.count(); n != 0 {
				t.Errorf("inbox recorded %d deliveries, want 0", n)
			}
			if l := f.lead(t); l.Assignee != "" {
				t.Errorf("lead 1 assignee = %q, want none", l.Assignee)
			}
			if got := f.wecom.sentMessages(); len(got) != 0 {
				t.Errorf("fake got %d messages, want 0", len(got))
			}
		})
	}
}

func TestCallbackMalformed(t *testing.T) {
	f := newCallbackFixture(t)
	tests := []struct {
		name, method, target, body string
		want                       int
	}{
		{"no envelope", http.MethodPost, "/wecom/callback?timestamp=1", "junk", http.StatusBadRequest},
		{"no timestamp", http.MethodPost, "/wecom/callback",
			"<xml><Encrypt>" + katPostEnc + "</Encrypt></xml>", http.StatusBadRequest},
		{"put", http.MethodPut, "/wecom/callback", "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
			if w.Code != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.target, w.Code, tt.want)
			}
		})
	}
}

// When the inbox cannot record a delivery nothing happens and WeCom is
// told to try again.
func TestCallbackInboxDown(t *testing.T) {
	f := newCallbackFixture(t)
	f.inbox.fail = errors.New("database is locked")
	w := f.post(t, callback{plain: textMsg("zhangsan", "抢单 1", 44)})
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("POST = %d, want 503", w.Code)
	}
	if l := f.lead(t); l.Assignee != "" {
		t.Errorf("lead 1 assignee = %q, want none", l.Assignee)
	}
}

// The handler passes Tencent's own vectors: URL verification answers the
// decrypted echostr, and the sample message decrypts and is acted on.
func TestCallbackKnownAnswers(t *testing.T) {
	f := newFakeWeCom(t, katCorp, testSecret)
	cfg := Config{CorpID: katCorp, AgentID: 218, Secret: testSecret, Token: katToken,
		AESKey: katAESKey, APIBase: f.srv.URL}
	sec, _ := strconv.ParseInt(katGetTS, 10, 64)
	c := &clock{t: time.Unix(sec, 0).Add(time.Minute)}
	inbox := &memInbox{seen: map[string]bool{}}
	s := storagetest.Open(t, "sqlite")
	svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: engine.DefaultPolicy})
	core := bot.NewCore(svc, bot.NewRenderer(s, i18n.ZH, time.UTC), nil)
	h, err := NewHandler(cfg, HandlerOptions{Core: core, Reps: s, Inbox: inbox,
		Channel: NewChannel(cfg, Options{Clock: c}), Clock: c})
	if err != nil {
		t.Fatal(err)
	}

	q := url.Values{"msg_signature": {katGetSig}, "timestamp": {katGetTS},
		"nonce": {katGetNon}, "echostr": {katEcho}}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/wecom/callback?"+q.Encode(), nil))
	if w.Code != http.StatusOK || w.Body.String() != katGetText {
		t.Errorf("GET verification = %d %q, want 200 %q", w.Code, w.Body, katGetText)
	}

	q.Set("nonce", "1")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/wecom/callback?"+q.Encode(), nil))
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), katGetText) {
		t.Errorf("GET with a bad signature = %d %q, want 403 without the echo", w.Code, w.Body)
	}

	q = url.Values{"msg_signature": {katPostSig}, "timestamp": {katPostTS}, "nonce": {katPostNon}}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, postRequest(q, katCorp, katPostEnc))
	h.Wait()
	if w.Code != http.StatusOK {
		t.Errorf("POST vector = %d, want 200", w.Code)
	}
	if !inbox.seen["wecom/msg:4561255354251345929"] {
		t.Errorf("inbox = %v, want the vector's MsgId recorded", inbox.seen)
	}
}

// Through the outbox: pool cards go to both reps; one claims by a click,
// and the other's card is redrawn with the code its send brought.
func TestOutboxCards(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	snd := bot.NewSender(f.store, f.store, f.rend, []bot.Channel{f.ch},
		bot.SenderOptions{Clock: f.clock})
	snd.Pass(ctx)

	tasks := map[string]string{}
	for _, raw := range f.wecom.sentMessages() {
		var m struct {
			ToUser       string       `json:"touser"`
			TemplateCard templateCard `json:"template_card"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		tasks[m.ToUser] = m.TemplateCard.TaskID
	}
	if tasks["zhangsan"] == "" || tasks["lisi"] == "" {
		t.Fatalf("pool cards went to %v, want zhangsan and lisi", tasks)
	}

	task := tasks["zhangsan"]
	f.post(t, callback{plain: clickEvent("zhangsan", "claim:L1", task, f.wecom.click(task))})
	snd.Pass(ctx)

	redrawn := map[string]string{}
	for _, raw := range f.wecom.updated() {
		var u struct {
			UserIDs      []string     `json:"userids"`
			TemplateCard templateCard `json:"template_card"`
		}
		if err := json.Unmarshal(raw, &u); err != nil {
			t.Fatal(err)
		}
		redrawn[u.UserIDs[0]] = u.TemplateCard.MainTitle.Desc
	}
	if len(redrawn) != 2 || !strings.Contains(redrawn["lisi"], "张三") {
		t.Errorf("redrawn cards = %q, want both, lisi's naming 张三", redrawn)
	}
}
