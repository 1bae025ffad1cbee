// Package wecomfake is a WeCom API server for tests: gettoken and
// message/send over HTTP, speaking WeCom's JSON, answering errors as a
// 200 with an errcode, and applying message/send's duplicate check as
// WeCom documents it. It records every message a member would receive,
// so that a test can count deliveries, including those of a process
// under test that runs elsewhere.
//
// It is for tests only and imports nothing of Leadbot.
package wecomfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Duplicate check limits from message/send's reference
// (developer.work.weixin.qq.com/document/path/90236): the interval is
// 1800 s unless given, and at most 4 hours.
const (
	defaultDuplicateInterval = 1800 * time.Second
	maxDuplicateInterval     = 4 * time.Hour
)

// Message is an app message a member received.
type Message struct {
	ToUser  string
	MsgType string
	// Text is a text message's content; Title and Desc are a template
	// card's main title and sub-title text; TaskID is the card's task_id.
	Text   string
	Title  string
	Desc   string
	TaskID string
	// Raw is the request body.
	Raw json.RawMessage
	At  time.Time
}

// Server is a running fake. Its zero value is not usable: call New.
type Server struct {
	// URL is the API base to configure, such as http://127.0.0.1:1234.
	URL string

	srv    *httptest.Server
	corpID string
	secret string
	clock  func() time.Time

	mu         sync.Mutex
	token      string
	users      map[string]bool
	next       int
	delivered  []Message
	suppressed int
	seen       map[string]answer // canonical request to its first answer
	onDeliver  func(n int)
}

type answer struct {
	at  time.Time
	out map[string]any
}

// New starts a fake for the corp and app secret that knows the users.
// Close it when done.
func New(corpID, secret string, users ...string) *Server {
	s := &Server{corpID: corpID, secret: secret, clock: time.Now,
		users: map[string]bool{}, seen: map[string]answer{}}
	s.AddUsers(users...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", s.gettoken)
	mux.HandleFunc("POST /cgi-bin/message/send", s.send)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetClock makes the duplicate check read now instead of the wall clock.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

// AddUsers makes userids known members.
func (s *Server) AddUsers(users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range users {
		s.users[u] = true
	}
}

// OnDeliver calls fn with the number of messages delivered so far each
// time one is, before the sender gets its answer: a test may stop the
// sender there, after WeCom took a message but before the sender knew.
// fn runs with the server locked and must not call it.
func (s *Server) OnDeliver(fn func(n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onDeliver = fn
}

// Delivered returns the messages members received, in order.
func (s *Server) Delivered() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.delivered...)
}

// Count is how many messages members received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.delivered)
}

// Suppressed is how many requests the duplicate check dropped.
func (s *Server) Suppressed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.suppressed
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) gettoken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	if q.Get("corpid") != s.corpID {
		reply(w, map[string]any{"errcode": 40013, "errmsg": "invalid corpid"})
		return
	}
	if q.Get("corpsecret") != s.secret {
		reply(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
		return
	}
	if s.token == "" {
		s.next++
		s.token = fmt.Sprintf("tok-%d", s.next)
	}
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok",
		"access_token": s.token, "expires_in": 7200})
}

// sendRequest is what the fake reads of message/send's body.
type sendRequest struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	TemplateCard *struct {
		TaskID    string `json:"task_id"`
		MainTitle struct {
			Title string `json:"title"`
		} `json:"main_title"`
		SubTitleText string `json:"sub_title_text"`
	} `json:"template_card"`
	DuplicateCheck         int `json:"enable_duplicate_check"`
	DuplicateCheckInterval int `json:"duplicate_check_interval"`
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch tok := r.URL.Query().Get("access_token"); {
	case tok == "":
		reply(w, map[string]any{"errcode": 41001, "errmsg": "access_token missing"})
		return
	case tok != s.token:
		reply(w, map[string]any{"errcode": 40014, "errmsg": "invalid access_token"})
		return
	}
	var raw json.RawMessage
	var req sendRequest
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || json.Unmarshal(raw, &req) != nil {
		reply(w, map[string]any{"errcode": 40058, "errmsg": "invalid json"})
		return
	}
	if !s.users[req.ToUser] {
		reply(w, map[string]any{"errcode": 81013, "errmsg": "user & party & tag all invalid",
			"invaliduser": req.ToUser})
		return
	}

	now := s.clock()
	key := canonical(raw)
	if req.DuplicateCheck == 1 {
		// WeCom: with the check on, a message of the same content (the
		// request JSON) within the interval is not received again. What
		// the call answers then is not documented; the fake answers as
		// it did the first time.
		if prev, ok := s.seen[key]; ok && now.Sub(prev.at) < interval(req) {
			s.suppressed++
			reply(w, prev.out)
			return
		}
	}

	s.next++
	out := map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": "",
		"msgid": fmt.Sprintf("msg-%d", s.next)}
	m := Message{ToUser: req.ToUser, MsgType: req.MsgType, Raw: raw, At: now}
	switch {
	case req.Text != nil:
		m.Text = req.Text.Content
	case req.TemplateCard != nil:
		m.TaskID = req.TemplateCard.TaskID
		m.Title = req.TemplateCard.MainTitle.Title
		m.Desc = req.TemplateCard.SubTitleText
		out["response_code"] = fmt.Sprintf("rc-%d", s.next)
	}
	s.delivered = append(s.delivered, m)
	s.seen[key] = answer{at: now, out: out}
	if s.onDeliver != nil {
		s.onDeliver(len(s.delivered))
	}
	reply(w, out)
}

// interval is the request's duplicate check interval.
func interval(req sendRequest) time.Duration {
	d := time.Duration(req.DuplicateCheckInterval) * time.Second
	if d <= 0 {
		d = defaultDuplicateInterval
	}
	return min(d, maxDuplicateInterval)
}

// canonical is a JSON document with its keys sorted and no spacing, so
// that the same content compares equal however it was written.
func canonical(raw json.RawMessage) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
