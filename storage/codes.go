package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leadbot/leadbot/engine"
)

// CardCodes keeps the single-use codes a chat platform hands out for
// updating a card it delivered (WeCom's response_code), in the database,
// so that any replica, before or after a restart, can redraw the card,
// and exactly one of them spends each code.
type CardCodes struct {
	s        *Store
	platform string
	life     time.Duration
}

// CardCodes returns the codes of one platform; a code older than life is
// treated as gone.
func (s *Store) CardCodes(platform string, life time.Duration) *CardCodes {
	return &CardCodes{s: s, platform: platform, life: life}
}

// Put remembers code as the way to update the card, replacing an older
// one, and forgets the codes that have expired.
func (c *CardCodes) Put(ctx context.Context, card, code string, at time.Time) error {
	if card == "" || code == "" {
		return &engine.Error{Kind: engine.Invalid, Code: "missing_field", Field: "card",
			Msg: "a card code needs its card and its code"}
	}
	at = dbTime(at)
	row := cardCodeRow{Platform: c.platform, Card: card, Code: code, At: at}
	db := c.s.w.WithContext(ctx)
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "card"}},
		DoUpdates: clause.AssignmentColumns([]string{"code", "at"}),
	}).Create(&row).Error
	if err != nil {
		return wrapf(err, "keep %s card code", c.platform)
	}
	err = db.Where("platform = ? AND at < ?", c.platform, at.Add(-c.life)).
		Delete(&cardCodeRow{}).Error
	return wrapf(err, "forget expired %s card codes", c.platform)
}

// Take returns the card's code and forgets it; of several callers at
// once, one gets it and the others find none.
func (c *CardCodes) Take(ctx context.Context, card string) (string, time.Time, bool, error) {
	var row cardCodeRow
	err := c.s.w.WithContext(ctx).
		Where("platform = ? AND card = ?", c.platform, card).
		Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, wrapf(err, "read %s card code", c.platform)
	}
	res := c.s.w.WithContext(ctx).
		Where("platform = ? AND card = ? AND code = ?", c.platform, card, row.Code).
		Delete(&cardCodeRow{})
	if res.Error != nil {
		return "", time.Time{}, false, wrapf(res.Error, "spend %s card code", c.platform)
	}
	if res.RowsAffected != 1 {
		return "", time.Time{}, false, nil
	}
	return row.Code, row.At, true, nil
}
