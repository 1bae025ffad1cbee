package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// leadbotBinary builds the command once per test run.
func leadbotBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "leadbot-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "leadbot")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a running leadbot serve.
type process struct {
	cmd    *exec.Cmd
	base   string
	stderr *lockedBuffer
	done   chan error
}

// startServe runs leadbot serve in dir with nothing configured but the
// listen address, a token and any extra variables.
func startServe(t *testing.T, dir string, extra ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(leadbotBinary(t), "serve")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"LEADBOT_HTTP_ADDR=" + addr, "LEADBOT_API_TOKEN=test-token"}, extra...)
	p := &process{cmd: cmd, base: "http://" + addr, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("leadbot serve not ready after 30s; stderr:\n%s", p.stderr)
	return nil
}

// lockedBuffer collects a child's output while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitLog waits until the process has logged text.
func (p *process) waitLog(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		if strings.Contains(p.stderr.String(), text) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q in the log after 20s:\n%s", text, p.stderr)
}

func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("leadbot serve exited with %v after SIGTERM; stderr:\n%s", err, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("leadbot serve still running 20s after SIGTERM")
	}
}

func (p *process) call(t *testing.T, method, path string, body io.Reader) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, p.base+path, body)
	req.Header.Set("Authorization", "Bearer test-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServeWithoutConfigKeepsDataOverRestart(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir)
	if code, b := p.call(t, "PUT", "/api/v1/reps/r1",
		strings.NewReader(`{"name":"张三","role":"rep","capacity":3}`)); code != 200 {
		t.Fatalf("PUT rep = %d %s", code, b)
	}
	code, b := p.call(t, "POST", "/api/v1/leads",
		strings.NewReader(`{"external_id":"crm-1","company":"华东某医院","expected_amount":900000,"close_probability":0.9}`))
	if code != http.StatusCreated {
		t.Fatalf("POST lead = %d %s", code, b)
	}
	var created struct{ ID, Status, Assignee string }
	json.Unmarshal(b, &created)
	p.stop(t)

	if _, err := os.Stat(filepath.Join(dir, "leadbot.db")); err != nil {
		t.Errorf("no leadbot.db in the working folder after serve: %v", err)
	}
	if !strings.Contains(p.stderr.String(), "leadbot stopped") {
		t.Errorf("serve did not log a clean stop; stderr:\n%s", p.stderr)
	}

	p = startServe(t, dir)
	code, b = p.call(t, "GET", "/api/v1/leads/"+created.ID, nil)
	var got struct{ ID, Status, Assignee string }
	json.Unmarshal(b, &got)
	if code != 200 || got.Status != "assigned" || got.Assignee != created.Assignee {
		t.Errorf("after restart GET %s = %d %s, want it assigned to %s", created.ID, code, b, created.Assignee)
	}
	p.stop(t)
}

// A request still sending its body when SIGTERM arrives is served in
// full before the process exits.
func TestSigtermLetsRequestsInFlightFinish(t *testing.T) {
	p := startServe(t, t.TempDir(), "LEADBOT_LOG_LEVEL=debug")
	pr, pw := io.Pipe()
	result := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("PUT", p.base+"/api/v1/reps/r9", pr)
		req.Header.Set("Authorization", "Bearer test-token")
		req.Header.Set("X-Request-ID", "in-flight")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			result <- 0
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	pw.Write([]byte(`{"name":"李四","role":"rep",`))
	// Once the server has read the headers, the request is in flight.
	p.waitLog(t, "request_id=in-flight method=PUT")

	p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitLog(t, "leadbot stopping")
	pw.Write([]byte(`"capacity":5}`))
	pw.Close()
	select {
	case code := <-result:
		if code != http.StatusOK {
			t.Errorf("request in flight during shutdown = %d, want 200; stderr:\n%s", code, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("request in flight got no answer 20s after SIGTERM; stderr:\n%s", p.stderr)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve exited with %v; stderr:\n%s", err, p.stderr)
		}
		p.done <- nil
	case <-time.After(20 * time.Second):
		t.Fatalf("serve still running 20s after SIGTERM; stderr:\n%s", p.stderr)
	}
}
