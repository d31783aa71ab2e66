package db

import (
	"context"
	"fmt"
	"time"
)

// TakeCall tries to admit one REST call into a portal's leaky bucket (rate
// calls per second drain, burst the bucket's size), on the database's clock
// so every instance shares one bucket. It returns 0 when admitted, or how
// long to wait before trying again.
func (s *Store) TakeCall(ctx context.Context, memberID string, rate float64, burst int) (time.Duration, error) {
	var wait float64
	err := s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO bitrix_buckets (member_id) VALUES ($1) ON CONFLICT DO NOTHING`, memberID); err != nil {
			return err
		}
		return tx.get(ctx, &wait, `
			WITH cur AS (
				SELECT member_id, GREATEST(level - EXTRACT(EPOCH FROM clock_timestamp() - at) * $2, 0) AS level
				FROM bitrix_buckets WHERE member_id = $1 FOR UPDATE
			), taken AS (
				UPDATE bitrix_buckets b SET level = cur.level + 1, at = clock_timestamp()
				FROM cur WHERE b.member_id = cur.member_id AND cur.level + 1 <= $3
				RETURNING 1
			)
			SELECT CASE WHEN EXISTS (SELECT 1 FROM taken) THEN 0 ELSE (cur.level + 1 - $3) / $2 END FROM cur`,
			memberID, rate, burst)
	})
	if err != nil {
		return 0, fmt.Errorf("db: unable to take a call slot of portal %s: %w", memberID, err)
	}
	return time.Duration(wait * float64(time.Second)), nil
}
