package pgstat

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// PreparedXact is one pg_prepared_xacts row (pgreport; pgmetrics has no
// such list). pgreport check's prepared_xacts rule reads it.
type PreparedXact struct {
	Transaction int64  `json:"transaction" db:"transaction"`
	GID         string `json:"gid" db:"gid"`
	Prepared    int64  `json:"prepared" db:"prepared"` // unix seconds
	Owner       string `json:"owner" db:"owner"`
	DBName      string `json:"db_name" db:"db_name"`
}

var preparedXactsUnit = unit{name: "prepared_xacts", scope: clusterWide, run: (*collector).readPreparedXacts,
	doc: "`pg_prepared_xacts` (pgreport's; pgmetrics has none)"}

// readPreparedXacts fills Report.PreparedXacts: a pointer, so that a report
// without the key (pgmetrics', or older) reads as "not collected" and an
// empty list as "none".
func (c *collector) readPreparedXacts(ctx context.Context, tx pgx.Tx) error {
	p, err := rowsOf[PreparedXact](ctx, tx, `SELECT transaction::text::bigint AS transaction, gid,
			`+ep("prepared")+` AS prepared, COALESCE(owner::text, '') AS owner, COALESCE(database::text, '') AS db_name
			FROM pg_prepared_xacts ORDER BY prepared`)
	if err == nil {
		c.rep.PreparedXacts = &p
	}
	return err
}
