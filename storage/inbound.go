package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/leadbot/leadbot/engine"
)

// Seen records a platform delivery by its id and reports whether this is
// the first time it arrived. Platforms retry and redeliver; the record
// makes the second arrival a no-op on every replica, before and after a
// restart.
func (s *Store) Seen(ctx context.Context, platform, id string) (bool, error) {
	if id == "" {
		return false, &engine.Error{Kind: engine.Invalid, Code: "missing_field", Field: "id",
			Msg: "a platform delivery needs its id"}
	}
	row := inboundRow{Platform: platform, MsgID: id, At: dbTime(time.Now())}
	err := classify(s.w.WithContext(ctx).Create(&row).Error)
	switch {
	case err == nil:
		return true, nil
	case isDuplicate(err):
		return false, nil
	}
	return false, wrapf(err, "record %s delivery %s", platform, id)
}

// RepByWeCom returns the rep with this WeCom userid, or NotFound.
func (s *Store) RepByWeCom(ctx context.Context, userID string) (engine.Rep, error) {
	return s.repBy(ctx, "wecom_userid", userID)
}

// RepByDingTalk returns the rep with this DingTalk staff id, or NotFound.
func (s *Store) RepByDingTalk(ctx context.Context, staffID string) (engine.Rep, error) {
	return s.repBy(ctx, "dingtalk_userid", staffID)
}

func (s *Store) repBy(ctx context.Context, column, id string) (engine.Rep, error) {
	var row repRow
	err := s.r.WithContext(ctx).Where(column+" = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || id == "" {
		return engine.Rep{}, &engine.Error{Kind: engine.NotFound, Code: "unknown_user",
			Msg: fmt.Sprintf("no rep has %s %q", column, id)}
	}
	if err != nil {
		return engine.Rep{}, wrapf(err, "find rep by %s", column)
	}
	return row.toEngine(), nil
}
