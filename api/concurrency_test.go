package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

func TestManyClaimsOfOneLead(t *testing.T) {
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		const n = 100
		for i := range n {
			e.putRep(fmt.Sprint("r", i), 5)
		}
		l := e.postLead("hot", 100, 0.5)

		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.call("POST", "/api/v1/leads/"+l.ID+"/claim",
					map[string]string{"rep_id": fmt.Sprint("r", i)}).Status
			}()
		}
		wg.Wait()

		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[200] != 1 || count[409] != n-1 {
			t.Errorf("statuses of %d claims = %v, want one 200 and %d 409", n, count, n-1)
		}
		id, _ := engine.ParseLeadID(l.ID)
		owners, err := e.store.Ownerships(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(owners) != 1 {
			t.Errorf("ownership rows = %d, want 1", len(owners))
		}
	})
}

// 1,000 claims over 100 leads by 10 reps with room for 10 each: every
// rep tries every lead, so each lead ends with exactly one owner and no
// rep goes past capacity.
func TestClaimsSpreadOverLeads(t *testing.T) {
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		const reps, leads, capacity = 10, 100, 10
		for i := range reps {
			e.putRep(fmt.Sprint("r", i), capacity)
		}
		var ids []string
		for i := range leads {
			ids = append(ids, e.postLead(fmt.Sprint("lead-", i), 100, 0.5).ID)
		}
		type claim struct{ lead, rep string }
		var claims []claim
		for _, id := range ids {
			for r := range reps {
				claims = append(claims, claim{id, fmt.Sprint("r", r)})
			}
		}
		rand.Shuffle(len(claims), func(i, j int) { claims[i], claims[j] = claims[j], claims[i] })

		work := make(chan claim)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range work {
					r := e.call("POST", "/api/v1/leads/"+c.lead+"/claim", map[string]string{"rep_id": c.rep})
					switch r.Status {
					case 200:
						mu.Lock()
						wins++
						mu.Unlock()
					case 409, 422:
					default:
						t.Errorf("claim %s by %s = %d %s", c.lead, c.rep, r.Status, r.Body)
					}
				}
			}()
		}
		for _, c := range claims {
			work <- c
		}
		close(work)
		wg.Wait()

		if wins != leads {
			t.Errorf("successful claims = %d, want %d", wins, leads)
		}
		for _, id := range ids {
			lid, _ := engine.ParseLeadID(id)
			owners, err := e.store.Ownerships(context.Background(), lid)
			if err != nil {
				t.Fatal(err)
			}
			if len(owners) != 1 {
				t.Errorf("lead %s has %d ownership rows, want 1", id, len(owners))
			}
		}
		all, err := e.store.Reps(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, r := range all {
			if r.OpenTasks > r.Capacity {
				t.Errorf("rep %s holds %d open tasks, capacity %d", r.ID, r.OpenTasks, r.Capacity)
			}
			total += r.OpenTasks
		}
		if total != leads {
			t.Errorf("open tasks over all reps = %d, want %d", total, leads)
		}
	})
}
