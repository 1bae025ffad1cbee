package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// checkpointStart is a Wednesday; the next checkpoint on "0 16 * * fri"
// falls on Friday 2026-12-04 16:00 UTC.
var checkpointStart = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func checkpointService(
	t *testing.T,
	s *storage.Store,
	clock *enginetest.Clock,
	spec string,
	quiet engine.QuietHours,
) *engine.Service {
	t.Helper()
	every, err := cron.ParseStandard("CRON_TZ=UTC " + spec)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Schedule.Quiet = quiet
	p.Checkpoints = engine.Checkpoints{Every: every}
	return engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
}

func dueLead(ext string, due time.Time) engine.LeadInput {
	in := lead(ext, 1000, 0.5)
	in.DueAt = &due
	return in
}

// checkpointTeam gives rep a four leads and rep b one, with deadlines
// around the checkpoint, and has a close one and report progress on
// two. Team east also has c (no work) and its lead and manager; x in
// team west has no work.
func checkpointTeam(t *testing.T, svc *engine.Service, clock *enginetest.Clock) []engine.Lead {
	t.Helper()
	ctx := context.Background()
	putTeamRep(t, svc, "a", "east", engine.RoleRep, 10)
	putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
	dues := []time.Time{
		time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC),  // overdue at the checkpoint
		time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC),  // due in the coming week
		time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC), // later
		time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),  // closed before it
	}
	var out []engine.Lead
	for i, due := range dues {
		l, _, err := svc.Intake(ctx, dueLead(fmt.Sprint("cp-", i+1), due), engine.ActorAPI)
		if err != nil || l.Assignee != "a" {
			t.Fatalf("intake cp-%d = %+v, %v", i+1, l, err)
		}
		out = append(out, l)
	}
	if _, err := svc.Progress(ctx, out[1].ID, "a", 40, "visit booked"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Progress(ctx, out[2].ID, "a", 20, "called"); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC))
	if _, err := svc.Close(ctx, out[3].ID, "a", engine.Won, nil); err != nil {
		t.Fatal(err)
	}
	a, _ := svc.Store().Rep(ctx, "a")
	a.Capacity = a.OpenTasks // full: the next lead goes to b
	if _, err := svc.PutRep(ctx, a, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	putTeamRep(t, svc, "b", "east", engine.RoleRep, 10)
	putTeamRep(t, svc, "c", "east", engine.RoleRep, 10)
	putTeamRep(t, svc, "x", "west", engine.RoleRep, 10)
	c, _ := svc.Store().Rep(ctx, "c")
	c.Away = true // c's work would go elsewhere; b takes the lead
	if _, err := svc.PutRep(ctx, c, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	x, _ := svc.Store().Rep(ctx, "x")
	x.Active = false
	if _, err := svc.PutRep(ctx, x, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 11, 15, 0, 0, 0, time.UTC)
	l, _, err := svc.Intake(ctx, dueLead("cp-5", due), engine.ActorAPI)
	if err != nil || l.Assignee != "b" {
		t.Fatalf("intake cp-5 = %+v, %v", l, err)
	}
	return append(out, l)
}

// digests claims the checkpoint notices waiting by key, in key order.
func digests(t *testing.T, s *storage.Store, now time.Time) []engine.OutboxItem {
	t.Helper()
	items, err := s.ClaimNotices(context.Background(), now, time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []engine.OutboxItem
	for _, it := range items {
		if it.Kind == engine.NoticeCheckpoint || it.Kind == engine.NoticeTeamCheckpoint {
			out = append(out, it)
		}
		if err := s.CompleteNotice(context.Background(), it.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func keys(items []engine.OutboxItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// The digests of a checkpoint, checked by hand: a's three open tasks
// (the overdue first) and the one closed this week, b's one, and the
// team's line per member to its lead, its manager and its group.
func TestCheckpointDigests(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(checkpointStart)
		svc := checkpointService(t, s, clock, "0 16 * * fri", engine.QuietHours{})
		leads := checkpointTeam(t, svc, clock)
		digests(t, s, clock.Now().Add(time.Hour))

		clock.Set(time.Date(2026, 12, 4, 15, 59, 0, 0, time.UTC))
		// The first scan sends the latest checkpoint there is, 11-27's.
		if _, err := svc.ScanCheckpoint(ctx); err != nil {
			t.Fatal(err)
		}
		first := digests(t, s, clock.Now())
		old := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC).UnixMilli()
		if len(first) != 5 || first[0].Key != fmt.Sprintf("checkpoint:a:%d", old) {
			t.Fatalf("first scan = %v, want the 5 digests of 11-27", keys(first))
		}
		at := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
		clock.Set(at.Add(30 * time.Second))
		n, err := svc.ScanCheckpoint(ctx)
		if err != nil || n != 5 {
			t.Fatalf("ScanCheckpoint at 16:00:30 = %d, %v; want 5 notices", n, err)
		}
		got := digests(t, s, clock.Now())
		ms := at.UnixMilli()
		wantKeys := []string{
			fmt.Sprintf("checkpoint:a:%d", ms),
			fmt.Sprintf("checkpoint:b:%d", ms),
			fmt.Sprintf("team_checkpoint:east:boss:%d", ms),
			fmt.Sprintf("team_checkpoint:east:lead:%d", ms),
			fmt.Sprintf("team_checkpoint:east:team:east:%d", ms),
		}
		if !reflect.DeepEqual(keys(got), wantKeys) {
			t.Fatalf("digest keys = %v, want %v", keys(got), wantKeys)
		}

		since := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
		a, err := engine.RepDigestOf(got[0].Notice)
		if err != nil {
			t.Fatal(err)
		}
		due := func(i int) *time.Time { return leads[i].DueAt }
		wantA := engine.RepDigest{Rep: "a", At: at, Since: since, Open: 3, Overdue: 1, DueSoon: 1,
			Completed: 1, Won: 1, Progress: 20, Tasks: []engine.DigestTask{
				{Lead: leads[0].ID, Company: "company cp-1", DueAt: due(0), Overdue: true},
				{Lead: leads[1].ID, Company: "company cp-2", Progress: 40, DueAt: due(1)},
				{Lead: leads[2].ID, Company: "company cp-3", Progress: 20, DueAt: due(2)},
			}}
		if !reflect.DeepEqual(normalDigest(a), normalDigest(wantA)) {
			t.Errorf("a's digest = %+v\nwant %+v", a, wantA)
		}
		b, _ := engine.RepDigestOf(got[1].Notice)
		if b.Open != 1 || b.Overdue != 0 || b.DueSoon != 1 || b.Completed != 0 ||
			len(b.Tasks) != 1 || b.Tasks[0].Lead != leads[4].ID {
			t.Errorf("b's digest = %+v, want one open task due in the coming week", b)
		}

		team, err := engine.TeamDigestOf(got[2].Notice)
		if err != nil {
			t.Fatal(err)
		}
		wantTeam := []engine.MemberDigest{
			{Rep: "a", Name: "name a", Open: 3, Overdue: 1, Progress: 20, Completed: 1},
			{Rep: "b", Name: "name b", Open: 1},
			{Rep: "c", Name: "name c"},
			{Rep: "lead", Name: "name lead"},
		}
		if team.Team != "east" || !reflect.DeepEqual(team.Members, wantTeam) {
			t.Errorf("team digest = %+v, want east with %+v", team, wantTeam)
		}
		if g := got[4]; g.To != "" || g.Text != "east" || g.Args["digest"] != got[2].Args["digest"] {
			t.Errorf("group digest = %+v, want east's digest to the group", g)
		}

		// Repeated scans, from this replica or another, send nothing more.
		other := checkpointService(t, s, clock, "0 16 * * fri", engine.QuietHours{})
		for i, sv := range []*engine.Service{svc, other} {
			clock.Add(time.Hour)
			if n, err := sv.ScanCheckpoint(ctx); err != nil || n != 0 {
				t.Errorf("scan %d after the checkpoint = %d, %v; want nothing", i+1, n, err)
			}
		}
	})
}

// normalDigest drops the clock readings' location, which the stores
// and JSON give back as UTC or Local.
func normalDigest(d engine.RepDigest) engine.RepDigest {
	d.At, d.Since = d.At.UTC(), d.Since.UTC()
	for i, t := range d.Tasks {
		if t.DueAt != nil {
			v := t.DueAt.UTC()
			d.Tasks[i].DueAt = &v
		}
	}
	return d
}

// Two schedulers scanning the same checkpoint at once queue it once.
func TestCheckpointOnceAcrossReplicas(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(checkpointStart)
		svc := checkpointService(t, s, clock, "0 16 * * fri", engine.QuietHours{})
		checkpointTeam(t, svc, clock)
		clock.Set(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
		other := checkpointService(t, s, clock, "0 16 * * fri", engine.QuietHours{})
		var wg sync.WaitGroup
		for _, sv := range []*engine.Service{svc, other} {
			wg.Go(func() {
				if _, err := sv.ScanCheckpoint(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := digests(t, s, clock.Now()); len(got) != 5 {
			t.Errorf("after two scans: %v, want the 5 digests once", keys(got))
		}
	})
}

// After a week and a half down, the scan on start sends the latest missed
// checkpoint, 12-11, counting what closed since 12-04, and not 12-04's.
func TestCheckpointAfterDowntime(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(checkpointStart)
		svc := checkpointService(t, s, clock, "0 16 * * fri", engine.QuietHours{})
		leads := checkpointTeam(t, svc, clock)
		clock.Set(time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC))
		if _, err := svc.Close(ctx, leads[0].ID, "a", engine.Lost, nil); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC))
		if _, err := svc.ScanCheckpoint(ctx); err != nil {
			t.Fatal(err)
		}
		got := digests(t, s, clock.Now())
		at := time.Date(2026, 12, 11, 16, 0, 0, 0, time.UTC)
		if len(got) != 5 || got[0].Key != fmt.Sprintf("checkpoint:a:%d", at.UnixMilli()) {
			t.Fatalf("after downtime: %v, want the 5 digests of 12-11 16:00", keys(got))
		}
		a, _ := engine.RepDigestOf(got[0].Notice)
		// At 12-15 10:00: cp-2 (12-08) is overdue, cp-3 (12-21) due within
		// the week; cp-1 was lost on 12-07, in the period from 12-04.
		if a.Open != 2 || a.Overdue != 1 || a.DueSoon != 1 || a.Completed != 1 || a.Won != 0 ||
			!a.Since.Equal(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)) {
			t.Errorf("a's digest after downtime = %+v", a)
		}
		if n, err := svc.ScanCheckpoint(ctx); err != nil || n != 0 {
			t.Errorf("second scan = %d, %v; want nothing", n, err)
		}
	})
}

