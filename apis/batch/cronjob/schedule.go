package cronjob

import (
	"fmt"

	"github.com/robfig/cron/v3"
)

// parseSchedule checks a schedule with the cron library upstream uses (robfig/cron/v3's
// standard parser: five fields or a descriptor, optionally after TZ= or CRON_TZ=), so its
// error messages are upstream's.
func parseSchedule(spec string) (err error) {
	// The library panics on some malformed TZ= prefixes; upstream recovers and reports it so.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid schedule format: %v", r)
		}
	}()
	_, err = cron.ParseStandard(spec)
	return err
}
