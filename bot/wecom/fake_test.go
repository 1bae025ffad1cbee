package wecom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeWeCom is a WeCom API peer speaking the real JSON shapes:
// gettoken, message/send and update_template_card, with errcodes.
type fakeWeCom struct {
	t      testing.TB
	corpID string
	secret string
	srv    *httptest.Server

	mu      sync.Mutex
	token   string
	tokens  int             // gettoken calls
	calls   map[string]int  // API calls by path, including refused ones
	users   map[string]bool // userids WeCom knows
	sent    []json.RawMessage
	sentAt  []time.Time // when each was sent, by stamp
	stamp   func() time.Time
	updates []json.RawMessage
	codes   map[string]string // unused response_code to task_id
	next    int
	failIn  map[string]int  // path to errcode for its next call
	robots  map[string]bool // group robot webhook keys
	posts   []json.RawMessage
}

func newFakeWeCom(t testing.TB, corpID, secret string, users ...string) *fakeWeCom {
	t.Helper()
	f := &fakeWeCom{t: t, corpID: corpID, secret: secret, calls: map[string]int{},
		users: map[string]bool{}, codes: map[string]string{}, failIn: map[string]int{}}
	for _, u := range users {
		f.users[u] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", f.gettoken)
	mux.HandleFunc("POST /cgi-bin/message/send", f.send)
	mux.HandleFunc("POST /cgi-bin/message/update_template_card", f.update)
	mux.HandleFunc("POST /cgi-bin/webhook/send", f.webhook)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeCom) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeWeCom) gettoken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens++
	if code := f.failIn[r.URL.Path]; code != 0 {
		delete(f.failIn, r.URL.Path)
		f.reply(w, map[string]any{"errcode": code, "errmsg": "injected"})
		return
	}
	q := r.URL.Query()
	if q.Get("corpid") != f.corpID || q.Get("corpsecret") != f.secret {
		f.reply(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
		return
	}
	if f.token == "" {
		f.next++
		f.token = fmt.Sprintf("tok-%d", f.next)
	}
	f.reply(w, map[string]any{"errcode": 0, "errmsg": "ok",
		"access_token": f.token, "expires_in": 7200})
}

// expire invalidates the current token, as WeCom may before expires_in.
func (f *fakeWeCom) expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = ""
}

// failNext makes the next call to path answer errcode.
func (f *fakeWeCom) failNext(path string, errcode int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failIn[path] = errcode
}

// admit counts a call and answers it with an error when it carries a bad
// token or a failure is due; it reports whether the call may go on.
func (f *fakeWeCom) admit(w http.ResponseWriter, r *http.Request) bool {
	f.calls[r.URL.Path]++
	tok := r.URL.Query().Get("access_token")
	switch {
	case tok == "":
		f.reply(w, map[string]any{"errcode": 41001, "errmsg": "access_token missing"})
	case tok != f.token:
		f.reply(w, map[string]any{"errcode": 42001, "errmsg": "access_token expired"})
	case f.failIn[r.URL.Path] != 0:
		f.reply(w, map[string]any{"errcode": f.failIn[r.URL.Path], "errmsg": "injected"})
		delete(f.failIn, r.URL.Path)
	default:
		return true
	}
	return false
}

func (f *fakeWeCom) send(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.admit(w, r) {
		return
	}
	var req struct {
		ToUser       string          `json:"touser"`
		MsgType      string          `json:"msgtype"`
		AgentID      json.RawMessage `json:"agentid"` // number or string
		TemplateCard *struct {
			TaskID string `json:"task_id"`
		} `json:"template_card"`
	}
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || json.Unmarshal(raw, &req) != nil {
		f.reply(w, map[string]any{"errcode": 40058, "errmsg": "invalid json"})
		return
	}
	if !f.users[req.ToUser] {
		f.reply(w, map[string]any{"errcode": 81013, "errmsg": "user & party & tag all invalid",
			"invaliduser": req.ToUser})
		return
	}
	f.sent = append(f.sent, raw)
	if f.stamp != nil {
		f.sentAt = append(f.sentAt, f.stamp())
	}
	f.next++
	out := map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": "",
		"msgid": fmt.Sprintf("msg-%d", f.next)}
	if req.MsgType == "template_card" && req.TemplateCard != nil {
		code := fmt.Sprintf("rc-send-%d", f.next)
		f.codes[code] = req.TemplateCard.TaskID
		out["response_code"] = code
	}
	f.reply(w, out)
}

func (f *fakeWeCom) update(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.admit(w, r) {
		return
	}
	var raw json.RawMessage
	var req struct {
		ResponseCode string `json:"response_code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || json.Unmarshal(raw, &req) != nil {
		f.reply(w, map[string]any{"errcode": 40058, "errmsg": "invalid json"})
		return
	}
	if _, ok := f.codes[req.ResponseCode]; !ok {
		f.reply(w, map[string]any{"errcode": 60140, "errmsg": "response_code invalid or used"})
		return
	}
	delete(f.codes, req.ResponseCode)
	f.updates = append(f.updates, raw)
	f.reply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// webhook is a group robot: it knows its keys and, like WeCom, answers
// every error as a 200 with an errcode.
func (f *fakeWeCom) webhook(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[r.URL.Path]++
	if code := f.failIn[r.URL.Path]; code != 0 {
		delete(f.failIn, r.URL.Path)
		f.reply(w, map[string]any{"errcode": code, "errmsg": "injected"})
		return
	}
	if !f.robots[r.URL.Query().Get("key")] {
		f.reply(w, map[string]any{"errcode": 93000, "errmsg": "invalid webhook url"})
		return
	}
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		f.reply(w, map[string]any{"errcode": 40058, "errmsg": "invalid json"})
		return
	}
	f.posts = append(f.posts, raw)
	f.reply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

func (f *fakeWeCom) groupPosts() []json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]json.RawMessage(nil), f.posts...)
}

// click issues a response code for a click on the card taskID, as WeCom
// does when it calls back.
func (f *fakeWeCom) click(taskID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	code := fmt.Sprintf("rc-click-%d", f.next)
	f.codes[code] = taskID
	return code
}

func (f *fakeWeCom) sentMessages() []json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]json.RawMessage(nil), f.sent...)
}

func (f *fakeWeCom) updated() []json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]json.RawMessage(nil), f.updates...)
}

func (f *fakeWeCom) counts() (tokens int, calls map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := map[string]int{}
	for k, v := range f.calls {
		c[k] = v
	}
	return f.tokens, c
}

// clock is a settable engine.Clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
