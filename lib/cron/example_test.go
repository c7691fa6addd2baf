package cron_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
)

func ExampleParse() {
	_, err := cron.Parse("0 0 31 2 *")
	var fe *cron.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, "|", err)
	}
	s, _ := cron.Parse("@weekly")
	fmt.Println(s, "|", s.Explain())
	// Output:
	// day of month | day of month: 31 never occurs in February
	// 0 0 * * 0 | At 00:00 on Sunday
}

func ExampleSchedule_Next() {
	loc, _ := time.LoadLocation("America/New_York")
	s, _ := cron.Parse("30 2 * * *")
	// 02:30 does not exist on 2026-03-08: the job runs when the clock jumps.
	for _, t := range s.NextN(time.Date(2026, 3, 7, 12, 0, 0, 0, loc), 2) {
		fmt.Println(t.Format(time.RFC3339))
	}
	// Output:
	// 2026-03-08T03:00:00-04:00
	// 2026-03-09T02:30:00-04:00
}
