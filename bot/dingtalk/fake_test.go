package dingtalk

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is DingTalk as the adapter meets it: the Stream gateway with
// single-use tickets and a websocket that speaks the real frame format,
// and the OpenAPI, recording every call.
type gateway struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	tickets  map[string]bool
	opens    int
	attempts int // connection opens asked for, granted or not
	conns    []*gwConn
	acks     map[string][]ack
	tokens   map[string]bool
	issued   int
	calls    []apiCall
	throttle int      // next OpenAPI calls answered 403
	flow     []string // staff ids put under flow control once
	badCreds bool
	noPong   bool // new connections ignore pings
}

// ack is a frame acknowledgement the client wrote.
type ack struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Message string            `json:"message"`
	Data    string            `json:"data"`
}

// apiCall is one recorded OpenAPI request.
type apiCall struct {
	Method, Path, Token string
	Body                json.RawMessage
}

// gwConn is the gateway's end of one websocket.
type gwConn struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	closed chan struct{}
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{t: t, tickets: map[string]bool{}, acks: map[string][]ack{}, tokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/gateway/connections/open", g.open)
	mux.HandleFunc("GET /connect", g.connect)
	mux.HandleFunc("POST /v1.0/oauth2/accessToken", g.token)
	mux.HandleFunc("POST /robot/sendBySession", g.session)
	mux.HandleFunc("/v1.0/", g.api)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		g.mu.Lock()
		for _, c := range g.conns {
			c.ws.Close()
		}
		g.mu.Unlock()
		g.srv.Close()
	})
	return g
}

func (g *gateway) config() Config {
	return Config{ClientID: "cid", ClientSecret: "csecret", APIBase: g.srv.URL}
}

func (g *gateway) open(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID      string `json:"clientId"`
		ClientSecret  string `json:"clientSecret"`
		Subscriptions []struct{ Type, Topic string }
	}
	err := json.NewDecoder(r.Body).Decode(&in)
	g.mu.Lock()
	g.attempts++
	g.mu.Unlock()
	if err != nil || in.ClientID != "cid" || in.ClientSecret != "csecret" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":"authFailed","message":"鉴权失败"}`)
		return
	}
	g.mu.Lock()
	g.opens++
	ticket := fmt.Sprintf("ticket-%d", g.opens)
	g.tickets[ticket] = true
	g.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]string{"endpoint": "ws://" + r.Host + "/connect",
		"ticket": ticket})
}

func (g *gateway) connect(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	g.mu.Lock()
	ok := g.tickets[ticket]
	delete(g.tickets, ticket)
	g.mu.Unlock()
	if !ok {
		http.Error(w, `{"code":"invalidTicket"}`, http.StatusUnauthorized)
		return
	}
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws, closed: make(chan struct{})}
	g.mu.Lock()
	g.conns = append(g.conns, c)
	if g.noPong {
		ws.SetPingHandler(func(string) error { return nil })
	}
	g.mu.Unlock()
	// Reading keeps gorilla answering the client's pings.
	go func() {
		defer close(c.closed)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var a ack
			if json.Unmarshal(msg, &a) == nil {
				g.mu.Lock()
				id := a.Headers["messageId"]
				g.acks[id] = append(g.acks[id], a)
				g.mu.Unlock()
			}
		}
	}()
}

// waitConn waits for the n-th websocket (counting from 1).
func (g *gateway) waitConn(n int) *gwConn {
	g.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		if len(g.conns) >= n {
			c := g.conns[n-1]
			g.mu.Unlock()
			return c
		}
		g.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	g.t.Fatalf("connection %d never opened", n)
	return nil
}

// push writes a frame to the connection.
func (c *gwConn) push(t *testing.T, frame map[string]any) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteJSON(frame); err != nil {
		t.Fatalf("push frame: %v", err)
	}
}