// A checkpoint in someone's quiet hours reaches them when those end.
func TestCheckpointQuietHours(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(checkpointStart)
		quiet, _ := engine.ParseQuietHours("21:00-08:00")
		svc := checkpointService(t, s, clock, "0 16 * * fri", quiet)
		checkpointTeam(t, svc, clock)
		lead, _ := s.Rep(ctx, "lead")
		lead.Timezone = "Asia/Shanghai" // 16:00 UTC is 00:00 there
		if _, err := svc.PutRep(ctx, lead, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		digests(t, s, clock.Now().Add(time.Hour))
		clock.Set(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
		if n, err := svc.ScanCheckpoint(ctx); err != nil || n != 5 {
			t.Fatalf("ScanCheckpoint = %d, %v; want 5", n, err)
		}
		now, err := s.ClaimNotices(ctx, clock.Now(), time.Minute, 100)
		if err != nil || len(now) != 4 {
			t.Errorf("at 16:00 UTC: %d notices, %v; want all but the Shanghai lead's", len(now), err)
		}
		for _, it := range now {
			if it.To == "lead" {
				t.Errorf("the lead's digest came at 00:00 Shanghai time")
			}
			if err := s.CompleteNotice(ctx, it.ID, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		morning := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
		later, _ := s.ClaimNotices(ctx, morning, time.Minute, 100)
		if len(later) != 1 || later[0].To != "lead" || later[0].Kind != engine.NoticeTeamCheckpoint {
			t.Errorf("at 08:00 Shanghai: %+v, want the lead's team digest", later)
		}
	})
}

func TestLastCheckpoint(t *testing.T) {
	every, _ := cron.ParseStandard("CRON_TZ=Asia/Shanghai 0 16 * * fri")
	monthly, _ := cron.ParseStandard("CRON_TZ=UTC 0 9 1 * *")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		name  string
		every engine.Recurrence
		now   time.Time
		want  time.Time
	}{
		{"just before", every, time.Date(2026, 12, 4, 15, 59, 0, 0, sh),
			time.Date(2026, 11, 27, 16, 0, 0, 0, sh)},
		{"at the moment", every, time.Date(2026, 12, 4, 16, 0, 0, 0, sh),
			time.Date(2026, 12, 4, 16, 0, 0, 0, sh)},
		{"days later", every, time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC),
			time.Date(2026, 12, 4, 16, 0, 0, 0, sh)},
		{"monthly", monthly, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.LastCheckpoint(tt.every, tt.now); !got.Equal(tt.want) {
				t.Errorf("LastCheckpoint(%s) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}
