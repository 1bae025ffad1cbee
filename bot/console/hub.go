package console

import (
	"sync"

	"github.com/leadbot/leadbot/engine"
)

// hub tells the browsers watching a user that their feed changed.
type hub struct {
	mu   sync.Mutex
	subs map[engine.RepID]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[engine.RepID]map[chan struct{}]struct{}{}} }

func (h *hub) subscribe(user engine.RepID) chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[user] == nil {
		h.subs[user] = map[chan struct{}]struct{}{}
	}
	h.subs[user][ch] = struct{}{}
	return ch
}

func (h *hub) unsubscribe(user engine.RepID, ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[user], ch)
	if len(h.subs[user]) == 0 {
		delete(h.subs, user)
	}
}

// notify wakes every watcher of user; a watcher already woken stays so.
func (h *hub) notify(user engine.RepID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[user] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