// frame builds a server frame: every header a string, data a JSON string.
func frame(typ, topic, id string, data any) map[string]any {
	b, _ := json.Marshal(data)
	return map[string]any{
		"specVersion": "1.0", "type": typ,
		"headers": map[string]string{"topic": topic, "messageId": id, "contentType": "application/json",
			"time": "1690362102194", "appId": "app"},
		"data": string(b),
	}
}

// waitAck waits for the acknowledgement of frame id.
func (g *gateway) waitAck(id string) ack {
	g.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		as := g.acks[id]
		g.mu.Unlock()
		if len(as) > 0 {
			return as[len(as)-1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.t.Fatalf("frame %s never acknowledged", id)
	return ack{}
}

func (g *gateway) token(w http.ResponseWriter, r *http.Request) {
	var in struct{ AppKey, AppSecret string }
	json.NewDecoder(r.Body).Decode(&in)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.badCreds || in.AppKey != "cid" || in.AppSecret != "csecret" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":"invalidClientIdOrSecret","message":"无效的clientId或者clientSecret","requestid":"r1"}`)
		return
	}
	g.issued++
	tok := fmt.Sprintf("tok-%d", g.issued)
	g.tokens[tok] = true
	json.NewEncoder(w).Encode(map[string]any{"accessToken": tok, "expireIn": 7200})
}

// expireTokens makes every token issued so far invalid.
func (g *gateway) expireTokens() {
	g.mu.Lock()
	g.tokens = map[string]bool{}
	g.mu.Unlock()
}

func (g *gateway) session(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.record(r, body)
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (g *gateway) record(r *http.Request, body []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, apiCall{Method: r.Method, Path: r.URL.Path,
		Token: r.Header.Get("x-acs-dingtalk-access-token"), Body: body})
}

func (g *gateway) api(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	valid := g.tokens[r.Header.Get("x-acs-dingtalk-access-token")]
	throttled := g.throttle > 0
	if valid && throttled {
		g.throttle--
	}
	flow := g.flow
	g.mu.Unlock()
	switch {
	case !valid:
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":"InvalidAuthentication","message":"不合法的access_token","requestid":"r2"}`)
		return
	case throttled:
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"code":"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi","message":"调用频率超限"}`)
		return
	}
	g.record(r, body)

	switch r.Method + " " + r.URL.Path {
	case "POST /v1.0/robot/oToMessages/batchSend":
		var in struct{ UserIds []string }
		json.Unmarshal(body, &in)
		out := map[string]any{"processQueryKey": "pqk"}
		if len(flow) > 0 && strings.Join(in.UserIds, ",") == strings.Join(flow, ",") {
			out["flowControlledStaffIdList"] = flow
			g.mu.Lock()
			g.flow = nil
			g.mu.Unlock()
		}
		json.NewEncoder(w).Encode(out)
	case "POST /v1.0/robot/groupMessages/send":
		io.WriteString(w, `{"processQueryKey":"pqk"}`)
	case "POST /v1.0/card/instances/createAndDeliver":
		var in struct{ OutTrackID, OpenSpaceID string }
		json.Unmarshal(body, &in)
		json.NewEncoder(w).Encode(map[string]any{"success": true, "result": map[string]any{
			"outTrackId": in.OutTrackID, "deliverResults": []map[string]any{
				{"spaceType": "IM_ROBOT", "spaceId": in.OpenSpaceID, "success": true, "carrierId": "c1"}}}})
	case "PUT /v1.0/card/instances":
		io.WriteString(w, `{"success":true,"result":true}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":"notFound","message":"no such api"}`)
	}
}

// callsTo returns the recorded calls to path.
func (g *gateway) callsTo(path string) []apiCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []apiCall
	for _, c := range g.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls waits until path has had n calls and returns them.
func (g *gateway) waitCalls(path string, n int) []apiCall {
	g.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cs := g.callsTo(path); len(cs) >= n {
			return cs
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.t.Fatalf("%s called %d times, want %d", path, len(g.callsTo(path)), n)
	return nil
}
